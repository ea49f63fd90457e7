"""The pipeline of one episode: plan it (parse, cast, say) and render it (synthesize, assemble, encode, tag).

    parse -> voices -> pronounce -> synthesize -> assemble -> export + tag -> transcripts, chapters

`plan_episode` does everything that can fail on bad input (reading, parsing,
voices) and works out the catalogue entry; `render` makes the episode's files,
writing nothing but this revision's own files, so it can run in a worker
process. Recording the episode in the catalogue and feed is `publish`'s, and
running many is `batch`'s.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from slugify import slugify

from audiobuild.assemble import assemble, export_mp3
from audiobuild.atomic import replacing, write_bytes
from audiobuild.casting import Part, cast_parts
from audiobuild.catalogue import Catalogue, episode_guid, source_id
from audiobuild.chapters import chapters, chapters_json
from audiobuild.config import Config
from audiobuild.engines import get_engine
from audiobuild.errors import InputError
from audiobuild.feed import FEED_FILE
from audiobuild.model import DEFAULT_NAMES, INTERVIEWEE, INTERVIEWER, Entry, Person, Script, Span, Voice
from audiobuild.parse import parse
from audiobuild.pronounce import speech
from audiobuild.scriptfile import SUFFIXES as SCRIPT_SUFFIXES
from audiobuild.scriptfile import dump
from audiobuild.scriptfile import load as load_script_file
from audiobuild.sources import load_article
from audiobuild.synthesize import CACHE_DIR, ClipCache, synthesize
from audiobuild.tag import Tags, id3_language, mp3_duration, write_tags
from audiobuild.transcript import cues, plain_text, podcast_json, srt, webvtt
from audiobuild.voices import Profile, check_profile, load_profile

log = logging.getLogger("audiobuild")

# Bump when a change to audiobuild changes the files an unchanged article builds into.
OUTPUT_FORMAT = 5
MAX_ARTICLE_BYTES = 5_000_000  # about 800,000 words, some 90 hours of audio
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
    """Load the voice profile and check that its engines have its voices, before anything is built."""
    profile = load_profile(voices or config.podcast.voices)
    check_profile(profile)
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
    voices = {name: part.voice for name, part in parts_at_rate(script, profile, config).items()}
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


def parts_at_rate(script: Script, profile: Profile, config: Config) -> dict[str, Part]:
    """Each person's part (`casting`), their voice speaking at podcast.toml's ``[reading] rate``.

    The rate goes through each engine's own speed control (espeak's words a
    minute, the neural models' pace), not a time stretch of the audio.
    """
    parts = cast_parts(script, profile)
    rate = config.reading.rate
    if rate == 1.0:
        return parts
    return {
        name: dataclasses.replace(
            part, voice=dataclasses.replace(part.voice, settings=part.voice.settings.at_pace(rate))
        )
        for name, part in parts.items()
    }


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
    episode = assemble(script, clips, config.pauses.at_pace(config.reading.rate))
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
        language=id3_language(script.language or podcast.language),
        episode_id=entry.guid,
        feed_url=podcast.url(FEED_FILE),
        category=podcast.category,
        keywords=tuple(person.name for person in entry.people),
        chapters=entry.chapters,
        transcript=plain_text(script),
        cover=cover,
        cover_mime=podcast.cover_mime,
    )


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


def show_script(article: str, config: Config, voices: str | None = None, fmt: str = "text") -> str:
    """`audiobuild script`: the article as the build will read it (who says what, with which voice), in `fmt`."""
    profile = prepare(config, voices)
    script = load_script(article, config)
    parts = parts_at_rate(script, profile, config)
    voices = {name: part.voice for name, part in parts.items()}
    described = {name: (part.voice.describe(), part.why) for name, part in parts.items()}
    return dump(script, fmt, described, spoken_forms(script, voices, profile, config))
