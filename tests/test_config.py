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
        ("[pauses]\nsentence = -5\n", "sentence = -5 must be between 0 and 10000"),
        ("[pauses]\nsentence = 0.5\n", "sentence must be int"),
        ("[podcast]\nepisode_date = 'today'\n", "episode_date must be 'added' .* or 'article'"),
        ("[podcast]\nkeep_replaced_days = -1\n", "keep_replaced_days = -1 must be between 0 and 3650"),
        ("podcast = 3\n", r"\[podcast\] must be a table"),
    ],
)
def test_errors_name_the_file_and_the_problem(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as error:
        load_config(path)
    assert str(error.value).startswith(str(path))


def test_the_disclosure_may_be_set_by_language(tmp_path):
    config = load_config(
        write(tmp_path, '[podcast]\nlanguage = "de"\n[podcast.disclosure]\nde = "Gelesen von Robotern."\n')
    )
    assert config.podcast.disclosures() == {"de": "Gelesen von Robotern.", "*": "Gelesen von Robotern."}
    # One text is the podcast language's; left at the default, every language has its own table's.
    plain = load_config(write(tmp_path, '[podcast]\ndisclosure = "Read by robots."\n'))
    assert plain.podcast.disclosures() == {"en": "Read by robots.", "*": "Read by robots."}
    assert set(Config().podcast.disclosures()) == {"*"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[podcast.disclosure]\nGerman = "x"\n', r":2: \[podcast\] disclosure.German is not a language code"),
        ('[podcast.disclosure]\nde = ""\n', "disclosure.de must not be empty"),
        ("[podcast]\ndisclosure = 3\n", "must be a text, or a table of texts by language"),
    ],
)
def test_a_wrong_disclosure_is_one_line_with_its_line(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text))


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[podcast]\nbase_url = "https://x.org/\\n<script>"\n', "base_url 'https://x.org/\\n<script>' must not hold"),
        ('[podcast]\nlink = "javascript:alert(1)"\n', "link 'javascript:alert(1)' must be an absolute http(s) URL"),
        ('[podcast]\nbase_url = "http://example.org:99999999/"\n', "Port out of range"),
        ('[podcast]\nbase_url = "http://[::1"\n', "Invalid IPv6 URL"),
        ('[podcast]\nbase_url = "http://exa mple.org/"\n', "host name that is not valid"),
        ('[podcast]\nbase_url = "https://example.org/?page=2"\n', "without ?query"),
        ("[podcast]\nlocked = true\n", "email must be the owner's e-mail address when locked = true"),
        ('[podcast]\nemail = "nope"\n', "email 'nope' is not an e-mail address"),
        ('[podcast]\nlanguage = "klingonese"\n', "language 'klingonese' is not a language code such as 'en'"),
    ],
)
def test_addresses_and_the_lock_are_checked_naming_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text))
    assert message in error.value.problem and "\n" not in str(error.value)
    assert error.value.line == (1 if "locked" in text else 2)  # a missing email: its table's line


def test_addresses_as_people_write_them_become_valid_uris(tmp_path):
    text = '[podcast]\nbase_url = "https://Пример.рф/мой подкаст/"\nlink = "https://x.org/a b?c=d e"\n'
    config = load_config(write(tmp_path, text))
    assert config.podcast.url("feed.xml") == (
        "https://xn--e1afmkfd.xn--p1ai/%D0%BC%D0%BE%D0%B9%20%D0%BF%D0%BE%D0%B4%D0%BA%D0%B0%D1%81%D1%82/feed.xml"
    )
    assert config.podcast.link == "https://x.org/a%20b?c=d%20e"
    assert load_config(write(tmp_path, "[podcast]\nlocked = true\nemail = 'me@example.org'\n")).podcast.locked


@pytest.mark.parametrize(
    ("category", "hint"),
    [
        ("Food", "did you mean category = 'Arts' with subcategory = 'Food'?"),
        ("Technolgy", "did you mean 'Technology'?"),
        ("true crime", "did you mean 'True Crime'?"),
    ],
)
def test_a_wrong_category_suggests_the_nearest(tmp_path, category, hint):
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, f"[podcast]\ncategory = '{category}'\n"))
    assert error.value.problem == f"[podcast] category {category!r} is not an Apple Podcasts category ({hint})"


@pytest.mark.parametrize("rate", ["0.5", "2.0", "'fast'"])
def test_a_reading_rate_out_of_range_is_an_error(tmp_path, rate):
    config = tmp_path / "podcast.toml"
    config.write_text(f"[reading]\nrate = {rate}\n")
    with pytest.raises(ConfigError, match=r"podcast.toml:2: \[reading\] rate"):
        load_config(config)


def test_the_clip_cache_has_a_size_cap(tmp_path):
    assert Config().cache.max_mb == 500
    assert load_config(write(tmp_path, "[cache]\nmax_mb = 0\n")).cache.max_mb == 0
    with pytest.raises(ConfigError, match=r"podcast.toml:2: \[cache\] max_mb = -1 must be at least 0"):
        load_config(write(tmp_path, "[cache]\nmax_mb = -1\n"))
