"""Stage 1b: parse an article's text into speaker-tagged segments.

The first line is the title (unless the page's metadata gave one); a ``By ...``
line before the dialogue is the byline; site furniture (view counters, share
lines, banners, lone time stamps...) is dropped and listed. The rest is read in
one of three layouts, whichever the text shows:

* dash dialogue: ``- ``, ``– `` or ``— `` paragraphs alternate between the
  interviewer and the interviewee, starting with a question (again after each
  section heading);
* labelled turns: ``Q:``/``A:``, ``Q.``/``A.``, ``Question:``/``Answer:`` or
  named labels such as ``MS SMITH:``, ``**Jane Smith:**`` or ``Evening show
  host Jane Smith:`` (a later ``Jane Smith:`` is the same person); each person
  is an interviewer or an interviewee, from their label ("host", "QUESTION"),
  the title and byline, or whether they mostly ask questions;
* a plain article, read by the narrator.

In all three, a paragraph without a marker continues whoever spoke last, text
before the first turn is the narrator's intro, headings (``## Heading`` or a
short line without a full stop) are announced by the narrator, list items
(``• ``, ``* ``, ``1. ``, and dash lines that read as a list) are read as
such, and stage directions such as ``(Laughter.)`` stay in the text but are
not spoken (unless `read_stage_directions`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from audiobuild.sources import Article, read_article  # noqa: F401  (read_article: callers of this stage use it)

NARRATOR = "narrator"
INTERVIEWER = "interviewer"
INTERVIEWEE = "interviewee"
ROLES = (NARRATOR, INTERVIEWER, INTERVIEWEE)

DEFAULT_NAMES = {NARRATOR: "Narrator", INTERVIEWER: "Interviewer", INTERVIEWEE: "Interviewee"}

# Every kind of segment, and who reads it.
KINDS = {
    "title": "the article's title, read by the narrator",
    "byline": "who wrote it, read by the narrator",
    "disclosure": "the notice that the voices are synthetic, read by the narrator after the title and byline",
    "intro": "the narrator's text before the first turn of a dialogue",
    "heading": "a section heading, announced by the narrator (and a chapter)",
    "narration": "the narrator's text in an article without dialogue, or an aside in parentheses",
    "question": "a turn (or its continuation) of an interviewer",
    "answer": "a turn (or its continuation) of an interviewee",
    "list": "an item of a bulleted or numbered list, read by whoever is speaking (else the narrator)",
    "direction": "a stage direction on its own, such as (Laughter.): in the transcript, not read aloud",
}
OPENING_KINDS = ("title", "byline", "disclosure", "intro")


@dataclass(frozen=True)
class Segment:
    """One paragraph spoken by one speaker."""

    role: str  # one of ROLES
    kind: str  # one of KINDS
    text: str  # as shown in the transcript, stage directions included
    speaker: str  # the person's display name; each distinct speaker gets a voice
    read_directions: bool = False  # read stage directions such as (Laughter.) aloud

    @property
    def sentences(self) -> list[str]:
        """The sentences to speak: the units that are synthesized and timed."""
        return split_sentences(self.text if self.read_directions else spoken_text(self.text))


@dataclass(frozen=True)
class Dropped:
    """A line of site furniture that is not read aloud."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class Speaker:
    """A person who speaks in a script, and their role."""

    name: str
    role: str


@dataclass
class Script:
    """An article parsed into what each speaker says, in order."""

    source: str
    title: str
    byline: str | None = None
    interviewee: str | None = None  # the person interviewed, when the article names one
    date: str | None = None  # ISO 8601 (YYYY-MM-DD), from the page or a date line
    language: str = ""  # ISO 639-1, detected from the text ("" when there is too little)
    segments: list[Segment] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)

    @property
    def people(self) -> list[Speaker]:
        """Everyone who speaks, narrator included, in order of their first words."""
        return list(dict.fromkeys(Speaker(segment.speaker, segment.role) for segment in self.segments))

    @property
    def speakers(self) -> dict[str, str]:
        """Role -> display name of the first person speaking in that role."""
        speakers: dict[str, str] = {}
        for person in self.people:
            speakers.setdefault(person.role, person.name)
        return speakers

    @property
    def intro_end(self) -> int:
        """Index of the first segment after the narrator's opening (title, byline, disclosure, intro)."""
        for index, segment in enumerate(self.segments):
            if segment.kind not in OPENING_KINDS:
                return index
        return len(self.segments)


# ---------------------------------------------------------------------------
# Paragraphs


@dataclass(frozen=True)
class _Paragraph:
    line: int
    text: str


# A line that starts something of its own and never continues a hard-wrapped paragraph.
_MARKER = re.compile(
    r"^(?:[-\u2013\u2014\u2022*+>]\s|#{1,6}\s|\d{1,2}[.)]\s|\*\*|\(|\[|[QA][.:]\s|[A-Z\u0410-\u042f\u0401][^:.!?]{0,40}:(?:\s|$))"
)


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
    if len(previous) < 0.6 * width or _HEADING.match(previous) or _MARKER.match(line) or _BYLINE.match(line):
        return False
    if furniture_reason(line) or furniture_reason(previous):
        return False
    return not (previous[-1] in '.!?:\u2026"\u201d\u00bb' and line[0].isupper())


