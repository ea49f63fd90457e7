"""Stage 1: read an article and parse it into speaker-tagged segments.

An interview page in the dash layout looks like this::

    Mikhail Galuzin: Moscow and Baku develop relations as allies   <- title
    By Vestnik Kavkaza                                              <- byline
    Mikhail Galuzin: Moscow and Baku develop relations as allies   <- repeated title (dropped)
    - A question?                                                   <- interviewer
    - An answer.                                                    <- interviewee
    A paragraph with no dash continues the answer.
    2790 views                                                      <- furniture (dropped)

The narrator reads the title, byline and any intro before the first turn; dash
paragraphs alternate between interviewer and interviewee, starting with a question.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from audiobuild.errors import InputError

NARRATOR = "narrator"
INTERVIEWER = "interviewer"
INTERVIEWEE = "interviewee"
ROLES = (NARRATOR, INTERVIEWER, INTERVIEWEE)

DEFAULT_NAMES = {NARRATOR: "Narrator", INTERVIEWER: "Interviewer", INTERVIEWEE: "Interviewee"}


@dataclass(frozen=True)
class Segment:
    """One paragraph spoken by one speaker."""

    role: str
    kind: str  # title, byline, disclosure, intro, question, answer
    text: str
    speaker: str

    @property
    def sentences(self) -> list[str]:
        """The segment's sentences: the units that are synthesized and timed."""
        return split_sentences(self.text)


@dataclass(frozen=True)
class Dropped:
    """A line of site furniture that is not read aloud."""

    line: int
    text: str
    reason: str


@dataclass
class Script:
    """An article parsed into what each speaker says, in order."""

    source: str
    title: str
    byline: str | None = None
    interviewee: str | None = None
    segments: list[Segment] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)

    @property
    def speakers(self) -> dict[str, str]:
        """Role -> display name, for the roles that speak in this script."""
        return {segment.role: segment.speaker for segment in self.segments}

    @property
    def intro_end(self) -> int:
        """Index of the first segment after the narrator's opening."""
        for index, segment in enumerate(self.segments):
            if segment.role != NARRATOR:
                return index
        return len(self.segments)


# ---------------------------------------------------------------------------
# Reading


def read_article(path: Path) -> str:
    """Return the text of the article file at `path`, or raise InputError."""
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a directory, not an article file")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror}") from None
    text = decode(raw, path)
    if not text.strip():
        raise InputError(path, "is empty")
    return text


