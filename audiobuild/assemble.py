"""Stage 4: join the clips with natural pauses into one episode and export it as MP3.

This is where pauses are decided (`pause_before`) and the only module that uses
pydub and ffmpeg. ffmpeg comes from the system when it is on PATH, else from
the `imageio-ffmpeg` wheel.
"""

from __future__ import annotations

import functools
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

from audiobuild.errors import SynthesisError
from audiobuild.parse import Script
from audiobuild.synthesize import Clip

with warnings.catch_warnings():  # pydub warns on import when ffmpeg is not on PATH
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment
    from pydub.exceptions import CouldntEncodeError
    from pydub.silence import detect_leading_silence


@dataclass(frozen=True)
class Pauses:
    """Silence in milliseconds; configurable in podcast.toml's [pauses] table."""

    sentence: int = 250  # between sentences of one paragraph
    paragraph: int = 550  # between paragraphs of the same speaker
    speaker_change: int = 850  # when another person starts speaking
    after_intro: int = 1300  # after the narrator's opening, before the first question
    lead_in: int = 300  # before the first word
    tail: int = 800  # after the last word


@dataclass(frozen=True)
class Encoding:
    """MP3 settings; configurable in podcast.toml's [audio] table."""

    bitrate_kbps: int = 64
    sample_rate: int = 44100
    channels: int = 1


@dataclass(frozen=True)
class Span:
    """Where one clip's speech lies in the episode."""

    segment: int
    sentence: int
    text: str
    start_ms: int
    end_ms: int


@dataclass
class EpisodeAudio:
    """The assembled episode: audio plus the timeline of every spoken sentence."""

    audio: AudioSegment
    spans: list[Span]

    @property
    def duration_ms(self) -> int:
        """Length of the assembled audio in milliseconds."""
        return len(self.audio)


def pause_before(script: Script, previous: Clip | None, clip: Clip, pauses: Pauses) -> int:
    """Milliseconds of silence before `clip`, given the clip spoken just before it."""
    if previous is None:
        return pauses.lead_in
    if previous.segment == clip.segment:
        return pauses.sentence
    if previous.segment < script.intro_end <= clip.segment:
        return pauses.after_intro
    if script.segments[previous.segment].speaker != script.segments[clip.segment].speaker:
        return pauses.speaker_change
    return pauses.paragraph


# Silence below this level at a clip's edges is trimmed, so that the pauses above
# are the real pauses; a few milliseconds are kept so soft onsets are not cut.
_SILENCE_DBFS = -50.0
_EDGE_KEEP_MS = 15


def _trimmed(clip: AudioSegment) -> AudioSegment:
    lead = max(0, detect_leading_silence(clip, _SILENCE_DBFS, chunk_size=5) - _EDGE_KEEP_MS)
    trail = max(0, detect_leading_silence(clip.reverse(), _SILENCE_DBFS, chunk_size=5) - _EDGE_KEEP_MS)
    return clip[lead : len(clip) - trail] if lead + trail < len(clip) else clip


def assemble(script: Script, clips: list[Clip], pauses: Pauses) -> EpisodeAudio:
    """Join the clips with pauses; record where each one's speech starts and ends."""
    if not clips:
        raise SynthesisError(script.source, "nothing to speak")
    parts: list[bytes] = []
    spans: list[Span] = []
    frames = 0
    previous = None
    first = AudioSegment.from_wav(clips[0].wav)
    rate, width, channels = first.frame_rate, first.sample_width, first.channels
    for clip in clips:
        audio = _trimmed(AudioSegment.from_wav(clip.wav))
        silence = pause_before(script, previous, clip, pauses) * rate // 1000
        parts.append(b"\0" * (silence * width * channels))
        frames += silence
        start = frames
        parts.append(audio.raw_data)
        frames += int(audio.frame_count())
        spans.append(Span(clip.segment, clip.sentence, clip.text, start * 1000 // rate, frames * 1000 // rate))
        previous = clip
    tail = pauses.tail * rate // 1000
    parts.append(b"\0" * (tail * width * channels))
    # One join at the end: adding AudioSegments one by one copies the episode each time.
    joined = AudioSegment(data=b"".join(parts), sample_width=width, frame_rate=rate, channels=channels)
    return EpisodeAudio(joined, spans)


@functools.cache
def ffmpeg_path() -> str:
    """The ffmpeg binary: the system's when on PATH, else the one imageio-ffmpeg ships."""
    system = shutil.which("ffmpeg")
    if system:
        return system
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def export_mp3(episode: EpisodeAudio, path: Path, encoding: Encoding) -> None:
    """Encode the episode as constant-bitrate MP3 with a LAME/Xing info header."""
    AudioSegment.converter = ffmpeg_path()
    try:
        episode.audio.export(
            str(path),
            format="mp3",
            codec="libmp3lame",
            bitrate=f"{encoding.bitrate_kbps}k",
            parameters=[
                "-ar", str(encoding.sample_rate),
                "-ac", str(encoding.channels),
                "-write_xing", "1",  # the Info frame: exact duration and gapless data for players
                "-id3v2_version", "0",  # tags are mutagen's job
                "-write_id3v1", "0",
            ],
        )  # fmt: skip
    except CouldntEncodeError as error:
        message = str(error).strip().splitlines()
        raise SynthesisError(path, f"ffmpeg could not encode MP3: {message[-1] if message else error}") from None
