"""Bad input, crashes and concurrent builds: one clear line, a non-zero exit, an intact catalogue."""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import podcastparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from audiobuild.config import Podcast
from audiobuild.publish.catalogue import Catalogue
from audiobuild.publish.feed import render_feed, xml_text
from audiobuild.read.sources import MAX_WORD_CHARACTERS
from tests.conftest import EXAMPLE, REPO, tree_digest
from tests.test_catalogue import entry

GOOD_ARTICLE = "A good title\n- A question?\n- An answer.\n"
ESPEAK = ("--voices", "espeak", "--publish")  # about bad input and crashes: the fast profile will do


def audiobuild(*args: str, cwd: Path | None = None, **options) -> subprocess.CompletedProcess:
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
    "a FIFO nobody writes to": (lambda tmp: _fifo(tmp / "fifo"), "is empty"),
    "an endless device": (lambda tmp: Path("/dev/zero"), "larger than 5 MB"),
    "only a title": (lambda tmp: _write(tmp / "title.txt", b"Just a title\n"), "no article text"),
    # 26 marks were published as a 5-second episode of silence.
    "only punctuation": (lambda tmp: _write(tmp / "marks.txt", b"A title\n\n" + b"?!" * 13 + b"\n"),
                         "no article text to speak"),
}


@pytest.mark.parametrize("case", BAD_ARTICLES, ids=list(BAD_ARTICLES))
def test_bad_article(tmp_path, output, case):
    make, message = BAD_ARTICLES[case]
    (tmp_path / "in").mkdir()
    article = make(tmp_path / "in")
    before = tree_digest(output)
    result = audiobuild("build", *ESPEAK, str(article), "-o", str(output), timeout=120)  # a hang is a failure
    assert result.returncode == 1
    assert_one_clear_line(result, str(article), message)
    assert tree_digest(output) == before


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


