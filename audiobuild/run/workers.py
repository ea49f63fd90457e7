"""The build's worker processes: they render episodes, and start before the build is loaded.

A build spends its first few tenths of a second loading the parser and the
publishing code, and a worker as long loading numpy, the renderer and its
engines: the CLI starts the workers first (`WorkerPool`), and imports the
rest of the build while they start. This module is kept light for that: what
only a worker runs, it imports in the worker (`_start_worker`).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import os
import sys
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING

from audiobuild.children import LIBC, die_with_parent
from audiobuild.errors import AudiobuildError, BatchFailed, SynthesisError
from audiobuild.run.progress import NoBar, progress_bar
from audiobuild.voice.engines import get_engine, limit_threads
from audiobuild.voice.profiles import load_profile

if TYPE_CHECKING:
    from audiobuild.config import Config
    from audiobuild.run.pipeline import Plan, Result

log = logging.getLogger("audiobuild")


def start_workers(articles: int, jobs: int | None, voices: str | None, config: Config) -> WorkerPool:
    """The pool for a build of `articles` with the profile `voices` (podcast.toml's by default): a worker per
    core, at most `jobs`, never more than the articles; they listen too when the build is verified."""
    size = max(1, min(articles, jobs or os.cpu_count() or 1))
    return WorkerPool(size, voices or config.podcast.voices, config.reading.verify)


class WorkerPool:
    """Processes that render episodes, with a progress bar, that end with this one and contain a crash.

    `size` processes are `spawn`ed at once (espeak's thread does not survive a
    fork), each loading the profile `voices` names and starting its engines on
    its share of the cores, while the parent plans. Each worker dies with its
    parent (`children.die_with_parent`), so a `kill -9` of a build leaves no
    process writing into the output folder.
    A speech engine that crashes its process (espeak aborts on some
    pathological words) breaks the pool: the articles not yet rendered are
    then rendered again one at a time, each in a pool of its own, and the one
    that crashes again is reported with the sentence it crashed on.
    """

    def __init__(self, size: int, voices: str, listening: bool = False):
        self.size, self.voices, self.listening = max(1, size), voices, listening
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
            initargs=(threads, self.voices, os.getpid(), self._events, quiet),
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


def _start_worker(threads: int, voices: str, parent: int, events, quiet: bool) -> None:
    """Each worker's start: end with the parent, take a share of the cores, load the renderer, start the engines.

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
    # Loaded here, while the parent plans, not when the first episode arrives; finding ffmpeg runs it once.
    importlib.import_module("audiobuild.run.pipeline")
    importlib.import_module("audiobuild.audio.assemble").ffmpeg_path()
    try:
        profile = load_profile(voices)
    except AudiobuildError:  # the parent says what is wrong with it, and builds nothing
        return
    for name in sorted(profile.engines):
        get_engine(name)


_M_MMAP_THRESHOLD = -3  # from glibc's <malloc.h>


def return_freed_blocks() -> None:
    """Have glibc's malloc map blocks of 128 KiB and more on their own, so that freeing one gives it back.

    glibc raises that threshold each time such a block is freed (up to 32 MB); numpy's per-clip arrays
    then come from heaps that fragment and do not shrink, over every thread's arena. Measured on a
    10,000-word espeak build: a peak RSS of 113 MB, 99 MB with the threshold held. Elsewhere, nothing.
    """
    if LIBC is not None:
        with contextlib.suppress(AttributeError):  # not glibc
            LIBC.mallopt(_M_MMAP_THRESHOLD, 128 * 1024)


def _render_task(number: int, plan: Plan, output: Path, config: Config, cover: bytes) -> Result:
    from audiobuild.run.pipeline import render  # loaded by the worker's start: see the module's docstring

    return render(plan, output, config, cover, lambda count: _events.put((number, count)))
