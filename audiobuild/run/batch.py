"""`audiobuild build`: many articles at once, planned here, rendered on an executor, published one by one.

Every article is read, parsed and checked before any audio is made; the
episodes then render in parallel (`process_pool`, a process per core by
default) while this process publishes each as it finishes, so the catalogue
and feed are only ever written by one process. A bad article is reported in
one line and skipped; the others are built.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import dataclasses
import logging
import multiprocessing
import os
import sys
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from audiobuild.atomic import remove_stale_temporaries, remove_temporaries
from audiobuild.audio.listen import check_listener
from audiobuild.children import die_with_parent
from audiobuild.config import Config
from audiobuild.errors import AudiobuildError, InputError, SynthesisError
from audiobuild.model import Entry, ParseOptions, Script
from audiobuild.publish.catalogue import Catalogue, load_catalogue, month_of
from audiobuild.publish.cover import cover_bytes
from audiobuild.publish.episodes import feed_address, keep_draft, publish, update_catalogue
from audiobuild.publish.feed import FEED_FILE
from audiobuild.run.pipeline import Plan, Result, plan_episode, render
from audiobuild.run.progress import NoBar, progress_bar
from audiobuild.run.unchanged import input_digests, record
from audiobuild.run.verify import report
from audiobuild.voice.engines import get_engine, limit_threads
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
) -> list[Result]:
    """Build each article into `output` on worker processes (one per core by default, `workers` at most).

    An article is a file's path, an http(s) URL, or a Script already read (`follow`, the inbox).
    With `cluster` (or podcast.toml's [cluster] address), a Dask scheduler's
    address or "local", the episodes render on that cluster instead (`cluster.ClusterPool`).

    `options` (`--layout`, `--interviewer`) apply to every article of the batch.
    A `draft` is rendered into the drafts folder (`publish.episodes.keep_draft`) and never published.

    A bad article is reported and skipped and the rest are built; BatchFailed
    is raised after the batch when any failed. Every article is parsed and
    checked before any audio is made, and nothing is written for one that
    fails. The workers start while the articles are read, so that their
    start-up overlaps; a crash of a speech engine in one of them costs only
    the article that caused it (see `WorkerPool`).
    """
    if config.reading.verify:
        check_listener()  # before anything is built: one line saying how to install it
    profile = load_profile(voices or config.podcast.voices)
    # Before anything is read or planned: an article changed during the build is recorded with its older digest.
    digests = {} if draft else input_digests(sources, output, config, voices, options)
    if output.exists() and not output.is_dir():
        raise AudiobuildError(output, "is not a folder")
    address = cluster or config.cluster.address
    engines = {voice.engine for voice in profile.all_voices.values()}
    # Started first: the workers start their engines while this process checks and plans.
    if address:
        from audiobuild.run.cluster import ClusterPool

        pool = ClusterPool(address, config.cluster.cache, engines)
    else:
        pool = WorkerPool(min(len(sources), workers or os.cpu_count() or 1), engines, config.reading.verify)
    with pool:
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


# ---------------------------------------------------------------------------
# Workers


class WorkerPool:
    """Processes that render episodes, with a progress bar, that end with this one and contain a crash.

    `size` processes are `spawn`ed at once (espeak's thread does not survive a
    fork), each starting `engines` on its share of the cores, while the parent
    plans. Each worker dies with its parent (`children.die_with_parent`), so a
    `kill -9` of a build leaves no process writing into the output folder.
    A speech engine that crashes its process (espeak aborts on some
    pathological words) breaks the pool: the articles not yet rendered are
    then rendered again one at a time, each in a pool of its own, and the one
    that crashes again is reported with the sentence it crashed on.
    """

    def __init__(self, size: int, engines: set[str], listening: bool = False):
        self.size, self.engines, self.listening = max(1, size), sorted(engines), listening
        self._context = multiprocessing.get_context("spawn")
        self._spoken: dict[int, int] = {}
        self._bar, self._single, self._crashed = NoBar(), False, False
        self._listen_anew()
        self._executor = self._start(self.size)

    def _listen_anew(self) -> None:
        """A new queue for the workers' progress (plan number, sentences just spoken), and a thread reading it.

        After a crash, the pools that follow need a queue of their own: a worker killed while putting an event
        dies holding the queue's lock, and every later put would wait for it forever. The old queue's reader
        is a daemon thread, left to end with the process.
        """
        self._events = self._context.SimpleQueue()
        self._listener = threading.Thread(target=self._listen, args=(self._events,), daemon=True)
        self._listener.start()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info) -> None:
        # Interrupted, failed, all unchanged, or every result in: nothing they do now is wanted (nor their
        # start-up, nor their exit: a worker took 0.2 to 0.4 s to tear its interpreter and engines down). Those
        # that listened (`--verify`) end normally: killed, one that had loaded Whisper left a semaphore for the
        # resource tracker to warn about.
        if not self.listening or (exc_info[0] is not None and not issubclass(exc_info[0], BatchFailed)):
            for worker in multiprocessing.active_children():
                worker.kill()
        self._executor.shutdown(wait=True, cancel_futures=True)
        if not self._crashed:  # else a dead worker may hold the queue's lock: the daemon reader ends with us
            self._events.put(None)
            self._listener.join()

    def _start(self, size: int) -> ProcessPoolExecutor:
        threads = max(1, (os.cpu_count() or 1) // size)  # per worker's engines, so that workers share the cores
        quiet = not log.isEnabledFor(logging.DEBUG)
        executor = ProcessPoolExecutor(
            size, mp_context=self._context, initializer=_start_worker,
            initargs=(threads, self.engines, os.getpid(), self._events, quiet),
        )  # fmt: skip
        for _ in range(size):  # spawns every worker now, while the parent plans
            executor.submit(int)
        return executor

    def _listen(self, events) -> None:
        for event in iter(events.get, None):
            number, count = event
            self._spoken[number] = self._spoken.get(number, 0) + count
            if self._single:
                self._bar.update(count)

    def render(self, plans: list[Plan], output: Path, config: Config, cover: bytes):
        """Yield (plan, Result or the AudiobuildError or OSError it failed with) as each episode is rendered.

        One article shows a progress bar over its sentences; several, a bar over the articles.
        """
        self._single = len(plans) == 1
        if self._single:
            sentences = sum(len(segment.sentences) for segment in plans[0].script.segments)
            bar = progress_bar(sentences, "sentences", Path(plans[0].source).name, minimum=200)
        else:
            bar = progress_bar(len(plans), "articles", "build")
        with bar as self._bar:
            left = dict(enumerate(plans))
            futures = {self._submit(self._executor, number, plan, output, config, cover): number
                       for number, plan in left.items()}  # fmt: skip
            for future in as_completed(futures):
                number = futures[future]
                if isinstance(future.exception(), BrokenProcessPool):
                    continue
                self._bar.update(0 if self._single else 1)
                yield left.pop(number), _outcome(future)
            for number, plan in left.items():  # after a crash: each in a pool of its own, to find the culprit
                log.debug("a worker crashed: rendering %s alone", plan.source)
                self._crashed = True
                self._listen_anew()
                with self._start(1) as alone:
                    future = self._submit(alone, number, plan, output, config, cover)
                    yield plan, self._crash(plan, number) if isinstance(future.exception(), BrokenProcessPool) else (
                        _outcome(future))  # fmt: skip

    def _submit(self, executor: Executor, number: int, plan: Plan, output: Path, config: Config, cover: bytes):
        self._spoken[number] = 0
        return executor.submit(_render_task, number, plan, output, config, cover)

    def _crash(self, plan: Plan, number: int) -> AudiobuildError:
        """The error for an article whose rendering killed its worker: it names the sentence being spoken."""
        sentences = [sentence for segment in plan.script.segments for sentence in segment.sentences]
        spoken = self._spoken.get(number, 0)
        if spoken >= len(sentences):
            return SynthesisError(plan.source, "the speech engine crashed after speaking the whole article")
        sentence = sentences[spoken]
        quoted = sentence if len(sentence) <= 70 else sentence[:69] + "\u2026"
        return SynthesisError(plan.source, f"the speech engine crashed on the sentence {quoted!r} (reword it)")


def _outcome(future: Future) -> Result | AudiobuildError | OSError:
    try:
        return future.result()
    except (AudiobuildError, OSError) as error:
        return error


_events = None  # a worker's queue to the parent, set when it starts


def _start_worker(threads: int, engines: list[str], parent: int, events, quiet: bool) -> None:
    """Each worker's start: end with the parent, take a share of the cores, start the engines now.

    A worker reports through its results, never on the terminal: unless the
    build is verbose, what an engine's C library prints there (glibc's
    "buffer overflow detected" as espeak aborts) goes nowhere.
    """
    global _events
    die_with_parent(parent)
    os.environ["LIBC_FATAL_STDERR_"] = "1"  # glibc's last words to stderr, not to /dev/tty
    if quiet:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stderr.fileno())
    _events = events
    return_freed_blocks()
    limit_threads(threads)
    for name in engines:
        get_engine(name)


_M_MMAP_THRESHOLD = -3  # from glibc's <malloc.h>


def return_freed_blocks() -> None:
    """Have glibc's malloc map blocks of 128 KiB and more on their own, so that freeing one gives it back.

    glibc raises that threshold each time such a block is freed (up to 32 MB); numpy's per-clip arrays
    then come from heaps that fragment and do not shrink, over every thread's arena. Measured on a
    10,000-word espeak build: a peak RSS of 113 MB, 99 MB with the threshold held. Elsewhere, nothing.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt(_M_MMAP_THRESHOLD, 128 * 1024)


def _render_task(number: int, plan: Plan, output: Path, config: Config, cover: bytes) -> Result:
    return render(plan, output, config, cover, lambda count: _events.put((number, count)))


class BatchFailed(Exception):
    """Some articles of a batch failed; each was already reported. `results` are those of the others."""

    def __init__(self, failures: list[AudiobuildError], attempted: int, results: list[Result] | None = None):
        self.failures = failures
        self.attempted = attempted
        self.results = results or []
        super().__init__(f"{len(failures)} of {attempted} articles failed")
