"""Audio analysis for tests: decode with the real ffmpeg, measure pitch and silence with numpy."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np

from audiobuild.audio import assemble
from audiobuild.audio.assemble import ffmpeg_path

RATE = 22050


def decode(path: Path, rate: int = RATE) -> np.ndarray:
    """Decode any audio file to mono float samples in [-1, 1] at `rate` Hz (as the build's listener does)."""
    return assemble.decode(path, rate)


def median_pitch(samples: np.ndarray, rate: int = RATE) -> float:
    """Median fundamental frequency (Hz) of the voiced 40 ms frames, by autocorrelation."""
    size = int(0.04 * rate)
    lowest_lag, highest_lag = rate // 400, rate // 60
    pitches = []
    for start in range(0, len(samples) - size, size // 2):
        frame = samples[start : start + size] - samples[start : start + size].mean()
        if np.sqrt(np.mean(frame**2)) < 0.02:
            continue
        correlation = np.correlate(frame, frame, "full")[size - 1 :]
        lag = lowest_lag + int(np.argmax(correlation[lowest_lag:highest_lag]))
        if correlation[lag] > 0.3 * correlation[0]:
            pitches.append(rate / lag)
    assert pitches, "no voiced frames found"
    return float(np.median(pitches))


def speech_onsets(samples: np.ndarray, rate: int = RATE, min_gap_ms: int = 150) -> list[int]:
    """Milliseconds where sound rises above -50 dBFS after at least `min_gap_ms` of silence."""
    window = rate // 1000  # 1 ms
    frames = len(samples) // window
    loud = np.abs(samples[: frames * window]).reshape(frames, window).max(axis=1) > 10 ** (-50 / 20)
    onsets, quiet = [], min_gap_ms  # the start counts as after silence
    for index, is_loud in enumerate(loud):
        if is_loud and quiet >= min_gap_ms:
            onsets.append(round(index * window * 1000 / rate))
        quiet = 0 if is_loud else quiet + 1
    return onsets


def loudness_and_true_peak(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) as ffmpeg's EBU R128 meter reports them."""
    report = subprocess.run(
        [ffmpeg_path(), "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        check=True,
        capture_output=True,
        text=True,
        errors="replace",  # ffmpeg cuts long tag values (a Cyrillic title) in the middle of a character
    ).stderr.split("Summary:")[-1]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", report).group(1))
    true_peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", report).group(1))
    return integrated, true_peak
