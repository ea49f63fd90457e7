"""A second natural voice: hibari-tts, a small neural model (distilled from Kokoro-82M) in its own wheel.

Only the voices inside the installed package are offered ("heart", a female
American English voice): hibari fetches its other voices from the network on
first use, and audiobuild never downloads anything while building, so a profile
naming one of those is refused. The model speaks English only (its
phonemizer turns other scripts into noise or drops them); articles in other
languages are cast to other voices by `casting.in_language`, as it lists only English.

hibari adds random noise to its output: every clip is made with a fixed
`seed`, so the same text gives the same bytes and clips can be cached. Its
ONNX runtime computes on one thread: on sentence-sized inputs a second thread
made it slower here (0.84 s against 1.57 s for 109 s of speech) and changed
the bytes, so one thread keeps clips identical whatever a batch's layout, and
within any worker's share of the cores. The model is loaded once per process.
"""

from __future__ import annotations

import functools
import importlib.metadata
import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from audiobuild.model import Voice
from audiobuild.schema import constraints
from audiobuild.voice.engines.audio import joined, phrases, pitch_ratio, write_clip
from audiobuild.voice.engines.base import EngineUnavailable, EngineVoice

log = logging.getLogger("audiobuild")

THREADS = 1
# hibari's `speed` does not scale the duration in proportion: its durations move in steps (the int8
# model's), flat around 1.0 and steep near 1.33. Measured here, speaking a 300-word passage:
# (speed given to the model, how much faster the speech was than at 1.0). `synthesize` inverts it.
_PACE_CURVE = (
    (0.50, 0.499), (0.60, 0.607), (0.70, 0.710), (0.80, 0.812), (0.82, 0.877), (0.86, 0.923),
    (0.90, 0.955), (1.00, 1.000), (1.10, 1.040), (1.20, 1.106), (1.30, 1.168), (1.32, 1.181),
    (1.33, 1.201), (1.334, 1.266), (1.336, 1.333), (1.34, 1.435), (1.40, 1.501), (1.50, 1.542),
    (1.60, 1.594), (1.80, 1.678), (2.00, 1.798),
)  # fmt: skip
# Bump when a change here (the pitch shift, the pace curve, phrases) changes the clips hibari's output becomes.
_CLIP_REVISION = 2
_PHONEMES = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)


@dataclass(frozen=True)
class HibariSettings:
    """How a hibari voice is spoken: a profile's `speed`, `semitones` and `seed`."""

    speed: float = field(default=1.0, metadata=constraints(minimum=0.5, maximum=1.8))  # 1.0: the model's own pace
    semitones: float = field(default=0.0, metadata=constraints(minimum=-12, maximum=12))  # pitch shift
    seed: int = field(default=0, metadata=constraints(minimum=0))  # of the model's noise: another seed, other bytes

    def describe(self) -> str:
        """ "speed 1.05, +2 semitones, seed 0"."""
        shift = f", {self.semitones:+g} semitones" if self.semitones else ""
        return f"speed {self.speed:g}{shift}, seed {self.seed}"

    def label(self, voice_id: str) -> str:
        """The voice's name."""
        return voice_id

    def for_other_voice(self) -> HibariSettings:
        """The same settings: they fit every hibari voice."""
        return self

    def at_pace(self, factor: float) -> HibariSettings:
        """These settings speaking `factor` times as fast, within the speed's range."""
        return replace(self, speed=round(min(1.8, max(0.5, self.speed * factor)), 4))


