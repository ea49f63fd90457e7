"""Stage 5: ID3 tags on the episode MP3 (the only module using mutagen).

Tags are written as ID3v2.3: Apple's chapter display breaks on v2.4, and v2.3
is what every podcast app reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    PCST,
    TALB,
    TCAT,
    TCON,
    TDES,
    TDRC,
    TGID,
    TIT2,
    TKWD,
    TLAN,
    TPE1,
    USLT,
    WFED,
    CTOCFlags,
    PictureType,
)
from mutagen.mp3 import MP3

from audiobuild.model import Chapter

GENRE = "Podcast"
# ISO 639-1 (feeds) to ISO 639-2 (ID3) for the languages espeak reads well.
_ID3_LANGUAGES = {
    "en": "eng", "ru": "rus", "de": "deu", "fr": "fra", "es": "spa", "it": "ita", "pt": "por", "nl": "nld",
    "pl": "pol", "uk": "ukr", "tr": "tur", "az": "aze", "hy": "hye", "ka": "kat", "zh": "zho", "ja": "jpn",
}  # fmt: skip


def id3_language(code: str) -> str:
    """The ISO 639-2 code ID3 wants for an ISO 639-1 code ("en-GB" -> "eng"); "und" when unknown."""
    return _ID3_LANGUAGES.get(code.split("-")[0].lower(), "und")


@dataclass(frozen=True)
class Tags:
    """What an episode's MP3 says about itself."""

    title: str
    artist: str
    album: str
    date: datetime
    comment: str
    description: str
    language: str  # ISO 639-2, e.g. "eng"
    episode_id: str
    feed_url: str
    category: str
    keywords: tuple[str, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    transcript: str = ""
    cover: bytes | None = None
    cover_mime: str = "image/png"


def write_tags(path: Path, tags: Tags) -> None:
    """Replace any tags on the MP3 at `path` with `tags`, saved as ID3v2.3."""
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TPE1(encoding=3, text=tags.artist))
    id3.add(TALB(encoding=3, text=tags.album))
    id3.add(TDRC(encoding=3, text=tags.date.strftime("%Y-%m-%dT%H:%M:%S")))
    id3.add(TCON(encoding=3, text=GENRE))
    id3.add(COMM(encoding=3, lang=tags.language, desc="", text=tags.comment))
    id3.add(TDES(encoding=3, text=tags.description))
    id3.add(TLAN(encoding=3, text=tags.language))
    id3.add(TGID(encoding=3, text=tags.episode_id))
    id3.add(WFED(url=tags.feed_url))
    id3.add(TCAT(encoding=3, text=tags.category))
    id3.add(PCST(value=1))  # the iTunes podcast flag
    if tags.keywords:
        id3.add(TKWD(encoding=3, text=",".join(tags.keywords)))
    if tags.transcript:
        id3.add(USLT(encoding=3, lang=tags.language, desc="Transcript", text=tags.transcript))
    if tags.cover:
        id3.add(APIC(encoding=3, mime=tags.cover_mime, type=PictureType.COVER_FRONT, desc="Cover", data=tags.cover))
    _add_chapters(id3, tags.chapters)
    id3.save(path, v2_version=3)


def _add_chapters(id3: ID3, chapters: tuple[Chapter, ...]) -> None:
    """CHAP frames listed, in order, by one top-level CTOC with a title of its own.

    mutagen writes frames sorted by size, so the table of contents, not the frame
    order, carries the chapter order (Overcast shows chapters only with a CTOC).
    """
    if not chapters:
        return
    ids = [f"chp{index}" for index in range(len(chapters))]
    id3.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=3, text="Chapters")],
        )
    )
    for element_id, chapter in zip(ids, chapters):
        id3.add(
            CHAP(
                element_id=element_id,
                start_time=chapter.start_ms,
                end_time=chapter.end_ms,
                start_offset=0xFFFFFFFF,  # "not used": players seek by time
                end_offset=0xFFFFFFFF,
                sub_frames=[TIT2(encoding=3, text=chapter.title)],
            )
        )


def mp3_duration(path: Path) -> float:
    """The MP3's playing time in seconds, as players compute it from its Info header."""
    return MP3(path).info.length