# ---------------------------------------------------------------------------
# Furniture

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|январ[яь]|феврал[яь]|марта?|апрел[яь]|ма[яй]|июн[яь]|"
    r"июл[яь]|августа?|сентябр[яь]|октябр[яь]|ноябр[яь]|декабр[яь])\.?"
)
_STAMP_PREFIX = r"(?:(?:updated|published|posted|обновлено|опубликовано)\s*:?\s*)?"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_CLOCK = r"\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[ap]\.?\s?m\.?)?(?:\s+[A-Z]{2,5})?"
_DATE_WORDS = rf"(?:\d{{1,2}}\s+{_MONTHS},?\s+\d{{4}}|{_MONTHS}\s+\d{{1,2}},?\s+\d{{4}})(?:\s*г\.)?"
_DATE_DIGITS = r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}"

_FURNITURE = [
    (re.compile(r"^\d[\d\s.,]*\s*k?\s*(?:views?|reads?|просмотр\w*)$", re.IGNORECASE), "view counter"),
    (re.compile(r"^(?:views?|просмотр\w*)\s*:?\s*\d[\d\s.,]*$", re.IGNORECASE), "view counter"),
    (
        re.compile(
            r"^(?:share|share this(?: article| story| page)?|share on \w+|поделиться|print|print this(?: article| page)?|"
            r"печать|subscribe|подписаться|tweet|e-?mail|e-?mail this(?: article)?|comments?(?: \(\d+\))?|"
            r"комментарии|tags?|теги|follow us(?: on \w+)?)\s*:?$",
            re.IGNORECASE,
        ),
        "share/print line",
    ),
    (re.compile(r"^(?:advertisement|реклама|sponsored)$", re.IGNORECASE), "advertisement"),
    (
        re.compile(
            r"^(?:read more|read also|see also|related(?: articles| stories)?|more on this story|"
            r"back to top|читайте также|читайте нас в \w+)\s*:?$",
            re.IGNORECASE,
        ),
        "navigation line",
    ),
    (re.compile(r"^(?:[*\u2022\u00b7]\s*){3,}$|^[-_=~\u2013\u2014]{3,}$"), "separator"),
    (
        re.compile(
            r"^(?:(?:ref(?:erence)?\.?|(?:press )?release|doc(?:ument)?|no\.|№)\s*"
            r"(?:no\.?|number|id|#|№)?\s*:?\s*#?[A-Z]{0,4}[-/]?\d[\w/.\-]*|\d{2,}(?:[/\-]\d+)+|[A-Z]{1,4}[-/]\d{3,}[\w/\-]*)$",
            re.IGNORECASE,
        ),
        "reference number",
    ),
    (re.compile(r"^(?:#\w+[\s,]*)+$"), "hashtag line"),
    (re.compile(rf"^{_STAMP_PREFIX}{_CLOCK}$|^[\[(]{_CLOCK}[\])]$", re.IGNORECASE), "time stamp"),
    (
        re.compile(
            rf"^{_STAMP_PREFIX}{_WEEKDAY}(?:{_DATE_DIGITS}|{_DATE_WORDS})(?:,?\s+(?:at\s+)?{_CLOCK})?$", re.IGNORECASE
        ),
        "date stamp",
    ),
    (re.compile(r"^(?=.*\bcookies?\b)(?=.*\b(?:we use|accept|consent)\b).{0,300}$", re.IGNORECASE), "cookie banner"),
    (
        re.compile(
            r"^(?:an official website of\b.{0,200}|here'?s how you know|official websites use \.\S+.{0,200}|"
            r"secure \.gov websites use https.{0,200})$",
            re.IGNORECASE,
        ),
        "site banner",
    ),
    (re.compile(r"^(?:photo|image|picture|фото)s?(?:\s*:|\s+by\s)\s*\S.{0,80}$", re.IGNORECASE), "photo credit"),
    (re.compile(r"^!\[[^\]]*\]\([^)]*\)$"), "image"),
    (re.compile(r"^(?:©|\(c\)\s*\d{4}|copyright\s*(?:©|\(c\))?\s*\d{4}).{0,200}$", re.IGNORECASE), "copyright line"),
]


def furniture_reason(text: str, title: str | None = None) -> str | None:
    """Why a whole paragraph is site furniture rather than article text, or None."""
    if title is not None and _fold(text) == _fold(title):
        return "repeated title"
    for pattern, reason in _FURNITURE:
        if pattern.match(text):
            return reason
    # "20 January 2026, 10:15 · Views: 3 412": furniture joined on one line.
    parts = [part.strip() for part in re.split(r"\s[\u00b7|\u2022]\s", text)]
    if len(parts) > 1 and all(furniture_reason(part) for part in parts):
        return "page info line"
    return None