class HibariEngine:
    """Synthesizes English text with hibari's bundled voices to CLIP_RATE Hz mono 16-bit WAV files."""

    name = "hibari"
    Settings = HibariSettings
    phoneme_notation = "misaki's IPA (Kokoro's, capitals for diphthongs: A=eɪ I=aɪ O=oʊ W=aʊ), e.g. [[həlˈO]]"

    def __init__(self) -> None:
        try:
            import hibari
            import hibari.voices
        except ModuleNotFoundError as error:
            if error.name != "hibari":  # not missing, but a broken install: say so
                raise
            raise EngineUnavailable("engine 'hibari' is not installed: pip install hibari-tts") from None
        self._hibari = hibari
        self.version = "hibari-tts " + importlib.metadata.version("hibari-tts")
        self._loaded: dict[str, object] = {}

    @functools.cached_property
    def bundled(self) -> dict[str, dict]:
        """The voices inside the installed package, by id, with hibari's description of each."""
        return {name: facts for name, facts in self._hibari.voices.VOICES.items() if facts.get("bundled")}

    @property
    def voices(self) -> list[EngineVoice]:
        """The bundled voices, sorted by id."""
        origin = f"package {self.version}"
        return [
            EngineVoice(name, f"{facts['gender']}, {facts['accent']}, from Kokoro's {facts['kokoro']}",
                        facts["language"].lower(), origin)
            for name, facts in sorted(self.bundled.items())
        ]  # fmt: skip

    def problem_with(self, voice: Voice) -> str | None:
        """Why hibari cannot speak `voice`: a voice that is not in the package (it would be downloaded), or None."""
        if voice.voice in self.bundled:
            return None
        known = ", ".join(self.bundled) or "none"
        if voice.voice in self._hibari.voices.VOICES:
            return (f"hibari voice {voice.voice!r} is not in the package (only {known}): "
                    f"hibari would download it, and audiobuild never downloads voices")  # fmt: skip
        return f"voice {voice.voice!r} is not one of hibari's bundled voices ({known})"

    def clip_version(self, voice: Voice) -> str:
        """hibari's version, the model file's identity, the thread count and this module's clip revision.

        The seed is one of the voice's settings, so it is in the key already.
        """
        path = Path(self._model_path(voice.voice))
        return f"{self.version}, {path.name} {path.stat().st_size} bytes, {THREADS} thread, clips r{_CLIP_REVISION}"

    def synthesize(self, text: str, voice: Voice, wav_path: Path) -> None:
        """Speak `text` (which may hold `[[...]]` phonemes in misaki's notation) with `voice` into `wav_path`.

        The seed restarts for every clip, so a sentence sounds the same
        wherever it is. A pitch shift works as Piper's does (see
        `engines.piper`): the model speaks slower by the shift's ratio and its
        output is played faster by it.
        """
        settings = voice.settings
        shift = pitch_ratio(settings.semitones)
        tts = self._load(voice.voice)
        # hibari's own inline form for phonemes is a Markdown link: [word](/phonemes/).
        samples = joined([
            tts(_PHONEMES.sub(lambda match: f"[x](/{match[1].strip()}/)", phrase),
                speed=model_speed(settings.speed / shift), seed=settings.seed)
            for phrase in phrases(text)
        ], self._hibari.SAMPLE_RATE)  # fmt: skip
        if not len(samples):
            # Its phonemizer drops what is not in a Latin script ("日本語"): one foreign sentence must not stop
            # an English episode. The transcript keeps it; the listener hears a short pause.
            log.warning("hibari cannot read %r (not English): it is left silent", text[:60])
            samples = np.zeros(self._hibari.SAMPLE_RATE // 4, dtype=np.float32)
        write_clip(wav_path, samples, self._hibari.SAMPLE_RATE * shift, text)

    def _model_path(self, voice_id: str) -> str:
        # download_missing=False: a voice that is not on disk raises instead of being fetched.
        return self._hibari.voices.voice_path(voice_id, download_missing=False)

    def _load(self, voice_id: str):
        """The voice's model, loaded on first use and kept for the process."""
        if voice_id not in self._loaded:
            self._loaded[voice_id] = self._hibari.Hibari(
                voice=voice_id, model=self._model_path(voice_id), threads=THREADS
            )
        return self._loaded[voice_id]


def model_speed(pace: float) -> float:
    """The `speed` to give hibari's model for speech `pace` times as fast as its own (`_PACE_CURVE`, inverted).

    >>> model_speed(1.0), model_speed(1.04), round(model_speed(0.75), 3)
    (1.0, 1.1, 0.739)
    """
    speeds, paces = zip(*_PACE_CURVE)
    return float(np.interp(pace, paces, speeds))
