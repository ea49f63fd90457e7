"""The default engine: espeak-ng driven through pyttsx3 (small, instant, every language).

This is the only module that drives pyttsx3 (its private parts are confined to
`pyttsx3_driver`, which also loads espeak-ng).

espeak can be initialised once per process and does not survive `fork`: worker
processes must use the `spawn` start method.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import io
from dataclasses import dataclass, field, replace
from pathlib import Path

from audiobuild.errors import SynthesisError
from audiobuild.model import Voice
from audiobuild.schema import constraints
from audiobuild.voice.engines.base import EngineUnavailable, EngineVoice, whole_wav


@dataclass(frozen=True)
class EspeakSettings:
    """How an espeak voice is spoken: a profile's `variant`, `rate` and `pitch`."""

    variant: str | None = field(default=None, metadata=constraints(pattern=r"\S"))  # f1-f5 female, m1-m7 male, ...
    rate: int = field(default=170, metadata=constraints(minimum=80, maximum=450))  # words per minute
    pitch: int = field(default=50, metadata=constraints(minimum=0, maximum=100))  # 50: the voice's normal pitch

    def describe(self) -> str:
        """ "rate 170, pitch 50"."""
        return f"rate {self.rate}, pitch {self.pitch}"

    def label(self, voice_id: str) -> str:
        """espeak's name for the voice with its variant: "gmw/en-us+f3"."""
        return f"{voice_id}+{self.variant}" if self.variant else voice_id

    def for_other_voice(self) -> EspeakSettings:
        """The same settings: a variant fits every espeak voice."""
        return self

    def at_pace(self, factor: float) -> EspeakSettings:
        """These settings speaking `factor` times as many words a minute, within the rate's range."""
        return replace(self, rate=min(450, max(80, round(self.rate * factor))))


class Pyttsx3Engine:
    """Synthesizes text to 22,050 Hz mono 16-bit WAV files with espeak-ng."""

    name = "pyttsx3"
    Settings = EspeakSettings
    phoneme_notation = "espeak-ng's ASCII phoneme mnemonics (Kirshenbaum), e.g. [[h@l'oU]]"

    def __init__(self) -> None:
        try:
            from audiobuild.voice.engines import pyttsx3_driver  # loads libespeak-ng

            pyttsx3_driver.check()
        except (ImportError, pyttsx3_driver.DriverMismatch) as error:
            raise EngineUnavailable(f"pyttsx3's espeak driver changed: {error}") from None
        import pyttsx3

        self._driver = pyttsx3_driver.EventDrivenDriver
        with contextlib.redirect_stdout(io.StringIO()):
            self._tts = pyttsx3.init(pyttsx3_driver.register())
        # pyttsx3's driver proxy cleans up in __del__, which fails with a traceback
        # when it runs during interpreter shutdown: let it run before, at exit.
        atexit.register(self._release)
        version, data_path = pyttsx3_driver.espeak_info()
        self.version = f"espeak-ng {version}"
        self._data_path = Path(data_path) if data_path else None
        self._current: Voice | None = None

    def _release(self) -> None:
        self._tts = None
        gc.collect()

    @functools.cached_property
    def voices(self) -> list[EngineVoice]:
        """Every voice espeak offers, sorted by id."""
        origin = f"espeak-ng data, {self._data_path}"
        found = [
            EngineVoice(voice.id, voice.name, (voice.languages or ["?"])[0].lower(), origin)
            for voice in self._tts.getProperty("voices")
        ]
        return sorted(found, key=lambda voice: voice.id)

    @functools.cached_property
    def variants(self) -> list[str]:
        """The voice variants (`f3`, `m3`, `klatt`, ...) that can follow a voice id after `+`."""
        folder = self._data_path / "voices" / "!v" if self._data_path else None
        return sorted(path.name for path in folder.iterdir()) if folder and folder.is_dir() else []

    def problem_with(self, voice: Voice) -> str | None:
        """Why the engine cannot speak `voice`, or None.

        pyttsx3 silently falls back to the default voice for an unknown id or
        variant, so it is checked here against the engine's own lists.
        """
        variant = voice.settings.variant
        if voice.voice.lower() not in {known.id for known in self.voices}:
            return f"voice {voice.voice!r} is not one of espeak's voices (see `audiobuild voices`)"
        if variant and variant not in self.variants:
            return f"variant {variant!r} is not one of espeak's variants ({', '.join(self.variants[:12])}, ...)"
        return None

    def clip_version(self, voice: Voice) -> str:
        """espeak-ng's version: its voices and variants are part of its data."""
        return self.version

    def synthesize(self, text: str, voice: Voice, wav_path: Path) -> None:
        """Speak `text` (which may hold `[[...]]` phonemes) with `voice` into the WAV file `wav_path`."""
        if not text.strip():
            raise ValueError("nothing to synthesize")  # an empty runAndWait never returns
        wav_path.unlink(missing_ok=True)
        with contextlib.redirect_stdout(io.StringIO()):  # the driver prints "Audio saved to"
            self._use(voice)
            # One runAndWait per file: several queued saves write only the last.
            self._tts.save_to_file(text, str(wav_path))
            self._tts.runAndWait()
            self._driver.synchronize()
        driver = self._driver.instances[-1]
        if driver.error is not None:
            error, driver.error = driver.error, None
            cause = error.__cause__ or error.__context__  # pyttsx3 wraps the OSError (disk full, say)
            raise cause if isinstance(cause, OSError) else error
        if not whole_wav(wav_path):
            raise SynthesisError(wav_path, f"espeak produced no audio for {text[:60]!r}")

    def _use(self, voice: Voice) -> None:
        """Switch espeak to `voice`, only when it changes.

        espeak queues the settings on its own thread ahead of the next
        utterance, so they apply in order without waiting here.
        """
        if voice == self._current:
            return
        settings = voice.settings
        self._tts.setProperty("voice", settings.label(voice.voice))
        self._tts.setProperty("rate", settings.rate)
        self._tts.setProperty("pitch", settings.pitch)
        self._tts.setProperty("volume", voice.volume)
        self._current = voice
