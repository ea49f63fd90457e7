"""A rebuild with nothing to do (`run.unchanged`): decided before the build loads; never when there is work.

Each test builds a short article with espeak through the command line, in a
process of its own, then changes one input and builds again. The command is
run through a probe that reports which of the heavy modules it loaded, so a
test knows whether the build took the short way (nothing loaded) or planned
the article; what the folder holds afterwards says whether it was right to.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from audiobuild.publish.catalogue import load_catalogue
from audiobuild.publish.state import STATE_DIR
from audiobuild.run.unchanged import RECORDS_DIR
from tests.conftest import REPO, tree_digest

pytestmark = pytest.mark.slow  # each test builds an article, twice or more

STORY = "The harbour story\n\n- What happened?\n\n- {answer}\n"
# What a rebuild with nothing to do must not load: the build, the parser, the engines and the audio stack.
HEAVY = ["audiobuild.run.batch", "audiobuild.parse", "audiobuild.voice.engines.espeak", "numpy", "pydub"]
# The command line, then the heavy modules it loaded as the last line of stderr.
_PROBE = (
    "import json, sys\n"
    "from audiobuild.cli import main\n"
    "code = main(sys.argv[1:])\n"
    f"print(json.dumps(sorted({set(HEAVY)!r} & set(sys.modules))), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def build(folder: Path, *extra: str) -> tuple[list[str], set[str]]:
    """`audiobuild build` of the folder's article into its output: (stdout's lines, the heavy modules it loaded)."""
    command = [sys.executable, "-c", _PROBE, "build", str(folder / "story.txt"), "-o", str(folder / "output"),
               "--config", str(folder / "podcast.toml"), *extra]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=folder, env=_environment(), timeout=300)
    assert done.returncode == 0, done.stderr
    *problems, loaded = done.stderr.splitlines()
    assert problems == []
    return done.stdout.splitlines(), set(json.loads(loaded))


def _environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's audiobuild, wherever the test runs from


@pytest.fixture
def folder(tmp_path) -> Path:
    """A podcast read with espeak, its article built once (so that a second build has nothing to do)."""
    (tmp_path / "podcast.toml").write_text('[podcast]\nvoices = "espeak"\n')
    (tmp_path / "story.txt").write_text(STORY.format(answer="The boats came home."))
    lines, loaded = build(tmp_path)
    assert lines[0].startswith("built episodes/the-harbour-story.mp3") and "audiobuild.run.batch" in loaded
    return tmp_path


def test_an_unchanged_rebuild_loads_nothing_heavy_and_writes_nothing(folder):
    before = tree_digest(folder / "output")
    lines, loaded = build(folder)
    assert lines == [f"unchanged: episodes/the-harbour-story.mp3 ({folder / 'story.txt'})"]
    assert loaded == set()
    assert tree_digest(folder / "output") == before


def test_a_changed_article_is_built_again_and_its_next_rebuild_is_short(folder):
    (folder / "story.txt").write_text(STORY.format(answer="The boats came home late."))
    lines, _ = build(folder)
    assert lines[0].startswith("built episodes/the-harbour-story--2.mp3")
    lines, loaded = build(folder)
    assert lines == [f"unchanged: episodes/the-harbour-story--2.mp3 ({folder / 'story.txt'})"] and not loaded


def test_an_article_written_again_with_the_same_bytes_takes_the_short_way(folder):
    """Only bytes count: the same bytes written again are unchanged, whatever the file's time."""
    (folder / "story.txt").write_bytes((folder / "story.txt").read_bytes())
    lines, loaded = build(folder)
    assert lines == [f"unchanged: episodes/the-harbour-story.mp3 ({folder / 'story.txt'})"] and not loaded


@pytest.mark.parametrize(
    "setting", ['[reading]\nrate = 1.2\n', '[pauses]\nparagraph = 900\n', '[lexicon]\n"harbour" = "harbor"\n']
)
def test_a_setting_that_changes_the_audio_builds_it_again(folder, setting):
    with (folder / "podcast.toml").open("a") as config:
        config.write(setting)
    lines, _ = build(folder)
    assert lines[0].startswith("built episodes/the-harbour-story--2.mp3"), lines


def test_a_channel_setting_is_planned_and_written_to_the_feed_without_a_new_episode(folder):
    with (folder / "podcast.toml").open("a") as config:
        config.write('title = "The Harbour Hour"\n')
    lines, loaded = build(folder)
    assert lines[0] == f"unchanged: episodes/the-harbour-story.mp3 ({folder / 'story.txt'})"
    assert "audiobuild.run.batch" in loaded  # planned: the feed takes the new title
    assert "<title>The Harbour Hour</title>" in (folder / "output" / "feed.xml").read_text()


def test_a_changed_voice_profile_builds_again(folder):
    profile = folder / "mine.toml"
    profile.write_text((REPO / "voices" / "espeak.toml").read_text())
    (folder / "podcast.toml").write_text(f'[podcast]\nvoices = "{profile}"\n')
    lines, _ = build(folder)
    assert lines[0].startswith("unchanged:")  # the same voices, read from a file of the user's
    assert build(folder)[0][0].startswith("unchanged:")
    text = profile.read_text()
    profile.write_text(text.replace('variant = "f3"\nrate = 170', 'variant = "f3"\nrate = 190', 1))
    assert profile.read_text() != text  # the interviewer speaks faster
    lines, _ = build(folder)
    assert lines[0].startswith("built episodes/the-harbour-story--2.mp3"), lines


@pytest.mark.parametrize("damage", ["deleted", "cut short", "transcript deleted"])
def test_a_damaged_episode_is_built_again(folder, damage):
    output = folder / "output"
    (entry,) = load_catalogue(output).entries
    if damage == "deleted":
        (output / entry.file).unlink()
    elif damage == "cut short":
        (output / entry.file).write_bytes((output / entry.file).read_bytes()[:-100])
    else:
        (output / entry.transcript_file("vtt")).unlink()
    lines, _ = build(folder)
    assert lines[0].startswith("built episodes/the-harbour-story--2.mp3"), lines


def test_a_removed_episode_is_published_again(folder):
    output = folder / "output"
    removed = subprocess.run([sys.executable, "-m", "audiobuild", "remove", "the-harbour-story", "-o", str(output)],
                             capture_output=True, text=True, env=_environment())  # fmt: skip
    assert removed.returncode == 0, removed.stderr
    lines, _ = build(folder)
    assert lines[0].startswith("built episodes/the-harbour-story--2.mp3")
    assert [entry.stem for entry in load_catalogue(output).entries] == ["the-harbour-story--2"]


def test_a_damaged_record_costs_a_plan_and_no_error(folder):
    (record,) = (folder / "output" / STATE_DIR / RECORDS_DIR).iterdir()
    record.write_text("{not json")
    lines, loaded = build(folder)
    assert lines[0] == f"unchanged: episodes/the-harbour-story.mp3 ({folder / 'story.txt'})" and loaded
    assert json.loads(record.read_text())["slug"] == "the-harbour-story"  # recorded again

