"""Everyday use as a new user meets it: dates, removing, listing, what goes to stdout and stderr, serving."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import pytest
import webvtt
from lxml import etree
from mutagen.id3 import ID3

from audiobuild.config import Config
from audiobuild.publish.cover import draw_cover
from audiobuild.publish.feed import NAMESPACES
from audiobuild.run.batch import build_all
from tests.conftest import EXAMPLE, tree_digest

pytestmark = pytest.mark.slow

TALK = (
    "Talk of the harbour\n- What happened? (Laughs.)\n- Nothing. (Laughter.) Really nothing.\n(Applause.)\n"
    "- Sure?\n- Yes.\n"
)


def audiobuild(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "audiobuild", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("everyday")
    article = folder / "talk.txt"
    article.write_text(TALK)
    output = folder / "output"
    result = audiobuild("build", str(article), str(EXAMPLE), "-o", str(output))
    assert result.returncode == 0, result.stderr
    return output, result


def test_what_was_built_goes_to_stdout_and_nothing_else_to_stderr(built):
    _, result = built
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["built", "built", "feed:"]
    assert lines[-1].endswith("(2 episodes) (`audiobuild serve` serves it)")  # nothing serves it yet


def test_quiet_silences_stdout_and_one_episode_is_one_episode(tmp_path):
    article = tmp_path / "one.txt"
    article.write_text(TALK)
    quiet = audiobuild("build", "-q", str(article), "-o", str(tmp_path / "quiet"))
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    loud = audiobuild("build", str(article), "-o", str(tmp_path / "loud"))
    assert "(1 episode)" in loud.stdout


def test_stage_directions_are_listed_as_dropped_and_neither_spoken_nor_shown(built):
    """What was heard, not said, is no one's words (issue 23): the script lists it, transcripts and speech leave it."""
    output, _ = built
    (vtt,) = (output / "transcripts").glob("talk-of-the-harbour.vtt")
    captions = [caption.text for caption in webvtt.read(str(vtt))]
    assert "What happened?" in captions and "Nothing." in captions and "Really nothing." in captions
    srt = vtt.with_suffix(".srt").read_text()
    page = (output / "index.html").read_text()
    assert not any(direction in text for direction in ("(Laughs.)", "(Laughter.)", "(Applause.)")
                   for text in (" ".join(captions), srt, page))  # fmt: skip
    script = json.loads(audiobuild("script", str(output.parent / "talk.txt"), "--format", "json").stdout)
    dropped = {(item["text"], item["reason"]) for item in script["dropped"]}
    assert {("(Laughs.)", "stage direction"), ("(Applause.)", "stage direction")} <= dropped


def test_list_shows_every_episode_and_json_for_scripts(built):
    output, result = built
    listed = audiobuild("list", "-o", str(output))
    assert listed.returncode == 0
    # The build line gives each episode the duration `list` (and the feed) give it.
    for file, duration in re.findall(r"^built (\S+) \((\d+:\d\d)\)", result.stdout, re.M):
        assert re.search(rf" {duration}  {re.escape(file)}  ", listed.stdout), (file, duration, listed.stdout)
    row = r"^talk-of-the-harbour +\d{4}-\d\d-\d\d  0:\d\d  episodes/talk-of-the-harbour.mp3 +Talk of the harbour$"
    assert re.search(row, listed.stdout, re.M), listed.stdout
    rows = json.loads(audiobuild("list", "--json", "-o", str(output)).stdout)
    assert {row["slug"] for row in rows} == {
        "talk-of-the-harbour",
        "ada-lindqvist-a-lighthouse-teaches-you-to-listen-to-the-weather",
    }
    assert all({"title", "date", "duration", "file"} <= row.keys() for row in rows)


def test_remove_takes_any_file_name_of_any_revision_and_several_at_once(tmp_path):
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(TALK)
    second.write_text("Second talk\n- Why?\n- Because.\n")
    output = tmp_path / "output"
    build_all([first, second], output, Config())
    first.write_text(TALK.replace("Yes.", "Yes, sure."))
    (rebuilt,) = build_all([first], output, Config())
    assert rebuilt.entry.stem == "talk-of-the-harbour--2"
    removed = audiobuild(
        "remove", "-o", str(output), "talk-of-the-harbour--2", "transcripts/second-talk.vtt", "secnd-talk"
    )
    assert removed.returncode == 1  # one name matched nothing
    assert removed.stdout.splitlines() == [
        "removed talk-of-the-harbour (Talk of the harbour)",
        "removed second-talk (Second talk)",
    ]
    assert (
        removed.stderr.strip() == f"audiobuild: error: {output}: no episode 'secnd-talk' (`audiobuild list` shows them)"
    )
    assert json.loads(audiobuild("list", "--json", "-o", str(output)).stdout) == []
    assert not list((output / "episodes").iterdir())


