"""A soak test: builds, edits and removes of the same and different articles at once, some killed with SIGKILL.

Meanwhile a client polls the feed through a real server and fetches what it
lists, as podcast apps do, logging a hash per URL: a URL must never serve two
different byte streams. Afterwards every enclosure exists with its listed
length, and no process of any build is left.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from lxml import etree

from audiobuild.serve import server as serve
from tests.test_robustness import _children, _state

pytestmark = pytest.mark.slow

ARTICLES = 4
ROUNDS = 16


def _article(folder: Path, number: int, version: int) -> Path:
    path = folder / f"story-{number}.txt"
    path.write_text(f"Soak story {number}\n- What happened, take {version}?\n- Version {version} of the answer.\n")
    return path


class Client:
    """Polls the feed and everything it lists; remembers the hash of every URL it was ever served."""

    def __init__(self, feed_url: str):
        self.feed_url, self.seen, self.conflicts, self.fetched = feed_url, {}, set(), 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        while not self.stop.is_set():
            try:
                feed = etree.fromstring(urllib.request.urlopen(self.feed_url, timeout=10).read())
            except urllib.error.HTTPError:  # no feed yet
                time.sleep(0.05)
                continue
            urls = [element.get("url") for element in feed.iter("enclosure", "{*}transcript", "{*}chapters")]
            for url in urls:
                self._fetch(url)

    def _fetch(self, url: str) -> None:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                digest = hashlib.sha256(response.read()).hexdigest()
        except urllib.error.HTTPError as error:
            assert error.code == 404  # replaced or removed since the feed was read
            return
        self.fetched += 1
        if self.seen.setdefault(url, digest) != digest:
            self.conflicts.add(url)


def test_concurrent_builds_edits_and_removes_with_kills(tmp_path):
    output = tmp_path / "output"
    output.mkdir()
    server = serve.make_server(output, "127.0.0.1", 0)
    threading.Thread(target=serve.serve_forever, args=(server,), daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    config = tmp_path / "podcast.toml"
    config.write_text(f'[podcast]\nbase_url = "{base_url}"\n')
    client = Client(base_url + "feed.xml")
    rng, versions = random.Random(7), itertools.count()
    command = [sys.executable, "-m", "audiobuild"]
    running: list[subprocess.Popen] = []
    family: set[int] = set()  # every process of every build, seen while it ran
    try:
        for _ in range(ROUNDS):
            # Two or three different edits of one article at once, and now and then a remove or another article.
            story = rng.randrange(ARTICLES)
            actions = [["build", str(_article(tmp_path, story, next(versions)))] for _ in range(rng.choice((2, 3)))]
            if rng.random() < 0.4:
                actions.append(["remove", f"soak-story-{rng.randrange(ARTICLES)}"])
            if rng.random() < 0.5:
                actions.append(["build", str(_article(tmp_path, rng.randrange(ARTICLES), next(versions)))])
            for args in actions:
                options = [args[0], "-q", "-o", str(output), "--config", str(config), *args[1:]]
                running.append(
                    subprocess.Popen([*command, *options], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                )
                time.sleep(rng.uniform(0, 0.2))
            time.sleep(rng.uniform(0.1, 1.5))
            for process in running:
                family |= _children(process.pid)
                if process.poll() is None and rng.random() < 0.4:
                    process.send_signal(signal.SIGKILL)  # the build alone: its workers must end by themselves
            for process in running:
                process.wait()
            running.clear()
        articles = [str(_article(tmp_path, number, 0)) for number in range(ARTICLES)]
        settle = subprocess.run(
            [*command, "build", "-q", "-o", str(output), "--config", str(config), *articles],
            capture_output=True, text=True,
        )  # fmt: skip
        assert settle.returncode == 0, settle.stderr
        time.sleep(1)  # the client reads the settled feed once more
    finally:
        for process in running:
            process.kill()
        client.stop.set()
        client.thread.join(timeout=30)
        server.shutdown()
    assert not client.conflicts, f"URLs that served two different byte streams: {client.conflicts}"
    assert client.fetched > 20
    feed = etree.parse(str(output / "feed.xml"))
    enclosures = feed.findall("channel/item/enclosure")
    assert len(enclosures) == ARTICLES
    for enclosure in enclosures:
        path = output / enclosure.get("url").split("/", 3)[3]
        assert path.stat().st_size == int(enclosure.get("length"))
    alive = [pid for pid in family if _state(pid) not in ("gone",) and "zombie" not in _state(pid)]
    assert not alive, f"processes of killed builds still running: {alive}"
