"""Layouts: paragraphs classified by their marker, and which of them are turns of a dialogue."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from audiobuild.model import DEFAULT_NAMES, INTERVIEWEE, INTERVIEWER
from audiobuild.parse.cast import ROLE_WORDS, Cast, label_words
from audiobuild.parse.text import ends_sentence, has_question, is_direction, strip_markup
from audiobuild.parse.zones import HEADING, Paragraph

_DASH = re.compile(r"^[-\u2013\u2014]\s+(?=\S)")
_BULLET = re.compile(r"^(?:[\u2022\u00b7\u25aa\u25cf*+]\s+|(?P<number>\d{1,2}[.)])\s+)(?=\S)")
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
class Block:
    line: int
    tag: str  # text, heading, item, dash, label, direction, aside
    text: str  # the content, without its marker
    label: str | None = None  # the speaker label of a "label" block


def _block(paragraph: Paragraph) -> Block:
    quote = _QUOTE.match(paragraph.text)
    if quote:  # a Markdown quote: what follows the ">" is read like any paragraph
        paragraph = Paragraph(paragraph.line, paragraph.text[quote.end() :])
    text = paragraph.text
    if _EXAMINATION.match(text):
        return Block(paragraph.line, "heading", text)
    for tag, pattern in (("heading", HEADING), ("dash", _DASH)):
        match = pattern.match(text)
        if match:
            return Block(paragraph.line, tag, strip_markup(text[match.end() :]))
    bullet = _BULLET.match(text)
    if bullet:
        # A number is part of what is read ("2. Add the flour"); a bullet is not.
        number = bullet.group("number")
        content = strip_markup(text[bullet.end() :])
        return Block(paragraph.line, "item", f"{number} {content}" if number else content)
    label = _LABEL.match(text)
    if label:
        name = label.group("bold") or label.group("plain") or label.group("court")
        return Block(paragraph.line, "label", strip_markup(label.group("rest") or ""), label=name.strip())
    return text_block(paragraph)


def text_block(paragraph: Paragraph) -> Block:
    """A paragraph with no marker (or one that turned out not to be a speaker label)."""
    text = paragraph.text
    if is_direction(text):
        return Block(paragraph.line, "direction", text)
    if re.fullmatch(r"\([^()]*\)\.?", text):
        return Block(paragraph.line, "aside", strip_markup(text))
    return Block(paragraph.line, "text", strip_markup(text))


def _heading_like(text: str) -> bool:
    """A short line with no closing punctuation: a heading in plain text."""
    return (
        len(text) <= 80
        and 1 <= len(text.split()) <= 10
        and text[-1] not in _SENTENCE_PUNCTUATION
        and (text[0].isupper() or text[0].isdigit())
        and any(char.isalpha() for char in text)
    )


def _turn_labels(blocks: list[Block]) -> set[int]:
    """Indices of the label blocks that are speaker turns.

    A "Word:" paragraph is a speaker label only in a text that reads as
    labelled turns: a question label and an answer label, or some label used
    twice among at least two. Then a label used once counts when it is bold,
    in capitals, of two words or more, or a role (a caller who speaks once).
    """
    cast = Cast(DEFAULT_NAMES)  # a trial cast, so that labels are matched to people as the real one will
    people = {index: cast.person(block.label or "") for index, block in enumerate(blocks)
              if block.tag == "label" and label_words(block.label or "")}  # fmt: skip
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
        or any(word in ROLE_WORDS for word in person.words)
    }


def _dash_turns(blocks: list[Block]) -> set[int]:
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
        elif after_colon and not has_question(block.text):
            listed.add(index)
        else:
            after_colon = block.text.endswith(":")
    run: list[int] = []
    for index, block in enumerate([*blocks, Block(0, "end", "")]):
        if block.tag == "dash":
            run.append(index)
            continue
        if len(run) >= 2 and not any(ends_sentence(blocks[item].text) for item in run):
            listed.update(run)
        run = []
    turns = {index for index, block in enumerate(blocks) if block.tag == "dash" and index not in listed}
    return turns if len(turns) >= 2 and any(has_question(blocks[index].text) for index in turns) else set()


def _plain_headings(blocks: list[Block], turns: set[int]) -> set[int]:
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
        started = started or index in turns or (block.tag in ("text", "item") and ends_sentence(block.text))
    return headings


def find_layout(paragraphs: list[Paragraph]) -> tuple[list[Block], set[int], str]:
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
        text_block(paragraphs[index]) if block.tag == "label" and index not in turns
        else replace(block, tag="item") if block.tag == "dash" and index not in turns
        else block
        for index, block in enumerate(blocks)
    ]  # fmt: skip
    headings = _plain_headings(blocks, turns)
    return [replace(b, tag="heading") if i in headings else b for i, b in enumerate(blocks)], turns, layout
