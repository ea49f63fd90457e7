"""Neural engines' audio into clips: band-limited resampling and the common clip format (numpy).

Piper and hibari both produce float samples at their model's rate (16, 22.05
or 24 kHz); both shift a voice's pitch the same way, by playing the model's
output faster or slower. This module is theirs to share; it is separate from
`base` because numpy must not load where only the engines' names are needed
(reading podcast.toml).
"""

from __future__ import annotations

import itertools
import re
import wave
from pathlib import Path

import numpy as np

from audiobuild.errors import SynthesisError
from audiobuild.voice.engines.base import CLIP_RATE, whole_wav


def resample(samples: np.ndarray, from_rate: float, to_rate: int) -> np.ndarray:
    """`samples` taken at `from_rate` as taken at `to_rate`, band-limited (FFT resampling).

    Speech clips start and end in near-silence, so the FFT's wrap-around does not
    click; the top 5% of the kept band is tapered so the cut does not ring.
    """
    if abs(from_rate - to_rate) < 1e-6 or not len(samples):
        return samples
    length = max(1, round(len(samples) * to_rate / from_rate))
    spectrum = np.fft.rfft(samples)
    kept = min(len(spectrum), length // 2 + 1)
    spectrum = spectrum[:kept]
    taper = max(1, kept // 20)
    spectrum[-taper:] *= 0.5 + 0.5 * np.cos(np.linspace(0, np.pi, taper))
    return np.fft.irfft(spectrum, length) * (length / len(samples))


# A neural model's memory grows with how much it speaks at once. Measured on en_US-joe-medium
# (Piper): 176 MB loaded, a peak of 458 MB for 20 words (about 180 characters), 574 MB for 40,
# 980 MB for 80; hibari's heart grows about a third as fast. So a long sentence is spoken in
# phrases of at most PHRASE_CHARACTERS, joined by a comma's pause: a build's peak no longer
# follows its longest sentence, and so not the article's length either. 150 characters is about
# 25 words of English: most sentences are spoken whole, and a long one is cut where it has a comma.
PHRASE_CHARACTERS = 150
PHRASE_PAUSE_S = 0.12
_BREAK = re.compile(r"[,;:\u2013\u2014)]$|^-+$")  # a phrase may end after these
_TOKEN = re.compile(r"\[\[.*?\]\]\S*|\S+")  # words; [[phonemes]] stay whole


def phrases(text: str, limit: int = PHRASE_CHARACTERS) -> list[str]:
    """`text` in phrases of at most `limit` characters (a longer word is a phrase of its own): cut after a
    comma, semicolon, colon or dash in the second half of the phrase where there is one, else between words.

    >>> phrases("One, two three, four five six.", limit=16)
    ['One, two three,', 'four five six.']
    >>> phrases("aaa bbb ccc ddd eee fff ggg", limit=12)
    ['aaa bbb ccc', 'ddd eee fff', 'ggg']
    """
    words = _TOKEN.findall(text)
    if len(" ".join(words)) <= limit:
        return [text]
    lengths = itertools.accumulate(len(word) + 1 for word in words)  # the phrase up to each word, and a space
    fits = max(1, sum(length - 1 <= limit for length in lengths))
    cut = next((count for count in range(fits, fits // 2, -1) if _BREAK.search(words[count - 1])), fits)
    return [" ".join(words[:cut]), *phrases(" ".join(words[cut:]), limit)]


def joined(parts: list[np.ndarray], rate: float) -> np.ndarray:
    """Phrases' samples one after the other, a comma's pause (PHRASE_PAUSE_S) between them; silent ones left out."""
    pause = np.zeros(round(PHRASE_PAUSE_S * rate), dtype=np.float32)
    pieces = [piece for part in parts if len(part) for piece in (pause, part)][1:]
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)


def pitch_ratio(semitones: float) -> float:
    """How much faster a model's output is played to raise it `semitones` (a negative shift lowers it)."""
    return 2 ** (semitones / 12)


def write_clip(wav_path: Path, samples: np.ndarray, rate: float, text: str) -> None:
    """Write float `samples` in [-1, 1], taken at `rate` Hz, as a clip: CLIP_RATE Hz mono 16-bit.

    A `rate` above the model's own plays its output faster: the pitch shift.
    Raises SynthesisError when there is no audio (the engine had nothing to say in `text`).
    """
    pcm = (np.clip(resample(samples, rate, CLIP_RATE), -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(wav_path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(CLIP_RATE)
        wav.writeframes(pcm.tobytes())
    if not whole_wav(wav_path):  # nothing it could say ("...")
        raise SynthesisError(wav_path, f"no audio for {text[:60]!r}")
