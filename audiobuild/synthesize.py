"""Stage 3: speak every sentence of a script with its role's voice, one WAV per sentence.

Sentences, not whole paragraphs, are the unit so that the episode knows when each
sentence starts (transcripts and chapters are timed from real offsets) and so that
pauses between sentences are ours to decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from audiobuild.engine import get_engine
from audiobuild.errors import ConfigError
from audiobuild.parse import Script
from audiobuild.voices import Profile


@dataclass(frozen=True)
class Clip:
    """One synthesized sentence."""

    segment: int  # index into Script.segments
    sentence: int  # index into that segment's sentences
    text: str
    wav: Path


def check_profile(profile: Profile) -> None:
    """Raise ConfigError unless the engine has every voice the profile names."""
    engine = get_engine()
    for role, voice in profile.roles.items():
        problem = engine.problem_with(voice)
        if problem:
            raise ConfigError(profile.path, f"[{role}] {problem}")


def speakable(text: str) -> bool:
    """True when `text` has something to say (a letter or digit)."""
    return any(char.isalnum() for char in text)


def synthesize(script: Script, profile: Profile, workdir: Path) -> list[Clip]:
    """Synthesize each speakable sentence into `workdir`; return the clips in order."""
    engine = get_engine()
    clips = []
    for segment_index, segment in enumerate(script.segments):
        voice = profile.voice_for(segment.role)
        for sentence_index, sentence in enumerate(segment.sentences):
            if not speakable(sentence):
                continue
            wav = workdir / f"{segment_index:04d}-{sentence_index:03d}.wav"
            engine.synthesize(sentence, voice, wav)
            clips.append(Clip(segment_index, sentence_index, sentence, wav))
    return clips
