"""Listening to the natural voices: does a speech recogniser hear what they say, and are the sides apart?

A person would judge the voices by ear; here an offline recogniser (Whisper
tiny.en, see tests/listening.py) writes down what it hears, and word recall
says how much of the text came through. Espeak-ng scored 0.59 on the example
article in the measurements that chose these voices; the natural ones must
score 0.90 each on a passage of ours and 0.85 on a whole episode (names like
Skarvholm are not in the recogniser's vocabulary).

In Spanish, Italian, Portuguese, French and German the natural profile reads
with Kokoro's styles; the multilingual Whisper base listens there, to an
interview of ours in each language built once with them and once with
espeak-ng, in the same run.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy
import pytest

from audiobuild.config import load_config
from audiobuild.parse.text import sentences_of
from audiobuild.run.batch import build_all
from audiobuild.voice.casting import cast_voices
from audiobuild.voice.engines import CLIP_RATE, get_engine
from audiobuild.voice.profiles import load_profile
from audiobuild.voice.pronounce import Lexicon, spoken
from tests.audio import decode, median_pitch
from tests.conftest import EXAMPLE, REPO
from tests.listening import multilingual_recogniser, recogniser, transcribe, word_recall

pytestmark = pytest.mark.slow

LISTENING = Path(__file__).parent / "data" / "listening"
PASSAGE = LISTENING / "passage.txt"
# The word recall an episode read by natural voices must reach in each language (issue 24's measurements:
# 0.94-0.98 in Spanish, Italian and Portuguese, 0.85-0.93 in French and German).
NATURAL_RECALL = {"es": 0.90, "it": 0.90, "pt": 0.90, "fr": 0.85, "de": 0.85}
NATURAL = load_profile("natural")


@pytest.fixture(scope="module")
def listener():
    return recogniser()


def read_aloud(text: str, voice, wav: Path) -> Path:
    """`text` spoken by `voice` as a build speaks it: sentence by sentence, normalised, a pause between."""
    pause = numpy.zeros(CLIP_RATE // 4, dtype="<i2")
    pieces = []
    for index, sentence in enumerate(sentences_of(text.replace("\n", " "))):
        clip = wav.with_name(f"{wav.stem}-{index}.wav")
        get_engine(voice.engine).synthesize(spoken(sentence, "en", voice.engine, Lexicon()), voice, clip)
        with wave.open(str(clip)) as audio:
            pieces += [numpy.frombuffer(audio.readframes(audio.getnframes()), dtype="<i2"), pause]
        clip.unlink()
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(CLIP_RATE)
        out.writeframes(numpy.concatenate(pieces).tobytes())
    return wav


@pytest.mark.parametrize("name", list(NATURAL.all_voices))
def test_each_natural_voice_is_understood_on_a_passage_of_300_words(listener, tmp_path, name):
    text = PASSAGE.read_text(encoding="utf-8")
    assert len(text.split()) >= 300
    heard = transcribe(listener, read_aloud(text, NATURAL.all_voices[name], tmp_path / f"{name}.wav"))
    recall = word_recall(text, heard)
    print(f"{name}: word recall {recall:.3f}")
    assert recall >= 0.90, heard


@pytest.fixture(scope="module")
def episode(tmp_path_factory):
    """The example article built with the natural profile, as `make demo` builds it."""
    output = tmp_path_factory.mktemp("natural") / "output"
    (result,) = build_all([EXAMPLE], output, load_config(REPO / "examples" / "podcast.toml"), "natural")
    return output / result.entry.file, result


def test_a_whole_natural_episode_is_understood(listener, episode):
    mp3, result = episode
    reference = " ".join(span.text for span in result.spans)
    recall = word_recall(reference, transcribe(listener, mp3))
    print(f"example episode: word recall {recall:.3f}")
    assert recall >= 0.85


def test_the_two_sides_of_the_natural_episode_are_30_percent_apart_in_pitch(episode):
    mp3, result = episode
    samples = decode(mp3)
    sides: dict[str, list] = {"interviewer": [], "interviewee": []}
    for span in result.spans:
        role = result.script.segments[span.segment].role
        if role in sides:
            sides[role].append(samples[span.start_ms * CLIP_RATE // 1000 : span.end_ms * CLIP_RATE // 1000])
    pitch = {role: median_pitch(numpy.concatenate(parts)) for role, parts in sides.items()}
    print(f"example episode: median pitch {pitch}")
    assert max(pitch.values()) / min(pitch.values()) >= 1.3, pitch


EMOJI_ARTICLE = """Bakery talk

We met the baker at dawn 🌅, when the ovens were already hot 🔥.

- What was the best month? 🤔
- December 🎄🎉, by far, because of the cakes 👩‍🍳.
- And the worst? 😬
- August ☀️, when nobody wants bread 🥖. We sell green 茶 then.
"""
# What espeak-ng and Piper said for these (issue 24): their Unicode names, "Chinese letter".
EMOJI_NAMES = ("thinking", "face", "christmas", "party", "popper", "cook", "grimacing", "sunrise", "fire", "sun ",
               "baguette", "chinese", "letter", "emoji")  # fmt: skip


def test_no_emoji_name_is_heard(listener, tmp_path):
    article = tmp_path / "bakery.txt"
    article.write_text(EMOJI_ARTICLE, encoding="utf-8")
    (result,) = build_all([article], tmp_path / "output", load_config(REPO / "examples" / "podcast.toml"), "natural")
    heard = transcribe(listener, tmp_path / "output" / result.entry.file)
    print(f"emoji episode heard: {heard}")
    assert not [name for name in EMOJI_NAMES if name in f" {heard.lower()} "], heard
    said = " ".join(span.text for span in result.spans)
    assert word_recall(said, heard) >= 0.7, heard  # the words around them are still said


@pytest.fixture(scope="module")
def multilingual(tmp_path_factory):
    return multilingual_recogniser(tmp_path_factory.mktemp("whisper-base"))


@pytest.mark.parametrize("language", list(NATURAL_RECALL))
def test_an_interview_in_each_language_is_read_by_natural_voices_understood_better_than_espeak(
    multilingual, tmp_path, language
):
    article = LISTENING / f"{language}.txt"
    assert 110 <= len(article.read_text(encoding="utf-8").split()) <= 150
    config = load_config(REPO / "examples" / "podcast.toml")
    recall = {}
    for profile in ("natural", "espeak"):
        (result,) = build_all([article], tmp_path / profile, config, profile, workers=1)
        assert result.script.language == language
        reference = " ".join(span.text for span in result.spans)
        heard = transcribe(multilingual, tmp_path / profile / result.entry.file, language)
        recall[profile] = word_recall(reference, heard, language)
        print(f"{language} {profile}: word recall {recall[profile]:.3f}: {heard}")
    voices = cast_voices(result.script, NATURAL)
    assert {voice.engine for voice in voices.values()} == {"kokoro"}, voices
    assert len({voice.settings.style for voice in voices.values()}) == 2  # a man's and a woman's
    assert recall["natural"] >= NATURAL_RECALL[language], recall
    assert recall["natural"] > recall["espeak"], recall
