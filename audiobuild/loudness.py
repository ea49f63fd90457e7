"""Loudness: ITU-R BS.1770 measurement, and the gains that level voices and the episode.

The meter applies the K-weighting filter in the frequency domain, 100 ms at a
time: loudness only needs the *energy* of the filtered signal, which Parseval's
theorem gives from |H(f)|^2 without running the IIR filter sample by sample
(numpy has no fast IIR filter, and scipy alone takes longer to import than a
short build). Gating follows BS.1770-4: 400 ms blocks every 100 ms, an absolute
gate at -70 LUFS and a relative gate 10 LU below the ungated mean.

The limiter that keeps true peaks under the ceiling is ffmpeg's, run as part of
the MP3 export (see assemble.export_mp3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

TARGET_LUFS = -16.0  # Apple's and most podcast apps' recommendation for spoken word

_SUB_BLOCK_S = 0.1
_ABSOLUTE_GATE_LUFS = -70.0
_RELATIVE_GATE_LU = -10.0

# BS.1770 K-weighting: a high shelf then a high pass, as specified at 48 kHz.
_SHELF = ((1.53512485958697, -2.69169618940638, 1.19839281085285), (1.0, -1.69065929318241, 0.73248077421585))
_HIGH_PASS = ((1.0, -2.0, 1.0), (1.0, -1.99004745483398, 0.99007225036621))


def _k_weighting_power(frequencies: np.ndarray) -> np.ndarray:
    """|H(f)|^2 of the K-weighting filter at the given frequencies in Hz."""
    z = np.exp(-2j * np.pi * frequencies / 48000.0)
    response = np.ones_like(z)
    for numerator, denominator in (_SHELF, _HIGH_PASS):
        response *= np.polyval(numerator[::-1], z) / np.polyval(denominator[::-1], z)
    return np.abs(response) ** 2


def sub_block_powers(samples: np.ndarray, rate: int) -> np.ndarray:
    """K-weighted mean-square power of each whole 100 ms sub-block of mono float samples."""
    size = int(rate * _SUB_BLOCK_S)
    count = len(samples) // size
    if count == 0:
        return np.zeros(0)
    weights = _k_weighting_power(np.fft.rfftfreq(size, 1.0 / rate))
    # Each rfft bin except DC (and Nyquist for even sizes) stands for two bins of the full spectrum.
    weights[1:] *= 2.0
    if size % 2 == 0:
        weights[-1] /= 2.0
    powers = np.empty(count)
    step = 4096  # sub-blocks per FFT batch: bounded memory for hours of audio
    for first in range(0, count, step):
        blocks = samples[first * size : min(count, first + step) * size].reshape(-1, size)
        spectrum = np.abs(np.fft.rfft(blocks, axis=1)) ** 2
        powers[first : first + len(blocks)] = spectrum @ weights / (size * size)
    return powers


def integrated_loudness(powers: np.ndarray) -> float:
    """Gated integrated loudness in LUFS from 100 ms sub-block powers (-inf for silence)."""
    if len(powers) < 4:
        powers = np.concatenate([powers, np.zeros(4 - len(powers))])
    blocks = np.convolve(powers, np.ones(4) / 4.0, mode="valid")  # 400 ms blocks, 75 % overlap
    blocks = blocks[_lufs(blocks) > _ABSOLUTE_GATE_LUFS]
    if len(blocks) == 0:
        return -math.inf
    relative_gate = _lufs(np.mean(blocks)) + _RELATIVE_GATE_LU
    gated = blocks[_lufs(blocks) > relative_gate]
    return float(_lufs(np.mean(gated)))


def _lufs(power: np.ndarray | float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return -0.691 + 10.0 * np.log10(power)


def measure(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness of mono float samples in [-1, 1], in LUFS."""
    return integrated_loudness(sub_block_powers(samples, rate))


@dataclass(frozen=True)
class Limiter:
    """The look-ahead limiter the export runs after the make-up gain."""

    ceiling_dbfs: float = -3.5  # below -1 dBTP: 64 kbps MP3 encoding overshoots by up to ~2.2 dB, espeak varies
    attack_ms: int = 5
    release_ms: int = 20


LIMITER = Limiter()
_WINDOWS_PER_SUB_BLOCK = 20  # ~5 ms windows for the limiter's view of the peaks


@dataclass(frozen=True)
class ClipMeter:
    """What loudness planning needs to know about one clip."""

    powers: np.ndarray  # K-weighted power per 100 ms sub-block
    window_peaks: np.ndarray  # (sub-blocks, windows) absolute peak per ~5 ms window
    window_powers: np.ndarray  # (sub-blocks, windows) mean square per window


def meter_pcm16(raw: bytes, rate: int) -> ClipMeter:
    """Measure one clip of mono 16-bit PCM."""
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768.0
    size = int(rate * _SUB_BLOCK_S)
    padded = np.concatenate([samples, np.zeros(-len(samples) % size)])
    window = size // _WINDOWS_PER_SUB_BLOCK
    windows = padded.reshape(-1, size)[:, : window * _WINDOWS_PER_SUB_BLOCK].reshape(-1, _WINDOWS_PER_SUB_BLOCK, window)
    powers = sub_block_powers(padded, rate)
    if len(samples) % size:  # the padded last block stands for its real samples' power
        powers[-1] *= size / (len(samples) % size)
    return ClipMeter(
        powers=powers,
        window_peaks=np.abs(windows).max(axis=2),
        window_powers=np.mean(windows**2, axis=2),
    )


