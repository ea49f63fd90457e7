"""Chapters: one for the intro and one per question (or heading), from the real timeline."""

from __future__ import annotations

import json

from audiobuild.model import Chapter, Script, Span

CHAPTER_KINDS = ("question", "heading")
# An ID3 table of contents counts its entries in one byte; beyond that, neighbouring
# questions share a chapter (only articles of hundreds of questions get there).
MAX_CHAPTERS = 255
INTRO_TITLE = "Introduction"
TITLE_LIMIT = 60
# A chapter starts a little before its first word, inside the pause, so that
# seeking to it does not clip the first syllable.
_LEAD_MS = 250


def shorten(text: str, limit: int = TITLE_LIMIT) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis when cut.

    >>> shorten("How do you assess the political figure of Heydar Aliyev?", 30)
    'How do you assess the…'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(".,;:-\u2013\u2014 ") + "\u2026"


def chapter_title(text: str, sentences: list[str]) -> str:
    """A readable title for a question: the question asked, when a long preamble comes first.

    >>> chapter_title("You kept the light for twenty-two years on a rock in the North Sea. What was a day like?",
    ...               ["You kept the light for twenty-two years on a rock in the North Sea.", "What was a day like?"])
    'What was a day like?'
    """
    if len(text) > TITLE_LIMIT:
        text = next((sentence for sentence in sentences if sentence.endswith("?")), text)
    return shorten(text)


def chapters(script: Script, spans: list[Span], duration_ms: int) -> list[Chapter]:
    """Chapters covering the whole episode in order: the intro, then one per question or heading."""
    starts: list[tuple[int, str]] = [(0, INTRO_TITLE)]
    seen: set[int] = set()
    previous_end = 0
    for span in spans:
        segment = script.segments[span.segment]
        if segment.kind in CHAPTER_KINDS and span.segment not in seen:
            seen.add(span.segment)
            start = max(previous_end, span.start_ms - _LEAD_MS)
            if start > starts[-1][0]:
                starts.append((start, chapter_title(segment.text, segment.sentences)))
        previous_end = span.end_ms
    group = -(-len(starts) // MAX_CHAPTERS)
    starts = starts[::group]
    ends = [start for start, _ in starts[1:]] + [duration_ms]
    return [Chapter(title, start, end) for (start, title), end in zip(starts, ends)]


def chapters_json(chapters_: list[Chapter]) -> bytes:
    """The Podcasting 2.0 JSON chapters file."""
    data = {
        "version": "1.2.0",
        "chapters": [{"startTime": chapter.start_ms / 1000, "title": chapter.title} for chapter in chapters_],
    }
    return json.dumps(data, indent=2, ensure_ascii=False).encode()
