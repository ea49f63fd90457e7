"""Neural engines' audio into clips: band-limited resampling and the common clip format (numpy).

Piper and hibari both produce float samples at their model's rate (16, 22.05
or 24 kHz); both shift a voice's pitch the same way, by playing the model's
output faster or slower. This module is theirs to share; it is separate from
`base` because numpy must not load where only the engines' names are needed
(reading podcast.toml).
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from audiobuild.engines.base import CLIP_RATE, whole_wav
from audiobuild.errors import SynthesisError


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
