"""A listener for tests: the build's own (`audiobuild.audio.listen`, as `build --verify` hears).

Whisper tiny.en for English, and the multilingual Whisper base, its two
packaged halves joined into a test's folder rather than the user's cache.
"""

from __future__ import annotations

from pathlib import Path

from audiobuild.audio import listen
from audiobuild.audio.listen import transcribe, word_recall

__all__ = ["multilingual_recogniser", "recogniser", "transcribe", "word_recall"]


def recogniser():
    """The process's faster-whisper model of the packaged tiny.en."""
    return listen.recogniser("en")


def multilingual_recogniser(folder: Path):
    """A new faster-whisper model of the multilingual Whisper base, its two packaged halves joined in `folder`."""
    return listen.load_model(listen.multilingual_model(folder))
