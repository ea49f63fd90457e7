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
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from slugify import slugify

from audiobuild.atomic import discard, stage
from audiobuild.audio.assemble import assemble_and_export
from audiobuild.audio.chapters import chapters, chapters_json, shorten
from audiobuild.audio.tag import Tags, id3_language, mp3_duration, write_tags
from audiobuild.audio.transcript import cues, plain_text, podcast_json, srt, webvtt
from audiobuild.config import Config
from audiobuild.errors import InputError
from audiobuild.model import DEFAULT_NAMES, INTERVIEWEE, INTERVIEWER, Entry, ParseOptions, Person, Script, Span, Voice
from audiobuild.parse import parse
from audiobuild.parse.text import sentences_of
from audiobuild.publish.catalogue import Catalogue, episode_guid, intact, source_id, tag_record
from audiobuild.publish.feed import FEED_FILE
from audiobuild.read.sources import Article, load_article
from audiobuild.run.scriptfile import SUFFIXES as SCRIPT_SUFFIXES
from audiobuild.run.scriptfile import dump
from audiobuild.run.scriptfile import load as load_script_file
from audiobuild.run.verify import Listening, verify
from audiobuild.voice.casting import Part, cast_parts
from audiobuild.voice.engines import get_engine
from audiobuild.voice.profiles import Profile, check_profile, load_profile
from audiobuild.voice.pronounce import speech
from audiobuild.voice.synthesize import CACHE_DIR, ClipCache, VoiceLevels, synthesize_each

log = logging.getLogger("audiobuild")

# Bump when a change to audiobuild changes the files an unchanged article builds into.
OUTPUT_FORMAT = 5
_PODCAST_ROLES = {INTERVIEWER: "host", INTERVIEWEE: "guest"}


@dataclass(frozen=True)
class Result:
    """What building one article produced."""

    source: str
    entry: Entry  # as published (its revision is chosen when it is: `publish`)
    script: Script
    spans: list[Span]  # where each sentence is spoken (empty when nothing was rebuilt)
    rebuilt: bool  # False when the article and settings were unchanged and the files kept
    staged: dict[str, Path] = field(default_factory=dict)  # Entry.named_files kind -> the rendered, unpublished file
    listening: Listening | None = None  # what `--verify` heard (None: not verified)


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
    retired: int = 0  # the slug's last removed revision when planned: a remove since then wins over this build
    owner: int = field(default_factory=os.getpid)  # the build's process, whose id names the staged files


def prepare(config: Config, voices: str | None = None) -> Profile:
    """Load the voice profile and check that its engines have its voices, before anything is built."""
    profile = load_profile(voices or config.podcast.voices)
    check_profile(profile)
    return profile


def load_script(
    source: str | Path | Article | Script, config: Config, options: ParseOptions = ParseOptions()
) -> Script:
    """Parse an article (a file or an http(s) URL) or read a script file; InputError when it has nothing to speak.

    An Article already read, or a Script already parsed (items `follow` or the inbox read), is taken as it is.
    `options` (`--layout`, `--interviewer`) change how an article is read; a script is taken as written,
    but for `options.title` (`--title`), which is the title of either.
    """
    if isinstance(source, Script):
        script, source = source, source.source
    elif isinstance(source, Article):
        script, source = _parse(source, config, options), source.source
    elif Path(source).suffix.lower() in SCRIPT_SUFFIXES and not _is_url(str(source)):
        script = load_script_file(Path(source))
    else:
        source, path = str(source), Path(source)
        script = _parse(load_article(source), config, options)
        if not _is_url(source):  # a script file written from it must name it wherever it is built from
            script = dataclasses.replace(script, source=str(path.resolve()))
    if options.title:
        script = retitled(script, options.title)
    for dropped in script.dropped:
        log.debug("%s:%d: dropped %s: %r", source, dropped.line, dropped.reason, dropped.text)
    opening = ("title", "disclosure")
    # A letter or a digit: punctuation alone is no word, and an engine reads it as silence.
    spoken = (sentence for segment in script.segments if segment.kind not in opening for sentence in segment.sentences)
    if not any(re.search(r"[^\W_]", sentence) for sentence in spoken):
        raise InputError(source, "has no article text to speak (only a title, site furniture, stage directions "
                                 "or punctuation)")  # fmt: skip
    return script


