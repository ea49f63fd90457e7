"""Stage 1a: read an article from a text, Markdown, HTML, WebVTT or SRT file or an http(s) URL.

Text comes in whatever encoding it was saved in; it is detected, never guessed
into a crash. Web pages go through trafilatura, which finds the main content
and the page's title, author, date and site name; the content is turned into
the plain text the parser reads (``## `` before headings, ``• `` before list
items, ``**bold**`` kept so that bold speaker labels and bold questions stay
recognisable). A Markdown file's YAML front matter gives its title, author and
date the same way. Caption files (webvtt-py reads both formats) become one
paragraph per speaker's turn: a cue's ``<v Name>`` voice tag or ``Name:``
prefix starts a turn, and the cues that follow it are its text, time stamps left out.
"""

from __future__ import annotations

import datetime
import io
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from audiobuild.errors import InputError
from audiobuild.schema import check, load_document, yaml_line

if TYPE_CHECKING:  # httpx is loaded only when something is downloaded
    from audiobuild.read.fetch import Response

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
MAX_ARTICLE_BYTES = 5_000_000  # about 800,000 words, some 90 hours of audio
MAX_WORD_CHARACTERS = 1_000  # the longest web addresses in running text are a few hundred
# A run of more than MAX_WORD_CHARACTERS without a space, whole; tried only where a run starts, so linear.
_LONG_WORD = re.compile(rf"(?<!\S)\S{{{MAX_WORD_CHARACTERS + 1}}}\S*")
CAPTION_SUFFIXES = {".vtt": "vtt", ".srt": "srt"}
# What a server may send for a page we can read; anything else (PDF, images) is refused.
_CONTENT_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "text",
    "text/x-markdown": "text",
    "text/vtt": "vtt",
    "application/x-subrip": "srt",
}


@dataclass(frozen=True)
class Article:
    """An article's text, ready to parse, and what its page says about it."""

    source: str
    text: str
    title: str | None = None  # from the page's metadata; else the parser finds the headline
    author: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD)
    site_name: str | None = None  # the publication (og:site_name): some magazines label their questions with it
    date_source: str | None = None  # where `date` was found: "page metadata", "front matter"


def load_article(source: str | Path) -> Article:
    """Read an article from a file path or an http(s) URL, or raise InputError."""
    name = str(source)
    if re.match(r"https?://", name, re.IGNORECASE):
        from audiobuild.read.fetch import Fetcher

        with Fetcher() as fetcher:
            return page_article(fetcher.get(name, accept=PAGE_ACCEPT), name)
    path = Path(source)
    raw = _read_bytes(path)
    if path.suffix.lower() in HTML_SUFFIXES or _looks_like_html(raw):
        return extract_html(raw, name)
    text = _nonempty(decode(raw, name), name)
    kind = CAPTION_SUFFIXES.get(path.suffix.lower()) or ("vtt" if text.lstrip("\ufeff").startswith("WEBVTT") else None)
    if kind:
        return extract_captions(text, name, kind)
    return _with_front_matter(Article(name, text))


def read_article(path: Path) -> str:
    """The article text of the file at `path` (without a web page's metadata: see `load_article`)."""
    return load_article(path).text


def _read_bytes(path: Path) -> bytes:
    """The bytes of an article file, at most MAX_ARTICLE_BYTES, whatever the file is.

    A pipe (`build <(curl ...)`) is read to its end; a FIFO nobody writes to
    is empty instead of a wait forever (it is opened without blocking), and a
    device such as /dev/zero is cut off at the limit instead of filling memory.
    """
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a directory, not an article file")
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(descriptor, True)  # a pipe with a writer: wait for its text
        with open(descriptor, "rb") as file:
            raw = file.read(MAX_ARTICLE_BYTES + 1)
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from None
    return _within_limit(raw, path)


