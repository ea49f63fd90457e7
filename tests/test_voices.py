"""Stage 2, voices: profiles load, validate, and are checked against the real engine."""

from __future__ import annotations

import pytest

from audiobuild.errors import ConfigError
from audiobuild.parse import ROLES
from audiobuild.synthesize import check_profile
from audiobuild.voices import Voice, load_profile

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
    assert profile.voice_for("interviewee") == Voice(voice="gmw/en-us", variant="m3", rate=150)
    check_profile(profile)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda text: text.replace('voice = "gmw/en-us"\nvariant = "f3"', 'voice = "xx/nonexistent"'), "not one of espeak's voices"),
        (lambda text: text.replace('variant = "f3"', 'variant = "zz9"'), "not one of espeak's variants"),
        (lambda text: text.replace("[narrator]", '[narrator]\nengine = "piper"'), "engine 'piper' is not available"),
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
        (lambda text: text.replace("rate = 150", "rate = 'fast'"), "wrong type"),
        (lambda text: text.replace("rate = 150", "rate = 5000"), "outside 80-450"),
        (lambda text: text.replace("rate = 150", "speed = 1"), "unknown key 'speed'"),
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
