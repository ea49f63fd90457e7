"""The text-to-speech engines a voice profile can name: a registry of modules behind one interface (`base.Engine`).

    pyttsx3   espeak-ng through pyttsx3: small, instant, every language (the default)
    piper     Piper's neural voices, offline ONNX models (a male English voice is packaged)
    hibari    hibari's small neural model: the female English voice in its wheel
    kokoro    Kokoro-82M's styles speaking espeak-ng's phonemes: natural voices in Spanish, Italian,
              Portuguese, French and German (its model in packages, joined and cached on first use)

An engine is one module here, holding its `Settings` (the voice settings it
takes, with defaults and ranges) and its engine class; adding one is a new
module and one line in ENGINES. Importing a module is cheap (a profile is
checked against its settings without starting anything); each engine is
started once per process, when first asked for.
"""

from __future__ import annotations

import functools
import importlib

from audiobuild.voice.engines.base import CLIP_RATE, Engine, EngineUnavailable, EngineVoice, limit_threads, whole_wav

__all__ = [
    "CLIP_RATE", "ENGINES", "Engine", "EngineUnavailable", "EngineVoice", "engine_class", "get_engine",
    "limit_threads", "whole_wav",
]  # fmt: skip

# Engine name (what a profile's `engine` says) -> "module:class".
ENGINES = {
    "pyttsx3": "audiobuild.voice.engines.espeak:Pyttsx3Engine",
    "piper": "audiobuild.voice.engines.piper:PiperEngine",
    "hibari": "audiobuild.voice.engines.hibari:HibariEngine",
    "kokoro": "audiobuild.voice.engines.kokoro:KokoroEngine",
}
DEFAULT_ENGINE = "pyttsx3"


@functools.cache
def engine_class(name: str) -> type[Engine]:
    """The class of engine `name`, with its `Settings`, without starting it; EngineUnavailable for an unknown name."""
    if name not in ENGINES:
        raise EngineUnavailable(f"engine {name!r} is not one of {', '.join(ENGINES)}")
    module, _, cls = ENGINES[name].partition(":")
    return getattr(importlib.import_module(module), cls)


@functools.cache
def get_engine(name: str = DEFAULT_ENGINE) -> Engine:
    """The process's one instance of engine `name` (espeak cannot be initialised twice).

    Raises EngineUnavailable when it cannot start (its extra is not installed, say).
    """
    return engine_class(name)()
