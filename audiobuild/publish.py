"""Publishing: the catalogue transaction, the feed and the page, and the commands that change them.

The catalogue (`catalogue.json`) is the source of truth; `update_catalogue`
re-reads it under the folder's lock, changes it, saves it and rewrites the
feed (and page) from it, so builds and removals running side by side never
lose each other's episodes. `publish` records a rendered episode; `remove_episode`,
`refresh_feed` and `publish_at` are the `remove`, `feed` and `serve` commands' changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock

from audiobuild.atomic import write_bytes, write_if_changed
from audiobuild.catalogue import CATALOGUE_FILE, Catalogue, load_catalogue
from audiobuild.config import SERVED_URL_FILE, Config
from audiobuild.errors import AudiobuildError
from audiobuild.feed import FEED_FILE, podcast_guid, write_feed
from audiobuild.model import Entry
from audiobuild.page import write_page, write_stylesheet

log = logging.getLogger("audiobuild")

LOCK_FILE = ".lock"


def publish(output: Path, entry: Entry, previous: Entry | None, config: Config, cover: bytes) -> None:
    """Record a rendered episode, rewrite the feed, then delete the files of its replaced revision.

    The last steps, once every file of the episode is in place: a crash before
    them leaves the published catalogue and feed as they were. Another build may
    be publishing into the same folder, so the catalogue is re-read under a lock.
    """
    write_if_changed(output / config.podcast.cover_file, cover)
    update_catalogue(output, config, lambda catalogue: catalogue.upsert(entry), page=False)
    if previous is not None and previous.stem != entry.stem:
        _delete_files(output, previous)


def update_catalogue(
    output: Path, config: Config, change: Callable[[Catalogue], object] | None = None, page: bool = True
) -> Catalogue:
    """Under the folder's lock: re-read the catalogue, `change` and save it; rewrite the feed (and page, stylesheet).

    A batch leaves the page to its end: it is the costliest to render, and only
    the feed must never list a file that is gone.
    """
    with FileLock(output / LOCK_FILE):
        catalogue = load_catalogue(output)
        changed = catalogue.podcast_guid is None
        if changed:  # the feed's first address names the channel for good
            catalogue.podcast_guid = podcast_guid(config.podcast.url(FEED_FILE))
        if change is not None:
            change(catalogue)
            changed = True
        if changed:
            catalogue.save()
        write_feed(catalogue, config.podcast)
        if page:
            write_page(catalogue, config.podcast)
            write_stylesheet(output)
    return catalogue


def _delete_files(output: Path, entry: Entry) -> None:
    for relative in entry.files:
        (output / relative).unlink(missing_ok=True)


def remove_episode(output: Path, slug: str, config: Config) -> Entry:
    """Drop an episode from the catalogue and the feed, then delete its files."""
    _require_catalogue(output)
    removed: list[Entry] = []

    def drop(catalogue: Catalogue) -> None:
        entry = catalogue.remove(slug)
        if entry is None:
            known = ", ".join(item.slug for item in catalogue.entries) or "none"
            raise AudiobuildError(output, f"no episode {slug!r} (episodes: {known})")
        removed.append(entry)

    update_catalogue(output, config, drop)
    _delete_files(output, removed[0])
    return removed[0]


def publish_at(output: Path, config: Config, served_url: str) -> str:
    """Point the feed at `served_url` (unless podcast.toml sets base_url); return the feed's URL.

    The address is remembered in the folder, so later builds keep using it and a
    phone subscribed through it keeps working.
    """
    _require_catalogue(output)
    if not config.podcast.base_url:
        write_bytes(output / SERVED_URL_FILE, served_url.encode())
        config = config.for_output(output)
    update_catalogue(output, config)
    return config.podcast.url(FEED_FILE)


def refresh_feed(output: Path, config: Config) -> Path:
    """Regenerate the feed from the catalogue alone (after a podcast.toml change, say)."""
    _require_catalogue(output)
    update_catalogue(output, config)
    return output / FEED_FILE


def _require_catalogue(output: Path) -> None:
    if not (output / CATALOGUE_FILE).is_file():
        raise AudiobuildError(output, "has no catalogue: build an article into it first")
