"""Stage 2, voices: profiles load, validate, and are checked against the real engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from audiobuild.engines.espeak import EspeakSettings
from audiobuild.engines.piper import PiperSettings
from audiobuild.errors import ConfigError
from audiobuild.model import Voice
from audiobuild.parse import ROLES, parse_article
from audiobuild.voices import Profile, cast, cast_voices, check_profile, load_profile

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


def test_default_profile_gives_every_role_a_voice_the_engine_has():
    profile = load_profile("default")
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
    ],
)
def test_invalid_profiles_name_the_file_and_problem(tmp_path, change, message):
    path = write_profile(tmp_path, change(VALID))
    with pytest.raises(ConfigError, match=message) as error:
        load_profile(str(path))
    assert str(path) in str(error.value)


def test_unknown_profile_name_lists_the_available_ones():
    with pytest.raises(ConfigError, match="available: .*default"):
        load_profile("no-such-profile")


def test_each_person_gets_a_distinct_voice_while_the_profile_has_them():
    script = parse_article(
        "Your Call: night buses\nHOST: Who is first?\nCALLER MIKE: Me.\nHOST: And next?\n"
        "CALLER PRIYA: Me too.\nHOST: Last one?\nCALLER TOM: Here.\nHOST: Thanks, all.\n"
    )
    voices = cast_voices(script, load_profile())
    callers = [person.name for person in script.people if person.role == "interviewee"]
    assert len(callers) == 3
    assert len({voices[name] for name in voices}) == len(voices)  # nobody shares a voice
    profile = load_profile()
    assert voices[callers[0]] == profile.voice_for("interviewee")
    assert [voices[name] for name in callers[1:]] == list(profile.extra[:2])


def test_people_beyond_the_extra_voices_share_their_roles_voice(tmp_path):
    profile = load_profile(str(write_profile(tmp_path, VALID)))  # no [[extra]] voices
    script = parse_article("Panel\nMODERATOR: Go.\nANNA BERG: One.\nMODERATOR: And?\nTOM HALE: Two.\n")
    voices = cast_voices(script, profile)
    assert voices["Anna Berg"] == voices["Tom Hale"] == profile.voice_for("interviewee")


RUSSIAN = "Анна Петрова: Музей ночью\n— Зачем музею ночные часы?\n— Днём люди работают, а вечером у них есть время.\n"


def test_an_article_in_russian_is_read_by_russian_voices_that_stay_distinct():
    script = parse_article(RUSSIAN)
    assert script.language == "ru"
    voices = cast_voices(script, load_profile())
    assert {voice.voice for voice in voices.values()} == {"zle/ru"}
    assert len({voice.settings.variant for voice in voices.values()}) == len(voices)


def test_a_language_no_piper_model_speaks_is_read_by_the_default_profiles_voices(caplog):
    pytest.importorskip("piper", reason="the piper extra is not installed")
    script = parse_article(RUSSIAN)
    voices = cast_voices(script, load_profile("natural"))  # its one model speaks English
    assert voices == cast_voices(script, load_profile("default"))
    assert "no piper voice speaks 'ru': Анна Петрова is read by the default profile's zle/ru" in caplog.text


def test_a_piper_voice_moves_to_the_languages_model_without_its_speaker():
    script = parse_article(RUSSIAN)
    english = Voice("en_US-pair-medium", "piper", PiperSettings(speaker="ann", semitones=3.0))
    profile = Profile("mine", Path("mine.toml"), dict.fromkeys(ROLES, english))
    languages = {"piper": {"en_US-pair-medium": "en-us", "ru_RU-irina-medium": "ru-ru"}}
    voices = cast(script, profile, languages, stand_ins=load_profile("default"))
    assert set(voices.values()) == {Voice("ru_RU-irina-medium", "piper", PiperSettings(semitones=3.0))}


def test_a_language_nobody_speaks_keeps_the_voice_and_says_so(caplog):
    script = parse_article(RUSSIAN)
    profile = load_profile("default")
    voices = cast(script, profile, {"pyttsx3": {"gmw/en-us": "en-us", "gmw/en-gb-x-rp": "en-gb"}}, stand_ins=profile)
    assert voices["Анна Петрова"] == profile.voice_for("interviewee")
    assert "no pyttsx3 voice speaks 'ru': Анна Петрова is read by gmw/en-us all the same" in caplog.text


def test_an_english_article_with_a_few_cyrillic_words_stays_english():
    script = parse_article(
        "A visit to Moscow\n- What does Кремль mean?\n- It means fortress, like the kremlin in Kazan.\n"
    )
    assert script.language == "en"
    assert all(voice.voice.startswith("gmw/en") for voice in cast_voices(script, load_profile()).values())
