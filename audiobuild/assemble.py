"""Stage 4: join the clips with natural pauses into one episode and export it as MP3.

This is where pauses are decided (`pause_before`) and the only module that uses
pydub and ffmpeg. ffmpeg comes from the system when it is on PATH, else from
the `imageio-ffmpeg` wheel.

Assembly is a plan (which part of which clip, at what gain, after how much
silence); `export_mp3` streams that plan into ffmpeg clip by clip, so memory
stays flat however long the article is.
"""

from __future__ import annotations

import functools
import shutil
import signal
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

from audiobuild.children import die_with_parent
from audiobuild.errors import SynthesisError
from audiobuild.loudness import LIMITER, meter_pcm16, plan_levels
from audiobuild.model import Clip, Encoding, Pauses, Script, Span

with warnings.catch_warnings():  # pydub warns on import when ffmpeg is not on PATH
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence


@dataclass(frozen=True)
class Piece:
    """One clip in the episode: the kept part of its WAV, its gain, the silence before it."""

    wav: Path
    first_frame: int  # after trimming the clip's leading silence
    frames: int
    gain_db: float
    silence_before: int  # frames


@dataclass
class EpisodeAudio:
    """The assembled episode: what to play when, and the timeline of every spoken sentence."""

    rate: int  # frames per second of the clips
    pieces: list[Piece]
    tail: int  # frames of silence after the last clip
    spans: list[Span]
    gain_db: float  # make-up gain to the loudness target, applied at export

    @property
    def duration_ms(self) -> int:
        """Length of the assembled audio in milliseconds."""
        frames = sum(piece.silence_before + piece.frames for piece in self.pieces) + self.tail
        return frames * 1000 // self.rate


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


def _trim(clip: AudioSegment) -> tuple[int, int]:
    """First frame and frame count of `clip` without its silent edges."""
    lead = max(0, detect_leading_silence(clip, _SILENCE_DBFS, chunk_size=5) - _EDGE_KEEP_MS)
    trail = max(0, detect_leading_silence(clip.reverse(), _SILENCE_DBFS, chunk_size=5) - _EDGE_KEEP_MS)
    if lead + trail >= len(clip):
        return 0, int(clip.frame_count())
    first = int(clip.frame_count(ms=lead))
    return first, int(clip.frame_count(ms=len(clip) - trail)) - first


def _read(wav: Path) -> AudioSegment:
    return AudioSegment.from_wav(wav)


def assemble(script: Script, clips: list[Clip], pauses: Pauses) -> EpisodeAudio:
    """Plan the episode: clips in order with pauses, each voice levelled, the whole to target loudness."""
    if not clips:
        raise SynthesisError(script.source, "nothing to speak")
    rate = 0
    trims, meters = [], {}
    for clip in clips:
        audio = _read(clip.wav)
        rate = audio.frame_rate
        first, frames = _trim(audio)
        trims.append((first, frames))
        kept = audio.get_sample_slice(first, first + frames)
        speaker = script.segments[clip.segment].speaker
        meters.setdefault(speaker, []).append(meter_pcm16(kept.raw_data, rate))
    levels = plan_levels(meters)

    pieces, spans = [], []
    position, previous = 0, None
    for clip, (first, frames) in zip(clips, trims):
        silence = pause_before(script, previous, clip, pauses) * rate // 1000
        gain = levels.voice_gain_db[script.segments[clip.segment].speaker]
        pieces.append(Piece(clip.wav, first, frames, gain, silence))
        start, position = position + silence, position + silence + frames
        spans.append(Span(clip.segment, clip.sentence, clip.text, start * 1000 // rate, position * 1000 // rate))
        previous = clip
    return EpisodeAudio(rate, pieces, pauses.tail * rate // 1000, spans, levels.export_gain_db)


@functools.cache
def ffmpeg_path() -> str:
    """The ffmpeg binary: the system's when on PATH, else the one imageio-ffmpeg ships."""
    system = shutil.which("ffmpeg")
    if system:
        return system
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def export_mp3(episode: EpisodeAudio, path: Path, encoding: Encoding) -> None:
    """Encode the episode as constant-bitrate MP3 with a LAME/Xing info header.

    ffmpeg applies the make-up gain in floating point and then a look-ahead
    limiter at the output rate, so true peaks stay under -1 dBTP.
    """
    limiter = (
        f"alimiter=limit={10 ** (LIMITER.ceiling_dbfs / 20):.4f}:attack={LIMITER.attack_ms}"
        f":release={LIMITER.release_ms}:level=disabled"
    )
    command = [
        ffmpeg_path(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "s16le", "-ar", str(episode.rate), "-ac", "1", "-i", "pipe:0",
        # The limiter runs at 4x the output rate, so it also catches the peaks between samples.
        "-af", f"aresample={4 * encoding.sample_rate},volume={episode.gain_db:.2f}dB,{limiter},"
               f"aresample={encoding.sample_rate}",
        "-codec:a", "libmp3lame", "-b:a", f"{encoding.bitrate_kbps}k",
        "-ar", str(encoding.sample_rate), "-ac", str(encoding.channels),
        "-write_xing", "1",  # the Info frame: exact duration and gapless data for players
        "-id3v2_version", "0", "-write_id3v1", "0",  # tags are mutagen's job
        "-f", "mp3", str(path),
    ]  # fmt: skip
    # Unbuffered: if ffmpeg dies, closing stdin must not try to flush into the broken pipe.
    # The encoder ends with its worker: a killed build never goes on writing (children.die_with_parent).
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0, preexec_fn=die_with_parent
    ) as ffmpeg:
        try:
            for piece in episode.pieces:
                ffmpeg.stdin.write(bytes(piece.silence_before * 2))
                audio = _read(piece.wav).get_sample_slice(piece.first_frame, piece.first_frame + piece.frames)
                ffmpeg.stdin.write(audio.apply_gain(piece.gain_db).raw_data)
            ffmpeg.stdin.write(bytes(episode.tail * 2))
            ffmpeg.stdin.close()
        except BrokenPipeError:
            pass  # ffmpeg stopped early; its exit code and message say why
        errors = ffmpeg.stderr.read().decode(errors="replace").strip()
    if ffmpeg.returncode != 0:
        code = ffmpeg.returncode
        killed = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
        last = errors.splitlines()[-1] if errors else killed
        raise SynthesisError(path, f"ffmpeg could not encode MP3: {last}")
