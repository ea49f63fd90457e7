"""`audiobuild build`: the pipeline from article files to a published episode.

    parse -> voices -> synthesize -> assemble -> export + tag -> catalogue -> feed

Everything that can fail on bad input (reading, parsing, the config, the voice
profile, the cover) is checked before the output folder is touched, and every
file in it is replaced atomically, the feed last.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from slugify import slugify

from audiobuild.assemble import Span, assemble, export_mp3
from audiobuild.atomic import replacing, write_bytes
from audiobuild.catalogue import Entry, episode_guid, load_catalogue
from audiobuild.config import Config
from audiobuild.cover import check_cover, draw_cover
from audiobuild.errors import AudiobuildError, InputError
from audiobuild.feed import FEED_FILE, write_feed
from audiobuild.parse import Script, parse_article, read_article
from audiobuild.synthesize import check_profile, synthesize
from audiobuild.tag import Tags, mp3_duration, write_tags
from audiobuild.voices import Profile, load_profile

log = logging.getLogger("audiobuild")

EPISODES_DIR = "episodes"

# ISO 639-1 (feeds) to ISO 639-2 (ID3) for the languages espeak reads well.
_ID3_LANGUAGES = {
    "en": "eng", "ru": "rus", "de": "deu", "fr": "fra", "es": "spa", "it": "ita", "pt": "por", "nl": "nld",
    "pl": "pol", "uk": "ukr", "tr": "tur", "az": "aze", "hy": "hye", "ka": "kat", "zh": "zho", "ja": "jpn",
}  # fmt: skip


@dataclass(frozen=True)
class Result:
    """What building one article produced."""

    source: Path
    entry: Entry
    script: Script
    spans: list[Span]  # where each sentence is spoken
    assembled_ms: int  # length of the assembled audio before encoding


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
    """Build one article into `output`: MP3, catalogue entry, feed."""
    script = load_script(source, config)
    slug = slugify(script.title, max_length=80, word_boundary=True) or "episode"
    catalogue = load_catalogue(output)
    previous = catalogue.get(slug)
    published = previous.published if previous else datetime.now(timezone.utc).replace(microsecond=0)
    podcast = config.podcast
    guid = previous.guid if previous else episode_guid(slug)
    description = _description(script, config)

    with tempfile.TemporaryDirectory(prefix="audiobuild-") as workdir:
        clips = synthesize(script, profile, Path(workdir))
        episode = assemble(script, clips, config.pauses)
        cover = _cover_bytes(output, config)
        relative = f"{EPISODES_DIR}/{slug}.mp3"
        with replacing(output / relative) as temp:
            export_mp3(episode, temp, config.audio)
            write_tags(
                temp,
                Tags(
                    title=script.title,
                    artist=script.interviewee or podcast.author,
                    album=podcast.title,
                    date=published,
                    comment=description,
                    description=description,
                    language=_ID3_LANGUAGES.get(podcast.language.split("-")[0].lower(), "und"),
                    episode_id=guid,
                    feed_url=podcast.url(FEED_FILE),
                    cover=cover,
                    cover_mime=podcast.cover_mime,
                ),
            )
            length, duration = temp.stat().st_size, mp3_duration(temp)
    cover_path = output / podcast.cover_file
    if not cover_path.exists() or cover_path.read_bytes() != cover:
        write_bytes(cover_path, cover)

    entry = Entry(
        slug=slug,
        guid=guid,
        title=script.title,
        description=description,
        author=script.interviewee or podcast.author,
        published=published,
        file=relative,
        length=length,
        duration=duration,
        source=str(source),
    )
    catalogue.upsert(entry)
    catalogue.save()
    write_feed(catalogue, podcast)
    log.info("built %s (%d:%02d) from %s", relative, duration // 60, duration % 60, source)
    return Result(source, entry, script, episode.spans, episode.duration_ms)


def build_all(sources: list[Path], output: Path, config: Config, voices: str | None = None) -> list[Result]:
    """Build each article; a bad one is reported and skipped, the rest are built.

    Raises the first AudiobuildError after the batch when any article failed.
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
