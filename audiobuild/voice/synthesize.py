"""Stage 3: speak every sentence of a script with its speaker's voice and engine, one WAV per sentence.

Sentences, not whole paragraphs, are the unit so that the episode knows when each
sentence starts (transcripts and chapters are timed from real offsets) and so that
pauses between sentences are ours to decide.

Clips are cached under the output folder, keyed on everything that changes the
audio, so a rebuild after an edit only synthesizes the sentences that changed.
The cache is held to a size (`prune_cache`, podcast.toml's ``[cache] max_mb``),
the least recently used clips going first. Beside it, `VoiceLevels` keeps each
voice's gain in the episodes built so far, so that the next episode's encoder
can start before its clips are all heard.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from audiobuild.atomic import TEMP_PREFIX, write_bytes
from audiobuild.model import Clip, Pauses, Script, Voice
from audiobuild.voice.engines import get_engine, whole_wav

CACHE_DIR = ".cache/clips"
MB = 1024 * 1024
# A build reads its clips again until its MP3 is done (the encoder may start over at the end), so a clip
# used this recently may be in the hands of a build still running in another process: pruning leaves it.
IN_USE_SECONDS = 3600


def speakable(text: str) -> bool:
    """True when `text` has something to say (a letter or digit)."""
    return any(char.isalnum() for char in text)


class ClipCache:
    """Synthesized sentences on disk, one WAV per (text, voice settings, the engine's clip version).

    New clips are staged in a folder of this build's own and join the cache with
    `commit` once the episode is built, so a failed build can take back exactly
    what it added, and never a clip another build is reading.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.staging = folder / f"{TEMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._staged: list[Path] = []

    def lookup(self, text: str, voice: Voice, clip_version: str) -> tuple[Path, bool]:
        """Where the clip is or is to be synthesized, and whether it is ready (cached or staged)."""
        path = self.path(text, voice, clip_version)
        if self.valid(path):
            _used(path)
            return path, True
        staged = self.staging / path.name
        return staged, staged.exists()

    def stage(self, staged: Path) -> None:
        """Record a clip synthesized into the staging folder (at the path `lookup` gave)."""
        self._staged.append(staged)

    def replace(self, wav: Path, text: str, voice: Voice, clip_version: str) -> Path:
        """Stage `wav` (in the staging folder) as the clip of `text` by `voice`, over the one there; return its path.

        For a clip synthesised once more because the first was not heard (`run.verify`): the next build of the
        article takes the clip that was.
        """
        staged = self.staging / self.path(text, voice, clip_version).name
        os.replace(wav, staged)
        if staged not in self._staged:
            self._staged.append(staged)
        return staged

    def commit(self) -> None:
        """Move the staged clips into the cache."""
        for staged in self._staged:
            final = self.folder / staged.name[:2] / staged.name  # the layout of `path`
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, final)
        self.discard()

    def discard(self) -> None:
        """Forget the staged clips: delete them and the staging folder."""
        shutil.rmtree(self.staging, ignore_errors=True)
        self._staged.clear()
        with contextlib.suppress(OSError):  # only when this build created the cache folder
            self.folder.rmdir()
            self.folder.parent.rmdir()

    def path(self, text: str, voice: Voice, clip_version: str) -> Path:
        """Where the clip for `text` spoken by `voice` is (or will be) stored."""
        key = json.dumps([text, clip_version, dataclasses.asdict(voice)], sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(key.encode()).hexdigest()
        return self.folder / digest[:2] / f"{digest}.wav"

    @staticmethod
    def valid(path: Path) -> bool:
        """True when `path` is a whole WAV with audio; a truncated or corrupt one is a miss."""
        return whole_wav(path)


def _used(clip: Path) -> None:
    """Mark a cached clip as just used, for `prune_cache`.

    Its access time is set here, whatever the mount's atime policy (noatime,
    relatime); its modification time stays when it was written.
    """
    with contextlib.suppress(OSError):  # pruned meanwhile, or a read-only cache: it is still a hit
        os.utime(clip, ns=(time.time_ns(), clip.stat().st_mtime_ns))


class VoiceLevels:
    """Each voice's gain (dB) in the episodes built so far, in `levels/` beside the clip cache's folder.

    A voice at given settings has a loudness of its own: the whole gain (the
    voice's and the make-up gain) that levelled it in an episode is a prior
    for the next. Measured on espeak's three voices over articles of 150 to
    3,000 words: each voice's gain spread over 0.3 to 0.5 dB. The prior is
    keyed on the voice, its engine's clip version and the pauses (which weigh
    in the episode's loudness), one small JSON file a voice, and refined after
    each build with a mean weighted by seconds of speech, the past's weight
    bounded by `_PRIOR_WEIGHT_S` so that it follows a changed engine.
    """

    def __init__(self, clip_cache: Path):
        self.folder = clip_cache.parent / "levels"

    def prior(self, voices: dict[str, Voice], pauses: Pauses) -> dict[str, tuple[float, float]]:
        """Speaker -> (gain in dB, seconds of speech it weighs, at most `_PRIOR_WEIGHT_S`) of each voice known."""
        known = {}
        for speaker, voice in voices.items():
            recorded = self._read(self._path(voice, pauses))
            if recorded is not None:
                known[speaker] = recorded[0], min(recorded[1], _PRIOR_WEIGHT_S)
        return known

    def record(
        self, voices: dict[str, Voice], pauses: Pauses, gains: dict[str, float], seconds: dict[str, float]
    ) -> None:
        """Refine the priors with an episode's planned `gains` (dB) for speakers heard for `seconds`.

        Nothing is raised: a prior that cannot be written only makes the next build encode later.
        """
        for speaker, gain in gains.items():
            heard = seconds.get(speaker, 0.0)
            if heard <= 0 or speaker not in voices:
                continue
            path = self._path(voices[speaker], pauses)
            past, weight = self._read(path) or (gain, 0.0)
            weight = min(weight, _PRIOR_WEIGHT_S)
            mean = (past * weight + gain * heard) / (weight + heard)
            with contextlib.suppress(OSError):
                write_bytes(path, json.dumps({"gain_db": round(mean, 3), "seconds": round(weight + heard, 1)}).encode())

    def _path(self, voice: Voice, pauses: Pauses) -> Path:
        version = get_engine(voice.engine).clip_version(voice)
        key = json.dumps([version, dataclasses.asdict(voice), dataclasses.asdict(pauses)], sort_keys=True)
        return self.folder / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"

    @staticmethod
    def _read(path: Path) -> tuple[float, float] | None:
        """(gain in dB, seconds it was measured on), or None for none or a damaged file."""
        try:
            recorded = json.loads(path.read_bytes())
            gain, seconds = float(recorded["gain_db"]), float(recorded["seconds"])
        except (OSError, ValueError, TypeError, KeyError):
            return None
        return (gain, seconds) if math.isfinite(gain) and seconds > 0 else None


# Seconds of speech the recorded gain weighs at most against a new episode's: ten minutes, so a long
# episode mostly replaces it and a short one moves it a little.
_PRIOR_WEIGHT_S = 600.0


@dataclass(frozen=True)
class CacheUsage:
    """What a clip cache holds: `clips` WAVs of `size` bytes, `in_use` bytes of them used in the last hour."""

    clips: int
    size: int
    in_use: int
    oldest: float | None  # when the least recently used clip was last used (seconds since the epoch)


def _clips(folder: Path) -> list[tuple[float, int, str]]:
    """(last used, size in bytes, path) of every clip in the cache at `folder`, least recently used first.

    Staging folders are not the cache's yet: they are their builds' own, removed with them.
    """
    found = []
    with contextlib.suppress(OSError):  # no cache yet
        shards = [entry.path for entry in os.scandir(folder)
                  if entry.is_dir() and not entry.name.startswith(TEMP_PREFIX)]  # fmt: skip
        for shard in shards:
            with contextlib.suppress(OSError), os.scandir(shard) as clips:  # another build's prune, at once
                for clip in clips:
                    with contextlib.suppress(OSError):
                        stat = clip.stat()
                        found.append((stat.st_atime, stat.st_size, clip.path))  # str, not Path: a third faster
    return sorted(found)


def cache_usage(folder: Path) -> CacheUsage:
    """How many clips the cache at `folder` holds, how big they are (bytes), and how much was used in the last hour."""
    clips = _clips(folder)
    recent = time.time() - IN_USE_SECONDS
    return CacheUsage(
        len(clips),
        sum(size for _, size, _ in clips),
        sum(size for used, size, _ in clips if used > recent),
        clips[0][0] if clips else None,
    )


def prune_cache(folder: Path, max_bytes: int) -> tuple[int, int]:
    """Delete the least recently used clips of the cache at `folder` until it holds `max_bytes` at most.

    Returns (clips, bytes) deleted. A clip used in the last IN_USE_SECONDS is
    kept even over the cap: a build running beside this one may read it again.
    Nothing is raised: a clip that cannot be deleted stays, and the build
    that pruned is not the worse for it. The shard folders stay, since
    another build may be committing a clip into one.
    """
    clips = _clips(folder)
    held = sum(size for _, size, _ in clips)
    recent = time.time() - IN_USE_SECONDS
    removed = freed = 0
    for used, size, path in clips:
        if held - freed <= max_bytes or used > recent:
            break
        with contextlib.suppress(OSError):
            os.unlink(path)
            removed, freed = removed + 1, freed + size
    return removed, freed


def describe_cache(folder: Path, max_mb: int, prune_to: int | None = None) -> str:
    """`audiobuild cache`: the cached clips, their size and the cap (`max_mb`, in MB of 2**20 bytes).

    With `prune_to` (MB), the cache is pruned to it first (`prune_cache`).
    """
    pruned = ""
    if prune_to is not None:
        removed, freed = prune_cache(folder, prune_to * MB)
        pruned = f"pruned {removed} clip{'' if removed == 1 else 's'} ({freed / MB:.1f} MB) to {prune_to} MB\n"
    usage = cache_usage(folder)
    if not usage.clips:
        return f"{pruned}{folder}: no clips cached (at most {max_mb} MB, [cache] max_mb)\n"
    oldest = datetime.fromtimestamp(usage.oldest).astimezone()
    return (
        f"{pruned}{folder}: {usage.clips} clip{'' if usage.clips == 1 else 's'}, {usage.size / MB:.1f} MB "
        f"of at most {max_mb} MB ([cache] max_mb)\n"
        f"  used in the last hour (never pruned): {usage.in_use / MB:.1f} MB; "
        f"least recently used: {oldest:%Y-%m-%d %H:%M}\n"
    )


def synthesize(
    script: Script,
    speech: tuple[tuple[str, ...], ...],
    voices: dict[str, Voice],
    cache: ClipCache,
    progress: Callable[[int], None] = lambda done: None,
) -> list[Clip]:
    """A clip for each sentence with something to say, in its text and its spoken form, in order (cached or made).

    `speech` holds what the engine says for each sentence (`pronounce.speech`),
    `voices` each speaker's voice (`voices.cast_voices`); `progress` is called with the
    number of sentences just handled.
    """
    return list(synthesize_each(script, speech, voices, cache, progress))


def synthesize_each(
    script: Script,
    speech: tuple[tuple[str, ...], ...],
    voices: dict[str, Voice],
    cache: ClipCache,
    progress: Callable[[int], None] = lambda done: None,
) -> Iterator[Clip]:
    """`synthesize`, yielding each clip as soon as it is ready, so assembly can follow synthesis."""
    for segment_index, (segment, spoken) in enumerate(zip(script.segments, speech, strict=True)):
        voice = voices[segment.speaker]
        engine = get_engine(voice.engine)
        for sentence_index, (sentence, said) in enumerate(zip(segment.sentences, spoken, strict=True)):
            if speakable(sentence) and speakable(said):  # "茶。" in English: nothing left to say (`unspoken`)
                wav, ready = cache.lookup(said, voice, engine.clip_version(voice))
                if not ready:
                    wav.parent.mkdir(parents=True, exist_ok=True)
                    engine.synthesize(said, voice, wav)
                    cache.stage(wav)
                yield Clip(segment_index, sentence_index, sentence, wav)
            progress(1)
