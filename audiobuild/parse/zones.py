"""Zones of an article: its paragraphs, the site furniture among them, the title, date and byline."""

from __future__ import annotations

import re
from dataclasses import dataclass

from audiobuild.parse.text import fold, normalise_space

# ---------------------------------------------------------------------------
# Paragraphs


@dataclass(frozen=True)
class Paragraph:
    line: int
    text: str


# A line that starts something of its own and never continues a hard-wrapped paragraph.
_MARKER = re.compile(
    r"^(?:[-\u2013\u2014\u2022*+>]\s|#{1,6}\s|\d{1,2}[.)]\s|\*\*|\(|\[|[QA][.:]\s|[A-Z\u0410-\u042f\u0401][^:.!?]{0,40}:(?:\s|$))"
)


HEADING = re.compile(r"^#{1,6}\s+(?=\S)")


def split_paragraphs(text: str) -> list[Paragraph]:
    """Split text into paragraphs: one per line, unless the file is hard-wrapped.

    Pages copied from a browser put each paragraph on one line, with title and
    byline on lines of their own; e-mailed and plain-text articles wrap at a fixed
    width. In a hard-wrapped file a line continues the previous one when that
    one reached the margin and the break is not a sentence break, a new turn, a
    byline or furniture (a wrongly split paragraph only costs a longer pause).
    """
    lines = [normalise_space(line) for line in text.splitlines()]
    width = _wrap_width(lines)
    paragraphs: list[Paragraph] = []
    previous = ""
    for number, line in enumerate(lines, start=1):
        if width and previous and line and len(paragraphs) > 1 and _continues(previous, line, width):
            last = paragraphs[-1]
            paragraphs[-1] = Paragraph(last.line, f"{last.text} {line}")
        elif line:
            paragraphs.append(Paragraph(number, line))
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
    if len(previous) < 0.6 * width or HEADING.match(previous) or _MARKER.match(line) or _BYLINE.match(line):
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
            r"^(?:share|share this(?: article| story| page)?|share on \w+|поделиться|print|"
            r"print this(?: article| page)?|"
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
    if title is not None and fold(text) == fold(title):
        return "repeated title"
    for pattern, reason in _FURNITURE:
        if pattern.match(text):
            return reason
    # "20 January 2026, 10:15 · Views: 3 412": furniture joined on one line.
    parts = [part.strip() for part in re.split(r"\s[\u00b7|\u2022]\s", text)]
    if len(parts) > 1 and all(furniture_reason(part) for part in parts):
        return "page info line"
    return None


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
BY = {"en": "By", "ru": "Автор:", "uk": "Автор:", "fr": "Par", "de": "Von", "es": "Por", "it": "Di", "pt": "Por"}
# A byline that names who asked the questions.
INTERVIEWER_BYLINE = re.compile(
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


def byline_match(text: str) -> re.Match[str] | None:
    """A `By Jane Smith` line: "By" and a name (capitalised), not a sentence starting with "By the time"."""
    match = _BYLINE.match(text)
    return match if match and match.group("name")[0].isupper() and len(match.group("name").split()) <= 8 else None