def _fold(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


_MONTH_NUMBERS = {
    **{name: number for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)},
    **{name: number for number, name in enumerate(
        ("янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"), start=1)},
    "май": 5,
}  # fmt: skip


def date_from_stamp(text: str) -> str | None:
    """The ISO date in a date line ("March 3, 2026", "3 марта 2026", "2026-03-03", "03.03.2026"), or None.

    Dates with slashes are left alone: 03/04/2026 is March or April depending on the country.
    """
    iso = re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", text)
    dotted = re.search(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b", text)
    words = re.search(rf"\b(?:(\d{{1,2}})\s+({_MONTHS})|({_MONTHS})\s+(\d{{1,2}})),?\s+(\d{{4}})", text, re.IGNORECASE)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif dotted:
        day, month, year = (int(part) for part in dotted.groups())
    elif words:
        day_first, month_first, month_name, day_second, year_text = words.groups()
        month = _MONTH_NUMBERS.get((month_first or month_name)[:3].casefold(), 0)
        day, year = int(day_first or day_second), int(year_text)
    else:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else None


# ---------------------------------------------------------------------------
# Titles and bylines

_BYLINE = re.compile(
    r"^(?:by|written by|interview(?:ed)? by|text|par|propos recueillis par|von|por|автор|беседовал[аи]?|"
    r"интервью записал[аи]?)\s*:?\s+"
    r"(?P<name>[\w\u0400-\u04ff][^.!?]{0,80}\.?)$",
    re.IGNORECASE,
)
# How a byline made from a page's author starts, by language.
_BY = {"en": "By", "ru": "Автор:", "uk": "Автор:", "fr": "Par", "de": "Von", "es": "Por", "it": "Di", "pt": "Por"}
# A byline that names who asked the questions.
_INTERVIEWER_BYLINE = re.compile(
    r"^(?:interview(?:ed)? by|propos recueillis par|беседовал[аи]?|интервью записал[аи]?)\s*:?\s+", re.IGNORECASE
)
# A headline "Name Surname: what they said" names the interviewee.
_HEADLINE_NAME = re.compile(r"^(?P<name>(?:[A-Z\u0410-\u042f][\w'.\-]+\s+){1,3}[A-Z\u0410-\u042f][\w'\-]+)\s?:\s+\S")


# First words of a "Two Words: ..." headline that is not a name ("Your Call: ...").
_NOT_NAMES = {
    "the", "a", "an", "your", "my", "our", "his", "her", "their", "this", "that", "why", "how", "what",
    "when", "where", "who", "breaking", "exclusive", "live", "opinion", "analysis", "update", "interview",
    "review", "podcast", "episode", "watch", "video", "photos",
}  # fmt: skip


def interviewee_from_title(title: str) -> str | None:
    """The person named before the colon of a `Name Surname: quote` headline."""
    match = _HEADLINE_NAME.match(title)
    if not match or match.group("name").split()[0].casefold() in _NOT_NAMES:
        return None
    return match.group("name")


def _byline(text: str) -> re.Match[str] | None:
    """A `By Jane Smith` line: "By" and a name (capitalised), not a sentence starting with "By the time"."""
    match = _BYLINE.match(text)
    return match if match and match.group("name")[0].isupper() and len(match.group("name").split()) <= 8 else None


# ---------------------------------------------------------------------------
# Stage directions and inline markup

_DIRECTION_WORDS = (
    r"laughter|laughs|laughing|chuckles|applause|inaudible|unintelligible|indiscernible|cross-?\s?talk|"
    r"off[- ]?mi(?:ke|c|crophone)|pause[sd]?|silence|sighs|coughs|music|interruption|interposing|"
    r"audio (?:gap|cuts out|drops)|technical difficulties|recess|through (?:an )?interpreter|as interpreted|"
    r"via interpreter|speaks in|speaking in|(?:the )?(?:briefing|meeting|press conference|hearing|program) "
    r"(?:was |is )?(?:concluded|adjourned|ended|resumes?)|end of (?:briefing|transcript)|"
    r"смех|смеется|смеётся|улыбается|аплодисменты|неразборчиво|пауза|шум в зале"
)
_DIRECTION = re.compile(rf"[(\[]\s*(?:{_DIRECTION_WORDS})\b[^()\[\]]{{0,60}}[)\]]", re.IGNORECASE)


def spoken_text(text: str) -> str:
    """`text` without its stage directions, which are shown in transcripts but not read.

    >>> spoken_text("Thank you. (Laughter.) Next question.")
    'Thank you. Next question.'
    """
    return _normalise_space(_DIRECTION.sub(" ", text)).replace(" .", ".").replace(" ,", ",")


def _is_direction(text: str) -> bool:
    return bool(_DIRECTION.search(text)) and not spoken_text(text)


_INLINE_MARKUP = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # Markdown image
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # Markdown link: its words
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__"), r"\1\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])|(?<!\w)_(?=\S)([^_]+?)(?<=\S)_(?!\w)"), r"\1\2"),
    (re.compile(r"`([^`]+)`"), r"\1"),  # code
]


