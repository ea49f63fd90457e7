"""Transcripts timed from the real offsets of every sentence: WebVTT, SRT, Podcasting 2.0 JSON, plain text."""

from __future__ import annotations

import json
import textwrap
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from audiobuild.model import Script, Segment, Span
from audiobuild.parse import split_sentences, spoken_text

LINE_LIMIT = 65  # characters per caption line, as Apple Podcasts ingests WebVTT


@dataclass(frozen=True)
class Cue:
    """One sentence on screen: who says it and when."""

    start_ms: int
    end_ms: int
    speaker: str
    text: str


DIRECTION_MS = 500  # how long a stage direction of its own is on screen when the pause around it is shorter


def cues(script: Script, spans: list[Span]) -> list[Cue]:
    """One cue per spoken sentence, in order, with the stage directions the article gives beside it.

    A direction inside a paragraph is shown with the sentence it follows (or,
    first in the paragraph, precedes): "Because. (Laughter.)". One on its own
    between turns, "(Applause.)", is a cue of its own, with no speaker, in the
    pause where it happened. None of them is spoken (unless the paragraph's
    directions are read aloud: then they are sentences like any other).
    """
    shown = [_shown(segment) for segment in script.segments]
    result: list[Cue] = []
    pending: list[str] = []  # directions on their own, waiting for the next cue's start
    spans_of: dict[int, list[Span]] = {}
    for span in spans:
        spans_of.setdefault(span.segment, []).append(span)
    for index, segment in enumerate(script.segments):
        if segment.kind == "direction":
            pending.append(segment.text)
            continue
        for span, text in _with_unspoken(segment, spans_of.get(index, []), shown[index]):
            if span is None:  # nothing of the whole turn could be said: shown as its own, like a direction
                start = result[-1].end_ms if result else 0
                result.append(Cue(start, start + DIRECTION_MS, segment.speaker, text))
                continue
            if pending:
                result.append(_direction(pending, result, span.start_ms))
                pending = []
            result.append(Cue(span.start_ms, span.end_ms, segment.speaker, text))
    if pending and result:
        result.append(_direction(pending, result, result[-1].end_ms + DIRECTION_MS))
    return result


def _with_unspoken(segment: Segment, spans: list[Span], shown: list[str]) -> list[tuple[Span | None, str]]:
    """Each spoken sentence's span and text, a sentence with nothing a voice could say ("茶。", "🤔") shown with
    the one before it (or, first, after it); a turn with no span at all is one text, without a span.
    """
    if not spans:
        unsaid = " ".join(text for text in shown if _shows_something(text))
        return [(None, unsaid)] if unsaid else []
    said = {span.sentence for span in spans}
    texts = {span.sentence: shown[span.sentence] for span in spans}
    before = []  # unspoken sentences ahead of the first spoken one
    last: int | None = None
    for number, text in enumerate(shown):
        if number in said:
            last = number
        elif _shows_something(text):
            if last is None:
                before.append(text)
            else:
                texts[last] += f" {text}"
    first = spans[0].sentence
    texts[first] = " ".join([*before, texts[first]])
    return [(span, texts[span.sentence]) for span in spans]


def _shows_something(text: str) -> bool:
    """Whether a sentence has a letter, a digit or a symbol (an emoji) to show, not only punctuation ("…")."""
    return any(unicodedata.category(char)[0] in "LNS" for char in text)


def _direction(texts: list[str], before: list[Cue], next_start: int) -> Cue:
    start = before[-1].end_ms if before else 0
    return Cue(start, max(next_start, start + DIRECTION_MS), "", " ".join(texts))


def _shown(segment: Segment) -> list[str]:
    """Each spoken sentence of `segment` as the transcript shows it: with the stage directions around it."""
    if segment.read_directions:
        return segment.sentences
    shown: list[str] = []
    leading = ""
    for part in split_sentences(segment.text):
        if spoken_text(part):
            shown.append(f"{leading} {part}".strip())
            leading = ""
        elif shown:
            shown[-1] += f" {part}"
        else:
            leading = f"{leading} {part}".strip()
    # Where the text splits otherwise than the spoken form, the spoken sentences are shown as they are.
    return shown if len(shown) == len(segment.sentences) else segment.sentences


def _timestamp(ms: int, separator: str) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _lines(prefix: str, text: str) -> list[str]:
    """`prefix` + `text` wrapped at LINE_LIMIT, at spaces only: the prefix counted but never split, nor a word.

    A line runs over the limit rather than cut a word in two (a long speaker
    name, a URL): caption renderers wrap a long line, none mends a cut word.
    """
    glue = "\ue000"  # a private-use character: keeps the prefix's spaces from becoming break points
    wrapped = textwrap.wrap(
        prefix.replace(" ", glue) + text, LINE_LIMIT, break_on_hyphens=False, break_long_words=False
    )
    return [line.replace(glue, " ") for line in wrapped]


def _changes(cues_: list[Cue]) -> list[bool]:
    return [index == 0 or cue.speaker != cues_[index - 1].speaker for index, cue in enumerate(cues_)]


def webvtt(cues_: list[Cue]) -> str:
    """WebVTT with a `<v Speaker>` voice tag where the speaker changes."""
    blocks = ["WEBVTT"]
    for cue, changed in zip(cues_, _changes(cues_)):
        voice = f"<v {_escape(cue.speaker)}>" if changed and cue.speaker else ""
        timing = f"{_timestamp(cue.start_ms, '.')} --> {_timestamp(cue.end_ms, '.')}"
        blocks.append("\n".join([timing, *_lines(voice, _escape(cue.text))]))
    return "\n\n".join(blocks) + "\n"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def srt(cues_: list[Cue]) -> str:
    """SubRip, with `Speaker:` where the speaker changes."""
    blocks = []
    for number, (cue, changed) in enumerate(zip(cues_, _changes(cues_)), start=1):
        timing = f"{_timestamp(cue.start_ms, ',')} --> {_timestamp(cue.end_ms, ',')}"
        prefix = f"{cue.speaker}: " if changed and cue.speaker else ""
        blocks.append("\n".join([str(number), timing, *_lines(prefix, cue.text)]))
    return "\n\n".join(blocks) + "\n"


def podcast_json(cues_: list[Cue]) -> str:
    """The Podcasting 2.0 JSON transcript."""
    segments = [
        {**({"speaker": cue.speaker} if cue.speaker else {}), "startTime": cue.start_ms / 1000,
         "endTime": cue.end_ms / 1000, "body": cue.text}
        for cue in cues_
    ]  # fmt: skip
    return json.dumps({"version": "1.0.0", "segments": segments}, indent=2, ensure_ascii=False) + "\n"


def read_podcast_json(path: Path) -> list[Cue]:
    """The cues of a Podcasting 2.0 JSON transcript that `podcast_json` wrote."""
    segments = json.loads(path.read_text(encoding="utf-8"))["segments"]
    return [
        Cue(round(item["startTime"] * 1000), round(item["endTime"] * 1000), item.get("speaker", ""), item["body"])
        for item in segments
    ]


def plain_text(script: Script) -> str:
    """The whole article as read, one paragraph per segment, with the speaker's name where it changes."""
    paragraphs = []
    previous = None
    for segment in script.segments:
        paragraphs.append(segment.text if segment.speaker == previous else f"{segment.speaker}: {segment.text}")
        previous = segment.speaker
    return "\n\n".join(paragraphs) + "\n"
