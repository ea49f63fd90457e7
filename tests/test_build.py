"""End to end: real articles through the real engine, ffmpeg, mutagen and feed parsers."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import podcastparser
import pytest
from lxml import etree
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from audiobuild.build import build_all
from audiobuild.config import Config
from audiobuild.feed import NAMESPACES
from audiobuild.assemble import pause_before
from tests.audio import decode, median_pitch
from tests.conftest import EXAMPLE, REPO, shared_article

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def galuzin(tmp_path_factory):
    output = tmp_path_factory.mktemp("galuzin") / "output"
    (result,) = build_all([shared_article("galuzin-moscow-baku-allies.txt")], output, Config())
    return output, result


def items(output: Path) -> list:
    return etree.parse(str(output / "feed.xml")).getroot().xpath("/rss/channel/item")


def test_mp3_duration_is_the_sum_of_speech_and_pauses(galuzin):
    output, result = galuzin
    script, spans = result.script, result.spans
    pauses = Config().pauses
    clips = [type("Clip", (), {"segment": span.segment})() for span in spans]
    silence = sum(pause_before(script, prev, clip, pauses) for prev, clip in zip([None, *clips], clips))
    expected = sum(span.end_ms - span.start_ms for span in spans) + silence + pauses.tail
    length = MP3(output / result.entry.file).info.length * 1000
    assert abs(length - expected) < 0.01 * expected


def test_tags_read_back(galuzin):
    output, result = galuzin
    tags = ID3(output / result.entry.file)
    assert tags.version == (2, 3, 0)
    assert str(tags["TIT2"]) == "Mikhail Galuzin: Moscow and Baku develop relations as allies"
    assert str(tags["TPE1"]) == "Mikhail Galuzin"
    assert str(tags["TALB"]) == Config().podcast.title
    assert str(tags["TCON"]) == "Podcast"
    assert tags["PCST"].value == 1
    assert str(tags["TDRC"]) == result.entry.published.strftime("%Y-%m-%d %H:%M:%S")
    assert "synthetic" in str(tags["COMM::eng"])


def test_feed_describes_the_file_exactly(galuzin):
    output, result = galuzin
    (item,) = items(output)
    mp3 = output / result.entry.file
    enclosure = item.find("enclosure")
    assert int(enclosure.get("length")) == mp3.stat().st_size
    assert enclosure.get("url") == "http://localhost:8000/episodes/" + mp3.name
    duration = item.find("itunes:duration", NAMESPACES).text
    assert int(duration) == round(MP3(mp3).info.length)
    parsed = podcastparser.parse("http://localhost:8000/feed.xml", (output / "feed.xml").open("rb"))
    (episode,) = parsed["episodes"]
    assert episode["enclosures"][0]["file_size"] == mp3.stat().st_size
    assert "synthetic" in episode["description"] and "synthetic" in parsed["description"]


def test_furniture_never_reaches_the_audio(galuzin):
    _, result = galuzin
    spoken = " ".join(span.text for span in result.spans)
    for furniture in ("2790 views", "Поделиться", "Print:"):
        assert furniture not in spoken
    assert spoken.count("Moscow and Baku develop relations as allies") == 1
    assert "synthetic" in spoken  # the AI disclosure is said aloud


def test_interviewer_and_interviewee_differ_in_pitch(galuzin):
    output, result = galuzin
    samples = decode(output / result.entry.file)
    by_role: dict[str, list] = {"interviewer": [], "interviewee": []}
    for span in result.spans:
        role = result.script.segments[span.segment].role
        if role in by_role:
            by_role[role].append(samples[span.start_ms * 22050 // 1000 : span.end_ms * 22050 // 1000])
    import numpy

    pitch = {role: median_pitch(numpy.concatenate(parts)) for role, parts in by_role.items()}
    assert max(pitch.values()) / min(pitch.values()) >= 1.3, pitch


def test_cover_is_a_square_rgb_png(galuzin):
    from PIL import Image

    output, _ = galuzin
    with Image.open(output / "cover.png") as cover:
        assert cover.format == "PNG" and cover.mode == "RGB"
        assert cover.size[0] == cover.size[1] and 1400 <= cover.size[0] <= 3000


def cli_build(output: Path, *articles: Path, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "audiobuild", "build", *map(str, articles), "-o", str(output), *extra],
        cwd=REPO,
        capture_output=True,
        text=True,
    )


def test_cli_builds_adds_and_rebuilds_with_stable_guids(tmp_path):
    galuzin_article = shared_article("galuzin-moscow-baku-allies.txt")
    output = tmp_path / "output"
    first = cli_build(output, EXAMPLE, extra=("-v",))
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""  # the engine's "Audio saved to" chatter is kept out
    assert "dropped view counter: '1204 views'" in first.stderr
    (only,) = items(output)
    guid, pub_date = only.findtext("guid"), only.findtext("pubDate")

    second = cli_build(output, galuzin_article)
    assert second.returncode == 0, second.stderr
    titles = [item.findtext("title") for item in items(output)]
    assert titles == [
        "Mikhail Galuzin: Moscow and Baku develop relations as allies",
        "Ada Lindqvist: A lighthouse teaches you to listen to the weather",
    ]

    rebuilt = cli_build(output, EXAMPLE, extra=("-q",))
    assert rebuilt.returncode == 0 and rebuilt.stderr == ""
    example_item = next(item for item in items(output) if item.findtext("title").startswith("Ada"))
    assert (example_item.findtext("guid"), example_item.findtext("pubDate")) == (guid, pub_date)
    assert len(items(output)) == 2


def test_batch_builds_the_good_articles_and_reports_the_bad(tmp_path):
    output = tmp_path / "output"
    result = cli_build(output, tmp_path / "missing.txt", EXAMPLE)
    assert result.returncode == 1
    assert "missing.txt: no such file" in result.stderr
    assert len(items(output)) == 1


def test_make_demo_target_builds_the_example(tmp_path):
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    result = subprocess.run(
        ["make", "-s", "demo", f"OUTPUT={tmp_path / 'demo'}", f"VENV={Path(sys.prefix)}"],
        cwd=REPO, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "demo" / "feed.xml").is_file()
    assert "feed:" in result.stderr
