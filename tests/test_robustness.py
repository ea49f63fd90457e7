"""Bad input, crashes and concurrent builds: one clear line, a non-zero exit, an intact catalogue."""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import podcastparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from audiobuild.catalogue import Catalogue
from audiobuild.config import Podcast
from audiobuild.feed import render_feed, xml_text
from tests.conftest import EXAMPLE, REPO, tree_digest
from tests.test_catalogue import entry

GOOD_ARTICLE = "A good title\n- A question?\n- An answer.\n"
ESPEAK = ("--voices", "espeak")  # these builds are about bad input and crashes: the fast profile will do


def audiobuild(*args: str, cwd: Path = REPO, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "audiobuild", *args], cwd=cwd, capture_output=True, text=True, **options
    )


@pytest.fixture
def output(tmp_path):
    """An output folder that already holds a built episode, to prove failed runs leave it alone."""
    folder = tmp_path / "output"
    result = audiobuild("build", *ESPEAK, "-q", str(EXAMPLE), "-o", str(folder))
    assert result.returncode == 0, result.stderr
    return folder


def assert_one_clear_line(result: subprocess.CompletedProcess, *expected: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for text in expected:
        assert text in lines[0], lines[0]


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


# Each bad article: how to make it, and what its one error line must say.
BAD_ARTICLES = {
    "missing": (lambda tmp: tmp / "nope.txt", "no such file"),
    "directory": (lambda tmp: tmp, "is a directory"),
    "empty": (lambda tmp: _write(tmp / "empty.txt", b""), "is empty"),
    "whitespace only": (lambda tmp: _write(tmp / "blank.txt", b" \n\t\n  \r\n"), "is empty"),
    "an MP3": (
        lambda tmp: _write(tmp / "song.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 8),
        "binary",
    ),
    "a PNG": (lambda tmp: _write(tmp / "cover.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)), "binary"),
    "byte soup": (
        lambda tmp: _write(tmp / "soup.txt", bytes(byte or 1 for byte in random.Random(5).randbytes(20000))),
        "binary",
    ),
    "50 MB of text": (lambda tmp: _write(tmp / "huge.txt", b"All work and no play. " * 2_300_000), "are refused"),
    "only furniture": (lambda tmp: _write(tmp / "furniture.txt", b"2790 views\nShare:\nPrint:\n"), "no article text"),
    "only a title": (lambda tmp: _write(tmp / "title.txt", b"Just a title\n"), "no article text"),
}


@pytest.mark.parametrize("case", BAD_ARTICLES, ids=list(BAD_ARTICLES))
def test_bad_article(tmp_path, output, case):
    make, message = BAD_ARTICLES[case]
    (tmp_path / "in").mkdir()
    article = make(tmp_path / "in")
    before = tree_digest(output)
    result = audiobuild("build", *ESPEAK, str(article), "-o", str(output))
    assert result.returncode == 1
    assert_one_clear_line(result, str(article), message)
    assert tree_digest(output) == before


BAD_CONFIGS = {
    "syntax error": ("[podcast]\ntitle = \n", "line 2"),
    "unknown key": ("[podcast]\ncolour = 'blue'\n", "unknown key 'colour'"),
    "wrong type": ("[podcast]\nexplicit = 'no'\n", "explicit must be bool"),
    "invalid Apple category": ("[podcast]\ncategory = 'Gardening'\n", "not an Apple Podcasts category"),
    "bad base_url": ("[podcast]\nbase_url = 'ftp://example.org'\n", "absolute http(s) URL"),
    "bad cover": ("[podcast]\ncover = 'missing.png'\n", "cover is not a readable image"),
}


@pytest.mark.parametrize("case", BAD_CONFIGS, ids=list(BAD_CONFIGS))
def test_bad_config(tmp_path, output, case):
    text, message = BAD_CONFIGS[case]
    config = _write(tmp_path / "podcast.toml", text.encode())
    before = tree_digest(output)
    result = audiobuild("build", *ESPEAK, str(EXAMPLE), "-o", str(output), "--config", str(config))
    assert result.returncode == 1
    assert_one_clear_line(result, message)
    assert tree_digest(output) == before


def test_output_that_is_a_file(tmp_path):
    target = _write(tmp_path / "output", b"not a folder")
    result = audiobuild("build", *ESPEAK, str(EXAMPLE), "-o", str(target))
    assert result.returncode == 1
    assert_one_clear_line(result, str(target), "is not a folder")
    assert target.read_bytes() == b"not a folder"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run the build as another user")
def test_output_that_is_not_writable(tmp_path, output):
    # root may write anywhere, so the build runs as `nobody`, who may not write here
    article = _write(tmp_path / "new.txt", GOOD_ARTICLE.encode())
    tmp_path.chmod(0o755)
    before = tree_digest(output)
    result = subprocess.run(
        ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", sys.executable, "-m", "audiobuild",
         "build", *ESPEAK, str(article), "-o", str(output)],
        cwd=REPO, capture_output=True, text=True, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    assert result.returncode == 1
    assert_one_clear_line(result, "Permission denied")
    assert tree_digest(output) == before


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB file system of its own (tmpfs), where a build soon finds the disk full."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=True)


def test_full_disk(tmp_path, small_disk):
    output = small_disk / "output"
    first = audiobuild(
        "build", *ESPEAK, "-q", "-o", str(output), str(_write(tmp_path / "first.txt", GOOD_ARTICLE.encode()))
    )
    assert first.returncode == 0, first.stderr
    article = _write(
        tmp_path / "long.txt", ("Another title\n- Tell me more.\n- " + "We sailed on and on. " * 400).encode()
    )
    before = tree_digest(output)
    result = audiobuild("build", *ESPEAK, str(article), "-o", str(output))
    assert result.returncode == 1
    assert_one_clear_line(result, "No space left on device")
    assert tree_digest(output) == before


def test_a_different_article_with_a_published_title(tmp_path, output):
    copy = _write(tmp_path / "copy.txt", EXAMPLE.read_bytes().replace(b"bread", b"cake"))
    before = tree_digest(output)
    result = audiobuild("build", *ESPEAK, str(copy), "-o", str(output))
    assert result.returncode == 1
    assert_one_clear_line(result, str(copy), f"has the same title as {EXAMPLE.name}", "audiobuild remove")
    assert tree_digest(output) == before


def test_nasty_title_builds_and_round_trips(tmp_path):
    title = 'Q&A <b>"Ünïcödé"</b> 🎙️ — שלום עולם\u200f and مرحبا'
    article = _write(tmp_path / "nasty.txt", f"{title}\x07\n- Is it safe?\n- It is.\n".encode())
    output = tmp_path / "output"
    result = audiobuild("build", *ESPEAK, "-q", str(article), "-o", str(output))
    assert result.returncode == 0, result.stderr
    feed = etree.parse(str(output / "feed.xml"))
    assert feed.findtext("channel/item/title") == title
    parsed = podcastparser.parse("http://localhost:8000/feed.xml", (output / "feed.xml").open("rb"))
    assert parsed["episodes"][0]["title"] == title


def test_a_batch_reports_the_bad_and_builds_the_rest(tmp_path):
    good = _write(tmp_path / "good.txt", GOOD_ARTICLE.encode())
    empty = _write(tmp_path / "empty.txt", b"")
    result = audiobuild("build", *ESPEAK, str(empty), str(good), "-o", str(tmp_path / "output"))
    assert result.returncode == 1
    assert f"{empty}: is empty" in result.stderr and "1 of 2 articles failed" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(etree.parse(str(tmp_path / "output" / "feed.xml")).findall("channel/item")) == 1


# Text the feed must carry: any characters, XML specials included, without those XML forbids.
_TEXT = st.text(min_size=1, max_size=80).map(lambda text: " ".join(xml_text(text).split())).filter(bool)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(titles=st.lists(_TEXT, min_size=1, max_size=4, unique=True), description=_TEXT, author=_TEXT)
def test_feed_round_trips_any_titles(tmp_path, titles, description, author):
    # newest first, as a catalogue keeps them
    entries = [entry(f"episode-{n}", -n, title=title, description=description) for n, title in enumerate(titles)]
    podcast = Podcast(title=titles[0], author=author, description=description)
    feed = render_feed(Catalogue(tmp_path, entries), podcast)
    root = etree.fromstring(feed)
    assert [item.findtext("title") for item in root.iter("item")] == titles
    parsed = podcastparser.parse("http://localhost:8000/feed.xml", io.BytesIO(feed))
    assert [episode["title"] for episode in parsed["episodes"]] == titles
    assert parsed["title"] == titles[0]


def _articles(tmp_path: Path, count: int) -> list[Path]:
    articles = []
    for number in range(count):
        text = f"Crash test number {number}\n- What happened on day {number}?\n- The sea was calm. We sailed home.\n"
        articles.append(_write(tmp_path / f"crash-{number}.txt", text.encode()))
    return articles


def _check_catalogue(output: Path) -> int:
    """Assert the feed parses and lists only whole files; return its number of episodes."""
    if not (output / "feed.xml").exists():
        return 0
    feed = etree.parse(str(output / "feed.xml"))
    enclosures = feed.findall("channel/item/enclosure")
    for enclosure in enclosures:
        path = output / enclosure.get("url").split("localhost:8000/", 1)[1]
        assert path.stat().st_size == int(enclosure.get("length")), path
    return len(enclosures)


@pytest.mark.slow
def test_killed_builds_never_corrupt_the_catalogue(tmp_path):
    articles = _articles(tmp_path, 4)
    output = tmp_path / "output"
    rng = random.Random(20)
    for _ in range(20):
        process = subprocess.Popen(
            [sys.executable, "-m", "audiobuild", "build", *ESPEAK, "-q", "-o", str(output), *map(str, articles)],
            cwd=REPO, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        time.sleep(rng.uniform(0.05, 2.0))
        os.killpg(process.pid, signal.SIGKILL)  # the build and its workers and ffmpeg, mid-write
        process.wait()
        _check_catalogue(output)
    final = audiobuild("build", *ESPEAK, "-q", "-o", str(output), *map(str, articles))
    assert final.returncode == 0, final.stderr
    assert _check_catalogue(output) == 4
    assert not list(output.rglob(".tmp-*"))


@pytest.mark.slow
def test_two_builds_at_once_both_land_in_the_feed(tmp_path):
    first, second = _articles(tmp_path, 2)
    output = tmp_path / "output"
    command = [sys.executable, "-m", "audiobuild", "build", *ESPEAK, "-q", "-o", str(output)]
    processes = [
        subprocess.Popen([*command, str(article)], cwd=REPO, stderr=subprocess.PIPE) for article in (first, second)
    ]
    for process in processes:
        assert process.wait() == 0, process.stderr.read()
        process.stderr.close()
    assert _check_catalogue(output) == 2