def _strip_markup(text: str) -> str:
    """Markdown emphasis, links and code marks removed; the words stay."""
    for pattern, replacement in _INLINE_MARKUP:
        text = pattern.sub(replacement, text)
    return _normalise_space(text)


# ---------------------------------------------------------------------------
# Blocks: paragraphs classified by their marker

_DASH = re.compile(r"^[-\u2013\u2014]\s+(?=\S)")
_BULLET = re.compile(r"^(?:[\u2022\u00b7\u25aa\u25cf*+]\s+|(?P<number>\d{1,2}[.)])\s+)(?=\S)")
_HEADING = re.compile(r"^#{1,6}\s+(?=\S)")
_QUOTE = re.compile(r"^>\s*")
# "BY MR. HARLOW:" in a court transcript starts an examination; it is no speaker.
_EXAMINATION = re.compile(
    r"^(?:(?:direct|cross|redirect|recross)[- ]examination\s+)?by\s+(?:mr|ms|mrs|dr)\.?\s+[\w'\-]+:?$", re.IGNORECASE
)
_LABEL = re.compile(
    r"^(?:\*\*(?P<bold>[^*:]{1,60}?)\s*(?::\*\*|\*\*\s*:)|(?P<plain>[^*:]{1,60}?)\s*:|(?P<court>[QA])\.)"
    r"(?:\s+(?P<rest>.*)|$)"
)
# What a sentence or a clause ends with: a line ending in one is no heading.
_SENTENCE_PUNCTUATION = ".!?\u2026:;,\"'\u201d\u00bb)"


@dataclass(frozen=True)
class _Block:
    line: int
    tag: str  # text, heading, item, dash, label, direction, aside
    text: str  # the content, without its marker
    label: str | None = None  # the speaker label of a "label" block


def _block(paragraph: _Paragraph) -> _Block:
    quote = _QUOTE.match(paragraph.text)
    if quote:  # a Markdown quote: what follows the ">" is read like any paragraph
        paragraph = _Paragraph(paragraph.line, paragraph.text[quote.end() :])
    text = paragraph.text
    if _EXAMINATION.match(text):
        return _Block(paragraph.line, "heading", text)
    for tag, pattern in (("heading", _HEADING), ("dash", _DASH)):
        match = pattern.match(text)
        if match:
            return _Block(paragraph.line, tag, _strip_markup(text[match.end() :]))
    bullet = _BULLET.match(text)
    if bullet:
        # A number is part of what is read ("2. Add the flour"); a bullet is not.
        number = bullet.group("number")
        content = _strip_markup(text[bullet.end() :])
        return _Block(paragraph.line, "item", f"{number} {content}" if number else content)
    label = _LABEL.match(text)
    if label:
        name = label.group("bold") or label.group("plain") or label.group("court")
        return _Block(paragraph.line, "label", _strip_markup(label.group("rest") or ""), label=name.strip())
    return _text_block(paragraph)


def _text_block(paragraph: _Paragraph) -> _Block:
    """A paragraph with no marker (or one that turned out not to be a speaker label)."""
    text = paragraph.text
    if _is_direction(text):
        return _Block(paragraph.line, "direction", text)
    if re.fullmatch(r"\([^()]*\)\.?", text):
        return _Block(paragraph.line, "aside", _strip_markup(text))
    return _Block(paragraph.line, "text", _strip_markup(text))


def _ends_question(text: str) -> bool:
    return spoken_text(text).rstrip("\"'\u201d\u00bb)]*").endswith("?")


def _has_question(text: str) -> bool:
    return "?" in spoken_text(text)


def _ends_sentence(text: str) -> bool:
    return spoken_text(text).rstrip("\"'\u201d\u00bb)]*")[-1:] in (".", "!", "?", "\u2026")


def _heading_like(text: str) -> bool:
    """A short line with no closing punctuation: a heading in plain text."""
    return (
        len(text) <= 80
        and 1 <= len(text.split()) <= 10
        and text[-1] not in _SENTENCE_PUNCTUATION
        and (text[0].isupper() or text[0].isdigit())
        and any(char.isalpha() for char in text)
    )


# ---------------------------------------------------------------------------
# Speakers of labelled turns

