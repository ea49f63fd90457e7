"""`audiobuild follow`: a site's feed, read now and then; each new item becomes an episode.

A run reads each feed (`[[follow]]` in podcast.toml, or the feeds named on the
command line) with a conditional GET, so an unchanged feed costs one 304, and
turns every item it has not built yet into a Script: from the feed's own full
text when it carries it, else from the item's page (fetched, and extracted as
`build` extracts a page). Those are built in one batch (`batch.build_all`).

What a run remembers lives in the output folder's private state
(`.state/follow.json`, see `state`): per feed, its validators and the last
fetch; per item, the digest of what the feed said about it, how it ended
(built, failing, skipped, no dialogue) and its page's validators. An item
whose digest did not change is not fetched again; one that changed is read
again, and a changed article becomes a new revision of its episode (same
guid), as a changed file does for `build`. The feed's last body is kept
beside it (`.state/feed-<digest>`), so that items which failed are retried on
the next run even when the feed answers 304. An item that failed
FAILED_RUNS_BEFORE_SKIP runs is skipped until the feed changes it; `--status`
lists them with their last error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from audiobuild.atomic import write_bytes
from audiobuild.config import Config, Follow
from audiobuild.errors import AudiobuildError, BatchFailed, InputError, printable
from audiobuild.model import Script
from audiobuild.publish import state
from audiobuild.read.feeds import FEED_ACCEPT, Feed, Item, read_feed
from audiobuild.read.fetch import Fetcher, Validators
from audiobuild.schema import check

log = logging.getLogger("audiobuild")

FAILED_RUNS_BEFORE_SKIP = 3
MAX_FEED_BYTES = 10 * 1024 * 1024
BUILT, FAILING, SKIPPED, NO_DIALOGUE = "built", "failing", "skipped", "no dialogue"

_TEXT, _MAYBE_TEXT, _COUNT = {"type": "string"}, {"type": ["string", "null"]}, {"type": "integer", "minimum": 0}
_VALIDATORS = {"type": ["object", "null"], "additionalProperties": False,
               "properties": {"etag": _MAYBE_TEXT, "last_modified": _MAYBE_TEXT}}  # fmt: skip
STATE = state.Document(
    "follow",
    {"properties": {"feeds": {"type": "object", "additionalProperties": {
        "type": "object",
        "properties": {
            **dict.fromkeys(("last_fetch", "last_change", "result"), _TEXT),
            "failures": _COUNT,
            "validators": _VALIDATORS,
            "items": {"type": "object", "additionalProperties": {
                "type": "object",
                "required": ["digest", "state", "title", "link"],
                "properties": {
                    **dict.fromkeys(("digest", "title", "link", "error", "slug"), _TEXT),
                    "state": {"enum": [BUILT, FAILING, SKIPPED, NO_DIALOGUE]},
                    "date": _MAYBE_TEXT,
                    "failures": _COUNT,
                    "page": _VALIDATORS,
                },
            }},
        },
    }}}},
    "and every item is read once more (an episode already built is not built again)",
)  # fmt: skip


@dataclass(frozen=True)
class Options:
    """What the command line says over each feed's own `[[follow]]` settings (None: the feed's own)."""

    match: str | None = None
    max: int | None = None
    interviews_only: bool | None = None
    voices: str | None = None
    since: datetime | None = None  # items dated before this are left alone
    workers: int | None = None
    cluster: str | None = None  # a Dask scheduler's address, or "local" (as `build --cluster`)


def feeds(sources: list[str], config: Config) -> list[Follow]:
    """The feeds to follow: `sources` (URLs or files) when given, else podcast.toml's [[follow]] tables."""
    if sources:
        return [Follow(url=source if re.match(r"https?://", source, re.I) else str(Path(source).resolve()))
                for source in sources]  # fmt: skip
    if not config.follow:
        where = config.path or "podcast.toml"
        raise AudiobuildError(where, "lists no feeds to follow: give a feed's URL, or add [[follow]] tables")
    return list(config.follow)


