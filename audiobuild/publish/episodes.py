"""Publishing: the catalogue transaction, the feed and the page, and the commands that change them.

The catalogue (`catalogue.Catalogue`, SQLite) is the source of truth; `update_catalogue`
opens it under the folder's lock, changes it in one transaction and rewrites the
feed (and page) from it, so builds and removals running side by side never
lose each other's episodes. `publish` records a rendered episode; `remove_episodes`,
`refresh_feed` and `publish_at` are the `remove`, `feed` and `serve` commands' changes.

A revision replaced by a newer one keeps its files for `[podcast]
keep_replaced_days`: Podcast Addict and others keep the first URL they saw
for a guid (atareao/u2vpodcast#19, mlj/castget#67), and would get a 404.
Each catalogue update deletes those that have been kept long enough; `serve`
then answers their URLs with a redirect to the current files (`replaced_by`).
"""

from __future__ import annotations

import dataclasses
import difflib
import http.client
import logging
import os
import ssl
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from filelock import FileLock

from audiobuild.atomic import discard, place, write_bytes, write_if_changed
from audiobuild.config import DEFAULT_BASE_URL, SERVED_URL_FILE, Config, Podcast
from audiobuild.errors import AudiobuildError, InputError
from audiobuild.model import CHAPTERS_DIR, EPISODES_DIR, TRANSCRIPT_TYPES, TRANSCRIPTS_DIR, Entry
from audiobuild.publish.catalogue import CATALOGUE_FILE, REBUILD, Catalogue, intact, load_catalogue
from audiobuild.publish.cover import cover_bytes
from audiobuild.publish.feed import FEED_FILE, podcast_guid, write_feed
from audiobuild.publish.page import write_page, write_stylesheet

if TYPE_CHECKING:  # the pipeline loads the audio stack, which `serve` does without
    from audiobuild.run.pipeline import Plan, Result

log = logging.getLogger("audiobuild")

LOCK_FILE = ".lock"
DRAFTS_DIR = ".drafts"  # hidden: never served, never copied to a web host with the rest


def publish(output: Path, result: Result, plan: Plan, config: Config, cover: bytes) -> Entry:
    """Put a rendered episode's files in place, record it and rewrite the feed; return the entry as published.

    Under the folder's lock, where the catalogue is re-read: the revision is
    chosen there, never one whose files exist, so two builds of one article
    never share a URL, and a URL never changes bytes. Whatever happened since
    the episode was planned is respected: a `remove` meanwhile wins (InputError,
    and nothing is published), and an identical episode another build just
    published is kept. The replaced revision's files are kept for
    `keep_replaced_days` (see the module's docstring). The staged files left
    over are deleted in every case.
    """
    write_if_changed(output / config.podcast.cover_file, cover)
    placed: list[Entry] = []
    try:
        by_article = config.podcast.episode_date == "article"
        update_catalogue(output, config, lambda catalogue: placed.append(_place(catalogue, result, plan, by_article)),
                         page=False)  # fmt: skip
    finally:
        discard(output, [path for path in result.staged.values() if path.exists()])
    return placed[0]


def keep_draft(output: Path, result: Result) -> Path:
    """Move a rendered episode's MP3 to the drafts folder, `<output>/.drafts/<slug>.mp3`; return its path.

    A draft is for listening before publishing: the catalogue, the feed and
    the page are not touched, and the same article's previous draft is
    replaced. The episode's other staged files are deleted.
    """
    folder = output / DRAFTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    draft = folder / f"{result.entry.slug}.mp3"
    try:
        os.chmod(result.staged["mp3"], 0o644)
        os.replace(result.staged["mp3"], draft)
    finally:
        discard(output.resolve(), result.staged.values())  # staged paths are absolute
    return draft