_HONORIFICS = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "madam", "г-н", "г-жа"}
_CONNECTORS = {
    "of", "from", "the", "de", "del", "da", "di", "van", "von", "der", "den", "al", "bin", "la", "le",
    "and", "&", "in", "at", "for", "on", "и", "из",
}  # fmt: skip
# Labels that name a role rather than a person: every "Q:" is the same interviewer.
_ROLE_LABELS = {
    "q": INTERVIEWER, "question": INTERVIEWER, "interviewer": INTERVIEWER, "вопрос": INTERVIEWER,
    "a": INTERVIEWEE, "answer": INTERVIEWEE, "interviewee": INTERVIEWEE, "ответ": INTERVIEWEE,
    "witness": INTERVIEWEE, "narrator": NARRATOR,
}  # fmt: skip
# Words in a person's label that give away their role.
_ROLE_WORDS = {
    **dict.fromkeys(
        ("host", "co-host", "presenter", "anchor", "moderator", "reporter", "correspondent", "journalist",
         "chair", "ведущий", "ведущая", "корреспондент", "журналист"), INTERVIEWER),
    **dict.fromkeys(("guest", "panelist", "panellist", "гость", "гостья"), INTERVIEWEE),
}  # fmt: skip
# First words of "Word: ..." paragraphs that introduce something other than a speaker.
_NOT_SPEAKERS = {
    "note", "editor's", "editors", "photo", "photos", "image", "video", "source", "sources", "update",
    "updated", "correction", "related", "read", "see", "also", "tags", "tip", "tips", "warning", "caution",
    "important", "disclaimer", "example", "step", "fact", "credit", "caption", "location", "date", "time",
    "price", "address", "phone", "email", "website", "contact", "summary", "conclusion", "keywords",
    "topics", "category", "categories", "breaking", "watch", "listen", "фото", "источник", "теги",
    "примечание", "читайте", "смотрите",
}  # fmt: skip
_TURN_KINDS = {INTERVIEWER: "question", INTERVIEWEE: "answer", NARRATOR: "narration"}


def _label_words(label: str) -> list[str] | None:
    """The words of a speaker label ("MS SMITH", "Evening show host Jane Smith"), or None."""
    words = re.sub(r"[(),]", " ", label).split()
    if not 1 <= len(words) <= 8 or len(label) > 60 or not words[0][0].isupper():
        return None
    if not all(re.fullmatch(r"[^\W\d_][\w'\u2019.\-]*|\d{1,3}", word) for word in words):
        return None
    if any(word.isdigit() for word in words[:-1]) or words[0].casefold() in _NOT_SPEAKERS:
        return None
    capitalised = [word[0].isupper() or word.isdigit() or word.casefold() in _CONNECTORS for word in words]
    if not all(capitalised):
        # A lowercase description may come before the name: "Evening show host Jane Smith".
        tail = len(capitalised) - max(index for index, upper in enumerate(capitalised) if not upper) - 1
        if tail < 2:
            return None
    return words


def _key(words: list[str]) -> frozenset[str]:
    """What identifies a person across labels: their words, less honorifics and connectors."""
    folded = [word.casefold().strip(".") for word in words]
    key = frozenset(word for word in folded if word not in _HONORIFICS and word not in _CONNECTORS)
    return key or frozenset(folded)


def _display_name(label: str) -> str:
    """How a label is shown: "MS SMITH" -> "Ms Smith", "Evening show host Jane Smith" -> "Jane Smith"."""
    words = label.split()
    letters = [char for char in label if char.isalpha()]
    if len(letters) > 1 and all(char.isupper() for char in letters):
        return " ".join(
            word.lower() if index and word.lower() in _CONNECTORS else word.title() for index, word in enumerate(words)
        )
    tail: list[str] = []
    for word in reversed(words):
        if not word[0].isupper():
            break
        tail.insert(0, word)
    return " ".join(tail) if 2 <= len(tail) < len(words) else label


@dataclass(eq=False)  # people are told apart by identity: two may share a name until roles are settled
class _Person:
    """Someone who speaks: a role's default speaker or a person named by labels."""

    role: str | None
    name: str = ""
    words: frozenset[str] = frozenset()
    labels: list[str] = field(default_factory=list)
    turn_ends: list[str] = field(default_factory=list)  # the last paragraph of each of their turns
    last_turn: int = -1

    def question_share(self) -> float:
        """The share of this person's turns that end with a question."""
        return sum(map(_ends_question, self.turn_ends)) / len(self.turn_ends) if self.turn_ends else 0.0

    def asks(self) -> bool:
        """True when more than half of this person's turns end with a question."""
        return self.question_share() > 0.5


