"""The one place audiobuild relies on pyttsx3's internals: an event-driven version of its espeak driver.

pyttsx3's own espeak driver (``pyttsx3/drivers/espeak.py``) sleeps 10 ms per
turn of its loop until an utterance ends, which is most of the time a sentence
takes (espeak itself needs 1-3 ms), and it synthesizes without espeak's
PHONEMES flag, so a lexicon's ``[[...]]`` phonemes would be read as text.
`EventDrivenDriver` subclasses it to wait on an event instead, and to pass the flag.

That needs pyttsx3's private members, all listed in `REQUIRED` and checked by
`check` when the engine starts (and by a test), so that a pyttsx3 release that
changes them stops with one line naming what changed instead of hanging or
reading phonemes aloud. pyproject.toml pins pyttsx3 to the release this was
written and tested against (`TESTED_WITH`).

Importing this module loads libespeak-ng: the system's when it has
`libespeak-ng.so.1`, else the `espeakng-loader` wheel's, so a fresh machine
needs no apt step.
"""

from __future__ import annotations

import ctypes
import importlib.metadata
import inspect
import os
import sys
import threading
import types


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


_load_espeak()  # before pyttsx3's espeak module, which loads the library by name on import

from pyttsx3.drivers import _espeak  # noqa: E402
from pyttsx3.drivers.espeak import EspeakDriver  # noqa: E402

TESTED_WITH = "2.99"
# pyttsx3 loads a driver by module name under its drivers package: this one is registered there.
MODULE = "pyttsx3.drivers.audiobuild_espeak"
UTTERANCE_TIMEOUT_S = 120
# What the subclass uses that pyttsx3 does not document: (owner, member, its parameters or None).
REQUIRED = [
    (EspeakDriver, "startLoop", ("self",)),
    (EspeakDriver, "endLoop", ("self",)),
    (EspeakDriver, "stop", ("self",)),
    (EspeakDriver, "_start_synthesis", ("self", "text")),
    (EspeakDriver, "_onSynth", ("self", "wav", "numsamples", "events")),
    (_espeak, "Synth", None),
    (_espeak, "Synchronize", None),
    (_espeak, "Info", None),
    (_espeak, "ENDPAUSE", None),
    (_espeak, "CHARS_UTF8", None),
    (_espeak, "PHONEMES", None),
]
# Instance attributes of EspeakDriver that the subclass reads or sets.
REQUIRED_STATE = ("_proxy", "_looping", "_speaking", "_text_to_say", "_data_buffer")


class DriverMismatch(Exception):
    """The installed pyttsx3 no longer has what `EventDrivenDriver` relies on."""


def check(driver: EspeakDriver | None = None) -> None:
    """Raise DriverMismatch naming the first private member of pyttsx3 that is gone or changed.

    With `driver`, a started driver, its instance state is checked too.
    """
    version = importlib.metadata.version("pyttsx3")
    for owner, name, parameters in REQUIRED:
        member = getattr(owner, name, None)
        where = f"{getattr(owner, '__qualname__', owner.__name__)}.{name}"
        if member is None:
            raise DriverMismatch(f"pyttsx3 {version} has no {where} (audiobuild is tested with {TESTED_WITH})")
        if parameters is not None and tuple(inspect.signature(member).parameters) != parameters:
            raise DriverMismatch(f"pyttsx3 {version} changed {where}{inspect.signature(member)} "
                                 f"(audiobuild is tested with {TESTED_WITH})")  # fmt: skip
    missing = [name for name in REQUIRED_STATE if driver is not None and not hasattr(driver, name)]
    if missing:
        raise DriverMismatch(f"pyttsx3 {version}'s EspeakDriver has no {missing[0]} (tested with {TESTED_WITH})")


class EventDrivenDriver(EspeakDriver):
    """pyttsx3's espeak driver, waiting on an event for the end of an utterance and reading [[phonemes]]."""

    instances: list[EventDrivenDriver] = []  # the driver pyttsx3 built, so the engine can read its error

    def __init__(self, proxy):
        self.finished = threading.Event()
        self.error: Exception | None = None
        super().__init__(proxy)
        check(self)
        EventDrivenDriver.instances.append(self)

    def startLoop(self):
        # runAndWait's own endLoop command has already run (and set the event)
        # by the time the loop starts: only the utterance's end counts.
        self.finished.clear()
        self._looping = True
        self._proxy.setBusy(False)
        if self._text_to_say:
            self._start_synthesis(self._text_to_say)
            self.finished.wait(UTTERANCE_TIMEOUT_S)
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

    def stop(self):
        # runAndWait ends with stop(), which cancels whatever espeak still has
        # queued: under load, the voice settings and the start of the utterance
        # just synthesized (a clip came out 800 ms short). audiobuild never
        # interrupts speech, so there is nothing to cancel.
        pass

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

    @staticmethod
    def synchronize() -> None:
        """Wait for espeak's thread to finish the current utterance."""
        _espeak.Synchronize()


def espeak_info() -> tuple[str, str | None]:
    """espeak-ng's version ("1.52.0") and the folder of its voice data, as the loaded library reports them."""
    data_path = ctypes.c_char_p()
    version = _espeak.Info(ctypes.byref(data_path)).decode()
    return version, data_path.value.decode() if data_path.value else None


def register() -> str:
    """Register this driver where pyttsx3 looks for drivers; return the name to give `pyttsx3.init`."""
    if MODULE not in sys.modules:
        module = types.ModuleType(MODULE)
        module.buildDriver = EventDrivenDriver
        sys.modules[MODULE] = module
    return MODULE.rsplit(".", 1)[1]