def follow(
    sources: list[Follow], output: Path, config: Config, options: Options = Options(), watch: float | None = None
) -> bool:
    """Read every feed and build its new items into `output`; True when nothing failed.

    With `watch` (minutes), read them again every `watch` minutes until
    Ctrl-C or SIGTERM, which stop it at once: an episode being rendered is
    abandoned (nothing of it is written) and those published stay; the next
    run picks up what is left. Only one `follow` runs on a folder at a time.
    """
    if output.exists() and not output.is_dir():
        raise AudiobuildError(output, "is not a folder")
    output.mkdir(parents=True, exist_ok=True)
    lock = FileLock(state.state_path(output, STATE).with_suffix(".run.lock"))
    state.state_path(output, STATE).parent.mkdir(parents=True, exist_ok=True)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise AudiobuildError(output, "another `audiobuild follow` is running on this folder") from None
    previous = signal.signal(signal.SIGTERM, _interrupt) if _main_thread() else None
    try:
        while True:
            ok = run_once(sources, output, config, options)
            if watch is None:
                return ok
            log.info("next check in %g minute%s (Ctrl-C stops)", watch, "" if watch == 1 else "s")
            time.sleep(watch * 60)
    except KeyboardInterrupt:
        if watch is None:
            raise
        log.info("follow: stopped")
        return True
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        lock.release()


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # a service manager's stop is a Ctrl-C: the build cleans up as it does for one


# `--watch`'s minutes: more than a week apart is not watching (and time.sleep overflows on inf).
_WATCH = {"type": "number", "exclusiveMinimum": 0, "maximum": 7 * 24 * 60}


def watch_minutes(text: str) -> float:
    """`--watch MINUTES` read and checked: ValueError saying what is wrong ("MINUTES = inf must be a finite number")."""
    try:
        minutes = float(text)
    except ValueError:
        raise ValueError(f"must be a number of minutes, not {text!r}") from None
    try:
        check(minutes, _WATCH, "--watch", describe=lambda path: "MINUTES")
    except AudiobuildError as error:
        raise ValueError(error.problem) from None
    return minutes


def run_once(sources: list[Follow], output: Path, config: Config, options: Options = Options()) -> bool:
    """One reading of every feed; True when no feed and no item failed."""
    ok = True
    with Fetcher() as fetcher:
        for source in sources:
            ok &= _follow_feed(_with_options(source, options), output, config, options, fetcher)
    return ok


def _with_options(source: Follow, options: Options) -> Follow:
    given = {key: getattr(options, key) for key in ("match", "max", "interviews_only", "voices")}
    return dataclasses.replace(source, **{key: value for key, value in given.items() if value is not None})


def _follow_feed(source: Follow, output: Path, config: Config, options: Options, fetcher: Fetcher) -> bool:
    known = state.read(output, STATE).get("feeds", {}).get(source.url, {})
    record = {**known, "last_fetch": datetime.now(UTC).replace(microsecond=0).isoformat()}
    items = dict(known.get("items", {}))
    try:
        feed, private, validators = _read(source, output, known, fetcher)
    except AudiobuildError as error:
        log.error("audiobuild: error: %s", error)
        _save(
            output,
            source.url,
            {**record, "result": f"error: {error.problem}", "failures": known.get("failures", 0) + 1},
        )
        return False
    if feed is None:
        log.info("%s: not changed since %s", source.url, known.get("last_change", "the last run"))
        _save(output, source.url, {**record, "result": "not changed", "failures": 0})
        return True
    wanted = _select(_distinct(feed.items, source.url), source, options.since)
    for item in wanted:  # records of earlier versions, kept under the guid alone
        if _identity(item) not in items and items.get(item.key, {}).get("link") == item.link:
            items[_identity(item)] = items.pop(item.key)
    unread = [item for item in wanted if _unread(item, items.get(_identity(item)))]
    log.info("%s: %d item%s, %d to read", source.url, len(feed.items), "" if len(feed.items) == 1 else "s", len(unread))
    scripts, ok = {}, True
    for item in unread:
        seen = items.get(_identity(item))
        try:
            script, page = _script(item, source, config, fetcher, private, seen)
        except AudiobuildError as error:
            ok = False
            items[_identity(item)] = _failed(item, seen, error)
            continue
        if script is None:  # the page answered 304: the article did not change
            items[_identity(item)] = {**seen, "digest": item.digest}
        elif source.interviews_only and not _has_dialogue(script):
            log.info("skipped (no dialogue found): %s (%s)", item.title or script.title, item.link or source.url)
            items[_identity(item)] = _entry(item, NO_DIALOGUE)
        elif script.source not in scripts:  # two items of one article: it is built once
            scripts[script.source] = (item, script, page)
    ok &= _build(scripts, items, output, config, source.voices or None, options)
    if validators is not None:
        record.update(validators=validators.as_json(), last_change=record["last_fetch"])
    _save(output, source.url, {**record, "result": f"{len(feed.items)} items", "failures": 0, "items": items})
    return ok