def check_text(text: str, source: object) -> None:
    """InputError unless an article's `text` is within what the parser reads in linear time.

    At most MAX_ARTICLE_BYTES, and no "word" (a run without a space) over
    MAX_WORD_CHARACTERS: the longest words and web addresses people write are
    far shorter, and a longer run is a pasted blob the parser's patterns
    would try at each of its characters.
    """
    _within_limit(text, source)
    blob = _LONG_WORD.search(text)
    if blob:
        problem = (f"has a 'word' of {len(blob.group()):,} characters without a space ({blob.group()[:20]!r}...); "
                   f"words over {MAX_WORD_CHARACTERS:,} characters are refused")  # fmt: skip
        raise InputError(source, problem)


def _within_limit(raw: bytes | str, source: object) -> bytes | str:
    """`raw`, unless it is over MAX_ARTICLE_BYTES: the same limit for a file, a page and a feed's item."""
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > MAX_ARTICLE_BYTES:
        limit = MAX_ARTICLE_BYTES / 1e6
        raise InputError(source, f"is larger than {limit:.0f} MB; articles over {limit:.0f} MB are refused")
    return raw


def _nonempty(text: str, source: object) -> str:
    if not text.strip():
        raise InputError(source, "is empty")
    return text


def _looks_like_html(raw: bytes) -> bool:
    head = raw[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html"))


# ---------------------------------------------------------------------------
# Encodings


def decode(raw: bytes, source: object, charset: str | None = None) -> str:
    """Decode article bytes: a declared charset, a BOM, UTF-8, UTF-16, else a legacy code page.

    Legacy files are Windows-1251 or KOI8-R when that gives whole Cyrillic words,
    else Windows-1252 (a superset of Latin-1's printable characters).
    """
    if charset:
        try:
            return raw.decode(charset, errors="replace")
        except LookupError:
            pass  # an unknown charset name in a header: detect as if there were none
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(encoding, errors="replace")
    encoding = _utf16_without_bom(raw)
    if encoding:
        return raw.decode(encoding, errors="replace")
    if b"\x00" in raw:
        raise InputError(source, "is a binary file, not text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_legacy(raw)
    controls = sum(1 for char in text if unicodedata.category(char) == "Cc" and char not in "\n\r\t\f")
    if controls > len(text) / 50:  # text with a stray control character is still text
        raise InputError(source, "is a binary file, not text")
    return _without_mojibake(text)


def _without_mojibake(text: str) -> str:
    """UTF-8 that was decoded as Windows-1252 and encoded again ("trajetÃ³ria"), repaired by ftfy's rules.

    Only its encoding fix: quotes, dashes and everything else stay as the article wrote them.
    """
    if not re.search("[ÃÂâÐÑ][\x80-\xbf\u0152-\u2122]", text):  # no sign of it: ftfy need not look
        return text
    import ftfy  # imported here: most articles never need it

    return ftfy.fix_encoding(text)


_BOMS = [
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
]


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 without a BOM: zero bytes (the high half of ASCII spaces and punctuation) in one parity only."""
    if len(raw) % 2:
        return None
    even, odd = raw[0::2].count(0), raw[1::2].count(0)
    if odd > 0.1 * len(raw) / 2 and even == 0:
        return "utf-16-le"
    if even > 0.1 * len(raw) / 2 and odd == 0:
        return "utf-16-be"
    return None


# Code pages for legacy files, in order of preference when they read equally well.
_LEGACY = ("cp1252", "cp1251", "koi8_r")


def _decode_legacy(raw: bytes) -> str:
    """The legacy code page whose decoding reads most like words.

    Windows-1251 Cyrillic decoded as Windows-1252 gives long words with no
    plain ASCII letter in them ("Ïðèâåò"); Latin-1 accents decoded as 1251 give
    Cyrillic letters inside Latin words ("Cafй"); 1251 decoded as KOI8-R gives
    capitals inside words ("пРИВЕТ"). Real text has none of these.
    """
    return max((raw.decode(encoding, errors="replace") for encoding in _LEGACY), key=_plausibility)


def _plausibility(text: str) -> float:
    """The share of non-ASCII words that look like real words (all of none)."""
    words = [word for word in re.findall(r"[^\W\d_]+", text) if not word.isascii()]
    return sum(map(_plausible_word, words)) / len(words) if words else 1.0


def _plausible_word(word: str) -> bool:
    scripts = {unicodedata.name(char, "?").split()[0] for char in word}
    if len(scripts) != 1 or (word[1:] != word[1:].lower() and word != word.upper()):
        return False
    return scripts != {"LATIN"} or len(word) <= 3 or any(char.isascii() for char in word)


# ---------------------------------------------------------------------------
# The web

# What we ask a server for: a page, else text; anything else is refused when it comes (see _CONTENT_TYPES).
PAGE_ACCEPT = (
    "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,text/vtt;q=0.9,"
    "application/x-subrip;q=0.9,*/*;q=0.1"
)


def page_article(response: Response, source: str, prune: tuple[str, ...] = ()) -> Article:
    """The article in a downloaded page (HTML through `extract_html`), captions or text; InputError for anything else.

    `prune` are CSS selectors of parts of the page to drop before the article
    is looked for (see `css_to_xpath`).
    """
    kind = _CONTENT_TYPES.get(response.content_type or "text/plain")
    if kind is None:
        raise InputError(source, f"is {response.content_type}, not a web page or text")
    _within_limit(response.body, source)
    if kind == "html" or _looks_like_html(response.body):
        return extract_html(response.body, source, url=response.url, charset=response.charset, prune=prune)
    text = _nonempty(decode(response.body, source, response.charset), source)
    return extract_captions(text, source, kind) if kind in ("vtt", "srt") else _with_front_matter(Article(source, text))


def css_to_xpath(selectors: tuple[str, ...] | list[str]) -> list[str]:
    """CSS selectors as the XPath expressions trafilatura prunes with; ValueError naming a selector it cannot read.

    >>> css_to_xpath(["#comments", "aside > p"])
    ["descendant-or-self::*[@id = 'comments']", 'descendant-or-self::aside/p']
    """
    from cssselect import GenericTranslator, SelectorError

    translator = GenericTranslator()
    expressions = []
    for selector in selectors:
        try:
            expressions.append(translator.css_to_xpath(selector))
        except SelectorError as error:
            raise ValueError(f"{selector!r} is not a CSS selector audiobuild can use ({error})") from None
    return expressions


# ---------------------------------------------------------------------------
# Front matter and captions

# YAML between "---" lines (Jekyll, mkdocs), or TOML between "+++" lines (Hugo).
_FRONT_MATTER = re.compile(
    r"\A\ufeff?(?P<fence>---|\+\+\+)[ \t]*\r?\n(?P<block>.*?)\r?\n(?:(?P=fence)|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL
)


def _with_front_matter(article: Article) -> Article:
    """The article with the title, author and date of its front matter (the parser drops the block itself)."""
    match = _FRONT_MATTER.match(article.text)
    if not match:
        return _with_comment_metadata(article)
    # The block after as many empty lines as come before it: errors give the file's line numbers.
    block = "\n" * article.text[: match.start("block")].count("\n") + match.group("block")
    # Not YAML or TOML after all (lenient): the parser reads the lines as text.
    kind = "toml" if match.group("fence") == "+++" else "yaml"
    fields = load_document(block, article.source, kind, error=InputError, lenient=True)
    if not isinstance(fields, dict):
        return article
    # YAML reads `date: 2025-05-30` as a date: its text is what is checked and kept.
    fields = {key: value.isoformat() if isinstance(value, datetime.date) else value for key, value in fields.items()}
    check(fields, _FRONT_MATTER_SCHEMA, article.source, block, error=InputError, locate=yaml_line,
          describe=lambda path: "front matter " + ".".join(map(str, path)), json_terms=True)  # fmt: skip
    title, author, date = (fields.get(key) for key in ("title", "author", "date"))
    date = str(date)[:10] if date else None
    if date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        date = None
    return Article(
        article.source,
        article.text,
        title=str(title).strip() if title else None,
        author=str(author).strip() if isinstance(author, str) and author.strip() else None,
        date=date,
        date_source="front matter" if date else None,
    )


# Nikola's metadata, in an HTML comment at the top of a Markdown post: ".. title: Quattro chiacchiere con ...".
_COMMENT_METADATA = re.compile(r"\A\ufeff?\s*<!--(?P<fields>.*?)-->", re.DOTALL)
_COMMENT_FIELD = re.compile(r"^\s*\.\.\s+(?P<key>title|author|date)\s*:[ \t]*(?P<value>\S.*?)\s*$", re.MULTILINE)


def _with_comment_metadata(article: Article) -> Article:
    """The article with the title, author and date of a Nikola-style comment at its top (the parser drops it)."""
    comment = _COMMENT_METADATA.match(article.text)
    fields = {field["key"]: field["value"] for field in _COMMENT_FIELD.finditer(comment["fields"])} if comment else {}
    if not fields:
        return article
    date = fields.get("date", "")[:10]
    date = date if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else None
    return Article(article.source, article.text, title=fields.get("title"), author=fields.get("author"), date=date,
                   date_source="front matter" if date else None)  # fmt: skip


_FRONT_MATTER_SCHEMA = {
    "type": "object",
    "properties": {key: {"type": ["string", "number", "null"]} for key in ("title", "author", "date")},
}


_CUE_SPEAKER = re.compile(r"^(?:>>\s*)?(?P<name>[^\W\d][\w'’.\- ]{0,40}?)\s*:\s+(?P<rest>\S.*)$")
_ANNOTATION_ONLY = re.compile(r"^(?:[\[(][^\[\]()]*[\])][\s.,…]*)+$")
_PARAGRAPH_WORDS = 120  # cues without speakers are joined into paragraphs of about this length


def extract_captions(text: str, source: str, kind: str) -> Article:
    """A WebVTT or SRT caption file as parser text: one "Name: words" paragraph per turn, no time stamps."""
    import webvtt

    try:
        captions = webvtt.from_buffer(io.StringIO(text), format=kind)
    except (webvtt.errors.MalformedFileError, webvtt.errors.MalformedCaptionError, ValueError) as error:
        raise InputError(source, f"is not a valid {kind.upper()} caption file: {error}") from None
    turns: list[tuple[str | None, list[str]]] = []
    for caption in captions:
        words = " ".join(caption.text.split())
        speaker = caption.voice
        named = None if speaker else _CUE_SPEAKER.match(words)
        if named and len(named.group("name").split()) <= 5 and named.group("name")[0].isupper():
            speaker, words = named.group("name").strip(), named.group("rest")
        if not words or _ANNOTATION_ONLY.match(words):
            continue  # "[Unintelligible].", "[music]": a cue with no words is no one's turn
        same = turns and (speaker is None or speaker == turns[-1][0])
        if same and not (speaker is None and sum(map(len, map(str.split, turns[-1][1]))) > _PARAGRAPH_WORDS
                         and turns[-1][1][-1].endswith((".", "?", "!"))):  # fmt: skip
            turns[-1][1].append(words)
        else:
            turns.append((speaker or (turns[-1][0] if turns else None), [words]))
    if not turns:
        raise InputError(source, f"has no captions with text in this {kind.upper()} file")
    paragraphs = []
    for index, (speaker, cues) in enumerate(turns):
        continued = index and turns[index - 1][0] == speaker
        paragraphs.append(" ".join(cues) if not speaker or continued else f"{speaker}: {' '.join(cues)}")
    title = _header_title(captions) or _conversation_title(source, [speaker for speaker, _ in turns if speaker])
    return Article(source, "\n\n".join(paragraphs), title=title)


def _header_title(captions) -> str | None:
    """A WebVTT file's own title: the text after "WEBVTT" on its first line, or a "Title:" line of its header.

    The WebVTT spec (W3C, "WebVTT file body") allows any text after the
    signature, and tools write the title there ("WEBVTT - Harbour talk"); a
    "Title:" header line is the older metadata style, beside YouTube's
    "Kind:" and "Language:". SRT carries no metadata at all.
    """
    header = (captions.header_text or "").strip(" \t-–—:")
    header = "" if header.casefold() == "file" else header  # "WEBVTT FILE": how older tools and examples open one
    titled = (line.split(":", 1)[1] for line in captions.metadata if line.lower().startswith("title:"))
    title = " ".join((header or next(titled, "")).split())
    return title or None


# What meeting and transcription tools name their exports (Zoom's "GMT20240312-150512_Recording.transcript.vtt",
# "call.vtt", "captions.en.srt"): such a name says nothing of the conversation, its speakers do.
_GENERIC_NAMES = {"call", "meeting", "interview", "recording", "transcript", "transcription", "captions", "caption",
                  "subtitles", "subs", "audio", "video", "zoom", "teams", "untitled", "closed"}  # fmt: skip
_NAMED_WORDS = ("call", "meeting", "interview")  # kept in the title; the others become "Conversation"


def _conversation_title(source: str, speakers: list[str]) -> str | None:
    """A title for captions with a name that says nothing: "Call with Ann Lee and Ben Ray" (None otherwise).

    Language tags ("en"), numbers and Zoom's time stamps ("GMT20240312") in the name do not count;
    a fourth speaker on is counted ("Meeting with A, B, C and 2 others").
    """
    stem = re.sub(r"^https?://[^/]*", "", source, flags=re.IGNORECASE).rstrip("/").rsplit("/", 1)[-1]
    words = [word for word in re.split(r"[\s_.\-]+", Path(stem).stem.lower()) if word]
    words = [word for word in words if not re.fullmatch(r"(gmt)?\d+|[a-z]{2}", word)]
    people = list(dict.fromkeys(speakers))
    if not words or not people or not set(words) <= _GENERIC_NAMES:
        return None
    kind = next((word for word in words if word in _NAMED_WORDS), "conversation").capitalize()
    named = people[:3] if len(people) <= 3 else [*people[:3], f"{len(people) - 3} other{'s' * (len(people) > 4)}"]
    return f"{kind} with {', '.join(named[:-1])} and {named[-1]}" if len(named) > 1 else f"{kind} with {named[0]}"


# ---------------------------------------------------------------------------
# HTML


def extract_html(
    raw: bytes | str, source: str, url: str | None = None, charset: str | None = None, prune: tuple[str, ...] = ()
) -> Article:
    """The main content of a web page as parser text, with the page's title, author and date.

    `prune` are CSS selectors of page parts dropped first: a site's furniture that trafilatura keeps.
    """
    import trafilatura  # imported here: it takes a while to load and only HTML needs it
    from trafilatura.utils import load_html

    _within_limit(raw, source)  # a feed's item, or a page: as large as an article file may be, no larger
    if isinstance(raw, bytes) and charset:
        raw = decode(raw, source, charset)
    tree = load_html(raw)  # trafilatura's own decoding and parsing, so that the tree can be read first
    if tree is not None:
        _breaks_out_of_styles(tree)
        _mark_styled_questions(tree)
    document = trafilatura.bare_extraction(
        tree if tree is not None else raw, url=url, with_metadata=True, include_formatting=True, include_tables=True,
        favor_recall=True,
        prune_xpath=css_to_xpath(prune) or None,
        # No date is better than a wrong one: htmldate's extensive search takes any date in the text, down to a
        # bare year ("the storm of 1998", a copyright line) read as 1 January (adbar/htmldate#124). Without it,
        # only the page's metadata, time elements and date-classed markup count; a date line near the headline
        # is the parser's (`parse.furniture`). The original date, not an update's: the article's own.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )  # fmt: skip
    body = document.body if document is not None else None
    text = "\n".join(_blocks(body)) if body is not None else ""
    if not text.strip():
        raise InputError(source, "has no article text that could be found in the page")
    title, site_name = document.title, document.sitename
    if title and (site_name and title.casefold() == site_name.casefold() or _home_link(tree, title)):
        title, site_name = None, title  # the page's title is the site's name: the headline is in the text
    return Article(source, text, title=title, author=document.author, date=document.date, site_name=site_name,
                   date_source="page metadata" if document.date else None)  # fmt: skip


def _home_link(tree, text: str) -> bool:
    """True when a link to the site's home page reads `text`: the site's name, not the article's title."""
    return tree is not None and any(
        link.text_content().strip().casefold() == text.strip().casefold()
        for link in tree.iter("a")
        if (link.get("href") or "").strip() in ("/", "./", "index.html", "/index.html")
    )


def _breaks_out_of_styles(tree) -> None:
    """Move each line break that ends a bold or italic run of `tree` (an lxml HTML tree) to just after the run.

    "<em>The question?<br></em>The answer.": trafilatura drops a line break that is the last thing inside a
    run, and the question and its answer become one line. After the run's end, it is kept.
    """
    for run in tree.iter("em", "i", "strong", "b"):
        last = run[-1] if len(run) else None
        if last is not None and last.tag == "br" and not (last.tail or "").strip():
            run.remove(last)  # its tail, white space, goes with it
            last.tail = run.tail
            run.tail = None
            run.addnext(last)


# Paragraph pairs (a value's paragraph, then another value's) needed before an attribute counts as a style.
_STYLED_PAIRS = 6


def _mark_styled_questions(tree) -> None:
    """Put the questions of `tree` (an lxml HTML tree) in bold, where only an attribute of their paragraphs
    tells them apart.

    ICON sets its questions in `<p data-type-size="5">` and its answers in `<p data-type-size="4">`; a site may
    use a class. trafilatura keeps no attributes, so the parser would see one voice. An attribute value counts
    as the questions' style when its paragraphs alternate with those of another value at least _STYLED_PAIRS
    times each way and most of them ask; they are then wrapped in <strong>, which trafilatura keeps as bold.
    """
    paragraphs = [paragraph for paragraph in tree.iter("p") if len(paragraph.text_content().split()) >= 3]
    for name in sorted({name for paragraph in paragraphs for name in paragraph.attrib if name not in ("id", "style")}):
        values = [paragraph.get(name) for paragraph in paragraphs]
        pairs = Counter((one, two) for one, two in zip(values, values[1:]) if one and two and one != two)
        for (asking, other), count in pairs.items():
            marked = [paragraph for paragraph, value in zip(paragraphs, values) if value == asking]
            asked = sum("?" in paragraph.text_content() for paragraph in marked)
            if count >= _STYLED_PAIRS and pairs[(other, asking)] >= _STYLED_PAIRS and asked >= 0.6 * len(marked):
                for paragraph in marked:
                    strong = paragraph.makeelement("strong", {})
                    strong.text, paragraph.text = paragraph.text, None
                    strong.extend(list(paragraph))
                    paragraph.append(strong)
                return


def _blocks(body) -> list[str]:
    """One line per paragraph, heading and list item of trafilatura's XML body."""
    lines: list[str] = []
    for element in body:
        if element.tag == "head":
            lines.append(f"## {_inline(element)}")
        elif element.tag == "list" and element.get("rend") == "dl":
            # A definition list: each term (<dt>, "dt-1") in bold over its definitions (<dd>) as paragraphs, as a
            # page of readers' questions and an expert's answers sets them.
            terms = [(item, _inline(item).strip()) for item in element if item.tag == "item"]
            lines += [f"**{text}**" if (item.get("rend") or "").startswith("dt") else text
                      for item, text in terms if text]  # fmt: skip
        elif element.tag == "list":
            ordered = element.get("rend") == "ol"
            items = [item for item in element if item.tag == "item"]
            lines += [f"{number}. {_inline(item)}" if ordered else f"\u2022 {_inline(item)}"
                      for number, item in enumerate(items, start=1)]  # fmt: skip
        elif element.tag == "table":
            lines += [" ".join(_inline(cell) for cell in row) for row in element.iter("row")]
        else:
            lines += _inline(element).split("\n")
    return [line for line in (line.strip() for line in lines) if line]


def _inline(element) -> str:
    """An element's text with bold kept as **bold**, italics as *italics* and line breaks as newlines."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "lb":
            parts.append("\n")
        elif child.tag == "hi" and re.search(r"#[bi]", child.get("rend") or ""):
            text = _inline(child)  # bold questions and labels, italic questions: kept as Markdown
            inner, mark = text.strip(), "**" if "#b" in child.get("rend") else "*"
            # "<strong>With </strong>Ferguson": the space inside the tag stays between the words, outside the marks.
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            parts.append(f"{lead}{mark}{inner}{mark}{trail}" if inner else text)
        else:
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)
