"""Batches on Dask next to the local process pool: the same articles, three ways, and what a core builds in an hour.

    .venv/bin/python bench/cluster.py [--articles 20] [--runs 1] [--profiles default,natural]

The pool is `build` as is (a process per core); "local cluster" is `--cluster
local` (Dask starting its own cluster of this machine's cores); "scheduler" is
an external `dask scheduler` with two `dask worker`s on 127.0.0.1, started
before the batch as a newsroom's would be. Every run starts with empty clip
caches, so that no way of building reuses another's clips.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench import AUDIOBUILD, make_article, median, run  # noqa: E402

DASK = Path(sys.executable).parent / "dask"


def start_scheduler(folder: Path, workers: int) -> tuple[str, list[subprocess.Popen]]:
    """A `dask scheduler` and `workers` one-thread `dask worker`s on 127.0.0.1: (address, their processes)."""
    scheduler_file = folder / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True}
    processes = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                   "--scheduler-file", str(scheduler_file)], **quiet)]  # fmt: skip
    while not scheduler_file.exists():
        time.sleep(0.1)
    address = json.loads(scheduler_file.read_text())["address"]
    for _ in range(workers):
        processes.append(subprocess.Popen([str(DASK), "worker", address, "--nworkers", "1", "--nthreads", "1",
                                           "--no-dashboard", "--host", "127.0.0.1"], **quiet))  # fmt: skip
    from distributed import Client

    with Client(address) as client:
        client.wait_for_workers(workers, timeout=120)
    return address, processes


def bench_cluster(scratch: Path, count: int, runs: int, profile: str) -> dict[str, float]:
    """Seconds to build `count` articles with the pool, a local cluster and an external scheduler (medians)."""
    articles = []
    for number in range(count):
        scratch.mkdir(parents=True, exist_ok=True)
        article = scratch / f"{profile}-batch-{number}.txt"
        article.write_text(make_article(300, seed=100 + number, title=f"Conversation number {number}"))
        articles.append(str(article))
    address, processes = start_scheduler(scratch, workers=os.cpu_count() or 2)
    times: dict[str, list[float]] = {"pool": [], "local cluster": [], "scheduler": []}
    try:
        for attempt in range(runs):
            for way, cluster in (("pool", None), ("local cluster", "local"), ("scheduler", address)):
                folder = scratch / f"{profile}-{way.replace(' ', '-')}-{attempt}"
                config = folder / "podcast.toml"
                config.parent.mkdir()
                config.write_text(f'[cluster]\ncache = "{folder / "worker-cache"}"\n')
                options = ["--cluster", cluster] if cluster else []
                command = [*AUDIOBUILD, "build", "-q", "-o", str(folder / "output"), "--voices", profile,
                           "--publish", "--config", str(config), *options, *articles]  # fmt: skip
                times[way].append(run(command)[0])
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return {way: median(values) for way, values in times.items()}


def print_cluster(profile: str, count: int, times: dict[str, float]) -> None:
    """One line per way of building, as a ratio to the pool, and the sizing line."""
    pool, cores = times["pool"], os.cpu_count() or 1
    ways = ", ".join(f"{way} {seconds:.1f}s ({seconds / pool:.2f}x)" for way, seconds in times.items())
    print(f"{profile}: {count} articles: {ways}")
    print(f"  sizing: {count * 3600 / pool / cores:.0f} articles (300 words) per hour per core")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--profiles", default="default,natural")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="audiobuild-bench-cluster-") as folder:
        for profile in args.profiles.split(","):
            times = bench_cluster(Path(folder) / profile, args.articles, args.runs, profile)
            print_cluster(profile, args.articles, times)


if __name__ == "__main__":
    main()
