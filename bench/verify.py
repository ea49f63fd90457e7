"""What `build --verify` costs: the same build with and without it, as whole processes, in the same run.

    python -m bench.verify [--runs N]      # from the repository; `make bench` runs it last

The example article with the natural profile (as `make demo` builds it), each
figure a median of N runs, with and without --verify taking turns so that a
busy machine weighs on both alike:

- first build: a new output folder, every sentence synthesised;
- rebuild: the episode removed and built again from the clip cache, where
  listening is most of the work.

Each build's CPU time (its process and every process it waited for: workers,
ffmpeg) is given beside its wall time: on a busy machine the CPU seconds hold
better. Ratios are what to compare between machines; the seconds are this one's.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench import AUDIOBUILD, build_command, run  # noqa: E402

EXAMPLE = REPO / "examples" / "lighthouse-keeper.txt"
CONFIG = REPO / "examples" / "podcast.toml"


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user and system, of the whole tree of processes) of one build."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = run(command)[0]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def measure(scratch: Path, runs: int) -> dict[str, list]:
    """(wall, CPU) seconds of each kind of build ("first", "first verify", "rebuild", "rebuild verify") a run,
    and the recall of each verified build ("recall")."""
    times: dict[str, list] = {"first": [], "first verify": [], "rebuild": [], "rebuild verify": [], "recall": []}
    for attempt in range(runs):
        for verify in (attempt % 2 == 1, attempt % 2 == 0):  # taking turns: neither always goes first
            output = scratch / f"out-{attempt}-{verify}"
            command = [*build_command(output, EXAMPLE, voices="natural"), "--config", str(CONFIG)]
            command += ["--verify"] if verify else []
            suffix = " verify" if verify else ""
            times["first" + suffix].append(timed(command))
            (slug,) = _slugs(output)
            run([*AUDIOBUILD, "remove", "-q", "-o", str(output), "--config", str(CONFIG), slug])
            times["rebuild" + suffix].append(timed(command))
            if verify:
                times["recall"].append(_recall(output))
    return times


def _listing(output: Path) -> list[dict]:
    listed = subprocess.run([*AUDIOBUILD, "list", "--json", "-o", str(output), "--config", str(CONFIG)], cwd=REPO,
                            check=True, capture_output=True, text=True)  # fmt: skip
    return json.loads(listed.stdout)


def _slugs(output: Path) -> list[str]:
    return [episode["slug"] for episode in _listing(output)]


def _recall(output: Path) -> float:
    (episode,) = _listing(output)
    return episode["recall"]


def report(times: dict[str, list], runs: int) -> str:
    """Three lines: the recall, then each kind of build's medians with and without --verify, and their ratios."""
    recall = statistics.median(times["recall"])
    lines = [f"--verify, the example with natural voices ({runs} run(s), medians; recall {recall:.3f}):"]
    for kind, what in (("first", "first build"), ("rebuild", "rebuild from cached clips")):
        (wall, cpu), (wall_verified, cpu_verified) = (
            tuple(statistics.median(values) for values in zip(*times[name])) for name in (kind, f"{kind} verify")
        )
        lines.append(f"  {what}: {wall:.1f}s wall / {cpu:.1f}s CPU; with --verify {wall_verified:.1f}s / "
                     f"{cpu_verified:.1f}s: {wall_verified / wall:.2f}x wall, {cpu_verified / cpu:.2f}x CPU "
                     f"(+{cpu_verified - cpu:.1f} CPU-seconds)")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is printed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="audiobuild-bench-verify-") as folder:
        print(report(measure(Path(folder), args.runs), args.runs))


if __name__ == "__main__":
    main()