def retitled(script: Script, title: str) -> Script:
    """`script` with `title` as its title, which the narrator reads in place of the article's.

    The article's own headline stays out of what is read, as it was: the new
    title replaces it, and the episode's slug, file names and tags follow.
    """
    segments = [
        dataclasses.replace(segment, text=title, sentences=sentences_of(title, segment.read_directions))
        if segment.kind == "title" else segment
        for segment in script.segments
    ]  # fmt: skip
    return dataclasses.replace(script, title=title, segments=segments)


def _parse(article: Article, config: Config, options: ParseOptions) -> Script:
    return parse(
        article,
        disclosure=config.podcast.disclosures(),
        read_stage_directions=config.reading.stage_directions,
        layout=options.layout,
        interviewer=options.interviewer,
    )


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _is_address(source: str) -> bool:
    """True for a source that is a URI (an http(s) URL, "inbox:<digest>"), not a file's path.

    >>> _is_address("inbox:2f1c"), _is_address("https://example.org/a"), _is_address("C:/articles/a.txt")
    (True, True, False)
    """
    return re.match(r"[A-Za-z][A-Za-z0-9+.-]+:", source) is not None


def plan_episode(
    source: str | Script,
    catalogue: Catalogue,
    config: Config,
    profile: Profile,
    after: datetime | None = None,
    options: ParseOptions = ParseOptions(),
    batch_titles: dict[str, str] | None = None,
) -> Plan:
    """Parse one article (as `options` say) and work out its catalogue entry: guid, date and revision.

    A new episode is dated now, or a second after `after` (the newest episode so
    far), so that apps never see two episodes with the same pubDate. `source` is
    a file's path, a URL, or a Script already read (`follow`'s items, the inbox's).
    `batch_titles` are the titles of the articles planned before it in the same
    batch, by slug: a title that spells the same as one of them gets a name of its own.
    """
    script = load_script(source, config, options)
    source = script.source if isinstance(source, Script) else source
    voices = {name: part.voice for name, part in parts_at_rate(script, profile, config).items()}
    spoken = spoken_forms(script, voices, profile, config)
    address = _is_address(script.source)
    identity = source_id(script.source if address else Path(script.source))
    slug = episode_slug(script.title, identity, catalogue, batch_titles)
    previous = catalogue.get(slug)
    if previous is not None and previous.source_id != identity:
        raise InputError(
            source,
            f"has the same title as {previous.source}, already published as {slug!r} "
            f"(rename one, or run `audiobuild remove {slug}` first)",
        )
    fingerprint = _fingerprint(script, spoken, voices, config)
    if previous is not None and intact(catalogue.folder, previous):
        if previous.fingerprint in (fingerprint, _fingerprint(script, spoken, voices, config, channel=True)):
            # Recorded with today's digest, so that a later change to the channel leaves it unchanged still.
            entry = dataclasses.replace(previous, fingerprint=fingerprint)
            return Plan(source, script, voices, spoken, entry, previous, unchanged=True)
    entry = Entry(
        slug=slug,
        guid=previous.guid if previous else episode_guid(slug),
        title=script.title,
        description=description(script, config.podcast.disclosures()["*"]),
        author=script.interviewee or config.podcast.author,
        published=episode_date(script, previous, after, by_article=config.podcast.episode_date == "article"),
        revision=catalogue.next_revision(slug),
        fingerprint=fingerprint,
        length=0,
        duration=0.0,
        source=script.source if address else Path(script.source).name,
        source_id=identity,
        link=script.source if _is_url(script.source) else "",
        people=tuple(
            Person(person.name, _PODCAST_ROLES[person.role])
            for person in script.people
            if person.role in _PODCAST_ROLES and person.name not in DEFAULT_NAMES.values()  # real names only
        ),
        article_date=script.date or "",
    )
    return Plan(source, script, voices, spoken, entry, previous, retired=catalogue.retired(slug))


def episode_slug(title: str, identity: str, catalogue: Catalogue, batch_titles: dict[str, str] | None = None) -> str:
    """The stem of an episode's file names: its title in ASCII words, unique to the article.

    A title with nothing to spell (emoji only) is named after the article's
    source; titles that differ but spell the same ("Q&A" and "Q & A"), in the
    catalogue or among `batch_titles` (slug: title), get a digest of the title,
    so that two articles never share a name.
    """
    slug = slugify(title, max_length=80, word_boundary=True)
    if not slug:
        return f"episode-{identity[:8]}"
    existing = catalogue.get(slug)
    taken = (batch_titles or {}).get(slug) or (existing.title if existing and existing.source_id != identity else None)
    if taken is not None and taken != title:
        return f"{slug[:71]}-{hashlib.sha256(title.encode()).hexdigest()[:8]}"
    return slug


