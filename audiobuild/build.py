"""`audiobuild build`, `remove` and `feed`: the pipeline from articles to a published catalogue.

    parse -> voices -> synthesize -> assemble -> export + tag -> transcripts, chapters -> catalogue -> feed

Everything that can fail on bad input (reading, parsing, the config, the voice
profile, the cover) is checked before the output folder is touched, and every
file in it is replaced atomically, the catalogue and feed last.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from slugify import slugify

from audiobuild import __version__
from audiobuild.assemble import Span, assemble, export_mp3
from audiobuild.atomic import replacing, write_bytes
from audiobuild.catalogue import Catalogue, Entry, Person, episode_guid, load_catalogue
from audiobuild.chapters import chapters, chapters_json
from audiobuild.config import Config
from audiobuild.cover import check_cover, draw_cover
from audiobuild.engine import get_engine
from audiobuild.errors import AudiobuildError, InputError
from audiobuild.feed import FEED_FILE, write_feed
from audiobuild.parse import INTERVIEWEE, INTERVIEWER, Script, parse_article, read_article
from audiobuild.synthesize import check_profile, synthesize
from audiobuild.tag import Tags, mp3_duration, write_tags
from audiobuild.transcript import cues, plain_text, podcast_json, srt, webvtt
from audiobuild.voices import Profile, load_profile

log = logging.getLogger("audiobuild")

# Bump when a change to audiobuild changes the files an unchanged article builds into.
OUTPUT_FORMAT = 2

# ISO 639-1 (feeds) to ISO 639-2 (ID3) for the languages espeak reads well.
_ID3_LANGUAGES = {
    "en": "eng", "ru": "rus", "de": "deu", "fr": "fra", "es": "spa", "it": "ita", "pt": "por", "nl": "nld",
    "pl": "pol", "uk": "ukr", "tr": "tur", "az": "aze", "hy": "hye", "ka": "kat", "zh": "zho", "ja": "jpn",
}  # fmt: skip
_PODCAST_ROLES = {INTERVIEWER: "host", INTERVIEWEE: "guest"}


@dataclass(frozen=True)
class Result:
    """What building one article produced."""

    source: Path
    entry: Entry
    script: Script
    spans: list[Span]  # where each sentence is spoken (empty when nothing was rebuilt)
    rebuilt: bool  # False when the article and settings were unchanged and the files kept


def prepare(config: Config, voices: str | None = None) -> Profile:
    """Load the voice profile and check everything the build needs before it starts."""
    profile = load_profile(voices or config.podcast.voices)
    check_profile(profile)
    if config.podcast.cover:
        check_cover(_cover_source(config))
    return profile


def load_script(source: Path, config: Config) -> Script:
    """Read and parse one article, or raise InputError when it has nothing to speak."""
    script = parse_article(read_article(source), str(source), disclosure=config.podcast.disclosure)
    for dropped in script.dropped:
        log.debug("%s:%d: dropped %s: %r", source, dropped.line, dropped.reason, dropped.text)
    if not any(segment.kind not in ("title", "disclosure") for segment in script.segments):
        raise InputError(source, "has no article text to speak (only a title or site furniture)")
    return script


def build_episode(source: Path, output: Path, config: Config, profile: Profile) -> Result:
    """Build one article into `output`: MP3, transcripts, chapters, catalogue entry, feed."""
    script = load_script(source, config)
    slug = slugify(script.title, max_length=80, word_boundary=True) or "episode"
    catalogue = load_catalogue(output)
    previous = catalogue.get(slug)
    cover = _cover_bytes(output, config)
    fingerprint = _fingerprint(script, profile, config, cover)
    if previous and previous.fingerprint == fingerprint and _intact(output, previous):
        log.info("unchanged: %s (%s)", previous.file, source)
        write_feed(catalogue, config.podcast)  # the channel settings may have changed
        return Result(source, previous, script, [], rebuilt=False)

    podcast = config.podcast
    published = previous.published if previous else datetime.now(timezone.utc).replace(microsecond=0)
    description = _description(script, config)
    entry = Entry(
        slug=slug,
        guid=previous.guid if previous else episode_guid(slug),
        title=script.title,
        description=description,
        author=script.interviewee or podcast.author,
        published=published,
        revision=previous.revision + 1 if previous else 1,
        fingerprint=fingerprint,
        length=0,
        duration=0.0,
        source=str(source),
        people=tuple(
            Person(name, _PODCAST_ROLES[role])
            for role, name in script.speakers.items()
            if role in _PODCAST_ROLES and name != role.title()  # a real name, not the role's placeholder
        ),
    )
    with tempfile.TemporaryDirectory(prefix="audiobuild-") as workdir:
        clips = synthesize(script, profile, Path(workdir))
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
    cover_path = output / podcast.cover_file
    if not cover_path.exists() or cover_path.read_bytes() != cover:
        write_bytes(cover_path, cover)
    _publish(catalogue, entry, config)
    if previous and previous.stem != entry.stem:
        _delete_files(output, previous)
    log.info("built %s (%d:%02d) from %s", entry.file, entry.duration // 60, entry.duration % 60, source)
    return Result(source, entry, script, episode.spans, rebuilt=True)


def _publish(catalogue: Catalogue, entry: Entry, config: Config) -> None:
    """Record the entry, then rewrite the feed: the last steps, once every file is in place."""
    catalogue.upsert(entry)
    catalogue.save()
    write_feed(catalogue, config.podcast)


def _delete_files(output: Path, entry: Entry) -> None:
    for relative in entry.files:
        (output / relative).unlink(missing_ok=True)


def _intact(output: Path, entry: Entry) -> bool:
    """True when every file of `entry` is there and the MP3 has its recorded size."""
    mp3 = output / entry.file
    return all((output / name).is_file() for name in entry.files) and mp3.stat().st_size == entry.length


def _fingerprint(script: Script, profile: Profile, config: Config, cover: bytes) -> str:
    """A digest of everything that goes into an episode's audio and tags."""
    podcast = config.podcast
    inputs = {
        "format": OUTPUT_FORMAT,
        "script": [dataclasses.asdict(segment) for segment in script.segments],
        "voices": {role: dataclasses.asdict(voice) for role, voice in profile.roles.items()},
        "engine": get_engine().version,
        "pauses": dataclasses.asdict(config.pauses),
        "audio": dataclasses.asdict(config.audio),
        "tags": [podcast.title, podcast.author, podcast.language, podcast.category, podcast.url(FEED_FILE)],
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
        language=_ID3_LANGUAGES.get(podcast.language.split("-")[0].lower(), "und"),
        episode_id=entry.guid,
        feed_url=podcast.url(FEED_FILE),
        category=podcast.category,
        keywords=tuple(person.name for person in entry.people),
        chapters=entry.chapters,
        transcript=plain_text(script),
        cover=cover,
        cover_mime=podcast.cover_mime,
    )


