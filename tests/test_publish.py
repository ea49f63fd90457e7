"""Publishing: revisions chosen under the lock, builds and removes that overlap, the channel's guid."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import podcastparser
import pytest
from lxml import etree
from mutagen.id3 import ID3

from audiobuild.config import Config, Podcast
from audiobuild.errors import AudiobuildError, InputError
from audiobuild.model import Encoding
from audiobuild.parse import parse_article
from audiobuild.publish.catalogue import load_catalogue
from audiobuild.publish.cover import draw_cover
from audiobuild.publish.episodes import feed_address, publish, remove_episodes, update_catalogue
from audiobuild.publish.feed import NAMESPACES, podcast_guid
from audiobuild.run.batch import build_all
from audiobuild.run.pipeline import DESCRIPTION_LENGTH, Plan, _fingerprint, description, plan_episode, prepare, render
from tests.conftest import tree_digest
from tests.test_catalogue import entry

CONFIG = Config()
COVER = draw_cover("Test")


def plan(output: Path, text: str, name: str = "story.txt", config: Config = CONFIG) -> Plan:
    article = output.parent / name
    article.write_text(text)
    return plan_episode(str(article), load_catalogue(output), config, prepare(config))


def build(output: Path, text: str, name: str = "story.txt"):
    planned = plan(output, text, name)
    return publish(output, render(planned, output, CONFIG, COVER), planned, CONFIG, COVER)


def digests(output: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in (output / "episodes").glob("*.mp3")}


STORY = "The harbour story\n- What happened?\n- {answer}\n"


def test_two_edits_built_at_once_get_revisions_of_their_own(tmp_path):
    output = tmp_path / "output"
    build(output, STORY.format(answer="The first telling."))
    first_edit = plan(output, STORY.format(answer="A second telling."))
    second_edit = plan(output, STORY.format(answer="A third telling, longer."))
    assert first_edit.entry.revision == second_edit.entry.revision == 2  # both planned before either published
    one = publish(output, render(first_edit, output, CONFIG, COVER), first_edit, CONFIG, COVER)
    seen = digests(output)
    two = publish(output, render(second_edit, output, CONFIG, COVER), second_edit, CONFIG, COVER)
    assert (one.revision, two.revision) == (2, 3)
    assert [entry.stem for entry in load_catalogue(output).entries] == ["the-harbour-story--3"]
    for name, digest in digests(output).items():  # a URL once published never serves other bytes
        assert seen.get(name, digest) == digest
    assert not list(output.rglob(".tmp-*"))


def test_a_failing_build_deletes_only_its_own_files(tmp_path):
    output = tmp_path / "output"
    build(output, STORY.format(answer="The first telling."))
    failing = plan(output, STORY.format(answer="A second telling."))
    published = build(output, STORY.format(answer="Another second telling."))  # takes revision 2 meanwhile
    before = digests(output)
    broken = Config(audio=Encoding(sample_rate=12345))  # ffmpeg refuses it after the speech is made
    with pytest.raises(AudiobuildError, match="ffmpeg"):
        render(failing, output, broken, COVER)
    assert digests(output) == before and published.stem == "the-harbour-story--2"
    assert not list(output.rglob(".tmp-*"))


def test_a_remove_during_a_build_wins_and_the_build_says_so(tmp_path):
    output = tmp_path / "output"
    build(output, STORY.format(answer="The first telling."))
    changed = plan(output, STORY.format(answer="A second telling."))
    rendered = render(changed, output, CONFIG, COVER)
    remove_episodes(output, ["the-harbour-story"], CONFIG)
    with pytest.raises(InputError, match="was not published: `audiobuild remove the-harbour-story` took it out"):
        publish(output, rendered, changed, CONFIG, COVER)
    assert load_catalogue(output).entries == []
    assert not list(output.rglob("*.mp3")) and not list(output.rglob(".tmp-*"))


def test_the_same_episode_published_meanwhile_is_kept(tmp_path):
    output = tmp_path / "output"
    text = STORY.format(answer="The only telling.")
    first, second = plan(output, text), plan(output, text)
    kept = publish(output, render(first, output, CONFIG, COVER), first, CONFIG, COVER)
    again = publish(output, render(second, output, CONFIG, COVER), second, CONFIG, COVER)
    assert again == kept and len(digests(output)) == 1


def test_names_left_on_disk_are_never_given_out_again(tmp_path):
    output = tmp_path / "output"
    build(output, STORY.format(answer="The first telling."))
    (output / "episodes" / "the-harbour-story--2.mp3").write_bytes(b"placed by a build killed before it recorded it")
    assert build(output, STORY.format(answer="A second telling.")).revision == 3


def test_titles_with_nothing_to_spell_get_names_of_their_own(tmp_path):
    output = tmp_path / "output"
    first = build(output, "🎙️🎧\n- What?\n- This.\n", "one.txt")
    second = build(output, "🎧🎙️\n- What?\n- That.\n", "two.txt")
    assert first.slug != second.slug and first.slug.startswith("episode-")
    assert len(load_catalogue(output).entries) == 2


def test_titles_that_spell_the_same_in_one_batch_get_names_of_their_own(tmp_path):
    for name, title in (("one.txt", "Q&A"), ("two.txt", "Q & A")):
        (tmp_path / name).write_text(f"{title}\n- What?\n- This, from {name}.\n")
    results = build_all([tmp_path / "one.txt", tmp_path / "two.txt"], tmp_path / "output", CONFIG, "espeak")
    assert sorted(result.entry.title for result in results) == ["Q & A", "Q&A"]
    assert len({result.entry.slug for result in results}) == 2


@pytest.mark.parametrize(
    ("base_url", "guid"),
    [
        ("", None),
        ("http://192.168.1.20:8000/", None),
        ("http://pod.local/", None),
        ("https://pods.example.net/interviews/", podcast_guid("https://pods.example.net/interviews/feed.xml")),
    ],
)
def test_only_a_public_address_names_the_channel(tmp_path, base_url, guid):
    output = tmp_path / "output"
    output.mkdir()
    update_catalogue(output, Config(podcast=Podcast(base_url=base_url)))
    assert load_catalogue(output).podcast_guid == guid


def test_the_channel_keeps_its_first_public_name_and_drops_a_local_one(tmp_path):
    output = tmp_path / "output"
    output.mkdir()
    local = Config(podcast=Podcast(served_url="http://192.168.1.20:8000/"))
    catalogue = update_catalogue(output, local)
    with catalogue.transaction():
        catalogue.podcast_guid = podcast_guid("http://localhost:8000/feed.xml")  # what earlier versions fixed
    assert update_catalogue(output, local).podcast_guid is None
    first = update_catalogue(output, Config(podcast=Podcast(base_url="https://a.example/pod/"))).podcast_guid
    moved = update_catalogue(output, Config(podcast=Podcast(base_url="https://b.example/pod/"))).podcast_guid
    assert first == moved == podcast_guid("https://a.example/pod/feed.xml")
    other = tmp_path / "other"
    other.mkdir()
    assert update_catalogue(other, Config(podcast=Podcast(base_url="https://b.example/pod/"))).podcast_guid != first


def test_the_description_is_the_articles_intro_in_whole_sentences_then_byline_and_disclosure():
    logs = (f"In year {year} she logged {year * 40} ships and as many gulls, in ink." for year in range(1, 8))
    intro = "Ada Lindqvist kept the Skarvholm light for twenty-two years. She wound its clockwork. " + " ".join(logs)
    script = parse_article(f"The last keeper\n\nBy Tom Berg\n\n{intro}\n\n- Was it lonely?\n- Never.\n")
    opening, byline, disclosure = description(script, "Read by synthetic voices.").partition(" By Tom Berg.")
    assert opening.startswith("Ada Lindqvist kept the Skarvholm light") and intro.startswith(opening)
    assert opening.endswith(".") and len(opening) <= DESCRIPTION_LENGTH < len(intro)  # trimmed after a sentence
    assert byline and disclosure.strip() and "The last keeper" not in opening


def test_an_interview_without_an_intro_is_described_by_its_questions():
    script = parse_article("Night buses\n\n- Who is first?\n- Me.\n- Why?\n- I work late.\n")
    assert description(script, "Read by synthetic voices.").startswith("An interview in 2 questions.")


def test_remove_on_a_full_disk_is_one_line_and_changes_nothing(tmp_path):
    """`remove` when the disk refuses the catalogue's writes: one line, and the folder exactly as it was.

    A full disk cannot be made here without root (a tiny tmpfs or loop device), so the command runs under an
    RLIMIT_FSIZE of 1 KB: the kernel refuses every write past that size in a file (EFBIG; SIGXFSZ ignored, so
    the write fails rather than kills), as a full disk refuses one (ENOSPC). SQLite reports the first as a disk
    I/O error and the second as "database or disk is full"; either way its journal is refused before the
    database is touched, and the transaction ends unchanged.
    """
    output = tmp_path / "output"
    output.mkdir()
    stories = [dataclasses.replace(entry(slug, day), title=slug) for day, slug in enumerate(("one", "two"))]
    update_catalogue(output, CONFIG, lambda catalogue: [catalogue.upsert(story) for story in stories])
    for story in stories:
        for name in story.files:
            (output / name).parent.mkdir(parents=True, exist_ok=True)
            (output / name).write_bytes(b"a file of " + name.encode())
    before = tree_digest(output)

    def full_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    result = subprocess.run([sys.executable, "-m", "audiobuild", "remove", "one", "-o", str(output)],
                            capture_output=True, text=True, preexec_fn=full_disk, timeout=60,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"audiobuild: error: {output / '.catalogue.sqlite'}: catalogue could not be written (disk I/O error): "
        "it was not changed"
    ]
    assert tree_digest(output) == before
    assert [item.slug for item in load_catalogue(output).entries] == ["two", "one"]


def test_a_channel_setting_gives_no_episode_a_new_revision(tmp_path):
    output, article = tmp_path / "output", tmp_path / "story.txt"
    article.write_text(STORY.format(answer="The only telling."))
    espeak = Podcast(voices="espeak")
    (first,) = build_all([article], output, Config(podcast=espeak))
    mp3 = (output / first.entry.file).read_bytes()
    renamed = Config(podcast=dataclasses.replace(espeak, title="Another name", author="Someone", category="Arts"))
    for _ in range(2):  # it made --2, then --3
        (again,) = build_all([article], output, renamed)
        assert (again.rebuilt, again.entry.file) == (False, "episodes/the-harbour-story.mp3")
    assert (output / first.entry.file).read_bytes() == mp3  # it keeps the tags it was built with
    assert [entry.stem for entry in load_catalogue(output).entries] == ["the-harbour-story"]


def test_an_episode_recorded_with_the_channel_in_its_digest_stays_unchanged(tmp_path):
    output, config = tmp_path / "output", Config(podcast=Podcast(voices="espeak"))
    planned = plan(output, STORY.format(answer="The only telling."), config=config)
    built = publish(output, render(planned, output, config, COVER), planned, config, COVER)
    older = _fingerprint(planned.script, planned.speech, planned.voices, config, channel=True)  # before this version
    update_catalogue(output, config, lambda catalogue: catalogue.upsert(dataclasses.replace(built, fingerprint=older)))
    (again,) = build_all([tmp_path / "story.txt"], output, config)
    assert not again.rebuilt
    assert load_catalogue(output).get(built.slug).fingerprint == built.fingerprint  # recorded with today's digest


def gpodder_marks_new(feed: bytes, known: dict[str, int]) -> list[str]:
    """The titles gPodder marks new when it updates a podcast whose episodes it knows (guid: published).

    As `PodcastChannel._consume_updated_feed` in gPodder's src/gpodder/model.py: podcastparser reads the
    feed; an episode whose guid is unknown is new, unless it is dated more than a week before the newest one
    known ("Workaround for bug 340"), that newest date being capped at tomorrow.
    """
    episodes = podcastparser.parse("http://localhost:8000/feed.xml", io.BytesIO(feed))["episodes"]
    last_published = min(max(known.values(), default=0), time.time() + 24 * 60 * 60)
    week = 7 * 24 * 60 * 60
    return [episode["title"] for episode in episodes
            if episode["guid"] not in known and not episode["published"] < last_published - week]  # fmt: skip


def test_an_old_article_added_today_is_new_in_gpodder(tmp_path):
    output, config = tmp_path / "output", Config(podcast=Podcast(voices="espeak"))
    build_all([_article(tmp_path, "fresh.txt", "Fresh news\n- What now?\n- This.\n")], output, config)
    feed = (output / "feed.xml").read_bytes()
    known = {episode["guid"]: episode["published"]
             for episode in podcastparser.parse("http://localhost:8000/feed.xml", io.BytesIO(feed))["episodes"]}
    old = _article(tmp_path, "old.txt", "The old story\nPublished 12 March 2019\n- What then?\n- That.\n")
    build_all([old], output, config)
    feed = (output / "feed.xml").read_bytes()
    assert gpodder_marks_new(feed, known) == ["The old story"]
    item = etree.fromstring(feed).find("channel/item")
    assert "The article was published on 12 March 2019." in item.findtext(f"{{{NAMESPACES['content']}}}encoded")
    (mp3,) = (output / "episodes").glob("the-old-story*.mp3")
    assert str(ID3(mp3, translate=False)["TORY"]) == "2019"  # ID3v2.3's original release year

    archive = Config(podcast=Podcast(voices="espeak", episode_date="article"))
    (dated,) = build_all([old], tmp_path / "archive", archive)
    assert dated.entry.published == datetime(2019, 3, 12, 12, tzinfo=timezone.utc)


def _article(folder: Path, name: str, text: str) -> Path:
    (folder / name).write_text(text)
    return folder / name


def test_a_replaced_revision_is_kept_for_apps_that_kept_its_url_then_pruned(tmp_path):
    output, config = tmp_path / "output", Config(podcast=Podcast(voices="espeak"))
    article = _article(tmp_path, "story.txt", STORY.format(answer="The first telling."))
    (first,) = build_all([article], output, config)
    first_files = {name: (output / name).read_bytes() for name in first.entry.files}
    article.write_text(STORY.format(answer="A second telling."))
    (second,) = build_all([article], output, config)
    assert second.entry.stem == "the-harbour-story--2"
    for name, data in first_files.items():  # still there, with the bytes it always had
        assert (output / name).read_bytes() == data
    feed = (output / "feed.xml").read_text()
    assert "the-harbour-story--2.mp3" in feed and "the-harbour-story.mp3" not in feed
    # A later build, once they have been kept long enough (here: none), deletes them.
    other = _article(tmp_path, "other.txt", "Another story\n- Why?\n- Because.\n")
    build_all([other], output, Config(podcast=Podcast(voices="espeak", keep_replaced_days=0)))
    assert not any((output / name).exists() for name in first_files)
    assert all((output / name).exists() for name in second.entry.files)


def test_remove_deletes_the_kept_revisions_too(tmp_path):
    output, config = tmp_path / "output", Config(podcast=Podcast(voices="espeak"))
    article = _article(tmp_path, "story.txt", STORY.format(answer="The first telling."))
    build_all([article], output, config)
    article.write_text(STORY.format(answer="A second telling."))
    build_all([article], output, config)
    remove_episodes(output, ["the-harbour-story"], config)
    assert not list(output.rglob("the-harbour-story*"))


def test_the_build_line_names_the_served_address_only_while_a_server_answers_there(tmp_path, caplog):
    from audiobuild.serve import server as serve

    caplog.set_level(logging.INFO, logger="audiobuild")
    output = tmp_path / "output"
    output.mkdir()
    served = serve.make_server(output, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{served.server_address[1]}/"
    config = Config(podcast=Podcast(voices="espeak", served_url=url))  # as `serve` leaves it in .served-url
    thread = threading.Thread(target=serve.serve_forever, args=(served,), daemon=True)
    thread.start()
    try:
        build_all([_article(tmp_path, "one.txt", "First story\n- Why?\n- Because.\n")], output, config)
    finally:
        served.shutdown()
    build_all([_article(tmp_path, "two.txt", "Second story\n- Why?\n- Because.\n")], output, config)
    lines = [record.getMessage() for record in caplog.records if record.getMessage().startswith("feed: ")]
    assert lines == [f"feed: {output / 'feed.xml'} (1 episode) at {url}feed.xml",
                     f"feed: {output / 'feed.xml'} (2 episodes) (`audiobuild serve` serves it)"]  # fmt: skip
    public = Config(podcast=Podcast(base_url="https://pods.example.org/", served_url=url))
    assert feed_address(output, public) == "https://pods.example.org/feed.xml"
