"""Stage 3: speak every sentence of a script with its speaker's voice and engine, one WAV per sentence.

Sentences, not whole paragraphs, are the unit so that the episode knows when each
sentence starts (transcripts and chapters are timed from real offsets) and so that
pauses between sentences are ours to decide.

Clips are cached under the output folder, keyed on everything that changes the
audio, so a rebuild after an edit only synthesizes the sentences that changed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from audiobuild.atomic import TEMP_PREFIX
from audiobuild.model import Clip, Script, Voice
from audiobuild.voice.engines import get_engine, whole_wav

CACHE_DIR = ".cache/clips"


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
            return path, True
        staged = self.staging / path.name
        return staged, staged.exists()

    def stage(self, staged: Path) -> None:
        """Record a clip synthesized into the staging folder (at the path `lookup` gave)."""
        self._staged.append(staged)

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
