"""What every engine offers the pipeline, and the clip format they all write."""

from __future__ import annotations

import os
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

from audiobuild.model import Voice

# Every engine writes its clips at this rate, mono, 16-bit, so that assembly can
# join clips of different engines (Piper's models speak at 16 or 22.05 kHz).
CLIP_RATE = 22050

_threads = 0  # threads an engine may compute with; 0: one per core


def profile_dirs() -> list[Path]:
    """Where profiles (and Piper models) are looked up: ./voices, then the ones shipped with audiobuild."""
    package = Path(__file__).resolve().parents[2]  # audiobuild/, from audiobuild/voice/engines/base.py
    candidates = [Path.cwd() / "voices", package / "voices", package.parent / "voices"]
    return [path for path in dict.fromkeys(candidates) if path.is_dir()]


class EngineUnavailable(Exception):
    """The engine cannot start (its extra is not installed) or has no such name."""


def limit_threads(count: int) -> None:
    """Let engines use at most `count` threads each: worker processes of a batch share the cores.

    Called in each worker before its engines start; espeak is single-threaded
    anyway, a neural engine's ONNX runtime would otherwise take every core in every worker.
    """
    global _threads
    _threads = count


def engine_threads() -> int:
    """The threads an engine may use (0: one per core)."""
    return _threads


@dataclass(frozen=True)
class EngineVoice:
    """A voice an engine offers."""

    id: str
    name: str
    language: str  # lowercase, "en-us", "ru"
    origin: str  # where it comes from: espeak's data folder, a model file, a voice package


class Settings(Protocol):
    """An engine's voice settings: a frozen dataclass whose fields carry their range (`schema.constraints`)."""

    def describe(self) -> str:
        """The settings in a few words, as `audiobuild voices` shows them: "rate 170, pitch 50"."""

    def label(self, voice_id: str) -> str:
        """How a voice with these settings is named: "gmw/en-us+f3" (espeak's variant), else `voice_id`."""

    def for_other_voice(self) -> Settings:
        """These settings for another voice id of the engine (another language's): without what only fits this one."""

    def at_pace(self, factor: float) -> Settings:
        """These settings speaking `factor` times as fast, through the engine's own speed control, within its range."""


class Engine(Protocol):
    """A text-to-speech engine, as the pipeline uses it."""

    name: ClassVar[str]  # what a voice profile's `engine` key says
    Settings: ClassVar[type]  # its voice settings (see `Settings`)
    phoneme_notation: ClassVar[str]  # what a lexicon's phoneme entries for this engine are written in
    version: str  # the engine's own, as `audiobuild voices` shows it

    @property
    def voices(self) -> list[EngineVoice]:
        """Every voice the engine can speak with, sorted by id."""

    def problem_with(self, voice: Voice) -> str | None:
        """Why the engine cannot speak `voice` (an unknown id, say), or None."""

    def clip_version(self, voice: Voice) -> str:
        """Besides the text and the voice's settings, what decides its clips' audio: part of their cache key.

        The engine's version, and whatever else a clip depends on (a model file).
        """

    def synthesize(self, text: str, voice: Voice, wav_path: Path) -> None:
        """Speak `text` with `voice` into `wav_path`: CLIP_RATE Hz, mono, 16-bit.

        `text` may hold `[[...]]` phonemes in the engine's notation.
        """


def whole_wav(path: Path) -> bool:
    """True when `path` is a WAV file with audio, as long as its header says (not truncated)."""
    try:
        with wave.open(str(path)) as wav:
            frames, width, channels = wav.getnframes(), wav.getsampwidth(), wav.getnchannels()
        return frames > 0 and os.path.getsize(path) >= 44 + frames * width * channels
    except (OSError, EOFError, wave.Error):
        return False
