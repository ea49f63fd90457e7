"""Loudness: ITU-R BS.1770 measurement, and the gains that level voices and the episode.

The meter applies the K-weighting filter in the frequency domain, 100 ms at a
time: loudness only needs the *energy* of the filtered signal, which Parseval's
theorem gives from |H(f)|^2 without running the IIR filter sample by sample
(numpy has no fast IIR filter, and scipy alone takes longer to import than a
short build). Gating follows BS.1770-4: 400 ms blocks every 100 ms, an absolute
gate at -70 LUFS and a relative gate 10 LU below the ungated mean.

True peaks are read with BS.1770-4 Annex 2's 4x interpolation filter. The
limiter (`limit`) runs on each clip before it reaches the encoder, and only on
the clips whose true peak the gains would take over the ceiling: the level plan
already simulates it (`_after_limiter`) window by window, so the two agree.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

TARGET_LUFS = -16.0  # Apple's and most podcast apps' recommendation for spoken word

_SUB_BLOCK_S = 0.1
_ABSOLUTE_GATE_LUFS = -70.0
_RELATIVE_GATE_LU = -10.0

# BS.1770 K-weighting: a high shelf then a high pass, as specified at 48 kHz.
_SHELF = ((1.53512485958697, -2.69169618940638, 1.19839281085285), (1.0, -1.69065929318241, 0.73248077421585))
_HIGH_PASS = ((1.0, -2.0, 1.0), (1.0, -1.99004745483398, 0.99007225036621))


@functools.cache
def _k_weighting_power(size: int, rate: int) -> np.ndarray:
    """|H(f)|^2 of the K-weighting filter at the frequencies of an rfft of `size` samples at `rate` Hz.

    Cached, read-only: every clip is metered in sub-blocks of the same size.
    """
    z = np.exp(-2j * np.pi * np.fft.rfftfreq(size, 1.0 / rate) / 48000.0)
    response = np.ones_like(z)
    for numerator, denominator in (_SHELF, _HIGH_PASS):
        response *= np.polyval(numerator[::-1], z) / np.polyval(denominator[::-1], z)
    power = np.abs(response) ** 2
    power.flags.writeable = False
    return power


def sub_block_powers(samples: np.ndarray, rate: int) -> np.ndarray:
    """K-weighted mean-square power of each whole 100 ms sub-block of mono float samples."""
    size = int(rate * _SUB_BLOCK_S)
    count = len(samples) // size
    if count == 0:
        return np.zeros(0)
    weights = _k_weighting_power(size, rate).copy()
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


# BS.1770-4 Annex 2: the 48-tap interpolation filter for 4x oversampling, as its 4 phases of 12 taps.
_PHASE_0 = (
    0.0017089843750, 0.0109863281250, -0.0196533203125, 0.0332031250000, -0.0594482421875, 0.1373291015625,
    0.9721679687500, -0.1022949218750, 0.0476074218750, -0.0266113281250, 0.0148925781250, -0.0083007812500,
)  # fmt: skip
_PHASE_1 = (
    -0.0291748046875, 0.0292968750000, -0.0517578125000, 0.0891113281250, -0.1665039062500, 0.4650878906250,
    0.7797851562500, -0.2003173828125, 0.1015625000000, -0.0582275390625, 0.0330810546875, -0.0189208984375,
)  # fmt: skip
_INTERPOLATOR = np.array([_PHASE_0, _PHASE_1, _PHASE_1[::-1], _PHASE_0[::-1]])  # the last two mirror the first two


def true_peaks(samples: np.ndarray) -> np.ndarray:
    """|sample| or the largest of the 4x interpolated values around it (BS.1770-4 Annex 2), per sample.

    >>> float(true_peaks(np.sin(np.pi / 2 * np.arange(64) + np.pi / 4))[32:].max()) > 0.99
    True
    """
    taps = _INTERPOLATOR.shape[1]
    centre = taps - 1 + taps // 2  # in `padded`, the tap that lines each phase's output up with its sample
    count, dtype = len(samples), samples.dtype
    # Each phase as a multiply-add of shifted copies, into buffers made once: np.convolve calls a dot
    # product per sample and returns new arrays, which a worker maps and faults in anew (`return_freed_blocks`).
    # Measured on the true peak of 147 s at 44.1 kHz streamed from a decoder: 0.67 s before, 0.13 s so.
    padded = np.concatenate([np.zeros(taps - 1, dtype), samples, np.zeros(taps - 1, dtype)])
    peaks = np.abs(samples)
    interpolated, term = np.empty(count, dtype), np.empty(count, dtype)
    for phase in _INTERPOLATOR.astype(dtype):
        np.multiply(padded[centre : centre + count], phase[0], out=interpolated)
        for tap in range(1, taps):  # the convolution's term h[tap] * x[n - tap]
            np.multiply(padded[centre - tap : centre - tap + count], phase[tap], out=term)
            np.add(interpolated, term, out=interpolated)
        np.maximum(peaks, np.abs(interpolated, out=interpolated), out=peaks)
    return peaks


def stream_true_peak(chunks: Iterable[np.ndarray]) -> float:
    """The true peak (dBTP, BS.1770-4 Annex 2) of a signal given as consecutive chunks of float samples.

    Each sample's interpolated peaks are taken where the filter sees its whole
    context, the chunk before included, so the result is the whole signal's,
    with memory that follows the chunks. -inf for silence.
    """
    context = _INTERPOLATOR.shape[1]  # more than the filter reaches on either side
    carried, counted, peak = np.zeros(0, dtype=np.float32), 0, 0.0  # counted: how much of `carried` was read
    for chunk in chunks:
        joined = np.concatenate([carried, chunk])
        if len(joined) < 4 * context:
            carried = joined
            continue
        peak = max(peak, float(true_peaks(joined)[counted : len(joined) - context].max()))
        carried, counted = joined[-2 * context :], context
    if len(carried) > counted:
        peak = max(peak, float(true_peaks(carried)[counted:].max()))
    return 20 * math.log10(peak) if peak > 0 else -math.inf


@dataclass(frozen=True)
class Limiter:
    """The look-ahead true-peak limiter applied after the gains (`limit`)."""

    ceiling_dbfs: float = -3.5  # below -1 dBTP: 64 kbps MP3 encoding overshoots by up to ~2.2 dB, espeak varies
    # What the encoded MP3 must stay under, by our meter: -1 dBTP (AES TD1004, Apple's podcast guidelines), less a
    # margin for meters that interpolate otherwise (ffmpeg's ebur128 resamples to 192 kHz). Over it, the episode is
    # encoded again with the ceiling lowered by the overshoot (`assemble`): Piper's noisy output sometimes
    # overshot 2.7 dB (-0.8 dBTP, one build in ten).
    mp3_true_peak_dbtp: float = -1.2
    attack_ms: int = 5  # the gain starts falling this long before a peak
    release_ms: int = 20  # and stays down this long after it


LIMITER = Limiter()
_WINDOW_MS = 5  # the limiter works on ~5 ms windows: its attack
_WINDOWS_PER_SUB_BLOCK = round(_SUB_BLOCK_S * 1000 / _WINDOW_MS)


def _hold(reduction: np.ndarray) -> np.ndarray:
    """Each window's gain: the smallest `reduction` from `attack` ahead of it to `release` behind it."""
    ahead, behind = round(LIMITER.attack_ms / _WINDOW_MS), round(LIMITER.release_ms / _WINDOW_MS)
    held = reduction.copy()
    for shift in range(1, ahead + 1):
        held[:-shift] = np.minimum(held[:-shift], reduction[shift:])
    for shift in range(1, behind + 1):
        held[shift:] = np.minimum(held[shift:], reduction[:-shift])
    return held