def episode_date(
    script: Script, previous: Entry | None, after: datetime | None = None, by_article: bool = False
) -> datetime:
    """An episode's pubDate: when it was first published (its first build's date), else now.

    Podcast apps call an episode new by its pubDate: gPodder never does for
    one dated over a week before the newest it knows (its "bug 340" rule,
    `PodcastChannel._consume_updated_feed` in gpodder/model.py), so an episode
    made from an older article is dated when it is added, and the article's
    own date goes to the show notes and the MP3 (`Entry.article_date`). With
    `by_article` (``[podcast] episode_date = "article"``, for an archive), the
    article's own date is the pubDate when it has one. A new episode is dated
    now, or a second after `after` (the newest episode so far), so that apps
    never see two episodes with the same pubDate. InputError when the
    article's date is not ISO 8601.
    """
    own = article_moment(script)
    if by_article and own is not None:
        return own
    if previous is not None:
        return previous.published
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return max(now, after + timedelta(seconds=1)) if after else now


def article_moment(script: Script) -> datetime | None:
    """The article's own date as a moment, if it has one; InputError when it is not ISO 8601.

    A date without a time is that day at noon UTC, which is the same day in
    every time zone a listener is likely to be in.
    """
    if not script.date:
        return None
    try:
        moment = datetime.fromisoformat(script.date)
    except ValueError:
        raise InputError(script.source, f"date {script.date!r} is not an ISO 8601 date (YYYY-MM-DD)") from None
    if len(script.date) <= 10:
        moment = moment.replace(hour=12)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


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


def render(plan: Plan, output: Path, config: Config, cover: bytes, progress=None, cache: Path | None = None) -> Result:
    """Synthesize, assemble, encode and tag one planned episode into staged files (`Result.staged`).

    Writes nothing under a published name, so it can run in a worker process
    while others render and publish; putting the files in place, under a
    revision chosen then, and the catalogue and feed are `publish`'s. Clips are
    cached in `cache` (the output folder's .cache/clips by default); the batch
    holds it to its size (`synthesize.prune_cache`).
    """
    cache = ClipCache(cache or output / CACHE_DIR)
    staged: dict[str, Path] = {}
    try:
        result = _render(plan, output, config, cover, cache, staged, progress or (lambda done: None))
    except BaseException:
        # A failed episode leaves the folder as it was: its own staged files and clips go
        # (clips already in the cache stay: other builds may be reading them).
        cache.discard()
        discard(output, staged.values())
        raise
    cache.commit()
    return result


def _render(plan, output, config, cover, cache, staged, progress) -> Result:
    script, entry = plan.script, plan.entry
    folders = {kind: (output / name).parent for kind, name in entry.named_files.items()}
    mp3 = staged["mp3"] = stage(folders["mp3"], ".mp3", plan.owner)
    clips: list = []  # as assembly takes them, to assemble again after `verify`
    pauses, levels = config.pauses.at_pace(config.reading.rate), VoiceLevels(cache.folder)
    made = (clips.append(clip) or clip for clip in synthesize_each(script, plan.speech, plan.voices, cache, progress))
    episode = assemble_and_export(script, made, pauses, mp3, config.audio, levels.prior(plan.voices, pauses))
    levels.record(plan.voices, pauses, episode.planned.whole_gains(), episode.seconds())
    listening = None
    if config.reading.verify:

        def export(better: list) -> None:
            nonlocal episode
            episode = assemble_and_export(script, better, pauses, mp3, config.audio, levels.prior(plan.voices, pauses))

        listening = verify(script, plan.speech, plan.voices, clips, mp3, cache, export)
        entry = dataclasses.replace(entry, recall=round(listening.recall, 3))
    timeline = cues(script, episode.spans)
    entry = dataclasses.replace(entry, chapters=tuple(chapters(script, episode.spans, episode.duration_ms)))
    write_tags(mp3, _tags(script, entry, config, cover))
    entry = dataclasses.replace(entry, length=mp3.stat().st_size, duration=mp3_duration(mp3))
    contents = {
        "chapters": chapters_json(list(entry.chapters)),
        "vtt": webvtt(timeline).encode(),
        "srt": srt(timeline).encode(),
        "json": podcast_json(timeline).encode(),
    }
    for kind, data in contents.items():
        staged[kind] = stage(folders[kind], Path(entry.named_files[kind]).suffix, plan.owner)
        staged[kind].write_bytes(data)
    return Result(plan.source, entry, script, episode.spans, rebuilt=True, staged=dict(staged), listening=listening)