def _place(catalogue: Catalogue, result: Result, plan: Plan, by_article: bool) -> Entry:
    """Rename `result`'s staged files to a new revision of its episode and record it; return it as published.

    A new revision keeps the episode's guid and its first publication date (`by_article`: its article's date).
    """
    entry, output = result.entry, catalogue.folder
    current = catalogue.get(entry.slug)
    if catalogue.retired(entry.slug) > plan.retired:
        raise InputError(plan.source, f"was not published: `audiobuild remove {entry.slug}` took it out meanwhile")
    if current is not None and current.fingerprint == entry.fingerprint and intact(output, current):
        return current
    revision = catalogue.next_revision(entry.slug)
    while any((output / name).exists() for name in dataclasses.replace(entry, revision=revision).files):
        revision += 1  # left by a build that was killed after placing them: that URL may have been fetched
    entry = dataclasses.replace(
        entry,
        revision=revision,
        guid=current.guid if current else entry.guid,
        published=entry.published if current is None or (by_article and plan.script.date) else current.published,
    )
    for kind, staged in result.staged.items():
        place(staged, output / entry.named_files[kind])
    catalogue.upsert(entry)
    if current is not None:  # its names are never given out again (`Catalogue.next_revision`)
        catalogue.keep_replaced(current, datetime.now(timezone.utc))
    return entry


def update_catalogue(
    output: Path,
    config: Config,
    change: Callable[[Catalogue], object] | None = None,
    page: bool = True,
    months: Iterable[str] | None = (),
) -> Catalogue:
    """Under the folder's lock: `change` the catalogue in one transaction; rewrite the feed (and page, stylesheet).

    The page is index.html and the archive pages of the months `change`
    touched, of `months` and of any month changed since its page was written
    (with None, also every page of another look: `page.write_page`). A batch
    leaves the page to its end: only the feed must never list a file that is gone.
    """
    with FileLock(output / LOCK_FILE):
        catalogue = load_catalogue(output, create=True)
        with catalogue.transaction():
            _name_channel(catalogue, config.podcast)
            if change is not None:
                change(catalogue)
            kept_until = datetime.now(timezone.utc) - timedelta(days=config.podcast.keep_replaced_days)
            expired = catalogue.drop_replaced(before=kept_until)
        write_feed(catalogue, config.podcast)
        if page:
            write_page(catalogue, config.podcast, None if months is None else catalogue.touched | set(months))
            write_stylesheet(output)
        _delete_files(output, expired)  # after the feed: no feed ever lists a file that is gone
    return catalogue


def _name_channel(catalogue: Catalogue, podcast: Podcast) -> None:
    """Fix the channel's podcast:guid from its first public address.

    The Podcasting 2.0 spec derives the guid from the feed's URL and wants it
    kept when the feed moves. Only a public base_url may name it: a guid from
    localhost or a LAN address would be every installation's. A guid earlier
    versions derived from such an address is dropped.
    """
    local = {podcast_guid(url + FEED_FILE) for url in (DEFAULT_BASE_URL, podcast.served_url) if url}
    current = catalogue.podcast_guid
    if current in local:
        current = catalogue.podcast_guid = None
    if current is None and podcast.public:
        catalogue.podcast_guid = podcast_guid(podcast.url(FEED_FILE))


def _delete_files(output: Path, files: Iterable[str]) -> None:
    for relative in files:
        (output / relative).unlink(missing_ok=True)


def replaced_by(output: Path, name: str) -> str | None:
    """The current file (relative to `output`) of the episode whose replaced revision's file is `name`, or None.

    For `serve`, to answer the URL of a replaced revision whose files are gone
    with a redirect (while they are kept, they are served). `name` is relative
    to the folder ("episodes/the-story--2.mp3"); only revisions after the slug's last removal count, so a URL of an
    episode removed since leads nowhere. A folder without a readable
    catalogue has nothing to redirect (its 404 stays one).
    """
    if name.partition("/")[0] not in (EPISODES_DIR, TRANSCRIPTS_DIR, CHAPTERS_DIR):
        return None
    try:
        catalogue = load_catalogue(output)
    except AudiobuildError:
        return None
    try:
        current = catalogue.get(slug_of(name))
        if current is None:
            return None
        for revision in range(catalogue.retired(current.slug) + 1, current.revision):
            older = dataclasses.replace(current, revision=revision).named_files
            kind = next((kind for kind, file in older.items() if file == name), None)
            if kind is not None:
                return current.named_files[kind]
        return None
    finally:
        catalogue.close()