class _Cast:
    """The people of a script, matched label by label."""

    def __init__(self, names: dict[str, str]):
        self.defaults = {role: _Person(role, name) for role, name in names.items()}
        self.people: list[_Person] = []
        self.turns = 0

    def person(self, label: str) -> _Person:
        """The person a label names: the same as an earlier label whose words contain its words, or the reverse."""
        words = _label_words(label) or label.split()
        key = _key(words)
        role = _ROLE_LABELS.get(" ".join(sorted(key)))
        if role:
            return self.defaults[role]
        matches = [person for person in self.people if person.words <= key or key <= person.words]
        exact = [person for person in matches if person.words == key]
        if matches:
            # Two Smiths and a "MS SMITH:": the one who spoke last.
            person = exact[0] if exact else max(matches, key=lambda match: match.last_turn)
            person.words |= key
        else:
            person = _Person(None, words=key)
            self.people.append(person)
        person.labels.append(label)
        return person

    def start_turn(self, person: _Person, text: str) -> None:
        person.turn_ends.append(text)
        person.last_turn = self.turns
        self.turns += 1

    def continue_turn(self, person: _Person, text: str) -> None:
        if person.turn_ends:
            person.turn_ends[-1] = text

    def settle(self, interviewee: str | None, byline_name: str | None, context: str) -> None:
        """Give each named person a role and a display name, once all their turns are known.

        `context` is the title, byline and intro, where "MS SMITH" may be
        introduced by her full name.
        """
        title_key = _key(interviewee.split()) if interviewee else None
        byline_key = _key(byline_name.split()) if byline_name else None
        undecided = []
        for person in self.people:
            hinted = [_ROLE_WORDS[word] for word in sorted(person.words) if word in _ROLE_WORDS]
            if hinted:
                person.role = hinted[0]
            elif title_key and (person.words <= title_key or title_key <= person.words):
                person.role, person.name = INTERVIEWEE, interviewee or ""
            elif byline_key and (person.words <= byline_key or byline_key <= person.words):
                person.role = INTERVIEWER
            elif self.defaults[INTERVIEWEE].turn_ends:
                # The answers are labelled "A." (a witness): everyone else is on the asking side.
                person.role = INTERVIEWER
            else:
                person.role = INTERVIEWER if person.asks() else INTERVIEWEE
                undecided.append(person)
        speaking = [person for person in [*self.people, *self.defaults.values()] if person.turn_ends]
        if undecided and len(speaking) >= 2 and all(person.role != INTERVIEWER for person in speaking):
            # Nobody asks most of the time: the one who asks most often is the interviewer.
            asker = max(undecided, key=lambda person: person.question_share())
            if asker.question_share() > 0:
                asker.role = INTERVIEWER
        for person in self.people:
            person.name = person.name or _full_name(
                min(map(_display_name, person.labels), key=_name_preference), context
            )

    def named_interviewee(self) -> str | None:
        """The one interviewee named by labels, if there is exactly one."""
        names = {person.name for person in self.people if person.role == INTERVIEWEE}
        return names.pop() if len(names) == 1 else None


# Words before a surname that are a title, not a first name ("Minister Smith").
_TITLES = {
    "minister", "president", "senator", "secretary", "spokesperson", "spokesman", "spokeswoman", "professor",
    "judge", "justice", "general", "ambassador", "mayor", "governor", "chairman", "chairwoman", "director",
    "doctor", "deputy", "press", "prime",
}  # fmt: skip


def _full_name(name: str, context: str) -> str:
    """ "Ms Smith" -> "Jane Smith" when the context names exactly one Smith in full, else `name`."""
    words = name.split()
    if len(words) != 2 or words[0].casefold().strip(".") not in _HONORIFICS:
        return name
    surname = words[1]
    firsts = {
        match.group(1)
        for match in re.finditer(
            rf"(?<![\w.])([A-Z\u0410-\u042f\u0401][\w'\-]+)\s+{re.escape(surname)}\b", context, re.IGNORECASE
        )
        if match.group(1)[0].isupper() and match.group(1).casefold().strip(".") not in _HONORIFICS | _TITLES
    }
    return f"{firsts.pop()} {surname.title() if surname.isupper() else surname}" if len(firsts) == 1 else name


def _name_preference(name: str) -> tuple[bool, int]:
    """Sort key for the best display name: a first and last name, then the shortest."""
    name_words = [word for word in name.split() if word.casefold().strip(".") not in _HONORIFICS | _CONNECTORS]
    return len(name_words) < 2, len(name.split())


# ---------------------------------------------------------------------------
# Layouts


def _turn_labels(blocks: list[_Block]) -> set[int]:
    """Indices of the label blocks that are speaker turns.

    A "Word:" paragraph is a speaker label only in a text that reads as
    labelled turns: a question label and an answer label, or some label used
    twice among at least two. Then a label used once counts when it is bold,
    in capitals, of two words or more, or a role (a caller who speaks once).
    """
    cast = _Cast(DEFAULT_NAMES)  # a trial cast, so that labels are matched to people as the real one will
    people = {index: cast.person(block.label or "") for index, block in enumerate(blocks)
              if block.tag == "label" and _label_words(block.label or "")}  # fmt: skip
    counts = Counter(people.values())
    roles = {person.role for person in people.values()}
    if not ({INTERVIEWER, INTERVIEWEE} <= roles or (max(counts.values(), default=0) >= 2 and len(counts) >= 2)):
        return set()
    return {
        index
        for index, person in people.items()
        if counts[person] >= 2
        or person.role is not None
        or len(person.words) >= 2
        or (blocks[index].label or "").isupper()
        or any(word in _ROLE_WORDS for word in person.words)
    }