def _identity(item: Item) -> str:
    """What `follow` knows an item by: its guid and its link together.

    RSS asks a guid to be unique, but feeds repeat one (a template's constant,
    an id reused for another article): two items with one guid and their own
    links are two articles. The guid alone when it is the link, or there is none.
    """
    return item.key if item.link in ("", item.key) else f"{item.key} {item.link}"


def _distinct(items: list[Item], url: str) -> list[Item]:
    """`items` without repeats of one identity (the first, the feed's newest, stays); one warning per repeated guid."""
    for guid, count in Counter(item.key for item in items).items():
        if count > 1:
            log.warning("%s: %d items share the guid %r: each is known by its guid and link together", url, count, guid)
    distinct: dict[str, Item] = {}
    for item in items:
        distinct.setdefault(_identity(item), item)
    return list(distinct.values())


def _unread(item: Item, seen: dict | None) -> bool:
    """True for an item new to this folder, changed in the feed since it was read, or failing."""
    return seen is None or seen["digest"] != item.digest or seen["state"] == FAILING


def _read(source: Follow, output: Path, known: dict, fetcher: Fetcher) -> tuple[Feed | None, bool, Validators | None]:
    """(the feed, or None when unchanged with nothing to retry; whether its items may be private; new validators)."""
    cache = output / state.STATE_DIR / f"feed-{hashlib.sha256(source.url.encode()).hexdigest()[:16]}"
    if not re.match(r"https?://", source.url, re.I):
        body = _read_file(Path(source.url))
        return read_feed(body, source.url), True, None
    response = fetcher.get(source.url, Validators.from_json(known.get("validators")), accept=FEED_ACCEPT)
    if response.not_modified:
        failing = any(item["state"] == FAILING for item in known.get("items", {}).values())
        if not failing or not cache.is_file():
            return None, response.private, None
        return read_feed(cache.read_bytes(), source.url, url=response.url), response.private, None
    feed = read_feed(response.body, source.url, response.content_type, response.url)
    write_bytes(cache, response.body)
    return feed, response.private, response.validators


