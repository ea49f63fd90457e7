"""Stage 3 with hibari: the female English voice bundled in the hibari-tts wheel."""

from __future__ import annotations

import dataclasses
import hashlib
import subprocess
import sys
import wave

import numpy as np
import pytest

from audiobuild.errors import ConfigError
from audiobuild.model import Voice
from audiobuild.voice.engines import CLIP_RATE, get_engine
from audiobuild.voice.engines.hibari import HibariEngine, HibariSettings, model_speed
from audiobuild.voice.profiles import check_profile, load_profile
from tests.audio import decode, median_pitch

onnxruntime = pytest.importorskip("onnxruntime")

HEART = Voice("heart", "hibari", HibariSettings())
TEXT = "We spoke for an hour about the sea, the weather and the long winter nights."


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    """speak(voice, text) -> (wav path, samples, seconds), each synthesized once per module."""
    folder = tmp_path_factory.mktemp("hibari")
    made: dict[tuple[Voice, str], tuple] = {}

    def speak(voice: Voice = HEART, text: str = TEXT) -> tuple:
        if (voice, text) not in made:
            wav = folder / f"{len(made)}.wav"
            get_engine("hibari").synthesize(text, voice, wav)
            samples = decode(wav)
            made[voice, text] = wav, samples, len(samples) / CLIP_RATE
        return made[voice, text]

    return speak


def test_only_the_bundled_voice_is_offered():
    (heart,) = get_engine("hibari").voices
    assert (heart.id, heart.language) == ("heart", "en-us")
    assert heart.name.startswith("female") and heart.origin.startswith("package hibari-tts ")


def test_writes_the_common_clip_format(spoken):
    wav, _, seconds = spoken()
    with wave.open(str(wav)) as audio:
        assert (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) == (CLIP_RATE, 1, 2)
    assert 3 < seconds < 7


def test_the_same_text_and_seed_give_the_same_bytes_in_another_process(spoken, tmp_path):
    wav, _, _ = spoken()
    again = tmp_path / "again.wav"
    script = (
        "import sys; from pathlib import Path; from audiobuild.voice.engines import get_engine; "
        "from tests.test_hibari import HEART, TEXT; get_engine('hibari').synthesize(TEXT, HEART, Path(sys.argv[1]))"
    )
    subprocess.run([sys.executable, "-c", script, str(again)], check=True)
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(wav.read_bytes()).digest()
    other_seed, _, _ = spoken(dataclasses.replace(HEART, settings=HibariSettings(seed=1)))
    assert other_seed.read_bytes() != wav.read_bytes()  # the seed is the noise, so it is part of the cache key


def test_a_voice_hibari_would_download_is_refused_without_touching_the_network(tmp_path, monkeypatch):
    import urllib.request

    monkeypatch.setenv("HIBARI_HOME", str(tmp_path / "cache"))  # a voice somebody fetched before does not count
    monkeypatch.setattr(urllib.request, "urlopen", lambda *args, **kwargs: pytest.fail("hibari went online"))
    engine = HibariEngine()
    assert "not in the package (only heart)" in engine.problem_with(Voice("emma", "hibari", HibariSettings()))
    assert "not one of hibari's bundled voices" in engine.problem_with(Voice("nobody", "hibari", HibariSettings()))
    path = tmp_path / "mine.toml"
    roles = "".join(f'[{role}]\nengine = "hibari"\nvoice = "heart"\n' for role in ("narrator", "interviewer"))
    path.write_text(roles + '[interviewee]\nengine = "hibari"\nvoice = "fenrir"\n')
    with pytest.raises(ConfigError, match=r"mine.toml: \[interviewee\] hibari voice 'fenrir' is not in the package"):
        check_profile(load_profile(str(path)))


def test_speed_changes_the_pace_in_proportion(spoken):
    *_, natural = spoken()
    for speed in (0.8, 1.25):
        *_, seconds = spoken(dataclasses.replace(HEART, settings=HibariSettings(speed=speed)))
        assert seconds == pytest.approx(natural / speed, rel=0.1), speed


def test_the_pace_curve_inverts_what_was_measured():
    assert model_speed(1.0) == 1.0
    speeds = [model_speed(pace) for pace in np.linspace(0.5, 1.8, 40)]
    assert speeds == sorted(speeds) and speeds[0] == pytest.approx(0.5, abs=0.01) and speeds[-1] == 2.0


def test_a_pitch_shift_moves_the_pitch_and_keeps_the_pace(spoken):
    _, natural, natural_seconds = spoken()
    _, lowered, seconds = spoken(dataclasses.replace(HEART, settings=HibariSettings(semitones=-4.0)))
    assert median_pitch(lowered) / median_pitch(natural) == pytest.approx(2 ** (-4 / 12), rel=0.06)
    assert seconds == pytest.approx(natural_seconds, rel=0.1)


def test_phonemes_in_brackets_are_spoken_as_misaki_ipa(spoken):
    *_, word = spoken(HEART, "Hello.")
    *_, phonemes = spoken(HEART, "[[həlˈO]].")
    *_, spelled = spoken(HEART, "h ə l ˈ O.")
    assert phonemes == pytest.approx(word, rel=0.35)
    assert spelled > 1.5 * phonemes  # read as text, the letters take far longer


def test_the_model_is_loaded_once_on_one_thread_and_named_in_the_clip_version(tmp_path, monkeypatch):
    from audiobuild.voice.engines import base, limit_threads

    monkeypatch.setattr(base, "_threads", base._threads)  # restored afterwards
    limit_threads(2)  # even with two cores to spare: one thread is faster on sentences, and gives the same bytes
    sessions = []
    real_session = onnxruntime.InferenceSession
    monkeypatch.setattr(onnxruntime, "InferenceSession", lambda *a, **kw: sessions.append(a) or real_session(*a, **kw))
    engine = HibariEngine()
    for index, speed in enumerate((1.0, 1.1)):
        engine.synthesize("One short sentence.", dataclasses.replace(HEART, settings=HibariSettings(speed)),
                          tmp_path / f"{index}.wav")  # fmt: skip
    main = [options for _, options, *_ in sessions if options.intra_op_num_threads]
    assert [options.intra_op_num_threads for options in main] == [1]
    version = engine.clip_version(HEART)
    assert version.startswith(engine.version) and "hibari.onnx" in version and "1 thread" in version


def test_a_hibari_profile_checks_against_its_settings(tmp_path):
    path = tmp_path / "mine.toml"
    roles = "".join(f'[{role}]\nengine = "hibari"\nvoice = "heart"\n' for role in ("narrator", "interviewer"))
    path.write_text(roles + '[interviewee]\nengine = "hibari"\nvoice = "heart"\nrate = 170\n')
    with pytest.raises(ConfigError, match=r"rate is not a hibari setting \(hibari takes speed, semitones, seed\)"):
        load_profile(str(path))


def test_a_sentence_in_a_script_hibari_cannot_read_is_a_short_pause_not_a_failed_episode(tmp_path, caplog):
    wav = tmp_path / "japanese.wav"
    get_engine("hibari").synthesize("日本語。", HEART, wav)
    with wave.open(str(wav)) as audio:
        assert audio.getnframes() == CLIP_RATE // 4 and not any(audio.readframes(audio.getnframes()))
    assert "hibari cannot read '日本語。' (not English): it is left silent" in caplog.text
