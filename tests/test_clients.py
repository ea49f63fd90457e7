"""`audiobuild serve` and `make demo` with real clients: gPodder's `gpo` and plain HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from lxml import etree

from audiobuild.build import build_all
from audiobuild.config import Config
from tests.conftest import EXAMPLE, REPO

pytestmark = pytest.mark.slow


class Running:
    """A command that serves until stopped; `url` is the feed URL it printed."""

    def __init__(self, command: list[str], **options):
        self.process = subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
            **options,
        )  # fmt: skip
        for line in self.process.stdout:  # ends when the process does, so this cannot hang on a crash
            found = re.search(r"Subscribe in your podcast app to: (\S+)", line)
            if found:
                self.url = found.group(1)
                return
        raise AssertionError(f"no feed URL printed: {self.process.stderr.read()}")

    def stop(self) -> int:
        """Ctrl-C, as a user would; return the exit code after checking nothing crashed."""
        os.killpg(self.process.pid, signal.SIGINT)
        code = self.process.wait(timeout=20)
        errors = self.process.stderr.read()
        self.process.stdout.close()
        self.process.stderr.close()
        assert "Traceback" not in errors, errors
        return code


@pytest.fixture
def served(tmp_path):
    output = tmp_path / "output"
    build_all([EXAMPLE], output, Config())
    server = Running([sys.executable, "-m", "audiobuild", "serve", "-o", str(output), "--host", "127.0.0.1", "--port", "0"])
    yield output, server
    assert server.stop() == 0


def test_feed_follows_the_served_address(served):
    output, server = served
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/feed\.xml", server.url)
    feed = etree.fromstring(urllib.request.urlopen(server.url, timeout=10).read())
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
        pytest.skip("gPodder's command-line client `gpo` is not installed (Debian package gpodder; .ci/run installs it)")
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
    demo = Running(
        ["make", "-s", "demo", f"OUTPUT={output}", "HOST=127.0.0.1", "PORT=0", f"VENV={Path(sys.prefix)}"]
    )
    try:
        feed = etree.fromstring(urllib.request.urlopen(demo.url, timeout=10).read())
        assert feed.findtext("channel/item/title") == EXAMPLE.read_text().splitlines()[0]
    finally:
        assert demo.stop() in (0, -signal.SIGINT)  # make itself reports the interrupt