def limit(
    samples: np.ndarray, rate: int, window_peaks: np.ndarray, gain_db: float, ceiling_dbfs: float | None = None
) -> np.ndarray:
    """`samples` (float32, the clip a ClipMeter measured) times `gain_db`, true peaks held under the ceiling.

    `window_peaks` is the clip's ClipMeter.window_peaks: the limiter works only
    when they say the gain takes a peak over `ceiling_dbfs` (dBFS; by default
    `LIMITER.ceiling_dbfs`, lower when an encoding overshot it). The gain is
    held per window (`_hold`, as the level plan simulates it) and moves linearly
    between window centres; since attack and release each cover at least one
    window, no sample gets more gain than its own window allows.
    """
    gain = 10 ** (gain_db / 20)
    levelled = samples * np.float32(gain)
    ceiling = 10 ** ((LIMITER.ceiling_dbfs if ceiling_dbfs is None else ceiling_dbfs) / 20)
    if not window_peaks.size or window_peaks.max() * gain <= ceiling:
        return levelled
    size = int(rate * _SUB_BLOCK_S)
    starts = _window_starts(len(window_peaks), size)
    held = _held_gains(window_peaks, gain, ceiling)
    centres = (starts + np.append(starts[1:], len(window_peaks) * size) - 1) / 2
    return levelled * np.interp(np.arange(len(samples)), centres, held).astype(np.float32)


