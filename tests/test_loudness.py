"""Loudness metering (ITU-R BS.1770) and level planning."""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest

from audiobuild.audio.loudness import (
    LIMITER,
    TARGET_LUFS,
    Placed,
    limit,
    measure,
    meter_pcm16,
    plan_levels,
    stream_true_peak,
    true_peaks,
)

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
    levels = plan_levels([Placed("Narrator", 0, meter_pcm16(bytes(RATE * 2), RATE))])
    assert levels.voice_gain_db == {"Narrator": 0.0} and levels.export_gain_db == 0.0


def pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()


def test_quieter_voice_is_not_boosted_in_16_bit_and_the_loud_one_is_attenuated():
    loud, quiet = sine(220, 0.5, 3), sine(330, 0.1, 3)
    placed = [Placed("A", 0, meter_pcm16(pcm16(loud), RATE)), Placed("B", 700, meter_pcm16(pcm16(quiet), RATE))]
    levels = plan_levels(placed)
    assert max(levels.voice_gain_db.values()) == 0.0
    assert levels.voice_gain_db["A"] == pytest.approx(20 * math.log10(0.1 / 0.5), abs=0.5)
    assert levels.export_gain_db > 0


def test_make_up_gain_reaches_the_target_without_limiting_a_smooth_signal():
    quiet = sine(440, 0.05, 4)  # far below the limiter ceiling even after make-up gain
    levels = plan_levels([Placed("A", 0, meter_pcm16(pcm16(quiet), RATE))])
    assert measure(quiet * 10 ** (levels.export_gain_db / 20), RATE) == pytest.approx(TARGET_LUFS, abs=0.1)


def test_true_peak_is_the_peak_between_the_samples():
    # A quarter of the sample rate, 45 degrees off: every sample is at 0.707, the wave peaks at 1.
    wave = np.sin(np.pi / 2 * np.arange(RATE) + np.pi / 4)
    assert np.abs(wave).max() == pytest.approx(math.sqrt(0.5))
    assert true_peaks(wave)[100:-100].max() == pytest.approx(1.0, abs=0.01)


CEILING = 10 ** (LIMITER.ceiling_dbfs / 20)


@pytest.mark.parametrize("gain_db", [0.0, 6.0, 12.0, 20.0])
@pytest.mark.parametrize("seed", [1, 2])
def test_the_limiter_holds_true_peaks_under_the_ceiling(seed, gain_db):
    rng = np.random.default_rng(seed)
    # Bursts of noise and tones at random levels: a spoken clip's peaks and gaps.
    rate = 22000  # whole 50 ms and 100 ms envelopes
    speech = rng.normal(0, 0.15, rate * 3) * np.repeat(rng.uniform(0, 1, 60), rate // 20)
    speech += sine(180, 0.3, 3, rate) * np.repeat(rng.uniform(0, 1, 30), rate // 10)
    clip = np.clip(speech, -1, 1).astype(np.float32)
    meter = meter_pcm16(pcm16(clip), rate)
    pcm = np.frombuffer(pcm16(clip), "<i2").astype(np.float32) / 32768
    limited = limit(pcm, rate, meter.window_peaks, gain_db)
    assert true_peaks(limited.astype(np.float64)).max() <= CEILING * 1.001
    # Windows (5 ms here) further than the attack and release from any window over the ceiling keep their gain.
    over = meter.window_peaks.ravel() * 10 ** (gain_db / 20) > CEILING
    near = np.convolve(over, np.ones(2 * 6 + 1), mode="same") > 0
    untouched = ~np.repeat(near, 110)[: len(pcm)]
    assert np.allclose(limited[untouched], pcm[untouched] * 10 ** (gain_db / 20), rtol=1e-5)


def test_a_clip_under_the_ceiling_is_only_scaled():
    quiet = sine(440, 0.1, 1).astype(np.float32)
    meter = meter_pcm16(pcm16(quiet), RATE)
    pcm = np.frombuffer(pcm16(quiet), "<i2").astype(np.float32) / 32768
    assert np.array_equal(limit(pcm, RATE, meter.window_peaks, 6.0), pcm * np.float32(10 ** (6 / 20)))


def test_pauses_lower_the_loudness_the_make_up_gain_must_reach():
    # BS.1770's 400 ms blocks that straddle a pause count, quieter: the same clips with long
    # pauses between them need more gain to read -16 LUFS.
    clip = meter_pcm16(pcm16(sine(300, 0.05, 0.6)), RATE)
    close = plan_levels([Placed("A", 100, clip)] * 8)
    apart = plan_levels([Placed("A", 900, clip)] * 8)
    assert apart.export_gain_db > close.export_gain_db + 0.5
    joined = np.concatenate([np.concatenate([np.zeros(RATE * 900 // 1000), sine(300, 0.05, 0.6)])] * 8)
    assert measure(joined * 10 ** (apart.export_gain_db / 20), RATE) == pytest.approx(TARGET_LUFS, abs=0.3)


@pytest.mark.parametrize("size", [5, 100, 4096, 30000])
def test_the_true_peak_of_a_stream_read_in_chunks_is_the_whole_signals(size):
    samples = np.random.default_rng(3).standard_normal(48000).astype(np.float32) * 0.2
    samples[size - 1 : size + 1] = (0.9, -0.9)  # a peak between two samples, across a chunk's edge
    chunks = (samples[start : start + size] for start in range(0, len(samples), size))
    assert stream_true_peak(chunks) == pytest.approx(20 * math.log10(true_peaks(samples).max()), abs=1e-6)
    assert stream_true_peak([]) == -math.inf


def test_the_limiter_simulated_in_chunks_plans_what_it_plans_on_the_whole(monkeypatch):
    from audiobuild.audio import loudness

    # Peaks that the make-up gain drives into the limiter, near the chunks' edges, in two voices.
    rng = np.random.default_rng(5)
    clips = [sine(200 + 40 * k, 0.05, 0.55 + 0.1 * k) + rng.normal(0, 0.002, int(RATE * (0.55 + 0.1 * k)))
             for k in range(6)]  # fmt: skip
    for clip in clips:
        clip[len(clip) // 3 :: 997] = 0.6
    timeline = [Placed("AB"[k % 2], 200 + 150 * k, meter_pcm16(pcm16(clip), RATE)) for k, clip in enumerate(clips)]
    whole = plan_levels(timeline)
    for chunk in (1, 2, 7):
        monkeypatch.setattr(loudness, "_PLAN_CHUNK", chunk)
        chunked = plan_levels(timeline)
        assert chunked.whole_gains() == pytest.approx(whole.whole_gains(), abs=1e-9)
    assert whole.export_gain_db > 10  # the limiter had work: it is what the chunks' edges could get wrong
