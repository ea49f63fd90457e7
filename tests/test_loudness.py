"""Loudness metering (ITU-R BS.1770) and level planning."""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest

from audiobuild.loudness import TARGET_LUFS, measure, meter_pcm16, plan_levels

RATE = 22050


def sine(frequency: float, amplitude: float, seconds: float, rate: int = RATE) -> np.ndarray:
    return amplitude * np.sin(2 * np.pi * frequency * np.arange(int(rate * seconds)) / rate)


@pytest.mark.parametrize("rate", [22050, 44100, 48000])
def test_full_scale_997_hz_sine_reads_minus_3_lufs(rate):
    # BS.1770's reference: a 0 dBFS 997 Hz sine in one channel is -3.01 LUFS.
    assert measure(sine(997, 1.0, 5, rate), rate) == pytest.approx(-3.01, abs=0.05)
    assert measure(sine(997, 0.1, 5, rate), rate) == pytest.approx(-23.01, abs=0.05)


@pytest.mark.parametrize("seed", [1, 2])
def test_agrees_with_pyloudnorm_on_shaped_noise(seed):
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 0.1, RATE * 8) * np.repeat(rng.uniform(0.05, 1, 80), RATE // 10)
    assert measure(noise, RATE) == pytest.approx(pyloudnorm.Meter(RATE).integrated_loudness(noise), abs=0.1)


def test_silence_is_minus_infinity_and_needs_no_gain():
    assert measure(np.zeros(RATE * 2), RATE) == -math.inf
    levels = plan_levels({"Narrator": [meter_pcm16(bytes(RATE * 2), RATE)]})
    assert levels.voice_gain_db == {"Narrator": 0.0} and levels.export_gain_db == 0.0


def pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()


def test_quieter_voice_is_not_boosted_in_16_bit_and_the_loud_one_is_attenuated():
    loud, quiet = sine(220, 0.5, 3), sine(330, 0.1, 3)
    levels = plan_levels({"A": [meter_pcm16(pcm16(loud), RATE)], "B": [meter_pcm16(pcm16(quiet), RATE)]})
    assert max(levels.voice_gain_db.values()) == 0.0
    assert levels.voice_gain_db["A"] == pytest.approx(20 * math.log10(0.1 / 0.5), abs=0.5)
    assert levels.export_gain_db > 0


def test_make_up_gain_reaches_the_target_without_limiting_a_smooth_signal():
    quiet = sine(440, 0.05, 4)  # far below the limiter ceiling even after make-up gain
    levels = plan_levels({"A": [meter_pcm16(pcm16(quiet), RATE)]})
    assert measure(quiet * 10 ** (levels.export_gain_db / 20), RATE) == pytest.approx(TARGET_LUFS, abs=0.1)