def remove_episodes(output: Path, names: list[str], config: Config) -> tuple[list[Entry], list[AudiobuildError]]:
    """Drop episodes from the catalogue and the feed, then delete their files; (removed, one error per unknown name).

    A name is an episode's slug or the name of any file of any of its
    revisions, with or without its folder: "the-story", "the-story--2.mp3",
    "transcripts/the-story--3.vtt". As `rm` does, the episodes found are
    removed even when some names are not.
    """
    _require_catalogue(output)
    removed: list[Entry] = []
    unknown: list[AudiobuildError] = []
    kept: list[str] = []  # the files of the episodes' replaced revisions

    def drop(catalogue: Catalogue) -> None:
        for name in names:
            slug = slug_of(name)
            entry = catalogue.remove(slug)
            if entry is not None:
                removed.append(entry)
                kept.extend(catalogue.drop_replaced(slug=slug))
                continue
            near = catalogue.near(slug)
            if slug in near:  # a row that is not an entry: the catalogue's warning said so
                unknown.append(AudiobuildError(output, f"episode {name!r} is damaged in the catalogue; {REBUILD}"))
                continue
            close = difflib.get_close_matches(slug, near, n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else " (`audiobuild list` shows them)"
            unknown.append(AudiobuildError(output, f"no episode {name!r}{hint}"))

    update_catalogue(output, config, drop)
    _delete_files(output, [name for entry in removed for name in entry.files] + kept)
    return removed, unknown


def slug_of(name: str) -> str:
    """The slug of an episode from its slug or any of its files' names.

    >>> slug_of("episodes/the-story--2.mp3"), slug_of("the-story.chapters.json"), slug_of("the-story")
    ('the-story', 'the-story', 'the-story')
    """
    stem = name.replace("\\", "/").rsplit("/", 1)[-1]
    for suffix in (".chapters.json", *(f".{extension}" for extension in ("mp3", *TRANSCRIPT_TYPES))):
        stem = stem.removesuffix(suffix)
    return stem.split("--", 1)[0]  # a slug never holds "--": what follows is the revision


def publish_at(output: Path, config: Config, served_url: str, empty: bool = False) -> str:
    """Point the feed at `served_url` (unless podcast.toml sets base_url); return the feed's URL.

    The address is remembered in the folder, so later builds keep using it and a
    phone subscribed through it keeps working. A folder never built into is an
    error unless `empty` (a `serve --inbox` starts with an empty feed).
    """
    if not empty:
        _require_catalogue(output)
    if not config.podcast.base_url:
        write_bytes(output / SERVED_URL_FILE, served_url.encode())
        config = config.for_output(output)
    update_catalogue(output, config)
    return config.podcast.url(FEED_FILE)


def feed_address(output: Path, config: Config) -> str | None:
    """Where a podcast app finds the feed now: base_url's, else the served address while a server answers there.

    The served address is remembered when `serve` stops (phones subscribed
    through it keep working when it serves again), but a build that names it
    while nothing serves there would send a new subscriber to nothing. A
    server counts when a HEAD of the feed there answers 200 with this
    folder's feed's size. None when there is no such address.
    """
    podcast = config.podcast
    if podcast.base_url:
        return podcast.url(FEED_FILE)
    if not podcast.served_url:
        return None
    url = podcast.url(FEED_FILE)
    try:
        size = (output / FEED_FILE).stat().st_size
    except OSError:
        return None
    return url if _answers(url, size) else None


def _answers(url: str, size: int) -> bool:
    """True when a HEAD of `url` answers 200 with Content-Length `size` within a second."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        # Only whether our own server is there is asked, of an address `serve` printed: its certificate is often a
        # local one (mkcert) this process does not trust, and no answer is read but two headers.
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=1, context=context)
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=1)
    try:
        connection.request("HEAD", parts.path)
        response = connection.getresponse()
        return response.status == 200 and response.getheader("Content-Length") == str(size)
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def refresh_feed(output: Path, config: Config) -> Path:
    """Regenerate the feed, page and cover from the catalogue (after a podcast.toml change, say).

    A configured cover is checked as a build checks it (ConfigError). Episodes
    keep their bytes and URLs: their MP3s get a new cover when next rebuilt.
    """
    _require_catalogue(output)
    cover = cover_bytes(output, config)
    update_catalogue(output, config, months=None)
    write_if_changed(output / config.podcast.cover_file, cover)
    return output / FEED_FILE


def _require_catalogue(output: Path) -> None:
    if not (output / CATALOGUE_FILE).is_file():
        raise AudiobuildError(output, "has no catalogue: build an article into it first")
