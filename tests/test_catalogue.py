"""The catalogue: what was built into an output folder, kept across runs."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta, timezone

import pytest

from audiobuild.errors import AudiobuildError
from audiobuild.model import Chapter, Entry, Person
from audiobuild.publish.catalogue import CATALOGUE_FILE, LEGACY_FILE, episode_guid, load_catalogue

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