def decode(raw: bytes, source: object) -> str:
    """Decode article bytes: UTF-8, UTF-16 with a BOM, else Windows-1251 or -1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw:
        raise InputError(source, "is a binary file, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _decode_legacy(raw)
    controls = sum(1 for char in text if unicodedata.category(char) == "Cc" and char not in "\n\r\t\f")
    if controls > len(text) / 50:  # text with a stray control character is still text
        raise InputError(source, "is a binary file, not text")
    return text


def _decode_legacy(raw: bytes) -> str:
    """Pick Windows-1251 when the high bytes read as whole Cyrillic words, else -1252.

    Latin-1 accents decoded as 1251 also give Cyrillic letters, but inside Latin
    words ("Cafй"); real Cyrillic text has words made only of Cyrillic letters.
    """
    cyrillic = raw.decode("cp1251", errors="replace")
    words = [word for word in re.findall(r"\w+", cyrillic) if re.search("[\u0400-\u04ff]", word)]
    pure = sum(not re.search("[A-Za-z]", word) for word in words)
    if words and pure / len(words) > 0.8:
        return cyrillic
    return raw.decode("cp1252", errors="replace")


# ---------------------------------------------------------------------------
# Paragraphs and furniture


@dataclass(frozen=True)
class _Paragraph:
    line: int
    text: str


_TURN = re.compile(r"^[-\u2013\u2014]\s+(?=\S)")
_BYLINE = re.compile(r"^(?:by|written by|interview(?:ed)? by|автор:|беседовал[аи]?:?)\s+\S.{0,80}$", re.IGNORECASE)
# A headline "Name Surname: what they said" names the interviewee.
_HEADLINE_NAME = re.compile(r"^(?P<name>(?:[A-Z\u0410-\u042f][\w'.\-]+\s+){1,3}[A-Z\u0410-\u042f][\w'\-]+):\s+\S")

_FURNITURE = [
    (re.compile(r"^\d[\d\s.,]*\s*k?\s*(?:views?|reads?|просмотр\w*)$", re.IGNORECASE), "view counter"),
    (re.compile(r"^(?:views?|просмотры)\s*:?\s*\d[\d\s.,]*$", re.IGNORECASE), "view counter"),
    (
        re.compile(
            r"^(?:share|share this|поделиться|print|печать|subscribe|подписаться|tweet|e-?mail|"
            r"comments?|комментарии|tags?|теги)\s*:?$",
            re.IGNORECASE,
        ),
        "share/print line",
    ),
    (re.compile(r"^(?:[*\u2022\u00b7]\s*){3,}$|^[-_=~\u2013\u2014]{3,}$"), "separator"),
    (re.compile(r"^(?:#\w+[\s,]*)+$"), "hashtag line"),
    (re.compile(r"^\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?$", re.IGNORECASE), "time stamp"),
    (re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?:,?\s+\d{1,2}:\d{2})?$"), "date stamp"),
    (re.compile(r"^(?=.*\bcookies?\b)(?=.*\b(?:we use|accept|consent)\b).{0,300}$", re.IGNORECASE), "cookie banner"),
    (re.compile(r"^an official website of\b.{0,200}$", re.IGNORECASE), "site banner"),
]


_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def _normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", _CONTROL.sub("", text).replace("\u00a0", " ")).strip()


def _paragraphs(text: str) -> list[_Paragraph]:
    """Split text into paragraphs: one per line, unless the file is hard-wrapped.

    Pages copied from a browser put each paragraph on one line, with title and
    byline on lines of their own; e-mailed and plain-text articles wrap at a fixed
    width. In a hard-wrapped file a line continues the previous one when that
    one reached the margin and the break is not a sentence break, a new turn, a
    byline or furniture (a wrongly split paragraph only costs a longer pause).
    """
    lines = [_normalise_space(line) for line in text.splitlines()]
    width = _wrap_width(lines)
    paragraphs: list[_Paragraph] = []
    previous = ""
    for number, line in enumerate(lines, start=1):
        if width and previous and line and len(paragraphs) > 1 and _continues(previous, line, width):
            last = paragraphs[-1]
            paragraphs[-1] = _Paragraph(last.line, f"{last.text} {line}")
        elif line:
            paragraphs.append(_Paragraph(number, line))
        previous = line
    return paragraphs


def _wrap_width(lines: list[str]) -> int | None:
    """The margin of a hard-wrapped file (no line past 100, several lines at it), else None."""
    lengths = [len(line) for line in lines if line]
    if not lengths or max(lengths) > 100:
        return None
    width = max(lengths)
    return width if sum(length >= 0.85 * width for length in lengths) >= 3 else None


def _continues(previous: str, line: str, width: int) -> bool:
    if len(previous) < 0.6 * width or _TURN.match(line) or _BYLINE.match(line) or furniture_reason(line):
        return False
    return not (previous[-1] in ".!?:\u2026\"\u201d\u00bb" and line[0].isupper())


def furniture_reason(text: str, title: str | None = None) -> str | None:
    """Why a whole paragraph is site furniture rather than article text, or None."""
    if title is not None and _fold(text) == _fold(title):
        return "repeated title"
    for pattern, reason in _FURNITURE:
        if pattern.match(text):
            return reason
    return None


def _fold(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


def interviewee_from_title(title: str) -> str | None:
    """The person named before the colon of a `Name Surname: quote` headline."""
    match = _HEADLINE_NAME.match(title)
    return match.group("name") if match else None


# ---------------------------------------------------------------------------
# Parsing


def parse_article(text: str, source: str = "<text>", disclosure: str | None = None) -> Script:
    """Parse article text into a Script.

    `disclosure`, when given, is a sentence the narrator says right after the
    title and byline (Apple requires synthetic voices to be disclosed in the audio).
    """
    paragraphs = _paragraphs(text)
    dropped: list[Dropped] = []
    title = None
    body: list[_Paragraph] = []
    for paragraph in paragraphs:
        reason = furniture_reason(paragraph.text, title)
        if reason:
            dropped.append(Dropped(paragraph.line, paragraph.text, reason))
        elif title is None:
            title = paragraph.text
        else:
            body.append(paragraph)
    if title is None:
        return Script(source=source, title="", dropped=dropped)

    interviewee = interviewee_from_title(title)
    names = dict(DEFAULT_NAMES)
    if interviewee:
        names[INTERVIEWEE] = interviewee
    script = Script(source=source, title=title, interviewee=interviewee, dropped=dropped)
    script.segments.append(Segment(NARRATOR, "title", title, names[NARRATOR]))

    turns = 0
    current: Segment | None = None
    for paragraph in body:
        turn = _TURN.match(paragraph.text)
        if turn:
            role = INTERVIEWER if turns % 2 == 0 else INTERVIEWEE
            kind = "question" if role == INTERVIEWER else "answer"
            turns += 1
            current = Segment(role, kind, paragraph.text[turn.end() :], names[role])
        elif current is not None:
            current = Segment(current.role, current.kind, paragraph.text, current.speaker)
        elif script.byline is None and _BYLINE.match(paragraph.text):
            script.byline = paragraph.text
            script.segments.append(Segment(NARRATOR, "byline", paragraph.text, names[NARRATOR]))
            continue
        else:
            script.segments.append(Segment(NARRATOR, "intro", paragraph.text, names[NARRATOR]))
            continue
        script.segments.append(current)

    if disclosure:
        opening = 1 + (script.byline is not None)
        script.segments.insert(opening, Segment(NARRATOR, "disclosure", disclosure, names[NARRATOR]))
    return script


# ---------------------------------------------------------------------------
# Sentences

# Words whose trailing dot does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "mt", "jr", "sr", "gen", "col", "lt", "sgt", "capt",
    "gov", "sen", "rep", "rev", "hon", "pres", "no", "vs", "etc", "inc", "ltd", "co", "corp",
    "dept", "univ", "approx", "e.g", "i.e", "fig", "vol", "p", "pp", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "г", "гг", "т", "им", "ул",
}  # fmt: skip
_SENTENCE_END = re.compile(r"""(?<=[.!?\u2026])["'\u201d\u00bb)\]]*(?P<space>\s+)(?=["'\u201c\u00ab(\[]?[A-Z\u0400-\u04ff0-9])""")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping abbreviations and initials whole.

    >>> split_sentences("Mr. Smith went to St. Petersburg. He stayed. J. R. Tolkien did too!")
    ['Mr. Smith went to St. Petersburg.', 'He stayed.', 'J. R. Tolkien did too!']
    """
    sentences: list[str] = []
    start = 0
    for boundary in _SENTENCE_END.finditer(text):
        sentence = text[start : boundary.start("space")]
        last_word = text[start : boundary.start()].rsplit(None, 1)[-1] if sentence.strip() else ""
        stem = last_word.rstrip(".").lstrip("(\"'\u201c\u00ab").casefold()
        if last_word.endswith(".") and (stem in _ABBREVIATIONS or (len(stem) == 1 and stem.isalpha())):
            continue
        sentences.append(sentence.strip())
        start = boundary.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [sentence for sentence in sentences if sentence]
