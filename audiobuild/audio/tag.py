"""Stage 5: ID3 tags on the episode MP3 (the only module using mutagen).

Tags are written as ID3v2.3: Apple's chapter display breaks on v2.4, and v2.3
is what every podcast app reads.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mutagen import MutagenError
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
    TDOR,
    TDRC,
    TGID,
    TIME,
    TIT2,
    TKWD,
    TLAN,
    TPE1,
    TXXX,
    USLT,
    WFED,
    CTOCFlags,
    PictureType,
)
from mutagen.mp3 import MP3

from audiobuild.model import Chapter

GENRE = "Podcast"
RECORD = "audiobuild"  # the description of the TXXX frame that carries the episode's catalogue row
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
    date: datetime  # when the episode was published (TDRC, as v2.3's TYER, TDAT and TIME)
    comment: str
    description: str
    language: str  # ISO 639-2, e.g. "eng"
    episode_id: str
    feed_url: str | None  # WFED: only a lasting address (base_url), as the MP3 keeps it when the feed moves
    category: str
    keywords: tuple[str, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    transcript: str = ""
    cover: bytes | None = None
    cover_mime: str = "image/png"
    record: str = ""  # the episode's catalogue row (JSON), from which a damaged catalogue is rebuilt
    original_date: str = ""  # the article's own date, YYYY-MM-DD (TDOR, as v2.3's TORY: its year)


def write_tags(path: Path, tags: Tags) -> None:
    """Replace any tags on the MP3 at `path` with `tags`, saved as ID3v2.3."""
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TPE1(encoding=3, text=tags.artist))
    id3.add(TALB(encoding=3, text=tags.album))
    id3.add(TDRC(encoding=3, text=tags.date.strftime("%Y-%m-%dT%H:%M:%S")))
    # update_to_v23 (mutagen 1.47) writes TIME only when hour and minute are both
    # non-zero, so an episode dated 00:40 or 09:00 would lose its time of day.
    id3.add(TIME(encoding=3, text=tags.date.strftime("%H%M")))
    if tags.original_date:
        id3.add(TDOR(encoding=3, text=tags.original_date))
    id3.add(TCON(encoding=3, text=GENRE))
    id3.add(COMM(encoding=3, lang=tags.language, desc="", text=tags.comment))
    id3.add(TDES(encoding=3, text=tags.description))
    id3.add(TLAN(encoding=3, text=tags.language))
    id3.add(TGID(encoding=3, text=tags.episode_id))
    if tags.feed_url:
        id3.add(WFED(url=tags.feed_url))
    id3.add(TCAT(encoding=3, text=tags.category))
    id3.add(PCST(value=1))  # the iTunes podcast flag
    if tags.keywords:
        id3.add(TKWD(encoding=3, text=",".join(tags.keywords)))
    if tags.transcript:
        id3.add(USLT(encoding=3, lang=tags.language, desc="Transcript", text=tags.transcript))
    if tags.record:
        id3.add(TXXX(encoding=3, desc=RECORD, text=tags.record))
    if tags.cover:
        # Latin-1 and no description: v2.3 has no UTF-8, so mutagen would save a UTF-16 description, after
        # which ExoPlayer up to 2.15.0 (inside many Android podcast apps) reads the picture from the wrong
        # offset and gets a corrupted image (google/ExoPlayer#9087).
        id3.add(APIC(encoding=0, mime=tags.cover_mime, type=PictureType.COVER_FRONT, desc="", data=tags.cover))
    _add_chapters(id3, tags.chapters)
    id3.update_to_v23()  # TDRC (v2.4) becomes TYER and TDAT, which strict v2.3 readers show
    id3.save(path, v2_version=3)
    _chapters_in_time_order(path)


def _add_chapters(id3: ID3, chapters: tuple[Chapter, ...]) -> None:
    """CHAP frames listed, in order, by one top-level CTOC with a title of its own.

    Overcast shows chapters only with a CTOC; readers that go by frame order
    (FFmpeg) get the CHAP frames in time order too (`_chapters_in_time_order`).
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


def _chapters_in_time_order(path: Path) -> None:
    """Rewrite the ID3v2.3 tag at the start of `path` with its CHAP frames in time order, in place.

    mutagen writes frames sorted by size; the CTOC lists the chapters in order,
    but readers that go by frame order (FFmpeg 5.1 and newer) would not. The
    frames are only reordered, so the tag keeps its size. CHAP frames are
    written "chp0", "chp1", ... in time order (`_add_chapters`).
    """
    with open(path, "r+b") as mp3:
        header = mp3.read(10)
        size = int.from_bytes(bytes(byte & 0x7F for byte in header[6:10]), "big")  # syncsafe
        body = mp3.read(size)
        frames, position = [], 0
        while position + 10 <= len(body) and body[position] != 0:  # padding after the last frame
            length = int.from_bytes(body[position + 4 : position + 8], "big")
            frames.append(body[position : position + 10 + length])
            position += 10 + length
        chapters = [frame for frame in frames if frame[:4] == b"CHAP"]
        if not chapters:
            return
        chapters.sort(key=lambda frame: int(frame[10 : frame.index(b"\0", 10)].removeprefix(b"chp")))
        first = next(index for index, frame in enumerate(frames) if frame[:4] == b"CHAP")
        others = [frame for frame in frames if frame[:4] != b"CHAP"]
        ordered = others[:first] + chapters + others[first:]
        mp3.seek(10)
        mp3.write(b"".join(ordered))


def read_tags(path: Path) -> Tags:
    """The tags `write_tags` wrote on the MP3 at `path`, but its cover and transcript.

    The date is to the minute, in the time zone it was written in (ID3v2.3's
    TYER, TDAT and TIME). ValueError when the file has no ID3 tag, or no title
    or date.
    """
    try:
        id3 = ID3(path)  # v2.3's date frames are read as v2.4's TDRC
    except (MutagenError, OSError) as error:
        raise ValueError(f"no ID3 tag ({error})") from None
    frame = functools.partial(_text, id3)
    if not frame("TIT2") or not frame("TDRC"):
        raise ValueError("its ID3 tag has no title or date")
    chapters = sorted(id3.getall("CHAP"), key=lambda chapter: chapter.start_time)
    record = next((str(item.text[0]) for item in id3.getall("TXXX") if item.desc == RECORD and item.text), "")
    comment = next((str(item.text[0]) for item in id3.getall("COMM") if item.text), "")
    return Tags(
        title=frame("TIT2"),
        artist=frame("TPE1"),
        album=frame("TALB"),
        date=datetime.fromisoformat(frame("TDRC")),
        comment=comment,
        description=frame("TDES") or comment,
        language=frame("TLAN"),
        episode_id=frame("TGID"),
        feed_url=str(id3["WFED"].url) if "WFED" in id3 else None,
        category=frame("TCAT"),
        keywords=tuple(filter(None, frame("TKWD").split(","))),
        chapters=tuple(
            Chapter(_text(chapter.sub_frames, "TIT2"), chapter.start_time, chapter.end_time) for chapter in chapters
        ),
        record=record,
    )


def _text(id3: ID3 | dict, name: str) -> str:
    """The first text of the frame `name` ("TIT2") of a tag (or a CHAP frame's sub-frames), or ""."""
    return str(id3[name].text[0]) if name in id3 and id3[name].text else ""


def mp3_duration(path: Path) -> float:
    """The MP3's playing time in seconds, as players compute it from its Info header."""
    return MP3(path).info.length
