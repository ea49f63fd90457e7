"""podcast.toml: defaults, and one clear error per kind of mistake."""

from __future__ import annotations

import pytest

from audiobuild.config import APPLE_CATEGORIES, Config, load_config
from audiobuild.errors import ConfigError


def write(tmp_path, text):
    path = tmp_path / "podcast.toml"
    path.write_text(text)
    return path


def test_no_file_gives_defaults():
    config = load_config(None)
    assert config == Config()
    assert config.podcast.category in APPLE_CATEGORIES
    assert "synthetic" in config.podcast.description and "synthetic" in config.podcast.disclosure


def test_values_override_defaults(tmp_path):
    config = load_config(
        write(
            tmp_path,
            """
[podcast]
title = "Harbour voices"
category = "Society & Culture"
subcategory = "Documentary"
explicit = true
base_url = "https://example.org/pod/"
[audio]
bitrate_kbps = 96
[pauses]
speaker_change = 1000
""",
        )
    )
    assert config.podcast.title == "Harbour voices" and config.podcast.explicit is True
    assert config.podcast.url("feed.xml") == "https://example.org/pod/feed.xml"
    assert config.audio.bitrate_kbps == 96 and config.audio.sample_rate == 44100
    assert config.pauses.speaker_change == 1000 and config.pauses.sentence == 250


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[podcast]\ntitle = \n", r"invalid TOML: .*line 2"),
        ("[podcast]\ntitel = 'x'\n", "unknown key 'titel'"),
        ("[podcats]\n", "unknown table"),
        ("[podcast]\nexplicit = 'no'\n", "explicit must be bool"),
        ("[podcast]\ncategory = 'Gardening'\n", "not an Apple Podcasts category"),
        ("[podcast]\ncategory = 'News'\nsubcategory = 'Gardening'\n", "subcategory 'Gardening' is not in News"),
        ("[podcast]\nbase_url = 'localhost:8000'\n", "must be an absolute http"),
        ("[podcast]\ntitle = '  '\n", "title must not be empty"),
        ("[audio]\nbitrate_kbps = 65\n", "not an MP3 bitrate"),
        ("[audio]\nsample_rate = 8000\n", "sample_rate"),
        ("[pauses]\nsentence = -5\n", "sentence = -5 must be at least 0"),
        ("[pauses]\nsentence = 0.5\n", "sentence must be int"),
        ("podcast = 3\n", r"\[podcast\] must be a table"),
    ],
)
def test_errors_name_the_file_and_the_problem(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as error:
        load_config(path)
    assert str(error.value).startswith(str(path))


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize("rate", ["0.5", "2.0", "'fast'"])
def test_a_reading_rate_out_of_range_is_an_error(tmp_path, rate):
    config = tmp_path / "podcast.toml"
    config.write_text(f"[reading]\nrate = {rate}\n")
    with pytest.raises(ConfigError, match=r"podcast.toml:2: \[reading\] rate"):
        load_config(config)
