"""The zones of an article: its paragraphs, then header furniture, the headline, the body and footer furniture.

A page copied from a browser brings the site around the article: navigation
above the headline, share buttons and notices below the text. The headline is
the line above the body that reads most like one; short lines above it are the
site's header, and a run of furniture and short lines after the body is its
footer. Both are dropped and listed, never read.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath
from urllib.parse import urlparse

from audiobuild.model import Dropped
from audiobuild.parse.furniture import CLOCK, DATE, WEEKDAY, furniture_reason
from audiobuild.parse.labels import read_label
from audiobuild.parse.text import ends_sentence, normalise_space, strip_markup
from audiobuild.parse.vocab import INTERVIEWED_BY

# ---------------------------------------------------------------------------
# Paragraphs


@dataclass(frozen=True)
class Paragraph:
    line: int
    text: str
    raw: str = ""  # its first line as written: runs of spaces separate a menu's items or a label from its text


HEADING = re.compile(r"^#{1,6}\s+(?=\S)")
_MARKER = re.compile(r"^(?:[-\u2013\u2014\u2022*+>]\s|#{1,6}\s|\d{1,2}[.)]\s|\*\*|\(|\[)")
_FRONT_MATTER = re.compile(r"^[\w-]+\s*[:=]")  # "title: ..." (YAML), "title = ..." (TOML)
# A transcript with a line number on every line (a deposition): "14   BY MS. ROE:".
_LINE_NUMBER = re.compile(r"^\s{0,6}(\d{1,2})(?:\s+|$)")


def split_paragraphs(text: str) -> tuple[list[Paragraph], list[Dropped]]:
    """The paragraphs of `text`, and what was dropped on the way (a YAML front matter block).

    A paragraph is one line, unless the file is hard-wrapped: pages copied from
    a browser put each paragraph on a line, while e-mailed and plain-text
    articles wrap at a fixed width. In a hard-wrapped file a line continues the
    previous one when that one reached the margin and the break is not a
    sentence break, a new turn, a byline or furniture. Line numbers down the
    margin (court transcripts) are removed first.
    """
    lines = text.splitlines()
    dropped: list[Dropped] = []
    start = _front_matter_end(lines)
    if start:
        dropped.append(Dropped(1, normalise_space(" ".join(lines[:start])), "front matter"))
    lines = [""] * start + _without_markup_lines(lines[start:], start, dropped)
    raw_lines = [""] * start + _without_line_numbers(lines[start:])
    cleaned = [normalise_space(line) for line in raw_lines]
    width = _wrap_width(cleaned)
    paragraphs: list[Paragraph] = []
    previous = ""
    for number, (line, raw) in enumerate(zip(cleaned, raw_lines), start=1):
        quoted = _QUOTED.match(raw) and _QUOTED.match(raw_lines[number - 2]) and _QUOTED.sub("", raw).strip()
        # Inside a bold passage that has not closed, a line goes on with it ("(синтаксис Лиспа ...).**").
        unclosed = bool(previous and paragraphs and paragraphs[-1].text.count("**") % 2)
        if previous and line and (quoted or unclosed or len(paragraphs) > 1 and (
                (width and _continues(previous, line, raw, width)) or _runs_on(previous, line, raw))):  # fmt: skip
            last = paragraphs[-1]
            paragraphs[-1] = Paragraph(last.line, f"{last.text} {_QUOTED.sub('', line) if quoted else line}", last.raw)
        elif line:
            paragraphs.append(Paragraph(number, line, raw.rstrip()))
        previous = line
    paragraphs = _without_contents(_without_number_rows(paragraphs, dropped), dropped)
    return _split_at_quoted_answers(_split_at_inline_labels(paragraphs)), dropped


# A record's table of contents: its heading, then entries that end in a page ("... . . 1839 B", "1840A, B",
# "1859*A"), between them the entries' other lines (a question's number and who asked it: "MdlAnfr 2 ... Bohl").
_CONTENTS = re.compile(r"^(?:inhalt|inhaltsverzeichnis|contents|table of contents|sommaire|table des matières|"
                       r"índice|sumario|sumário|indice|sommario|spis treści|содержание|зміст)\s*:?$", re.IGNORECASE)
_PAGE_REFERENCE = re.compile(r"(?:\.\s?){3,}|(?:^|\s)\d{1,4}\*?\s?[A-D]?(?:\s*,\s*(?:\d{1,4}\*?\s?)?[A-D]?)*,?$")
# Entries without a page may run this many paragraphs before the next that has one; past it, the body begins.
_CONTENTS_GAP = 6


def _without_contents(paragraphs: list[Paragraph], dropped: list[Dropped]) -> list[Paragraph]:
    """Paragraphs without a table of contents: from its heading to the last entry with a page after it."""
    start = next((index for index, paragraph in enumerate(paragraphs) if _CONTENTS.match(paragraph.text)), None)
    if start is None:
        return paragraphs
    end = start
    for index in range(start + 1, len(paragraphs)):
        if index - end > _CONTENTS_GAP:
            break
        if _PAGE_REFERENCE.search(paragraphs[index].text):
            end = index
    if end - start < 2:  # a heading and an entry or two are no table: "Inhalt:" may open a list in the text
        return paragraphs
    contents = paragraphs[start : end + 1]
    dropped.append(Dropped(contents[0].line, " ".join(paragraph.text for paragraph in contents), "table of contents"))
    return paragraphs[:start] + paragraphs[end + 1 :]


_NUMBER_ROW = re.compile(r"^(?P<numbers>(?:\d{1,2}\s+){9,}\d{1,2})\s+(?P<rest>\D.*)$")


def _without_number_rows(paragraphs: list[Paragraph], dropped: list[Dropped]) -> list[Paragraph]:
    """Paragraphs without the row of line numbers a PDF's page put before them ("1 2 3 ... 25 ORAL ARGUMENT")."""
    kept = []
    for paragraph in paragraphs:
        row = _NUMBER_ROW.match(paragraph.text)
        numbers = [int(number) for number in row.group("numbers").split()] if row else []
        if numbers and numbers == list(range(numbers[0], numbers[0] + len(numbers))):
            dropped.append(Dropped(paragraph.line, row.group("numbers"), "line numbers"))
            paragraph = Paragraph(paragraph.line, row.group("rest"), row.group("rest"))
        kept.append(paragraph)
    return kept


