"""Rebuilding a damaged catalogue from the episodes' own files: `audiobuild feed --rebuild-catalogue`.

Every MP3 carries its catalogue row (`catalogue.tag_record`, an ID3 TXXX
frame) beside its standard tags; its revision is in its name, its size and
playing time are its own. So the catalogue comes back as it was, and the feed
made from it lists the same items. What only the catalogue knew is taken from
the damaged one where it can still be read (the revisions of removed episodes,
the channel's podcast:guid), else lost: the guid is made again from the first
public address, and a removed episode built again may reuse its old URLs.

An MP3 made before audiobuild wrote the row is recovered from its standard
tags, with a warning: its date is to the minute (ID3v2.3 has no seconds) and
its article is unknown, so building that article again asks to remove it first.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import timezone
from pathlib import Path

from filelock import FileLock

from audiobuild.audio.tag import mp3_duration, read_tags
from audiobuild.errors import AudiobuildError
from audiobuild.model import EPISODES_DIR, Entry
from audiobuild.publish.catalogue import CATALOGUE_FILE, Catalogue, Database, episode_guid, from_row, make_catalogue
from audiobuild.publish.episodes import LOCK_FILE

log = logging.getLogger("audiobuild")

DAMAGED_SUFFIX = ".damaged"  # the catalogue replaced by a rebuild is kept beside it, hidden as it is


def rebuild_catalogue(output: Path) -> int:
    """Make `output`'s catalogue again from its episodes' MP3s; return how many episodes it lists.

    Under the folder's lock; the new catalogue replaces the old one at once
    (which is kept as `.catalogue.sqlite.damaged`). An MP3 that cannot be read
    is left out with a warning; of an episode's revisions, the newest is the
    episode (older ones are a killed build's leftovers). AudiobuildError when
    `output` has no episodes folder.
    """
    folder = output / EPISODES_DIR
    if not folder.is_dir():
        raise AudiobuildError(output, "has no episodes to rebuild the catalogue from")
    path = output / CATALOGUE_FILE
    with FileLock(output / LOCK_FILE):
        retired, podcast_guid = _salvage(output, path)
        newest: dict[str, Entry] = {}
        for mp3 in sorted(folder.glob("[!.]*.mp3")):  # not a build's staged .tmp- files
            try:
                entry = _recover(output, mp3)
            except (ValueError, AudiobuildError) as error:
                problem = getattr(error, "problem", None) or error
                log.warning("audiobuild: warning: %s: left out of the catalogue (%s)", mp3, problem)
                continue
            if entry.slug not in newest or entry.revision > newest[entry.slug].revision:
                newest[entry.slug] = entry
        made = make_catalogue(output, list(newest.values()), podcast_guid, retired)
        try:
            for name in (CATALOGUE_FILE, f"{CATALOGUE_FILE}-journal"):  # a hot journal is the damaged one's
                if (output / name).exists():
                    os.replace(output / name, output / f"{name}{DAMAGED_SUFFIX}")
            os.replace(made, path)
        finally:
            made.unlink(missing_ok=True)
    log.info("rebuilt %s from %d episode%s", path, len(newest), "" if len(newest) == 1 else "s")
    return len(newest)


def _salvage(output: Path, path: Path) -> tuple[dict[str, int], str | None]:
    """(retired revisions, podcast guid) from the damaged catalogue, as far as it can be read."""
    if not path.is_file():
        return {}, None
    try:
        catalogue = Catalogue(output, Database(path, tables=False))
    except AudiobuildError:
        return {}, None
    try:
        retired = catalogue.retired_revisions()
    except AudiobuildError:
        retired = {}
    try:
        guid = catalogue.podcast_guid
    except AudiobuildError:
        guid = None
    catalogue.close()
    return retired, guid


def _recover(output: Path, mp3: Path) -> Entry:
    """The entry of an episode's MP3, from the row it carries (or its standard tags). ValueError when it is none."""
    slug, _, revision = mp3.stem.partition("--")
    if revision and not (revision.isdigit() and int(revision) >= 2):
        raise ValueError("not an episode's file name")
    revision = int(revision or 1)
    tags = read_tags(mp3)
    file = str(mp3.relative_to(output))
    measured = {"revision": revision, "length": mp3.stat().st_size, "duration": mp3_duration(mp3)}
    if tags.record:
        try:
            row = json.loads(tags.record)
            if not isinstance(row, dict):
                raise ValueError("not a JSON object")
            entry = from_row({**row, **measured, "source": row.get("source") or file})
        except (ValueError, AudiobuildError) as error:
            problem = getattr(error, "problem", None) or error
            raise ValueError(f"the catalogue row it carries is damaged: {problem}") from None
        if entry.slug != slug:
            raise ValueError(f"it carries the row of {entry.slug!r}")
        return entry
    log.warning("audiobuild: warning: %s: recovered from its standard tags (made before MP3s carried their "
                "catalogue row): its date is to the minute and its article unknown", mp3)  # fmt: skip
    published = tags.date if tags.date.tzinfo else tags.date.replace(tzinfo=timezone.utc)
    return Entry(slug=slug, guid=tags.episode_id or episode_guid(slug), title=tags.title,
                 description=tags.description, author=tags.artist, published=published, fingerprint="",
                 source=file, source_id="", chapters=tags.chapters, **measured)  # fmt: skip