def _read_file(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            body = file.read(MAX_FEED_BYTES + 1)
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from None
    if len(body) > MAX_FEED_BYTES:
        raise InputError(path, f"is larger than {MAX_FEED_BYTES // 1024 // 1024} MB; feeds that large are refused")
    return body


def _select(items: list[Item], source: Follow, since: datetime | None) -> list[Item]:
    """The items to read: matching `source.match`, dated from `since` on, the newest `source.max` of them."""
    pattern = re.compile(source.match) if source.match else None
    chosen = [
        item for item in items
        if (pattern is None or pattern.search(item.title) or pattern.search(item.link))
        and (since is None or item.date is None or datetime.fromisoformat(item.date) >= since)
    ]  # fmt: skip
    if source.max:  # the newest: dated ones by date, the feed's own order otherwise (feeds list newest first)
        chosen = sorted(chosen, key=lambda item: item.date or "", reverse=True)[: source.max]
    return chosen


def _script(
    item: Item, source: Follow, config: Config, fetcher: Fetcher, private: bool, seen: dict | None
) -> tuple[Script | None, dict | None]:
    """(the item's article as a Script, or None when its page answered 304; the page's validators, if fetched)."""
    from audiobuild.read.sources import PAGE_ACCEPT, Article, extract_html, page_article
    from audiobuild.run.pipeline import load_script

    # Its address names the episode (as `build URL` would); an item with only text gets one of its own.
    name = item.link or f"urn:audiobuild:item:{hashlib.sha256(f'{source.url} {item.key}'.encode()).hexdigest()[:16]}"
    page = None
    if item.html:
        article = extract_html(item.html, name, url=item.link or None, prune=source.prune)
    elif item.text:
        article = Article(name, item.text)
    elif item.link:
        validators = Validators.from_json((seen or {}).get("page")) if seen and seen["state"] == BUILT else None
        # A public feed's items are fetched only from public addresses: it cannot point this machine at its LAN.
        response = fetcher.get(item.link, validators, accept=PAGE_ACCEPT, allow_private=private)
        if response.not_modified:
            return None, None
        article = page_article(response, name, prune=source.prune)
        page = response.validators.as_json()
    else:
        raise InputError(source.url, f"item {item.key!r} has neither a link nor its text")
    article = dataclasses.replace(
        article, title=item.title or article.title, date=item.date or article.date, author=item.author or article.author
    )
    return load_script(article, config), page


def _has_dialogue(script: Script) -> bool:
    return any(segment.kind in ("question", "answer") for segment in script.segments)


def _build(scripts: dict, items: dict, output: Path, config: Config, voices: str | None, options: Options) -> bool:
    """Build the items' Scripts in one batch and record how each ended in `items`; True when none failed."""
    if not scripts:
        return True
    from audiobuild.run.batch import build_all

    try:
        results, failures = (
            build_all(
                [script for _, script, _ in scripts.values()], output, config, voices, options.workers, options.cluster
            ),
            [],
        )
    except BatchFailed as failed:
        results, failures = failed.results, failed.failures
    for result in results:
        item, _, page = scripts[result.source]
        items[_identity(item)] = {**_entry(item, BUILT), "slug": result.entry.slug, "page": page}
    for error in failures:
        if error.source in scripts:
            item, _, _ = scripts[error.source]
            items[_identity(item)] = _failed(item, items.get(_identity(item)), error, reported=True)
    return not failures


def _entry(item: Item, outcome: str) -> dict:
    return {"title": item.title, "link": item.link, "date": item.date, "digest": item.digest, "state": outcome}


def _failed(item: Item, seen: dict | None, error: AudiobuildError, reported: bool = False) -> dict:
    """The record of an item that failed this run: failing, or skipped after FAILED_RUNS_BEFORE_SKIP runs."""
    runs = (seen or {}).get("failures", 0) + 1 if (seen or {}).get("state") == FAILING else 1
    skip = runs >= FAILED_RUNS_BEFORE_SKIP
    note = f"; failed {runs} runs: skipped until the feed changes it (`audiobuild follow --status`)" if skip else ""
    if not reported or skip:
        log.error("audiobuild: error: %s%s", error, note)
    return {**_entry(item, SKIPPED if skip else FAILING), "failures": runs, "error": str(error)}


def _save(output: Path, url: str, record: dict) -> None:
    with state.changing(output, STATE) as document:
        document.setdefault("feeds", {})[url] = record


def status(output: Path) -> str:
    """`audiobuild follow --status`: each feed, its last fetch, and its items built, failing and skipped."""
    feeds = state.read(output, STATE).get("feeds", {})
    if not feeds:
        return f"{output} follows no feed yet (`audiobuild follow FEED-URL` starts)\n"
    lines = []
    for url, record in feeds.items():
        items = record.get("items", {}).values()
        counts = {outcome: sum(item["state"] == outcome for item in items)
                  for outcome in (BUILT, FAILING, SKIPPED, NO_DIALOGUE)}  # fmt: skip
        lines.append(url)
        lines.append(f"  last fetch {record.get('last_fetch', 'never')}: {record.get('result', '')}")
        lines.append("  " + ", ".join(f"{outcome} {count}" for outcome, count in counts.items()))
        for item in items:
            if item["state"] in (FAILING, SKIPPED):
                runs = item.get("failures", 1)
                title = item["title"] or item["link"]
                lines.append(f"  {item['state']} after {runs} run{'s' * (runs != 1)}: {title}: {item.get('error', '')}")
            elif item["state"] == NO_DIALOGUE:
                lines.append(f"  no dialogue: {item['title'] or item['link']}")
    # Titles, links and errors come from the feeds: they cannot drive the terminal.
    return "".join(f"{printable(line)}\n" for line in lines)
