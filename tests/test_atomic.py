"""Crash-safe writes: whole files or nothing, and no leftovers after a killed writer."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audiobuild.atomic import TEMP_PREFIX, remove_stale_temporaries, replacing, write_bytes


def test_write_replaces_the_whole_file(tmp_path):
    target = tmp_path / "sub" / "feed.xml"
    write_bytes(target, b"old")
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert [path.name for path in target.parent.iterdir()] == ["feed.xml"]


def test_a_failed_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "feed.xml"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), replacing(target) as temp:
        temp.write_bytes(b"half")
        raise RuntimeError("killed")
    assert target.read_bytes() == b"old"
    assert [path.name for path in tmp_path.iterdir()] == ["feed.xml"]


def test_only_the_leftovers_of_dead_writers_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / "episodes" / f"{TEMP_PREFIX}{dead.stdout.strip()}-abc.mp3"
    live = tmp_path / f"{TEMP_PREFIX}{os.getpid()}-def.xml"
    stale.parent.mkdir()
    stale.write_bytes(b"x")
    live.write_bytes(b"y")
    assert remove_stale_temporaries(tmp_path) == [stale]
    assert live.exists() and not stale.exists()


def test_leftovers_another_process_clears_first_are_no_error(tmp_path, monkeypatch):
    # Two cluster workers on one machine (or two builds into one folder) clear the same leftovers at once.
    import audiobuild.atomic as atomic

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f"{TEMP_PREFIX}{dead.stdout.strip()}-render"
    (stale / "episodes").mkdir(parents=True)
    (stale / "episodes" / "half.mp3").write_bytes(b"x")
    rmtree = atomic.shutil.rmtree

    def the_other_was_first(path, *args, **kwargs):
        rmtree(path)
        rmtree(path, *args, **kwargs)

    monkeypatch.setattr(atomic.shutil, "rmtree", the_other_was_first)
    assert remove_stale_temporaries(tmp_path) == [stale] and not stale.exists()


def test_the_leftovers_of_a_process_that_exited_but_was_not_reaped_are_stale(tmp_path):
    # A killed batch's workers stay zombies until init reaps them; they write nothing more.
    child = subprocess.Popen(["true"])
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child.pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z":
        assert time.monotonic() < deadline, "the child never exited"
        time.sleep(0.01)
    leftover = tmp_path / f"{TEMP_PREFIX}{child.pid}-abc.mp3"
    leftover.write_bytes(b"half")
    try:
        assert remove_stale_temporaries(tmp_path) == [leftover]
    finally:
        child.wait()
