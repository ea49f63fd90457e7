"""The command line as a user runs it: exit codes, one-line errors, output untouched."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, REPO, tree_digest


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "audiobuild", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def existing_output(tmp_path):
    """An output folder with content, to prove failed runs leave it byte-for-byte alone."""
    output = tmp_path / "output"
    (output / "episodes").mkdir(parents=True)
    (output / "feed.xml").write_text("<rss/>")
    (output / "episodes" / "old.mp3").write_bytes(b"ID3 old")
    return output


@pytest.mark.parametrize("args", [[], ["build"], ["build", "--nope", "x.txt"], ["publish"], ["build", "-q", "-v", "x"]])
def test_usage_errors_exit_2(args):
    result = run(*args)
    assert result.returncode == 2
    assert "usage:" in result.stderr and "Traceback" not in result.stderr


def one_error_line(result: subprocess.CompletedProcess) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_missing_article(tmp_path, existing_output):
    before = tree_digest(existing_output)
    result = run("build", str(tmp_path / "missing.txt"), "-o", str(existing_output))
    assert result.returncode == 1
    assert one_error_line(result) == f"audiobuild: error: {tmp_path / 'missing.txt'}: no such file"
    assert tree_digest(existing_output) == before


def test_article_with_only_furniture(tmp_path, existing_output):
    article = tmp_path / "furniture.txt"
    article.write_text("2790 views\nShare:\nPrint:\n")
    before = tree_digest(existing_output)
    result = run("build", str(article), "-o", str(existing_output))
    assert result.returncode == 1
    assert "furniture.txt: has no article text to speak" in one_error_line(result)
    assert tree_digest(existing_output) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[podcast]\ncategory = 'Gardening'\n", "podcast.toml:2: [podcast] category 'Gardening'"),
        ('[lexicon]\n"Ada" = 3\n', "podcast.toml:2: [lexicon] 'Ada' must be a respelling"),
        ('[lexicon]\n"Ada" = { espeak = "A:d@" }\n', "podcast.toml:2: [lexicon] 'Ada': unknown key 'espeak'"),
    ],
)
def test_bad_config_stops_before_any_output(tmp_path, existing_output, text, message):
    config = tmp_path / "podcast.toml"
    config.write_text(text)
    before = tree_digest(existing_output)
    result = run("build", str(EXAMPLE), "-o", str(existing_output), "--config", str(config))
    assert result.returncode == 1
    assert message in one_error_line(result)
    assert tree_digest(existing_output) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda text: text.replace('variant = "f3"', 'variant = "nonexistent"'),
            "bad.toml: [interviewer] variant 'nonexistent'",
        ),
        (
            lambda text: text.replace(
                'voice = "gmw/en-us"\nvariant = "f3"\nrate = 170\npitch = 55',
                'engine = "piper"\nvoice = "en_US-nobody"',
            ),
            "bad.toml: [interviewer] voice 'en_US-nobody' is not a Piper model",
        ),
        (
            lambda text: text.replace('variant = "f3"', 'variant = "f3"\nsemitones = 4.0'),
            "bad.toml:21: [interviewer] semitones is not a pyttsx3 setting",
        ),
    ],
)
def test_unknown_voice_stops_before_any_output(tmp_path, existing_output, change, message):
    profile = tmp_path / "bad.toml"
    profile.write_text(change((REPO / "voices" / "espeak.toml").read_text()))
    before = tree_digest(existing_output)
    result = run("build", str(EXAMPLE), "-o", str(existing_output), "--voices", str(profile))
    assert result.returncode == 1
    assert message in one_error_line(result)
    assert tree_digest(existing_output) == before


def test_verbose_adds_the_traceback(tmp_path):
    result = run("build", str(tmp_path / "missing.txt"), "-o", str(tmp_path / "out"), "-v")
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "no such file" in result.stderr


def test_voices_lists_the_profile_roles_and_engine_voices():
    result = run("voices")
    assert result.returncode == 0, result.stderr
    assert "Profile natural" in result.stdout
    assert "interviewer  heart (hibari, speed 1, seed 0, volume 1), female" in result.stdout
    assert "interviewee  en_US-joe-medium (piper, speed 1, volume 1), male" in result.stdout
    assert "zle/ru" in result.stdout and "<-" not in result.stdout
    espeak = run("voices", "--voices", "espeak")
    assert "interviewer  gmw/en-us+f3" in espeak.stdout and "interviewee  gmw/en-us+m3" in espeak.stdout


BEES = "Bees\n\nANN: Welcome. Why bees?\n\nBEN: They hum all day.\n\nANN: And?\n\nBEN: They make honey.\n"


def test_script_reads_as_the_options_say(tmp_path):
    article = tmp_path / "bees.txt"
    article.write_text(BEES, encoding="utf-8")
    guessed = run("script", str(article))
    assert guessed.returncode == 0, guessed.stderr
    assert re.search(r"^Layout:   labels \(score [\d.]+; runner-up: plain, 1\)$", guessed.stdout, re.MULTILINE)
    plain = json.loads(run("script", str(article), "--layout", "plain", "--format", "json").stdout)
    assert plain["layout"]["name"] == "plain" and {s["role"] for s in plain["segments"]} == {"narrator"}
    swapped = json.loads(run("script", str(article), "--interviewer", "Ben", "--format", "json").stdout)
    assert [(s["name"], s["role"]) for s in swapped["speakers"]] == [
        ("Narrator", "narrator"), ("Ann", "interviewee"), ("Ben", "interviewer"),
    ]  # fmt: skip


@pytest.mark.slow
def test_build_reads_as_the_options_say(tmp_path):
    article = tmp_path / "bees.txt"
    article.write_text(BEES, encoding="utf-8")
    output = tmp_path / "output"
    result = run("build", str(article), "-o", str(output), "--layout", "qa", "--interviewer", "Ben")
    assert result.returncode == 0, result.stderr  # no Q/A markers: the guess stands, with a warning
    transcript = json.loads(next((output / "transcripts").glob("*.json")).read_text(encoding="utf-8"))
    assert {segment["speaker"] for segment in transcript["segments"]} >= {"Ann", "Ben"}
    result = run("build", str(article), "-o", str(output), "--layout", "plain")
    newest = max((output / "transcripts").glob("*.json"), key=lambda path: path.stat().st_mtime_ns)  # the old stays
    transcript = json.loads(newest.read_text(encoding="utf-8"))
    assert {segment["speaker"] for segment in transcript["segments"]} == {"Narrator"}


def published(output: Path) -> dict[str, str]:
    """What the feed, the catalogue and the published files are: all but the clip cache and the drafts."""
    return {name: digest for name, digest in tree_digest(output).items() if not name.startswith((".cache", ".drafts"))}


@pytest.mark.slow
def test_a_draft_with_other_voices_never_touches_the_published_episode(tmp_path):
    (tmp_path / "podcast.toml").write_text('[podcast]\nvoices = "espeak"\n')
    (tmp_path / "mine.toml").write_text((REPO / "voices" / "espeak.toml").read_text())  # another profile
    article, output = tmp_path / "bees.txt", tmp_path / "output"
    article.write_text(BEES, encoding="utf-8")
    assert run("build", str(article), "-o", str(output), cwd=tmp_path).returncode == 0
    before = published(output)
    article.write_text(BEES.replace("honey", "wax"), encoding="utf-8")
    for options in (["--voices", "mine.toml"], ["--draft"]):  # other voices: a draft unless --publish says
        result = run("build", str(article), "-o", str(output), *options, cwd=tmp_path)
        assert result.returncode == 0 and result.stderr == "", result.stderr
        draft = output / ".drafts" / "bees.mp3"
        assert result.stdout.startswith(f"draft: {draft} (0:") and "not in the feed" in result.stdout
        assert ("--publish to publish" in result.stdout) == ("--voices" in options)
        assert draft.read_bytes()[:3] == b"ID3" and published(output) == before
    result = run("build", str(article), "-o", str(output), "--voices", "mine.toml", "--publish", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("built episodes/bees--2.mp3")
    assert run("build", "x.txt", "--draft", "--publish").returncode == 2  # one or the other


def test_make_demo_builds_and_serves_a_folder_of_its_own_not_the_users_output():
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    # What `make demo` would run, without running it: its build and its serve.
    planned = subprocess.run(["make", "-n", "-C", str(REPO), "demo", f"VENV={Path(sys.prefix)}"],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
    commands = [line for line in planned.splitlines() if re.search(r"audiobuild (build|serve) ", line)]
    assert len(commands) == 2
    for command in commands:
        assert re.search(r"--output (\S+)", command).group(1) == "demo-output"  # not output/, the user's
        assert "--config examples/podcast.toml" in command


@pytest.mark.parametrize("command", ["script", "build"])
def test_an_unknown_layout_is_a_usage_error(tmp_path, command):
    result = run(command, str(tmp_path / "x.txt"), "--layout", "sideways")
    assert result.returncode == 2 and "invalid choice: 'sideways'" in result.stderr


def test_default_config_is_read_from_the_working_directory(tmp_path):
    (tmp_path / "podcast.toml").write_text("[podcast]\nexplicit = 'yes'\n")
    result = run("voices", cwd=tmp_path)
    assert result.returncode == 1
    assert one_error_line(result) == "audiobuild: error: podcast.toml:2: [podcast] explicit must be bool, not 'yes'"


def test_voices_sample_writes_a_short_wav_of_each_voice_to_hear_before_building(tmp_path):
    result = run("voices", "--sample", "-o", str(tmp_path / "samples"))
    assert result.returncode == 0, result.stderr
    written = [Path(line) for line in result.stdout.splitlines()]
    assert [path.name for path in written[:3]] == [
        "natural-narrator.wav",
        "natural-interviewer.wav",
        "natural-interviewee.wav",
    ]
    assert len(written) == 7  # and the four extra voices
    for path in written:
        with wave.open(str(path)) as audio:
            assert audio.getframerate() == 22050 and 2 < audio.getnframes() / audio.getframerate() < 10
    one = run("voices", "--voices", "espeak", "--sample", "interviewer", "-o", str(tmp_path / "one"))
    assert one.stdout == f"{tmp_path / 'one' / 'espeak-interviewer.wav'}\n"
    wrong = run("voices", "--sample", "host", "-o", str(tmp_path / "none"))
    assert wrong.returncode == 1 and "natural.toml: no voice 'host' to sample (voices: narrator," in one_error_line(
        wrong
    )
    assert not (tmp_path / "none").exists()


def test_list_lines_up_its_columns_and_an_unknown_option_shows_lists_usage(tmp_path):
    from audiobuild.publish.catalogue import load_catalogue
    from tests.test_catalogue import entry

    output = tmp_path / "output"
    output.mkdir()
    catalogue = load_catalogue(output, create=True)
    with catalogue.transaction():
        catalogue.upsert(entry("a-long-slug-for-a-long-title", 0, duration=7265.0, title="Long"))
        catalogue.upsert(entry("short", 1, duration=59.0, title="東京の港 🎙️ café"))
        catalogue.upsert(entry("mid-size", 2, duration=600.0, revision=2))
    listed = run("list", "-o", str(output))
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "mid-size                      2026-11-03   10:00  episodes/mid-size--2.mp3                   Mid-Size",
        "short                         2026-11-02    0:59  episodes/short.mp3                         東京の港 🎙️ café",
        "a-long-slug-for-a-long-title  2026-11-01  121:05  episodes/a-long-slug-for-a-long-title.mp3  Long",
    ]
    wrong = run("list", "--jsn", "-o", str(output))
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    assert wrong.stderr.startswith("usage: audiobuild list ") and "[--json]" in wrong.stderr
    assert wrong.stderr.strip().endswith("audiobuild list: error: unrecognized arguments: --jsn")


def test_voices_sample_goes_to_a_temporary_folder_it_prints_not_the_working_folder(tmp_path):
    work, temporary = tmp_path / "repository", tmp_path / "tmp"
    work.mkdir(), temporary.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "audiobuild", "voices", "--voices", "espeak", "--sample", "narrator"],
        cwd=work, env={**os.environ, "TMPDIR": str(temporary), "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert list(work.iterdir()) == []
    (sample,) = [Path(line) for line in result.stdout.splitlines()]
    assert sample.is_absolute() and sample.name == "espeak-narrator.wav"
    assert sample.parent.parent == temporary and sample.parent.name.startswith("audiobuild-voice-samples-")
    with wave.open(str(sample)) as audio:
        assert audio.getnframes() > 0


def test_title_names_the_episode_of_one_article_and_is_refused_for_several(tmp_path, existing_output):
    article = tmp_path / "bees.txt"
    article.write_text(BEES, encoding="utf-8")
    shown = run("script", str(article), "--voices", "espeak", "--format", "json", "--title", " Why  bees hum ")
    assert shown.returncode == 0, shown.stderr
    script = json.loads(shown.stdout)
    assert script["title"] == "Why bees hum"
    assert [(s["kind"], s["text"]) for s in script["segments"][:1]] == [("title", "Why bees hum")]
    assert "Bees" not in [s["text"] for s in script["segments"]]  # the article's headline is not read either
    before = tree_digest(existing_output)
    several = run("build", str(article), str(EXAMPLE), "--title", "One", "-o", str(existing_output))
    assert several.returncode == 2
    assert one_error_line(several) == "audiobuild: error: --title names one episode; build the 2 articles one at a time"
    assert tree_digest(existing_output) == before
    empty = run("script", str(article), "--title", "  ")
    assert empty.returncode == 2 and "argument --title: must be a title on one line" in empty.stderr
