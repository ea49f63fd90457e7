"""Batches on a real Dask cluster: `dask scheduler` and two `dask worker`s on 127.0.0.1, as a newsroom runs them."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audiobuild.config import Cluster, Config
from audiobuild.publish.catalogue import load_catalogue
from audiobuild.run.batch import build_all
from tests.conftest import REPO

pytestmark = pytest.mark.slow
distributed = pytest.importorskip("distributed", reason="the cluster extra is not installed")

DASK = Path(sys.executable).parent / "dask"


def _articles(folder: Path, count: int) -> list[Path]:
    articles = []
    for number in range(count):
        article = folder / f"story-{number}.txt"
        article.write_text(
            f"Harbour story {number}\n- What happened on day {number}?\n- The sea was calm. We sailed home at noon.\n"
            f"- And then?\n- Then the wind turned, and story {number} was over. "
            + " ".join(f"On the {day}th day of the voyage we counted {day * 7} gulls." for day in range(4, 12))
            + "\n"
        )
        articles.append(article)
    return articles


class Cluster_:
    """A scheduler and workers started as the README says, each in a process group of its own."""

    def __init__(self, folder: Path):
        self.folder, self.workers = folder, []
        scheduler_file = folder / "scheduler.json"
        self.scheduler = self._start([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                      "--scheduler-file", str(scheduler_file)])  # fmt: skip
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.address = json.loads(scheduler_file.read_text())["address"]

    def _start(self, command: list[str], **options) -> subprocess.Popen:
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                                **options)  # fmt: skip

    def add_worker(self, env: dict | None = None) -> subprocess.Popen:
        worker = self._start([str(DASK), "worker", self.address, "--nworkers", "1", "--nthreads", "1",
                              "--no-dashboard", "--host", "127.0.0.1"], env=env)  # fmt: skip
        self.workers.append(worker)
        return worker

    def wait_for(self, count: int) -> None:
        with distributed.Client(self.address, timeout="30s") as client:
            client.wait_for_workers(count, timeout=120)

    def stop(self) -> None:
        for process in [*self.workers, self.scheduler]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def cluster(tmp_path):
    running = Cluster_(tmp_path)
    try:
        yield running
    finally:
        running.stop()


def _published(output: Path) -> dict[str, dict]:
    """What matters of each episode: its entry (but when it was built) and its chapters and transcript."""
    episodes = {}
    for entry in load_catalogue(output).entries:
        cues = json.loads((output / entry.transcript_file("json")).read_text())["segments"]
        episodes[entry.slug] = {
            "facts": (entry.title, entry.guid, entry.fingerprint, entry.people),
            "chapters": [(chapter.title, chapter.start_ms, chapter.end_ms) for chapter in entry.chapters],
            "cues": [(cue.get("speaker"), cue["body"], cue["startTime"] * 1000, cue["endTime"] * 1000) for cue in cues],
            "duration": entry.duration,
        }
    return episodes


def _same_times(these: list[tuple], those: list[tuple]) -> bool:
    """The same text in the same order, at the same times within 1% (as the durations) or 20 ms.

    espeak-ng is not quite deterministic: the same sentence in the same voice
    comes out a few samples longer or shorter from one process to another (and
    after another voice), and a clip cache of the workers' own holds their own.
    """
    return [item[:-2] for item in these] == [item[:-2] for item in those] and all(
        abs(a - b) <= max(20, 0.01 * b) for one, other in zip(these, those) for a, b in zip(one[-2:], other[-2:])
    )


def test_a_cluster_builds_what_the_local_pool_builds(tmp_path, cluster):
    cluster.add_worker()
    cluster.add_worker()
    cluster.wait_for(2)
    articles = _articles(tmp_path, 6)
    config = Config(cluster=Cluster(cache=str(tmp_path / "worker-cache")))
    # espeak's voices: Piper draws fresh noise for every synthesis, so its clips differ between any two builds.
    remote = build_all(articles, tmp_path / "remote", config, "espeak", cluster=cluster.address)
    local = build_all(articles, tmp_path / "local", Config(), "espeak")
    assert len(remote) == len(local) == 6
    on_cluster, here = _published(tmp_path / "remote"), _published(tmp_path / "local")
    assert on_cluster.keys() == here.keys()
    for slug, episode in on_cluster.items():
        assert episode["facts"] == here[slug]["facts"]
        assert _same_times(episode["chapters"], here[slug]["chapters"])
        assert _same_times(episode["cues"], here[slug]["cues"])
        assert episode["duration"] == pytest.approx(here[slug]["duration"], rel=0.01)
    assert list((tmp_path / "worker-cache").rglob("*.wav"))  # the workers' own clip cache
    assert not list((tmp_path / "remote").rglob(".tmp-*"))


def test_a_worker_killed_mid_batch_costs_no_episode(tmp_path, cluster):
    scratch = tmp_path / "workers-tmp"  # the workers' temporary folder, to see what a killed one leaves
    scratch.mkdir()
    victim = cluster.add_worker(env={**os.environ, "TMPDIR": str(scratch)})
    cluster.add_worker(env={**os.environ, "TMPDIR": str(scratch)})
    cluster.wait_for(2)
    articles = _articles(tmp_path, 6)
    output = tmp_path / "output"
    build = subprocess.Popen(
        [sys.executable, "-m", "audiobuild", "build", "--voices", "espeak", "--publish", "-o", str(output),
         "--cluster", cluster.address, *map(str, articles)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    first = build.stdout.readline()  # one episode is back: the others are being rendered or queued
    assert first.startswith("built "), build.stderr.read()
    os.killpg(victim.pid, signal.SIGKILL)
    stdout, stderr = build.communicate(timeout=600)
    assert build.returncode == 0, stderr
    slugs = [entry.slug for entry in load_catalogue(output).entries]
    assert sorted(slugs) == sorted(set(slugs)) and len(slugs) == 6
    assert (first + stdout).count("built ") == 6
    assert not list(output.rglob(".tmp-*"))
    assert not [path for path in scratch.glob("audiobuild-render*/**/*") if path.is_file()]  # the next render's


def test_a_worker_of_another_version_is_one_line_and_nothing_is_built(tmp_path, cluster):
    other = tmp_path / "other-audiobuild"
    shutil.copytree(REPO / "audiobuild", other / "audiobuild")
    init = other / "audiobuild" / "__init__.py"
    init.write_text(init.read_text().replace("__version__ = ", "__version__ = '0.0.1-other'  # ", 1))
    cluster.add_worker(env={**os.environ, "PYTHONPATH": str(other)})
    cluster.wait_for(1)
    output = tmp_path / "output"
    result = subprocess.run(
        [sys.executable, "-m", "audiobuild", "build", "--voices", "espeak", "--publish", "-o", str(output),
         "--cluster", cluster.address, *map(str, _articles(tmp_path, 2))],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("audiobuild: error: tcp://127.0.0.1:") and "runs audiobuild 0.0.1-other; this is" in line
    assert not list(output.rglob("*.mp3"))


def test_follow_renders_a_feeds_new_items_on_the_cluster(tmp_path, cluster):
    from tests.test_follow import DAY, rss

    cluster.add_worker()
    cluster.wait_for(1)
    items = [
        {"title": article.stem, "link": f"http://example.org/{article.stem}", "guid": article.stem, "date": DAY,
         "text": "".join(f"<p>{line}</p>" for line in article.read_text().splitlines())}
        for article in _articles(tmp_path, 2)
    ]  # fmt: skip
    feed = tmp_path / "feed.xml"
    feed.write_text(rss(items, full_text=True))
    worker_cache = tmp_path / "worker-cache"
    (tmp_path / "podcast.toml").write_text(f'[cluster]\ncache = "{worker_cache}"\n')
    output = tmp_path / "output"
    result = subprocess.run(
        [sys.executable, "-m", "audiobuild", "follow", "--voices", "espeak", "-o", str(output), "--config",
         str(tmp_path / "podcast.toml"), "--cluster", cluster.address, str(feed)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(load_catalogue(output).entries) == 2
    assert list(worker_cache.rglob("*.wav"))  # rendered by the worker, whose clip cache is its own
    assert not list((output / ".cache").rglob("*.wav"))


def test_workers_start_their_engines_while_the_client_plans(tmp_path, cluster):
    from audiobuild.run.cluster import ClusterPool
    from audiobuild.voice.engines import DEFAULT_ENGINE, get_engine

    cluster.add_worker()
    cluster.wait_for(1)
    with ClusterPool(cluster.address, str(tmp_path / "cache"), {DEFAULT_ENGINE}) as pool:
        distributed.wait(pool._warming, timeout=120)
        (started,) = pool._client.run(get_engine.cache_info).values()  # no episode was rendered
    assert started.currsize == 1


def test_a_worker_holds_its_own_clip_cache_to_the_cap(tmp_path, cluster):
    from audiobuild.config import Cache

    cluster.add_worker()
    cluster.wait_for(1)
    first, second = tmp_path / "gulls.txt", tmp_path / "nets.txt"
    first.write_text("Gulls\n- How many gulls?\n- Seventy, on the mast.\n")
    second.write_text("Nets\n- Who mends the nets?\n- My father does.\n")
    cache = tmp_path / "worker-cache"
    config = Config(cluster=Cluster(cache=str(cache)), cache=Cache(max_mb=0))
    build_all([first], tmp_path / "output", config, "espeak", cluster=cluster.address)
    old = set(cache.rglob("*.wav"))
    for path in old:  # last read a day ago
        os.utime(path, ns=(time.time_ns() - 24 * 3600 * 10**9, path.stat().st_mtime_ns))
    build_all([second], tmp_path / "output", config, "espeak", cluster=cluster.address)
    new = set(cache.rglob("*.wav"))
    assert len(old) > 2 and len(new) > 2 and len(old & new) == 1  # only the disclosure's, read by both, stays
