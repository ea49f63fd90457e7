"""The listening check of one episode (`build --verify`): hear it, speak failed sentences once more, hear it again.

    MP3 -> Whisper -> aligned with the script (`audio.listen.hear`) -> failed sentences
        -> a neural engine's clip synthesised once more (another seed where the engine takes one)
        -> kept when heard better alone -> the episode assembled and heard again

What the episode is checked against is what the engines were told to say
(numbers in words, as `pronounce` made them) without the lexicon's
respellings and phonemes: a listener hears "Lindqvist", not "Lindkvist".
espeak-ng says a sentence the same way every time, so its clips are not
synthesised again. A retried clip replaces the first under the same cache
key, so the next build of the article starts from the clip that was heard.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from audiobuild.audio.listen import FAILED_BELOW, check_listener, hear, recogniser, transcribe
from audiobuild.model import Clip, Script, Voice
from audiobuild.voice.engines import get_engine
from audiobuild.voice.pronounce import Lexicon, speech
from audiobuild.voice.synthesize import ClipCache

# Engines whose clips come out the same for the same text and settings: synthesising again changes nothing.
_SAME_EVERY_TIME = {"pyttsx3"}


@dataclass(frozen=True)
class Unheard:
    """A sentence whose words were not heard: where it is, its text, the share of its words heard (0 to 1).

    `retried`: its clip was synthesised once more, and neither was heard.
    """

    segment: int
    sentence: int
    text: str
    recall: float
    retried: bool = False


@dataclass(frozen=True)
class Listening:
    """What `build --verify` heard of an episode: its word recall (0 to 1) and the sentences not heard.

    `spoken_again` are the sentences whose clip was synthesised once more and
    heard better (`unheard` is after that).
    """

    recall: float
    unheard: tuple[Unheard, ...] = ()
    spoken_again: tuple[str, ...] = ()


def verify(
    script: Script,
    said: tuple[tuple[str, ...], ...],
    voices: dict[str, Voice],
    clips: list[Clip],
    mp3: Path,
    cache: ClipCache,
    export: Callable[[list[Clip]], object],
) -> Listening:
    """Hear `mp3`, the episode `clips` (in order) were assembled into, and check it against the script.

    `said` is what the engines were given for each sentence (`Plan.speech`), to
    synthesise a failed one again; a clip heard better then replaces its
    cached one, and `export(clips)` assembles and encodes the episode again
    into `mp3`, which is heard again. Raises AudiobuildError where the `verify` extra is not installed (a
    cluster's worker), and what faster-whisper or ffmpeg raise.
    """
    check_listener()  # the build checked its own machine; a cluster's workers are others
    language = (script.language or "en").split("-")[0]
    model = recogniser(language)
    plain = speech(script, voices, Lexicon())  # numbers in words, no respellings: what a listener should hear
    references = [plain[clip.segment][clip.sentence] for clip in clips]
    hearing = hear(references, transcribe(model, mp3, language), language)
    clips, again, retried = list(clips), [], set()
    for index in hearing.failed():
        clip = clips[index]
        voice = voices[script.segments[clip.segment].speaker]
        if voice.engine in _SAME_EVERY_TIME:
            continue
        retried.add(index)
        engine, text = get_engine(voice.engine), said[clip.segment][clip.sentence]
        before = hear([references[index]], transcribe(model, clip.wav, language), language).recall
        trial = cache.staging / f"again-{index}.wav"
        trial.parent.mkdir(parents=True, exist_ok=True)
        engine.synthesize(text, reseeded(voice), trial)
        if hear([references[index]], transcribe(model, trial, language), language).recall > before:
            clips[index] = dataclasses.replace(clip, wav=cache.replace(trial, text, voice, engine.clip_version(voice)))
            again.append(clip.text)
        else:
            trial.unlink()
    if again:
        export(clips)
        hearing = hear(references, transcribe(model, mp3, language), language)
    unheard = tuple(
        Unheard(clip.segment, clip.sentence, clip.text, hearing.sentence_recall(index), index in retried)
        for index, clip in ((index, clips[index]) for index in hearing.failed())
    )
    return Listening(hearing.recall, unheard, tuple(again))


def reseeded(voice: Voice) -> Voice:
    """`voice` with the next seed, where its engine takes one (hibari's noise); else `voice` itself."""
    seed = getattr(voice.settings, "seed", None)
    if seed is None:
        return voice
    return dataclasses.replace(voice, settings=dataclasses.replace(voice.settings, seed=seed + 1))


def report(source: str, listening: Listening) -> list[str]:
    """The lines a build prints for `listening`: the recall, then one per sentence spoken again or not heard."""
    lines = [f"heard {listening.recall:.1%} of the words of {source} (--verify)"]
    lines += [f"  spoken again, heard better: {_quoted(text)}" for text in listening.spoken_again]
    lines += [
        f"  not heard ({item.recall:.0%} of its words, under {FAILED_BELOW:.0%}"
        f"{', nor when spoken again' if item.retried else ''}): {_quoted(item.text)}"
        for item in listening.unheard
    ]
    return lines


def _quoted(text: str) -> str:
    return f"“{text if len(text) <= 80 else text[:79] + '…'}”"
