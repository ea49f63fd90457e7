"""Stage 5, tagging: every ID3 frame we write reads back from a real MP3, as ID3v2.3."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from datetime import datetime, timezone

import pytest
from mutagen.id3 import ID3, CTOCFlags

from audiobuild.audio.assemble import EpisodeAudio, export_mp3, ffmpeg_path
from audiobuild.audio.loudness import Levels
from audiobuild.audio.tag import Tags, mp3_duration, write_tags
from audiobuild.model import Chapter, Encoding
from audiobuild.publish.cover import draw_cover

TAGS = Tags(
    title="Ada Lindqvist: A lighthouse <teaches> & listens",
    artist="Ada Lindqvist",
    album="Interviews, read aloud",
    date=datetime(2026, 11, 27, 8, 30, 5, tzinfo=timezone.utc),
    comment="An interview. Read by synthetic voices.",
    description="An interview. Read by synthetic voices.",
    language="eng",
    episode_id="f037371e-4ef8-5d51-8fa2-3d38275b15c2",
    feed_url="http://localhost:8000/feed.xml",
    category="News",
    keywords=("Ada Lindqvist", "lighthouses"),
    chapters=(Chapter("Introduction", 0, 500), Chapter("A question?", 500, 1200), Chapter("Another one", 1200, 1500)),
    transcript="Narrator: Title.\n\nInterviewer: A question?\n",
    cover=draw_cover("Test"),
    original_date="2024-03-12",
)

# Each frame we write, and what it must read back as: a meta-test below checks the
# table covers every frame on the file.
EXPECTED_FRAMES = {
    "TIT2": TAGS.title,
    "TPE1": TAGS.artist,
    "TALB": TAGS.album,
    "TDRC": "2026-11-27 08:30:00",  # read back from v2.3's TYER, TDAT and TIME, which hold minutes
    "TDOR": "2024",  # the article's date, read back from v2.3's TORY, which holds only the year
    "TCON": "Podcast",
    "COMM::eng": TAGS.comment,
    "TDES": TAGS.description,
    "TLAN": "eng",
    "TGID": TAGS.episode_id,
    "WFED": TAGS.feed_url,
    "PCST": 1,
    "APIC:": TAGS.cover,
    "TCAT": "News",
    "TKWD": "Ada Lindqvist,lighthouses",
    "USLT:Transcript:eng": TAGS.transcript,
    "CTOC:toc": ["chp0", "chp1", "chp2"],
    "CHAP:chp0": (0, 500, "Introduction"),
    "CHAP:chp1": (500, 1200, "A question?"),
    "CHAP:chp2": (1200, 1500, "Another one"),
}


@pytest.fixture(scope="module")
def tagged(tmp_path_factory):
    path = tmp_path_factory.mktemp("tag") / "episode.mp3"
    export_mp3(EpisodeAudio(rate=22050, pieces=[], tail=33075, spans=[], levels=Levels({}, 0.0)), path, Encoding())
    write_tags(path, TAGS)
    return path


def _value(frame):
    if frame.FrameID == "CTOC":
        return frame.child_element_ids
    if frame.FrameID == "CHAP":
        return (frame.start_time, frame.end_time, str(frame.sub_frames["TIT2"]))
    if frame.FrameID == "APIC":
        return frame.data
    if frame.FrameID == "PCST":
        return frame.value
    if frame.FrameID == "WFED":
        return frame.url
    if frame.FrameID == "USLT":
        return frame.text
    return str(frame.text[0])


@pytest.mark.parametrize("key", EXPECTED_FRAMES)
def test_frame_reads_back(tagged, key):
    assert _value(ID3(tagged)[key]) == EXPECTED_FRAMES[key]


def test_the_date_is_in_v2_3_frames_that_strict_readers_show(tagged):
    raw = ID3(tagged, translate=False)  # as written, not upgraded to v2.4 on reading
    assert "TDRC" not in raw  # a v2.4 frame
    assert (str(raw["TYER"]), str(raw["TDAT"]), str(raw["TIME"])) == ("2026", "2711", "0830")
    assert str(raw["TORY"]) == "2024"  # the article's own year: v2.3's original release


@pytest.mark.parametrize("hour, minute", [(0, 40), (9, 0), (0, 0)])
def test_a_time_at_midnight_or_on_the_hour_is_kept(tagged, tmp_path, hour, minute):
    path = tmp_path / "episode.mp3"
    path.write_bytes(tagged.read_bytes())
    write_tags(path, dataclasses.replace(TAGS, date=datetime(2026, 12, 1, hour, minute, tzinfo=timezone.utc)))
    assert str(ID3(path)["TDRC"]) == f"2026-12-01 {hour:02d}:{minute:02d}:00"


def test_every_frame_on_the_file_is_in_the_table(tagged):
    assert set(ID3(tagged).keys()) == set(EXPECTED_FRAMES)


def test_tags_are_id3v2_3(tagged):
    assert tagged.read_bytes()[:5] == b"ID3\x03\x00"
    assert ID3(tagged).version == (2, 3, 0)


def test_cover_is_front_cover_png(tagged):
    picture = ID3(tagged)["APIC:"]
    assert (picture.mime, picture.type) == ("image/png", 3)


def test_tagging_keeps_the_audio(tagged):
    assert 1.4 < mp3_duration(tagged) < 1.7


def test_one_top_level_ordered_table_of_contents_with_its_own_title(tagged):
    tocs = ID3(tagged).getall("CTOC")
    assert len(tocs) == 1
    assert tocs[0].flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    assert str(tocs[0].sub_frames["TIT2"]) == "Chapters"


def test_chapter_frames_lie_in_time_order_as_ffmpeg_reads_them(tagged):
    # The titles' sizes are not in time order: mutagen alone writes frames sorted by size.
    assert sorted(TAGS.chapters, key=lambda chapter: len(chapter.title)) != list(TAGS.chapters)
    metadata = subprocess.run(
        [ffmpeg_path(), "-v", "error", "-i", str(tagged), "-f", "ffmetadata", "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    chapters = metadata.split("[CHAPTER]")[1:]
    assert [re.search(r"^title=(.*)$", chapter, re.M).group(1) for chapter in chapters] == [
        chapter.title for chapter in TAGS.chapters
    ]
    chapter_frames = [body.split(b"\0", 1)[0].decode() for frame, body in _frames_in_file_order(tagged)
                      if frame == "CHAP"]  # fmt: skip
    assert chapter_frames == ["chp0", "chp1", "chp2"]


def test_the_cover_frame_is_latin_1_so_exoplayer_2_15_reads_the_picture(tagged):
    # ExoPlayer <= 2.15.0 misreads an APIC whose description is UTF-16 (google/ExoPlayer#9087): the frame is
    # encoding 0 (ISO-8859-1), the MIME type, the front-cover type, an empty description, then the picture.
    (body,) = [body for frame, body in _frames_in_file_order(tagged) if frame == "APIC"]
    assert body == b"\x00" + b"image/png\x00" + b"\x03" + b"\x00" + TAGS.cover


def _frames_in_file_order(path) -> list[tuple[str, bytes]]:
    """(frame id, body) of each frame of an ID3v2.3 tag, as they lie in the file."""
    raw = path.read_bytes()
    assert raw[:4] == b"ID3\x03"
    end = 10 + sum(byte << (7 * (3 - place)) for place, byte in enumerate(raw[6:10]))  # a syncsafe size
    frames, at = [], 10
    while at + 10 <= end and raw[at : at + 4].isalnum():
        frame, size = raw[at : at + 4].decode(), int.from_bytes(raw[at + 4 : at + 8], "big")  # v2.3: plain
        frames.append((frame, raw[at + 10 : at + 10 + size]))
        at += 10 + size
    return frames


def test_no_feed_address_is_kept_in_the_mp3_without_a_lasting_one(tmp_path):
    path = tmp_path / "local.mp3"
    export_mp3(EpisodeAudio(rate=22050, pieces=[], tail=22050, spans=[], levels=Levels({}, 0.0)), path, Encoding())
    write_tags(path, dataclasses.replace(TAGS, feed_url=None))
    assert "WFED" not in ID3(path)