BAD_CONFIGS = {
    "syntax error": ("[podcast]\ntitle = \n", "line 2"),
    "unknown key": ("[podcast]\ncolour = 'blue'\n", "unknown key 'colour'"),
    "wrong type": ("[podcast]\nexplicit = 'no'\n", "explicit must be bool"),
    "invalid Apple category": ("[podcast]\ncategory = 'Gardening'\n", "not an Apple Podcasts category"),
    "bad base_url": ("[podcast]\nbase_url = 'ftp://example.org'\n", "absolute http(s) URL"),
    "bad cover": ("[podcast]\ncover = 'missing.png'\n", "no such file (the cover podcast.toml names)"),
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


@pytest.fixture
def read_only(output):
    """`output`, made read-only for this process: root may write anywhere but to a read-only mount.

    (Running the build as another user would need this checkout to be readable by that user,
    which it is not when it lies in a private folder.)
    """
    if os.geteuid() != 0:
        for path in [output, *output.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
        yield output
        for path in [output, *output.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
        return
    mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(output), str(output)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount the output folder read-only here: {mounted.stderr.decode().strip()}")
    try:
        yield output
    finally:
        subprocess.run(["umount", str(output)], check=True)


def test_output_that_is_not_writable(tmp_path, read_only):
    article = _write(tmp_path / "new.txt", GOOD_ARTICLE.encode())
    before = tree_digest(read_only)
    result = audiobuild("build", *ESPEAK, str(article), "-o", str(read_only))
    assert result.returncode == 1
    assert_one_clear_line(result, str(read_only), "cannot write")
    assert result.stdout == ""  # no "feed: ..." line after it
    assert tree_digest(read_only) == before


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
    # Markup in the title is markup (issue 23): "<b>" is not read or shown; "1 < 2" and "&" are text.
    title = 'Q&A "Ünïcödé" 🎙️ — 1 < 2 — שלום עולם\u200f and مرحبا'
    written = title.replace('"Ünïcödé"', '<b>"Ünïcödé"</b>')
    article = _write(tmp_path / "nasty.txt", f"{written}\x07\n- Is it safe?\n- It is.\n".encode())
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
    feed = render_feed(Catalogue.of(tmp_path, entries), podcast)
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
            stderr=subprocess.DEVNULL, start_new_session=True,
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
        subprocess.Popen([*command, str(article)], stderr=subprocess.PIPE) for article in (first, second)
    ]
    for process in processes:
        assert process.wait() == 0, process.stderr.read()
        process.stderr.close()
    assert _check_catalogue(output) == 2


def test_file_names_in_error_lines_cannot_drive_the_terminal(tmp_path):
    name = tmp_path / "evil\n\x1b[31mname.txt"
    result = audiobuild("build", str(name), "-o", str(tmp_path / "out"))
    assert_one_clear_line(result, "evil\\x0a\\x1b[31mname.txt", "no such file")


def test_other_libraries_warnings_stay_off_the_terminal_unless_verbose(tmp_path):
    # A page of 3,000 nested <div>s: trafilatura logs "discarding data" at WARNING.
    page = "<div>" * 3000 + "<p>" + "Some article text here. " * 20 + "</p>" + "</div>" * 3000
    html = f"<html><head><title>Deep</title></head><body>{page}</body></html>"
    article = _write(tmp_path / "deep.html", html.encode())
    quiet = audiobuild("script", str(article))
    assert_one_clear_line(quiet, "has no article text")
    assert "discarding data" in audiobuild("script", str(article), "-v").stderr


@pytest.fixture
def crashing(tmp_path):
    """A podcast.toml whose lexicon makes espeak-ng crash (a segmentation fault) on "Boom"."""
    return _write(tmp_path / "podcast.toml", b'[lexicon]\n"Boom" = { pyttsx3 = "' + b"a" * 2000 + b'" }\n')


@pytest.mark.slow
def test_an_engine_crash_costs_only_the_article_that_caused_it(tmp_path, crashing):
    bad = _write(tmp_path / "bad.txt", b"A loud story\n- What went boom?\n- Boom went the gun at noon.\n")
    good = _articles(tmp_path, 2)
    output = tmp_path / "output"
    result = audiobuild("build", *ESPEAK, "-o", str(output), "--config", str(crashing), str(bad), *map(str, good))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "error" in line or "failed" in line]
    assert errors == [
        f"audiobuild: error: {bad}: the speech engine crashed on the sentence 'Boom went the gun at noon.' (reword it)",
        "audiobuild: 1 of 3 articles failed",
    ], result.stderr
    assert "Traceback" not in result.stderr and "overflow" not in result.stderr
    assert _check_catalogue(output) == 2
    assert not list(output.rglob(".tmp-*"))
    alone = audiobuild("build", *ESPEAK, "-o", str(output), "--config", str(crashing), str(bad))
    assert_one_clear_line(alone, str(bad), "the speech engine crashed")


def _children(pid: int) -> set[int]:
    """Every process below `pid` (workers, their ffmpeg), from /proc."""
    parents = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:  # ended while being read
            continue
        parents[int(status.parent.name)] = int(fields["PPid"])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.mark.slow
def test_a_killed_batch_leaves_no_worker_running_or_writing(tmp_path):
    articles = _articles(tmp_path, 4)
    output = tmp_path / "output"
    build = subprocess.Popen(
        [sys.executable, "-m", "audiobuild", "build", *ESPEAK, "-q", "-j", "2", "-o", str(output), *map(str, articles)],
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(_children(build.pid)) < 3 and time.monotonic() < deadline:  # two workers and an encoder at least
        time.sleep(0.01)
    workers = _children(build.pid)
    assert len(workers) >= 2, "the batch never started its workers"
    build.kill()  # kill -9 of the batch alone, not of its process group
    build.wait()
    # The kernel signals the children at once; on a busy machine they may take a moment to be reaped.
    deadline = time.monotonic() + 10
    while (alive := {pid for pid in workers if Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid)}) and (
            time.monotonic() < deadline):  # fmt: skip
        time.sleep(0.1)
    assert not alive, f"processes of the batch outlived it: {alive}"
    before = tree_digest(output)
    time.sleep(1)
    assert tree_digest(output) == before  # nobody writes afterwards


def _state(pid: int) -> str:
    try:
        return next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("State"))
    except (OSError, StopIteration):
        return "gone"


# ---------------------------------------------------------------------------
# Work in proportion to the input: hostile text of growing size, timed


def _random_word(characters: str) -> Callable[[random.Random, int], str]:
    return lambda rng, length: "".join(rng.choice(characters) for _ in range(length))