# A label inside a paragraph, where a page or a PDF ran the turns together: "...our story.**Joe:** A guy who...",
# "... the Court. MR. SIX: Thank you, Mr. Chief Justice." Bold, or in capitals after a sentence's end.
_INLINE_LABEL = re.compile(
    r"(?P<label>\*\*[^*\n]{1,60}?(?::\*\*|\*\*:)|"
    r"(?:(?<=^)|(?<=[.!?…\"”)]\s))(?:[A-Z][A-Z.'’\-]+\s+){0,12}[A-Z][A-Z'’\-]+:(?=\s))"
)


def _split_at_inline_labels(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Paragraphs split before each label inside them that the document uses at least twice.

    Recurrence is what makes a label a label ("JUSTICE SCALIA:" four times), not a one-off "NOTE:" in a sentence.
    A label in capitals may follow other capitals ("... ON BEHALF OF THE PLAINTIFF MR. SIX:"): the cut is before
    the longest tail of those words that recurs.
    """
    found = [(paragraph, list(_INLINE_LABEL.finditer(paragraph.text))) for paragraph in paragraphs]
    counts = Counter(tail for _, matches in found for match in matches for _, tail in _tails(match))
    split: list[Paragraph] = []
    for paragraph, matches in found:
        cuts = [0]
        for match in matches[1:] if matches and matches[0].start() == 0 else matches:  # not the opening label
            start = next((start for start, tail in _tails(match) if counts[tail] >= 2), None)
            # After "MR. " or "Dr. " the capitals are the rest of a name ("MR. OKAFOR:"), not a new label.
            if start and not _ABBREVIATED.search(paragraph.text[:start]):
                cuts.append(start)
        cuts.append(len(paragraph.text))
        parts = [paragraph.text[start:end].strip() for start, end in zip(cuts, cuts[1:])]
        split += [Paragraph(paragraph.line, part, paragraph.raw if index == 0 else part)
                  for index, part in enumerate(parts) if part]  # fmt: skip
    return split


# "**La situación de Ramiro Rocca:** “Estamos probándolo ...”": a press conference's topic or question in bold,
# then what was said, quoted, in the same paragraph.
_QUOTED_ANSWER = re.compile(r"^\*\*(?P<lead>[^*]{2,300}?)(?::\*\*|\*\*:)\s*(?P<answer>[“\"«„].+)$")


def _split_at_quoted_answers(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Paragraphs of a bold lead and a quotation split in two, where the document has three or more of them
    and no lead comes twice: a lead that recurs is a speaker's label ("**Weber:** „...“"), one that never does
    is a question or a topic put to the speaker."""
    found = [_QUOTED_ANSWER.match(paragraph.text) for paragraph in paragraphs]
    leads = Counter(match["lead"].casefold() for match in found if match)
    if len(leads) < 3 or max(leads.values()) > 1:
        return paragraphs
    split: list[Paragraph] = []
    for paragraph, match in zip(paragraphs, found):
        if match is None:
            split.append(paragraph)
        else:
            split += [Paragraph(paragraph.line, f"**{match['lead']}**", paragraph.raw),
                      Paragraph(paragraph.line, match["answer"], match["answer"])]  # fmt: skip
    return split


_ABBREVIATED = re.compile(r"(?:^|[\s(\[])[A-ZÀ-Þ][A-Za-zÀ-ÿ]{0,2}\.\s+$")


def _tails(match: re.Match[str]) -> list[tuple[int, str]]:
    """(where it starts, the label) of a label's tails, longest first: "THE PLAINTIFF MR. SIX", ... "SIX"."""
    label = match.group("label")
    if label.startswith("*"):
        return [(match.start(), label.strip("*: ").casefold())]
    words = list(re.finditer(r"\S+", label.rstrip(":")))
    return [(match.start() + word.start(), label[word.start():].rstrip(":").casefold()) for word in words]


# A Markdown blockquote's line: its lines up to an empty one ("> ") are one paragraph.
_QUOTED = re.compile(r"^\s{0,3}>\s?")
# Markdown and HTML that are no text: a comment (Nikola's metadata, "<!-- TEASER_END -->") and a link definition.
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_LINK_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]{1,100}\]:\s*\S+(?:\s+[\"'(].*)?$")


def _without_markup_lines(lines: list[str], offset: int, dropped: list[Dropped]) -> list[str]:
    """`lines` with HTML comments and Markdown link definitions blanked, each listed in `dropped`."""
    text = "\n".join(lines)
    for comment in _COMMENT.finditer(text):
        first = text.count("\n", 0, comment.start())
        dropped.append(Dropped(offset + first + 1, normalise_space(comment.group(0)), "markup comment"))
    text = _COMMENT.sub(lambda comment: "\n" * comment.group(0).count("\n"), text)
    kept = text.split("\n")
    for index, line in enumerate(kept):
        if _LINK_DEFINITION.match(line):
            dropped.append(Dropped(offset + index + 1, line.strip(), "link definition"))
            kept[index] = ""
    return kept


def _front_matter_end(lines: list[str]) -> int:
    """The number of lines of a front matter block at the top (YAML's ``---`` ... ``---``, TOML's ``+++``), else 0."""
    fence = lines[0].strip() if lines else ""
    if fence not in ("---", "+++"):
        return 0
    for index, line in enumerate(lines[1:80], start=1):
        if line.strip() in (fence, "..."):
            return index + 1 if any(_FRONT_MATTER.match(item) for item in lines[1:index]) else 0
    return 0


def _without_line_numbers(lines: list[str]) -> list[str]:
    """`lines` without the numbers a court reporter puts down the margin, when most lines have one."""
    numbered = [_LINE_NUMBER.match(line) for line in lines]
    filled = [line for line in lines if line.strip()]
    counted = [match for match in numbered if match]
    if len(counted) < 10 or len(counted) < 0.5 * len(filled):
        return lines
    numbers = [int(match.group(1)) for match in counted]
    steps = sum(1 for before, after in zip(numbers, numbers[1:]) if after in (before + 1, 1))
    if steps < 0.8 * (len(numbers) - 1):
        return lines
    return [line[match.end() :] if match else line for line, match in zip(lines, numbered)]


def _wrap_width(lines: list[str]) -> int | None:
    """The margin of a hard-wrapped file (no line past 100, several lines at it), else None."""
    lengths = [len(line) for line in lines if line]
    if not lengths or max(lengths) > 100:
        return None
    width = max(lengths)
    return width if sum(length >= 0.85 * width for length in lengths) >= 3 else None


def _runs_on(previous: str, line: str, raw: str) -> bool:
    """A line that starts in lower case after one that ends mid-sentence: the same paragraph, at any width."""
    return (
        line[0].islower()
        and len(previous) >= 20
        and previous[-1] not in '.!?:;\u2026"\u201d\u00bb)'
        and not _MARKER.match(line)
        and not HEADING.match(previous)
        and not furniture_reason(line, raw=raw)
        and not furniture_reason(previous)
        and not getattr(read_label(previous), "own_line", False)  # "Jane Doe  1:26" stands alone above its turn
    )


def _continues(previous: str, line: str, raw: str, width: int) -> bool:
    if len(previous) < 0.6 * width or HEADING.match(previous) or _MARKER.match(line) or byline_match(line):
        return False
    if furniture_reason(line, raw=raw) or furniture_reason(previous) or read_label(line, raw):
        return False
    if getattr(read_label(previous), "own_line", False):  # "Jane Doe  1:26" stands alone above its turn
        return False
    return not (previous[-1] in '.!?:\u2026"\u201d\u00bb' and line[0].isupper())


# ---------------------------------------------------------------------------
# Bylines and credits

_BYLINE = re.compile(
    rf"^\*?(?:{INTERVIEWED_BY}|by|written by|interview|text|texte|texto|par|von|por|автор|записал[аи]?|"
    r"reporting by)\s*:?\s+"  # the credits first: "Interview by" before "Interview"
    r"(?P<name>[\w\u0400-\u04ff][^.!?·|*]{0,80}\.?)(?:\s*[·|].{0,120})?\*?$",
    re.IGNORECASE,
)
# How a byline made from a page's author starts, by language (for the languages without a narrator table).
# A byline or credit that names who asked the questions.
INTERVIEWER_BYLINE = re.compile(
    rf"^\*?(?:{INTERVIEWED_BY})\s*:?\s+",
    re.IGNORECASE,
)


def byline_match(text: str) -> re.Match[str] | None:
    """A `By Jane Smith` line: "By" and a name (capitalised), not a sentence starting with "By the time"."""
    match = _BYLINE.match(text)
    if not match or not match.group("name")[0].isupper() or len(match.group("name").split()) > 8:
        return None
    return match


def byline_name(text: str) -> str | None:
    """The name in a byline: "By Jane Smith, Local Reporter" -> "Jane Smith"."""
    match = byline_match(text)
    return re.split(r",|\s+[·|]\s+", match.group("name").rstrip(". "))[0].strip() if match else None


# ---------------------------------------------------------------------------
# The headline

# Words that say a line is the piece's headline: what kind of piece it is.
PIECE_WORDS = re.compile(
    r"\b(?:interview|interviews|q\s?&\s?a|conversation|transcript|deposition|hearing|briefing|press conference|"
    r"oral history|oral evidence|talks with|in conversation|episode|podcast|town hall|"
    r"интервью|стенограмма|беседа|пресс-подход|пресс-конференция|выпуск|"
    r"\w*gespräch|\w*interview|\w*befragung|\w*pressekonferenz|folge|\w*protokoll|mitschrift|"
    r"entretien|compte rendu|conférence de presse|séance|épisode|"
    r"entrevista|conferencia de prensa|rueda de prensa|versión estenográfica|diario de sesiones|episodio|ds\.|"
    r"intervista|conferenza stampa|resoconto|audizione|audiencia|audition|audiência|anhörung|przesłuchanie|слухання|"
    r"trascrizione|entrevista coletiva|transcrição|notas taquigráficas|"
    r"wywiad|rozmowa|konferencja prasowa|stenogram|інтерв['’]ю|розмова|брифінг|стенограма)",
    re.IGNORECASE,
)


def headline_score(text: str, site_name: str | None = None) -> float | None:
    """How much `text` reads as the headline, or None when it cannot be one."""
    plain = strip_markup(HEADING.sub("", text))
    words = plain.split()
    if not 1 <= len(words) <= 30 or byline_match(plain) or (plain.endswith(".") and not _abbreviation(words[-1])):
        return None
    # A Markdown title ("# ") reads as the headline; a section heading ("## ") under it does not.
    score = min(len(words), 12) + (4 if text.startswith("# ") else -2 if HEADING.match(text) else 0)
    score += 3 if re.search(r"[:«»\"“”„]", plain) else 0
    score += 6 if PIECE_WORDS.search(plain) else 0
    letters = [char for char in plain if char.isalpha()]
    score -= 4 if letters and all(char.isupper() for char in letters) else 0
    score -= 6 if len(words) <= 2 else 0
    # A dateline or a time ("Bonn, Mittwoch, den 13. Mai 1981", "Beginn: 13.00 Uhr") says when, not what.
    undated = _WHEN.sub(" ", plain).split()
    score -= 10 if len(undated) < len(words) and len(undated) <= 3 else 0
    score -= 10 if re.search(r"\s[·|•]\s", plain) else 0
    # Tried from a word's start only: from each of its characters, a long word costs its length squared.
    ends = re.findall(r"(?<!\S)(\S+)[.!?]\s+(?=[(\[]?[^\W\d_])", plain)
    sentences = [word for word in ends if len(word.strip("(")) > 3]
    score -= 6 if sentences else 0  # sentences, not a headline ("DS. Congreso", "Dr. Roe" are abbreviations)
    score -= 8 if site_name and plain.casefold() == site_name.casefold() else 0
    return score


_WHEN = re.compile(rf"{DATE}|{CLOCK}|\b{WEEKDAY}\b", re.IGNORECASE)

_ABBREVIATIONS = {
    "г",
    "гг",
    "jr",
    "sr",
    "inc",
    "ltd",
    "co",
    "corp",
    "etc",
    "no",
    "nr",
    "vol",
    "núm",
    "nº",
    "gmbh",
    "ag",
}


def _abbreviation(word: str) -> bool:
    """ "г.", "Jr.", "etc.", "..." end a headline without ending a sentence."""
    return word.endswith("..") or word.rstrip(".").casefold() in _ABBREVIATIONS


# yt-dlp's " [id]" and "." + a language tag; the kinds of captions tools name in their files.
_CAPTION_SUFFIXES = re.compile(
    r"(?:\s*\[[\w-]{6,}\]|\.[a-z]{2,3}(?:-[A-Za-z0-9]{2,4})?|\.(?i:transcript|captions?|subtitles?|cc|sdh|forced))+$"
)


def title_from_source(source: str) -> str | None:
    """A title made from a file name or the last part of a URL: "cobh-harbour-oral-history.txt" -> "Cobh Harbour...".

    None for a source that is no file (text given directly). What caption tools
    add to a name is left out: a video's id in brackets and the language and kind
    of the captions ("Harbour talk [dQw4w9WgXcQ].en.vtt", "talk.transcript.vtt").

    >>> title_from_source("/tmp/harbour-talk [dQw4w9WgXcQ].en-GB.vtt"), title_from_source("talk.transcript.srt")
    ('Harbour Talk', 'Talk')
    """
    if source.startswith("<"):
        return None
    path = urlparse(source).path if re.match(r"https?://", source, re.IGNORECASE) else source
    stem = PurePath(path.rstrip("/")).stem if path.strip("/") else ""
    stem = _CAPTION_SUFFIXES.sub("", stem) or stem
    words = [word for word in re.split(r"[\s_\-.]+", stem) if word]
    if not words:
        return None
    return " ".join(word if any(char.isupper() for char in word) else word.capitalize() for word in words)


# ---------------------------------------------------------------------------
# Short lines: the header's and footer's furniture by position


def is_short_line(text: str) -> bool:
    """A line of a few words with no sentence in it: a site name, a section, a place, a caption."""
    words = strip_markup(text).split()
    return len(words) <= 6 and not ends_sentence(text) and not text.endswith(("?", "!"))


def is_prose(text: str) -> bool:
    """A paragraph that reads as the article's own text: a sentence of some length."""
    return len(text.split()) >= 12 and ends_sentence(text)