def _held_gains(window_peaks: np.ndarray, gain: float, ceiling: float | None = None) -> np.ndarray:
    """The limiter's gain for each window (flat): what keeps its peak, times `gain`, under `ceiling` (linear), held."""
    ceiling = 10 ** (LIMITER.ceiling_dbfs / 20) if ceiling is None else ceiling
    with np.errstate(divide="ignore"):
        return _hold(np.minimum(1.0, np.float32(ceiling / gain) / window_peaks.ravel()))


def _window_starts(sub_blocks: int, size: int) -> np.ndarray:
    """The first sample of each limiter window of `sub_blocks` blocks of `size` samples; they cover every sample."""
    within = np.arange(_WINDOWS_PER_SUB_BLOCK) * size // _WINDOWS_PER_SUB_BLOCK
    return (np.arange(sub_blocks)[:, None] * size + within).ravel()


@dataclass(frozen=True)
class ClipMeter:
    """What loudness planning needs to know about one clip."""

    powers: np.ndarray  # K-weighted power per 100 ms sub-block, the last one padded with silence
    window_peaks: np.ndarray  # (sub-blocks, windows) true peak per ~5 ms window
    window_powers: np.ndarray  # (sub-blocks, windows) mean square per window
    fill: float = 1.0  # the part of the last sub-block that is the clip's own