def _dash_turns(blocks: list[_Block]) -> set[int]:
    """Indices of the dash blocks that are dialogue turns rather than list items.

    Dash lines after a line ending in a colon are a list until one asks a
    question, and so are two or more dash lines in a row that are not
    sentences; a text whose dash lines never ask a question has no dialogue
    ("Were you afraid? Tell us about the storm." asks one).
    """
    listed: set[int] = set()
    after_colon = False
    for index, block in enumerate(blocks):
        if block.tag != "dash":
            after_colon = block.text.endswith(":")
        elif after_colon and not _has_question(block.text):
            listed.add(index)
        else:
            after_colon = block.text.endswith(":")
    run: list[int] = []
    for index, block in enumerate([*blocks, _Block(0, "end", "")]):
        if block.tag == "dash":
            run.append(index)
            continue
        if len(run) >= 2 and not any(_ends_sentence(blocks[item].text) for item in run):
            listed.update(run)
        run = []
    turns = {index for index, block in enumerate(blocks) if block.tag == "dash" and index not in listed}
    return turns if len(turns) >= 2 and any(_has_question(blocks[index].text) for index in turns) else set()


def _plain_headings(blocks: list[_Block], turns: set[int]) -> set[int]:
    """Indices of the text blocks that are headings: short unpunctuated lines between paragraphs.

    Only once some sentence has been read (short lines under the title are its
    deck, or a briefing's place and date), and only right before a turn (in a
    dialogue) or a paragraph or list (in an article).
    """
    headings: set[int] = set()
    started = False
    for index, block in enumerate(blocks[:-1]):
        following = blocks[index + 1]
        before_content = index + 1 in turns if turns else following.tag in ("text", "item", "aside", "heading")
        if block.tag == "text" and started and _heading_like(block.text) and before_content:
            headings.add(index)
        started = started or index in turns or (block.tag in ("text", "item") and _ends_sentence(block.text))
    return headings


# ---------------------------------------------------------------------------
# Parsing


def parse_article(
    text: str, source: str = "<text>", disclosure: str | None = None, *, read_stage_directions: bool = False
) -> Script:
    """Parse article text into a Script; see `parse` (this is `parse` of an Article with no metadata)."""
    return parse(Article(source, text), disclosure, read_stage_directions=read_stage_directions)


def parse(article: Article, disclosure: str | None = None, *, read_stage_directions: bool = False) -> Script:
    """Parse an article into a Script. Never raises: text with nothing to read gives no segments.

    `disclosure`, when given, is a sentence the narrator says right after the
    title and byline (Apple requires synthetic voices to be disclosed in the
    audio). `read_stage_directions` reads directions such as (Laughter.) aloud.
    """
    script, paragraphs = _title_and_furniture(article)
    if not script.title:
        return script
    script.language = detect_language(" ".join([script.title, *(spoken_text(p.text) for p in paragraphs)]))
    blocks, turns, layout = _layout(paragraphs)
    cast, byline_at, byline_name = _opening(script, article, blocks, turns)
    items = _walk(blocks, turns, layout, cast, byline_at, script)
    context = " ".join([script.title, script.byline or ""] + [text for _, kind, text in items if kind == "intro"])
    cast.settle(script.interviewee, byline_name, context)
    script.interviewee = script.interviewee or cast.named_interviewee()

    narrator = cast.defaults[NARRATOR]
    opening = [(narrator, "title", script.title)]
    if script.byline:
        opening.append((narrator, "byline", script.byline))
    if disclosure:
        opening.append((narrator, "disclosure", disclosure))
    script.segments = [
        Segment(person.role, kind or _TURN_KINDS[person.role], text, person.name, read_stage_directions)
        for person, kind, text in opening + items
    ]
    return script


def _title_and_furniture(article: Article) -> tuple[Script, list[_Paragraph]]:
    """A Script with the title (the page's, else the first line), date and dropped furniture; the other paragraphs."""
    title = _normalise_space(article.title or "") or None
    script = Script(source=article.source, title=title or "", date=article.date)
    paragraphs: list[_Paragraph] = []
    for paragraph in _paragraphs(article.text):
        reason = furniture_reason(paragraph.text, title)
        if reason:
            script.dropped.append(Dropped(paragraph.line, paragraph.text, reason))
            if reason == "date stamp" and script.date is None:
                script.date = date_from_stamp(paragraph.text)
        elif title is None:
            title = script.title = _strip_markup(_HEADING.sub("", paragraph.text))
        else:
            paragraphs.append(paragraph)
    return script, paragraphs


def _layout(paragraphs: list[_Paragraph]) -> tuple[list[_Block], set[int], str]:
    """The paragraphs as blocks, the indices of the turns, and the layout: "labels", "dashes" or "plain".

    Labels that are no speaker's go back to being text; dash lines that are no
    turn become list items; short lines between paragraphs become headings.
    """
    blocks = [_block(paragraph) for paragraph in paragraphs]
    labels = _turn_labels(blocks)
    dashes = _dash_turns(blocks)
    if len(labels) >= 2 and len(labels) >= len(dashes):
        layout, turns = "labels", labels
    elif dashes:
        layout, turns = "dashes", dashes
    else:
        layout, turns = "plain", set()
    blocks = [
        _text_block(paragraphs[index]) if block.tag == "label" and index not in turns
        else replace(block, tag="item") if block.tag == "dash" and index not in turns
        else block
        for index, block in enumerate(blocks)
    ]  # fmt: skip
    headings = _plain_headings(blocks, turns)
    return [replace(b, tag="heading") if i in headings else b for i, b in enumerate(blocks)], turns, layout