def test_an_episode_is_dated_when_added_and_its_articles_date_is_in_the_notes_and_tags(tmp_path):
    shown = audiobuild("script", str(EXAMPLE), "--format", "json")
    document = json.loads(shown.stdout)
    document["date"] = "2019-03-12"
    script = tmp_path / "dated.json"
    script.write_text(json.dumps(document))
    output = tmp_path / "output"
    assert audiobuild("build", str(script), "-o", str(output)).returncode == 0
    item = etree.parse(str(output / "feed.xml")).find("channel/item")
    added = parsedate_to_datetime(item.findtext("pubDate"))
    assert abs(added.timestamp() - datetime.now(timezone.utc).timestamp()) < 600  # apps call it new
    assert "The article was published on 12 March 2019." in item.findtext(f"{{{NAMESPACES['content']}}}encoded")
    (mp3,) = (output / "episodes").glob("*.mp3")
    assert str(ID3(mp3)["TDOR"]) == "2019"
    (tmp_path / "podcast.toml").write_text('[podcast]\nepisode_date = "article"\n')  # an archive's choice
    archive = tmp_path / "archive"
    built = audiobuild("build", str(script), "-o", str(archive), "--config", str(tmp_path / "podcast.toml"))
    assert built.returncode == 0, built.stderr
    item = etree.parse(str(archive / "feed.xml")).find("channel/item")
    assert parsedate_to_datetime(item.findtext("pubDate")).date().isoformat() == "2019-03-12"
    (mp3,) = (archive / "episodes").glob("*.mp3")
    assert str(ID3(mp3)["TDRC"]).startswith("2019-03-12")


def test_feed_takes_a_new_cover_and_checks_it_as_build_does(built, tmp_path):
    output, _ = built
    small = tmp_path / "small.png"
    from PIL import Image

    Image.new("RGB", (600, 600), "red").save(small)
    config = tmp_path / "podcast.toml"
    config.write_text(f'[podcast]\ncover = "{small}"\n')
    before = tree_digest(output)
    refused = audiobuild("feed", "-o", str(output), "--config", str(config))
    assert refused.returncode == 1 and "600x600" in refused.stderr and tree_digest(output) == before
    good = tmp_path / "good.png"
    good.write_bytes(draw_cover("A new cover"))
    config.write_text(f'[podcast]\ncover = "{good}"\n')
    assert audiobuild("feed", "-o", str(output), "--config", str(config)).returncode == 0
    assert (output / "cover.png").read_bytes() == good.read_bytes()
    # No episode got a new URL: a cover is not part of what makes an episode new.
    assert {path: digest for path, digest in tree_digest(output).items() if path.startswith("episodes/")} == {
        path: digest for path, digest in before.items() if path.startswith("episodes/")
    }
    feed = etree.parse(str(output / "feed.xml"))
    assert feed.find("channel/itunes:image", namespaces=NAMESPACES).get("href").endswith("cover.png")
    # Nor when its article is built again with the new cover: the episode is unchanged, at its URL.
    rebuilt = audiobuild("build", str(output.parent / "talk.txt"), "-o", str(output), "--config", str(config))
    assert rebuilt.returncode == 0 and rebuilt.stdout.startswith("unchanged: episodes/talk-of-the-harbour.mp3")
    assert {path: digest for path, digest in tree_digest(output).items() if path.startswith("episodes/")} == {
        path: digest for path, digest in before.items() if path.startswith("episodes/")
    }


def test_an_output_folder_that_cannot_be_entered_is_one_line(built, tmp_path):
    locked = tmp_path / "locked"
    (locked / "output").mkdir(parents=True)
    locked.chmod(0)
    try:
        # root may enter anything; without the capability to override permissions it may not either
        powers = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"] if os.geteuid() == 0 else []
        result = subprocess.run([*powers, sys.executable, "-m", "audiobuild", "feed", "-o", str(locked / "output")],
                                capture_output=True, text=True)  # fmt: skip
    finally:
        locked.chmod(0o755)
    assert result.returncode == 1 and "internal error" not in result.stderr
    assert result.stderr.strip() == f"audiobuild: error: {locked / 'output'}: cannot read: Permission denied"


def test_serve_on_this_machine_with_a_base_url_shows_the_public_links_qr_code(built, tmp_path):
    """Served on 127.0.0.1 behind a proxy at base_url: the link and QR code a phone can use are base_url's."""
    output, _ = built
    config = tmp_path / "podcast.toml"
    config.write_text('[podcast]\nbase_url = "https://pods.example.org/"\n')
    server = subprocess.Popen(
        [sys.executable, "-m", "audiobuild", "serve", "-o", str(output), "--host", "127.0.0.1", "--port", "0",
         "--config", str(config)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        lines = [server.stdout.readline() for _ in range(4)]
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert lines[1].strip() == "Subscribe in your podcast app to: https://pods.example.org/feed.xml"
    assert "base_url" in lines[2] and "https://pods.example.org/" in lines[2]
    assert set(lines[3].strip()) <= set("█▀▄ ")  # the QR code of that link
