"""Transcripts timed from the real offsets of every sentence: WebVTT, SRT, Podcasting 2.0 JSON, plain text."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

from audiobuild.model import Script, Span

LINE_LIMIT = 65  # characters per caption line, as Apple Podcasts ingests WebVTT


@dataclass(frozen=True)
class Cue:
    """One sentence on screen: who says it and when."""

    start_ms: int
    end_ms: int
    speaker: str
    text: str


def cues(script: Script, spans: list[Span]) -> list[Cue]:
    """One cue per spoken sentence, in order."""
    return [Cue(span.start_ms, span.end_ms, script.segments[span.segment].speaker, span.text) for span in spans]


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
        voice = f"<v {_escape(cue.speaker)}>" if changed else ""
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
        blocks.append("\n".join([str(number), timing, *_lines(f"{cue.speaker}: " if changed else "", cue.text)]))
    return "\n\n".join(blocks) + "\n"


def podcast_json(cues_: list[Cue]) -> str:
    """The Podcasting 2.0 JSON transcript."""
    segments = [
        {"speaker": cue.speaker, "startTime": cue.start_ms / 1000, "endTime": cue.end_ms / 1000, "body": cue.text}
        for cue in cues_
    ]
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
