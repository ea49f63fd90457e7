"""`audiobuild serve` and `make demo` with real clients: gPodder's `gpo` and plain HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from lxml import etree

from audiobuild.config import Config
from audiobuild.publish.feed import NAMESPACES
from audiobuild.run.batch import build_all
from tests.conftest import EXAMPLE, REPO, as_in_a_terminal

pytestmark = pytest.mark.slow


class Running:
    """A command that serves until stopped; `url` is the feed URL it printed."""

    def __init__(self, command: list[str], **options):
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
            preexec_fn=as_in_a_terminal,
            **options,
        )  # fmt: skip
        for line in self.process.stdout:  # ends when the process does, so this cannot hang on a crash
            found = re.search(r"Subscribe in your podcast app to: (\S+)", line)
            if found:
                self.url = found.group(1)
                # Its one line per request must be read, or a full pipe would stop the server.
                self.lines: list[str] = []
                threading.Thread(target=self.lines.extend, args=(self.process.stdout,), daemon=True).start()
                return
        os.killpg(self.process.pid, signal.SIGKILL)  # a failed start leaves nothing running either
        raise AssertionError(f"no feed URL printed: {self.process.stderr.read()}")

    def stop(self) -> int:
        """Ctrl-C, as a user would; return the exit code after checking nothing crashed."""
        os.killpg(self.process.pid, signal.SIGINT)
        code = self.process.wait(timeout=20)
        errors = self.process.stderr.read()
        self.process.stderr.close()
        assert "Traceback" not in errors, errors
        return code


@pytest.fixture
def served(tmp_path):
    output = tmp_path / "output"
    build_all([EXAMPLE], output, Config(), voices="espeak")
    server = Running(
        [sys.executable, "-m", "audiobuild", "serve", "-o", str(output), "--host", "127.0.0.1", "--port", "0"]
    )
    yield output, server
    assert server.stop() == 130  # Ctrl-C ends `serve` as it ends `build`: one line, exit code 130


def test_feed_follows_the_served_address_and_has_no_guid_of_a_local_address(served):
    output, server = served
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/feed\.xml", server.url)
    feed = etree.fromstring(urllib.request.urlopen(server.url, timeout=10).read())
    # Neither localhost:8000 (the first build's) nor 127.0.0.1 names the channel: it would be every install's guid.
    assert feed.find("channel/podcast:guid", namespaces=NAMESPACES) is None
    enclosure = feed.find("channel/item/enclosure").get("url")
    assert enclosure.startswith(server.url.removesuffix("feed.xml"))
    request = urllib.request.Request(enclosure, headers={"Range": "bytes=100-199"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 206
        mp3 = output / "episodes" / Path(enclosure).name
        assert response.read() == mp3.read_bytes()[100:200]


def test_gpodder_subscribes_and_downloads_the_exact_episode(served, tmp_path):
    gpo = shutil.which("gpo")
    if gpo is None:
        pytest.skip(
            "gPodder's command-line client `gpo` is not installed (Debian package gpodder; .ci/run installs it)"
        )
    output, server = served
    home, downloads = tmp_path / "gpodder-home", tmp_path / "gpodder-downloads"
    env = {**os.environ, "GPODDER_HOME": str(home), "GPODDER_DOWNLOAD_DIR": str(downloads)}
    for command in (["subscribe", server.url], ["update"], ["download"]):
        result = subprocess.run([gpo, *command], env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
    (downloaded,) = downloads.rglob("*.mp3")
    (original,) = (output / "episodes").glob("*.mp3")
    assert downloaded.name == original.name
    assert downloaded.read_bytes() == original.read_bytes()


def test_make_demo_builds_the_example_and_serves_it(tmp_path):
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    output = tmp_path / "demo"
    settings = [f"OUTPUT={output}", "HOST=127.0.0.1", "PORT=0", f"VENV={Path(sys.prefix)}"]
    demo = Running(["make", "-s", "-C", str(REPO), "demo", *settings])
    try:
        feed = etree.fromstring(urllib.request.urlopen(demo.url, timeout=10).read())
        assert feed.findtext("channel/item/title") == EXAMPLE.read_text().splitlines()[0]
    finally:
        assert demo.stop() in (2, 130, -signal.SIGINT)  # make reports the interrupt of `serve` (130) as its 2


def test_serve_stays_consistent_while_a_build_replaces_files(served, tmp_path):
    output, server = served
    article = tmp_path / "changing.txt"
    article.write_text("The changing story\n- What changed?\n- Nothing yet.\n")
    command = [sys.executable, "-m", "audiobuild", "build", "--voices", "espeak", "--publish", "-q", "-o", str(output),
               str(article)]  # fmt: skip
    assert subprocess.run(command).returncode == 0
    base = server.url.removesuffix("feed.xml")
    checked, stop, failures = [0, 0], threading.Event(), []

    def poll() -> None:
        try:
            poll_until_stopped()
        except Exception as error:  # an assertion in this thread must fail the test
            failures.append(error)

    def poll_until_stopped() -> None:  # what a podcast app does: the feed, then what it lists
        while not stop.is_set():
            feed = etree.fromstring(urllib.request.urlopen(server.url, timeout=10).read())  # never half-written
            checked[0] += 1
            for enclosure in feed.iter("enclosure"):
                try:
                    with urllib.request.urlopen(enclosure.get("url"), timeout=10) as response:
                        assert len(response.read()) == int(enclosure.get("length"))
                        checked[1] += 1
                except urllib.error.HTTPError as error:  # a replaced revision, gone after the feed moved on
                    assert error.code == 404 and enclosure.get("url").startswith(base)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        for version in range(3):
            article.write_text(f"The changing story\n- What changed?\n- Version {version} of the answer.\n")
            assert subprocess.run(command).returncode == 0
    finally:
        stop.set()
        poller.join(timeout=30)
    assert not failures, failures
    assert checked[0] > 3 and checked[1] > 3
    assert len(etree.parse(str(output / "feed.xml")).findall("channel/item")) == 2


def test_serve_on_a_busy_port_is_one_clear_line(served):
    _, server = served
    port = server.url.split(":")[2].split("/")[0]
    result = subprocess.run(
        [sys.executable, "-m", "audiobuild", "serve", "--host", "127.0.0.1", "--port", port, "-o", str(served[0])],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip() == f"audiobuild: error: 127.0.0.1:{port}: cannot listen there: Address already in use"