@dataclass(frozen=True)
class Levels:
    """Gains that give every voice the same loudness and the episode the target."""

    voice_gain_db: dict[str, float]  # applied to each voice's clips, never above 0 dB
    export_gain_db: float  # applied before the limiter, in floating point


def plan_levels(meters_by_voice: dict[str, list[ClipMeter]], target_lufs: float = TARGET_LUFS) -> Levels:
    """Level each voice to one loudness, and find the make-up gain that hits `target_lufs`.

    espeak peaks near 0 dBFS, so the make-up gain drives peaks into the
    limiter, which takes loudness away: more from a peaky voice than from a
    smooth one (about 1.5 LU between espeak's male and female variants). Both
    the voice gains and the make-up gain are therefore planned on a simulation
    of the limiter over the clips' ~5 ms peak windows; no pass over the joined
    episode is needed. Voice gains only attenuate, so 16-bit clips cannot clip.
    Pauses are silence and are gated out anyway.
    """
    voices = {voice: _joined(meters) for voice, meters in meters_by_voice.items()}
    loudness = {voice: integrated_loudness(arrays[0]) for voice, arrays in voices.items()}
    audible = {voice: arrays for voice, arrays in voices.items() if loudness[voice] > -math.inf}
    voice_gain = {voice: -loudness[voice] if voice in audible else 0.0 for voice in voices}
    if not audible:
        return Levels(voice_gain, 0.0)
    export_gain = 0.0
    for _ in range(3):
        headroom = max(voice_gain[voice] for voice in audible)
        voice_gain = {voice: gain - headroom for voice, gain in voice_gain.items()}
        export_gain = _make_up_gain(
            [_scaled(arrays, voice_gain[voice]) for voice, arrays in audible.items()], target_lufs
        )
        after = {
            voice: integrated_loudness(_after_limiter(*_scaled(arrays, voice_gain[voice]), export_gain))
            for voice, arrays in audible.items()
        }
        # Damped and bounded: the simulation is an approximation, most of all for short voices.
        for voice, value in after.items():
            voice_gain[voice] += max(-1.5, min(1.5, 0.8 * (target_lufs - value)))
        if max(after.values()) - min(after.values()) < 0.3:
            break
    headroom = max(voice_gain[voice] for voice in audible)
    voice_gain = {voice: gain - headroom for voice, gain in voice_gain.items()}
    export_gain = _make_up_gain([_scaled(arrays, voice_gain[voice]) for voice, arrays in audible.items()], target_lufs)
    return Levels(voice_gain, export_gain)


def _make_up_gain(levelled: list[tuple[np.ndarray, np.ndarray, np.ndarray]], target_lufs: float) -> float:
    """The gain before the limiter that brings the limited whole to `target_lufs`."""
    powers, peaks, window_powers = (np.concatenate(parts) for parts in zip(*levelled))
    gain = target_lufs - integrated_loudness(powers)
    for _ in range(6):  # converges in 2-3 steps: loudness falls slowly as the gain rises
        error = target_lufs - integrated_loudness(_after_limiter(powers, peaks, window_powers, gain))
        gain += error
        if abs(error) < 0.05:
            break
    return gain


def _scaled(arrays: tuple[np.ndarray, np.ndarray, np.ndarray], gain_db: float) -> tuple[np.ndarray, ...]:
    powers, peaks, window_powers = arrays
    gain = 10 ** (gain_db / 20)
    return powers * gain**2, peaks * gain, window_powers * gain**2


def _joined(meters: list[ClipMeter]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.concatenate([meter.powers for meter in meters]),
        np.concatenate([meter.window_peaks for meter in meters]),
        np.concatenate([meter.window_powers for meter in meters]),
    )


def _after_limiter(powers: np.ndarray, peaks: np.ndarray, window_powers: np.ndarray, gain_db: float) -> np.ndarray:
    """Sub-block powers after `gain_db` and the limiter, approximated window by window."""
    gain = 10 ** (gain_db / 20)
    ceiling = 10 ** (LIMITER.ceiling_dbfs / 20)
    with np.errstate(divide="ignore"):
        reduction = np.minimum(1.0, ceiling / (peaks.ravel() * gain))
    # The limiter starts lowering the gain `attack` ahead of a peak and takes about
    # `release` to recover: the gain at a window is the smallest needed near it.
    window_ms = _SUB_BLOCK_S * 1000 / _WINDOWS_PER_SUB_BLOCK
    ahead, behind = round(LIMITER.attack_ms / window_ms), round(LIMITER.release_ms / window_ms)
    held = reduction.copy()
    for shift in range(1, ahead + 1):
        held[:-shift] = np.minimum(held[:-shift], reduction[shift:])
    for shift in range(1, behind + 1):
        held[shift:] = np.minimum(held[shift:], reduction[:-shift])
    held = held.reshape(peaks.shape) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        kept = np.where(
            window_powers.sum(axis=1) > 0, (window_powers * held).sum(axis=1) / window_powers.sum(axis=1), 1.0
        )
    return powers * gain**2 * kept