def _fingerprint(
    script: Script, spoken: tuple[tuple[str, ...], ...], voices: dict[str, Voice], config: Config, channel: bool = False
) -> str:
    """A digest of everything an episode's audio is made from: its script, what is said, voices, reading settings.

    Not the channel's settings (title, author, language, category), although
    the MP3's tags name some of them, nor the cover: a channel change must not
    give every published episode a new URL, so files keep the tags they were
    built with until their article changes. `channel` gives the digest of
    versions that counted the channel's settings in, which episodes built
    then are still recorded with.
    """
    inputs = {
        "format": OUTPUT_FORMAT,
        "script": [dataclasses.asdict(segment) for segment in script.segments],
        "speech": spoken,  # the lexicon and normalisation change the audio, not the script
        "voices": {speaker: dataclasses.asdict(voice) for speaker, voice in voices.items()},
        "engines": sorted({get_engine(voice.engine).clip_version(voice) for voice in voices.values()}),
        "pauses": dataclasses.asdict(config.pauses),
        "audio": dataclasses.asdict(config.audio),
    }
    if channel:
        podcast = config.podcast
        inputs["tags"] = [podcast.title, podcast.author, podcast.language, podcast.category]
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _tags(script: Script, entry: Entry, config: Config, cover: bytes) -> Tags:
    podcast = config.podcast
    return Tags(
        title=entry.title,
        artist=entry.author,
        album=podcast.title,
        date=entry.published,
        original_date=entry.article_date[:10],
        comment=entry.description,
        description=entry.description,
        language=id3_language(script.language or podcast.language),
        episode_id=entry.guid,
        feed_url=podcast.url(FEED_FILE) if podcast.base_url else None,  # an MP3 keeps it: only a lasting address
        category=podcast.category,
        keywords=tuple(person.name for person in entry.people),
        chapters=entry.chapters,
        transcript=plain_text(script),
        cover=cover,
        cover_mime=podcast.cover_mime,
        record=tag_record(entry, with_source=_is_address(script.source)),
    )


DESCRIPTION_LENGTH = 300  # characters of the article's own opening: what an app's episode list shows and more


def description(script: Script, disclosure: str) -> str:
    """The episode's description: the article's opening in whole sentences, its byline, then `disclosure`.

    The opening is the intro before the first turn, or an article's first
    paragraphs; it stops after the sentence that reaches DESCRIPTION_LENGTH. An
    interview without an intro is described by who is interviewed. The title
    is not repeated: every app shows it above the description.
    """
    opening_kinds = ("intro",) if any(segment.kind == "intro" for segment in script.segments) else ("narration",)
    said = [sentence for segment in script.segments if segment.kind in opening_kinds for sentence in segment.sentences]
    parts: list[str] = []
    for sentence in said:
        if parts and len(" ".join(parts)) + len(sentence) > DESCRIPTION_LENGTH:
            break
        parts.append(shorten(sentence, DESCRIPTION_LENGTH))
    questions = sum(segment.kind == "question" for segment in script.segments)
    if not parts and questions:
        who = f" with {script.interviewee}" if script.interviewee else ""
        parts.append(f"An interview{who} in {questions} questions.")
    if script.byline:
        parts.append(script.byline if script.byline.endswith(".") else f"{script.byline}.")
    # The disclosure as the narrator says it, in the article's language; `disclosure` for a script without one.
    said = next((segment.text for segment in script.segments if segment.kind == "disclosure"), None)
    return " ".join([*parts, said or disclosure])


def show_script(
    article: str, config: Config, voices: str | None = None, fmt: str = "text", options: ParseOptions = ParseOptions()
) -> str:
    """`audiobuild script`: the article as the build will read it (who says what, with which voice), in `fmt`."""
    profile = prepare(config, voices)
    script = load_script(article, config, options)
    parts = parts_at_rate(script, profile, config)
    voices = {name: part.voice for name, part in parts.items()}
    described = {name: (part.voice, part.why) for name, part in parts.items()}
    return dump(script, fmt, described, spoken_forms(script, voices, profile, config))