def meter_pcm16(raw: bytes, rate: int) -> ClipMeter:
    """Measure one clip of mono 16-bit PCM."""
    # In float32, which holds 16-bit samples exactly and their powers and peaks closely enough: half the
    # time of float64 (the true peaks of a 3,000-word article's clips: 1.25 s in float64).
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / np.float32(32768)
    size = int(rate * _SUB_BLOCK_S)
    padded = np.concatenate([samples, np.zeros(-len(samples) % size, dtype=np.float32)])
    if not len(padded):
        empty = np.zeros((0, _WINDOWS_PER_SUB_BLOCK), dtype=np.float32)
        return ClipMeter(np.zeros(0), empty, empty)
    starts = _window_starts(len(padded) // size, size)
    widths = np.diff(np.append(starts, len(padded)))
    # The windows kept in float32: a plan holds an episode's worth of them (4 MB an hour each), and copies them.
    return ClipMeter(
        powers=sub_block_powers(padded, rate),
        window_peaks=np.maximum.reduceat(true_peaks(padded), starts).reshape(-1, _WINDOWS_PER_SUB_BLOCK).astype(
            np.float32),
        window_powers=(np.add.reduceat(padded**2, starts) / widths).reshape(-1, _WINDOWS_PER_SUB_BLOCK).astype(
            np.float32),
        fill=(len(samples) % size or size) / size,
    )  # fmt: skip


@dataclass(frozen=True)
class Levels:
    """Gains that give every voice the same loudness and the episode the target."""

    voice_gain_db: dict[str, float]  # applied to each voice's clips, never above 0 dB
    export_gain_db: float  # applied with them, in floating point, before the limiter

    def gain_db(self, voice: str) -> float:
        """The whole gain of `voice`'s clips, in dB."""
        return self.voice_gain_db.get(voice, 0.0) + self.export_gain_db

    def whole_gains(self) -> dict[str, float]:
        """Each voice's whole gain (`gain_db`), in dB."""
        return {voice: self.gain_db(voice) for voice in self.voice_gain_db}

    def keeps_targets(self, planned: Levels, seconds: dict[str, float], loudness_db: float, balance_db: float) -> bool:
        """True when an episode at these levels rather than `planned` still meets the plan's targets.

        Its loudness moves by the voices' differences (dB) weighed by their
        `seconds` of speech (to first order: integrated loudness is a mean of
        power): at most `loudness_db`. No voice may be further than
        `balance_db` from its planned level. Measured on a 350-word espeak
        article started from another article's levels: voices 0.09 to 0.58 dB
        off, the loudness 0.22 dB, which a half-decibel test per voice had
        encoded again.
        """
        voices = planned.voice_gain_db.keys() | self.voice_gain_db.keys()
        differences = {voice: self.gain_db(voice) - planned.gain_db(voice) for voice in voices}
        heard = sum(seconds.get(voice, 0.0) for voice in voices)
        shift = sum(difference * seconds.get(voice, 0.0) for voice, difference in differences.items()) / (heard or 1)
        return abs(shift) <= loudness_db and all(abs(difference) <= balance_db for difference in differences.values())


def whole_levels(gains: dict[str, float], voices: set[str]) -> Levels | None:
    """Levels giving `voices` their whole gains (dB), voice gains attenuating only; None without one for each."""
    if not voices or not voices <= gains.keys():
        return None
    loudest = max(gains[voice] for voice in voices)
    return Levels({voice: gains[voice] - loudest for voice in voices}, loudest)


def weighed(estimate: Levels, prior: dict[str, tuple[float, float]], heard: dict[str, float]) -> Levels:
    """Each voice's whole gain: the estimate's and the prior's (dB, seconds), weighed by the seconds each was
    measured on.

    Measured on a 10,000-word espeak build started on a prior: the estimates after 30 s, 4 and 15 minutes of
    each voice each moved over half a decibel from the last, and each started the encoder again.
    """
    whole = {}
    for voice, gain in estimate.whole_gains().items():
        prior_gain, weight = prior[voice]
        seconds = heard.get(voice, 0.0)
        whole[voice] = (prior_gain * weight + gain * seconds) / (weight + seconds) if weight + seconds else gain
    return whole_levels(whole, set(whole)) or estimate


@dataclass(frozen=True)
class Placed:
    """A measured clip where the episode has it: whose voice, after how long a pause."""

    voice: str
    pause_ms: int
    meter: ClipMeter


def plan_levels(timeline: list[Placed], target_lufs: float = TARGET_LUFS) -> Levels:
    """Level each voice to one loudness, and find the make-up gain that brings the episode to `target_lufs`.

    espeak peaks near 0 dBFS, so the make-up gain drives peaks into the
    limiter, which takes loudness away: more from a peaky voice than from a
    smooth one (about 1.5 LU between espeak's male and female variants). Both
    the voice gains and the make-up gain are therefore planned on a simulation
    of the limiter over the clips' ~5 ms peak windows; no pass over the joined
    episode is needed. Voice gains only attenuate, so 16-bit clips cannot clip.
    The make-up gain is planned on the clips in order with their pauses: a
    400 ms gating block that straddles a pause counts, quieter, in BS.1770's
    integrated loudness (measured: 0.6 LU on a short dialogue).
    """
    by_voice: dict[str, list[ClipMeter]] = {}
    for placed in timeline:
        by_voice.setdefault(placed.voice, []).append(placed.meter)
    voices = {voice: _joined(meters) for voice, meters in by_voice.items()}
    loudness = {voice: integrated_loudness(arrays[0]) for voice, arrays in voices.items()}
    audible = {voice: arrays for voice, arrays in voices.items() if loudness[voice] > -math.inf}
    if not audible:
        return Levels(dict.fromkeys(voices, 0.0), 0.0)
    # Each voice starts levelled as if there were no limiter; `extra` is what the limiter
    # costs it. A boost is bounded to 3 dB: the simulation is an approximation, most of all
    # for short voices, and past that a voice only gains loudness by being limited harder.
    extra = dict.fromkeys(voices, 0.0)

    def gains() -> dict[str, float]:
        wanted = {voice: extra[voice] - loudness[voice] if voice in audible else 0.0 for voice in voices}
        headroom = max(wanted[voice] for voice in audible)  # voice gains only attenuate
        return {voice: gain - headroom for voice, gain in wanted.items()}

    # Each voice's whole gain (voice and make-up) and its loudness after the limiter, last round:
    # the limiter flattens the response to a gain, so each step follows the voice's own secant.
    seen: dict[str, tuple[float, float]] = {}
    slope = dict.fromkeys(audible, 1.0)
    for _ in range(8):
        voice_gain = gains()
        export_gain = _make_up_gain(_episode(timeline, voice_gain), target_lufs)
        after = {
            voice: integrated_loudness(_after_limiter(*arrays, voice_gain[voice] + export_gain))
            for voice, arrays in audible.items()
        }
        if max(after.values()) - min(after.values()) < 0.2:
            break
        # Voices are levelled to each other; the make-up gain sees to the episode's loudness,
        # which its pauses make lower than its voices' own.
        common = float(np.mean(list(after.values())))
        for voice, value in after.items():
            whole = voice_gain[voice] + export_gain
            if voice in seen and abs(whole - seen[voice][0]) > 0.01:
                slope[voice] = min(1.0, max(0.1, (value - seen[voice][1]) / (whole - seen[voice][0])))
            seen[voice] = whole, value
            extra[voice] = max(-12.0, min(3.0, extra[voice] + (common - value) / slope[voice]))
    voice_gain = gains()
    return Levels(voice_gain, _make_up_gain(_episode(timeline, voice_gain), target_lufs))


def with_ceiling(
    levels: Levels, timeline: list[Placed], ceiling_dbfs: float, target_lufs: float = TARGET_LUFS
) -> Levels:
    """`levels` with the make-up gain planned again for a limiter at `ceiling_dbfs` (dBFS), the voices' gains kept.

    For an episode encoded again under a lower ceiling, which takes more
    loudness away: the episode still reaches `target_lufs` (LUFS).
    """
    episode = _episode(timeline, levels.voice_gain_db)
    return Levels(levels.voice_gain_db, _make_up_gain(episode, target_lufs, 10 ** (ceiling_dbfs / 20)))


_MAX_MAKE_UP_DB = 40.0


def _make_up_gain(
    episode: tuple[np.ndarray, np.ndarray, np.ndarray], target_lufs: float, ceiling: float | None = None
) -> float:
    """The gain before the limiter that brings the limited episode to `target_lufs`, within 0.02 LU.

    Loudness rises more slowly than the gain once the limiter works (0.3 LU a
    dB for espeak at -16 LUFS), so the search follows the secant, not the gain.
    """
    powers, peaks, window_powers = episode
    gain, slope = target_lufs - integrated_loudness(powers), 1.0
    previous: tuple[float, float] | None = None
    for _ in range(12):
        loudness = integrated_loudness(_after_limiter(powers, peaks, window_powers, gain, ceiling))
        if abs(target_lufs - loudness) < 0.02:
            break
        if previous is not None and gain != previous[0]:
            slope = min(1.0, max(0.05, (loudness - previous[1]) / (gain - previous[0])))
        previous = gain, loudness
        # Past about +40 dB a limiter at the ceiling cannot get louder: the search stops rather than run away.
        gain = min(_MAX_MAKE_UP_DB, gain + (target_lufs - loudness) / slope)
    return gain


def _episode(timeline: list[Placed], voice_gain: dict[str, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The clips' arrays in order, each at its voice's gain, with silent sub-blocks for the pauses.

    Written into arrays made at their whole size first: joining a list of scaled copies held the
    episode twice (28 MB more at the peak for 200 minutes).
    """
    starts, padding, length = [], 0.0, 0
    for placed in timeline:
        # The previous clip's padded last sub-block already holds part of the pause.
        length += max(0, round(placed.pause_ms / 1000 / _SUB_BLOCK_S - padding))
        padding = 1 - placed.meter.fill
        starts.append(length)
        length += len(placed.meter.powers)
    powers = np.zeros(length)
    peaks, window_powers = (np.zeros((length, _WINDOWS_PER_SUB_BLOCK), dtype=np.float32) for _ in range(2))
    for start, placed in zip(starts, timeline):
        meter, gain = placed.meter, 10 ** (voice_gain[placed.voice] / 20)
        end = start + len(meter.powers)
        np.multiply(meter.powers, gain**2, out=powers[start:end])
        np.multiply(meter.window_peaks, np.float32(gain), out=peaks[start:end])
        np.multiply(meter.window_powers, np.float32(gain**2), out=window_powers[start:end])
    return powers, peaks, window_powers


def _joined(meters: list[ClipMeter]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The clips of one voice back to back, each padded last sub-block standing for its own samples' power."""
    parts = []
    for meter in meters:
        powers = meter.powers.copy()
        powers[-1:] /= meter.fill
        parts.append((powers, meter.window_peaks, meter.window_powers))
    return _joined_arrays(parts)


def _joined_arrays(parts: list[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    powers, peaks, window_powers = (np.concatenate(arrays) for arrays in zip(*parts))
    return powers, peaks, window_powers


def _after_limiter(
    powers: np.ndarray, peaks: np.ndarray, window_powers: np.ndarray, gain_db: float, ceiling: float | None = None
) -> np.ndarray:
    """Sub-block powers after `gain_db` and the limiter (at `ceiling`, linear, or its own), window by window.

    Simulated `_PLAN_CHUNK` sub-blocks at a time, each with a sub-block of either neighbour for the hold to
    reach into: the same result as on the whole, with temporaries that do not grow with the episode.
    """
    gain = 10 ** (gain_db / 20)
    kept = np.empty(len(powers))
    for first in range(0, len(powers), _PLAN_CHUNK):
        last = min(len(powers), first + _PLAN_CHUNK)
        before, after = min(first, 1), min(len(powers) - last, 1)
        held = _held_gains(peaks[first - before : last + after], gain, ceiling).reshape(-1, peaks.shape[1])
        held = held[before : before + last - first]
        np.square(held, out=held)
        part = window_powers[first:last]
        total = part.sum(axis=1, dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            kept[first:last] = np.where(total > 0, np.einsum("ij,ij->i", part, held, dtype=np.float64) / total, 1.0)
    return powers * gain**2 * kept


# Sub-blocks at a time (13 minutes, 0.7 MB an array). With `_episode` written in place, the plan's peak over
# its clips' meters fell from 81 to 37 MB on 200 minutes of clips (bench/plan_memory.py), and its time by half.
_PLAN_CHUNK = 8192
