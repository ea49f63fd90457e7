"""The level plan's peak memory and time on a long episode's clips, without synthesizing them.

    .venv/bin/python -m bench.plan_memory --minutes 200

Clips of speech-like tones (three voices, a quiet two and a loud one, so that
the limiter works) are metered as a build meters its clips, then planned
(`loudness.plan_levels`), in this process: the figures are the meters' memory
and the plan's peak over them, as a 30,000-word build holds them at its end.
"""

from __future__ import annotations

import argparse
import itertools
import resource
import time

import numpy as np

from audiobuild.audio.loudness import Placed, meter_pcm16, plan_levels

RATE = 22050


def _resident_mb() -> int:
    with open("/proc/self/status") as status:
        return int(status.read().split("VmRSS:")[1].split()[0]) // 1024


def _clips(count: int = 8, seconds: float = 6.0) -> list[bytes]:
    """Speech-like clips: a voiced tone with a syllable envelope, a little noise, 16-bit."""
    rng = np.random.default_rng(1)
    t = np.arange(int(RATE * seconds)) / RATE
    clips = []
    for k in range(count):
        envelope = np.abs(np.sin(2 * np.pi * (0.7 + k * 0.1) * t)) ** 2
        tone = np.sin(2 * np.pi * (120 + 20 * k) * t + 3 * np.sin(2 * np.pi * 5 * t))
        clips.append(envelope * tone * 0.9 + rng.standard_normal(len(t)) * 0.02)
    return clips


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=200, help="of speech; a 30,000-word espeak build has 222")
    minutes = parser.parse_args().minutes
    before, timeline, heard = _resident_mb(), [], 0.0
    for number, clip in enumerate(itertools.cycle(_clips())):
        if heard >= minutes * 60:
            break
        quiet = 0.15 if number % 3 else 0.5
        pcm = (np.clip(clip * quiet, -1, 1) * 32767).astype("<i2").tobytes()
        timeline.append(Placed(("Narrator", "Interviewer", "Guest")[number % 3], 400, meter_pcm16(pcm, RATE)))
        heard += len(clip) / RATE
    metered = _resident_mb()
    start = time.perf_counter()
    plan_levels(timeline)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"level plan, {minutes:.0f} minutes of clips ({len(timeline)}): meters {metered - before} MB, "
          f"the plan's peak {peak - metered} MB over them, {time.perf_counter() - start:.2f}s")  # fmt: skip



if __name__ == "__main__":
    main()
