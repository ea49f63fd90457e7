"""`audiobuild build`, `remove` and `feed`: the pipeline from articles to a published catalogue.

    parse -> voices -> synthesize -> assemble -> export + tag -> transcripts, chapters -> catalogue -> feed

Everything that can fail on bad input (reading, parsing, the config, the voice
profile, the cover) is checked before the output folder is touched, and every
file in it is replaced atomically, the catalogue and feed last.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from filelock import FileLock
from slugify import slugify

from audiobuild.assemble import Span, assemble, export_mp3
from audiobuild.atomic import remove_stale_temporaries, replacing, write_bytes, write_if_changed
from audiobuild.catalogue import CATALOGUE_FILE, Catalogue, Entry, Person, episode_guid, load_catalogue, source_id
from audiobuild.chapters import chapters, chapters_json
from audiobuild.config import SERVED_URL_FILE, Config
from audiobuild.cover import check_cover, draw_cover
from audiobuild.engines import get_engine, limit_threads
from audiobuild.errors import AudiobuildError, InputError
from audiobuild.feed import FEED_FILE, podcast_guid, write_feed
from audiobuild.page import write_page, write_stylesheet
from audiobuild.parse import DEFAULT_NAMES, INTERVIEWEE, INTERVIEWER, Script, parse
from audiobuild.pronounce import speech
from audiobuild.scriptfile import SUFFIXES as SCRIPT_SUFFIXES
from audiobuild.scriptfile import load as load_script_file
from audiobuild.sources import load_article
from audiobuild.synthesize import CACHE_DIR, ClipCache, cast_voices, check_profile, synthesize
from audiobuild.tag import Tags, mp3_duration, write_tags
from audiobuild.transcript import cues, plain_text, podcast_json, srt, webvtt
from audiobuild.voices import Profile, Voice, load_profile

log = logging.getLogger("audiobuild")

# Bump when a change to audiobuild changes the files an unchanged article builds into.
OUTPUT_FORMAT = 4
LOCK_FILE = ".lock"
MAX_ARTICLE_BYTES = 5_000_000  # about 800,000 words, some 90 hours of audio

# ISO 639-1 (feeds) to ISO 639-2 (ID3) for the languages espeak reads well.
_ID3_LANGUAGES = {
    "en": "eng", "ru": "rus", "de": "deu", "fr": "fra", "es": "spa", "it": "ita", "pt": "por", "nl": "nld",
    "pl": "pol", "uk": "ukr", "tr": "tur", "az": "aze", "hy": "hye", "ka": "kat", "zh": "zho", "ja": "jpn",
}  # fmt: skip
_PODCAST_ROLES = {INTERVIEWER: "host", INTERVIEWEE: "guest"}


@dataclass(frozen=True)
class Result:
    """What building one article produced."""

    source: str
    entry: Entry
    script: Script
    spans: list[Span]  # where each sentence is spoken (empty when nothing was rebuilt)
    rebuilt: bool  # False when the article and settings were unchanged and the files kept


@dataclass(frozen=True)
class Plan:
    """One article to build: parsed, and matched with what the catalogue knows of it."""

    source: str
    script: Script
    voices: dict[str, Voice]  # speaker -> voice
    speech: tuple[tuple[str, ...], ...]  # what the engine says for each sentence of each segment
    entry: Entry  # what will be published; render() fills in the audio's length, duration, chapters
    previous: Entry | None
    unchanged: bool = False  # the previous build had the same inputs and its files are intact


def prepare(config: Config, voices: str | None = None) -> Profile:
    """Load the voice profile and check everything the build needs before it starts."""
    profile = load_profile(voices or config.podcast.voices)
    check_profile(profile)
    if config.podcast.cover:
        check_cover(_cover_source(config))
    return profile


def load_script(source: str | Path, config: Config) -> Script:
    """Parse an article (a file or an http(s) URL) or read a script file; InputError when it has nothing to speak."""
    source, path = str(source), Path(source)
    if path.suffix.lower() in SCRIPT_SUFFIXES and not _is_url(source):
        script = load_script_file(path)
    else:
        if path.is_file() and path.stat().st_size > MAX_ARTICLE_BYTES:
            size = path.stat().st_size / 1e6
            raise InputError(source, f"is {size:.0f} MB; articles over {MAX_ARTICLE_BYTES / 1e6:.0f} MB are refused")
        script = parse(
            load_article(source),
            disclosure=config.podcast.disclosure,
            read_stage_directions=config.reading.stage_directions,
        )
        if not _is_url(source):  # a script file written from it must name it wherever it is built from
            script = dataclasses.replace(script, source=str(path.resolve()))
    for dropped in script.dropped:
        log.debug("%s:%d: dropped %s: %r", source, dropped.line, dropped.reason, dropped.text)
    opening = ("title", "disclosure")
    if not any(segment.sentences for segment in script.segments if segment.kind not in opening):
        raise InputError(source, "has no article text to speak (only a title, site furniture or stage directions)")
    return script


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def plan_episode(
    source: str, catalogue: Catalogue, config: Config, profile: Profile, cover: bytes, after: datetime | None = None
) -> Plan:
    """Parse one article and work out its catalogue entry: guid, date and revision.

    A new episode is dated now, or a second after `after` (the newest episode so
    far), so that apps never see two episodes with the same pubDate.
    """
    script = load_script(source, config)
    voices = cast_voices(script, profile)
    spoken = spoken_forms(script, voices, profile, config)
    slug = slugify(script.title, max_length=80, word_boundary=True) or "episode"
    previous = catalogue.get(slug)
    identity = source_id(script.source if _is_url(script.source) else Path(script.source))
    if previous is not None and previous.source_id != identity:
        raise InputError(
            source,
            f"has the same title as {previous.source}, already published as {slug!r} "
            f"(rename one, or run `audiobuild remove {slug}` first)",
        )
    fingerprint = _fingerprint(script, spoken, voices, config, cover)
    if previous is not None and previous.fingerprint == fingerprint and _intact(catalogue.folder, previous):
        return Plan(source, script, voices, spoken, previous, previous, unchanged=True)
    entry = Entry(
        slug=slug,
        guid=previous.guid if previous else episode_guid(slug),
        title=script.title,
        description=_description(script, config),
        author=script.interviewee or config.podcast.author,
        published=previous.published if previous else _new_date(after),
        revision=catalogue.next_revision(slug),
        fingerprint=fingerprint,
        length=0,
        duration=0.0,
        source=script.source if _is_url(script.source) else Path(script.source).name,
        source_id=identity,
        people=tuple(
            Person(person.name, _PODCAST_ROLES[person.role])
            for person in script.people
            if person.role in _PODCAST_ROLES and person.name not in DEFAULT_NAMES.values()  # real names only
        ),
    )
    return Plan(source, script, voices, spoken, entry, previous)


def spoken_forms(
    script: Script, voices: dict[str, Voice], profile: Profile, config: Config
) -> tuple[tuple[str, ...], ...]:
    """What the engines say for each sentence: the profile's lexicon with podcast.toml's over it, then normalisation."""
    return speech(script, voices, profile.lexicon.merged(config.lexicon))


def _new_date(after: datetime | None) -> datetime:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return max(now, after + timedelta(seconds=1)) if after else now


def render(plan: Plan, output: Path, config: Config, cover: bytes, progress=None) -> Result:
    """Synthesize, assemble, encode and tag one planned episode; write its MP3, transcripts, chapters.

    Writes only this revision's own files, so it can run in a worker process
    while others render; the catalogue and feed are the caller's (`publish`).
    """
    cache = ClipCache(output / CACHE_DIR)
    try:
        result = _render(plan, output, config, cover, cache, progress or (lambda done: None))
    except BaseException:
        # A failed episode leaves the folder as it was: its own files and its staged clips go
        # (clips already in the cache stay: other builds may be reading them).
        cache.discard()
        _discard(output, [output / name for name in plan.entry.files])
        raise
    cache.commit()
    return result


def _render(plan, output, config, cover, cache, progress) -> Result:
    script, entry = plan.script, plan.entry
    clips = synthesize(script, plan.speech, plan.voices, cache, progress)
    episode = assemble(script, clips, config.pauses)
    timeline = cues(script, episode.spans)
    entry = dataclasses.replace(entry, chapters=tuple(chapters(script, episode.spans, episode.duration_ms)))
    with replacing(output / entry.file) as temp:
        export_mp3(episode, temp, config.audio)
        write_tags(temp, _tags(script, entry, config, cover))
        entry = dataclasses.replace(entry, length=temp.stat().st_size, duration=mp3_duration(temp))
    write_bytes(output / entry.transcript_file("vtt"), webvtt(timeline).encode())
    write_bytes(output / entry.transcript_file("srt"), srt(timeline).encode())
    write_bytes(output / entry.transcript_file("json"), podcast_json(timeline).encode())
    write_bytes(output / entry.chapters_file, chapters_json(list(entry.chapters)))
    return Result(plan.source, entry, script, episode.spans, rebuilt=True)


def publish(output: Path, result: Result, previous: Entry | None, config: Config, cover: bytes) -> None:
    """Record a rendered episode, rewrite the feed, then delete the files of its replaced revision.

    The last steps, once every file of the episode is in place: a crash before
    them leaves the published catalogue and feed as they were. Another build may
    be publishing into the same folder, so the catalogue is re-read under a lock.
    """
    write_if_changed(output / config.podcast.cover_file, cover)
    _update_catalogue(output, config, lambda catalogue: catalogue.upsert(result.entry), page=False)
    if previous is not None and previous.stem != result.entry.stem:
        _delete_files(output, previous)
    duration = result.entry.duration
    log.info("built %s (%d:%02d) from %s", result.entry.file, duration // 60, duration % 60, result.source)


def _update_catalogue(
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


def _discard(output: Path, paths: list[Path]) -> None:
    """Delete `paths`, then every folder up to and including `output` that this left empty."""
    for path in paths:
        path.unlink(missing_ok=True)
        for folder in path.parents:
            if not folder.is_relative_to(output):
                break
            try:
                folder.rmdir()
            except OSError:  # not empty (or already gone): folders above it are not empty either
                break


def _intact(output: Path, entry: Entry) -> bool:
    """True when every file of `entry` is there and the MP3 has its recorded size."""
    mp3 = output / entry.file
    return all((output / name).is_file() for name in entry.files) and mp3.stat().st_size == entry.length


def _fingerprint(
    script: Script, spoken: tuple[tuple[str, ...], ...], voices: dict[str, Voice], config: Config, cover: bytes
) -> str:
    """A digest of everything that goes into an episode's audio and tags."""
    podcast = config.podcast
    inputs = {
        "format": OUTPUT_FORMAT,
        "script": [dataclasses.asdict(segment) for segment in script.segments],
        "speech": spoken,  # the lexicon and normalisation change the audio, not the script
        "voices": {speaker: dataclasses.asdict(voice) for speaker, voice in voices.items()},
        "engines": sorted({get_engine(voice.engine).clip_version(voice) for voice in voices.values()}),
        "pauses": dataclasses.asdict(config.pauses),
        "audio": dataclasses.asdict(config.audio),
        # Not the feed URL: it follows the served address, and an episode's audio does not.
        "tags": [podcast.title, podcast.author, podcast.language, podcast.category],
        "cover": hashlib.sha256(cover).hexdigest(),
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _tags(script: Script, entry: Entry, config: Config, cover: bytes) -> Tags:
    podcast = config.podcast
    return Tags(
        title=entry.title,
        artist=entry.author,
        album=podcast.title,
        date=entry.published,
        comment=entry.description,
        description=entry.description,
        language=_ID3_LANGUAGES.get((script.language or podcast.language).split("-")[0].lower(), "und"),
        episode_id=entry.guid,
        feed_url=podcast.url(FEED_FILE),
        category=podcast.category,
        keywords=tuple(person.name for person in entry.people),
        chapters=entry.chapters,
        transcript=plain_text(script),
        cover=cover,
        cover_mime=podcast.cover_mime,
    )


def build_all(
    sources: list[str | Path], output: Path, config: Config, voices: str | None = None, workers: int | None = None
) -> list[Result]:
    """Build each article into `output`, in parallel worker processes when there are several.

    A bad article is reported and skipped and the rest are built; BatchFailed
    is raised after the batch when any failed. Every article is parsed and
    checked before any audio is made, and nothing is written for one that fails.
    """
    profile = prepare(config, voices)
    if output.exists() and not output.is_dir():
        raise AudiobuildError(output, "is not a folder")
    catalogue = load_catalogue(output)
    cover = _cover_bytes(output, config)
    failures: list[AudiobuildError] = []
    results: list[Result] = []
    plans: list[Plan] = []
    for source in map(str, sources):
        newest = max(
            [entry.published for entry in catalogue.entries] + [plan.entry.published for plan in plans], default=None
        )
        try:
            plan = _unique(plan_episode(source, catalogue, config, profile, cover, newest), plans)
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
            publish(output, outcome, plan.previous, config, cover)
            results.append(outcome)
        except AudiobuildError as error:
            _report(error, failures)
        except OSError as error:
            _report(AudiobuildError(output, f"cannot write: {error.strerror or error}"), failures)
    if results:
        try:
            catalogue = _update_catalogue(output, config)  # the channel settings may have changed too
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
    """Yield (plan, Result, AudiobuildError or OSError) as each planned episode is rendered.

    One article renders in this process, with a progress bar over its sentences;
    several render in `spawn`ed worker processes (espeak's thread does not
    survive a fork), with a bar over the articles.
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
    context = multiprocessing.get_context("spawn")
    threads = max(1, (os.cpu_count() or 1) // workers)  # per worker's engine, so that workers share the cores
    with (
        ProcessPoolExecutor(workers, mp_context=context, initializer=limit_threads, initargs=(threads,)) as pool,
        _progress_bar(len(plans), "articles", "build") as bar,
    ):
        futures = {pool.submit(render, plan, output, config, cover): plan for plan in plans}
        for future in as_completed(futures):
            bar.update(1)
            try:
                yield futures[future], future.result()
            except (AudiobuildError, OSError) as error:
                yield futures[future], error


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

    _update_catalogue(output, config, drop)
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
    _update_catalogue(output, config)
    return config.podcast.url(FEED_FILE)


def refresh_feed(output: Path, config: Config) -> Path:
    """Regenerate the feed from the catalogue alone (after a podcast.toml change, say)."""
    _require_catalogue(output)
    _update_catalogue(output, config)
    return output / FEED_FILE


def _require_catalogue(output: Path) -> None:
    if not (output / CATALOGUE_FILE).is_file():
        raise AudiobuildError(output, "has no catalogue: build an article into it first")


def _description(script: Script, config: Config) -> str:
    questions = sum(segment.kind == "question" for segment in script.segments)
    parts = [f"{script.title}."]
    if script.byline:
        parts.append(f"{script.byline}.")
    if questions:
        who = f" with {script.interviewee}" if script.interviewee else ""
        parts.append(f"An interview{who} in {questions} questions.")
    parts.append(config.podcast.disclosure)
    return " ".join(parts)


def _cover_source(config: Config) -> Path:
    cover = Path(config.podcast.cover)
    return cover if cover.is_absolute() or config.path is None else config.path.parent / cover


def _cover_bytes(output: Path, config: Config) -> bytes:
    """The cover: the configured file, else the one already published, else a new default."""
    if config.podcast.cover:
        return _cover_source(config).read_bytes()
    published = output / config.podcast.cover_file
    return published.read_bytes() if published.exists() else draw_cover(config.podcast.title)
