"""Batches on a Dask cluster: this process plans and publishes, Dask's workers render.

Installed with `pip install 'audiobuild[cluster]'`::

    audiobuild build articles/*.txt --cluster tcp://scheduler:8786   # or [cluster] address in podcast.toml
    audiobuild build articles/*.txt --cluster local                  # a cluster on this machine, to try it

The scheduler is Dask's distributed one (`dask scheduler`, `dask worker`, or a
cluster from dask-jobqueue or Kubernetes): it hands out the episodes, and
reruns one whose worker died on another. A worker renders an episode in a
folder of its own and sends back its files as bytes, so workers share no file
system with this process, which alone writes the output folder (catalogue,
feed, page) as it does with the local process pool. Each worker keeps its own
clip cache (`[cluster] cache`, by default ~/.cache/audiobuild/clips).

Before the first episode, every worker is asked for its audiobuild version and
whether its engines have the voices the articles need: a worker that differs
is one line naming it, and nothing is rendered.
"""

from __future__ import annotations

import contextlib
import dataclasses
import getpass
import logging
import os
import shutil
import tempfile
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from audiobuild import __version__
from audiobuild.atomic import TEMP_PREFIX, remove_stale_temporaries, stage
from audiobuild.config import Config
from audiobuild.errors import AudiobuildError
from audiobuild.model import Voice
from audiobuild.run.pipeline import Plan, Result, render
from audiobuild.run.progress import progress_bar
from audiobuild.voice.synthesize import MB, prune_cache

log = logging.getLogger("audiobuild")

LOCAL = "local"  # --cluster local: a cluster of this machine's cores, started for the batch
DEFAULT_CACHE = Path("~/.cache/audiobuild/clips")
_render_lock = threading.Lock()  # espeak is one per process: a worker with several threads renders one at a time


class ClusterPool:
    """Renders episodes on a Dask cluster at `address` ("local" for one of this machine's cores)."""

    def __init__(self, address: str, cache: str = "", engines: set[str] = frozenset()):
        try:
            from distributed import Client, LocalCluster
        except ModuleNotFoundError:
            raise AudiobuildError(address, "needs Dask's distributed: pip install 'audiobuild[cluster]'") from None
        self.cache = cache or str(DEFAULT_CACHE)
        self._cluster = None
        try:
            if address == LOCAL:
                # One thread per worker process: espeak does not share a process.
                self._cluster = LocalCluster(threads_per_worker=1, processes=True, dashboard_address=None)
                self._client = Client(self._cluster)
            else:
                self._client = Client(address, timeout="20s")
        except OSError as error:
            raise AudiobuildError(address, f"cannot reach the Dask scheduler: {error}") from None
        self.address = address
        # Each worker loads the pipeline and starts `engines` while this process plans, as the pool's workers do.
        workers, hosts = self._workers()
        self._warming = [
            self._client.submit(warm_up, sorted(engines), hosts, workers=[worker], pure=False) for worker in workers
        ]

    def __enter__(self) -> ClusterPool:
        return self

    def __exit__(self, *exc_info) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def check(self, voices: list[Voice], workers: list[str]) -> None:
        """Raise AudiobuildError naming the first of `workers` with another version or without a voice in `voices`."""
        if not workers:
            raise AudiobuildError(self.address, "has no workers")
        # As a task on each worker, not Client.run on its event loop: the task waits for the warm-up,
        # and an engine starting twice at once in one process (espeak) hangs.
        futures = [self._client.submit(worker_report, voices, workers=[worker], pure=False) for worker in workers]
        reports = dict(zip(workers, self._client.gather(futures)))
        for worker, (version, problem) in sorted(reports.items()):
            if version != __version__:
                raise AudiobuildError(worker, f"runs audiobuild {version}; this is audiobuild {__version__}")
            if problem:
                raise AudiobuildError(worker, problem)

    def render(self, plans: list[Plan], output: Path, config: Config, cover: bytes):
        """Yield (plan, Result or the AudiobuildError or OSError it failed with) as each episode comes back.

        Ctrl-C cancels what has not been rendered; the output folder only ever
        gets what came back whole (written here, from bytes).
        """
        from distributed import as_completed

        if not plans:
            return
        workers, hosts = self._workers()
        self.check(list({voice: None for plan in plans for voice in plan.voices.values()}), workers)
        futures = {
            self._client.submit(render_remote, plan, config, cover, self.cache, hosts, pure=False): plan
            for plan in plans
        }
        try:
            with progress_bar(len(plans), "articles", "build") as bar:
                for future in as_completed(futures):
                    bar.update(1)
                    plan = futures.pop(future)
                    try:
                        yield plan, _staged(future.result(), plan, output)
                    except (AudiobuildError, OSError) as error:
                        yield plan, error
        finally:
            self._client.cancel(list(futures))  # none left unless interrupted

    def _workers(self) -> tuple[list[str], dict[str, int]]:
        """The workers' addresses, and how many each host runs: the engines of each take their share of its cores."""
        workers = self._client.scheduler_info()["workers"]
        return list(workers), dict(Counter(info["host"] for info in workers.values()))


