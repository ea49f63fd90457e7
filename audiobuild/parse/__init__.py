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

from audiobuild.model import (
    DEFAULT_NAMES,
    INTERVIEWEE,
    INTERVIEWER,
    KINDS,
    NARRATOR,
    OPENING_KINDS,
    ROLES,
    Dropped,
    Script,
    Segment,
    Speaker,
)  # fmt: skip
from audiobuild.parse.cast import TURN_KINDS, Cast, Person
from audiobuild.parse.layouts import Block, find_layout
from audiobuild.parse.text import (
    detect_language,
    fold,
    normalise_space,
    sentences_of,
    split_sentences,
    spoken_text,
    strip_markup,
)
from audiobuild.parse.zones import (
    BY,
    HEADING,
    INTERVIEWER_BYLINE,
    Paragraph,
    byline_match,
    date_from_stamp,
    furniture_reason,
    interviewee_from_title,
    split_paragraphs,
)
from audiobuild.sources import Article, read_article

__all__ = [
    "DEFAULT_NAMES", "INTERVIEWEE", "INTERVIEWER", "KINDS", "NARRATOR", "OPENING_KINDS", "ROLES", "Article", "Dropped",
    "Script", "Segment", "Speaker", "date_from_stamp", "detect_language", "furniture_reason", "interviewee_from_title",
    "parse", "parse_article", "read_article", "split_sentences", "spoken_text",
]  # fmt: skip


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
    blocks, turns, layout = find_layout(paragraphs)
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
        Segment(
            person.role,
            kind or TURN_KINDS[person.role],
            text,
            person.name,
            read_stage_directions,
            sentences_of(text, read_stage_directions),
        )
        for person, kind, text in opening + items
    ]
    return script


def _title_and_furniture(article: Article) -> tuple[Script, list[Paragraph]]:
    """A Script with the title (the page's, else the first line), date and dropped furniture; the other paragraphs."""
    title = normalise_space(article.title or "") or None
    script = Script(source=article.source, title=title or "", date=article.date)
    paragraphs: list[Paragraph] = []
    for paragraph in split_paragraphs(article.text):
        reason = furniture_reason(paragraph.text, title)
        if reason:
            script.dropped.append(Dropped(paragraph.line, paragraph.text, reason))
            if reason == "date stamp" and script.date is None:
                script.date = date_from_stamp(paragraph.text)
        elif title is None:
            title = script.title = strip_markup(HEADING.sub("", paragraph.text))
        else:
            paragraphs.append(paragraph)
    return script, paragraphs


def _opening(
    script: Script, article: Article, blocks: list[Block], turns: set[int]
) -> tuple[Cast, int | None, str | None]:
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
        script.byline = f"{BY.get(script.language, 'By')} {normalise_space(article.author)}"
        return Cast(names), None, article.author
    byline_at = _find_byline(blocks, turns)
    if byline_at is None:
        return Cast(names), None, None
    script.byline = blocks[byline_at].text
    match = byline_match(script.byline)
    byline_name = match.group("name").rstrip(".") if match else None
    if byline_name and INTERVIEWER_BYLINE.match(script.byline):
        names[INTERVIEWER] = byline_name
    return Cast(names), byline_at, byline_name


def _find_byline(blocks: list[Block], turns: set[int]) -> int | None:
    """The index of a "By ..." line among the first few paragraphs, before any turn or heading."""
    for index, block in enumerate(blocks[:4]):
        if index in turns or block.tag == "heading":
            return None
        if block.tag == "text" and byline_match(block.text):
            return index
    return None


def _walk(
    blocks: list[Block], turns: set[int], layout: str, cast: Cast, byline_at: int | None, script: Script
) -> list[tuple[Person, str | None, str]]:
    """(speaker, kind or None for their role's kind, text) for each paragraph after the title."""
    narrator = cast.defaults[NARRATOR]
    items: list[tuple[Person, str | None, str]] = []
    current: Person | None = None
    started = False
    dash_turns = 0
    for index, block in enumerate(blocks):
        if index == byline_at:
            continue
        if block.tag == "text" and script.byline and fold(block.text) == fold(script.byline) and not started:
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
