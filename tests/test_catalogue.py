"""The catalogue: what was built into an output folder, kept across runs."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree
from mutagen.id3 import ID3

from audiobuild.cli import main
from audiobuild.config import Config
from audiobuild.errors import AudiobuildError
from audiobuild.model import Chapter, Entry, Person
from audiobuild.publish.catalogue import CATALOGUE_FILE, LEGACY_FILE, episode_guid, load_catalogue
from audiobuild.publish.episodes import update_catalogue
from tests.conftest import EXAMPLE, tree_digest


@pytest.fixture(autouse=True)
def _logging_as_it_was():
    """`main` points audiobuild's log at this test's captured streams: later tests get the handlers back."""
    loggers = [logging.getLogger("audiobuild"), logging.getLogger()]
    saved = [(logger.handlers[:], logger.level) for logger in loggers]
    yield
    for logger, (handlers, level) in zip(loggers, saved):
        logger.handlers[:] = handlers
        logger.setLevel(level)

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)


def entry(slug, days=0, **changes):
    fields = dict(
        slug=slug, guid=episode_guid(slug), title=slug.title(), description="d", author="a",
        published=T0 + timedelta(days=days), revision=1, fingerprint="f" * 64, length=1000, duration=61.5,
        source="x.txt", source_id="0123456789abcdef", people=(Person("Ada Lindqvist", "guest"),),
        chapters=(Chapter("Introduction", 0, 10_000), Chapter("Why <now>?", 10_000, 61_500)),
    )  # fmt: skip
    return Entry(**{**fields, **changes})


def test_empty_folder_has_an_empty_catalogue(tmp_path):
    assert load_catalogue(tmp_path / "new").entries == []


def test_round_trip_newest_first(tmp_path):
    catalogue = load_catalogue(tmp_path, create=True)
    with catalogue.transaction():
        catalogue.upsert(entry("old", 0))
        catalogue.upsert(entry("new", 3))
        catalogue.upsert(entry("middle", 1))
    assert [item.slug for item in load_catalogue(tmp_path).entries] == ["new", "middle", "old"]
    assert load_catalogue(tmp_path).get("middle") == entry("middle", 1)


def test_upsert_replaces_the_same_slug(tmp_path):
    catalogue = load_catalogue(tmp_path, create=True)
    catalogue.upsert(entry("a"))
    catalogue.upsert(entry("a", length=2000))
    assert [(item.slug, item.length) for item in catalogue.entries] == [("a", 2000)]


def test_guid_is_stable_and_distinct():
    assert episode_guid("a-title") == episode_guid("a-title") != episode_guid("another-title")


def test_corrupt_catalogue_is_a_clear_error(tmp_path):
    (tmp_path / CATALOGUE_FILE).write_text("{not json")
    with pytest.raises(AudiobuildError, match="catalogue is unreadable"):
        load_catalogue(tmp_path)


def test_files_follow_the_revision():
    first, second = entry("talk"), entry("talk", revision=2)
    assert first.file == "episodes/talk.mp3"
    assert second.files == [
        "episodes/talk--2.mp3",
        "chapters/talk--2.chapters.json",
        "transcripts/talk--2.vtt",
        "transcripts/talk--2.srt",
        "transcripts/talk--2.json",
    ]


def test_remove(tmp_path):
    catalogue = load_catalogue(tmp_path, create=True)
    catalogue.upsert(entry("a"))
    catalogue.upsert(entry("b", 1))
    assert catalogue.remove("a") == entry("a")
    assert catalogue.remove("a") is None
    assert [item.slug for item in catalogue.entries] == ["b"]


def test_catalogue_of_another_version_is_a_clear_error(tmp_path):
    (tmp_path / LEGACY_FILE).write_text('{"version": 99, "episodes": []}')
    with pytest.raises(AudiobuildError, match="version 99"):
        load_catalogue(tmp_path)


def test_a_removed_episode_built_again_does_not_reuse_its_urls(tmp_path):
    catalogue = load_catalogue(tmp_path, create=True)
    with catalogue.transaction():
        catalogue.upsert(entry("talk", revision=3))
        assert catalogue.next_revision("talk") == 4
        catalogue.remove("talk")
    again = load_catalogue(tmp_path)
    assert again.next_revision("talk") == 4 and again.next_revision("other") == 1


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[]", "it must be an object"),
        ('{"version": 3, "retired": [], "episodes": []}', "retired must be an object"),
        ('{"version": 3, "episodes": [{"slug": "x"}]}', "episodes[0] has no 'guid'"),
        ('{"version": 3, "episodes": "none"}', "episodes must be a list, not 'none'"),
        ('{"version": 3, "episodes": ' + "[" * 5000 + "]" * 5000 + "}", "is nested deeper than 32 tables or lists"),
    ],
)
def test_a_catalogue_of_the_wrong_shape_is_one_line_naming_it(tmp_path, text, problem):
    (tmp_path / LEGACY_FILE).write_text(text)
    with pytest.raises(AudiobuildError) as error:
        load_catalogue(tmp_path)
    assert problem in error.value.problem and "move it away" in error.value.problem
    assert str(error.value).startswith(str(tmp_path / LEGACY_FILE))


def test_an_earlier_versions_catalogue_json_is_imported_once(tmp_path):
    legacy = {
        "version": 3, "podcast_guid": "g-1", "retired": {"gone": 4},
        "episodes": [{**dataclasses.asdict(entry("kept", 1)), "published": entry("kept", 1).published.isoformat()}],
    }  # fmt: skip
    (tmp_path / LEGACY_FILE).write_text(json.dumps(legacy))
    catalogue = load_catalogue(tmp_path)
    assert catalogue.entries == [entry("kept", 1)]
    assert (catalogue.podcast_guid, catalogue.next_revision("gone")) == ("g-1", 5)
    assert not (tmp_path / LEGACY_FILE).exists() and (tmp_path / CATALOGUE_FILE).is_file()
    assert load_catalogue(tmp_path).entries == [entry("kept", 1)]


def test_a_change_that_fails_leaves_the_catalogue_as_it_was(tmp_path):
    catalogue = load_catalogue(tmp_path, create=True)
    with catalogue.transaction():
        catalogue.upsert(entry("a"))
    with pytest.raises(RuntimeError), catalogue.transaction():
        catalogue.upsert(entry("b"))
        catalogue.remove("a")
        raise RuntimeError("the build died here")
    assert [item.slug for item in load_catalogue(tmp_path).entries] == ["a"]


def test_queries_read_only_what_they_need(tmp_path):
    catalogue = load_catalogue(tmp_path, create=True)
    with catalogue.transaction():
        for day in range(40):
            catalogue.upsert(entry(f"day-{day}", day))
    assert [item.slug for item in catalogue.newest(3)] == ["day-39", "day-38", "day-37"]
    assert len(catalogue) == 40 and catalogue.newest_date() == entry("x", 39).published
    assert catalogue.months() == [("2026-12", 10), ("2026-11", 30)]
    assert [item.slug for item in catalogue.in_month("2026-12")][:2] == ["day-39", "day-38"]
    assert "day-17" in catalogue.near("day-71")


def _counted(folder: Path) -> list[tuple[str, int]]:
    """The episodes of each month, counted from the rows themselves."""
    with contextlib.closing(sqlite3.connect(folder / CATALOGUE_FILE)) as db:
        return db.execute("SELECT substr(published, 1, 7) AS month, count(*) FROM episodes"
                          " GROUP BY month ORDER BY month DESC").fetchall()  # fmt: skip


def test_month_counts_follow_episodes_that_come_move_and_go(tmp_path):
    catalogue = load_catalogue(tmp_path, create=True)
    with catalogue.transaction():
        for day in range(40):
            catalogue.upsert(entry(f"day-{day}", day))
        catalogue.upsert(entry("day-3", 45))  # moved from November to December
        catalogue.upsert(entry("day-35", 35, title="Same month"))  # replaced where it was
        catalogue.remove("day-39")
        catalogue.upsert(entry("day-61", 61))  # a month of its own...
        catalogue.remove("day-61")  # ...gone with its only episode
    assert catalogue.months() == _counted(tmp_path) == [("2026-12", 10), ("2026-11", 29)]
    assert len(catalogue) == 39
    catalogue.close()


def test_a_version_5_catalogue_gets_its_month_counts_when_opened(tmp_path):
    catalogue = load_catalogue(tmp_path, create=True)
    with catalogue.transaction():
        for day in range(40):
            catalogue.upsert(entry(f"day-{day}", day))
    catalogue.close()
    with contextlib.closing(sqlite3.connect(tmp_path / CATALOGUE_FILE)) as db, db:
        db.executescript("DROP TRIGGER month_gains; DROP TRIGGER month_loses; DROP TRIGGER month_changes;"
                         "DROP TABLE months; PRAGMA user_version = 5;")  # fmt: skip
    catalogue = load_catalogue(tmp_path)
    assert catalogue.months() == _counted(tmp_path) == [("2026-12", 10), ("2026-11", 30)]
    assert None not in catalogue.looks().values()  # no month changed: a build rewrites none of their pages
    with catalogue.transaction():
        catalogue.remove("day-39")
    assert catalogue.months() == _counted(tmp_path) and len(catalogue) == 39
    catalogue.close()
    with contextlib.closing(sqlite3.connect(tmp_path / CATALOGUE_FILE)) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (6,)


def test_listing_measures_cells_as_a_terminal_shows_them_and_cuts_to_its_width(tmp_path):
    import wcwidth

    from audiobuild.publish.catalogue import Catalogue, columns, listing

    # A CJK character takes two cells, a combining accent none, an emoji with its variation selector two.
    assert columns([("日本語", "x"), ("e\u0301te\u0301", "y"), ("🎙️", "z"), ("abcdef", "w")]) == [
        "日本語  x", "e\u0301te\u0301     y", "🎙️      z", "abcdef  w",
    ]  # fmt: skip
    assert columns([("a\x1b[2J", "x")]) == ["a\\x1b[2J  x"]  # a title cannot drive the terminal
    catalogue = Catalogue.of(tmp_path, [entry("harbour", 0, title="港の話" * 20)])
    (line,) = listing(catalogue, width=60).splitlines()
    assert line.startswith("harbour  2026-11-01  1:02  episodes/harbour.mp3  港の話") and line.endswith("…")
    assert wcwidth.width(line) <= 60
    assert listing(catalogue).rstrip("\n").endswith("港の話" * 20)  # a pipe gets whole lines


# ---------------------------------------------------------------------------
# Damaged catalogues: a row costs its episode; a database, one line and the way to rebuild it


def published(tmp_path, slugs: list[str]) -> Path:
    """An output folder whose catalogue, feed and page list an episode per slug, oldest first (no audio)."""
    output = tmp_path / "output"
    output.mkdir()
    update_catalogue(output, Config(), lambda catalogue: [catalogue.upsert(entry(slug, day))
                                                          for day, slug in enumerate(slugs)])  # fmt: skip
    return output


def feed_titles(output: Path) -> list[str]:
    return [item.findtext("title") for item in etree.parse(output / "feed.xml").findall("channel/item")]


GOOD_ROW = json.dumps({**dataclasses.asdict(entry("damaged")), "published": T0.isoformat()})


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ("{}", "it has no 'slug', 'guid'"),
        ("{not json", "Expecting property name"),
        ("[1, 2]", "it must be an object"),
        (GOOD_ROW.replace(T0.isoformat(), "2026-19-01T00:00:00+00:00"), "published must be date-time"),
        (GOOD_ROW.replace('"slug": "damaged"', '"slug": "kept"'), "it is the row of 'kept'"),
        (b"\xff\xfe{", "it is not UTF-8 text"),
    ],
    ids=["empty-object", "not-json", "a-list", "bad-date", "another-slug", "not-utf-8"],
)  # fmt: skip
def test_a_damaged_row_costs_its_episode_alone(tmp_path, capsys, data, problem):
    output = published(tmp_path, ["kept", "damaged", "other"])
    with contextlib.closing(sqlite3.connect(output / CATALOGUE_FILE)) as db, db:
        db.execute("UPDATE episodes SET data = CAST(? AS TEXT) WHERE slug = 'damaged'", (data,))
    warning = (
        f"audiobuild: warning: {output / CATALOGUE_FILE}: episode 'damaged' is damaged (",
        problem,
        ") and left out; `audiobuild feed --rebuild-catalogue` rebuilds the catalogue from the episodes' files",
    )
    for command in (["list"], ["feed"], ["remove", "other"]):
        assert main([*command, "-o", str(output)]) == 0, command
        out, err = capsys.readouterr()
        (line,) = err.splitlines()
        assert line.startswith(warning[0]) and warning[1] in line and line.endswith(warning[2]), line
        if command == ["list"]:
            assert [row.split()[0] for row in out.splitlines()] == ["other", "kept"]
        if command == ["feed"]:
            assert feed_titles(output) == ["Other", "Kept"]
    assert feed_titles(output) == ["Kept"]
    assert main(["remove", "damaged", "-o", str(output)]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"audiobuild: error: {output}: episode 'damaged' is damaged in the catalogue; "
        "`audiobuild feed --rebuild-catalogue` rebuilds the catalogue from the episodes' files"
    )


def test_a_damaged_database_is_one_line_saying_how_to_rebuild_it(tmp_path, capsys):
    output = published(tmp_path, ["one", "two"])
    before = tree_digest(output)
    with open(output / CATALOGUE_FILE, "r+b") as database:  # the first page, past the header: the schema
        database.seek(100)
        database.write(b"\xff" * 3996)
    damaged = tree_digest(output)
    for command in (["list"], ["feed"], ["remove", "one"], ["build", str(EXAMPLE)]):
        assert main([*command, "-o", str(output)]) == 1, command
        out, err = capsys.readouterr()
        assert err.splitlines() == [
            f"audiobuild: error: {output / CATALOGUE_FILE}: catalogue is unreadable (database disk image is "
            "malformed); `audiobuild feed --rebuild-catalogue` rebuilds the catalogue from the episodes' files"
        ], command
    assert tree_digest(output) == damaged != before


def test_a_failed_import_of_an_old_catalogue_leaves_no_new_one(tmp_path):
    (tmp_path / LEGACY_FILE).write_text('{"version": 3, "episodes": [{"slug": "x"}]}')
    for attempt in (1, 2):  # and the next run says the same, not that an empty catalogue is of another version
        with pytest.raises(AudiobuildError, match=r"episodes\[0\] has no 'guid'"):
            load_catalogue(tmp_path, create=True)
        assert sorted(path.name for path in tmp_path.iterdir()) == [LEGACY_FILE]
    # What earlier versions left in that case, a database with tables and no version, is made again.
    with contextlib.closing(sqlite3.connect(tmp_path / CATALOGUE_FILE)) as db:
        db.execute("CREATE TABLE episodes (slug TEXT PRIMARY KEY, published TEXT NOT NULL, data TEXT NOT NULL)")
    (tmp_path / LEGACY_FILE).write_text(json.dumps({"version": 3, "episodes": [json.loads(GOOD_ROW)]}))
    assert [episode.slug for episode in load_catalogue(tmp_path).entries] == ["damaged"]
    assert sorted(path.name for path in tmp_path.iterdir()) == [CATALOGUE_FILE]


def test_a_damaged_catalogue_is_rebuilt_from_the_episodes_to_the_same_feed(tmp_path, capsys):
    articles = [tmp_path / "harbour.txt", tmp_path / "apples.txt"]
    articles[0].write_text("The harbour story\n\nBy Ada Lindqvist\n\n- What happened?\n\n- The boats came home.\n")
    articles[1].write_text("How to keep apples\n\nWrap each apple in paper. Keep them cool and dark.\n")
    output = tmp_path / "output"
    # Built at two different times, as a site is: the catalogue's dates have seconds the tags' have not.
    assert main(["build", str(articles[0]), "-o", str(output), "--voices", "espeak", "--publish", "-q"]) == 0
    assert main(["build", str(articles[1]), "-o", str(output), "--voices", "espeak", "--publish", "-q"]) == 0
    main(["list", "-o", str(output)])
    listed = capsys.readouterr().out
    before = tree_digest(output)
    (output / CATALOGUE_FILE).write_bytes(b"\xff" * 1000 + (output / CATALOGUE_FILE).read_bytes()[1000:])

    assert main(["feed", "--rebuild-catalogue", "-o", str(output)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == f"rebuilt {output / CATALOGUE_FILE} from 2 episodes" and err == ""
    main(["list", "-o", str(output)])
    assert capsys.readouterr().out == listed
    after = tree_digest(output)
    assert {name: digest for name, digest in after.items() if not name.startswith(".")} == {
        name: digest for name, digest in before.items() if not name.startswith(".")
    }  # the same feed.xml, page, archive and episodes, byte for byte
    assert (output / f"{CATALOGUE_FILE}.damaged").is_file()
    # The catalogue knows the articles again: building them again changes nothing.
    assert main(["build", *map(str, articles), "-o", str(output), "--voices", "espeak", "--publish"]) == 0
    assert capsys.readouterr().out.count("unchanged: ") == 2
    assert tree_digest(output) == after

    # An MP3 built before MP3s carried their row comes back from its standard tags, with a warning.
    harbour = next(episode for episode in load_catalogue(output).entries if episode.title == "The harbour story")
    tags = ID3(output / harbour.file)
    tags.delall("TXXX")
    tags.save(v2_version=3)
    (output / CATALOGUE_FILE).unlink()
    assert main(["feed", "--rebuild-catalogue", "-o", str(output)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"audiobuild: warning: {output / harbour.file}: recovered from its standard tags (made before MP3s carried "
        "their catalogue row): its date is to the minute and its article unknown"
    ]
    recovered = load_catalogue(output).get(harbour.slug)
    assert (recovered.guid, recovered.title, recovered.description, recovered.author, recovered.chapters) == (
        harbour.guid, harbour.title, harbour.description, harbour.author, harbour.chapters)  # fmt: skip
    assert recovered.published == harbour.published.replace(second=0)