# Words of the kinds that made the parser's patterns backtrack: (a random generator, a length) -> a word.
HOSTILE_WORDS = {
    "capitals": _random_word("ABCDEFGH"),
    "punctuation": _random_word("!?.,;:-()[]*_\"'"),
    "initials": lambda rng, length: "A." * (length // 2),
    "digits": _random_word("0123456789.,:-"),
    "mixed": _random_word("aB1.-:*_(/"),
}


def _seconds(work: Callable[[], object]) -> float:
    """The CPU time `work` takes, the least of three runs (the machine is shared)."""
    times = []
    for _ in range(3):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return min(times)


def _ratio(work: Callable[[int], object], size: int) -> float:
    """How much longer `work(4 * size)` takes than `work(size)`."""
    work(1)  # tables, models and voices loaded
    small, large = _seconds(lambda: work(size)), _seconds(lambda: work(4 * size))
    return large / max(small, 0.01)


def _script_of_words(tmp_path: Path, kind: str, words: int, length: int) -> str:
    from audiobuild.config import Config
    from audiobuild.run.pipeline import show_script

    rng = random.Random(words)
    text = " ".join(HOSTILE_WORDS[kind](rng, length) for _ in range(words))
    article = f"A title\n\nBy Jane Roe\n\nAn intro. {text} The end.\n\nQ: Why?\n\nA: So.\n"
    return show_script(str(_write(tmp_path / "long.txt", article.encode())), Config(), voices="espeak")


@pytest.mark.slow
@pytest.mark.parametrize("kind", HOSTILE_WORDS)
def test_the_script_of_long_words_takes_time_in_proportion_to_its_size(tmp_path, kind):
    # Four times as many words just under the limit: four times the time, not sixteen.
    assert _ratio(lambda words: _script_of_words(tmp_path, kind, words, MAX_WORD_CHARACTERS - 2), 8) < 8
    # The same 64 KB in words four times as long: about the same time (a word's square was 4 times as long).
    assert _ratio(lambda scale: _script_of_words(tmp_path, kind, 256 // scale, 250 * scale), 1) < 2.5


@pytest.mark.slow
def test_an_intro_made_of_names_takes_time_in_proportion_to_its_size():
    from audiobuild.parse import parse_article

    def intro(names: int) -> object:
        rng = random.Random(names)
        syllables = ["ka", "lo", "mi", "ra", "te", "su", "no", "vi", "de", "ba"]
        words = [" ".join("".join(rng.choices(syllables, k=3)).title() for _ in range(2)) for _ in range(names)]
        return parse_article("An interview\n\n" + ", ".join(words) + ".\n\nQ: What?\n\nA: Yes.\n")

    assert _ratio(intro, 4000) < 8  # 60 KB, then 240 KB; the 499 KB intro took 30 s


@pytest.mark.slow
def test_turns_of_many_speakers_take_time_in_proportion_to_their_number():
    from audiobuild.parse import parse_article
    from audiobuild.parse.cast import MAX_SPEAKERS

    def turns(count: int) -> object:
        names = [f"SPEAKER {''.join('ABCDEFGHIJ'[int(digit)] for digit in str(number))}X"
                 for number in range(MAX_SPEAKERS)]  # fmt: skip
        return parse_article("An interview\n\n" + "\n\n".join(f"{names[index % MAX_SPEAKERS]}: Words, in a sentence."
                                                              for index in range(count)))  # fmt: skip

    assert _ratio(turns, 500) < 8


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
@pytest.mark.parametrize("held", [False, True])
def test_a_worker_gives_freed_blocks_back_to_the_system(held):
    # After a large block is freed, glibc serves the next ones of 1 MB from its heaps, which do not shrink;
    # a worker holds the threshold, so each is mapped on its own (its bytes count in mallinfo2's hblkhd).
    code = f"""
import ctypes, ctypes.util
import numpy
from audiobuild.run.workers import return_freed_blocks
FIELDS = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"
class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in FIELDS.split()]
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.mallinfo2.restype = Info
if {held}:
    return_freed_blocks()
big = numpy.ones(4 << 20, dtype=numpy.uint8)
del big
before = libc.mallinfo2().hblkhd
block = numpy.ones(1 << 20, dtype=numpy.uint8)
print(libc.mallinfo2().hblkhd - before)
"""
    mapped = int(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                                cwd=REPO).stdout)  # fmt: skip
    assert (mapped >= 1 << 20) is held
