"""The default engine: espeak-ng driven through pyttsx3 (small, instant, every language).

This is the only module that touches pyttsx3 or our espeak. espeak-ng comes from
the system when it has `libespeak-ng.so.1`, else from the `espeakng-loader`
wheel, so a fresh machine needs no apt step.

espeak can be initialised once per process and does not survive `fork`: worker
processes must use the `spawn` start method.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import gc
import io
import os
import sys
import threading
import time
import types
from pathlib import Path

from audiobuild.engines.base import EngineVoice, whole_wav
from audiobuild.errors import SynthesisError
from audiobuild.voices import Voice


def _load_espeak() -> None:
    """Make libespeak-ng loadable by name, preferring the system's copy."""
    try:
        ctypes.CDLL("libespeak-ng.so.1")
        return
    except OSError:
        pass
    import espeakng_loader

    # pyttsx3 later loads "libespeak-ng.so.1" by name; the loaded copy is reused. Not
    # RTLD_GLOBAL: Piper's phonemizer has an espeak-ng of its own built in, whose calls
    # would then bind to this copy's symbols and crash.
    ctypes.CDLL(espeakng_loader.get_library_path())
    os.environ["ESPEAK_DATA_PATH"] = espeakng_loader.get_data_path()


_DRIVER_MODULE = "pyttsx3.drivers.audiobuild_espeak"
_drivers: list = []  # the driver pyttsx3 builds, for its error
_UTTERANCE_TIMEOUT_S = 120


def _register_event_driven_driver() -> None:
    """Register, as a pyttsx3 driver module, espeak's driver without its 10 ms polling, reading [[phonemes]].

    pyttsx3's espeak driver sleeps 10 ms per turn of its loop until the
    utterance ends, which is most of the time a sentence takes (espeak itself
    needs 1-3 ms). This subclass waits on an event that its `endLoop` sets
    instead. pyttsx3 loads drivers by module name, so the module is registered
    in sys.modules under its drivers package.
    """
    if _DRIVER_MODULE in sys.modules:
        return
    from pyttsx3.drivers import _espeak
    from pyttsx3.drivers.espeak import EspeakDriver

    class EventDrivenEspeakDriver(EspeakDriver):
        def __init__(self, proxy):
            self.finished = threading.Event()
            self.error: Exception | None = None
            super().__init__(proxy)
            _drivers.append(self)

        def startLoop(self):
            # runAndWait's own endLoop command has already run (and set the event)
            # by the time the loop starts: only the utterance's end counts.
            self.finished.clear()
            self._looping = True
            self._proxy.setBusy(False)
            if self._text_to_say:
                self._start_synthesis(self._text_to_say)
                self.finished.wait(_UTTERANCE_TIMEOUT_S)
            self._looping = False

        def _start_synthesis(self, text):
            # pyttsx3's, plus espeakPHONEMES: a lexicon's [[...]] phonemes are read as such.
            self._proxy.setBusy(True)
            self._proxy.notify("started-utterance")
            self._speaking = True
            self._data_buffer = b""
            try:
                _espeak.Synth(str(text).encode("utf-8"), flags=_espeak.ENDPAUSE | _espeak.CHARS_UTF8 | _espeak.PHONEMES)
            except Exception as error:
                self._proxy.setBusy(False)
                self._proxy.notify("error", exception=error)
                raise

        def endLoop(self):
            super().endLoop()
            self.finished.set()

        def _onSynth(self, wav, numsamples, events):
            # Runs in espeak's thread, where an exception (the WAV could not be
            # written: disk full, say) would be lost and the wait never end.
            try:
                return super()._onSynth(wav, numsamples, events)
            except Exception as error:
                self.error = error
                self._speaking = False
                self.finished.set()
                return 1  # non-zero: espeak stops this utterance

    module = types.ModuleType(_DRIVER_MODULE)
    module.buildDriver = EventDrivenEspeakDriver
    sys.modules[_DRIVER_MODULE] = module


class Pyttsx3Engine:
    """Synthesizes text to 22,050 Hz mono 16-bit WAV files with espeak-ng."""

    name = "pyttsx3"
    phoneme_notation = "espeak-ng's ASCII phoneme mnemonics (Kirshenbaum), e.g. [[h@l'oU]]"

    def __init__(self) -> None:
        _load_espeak()
        import pyttsx3
        from pyttsx3.drivers import _espeak

        self._espeak = _espeak
        _register_event_driven_driver()
        with contextlib.redirect_stdout(io.StringIO()):
            self._tts = pyttsx3.init(_DRIVER_MODULE.rsplit(".", 1)[1])
        # pyttsx3's driver proxy cleans up in __del__, which fails with a traceback
        # when it runs during interpreter shutdown: let it run before, at exit.
        atexit.register(self._release)
        data_path = ctypes.c_char_p()
        self.version = "espeak-ng " + _espeak.Info(ctypes.byref(data_path)).decode()
        self._data_path = Path(data_path.value.decode()) if data_path.value else None
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
        if voice.voice.lower() not in {known.id for known in self.voices}:
            return f"voice {voice.voice!r} is not one of espeak's voices (see `audiobuild voices`)"
        if voice.variant and voice.variant not in self.variants:
            return f"variant {voice.variant!r} is not one of espeak's variants ({', '.join(self.variants[:12])}, ...)"
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
            self._espeak.Synchronize()
        driver = _drivers[-1]
        if driver.error is not None:
            error, driver.error = driver.error, None
            cause = error.__cause__ or error.__context__  # pyttsx3 wraps the OSError (disk full, say)
            raise cause if isinstance(cause, OSError) else error
        if not whole_wav(wav_path):
            raise SynthesisError(wav_path, f"espeak produced no audio for {text[:60]!r}")

    def _use(self, voice: Voice) -> None:
        """Switch espeak to `voice`, only when it changes.

        espeak applies settings on its own thread. While it is busy with them,
        runAndWait's stop() sees it "playing" and cancels what is pending, so a
        change waits until espeak is idle; consecutive sentences of one speaker
        skip both.
        """
        if voice == self._current:
            return
        self._tts.setProperty("voice", f"{voice.voice}+{voice.variant}" if voice.variant else voice.voice)
        self._tts.setProperty("rate", voice.rate)
        self._tts.setProperty("pitch", voice.pitch)
        self._tts.setProperty("volume", voice.volume)
        while self._espeak.IsPlaying():  # espeak's own Synchronize polls every 20 ms
            time.sleep(0.0005)
        self._current = voice
