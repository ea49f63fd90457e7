"""The text-to-speech engines a voice profile can name, behind one small interface (`base.Engine`).

    pyttsx3   espeak-ng through pyttsx3: small, instant, every language (the default)
    piper     Piper's neural voices, offline ONNX models: `pip install 'audiobuild[piper]'`

Each engine is created once per process, when first asked for: espeak always
(casting voices asks for its language list), Piper when a profile names it.
"""

from __future__ import annotations

import functools

from audiobuild.engines.base import CLIP_RATE, Engine, EngineVoice, limit_threads, whole_wav
from audiobuild.voices import ENGINES

__all__ = [
    "CLIP_RATE", "ENGINES", "Engine", "EngineUnavailable", "EngineVoice", "get_engine", "limit_threads", "whole_wav",
]  # fmt: skip


class EngineUnavailable(Exception):
    """The engine is not installed (its extra is missing) or has no such name."""


@functools.cache
def get_engine(name: str = "pyttsx3") -> Engine:
    """The process's one instance of engine `name` (espeak cannot be initialised twice)."""
    if name == "pyttsx3":
        from audiobuild.engines.espeak import Pyttsx3Engine

        return Pyttsx3Engine()
    if name == "piper":
        try:
            from audiobuild.engines.piper import PiperEngine
        except ModuleNotFoundError as error:
            if error.name != "piper":  # not the missing extra, but a broken install: say so loudly
                raise
            raise EngineUnavailable("engine 'piper' is not installed: pip install 'audiobuild[piper]'") from None
        return PiperEngine()
    raise EngineUnavailable(f"engine {name!r} is not one of {', '.join(ENGINES)}")
