"""`audiobuild build`: many articles at once, planned here, rendered on an executor, published one by one.

Every article is read, parsed and checked before any audio is made; the
episodes then render in parallel (`workers.WorkerPool`, a process per core by
default) while this process publishes each as it finishes, so the catalogue
and feed are only ever written by one process. A bad article is reported in
one line and skipped; the others are built.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
from pathlib import Path

from audiobuild.atomic import remove_stale_temporaries, remove_temporaries
from audiobuild.audio.listen import check_listener
from audiobuild.config import Config
from audiobuild.errors import AudiobuildError, BatchFailed, InputError
from audiobuild.model import Entry, ParseOptions, Script
from audiobuild.publish.catalogue import Catalogue, load_catalogue, month_of
from audiobuild.publish.cover import cover_bytes
from audiobuild.publish.episodes import feed_address, keep_draft, publish, update_catalogue
from audiobuild.publish.feed import FEED_FILE
from audiobuild.run.pipeline import Plan, Result, plan_episode
from audiobuild.run.unchanged import input_digests, record
from audiobuild.run.verify import report
from audiobuild.run.workers import WorkerPool, start_workers
from audiobuild.voice.profiles import check_profile, load_profile
from audiobuild.voice.synthesize import CACHE_DIR, MB, prune_cache

log = logging.getLogger("audiobuild")


def build_all(
    sources: list[str | Path | Script],
    output: Path,
    config: Config,
    voices: str | None = None,
    workers: int | None = None,
    cluster: str | None = None,
    options: ParseOptions = ParseOptions(),
    draft: bool = False,
    pool: WorkerPool | None = None,
) -> list[Result]:
    """Build each article into `output` on worker processes (one per core by default, `workers` at most).

    An article is a file's path, an http(s) URL, or a Script already read (`follow`, the inbox).
    With `cluster` (or podcast.toml's [cluster] address), a Dask scheduler's
    address or "local", the episodes render on that cluster instead (`cluster.ClusterPool`).
    A `pool` already started for this build (the CLI starts it before loading
    the build) is used instead, and ended here.

    `options` (`--layout`, `--interviewer`) apply to every article of the batch.
    A `draft` is rendered into the drafts folder (`publish.episodes.keep_draft`) and never published.

    A bad article is reported and skipped and the rest are built; BatchFailed
    is raised after the batch when any failed. Every article is parsed and
    checked before any audio is made, and nothing is written for one that
    fails. The workers start while the articles are read, so that their
    start-up overlaps; a crash of a speech engine in one of them costs only
    the article that caused it (see `WorkerPool`).
    """
    with contextlib.ExitStack() as ending:
        if pool is not None:
            ending.enter_context(pool)
        if config.reading.verify:
            check_listener()  # before anything is built: one line saying how to install it
        profile = load_profile(voices or config.podcast.voices)
        # Before anything is read or planned: an article changed during the build is recorded with its older digest.
        digests = {} if draft else input_digests(sources, output, config, voices, options)
        if output.exists() and not output.is_dir():
            raise AudiobuildError(output, "is not a folder")
        address = cluster or config.cluster.address
        # Started first: the workers start their engines while this process checks and plans.
        if pool is None and address:
            from audiobuild.run.cluster import ClusterPool

            pool = ending.enter_context(ClusterPool(address, config.cluster.cache, profile.engines))
        elif pool is None:
            pool = ending.enter_context(start_workers(len(sources), workers, voices, config))
        check_profile(profile)
        catalogue = load_catalogue(output)
        cover = cover_bytes(output, config)
        try:
            return _build(sources, output, config, profile, catalogue, cover, pool, options, draft, digests)
        finally:  # what a crashed or interrupted worker left: the staged files, a clip cache's staging folder
            remove_temporaries(output, os.getpid())
            remove_stale_temporaries(output)


def _build(
    sources, output: Path, config: Config, profile, catalogue, cover: bytes, pool, options, draft: bool, digests
) -> list[Result]:
    failures: list[AudiobuildError] = []
    results: list[Result] = []
    plans: list[Plan] = []
    newest = catalogue.newest_date()  # and then the newest of this batch's plans: no two share a pubDate
    titles: dict[str, str] = {}  # this batch's plans' titles by slug
    redigested: list[tuple[Entry, Entry]] = []  # unchanged, recorded with an older version's digest (`plan_episode`)
    for source in (source if isinstance(source, Script) else str(source) for source in sources):
        try:
            plan = _unique(plan_episode(source, catalogue, config, profile, newest, options, titles), plans)
        except AudiobuildError as error:
            _report(error, failures)
            continue
        if plan.unchanged:
            log.info("unchanged: %s (%s)", plan.entry.file, plan.source)
            results.append(Result(plan.source, plan.entry, plan.script, [], rebuilt=False))
            if plan.entry != plan.previous:
                redigested.append((plan.previous, plan.entry))
        else:
            plans.append(plan)
            newest = max(filter(None, [newest, plan.entry.published]))
            titles[plan.entry.slug] = plan.script.title

    if plans:
        remove_stale_temporaries(output)  # left by a build that was killed
    for plan, outcome in pool.render(plans, output, config, cover):
        try:
            if isinstance(outcome, Exception):
                raise outcome
            minutes, seconds = divmod(round(outcome.entry.duration), 60)  # as `list` and the feed's itunes:duration
            if outcome.listening is not None:
                _heard(plan, outcome, output, config)
            if draft:
                log.info("draft: %s (%d:%02d) from %s, not in the feed", keep_draft(output, outcome), minutes,
                         seconds, plan.source)  # fmt: skip
                results.append(dataclasses.replace(outcome, staged={}))
                continue
            entry = publish(output, outcome, plan, config, cover)
            log.info("built %s (%d:%02d) from %s", entry.file, minutes, seconds, plan.source)
            results.append(dataclasses.replace(outcome, entry=entry, staged={}))
        except AudiobuildError as error:
            _report(error, failures)
        except OSError as error:
            _report(AudiobuildError(output, f"cannot write: {error.strerror or error}"), failures)
    if plans:  # once a batch, not an episode: looking at 10,000 clips (500 MB) takes about 0.2 s
        prune_cache(output / CACHE_DIR, config.cache.max_mb * MB)
    if results and not draft:
        try:
            # The channel settings may have changed too; the archive pages are those of the episodes built.
            touched = {month_of(result.entry.published) for result in results}
            touched |= {month_of(plan.previous.published) for plan in plans if plan.previous is not None}
            catalogue = update_catalogue(output, config, lambda catalogue: _redigest(catalogue, redigested),
                                         months=touched)  # fmt: skip
        except OSError as error:
            _report(AudiobuildError(output, f"cannot write: {error.strerror or error}"), failures)
        else:
            record(output, digests, results)  # for the next build of these articles: `unchanged`
            count, address = len(catalogue), feed_address(output, config)
            log.info("feed: %s (%d episode%s) %s", output / FEED_FILE, count, "" if count == 1 else "s",
                     f"at {address}" if address else "(`audiobuild serve` serves it)")  # fmt: skip
    if failures:
        raise BatchFailed(failures, len(sources), results)
    return results


def _heard(plan: Plan, outcome: Result, output: Path, config: Config) -> None:
    """Report what `--verify` heard; raise AudiobuildError, keeping the episode as a draft, when under `verify_min`.

    An episode heard under the threshold is not published: its listeners would
    get an episode known to be wrong, and the one it would replace stays. It is
    kept in the drafts folder instead, to hear what went wrong.
    """
    lines = report(plan.source, outcome.listening)
    log.info("%s", lines[0])
    for line in lines[1:]:
        log.warning("%s", line)
    recall, least = outcome.listening.recall, config.reading.verify_min
    if recall < least:
        draft = keep_draft(output, outcome)
        raise AudiobuildError(plan.source, f"heard {recall:.1%} of its words, under the minimum {least:g} "
                                           f"(--verify-min): not published; the draft is {draft}")  # fmt: skip


def _redigest(catalogue: Catalogue, changes: list[tuple[Entry, Entry]]) -> None:
    """Record each (as planned, with today's digest) pair's new digest, unless another build changed it meanwhile."""
    for previous, entry in changes:
        if catalogue.get(entry.slug) == previous:
            catalogue.upsert(entry)


def _unique(plan: Plan, planned: list[Plan]) -> Plan:
    """`plan`, unless another article of this batch has the same slug (and would overwrite it)."""
    for other in planned:
        if other.entry.slug == plan.entry.slug:
            raise InputError(
                plan.source, f"has the same title as {other.source} ({plan.entry.slug!r}); build them separately"
            )
    return plan


def _report(error: AudiobuildError, failures: list[AudiobuildError]) -> None:
    log.debug("details", exc_info=error)
    log.error("audiobuild: error: %s", error)
    failures.append(error)