def _opening(
    script: Script, article: Article, blocks: list[_Block], turns: set[int]
) -> tuple[_Cast, int | None, str | None]:
    """Set the script's byline and interviewee; return the cast, the byline's block and the name in it.

    The page's author makes the byline, else a "By ..." line near the top;
    "Interview by Tom Hardy" names the interviewer, a "Name Surname: ..."
    headline the interviewee.
    """
    names = dict(DEFAULT_NAMES)
    script.interviewee = interviewee_from_title(script.title)
    if script.interviewee:
        names[INTERVIEWEE] = script.interviewee
    if article.author:
        script.byline = f"{_BY.get(script.language, 'By')} {_normalise_space(article.author)}"
        return _Cast(names), None, article.author
    byline_at = _find_byline(blocks, turns)
    if byline_at is None:
        return _Cast(names), None, None
    script.byline = blocks[byline_at].text
    match = _byline(script.byline)
    byline_name = match.group("name").rstrip(".") if match else None
    if byline_name and _INTERVIEWER_BYLINE.match(script.byline):
        names[INTERVIEWER] = byline_name
    return _Cast(names), byline_at, byline_name


def _find_byline(blocks: list[_Block], turns: set[int]) -> int | None:
    """The index of a "By ..." line among the first few paragraphs, before any turn or heading."""
    for index, block in enumerate(blocks[:4]):
        if index in turns or block.tag == "heading":
            return None
        if block.tag == "text" and _byline(block.text):
            return index
    return None


def _walk(
    blocks: list[_Block], turns: set[int], layout: str, cast: _Cast, byline_at: int | None, script: Script
) -> list[tuple[_Person, str | None, str]]:
    """(speaker, kind or None for their role's kind, text) for each paragraph after the title."""
    narrator = cast.defaults[NARRATOR]
    items: list[tuple[_Person, str | None, str]] = []
    current: _Person | None = None
    started = False
    dash_turns = 0
    for index, block in enumerate(blocks):
        if index == byline_at:
            continue
        if block.tag == "text" and script.byline and _fold(block.text) == _fold(script.byline) and not started:
            script.dropped.append(Dropped(block.line, block.text, "repeated byline"))
            continue
        if index in turns:
            if block.tag == "dash":
                current = cast.defaults[INTERVIEWER if dash_turns % 2 == 0 else INTERVIEWEE]
                dash_turns += 1
            else:
                current = cast.person(block.label or "")
            started = True
            cast.start_turn(current, block.text)
            if block.text:
                items.append((current, None, block.text))
        elif block.tag == "heading":
            current, dash_turns = None, 0
            items.append((narrator, "heading", block.text))
        elif block.tag == "direction":
            items.append((narrator, "direction", block.text))
        elif block.tag == "aside":
            items.append((narrator, "narration", block.text))
        elif current is not None:
            cast.continue_turn(current, block.text)
            items.append((current, "list" if block.tag == "item" else None, block.text))
        else:
            opening = not started and layout != "plain"
            items.append((narrator, "list" if block.tag == "item" else "intro" if opening else "narration", block.text))
    return items


# ---------------------------------------------------------------------------
# Language


# The most frequent words of the languages most articles here are in. When they
# make up a good part of a text, the language is plain without loading langid's
# model, which takes most of a second: more than a whole short build.
_COMMON_WORDS = {
    "en": frozenset("the and of to a in is that it was for on with as i you he be at by this have are not but".split()),
    "ru": frozenset("и в не на что я с он как а то это по но все она так его к из у за вы мы".split()),
}
_COMMON_SHARE = 0.25


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language `text` is written in, or "" when there is too little of it.

    >>> detect_language("The keeper of the light was at the top of the tower in the storm.")
    'en'
    """
    if sum(char.isalpha() for char in text) < 20:
        return ""
    words = re.findall(r"\w+", text.casefold())
    for language, common in _COMMON_WORDS.items():
        if sum(word in common for word in words) >= _COMMON_SHARE * len(words):
            return language
    import py3langid  # imported only here: loading its model takes most of a second

    return py3langid.classify(text)[0]


# ---------------------------------------------------------------------------
# Sentences

# Words whose trailing dot does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "mt", "jr", "sr", "gen", "col", "lt", "sgt", "capt",
    "gov", "sen", "rep", "rev", "hon", "pres", "no", "vs", "etc", "inc", "ltd", "co", "corp",
    "dept", "univ", "approx", "e.g", "i.e", "fig", "vol", "p", "pp", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "г", "гг", "т", "им", "ул",
}  # fmt: skip
_SENTENCE_END = re.compile(
    r"""(?<=[.!?\u2026])["'\u201d\u00bb)\]]*(?P<space>\s+)(?=["'\u201c\u00ab(\[]?[A-Z\u0400-\u04ff0-9])"""
)


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