def _staged(remote: tuple[Result, dict[str, bytes]], plan: Plan, output: Path) -> Result:
    """A worker's episode, its files written under temporary names in `output`, ready to publish."""
    result, files = remote
    staged = {}
    try:
        for kind, data in files.items():
            name = output / result.entry.named_files[kind]
            path = staged[kind] = stage(name.parent, name.suffix, plan.owner)
            path.write_bytes(data)
    except OSError:
        for path in staged.values():
            path.unlink(missing_ok=True)
        raise
    return dataclasses.replace(result, staged=staged)


def warm_up(engines: list[str], hosts: dict[str, int]) -> None:
    """On a worker, before its first episode: load the pipeline and start `engines` (those it has)."""
    import audiobuild.run.pipeline  # noqa: F401
    from audiobuild.voice.engines import EngineUnavailable, get_engine

    with _render_lock:
        _share_cores(hosts)
        for name in engines:
            with contextlib.suppress(EngineUnavailable):  # `check` reports what a worker lacks
                get_engine(name)


def _share_cores(hosts: dict[str, int]) -> None:
    """Give this worker's engines their share of its host's cores (`hosts`: workers per host)."""
    from distributed import get_worker

    from audiobuild.voice.engines import limit_threads

    host = urlsplit(get_worker().address).hostname
    limit_threads(max(1, (os.cpu_count() or 1) // hosts.get(host, 1)))


def worker_report(voices: list[Voice]) -> tuple[str, str | None]:
    """On a worker: its audiobuild version, and why it cannot speak one of `voices` (or None)."""
    from audiobuild.voice.profiles import voice_problem

    with _render_lock:  # after the warm-up, which may be starting the same engines
        found = next(((voice, problem) for voice in voices if (problem := voice_problem(voice))), None)
    return __version__, found and f"cannot speak {found[0].describe()}: {found[1]}"


def render_remote(
    plan: Plan, config: Config, cover: bytes, cache: str, hosts: dict[str, int]
) -> tuple[Result, dict[str, bytes]]:
    """On a worker: render `plan` in a folder of its own; return the Result and its files' bytes by kind.

    `hosts` counts the workers on each host, so that the engines of each take
    their share of its cores.
    """
    with _render_lock:
        _share_cores(hosts)
        renders = Path(tempfile.gettempdir()) / f"audiobuild-render-{getpass.getuser()}"
        renders.mkdir(exist_ok=True)
        remove_stale_temporaries(renders)  # what a worker killed mid-episode left
        folder = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=renders))
        try:
            result = render(plan, folder, config, cover, cache=Path(cache).expanduser())
            prune_cache(Path(cache).expanduser(), config.cache.max_mb * MB)  # a worker's cache is its own to hold
            files = {kind: path.read_bytes() for kind, path in result.staged.items()}
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return dataclasses.replace(result, rebuilt=True, staged={}), files
