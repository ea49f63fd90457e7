"""Stage 4: join the clips with natural pauses into one episode and export it as MP3.

The pauses between clips come from `pauses.pause_before`; this is the only
module that uses pydub and ffmpeg. ffmpeg comes from the system when it is on PATH, else from
the `imageio-ffmpeg` wheel.

Assembly is a plan: which part of which clip, in whose voice, after how much
silence (`Assembly`), and the levels of the voices (`loudness.plan_levels`).
An `Encoder` streams the plan into ffmpeg clip by clip from a thread of its
own, applying the gains and the limiter in floating point, so memory stays
flat however long the article is.

`assemble_and_export` overlaps encoding with synthesis. The levels need every
clip, but a voice's level is close after its first half-minute of speech
(`ESTIMATE_AFTER_S`): the encoder starts then, with levels estimated from what
has been heard. The estimate is checked each time every voice has been heard
twice as long, and the episode is encoded again from the start when it moved,
or when the levels it was encoded at would miss the whole episode's targets
(`keeps_targets`).
With a prior for every voice (each voice's gain in the episodes built before,
`voice.synthesize.VoiceLevels`), the encoder starts with the first clip: a
short article is then encoded while it is spoken, and a long one settles
without a second encoding.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import math
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from audiobuild.audio import loudness
from audiobuild.audio.loudness import ClipMeter, Levels, Placed, limit, meter_pcm16, plan_levels, stream_true_peak
from audiobuild.audio.pauses import pause_before
from audiobuild.errors import SynthesisError
from audiobuild.model import Clip, Encoding, Pauses, Script, Span
from audiobuild.voice.synthesize import speakable

with warnings.catch_warnings():  # pydub warns on import when ffmpeg is not on PATH
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment

log = logging.getLogger("audiobuild")

# Measured on espeak's voices: gains planned after 30 s of each voice were 0.26-0.62 dB
# from the whole episode's on long articles, and up to 0.86 dB on a 30,000-word one,
# whose encoding then started again at the end (71 s of LAME for 222 minutes of audio).
# Checked again at 60, 120, 240 s..., the estimate settles while little is encoded.
# Half a dB is below the ~1 dB a listener notices between two voices.
ESTIMATE_AFTER_S = 30
LEVEL_TOLERANCE_DB = 0.5
# An encoding is kept while no voice is further than this from the whole episode's plan: the
# difference a listener notices between two voices. Its loudness is held to LEVEL_TOLERANCE_DB.
BALANCE_TOLERANCE_DB = 1.0


@dataclass(frozen=True)
class Piece:
    """One clip in the episode: the kept part of its WAV, whose voice it is, the silence before it."""

    wav: Path
    first_frame: int  # after trimming the clip's leading silence
    frames: int
    voice: str  # the speaker, whose level applies (Levels.voice_gain_db)
    silence_before: int  # frames
    meter: ClipMeter = field(compare=False, repr=False)  # of the kept part: where the limiter has work


@dataclass
class EpisodeAudio:
    """The assembled episode: what to play when, at what level, and the timeline of every spoken sentence."""

    rate: int  # frames per second of the clips
    pieces: list[Piece]
    tail: int  # frames of silence after the last clip
    spans: list[Span]
    levels: Levels  # those the MP3 is encoded with
    planned: Levels | None = None  # those planned on the whole episode (`assemble_and_export`'s)

    def timeline(self) -> list[Placed]:
        """The measured clips in order with the pauses before them, as levels are planned on them."""
        return [Placed(piece.voice, piece.silence_before * 1000 // self.rate, piece.meter) for piece in self.pieces]

    def seconds(self) -> dict[str, float]:
        """Seconds of speech of each voice (its clips without their trimmed edges)."""
        heard: Counter[str] = Counter()
        for piece in self.pieces:
            heard[piece.voice] += piece.frames
        return {voice: frames / self.rate for voice, frames in heard.items()}

    @property
    def duration_ms(self) -> int:
        """Length of the assembled audio in milliseconds."""
        frames = sum(piece.silence_before + piece.frames for piece in self.pieces) + self.tail
        return frames * 1000 // self.rate


# Silence below this level at a clip's edges is trimmed, so that the pauses above
# are the real pauses; a few milliseconds are kept so soft onsets are not cut.
_SILENCE_DBFS = -50.0
_EDGE_KEEP_MS = 15
_EDGE_CHUNK_MS = 5  # the edges are read in chunks this long, as pydub's detect_leading_silence would


def _trim(clip: AudioSegment) -> tuple[int, int]:
    """First frame and frame count of `clip` (mono, 16-bit) without its silent edges.

    pydub's detect_leading_silence, the whole clip at once in numpy: its loop of
    5 ms slices took 0.9 ms a clip, half a second of a 3,000-word build.
    """
    samples = np.frombuffer(clip.raw_data, dtype="<i2").astype(np.float32)
    chunk = max(1, clip.frame_rate * _EDGE_CHUNK_MS // 1000)
    keep = clip.frame_rate * _EDGE_KEEP_MS // 1000
    lead, trail = (max(0, _silent_start(edge, chunk) - keep) for edge in (samples, samples[::-1]))
    if lead + trail >= len(samples):
        return 0, len(samples)
    return lead, len(samples) - lead - trail


def _silent_start(samples: np.ndarray, chunk: int) -> int:
    """Frames of `samples` before the first chunk of `chunk` frames as loud as _SILENCE_DBFS (all, if none is)."""
    whole = len(samples) // chunk * chunk
    powers = np.mean(np.square(samples[:whole]).reshape(-1, chunk), axis=1)
    if whole < len(samples):  # the last chunk, shorter
        powers = np.append(powers, np.mean(np.square(samples[whole:])))
    loud = np.flatnonzero(powers >= (32768 * 10 ** (_SILENCE_DBFS / 20)) ** 2)
    return int(loud[0]) * chunk if len(loud) else len(samples)


def _read(wav: Path) -> AudioSegment:
    return AudioSegment.from_wav(wav)


class Assembly:
    """An episode put together clip by clip, in order: its pieces, spans, and each voice's loudness."""

    def __init__(self, script: Script, pauses: Pauses):
        self.script, self.pauses = script, pauses
        self.rate = 0
        self.pieces: list[Piece] = []
        self.spans: list[Span] = []
        self._timeline: list[Placed] = []
        self._heard: Counter[str] = Counter()  # frames of each voice measured so far
        # Clips still to come per voice: synthesis makes one per speakable sentence.
        self._to_come = Counter(
            segment.speaker for segment in script.segments for sentence in segment.sentences if speakable(sentence)
        )
        self._position = 0
        self._previous: Clip | None = None

    def add(self, clip: Clip) -> Piece:
        """Trim and measure the next clip and place it after its pause; SynthesisError for a clip of another rate."""
        audio = _read(clip.wav)
        if self.rate and audio.frame_rate != self.rate:
            raise SynthesisError(clip.wav, f"is {audio.frame_rate} Hz where the episode's clips are {self.rate} Hz")
        self.rate = audio.frame_rate
        first, frames = _trim(audio)
        voice = self.script.segments[clip.segment].speaker
        meter = meter_pcm16(audio.get_sample_slice(first, first + frames).raw_data, self.rate)
        pause = pause_before(self.script, self._previous, clip, self.pauses)
        self._timeline.append(Placed(voice, pause, meter))
        self._heard[voice] += frames
        self._to_come[voice] -= 1
        silence = pause * self.rate // 1000
        piece = Piece(clip.wav, first, frames, voice, silence, meter)
        start, self._position = self._position + silence, self._position + silence + frames
        self.pieces.append(piece)
        self.spans.append(
            Span(clip.segment, clip.sentence, clip.text, start * 1000 // self.rate, self._position * 1000 // self.rate)
        )
        self._previous = clip
        return piece

    def seconds(self) -> dict[str, float]:
        """Seconds of speech of each voice measured so far."""
        return {voice: frames / self.rate for voice, frames in self._heard.items()}

    def heard(self, seconds: float) -> bool:
        """True once every voice has spoken `seconds`, or all it has to say."""
        return all(left <= 0 or self._heard[voice] >= seconds * self.rate for voice, left in self._to_come.items())

    @property
    def voices(self) -> set[str]:
        """The speakers with something to say in the episode."""
        return {voice for voice, left in self._to_come.items() if left > 0 or self._heard[voice]}

    @property
    def complete(self) -> bool:
        """True once every voice has said all it has to say."""
        return all(left <= 0 for left in self._to_come.values())

    def levels(self) -> Levels:
        """The voices' levels planned on the clips added so far."""
        return plan_levels(self._timeline)

    def episode(self) -> EpisodeAudio:
        """The whole episode, with levels planned on all its clips; SynthesisError when there are none."""
        if not self.pieces:
            raise SynthesisError(self.script.source, "nothing to speak")
        return EpisodeAudio(self.rate, self.pieces, self.pauses.tail * self.rate // 1000, self.spans, self.levels())


def assemble(script: Script, clips: Iterable[Clip], pauses: Pauses) -> EpisodeAudio:
    """Plan the episode: clips in order with pauses, each voice levelled, the whole to target loudness."""
    assembly = Assembly(script, pauses)
    for clip in clips:
        assembly.add(clip)
    return assembly.episode()


@functools.cache
def ffmpeg_path() -> str:
    """The ffmpeg binary: the system's when on PATH, else the one imageio-ffmpeg ships."""
    system = shutil.which("ffmpeg")
    if system:
        return system
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def decode(path: Path, rate: int) -> np.ndarray:
    """Any audio file ffmpeg reads, as mono float64 samples in [-1, 1] at `rate` Hz; SynthesisError when it cannot."""
    done = subprocess.run(
        [ffmpeg_path(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(rate), "-"],
        capture_output=True,
    )
    if done.returncode:
        raise SynthesisError(path, f"ffmpeg cannot decode it: {done.stderr.decode(errors='replace').strip()[-200:]}")
    return np.frombuffer(done.stdout, dtype=np.int16).astype(np.float64) / 32768.0


class Encoder:
    """ffmpeg encoding one constant-bitrate MP3 (with a LAME/Xing info header) from pieces given to `add`.

    A thread of its own reads each piece, applies its voice's gain and the
    limiter (`loudness.limit`, at `ceiling_dbfs`, or the limiter's own) and
    writes float samples to ffmpeg, which only resamples and encodes: the
    caller goes on (synthesizing, say) meanwhile. A mono MP3's true peak is
    measured as it is encoded (`true_peak`, after `finish`): ffmpeg's tee
    muxer gives a second ffmpeg the same MP3 frames to decode, and a third
    thread meters them, so the check costs no pass after the encoding.
    """

    def __init__(self, path: Path, encoding: Encoding, rate: int, levels: Levels, ceiling_dbfs: float | None = None):
        self.path, self.encoding, self.rate, self.levels, self.ceiling_dbfs = path, encoding, rate, levels, ceiling_dbfs
        muxer = "f=mp3:id3v2_version=0:write_id3v1=0"  # tags are mutagen's job
        # The Info frame (exact duration and gapless data for players) is written at the end, into the file only.
        # Tee's syntax gives | [ ] : ' backslashes and edge spaces a meaning; a backslash before each keeps it.
        escaped = "".join(char if char.isascii() and (char.isalnum() or char in "._-") else f"\\{char}"
                          for char in path.name)  # fmt: skip
        output = f"[{muxer}:write_xing=1]./{escaped}|[{muxer}:write_xing=0]pipe:1"
        if encoding.channels > 1:  # measured after it is written, a channel at a time (`mp3_true_peak`)
            output = f"./{path.name}"
        command = [
            ffmpeg_path(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0",
            # swresample's defaults (32 taps, cut off at 0.97 of the clips' Nyquist) leave images
            # above it, which the MP3 encoder turns into peaks: +1.6 dB of true peak measured on a
            # 22.05 kHz espeak episode. 64 taps cut off at 0.9 remove them, at no measurable cost.
            "-af", f"aresample={encoding.sample_rate}:filter_size=64:cutoff=0.9",
            "-codec:a", "libmp3lame", "-b:a", f"{encoding.bitrate_kbps}k",
            "-ar", str(encoding.sample_rate), "-ac", str(encoding.channels), "-map", "0:a",
            *(["-f", "tee"] if encoding.channels == 1 else
              ["-write_xing", "1", "-id3v2_version", "0", "-write_id3v1", "0", "-f", "mp3"]), output,
        ]  # fmt: skip
        # Unbuffered: if ffmpeg dies, closing stdin must not try to flush into the broken pipe.
        # The encoder ends with its worker, so that a killed build never goes on writing: its input is the
        # worker's pipe, whose end it reads then (see `children`: no preexec_fn).
        self._ffmpeg = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE if encoding.channels == 1 else None,
            stderr=subprocess.PIPE, bufsize=0, cwd=path.parent,
        )  # fmt: skip
        self.true_peak: float | None = None  # dBTP of the mono MP3, once finished
        self._meter = _StreamMeter(self._ffmpeg.stdout, path) if encoding.channels == 1 else None
        self.given = 0  # pieces added so far
        self._queue: queue.SimpleQueue[Piece | int | None] = queue.SimpleQueue()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._feed, name="audiobuild-encoder", daemon=True)
        self._thread.start()

    def add(self, piece: Piece) -> None:
        """Queue the next piece: its silence, then its clip at its voice's level."""
        self._queue.put(piece)
        self.given += 1

    def finish(self, tail: int) -> None:
        """End the episode with `tail` frames of silence and wait for the MP3; SynthesisError if ffmpeg fails."""
        self._queue.put(tail)
        self._queue.put(None)
        self._thread.join()
        errors = self._ffmpeg.stderr.read().decode(errors="replace").strip()
        self._ffmpeg.stderr.close()
        code = self._ffmpeg.wait()
        if self._failure is not None:
            self._stop_meter()
            raise self._failure
        if code != 0:
            self._stop_meter()
            killed = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
            last = errors.splitlines()[-1] if errors else killed
            raise SynthesisError(self.path, f"ffmpeg could not encode MP3: {last}")
        if self._meter is not None:
            self.true_peak = self._meter.result()

    def abort(self) -> None:
        """Stop encoding and leave the (partial) file for the caller to discard."""
        self._ffmpeg.kill()
        self._queue.put(None)
        self._thread.join()
        self._ffmpeg.wait()
        self._ffmpeg.stderr.close()
        self._stop_meter()

    def _stop_meter(self) -> None:
        if self._meter is not None:
            self._meter.stop()

    def _feed(self) -> None:
        try:
            while (item := self._queue.get()) is not None:
                if isinstance(item, int):
                    _write(self._ffmpeg.stdin, bytes(4 * item))
                    continue
                _write(self._ffmpeg.stdin, bytes(4 * item.silence_before))
                audio = _read(item.wav).get_sample_slice(item.first_frame, item.first_frame + item.frames)
                samples = np.frombuffer(audio.raw_data, dtype="<i2").astype(np.float32) / 32768
                _write(self._ffmpeg.stdin, limit(samples, self.rate, item.meter.window_peaks,
                                                 self.levels.gain_db(item.voice), self.ceiling_dbfs))  # fmt: skip
        except BrokenPipeError:
            pass  # ffmpeg stopped early: its exit code and message say why
        except BaseException as error:  # a clip that cannot be read: finish() raises it in the build's thread
            self._failure = error
        finally:
            with contextlib.suppress(OSError):
                self._ffmpeg.stdin.close()


class _StreamMeter:
    """A decoder (ffmpeg) of MP3 frames from `frames`, a pipe, and a thread metering its samples' true peak."""

    def __init__(self, frames, path: Path):
        self.path = path
        command = [ffmpeg_path(), "-v", "error", "-f", "mp3", "-i", "pipe:0", "-f", "f32le", "-"]
        # Its messages go to a file, not a pipe: a full pipe would stop it while we read the samples.
        self._messages = tempfile.TemporaryFile()
        self._decoder = subprocess.Popen(command, stdin=frames, stdout=subprocess.PIPE, stderr=self._messages)
        frames.close()  # the decoder's now: it sees the end of the MP3 when the encoder ends
        self._peak: float | BaseException = -math.inf
        self._thread = threading.Thread(target=self._measure, name="audiobuild-true-peak", daemon=True)
        self._thread.start()

    def _measure(self) -> None:
        try:
            with self._decoder.stdout:
                self._peak = stream_true_peak(float_samples(self._decoder.stdout))
        except BaseException as error:  # raised again by result() in the build's thread
            self._peak = error

    def result(self) -> float:
        """The MP3's true peak (dBTP), once the encoder has ended; SynthesisError when it could not be decoded."""
        self._thread.join()
        code = self._decoder.wait()
        self._messages.seek(0)
        last = self._messages.read().decode(errors="replace").strip().splitlines() or [f"exit {code}"]
        self._messages.close()
        if isinstance(self._peak, BaseException):
            raise self._peak
        if code != 0:
            raise SynthesisError(self.path, f"ffmpeg could not decode the MP3 to measure it: {last[-1]}")
        return self._peak

    def stop(self) -> None:
        self._decoder.kill()
        self._thread.join()
        self._decoder.wait()
        self._messages.close()


def _write(stream, data) -> None:
    """All of `data` into an unbuffered pipe, which may take it in parts."""
    view = memoryview(data).cast("B")
    while view:
        view = view[stream.write(view) :]


def export_mp3(episode: EpisodeAudio, path: Path, encoding: Encoding) -> None:
    """Encode an assembled episode as MP3 at its levels, true peaks held (`_encode`); SynthesisError if ffmpeg fails."""
    _encode(episode, Encoder(path, encoding, episode.rate, episode.levels))


def assemble_and_export(
    script: Script,
    clips: Iterable[Clip],
    pauses: Pauses,
    path: Path,
    encoding: Encoding,
    prior: dict[str, tuple[float, float]] | None = None,
) -> EpisodeAudio:
    """Assemble `clips` as synthesis yields them and encode the episode into `path` meanwhile.

    Synthesis runs ahead on a thread of its own (`_ahead`): the engine's own
    thread, the clips' measurement here and the encoder then share the cores.

    The encoder starts once every voice has been heard for `ESTIMATE_AFTER_S`,
    with levels planned on what has been heard. The levels are planned again
    each time every voice has been heard twice as long: an estimate that moved
    so far that the encoding would miss its targets (`keeps_targets`) starts
    the encoder again while little is encoded, rather than at the end. When
    the levels of the whole episode are that far from the encoder's, it
    starts again with those.
    With a `prior` (speaker -> whole gain in dB, seconds of speech it was
    measured on) for every voice that speaks, the encoder starts with the
    first clip at those levels, and each check weighs the estimate against
    the prior by seconds heard (`loudness.weighed`): an estimate from 30 s of a voice
    no longer overrules one from ten minutes. The episode returned carries
    the levels its MP3 was encoded with, and those planned on the whole (`planned`).
    Raises SynthesisError (no clips, a clip of another rate, ffmpeg failing).
    """
    assembly = Assembly(script, pauses)
    encoder: Encoder | None = None
    checkpoint = ESTIMATE_AFTER_S
    prior = prior or {}
    start = loudness.whole_levels({voice: gain for voice, (gain, _) in prior.items()}, assembly.voices)
    try:
        for clip in _ahead(clips):
            piece = assembly.add(clip)
            if encoder is None and start is not None:
                encoder = Encoder(path, encoding, assembly.rate, start)
            if not assembly.complete and assembly.heard(checkpoint):  # at the end, the whole is planned below
                checkpoint = max(2 * checkpoint, 1)
                levels, heard = assembly.levels(), assembly.seconds()
                levels = levels if start is None else loudness.weighed(levels, prior, heard)
                if encoder is None or not keeps_targets(encoder.levels, levels, heard):
                    if encoder is not None:
                        log.debug("%s: the levels moved after %d clips; encoding again", script.source, encoder.given)
                        encoder.abort()
                    encoder = Encoder(path, encoding, assembly.rate, levels)
                    for earlier in assembly.pieces[:-1]:
                        encoder.add(earlier)
            if encoder is not None:
                encoder.add(piece)
        episode = assembly.episode()
    except BaseException:
        if encoder is not None:
            encoder.abort()
        raise
    if encoder is not None and not keeps_targets(encoder.levels, episode.levels, episode.seconds()):
        log.debug("%s: levels estimated on %d of %d clips were off; encoding again", script.source,
                  encoder.given, len(episode.pieces))  # fmt: skip
        encoder.abort()
        encoder = None
    if encoder is None:
        encoder = Encoder(path, encoding, episode.rate, episode.levels)
    encoder = _encode(episode, encoder)
    return dataclasses.replace(episode, levels=encoder.levels, planned=episode.levels)


def keeps_targets(encoded: Levels, planned: Levels, seconds: dict[str, float]) -> bool:
    """`Levels.keeps_targets` at LEVEL_TOLERANCE_DB of loudness and BALANCE_TOLERANCE_DB a voice."""
    return encoded.keeps_targets(planned, seconds, LEVEL_TOLERANCE_DB, BALANCE_TOLERANCE_DB)


def _ahead(clips: Iterable[Clip]) -> Iterator[Clip]:
    """The clips, taken from `clips` on a thread of its own as fast as it yields them.

    Whatever stops the caller (an error, the generator closed) stops the thread
    before the next clip and waits for it: no clip is synthesized after this returns.
    """
    ready: queue.SimpleQueue[tuple[Clip | None, BaseException | None]] = queue.SimpleQueue()
    stop = threading.Event()

    def run() -> None:
        try:
            for clip in clips:
                ready.put((clip, None))
                if stop.is_set():
                    return
            ready.put((None, None))
        except BaseException as error:  # raised again in the caller's thread
            ready.put((None, error))

    thread = threading.Thread(target=run, name="audiobuild-synthesis", daemon=True)
    thread.start()
    try:
        while True:
            clip, error = ready.get()
            if error is not None:
                raise error
            if clip is None:
                return
            yield clip
    finally:
        stop.set()
        thread.join()


def _encode(episode: EpisodeAudio, encoder: Encoder) -> Encoder:
    """Give `encoder` the episode's pieces it has not had yet, then its tail, and wait for the MP3.

    The MP3's true peak is then measured as a player decodes it: MP3 encoding
    overshoots the limiter by an amount that varies with the audio (Piper's
    output, noisy by design, now and then by 2.7 dB). While it is over
    `loudness.LIMITER.mp3_true_peak_dbtp`, the episode is encoded again with the
    limiter's ceiling lowered by the overshoot and the make-up gain planned
    for it (`loudness.with_ceiling`), at most `_PEAK_RETRIES` times. Returns
    the encoder that wrote the MP3, with its levels.
    """
    limiter = loudness.LIMITER
    for retry in range(_PEAK_RETRIES + 1):
        try:
            for piece in episode.pieces[encoder.given :]:
                encoder.add(piece)
            encoder.finish(episode.tail)
        except BaseException:
            encoder.abort()
            raise
        peak = encoder.true_peak
        if peak is None:
            peak = mp3_true_peak(encoder.path, encoder.encoding.channels)
        over = peak - limiter.mp3_true_peak_dbtp
        if over <= 0:
            break
        if retry == _PEAK_RETRIES:
            log.warning("%s: a true peak of %+.1f dBTP is left after encoding %d times",
                        encoder.path.name, limiter.mp3_true_peak_dbtp + over, retry + 1)  # fmt: skip
            break
        used = limiter.ceiling_dbfs if encoder.ceiling_dbfs is None else encoder.ceiling_dbfs
        ceiling = used - over - _PEAK_STEP_DB
        log.debug("%s: %.2f dB over the true-peak limit after encoding; encoding again with the limiter at %.2f dBFS",
                  encoder.path.name, over, ceiling)  # fmt: skip
        levels = loudness.with_ceiling(encoder.levels, episode.timeline(), ceiling)
        encoder = Encoder(encoder.path, encoder.encoding, encoder.rate, levels, ceiling)
    return encoder


# One more encoding was enough in every case measured (overshoots of 1.2 and 1.7 dB that the tests force, and
# the first encodings of ten Piper builds, -2.6 to -1.3 dBTP); the step keeps a third one rare.
_PEAK_RETRIES = 3
_PEAK_STEP_DB = 0.3


def mp3_true_peak(path: Path, channels: int = 1) -> float:
    """The true peak (dBTP) of an MP3 file as decoded by ffmpeg, each channel read on its own, streamed.

    Raises SynthesisError when ffmpeg cannot decode it.
    """
    peaks = []
    for channel in range(channels):
        command = [ffmpeg_path(), "-nostdin", "-v", "error", "-i", str(path),
                   "-af", f"pan=mono|c0=c{channel}", "-f", "f32le", "-"]  # fmt: skip
        # ffmpeg's messages go to a file, not a pipe: a full pipe would stop it while we read the samples.
        with tempfile.TemporaryFile() as messages:
            decoder = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=messages)  # see `Encoder`: no preexec_fn
            with decoder.stdout:
                peaks.append(stream_true_peak(float_samples(decoder.stdout)))
            if decoder.wait() != 0:
                messages.seek(0)
                last = messages.read().decode(errors="replace").strip().splitlines() or [f"exit {decoder.returncode}"]
                raise SynthesisError(path, f"ffmpeg could not decode the MP3 to measure it: {last[-1]}")
    return max(peaks)


_DECODE_CHUNK = 1 << 20  # bytes: a quarter of a million samples


def float_samples(stream) -> Iterator[np.ndarray]:
    """32-bit float samples read from a pipe, in chunks of up to `_DECODE_CHUNK` bytes, each whole samples.

    A pipe's read returns what is there, not a multiple of 4 bytes: a sample cut in two between reads
    would shift every later one and read noise as samples (peaks of +8 dB on a busy machine).
    """
    rest = b""
    for chunk in iter(lambda: stream.read(_DECODE_CHUNK), b""):
        data = rest + chunk
        whole = len(data) - len(data) % 4
        rest = data[whole:]
        if whole:
            yield np.frombuffer(data[:whole], dtype="<f4")