def build_all(sources: list[Path], output: Path, config: Config, voices: str | None = None) -> list[Result]:
    """Build each article; a bad one is reported and skipped, the rest are built.

    Raises BatchFailed after the batch when any article failed.
    """
    profile = prepare(config, voices)
    results, failures = [], []
    for source in sources:
        try:
            results.append(build_episode(source, output, config, profile))
        except AudiobuildError as error:
            log.debug("details", exc_info=True)
            log.error("audiobuild: error: %s", error)
            failures.append(error)
    if results:
        log.info("feed: %s (%d episodes) at %s", output / FEED_FILE, len(load_catalogue(output).entries),
                 config.podcast.url(FEED_FILE))  # fmt: skip
    if failures:
        raise BatchFailed(failures, len(sources))
    return results


class BatchFailed(Exception):
    """Some articles of a batch failed; each was already reported."""

    def __init__(self, failures: list[AudiobuildError], attempted: int):
        self.failures = failures
        self.attempted = attempted
        super().__init__(f"{len(failures)} of {attempted} articles failed")


def remove_episode(output: Path, slug: str, config: Config) -> Entry:
    """Drop an episode from the catalogue and the feed, then delete its files."""
    catalogue = load_catalogue(output)
    entry = catalogue.remove(slug)
    if entry is None:
        known = ", ".join(item.slug for item in catalogue.entries) or "none"
        raise AudiobuildError(output, f"no episode {slug!r} (episodes: {known})")
    catalogue.save()
    write_feed(catalogue, config.podcast)
    _delete_files(output, entry)
    return entry


def refresh_feed(output: Path, config: Config) -> Path:
    """Regenerate the feed from the catalogue alone (after a podcast.toml change, say)."""
    catalogue = load_catalogue(output)
    if not catalogue.entries and not (output / FEED_FILE).exists():
        raise AudiobuildError(output, "has no catalogue: build an article into it first")
    return write_feed(catalogue, config.podcast)


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
