"""`audiobuild build`: many articles at once, planned here, rendered on an executor, published one by one.

Every article is read, parsed and checked before any audio is made; the
episodes then render in parallel (`process_pool`, a process per core by
default) while this process publishes each as it finishes, so the catalogue
and feed are only ever written by one process. A bad article is reported in
one line and skipped; the others are built.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from pathlib import Path

from audiobuild.atomic import remove_stale_temporaries
from audiobuild.catalogue import load_catalogue
from audiobuild.config import Config
from audiobuild.cover import cover_bytes
from audiobuild.engines import limit_threads
from audiobuild.errors import AudiobuildError, InputError
from audiobuild.feed import FEED_FILE
from audiobuild.model import ParseOptions
from audiobuild.pipeline import Plan, Result, plan_episode, prepare, render
from audiobuild.publish import publish, update_catalogue

log = logging.getLogger("audiobuild")


def build_all(
    sources: list[str | Path],
    output: Path,
    config: Config,
    voices: str | None = None,
    workers: int | None = None,
    options: ParseOptions = ParseOptions(),
) -> list[Result]:
    """Build each article into `output`, in parallel worker processes when there are several.

    `options` (`--layout`, `--interviewer`) apply to every article of the batch.

    A bad article is reported and skipped and the rest are built; BatchFailed
    is raised after the batch when any failed. Every article is parsed and
    checked before any audio is made, and nothing is written for one that fails.
    """
    profile = prepare(config, voices)
    if output.exists() and not output.is_dir():
        raise AudiobuildError(output, "is not a folder")
    catalogue = load_catalogue(output)
    cover = cover_bytes(output, config)
    failures: list[AudiobuildError] = []
    results: list[Result] = []
    plans: list[Plan] = []
    for source in map(str, sources):
        newest = max(
            [entry.published for entry in catalogue.entries] + [plan.entry.published for plan in plans], default=None
        )
        try:
            plan = _unique(plan_episode(source, catalogue, config, profile, cover, newest, options), plans)
        except AudiobuildError as error:
            _report(error, failures)
            continue
        if plan.unchanged:
            log.info("unchanged: %s (%s)", plan.entry.file, source)
            results.append(Result(source, plan.entry, plan.script, [], rebuilt=False))
        else:
            plans.append(plan)

    if plans:
        remove_stale_temporaries(output)  # left by a build that was killed
    for plan, outcome in _render_all(plans, output, config, cover, workers):
        try:
            if isinstance(outcome, Exception):
                raise outcome
            publish(output, outcome.entry, plan.previous, config, cover)
            duration = outcome.entry.duration
            log.info("built %s (%d:%02d) from %s", outcome.entry.file, duration // 60, duration % 60, outcome.source)
            results.append(outcome)
        except AudiobuildError as error:
            _report(error, failures)
        except OSError as error:
            _report(AudiobuildError(output, f"cannot write: {error.strerror or error}"), failures)
    if results:
        try:
            catalogue = update_catalogue(output, config)  # the channel settings may have changed too
        except OSError as error:
            _report(AudiobuildError(output, f"cannot write: {error.strerror or error}"), failures)
        log.info("feed: %s (%d episodes) at %s", output / FEED_FILE, len(catalogue.entries),
                 config.podcast.url(FEED_FILE))  # fmt: skip
    if failures:
        raise BatchFailed(failures, len(sources))
    return results


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


def _render_all(plans: list[Plan], output: Path, config: Config, cover: bytes, workers: int | None):
    """Yield (plan, Result or the AudiobuildError or OSError it failed with) as each planned episode is rendered.

    One article renders in this process, with a progress bar over its sentences;
    several render on a pool of worker processes (`process_pool`), with a bar over the articles.
    """
    workers = min(len(plans), workers or os.cpu_count() or 1)
    if workers <= 1:
        for plan in plans:
            sentences = sum(len(segment.sentences) for segment in plan.script.segments)
            with _progress_bar(sentences, "sentences", Path(plan.source).name, minimum=200) as bar:
                try:
                    yield plan, render(plan, output, config, cover, bar.update)
                except (AudiobuildError, OSError) as error:
                    yield plan, error
        return
    with process_pool(workers) as executor, _progress_bar(len(plans), "articles", "build") as bar:
        futures = {executor.submit(render, plan, output, config, cover): plan for plan in plans}
        for future in as_completed(futures):
            bar.update(1)
            try:
                yield futures[future], future.result()
            except (AudiobuildError, OSError) as error:
                yield futures[future], error


def process_pool(workers: int) -> Executor:
    """The embedded executor: `workers` `spawn`ed processes (espeak's thread does not survive a fork).

    Each worker's engines get their share of the cores. Any `concurrent.futures.Executor`
    whose workers can run `pipeline.render` fits where this one is used.
    """
    threads = max(1, (os.cpu_count() or 1) // workers)
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(workers, mp_context=context, initializer=limit_threads, initargs=(threads,))


@contextlib.contextmanager
def _progress_bar(total: int, unit: str, description: str, minimum: int = 2):
    """A tqdm bar on an interactive terminal at INFO level; elsewhere a no-op with the same update()."""
    if total < minimum or not sys.stderr.isatty() or not log.isEnabledFor(logging.INFO):
        yield _NoBar()
        return
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    with logging_redirect_tqdm(loggers=[log]), tqdm(total=total, unit=unit, desc=description, leave=False) as bar:
        yield bar


class _NoBar:
    def update(self, count: int = 1) -> None:
        """Ignore progress."""


class BatchFailed(Exception):
    """Some articles of a batch failed; each was already reported."""

    def __init__(self, failures: list[AudiobuildError], attempted: int):
        self.failures = failures
        self.attempted = attempted
        super().__init__(f"{len(failures)} of {attempted} articles failed")
