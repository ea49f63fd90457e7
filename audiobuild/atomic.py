"""Crash-safe file replacement: write beside the target, then rename into place."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

TEMP_PREFIX = ".tmp-"
# Temporary files carry their writer's process id, so a later run can tell the
# leftovers of a killed build from the files of one still running.
_TEMP_NAME = re.compile(re.escape(TEMP_PREFIX) + r"(\d+)-")


@contextlib.contextmanager
def replacing(target: Path, mode: int = 0o644) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success give it `mode` and rename it over `target`.

    On any exception the temporary file is removed and `target` is untouched, so
    readers (a podcast app, `audiobuild serve`) only ever see whole files.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def stage(folder: Path, suffix: str, owner: int | None = None) -> Path:
    """A new empty temporary file in `folder`, named for the process `owner` (default: this one).

    A build's files are staged under such names and renamed into place when
    published (`place`); a build that fails deletes only these, never a
    published file. The owner's process id in the name lets a later run tell
    a killed build's leftovers from the files of one still running.
    """
    folder.mkdir(parents=True, exist_ok=True)
    # A worker's file names its build and itself: `.tmp-<build>-<worker>-...`.
    pids = f"{owner}-{os.getpid()}" if owner and owner != os.getpid() else str(os.getpid())
    fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{pids}-", suffix=suffix, dir=folder)
    os.close(fd)
    return Path(name)


def place(staged: Path, target: Path) -> None:
    """Move a staged file to `target`; FileExistsError, and nothing moved, when `target` exists.

    A published URL never changes bytes: `target` is linked, not replaced.
    """
    os.chmod(staged, 0o644)
    os.link(staged, target)
    staged.unlink()


def write_bytes(target: Path, data: bytes) -> None:
    """Atomically replace `target` with `data`."""
    with replacing(target) as temp:
        temp.write_bytes(data)


def write_durably(target: Path, data: bytes, mode: int = 0o644) -> None:
    """Atomically replace `target` with `data`, on the disk (fsync'd, with its folder) before this returns.

    For what is promised to someone once written: an item the inbox answered 202 for.
    """
    with replacing(target, mode) as temp:  # mkstemp's file is 0o600 until then: a secret is never readable by others
        with open(temp, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def write_if_changed(target: Path, data: bytes) -> None:
    """Atomically replace `target` with `data`, unless it holds exactly that already.

    An unchanged file keeps its modification time and ETag, so podcast apps and
    browsers polling with If-Modified-Since are told nothing changed.
    """
    if not target.is_file() or target.read_bytes() != data:
        write_bytes(target, data)


def discard(output: Path, paths: Iterable[Path]) -> None:
    """Delete `paths`, then every folder up to and including `output` that this left empty."""
    for path in paths:
        path.unlink(missing_ok=True)
        for folder in path.parents:
            if not folder.is_relative_to(output):
                break
            try:
                folder.rmdir()
            except OSError:  # not empty (or already gone): folders above it are not empty either
                break


def remove_temporaries(folder: Path, owner: int) -> None:
    """Delete the temporary files and folders under `folder` that process `owner` or its workers named."""
    for path in sorted(folder.rglob(f"{TEMP_PREFIX}{owner}-*"), reverse=True):  # files before their folders
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete temporary files and folders under `folder` whose writing process is gone (killed mid-write).

    Another process may be clearing the same leftovers at the same moment (two
    builds into one folder, two cluster workers on one machine): what it
    removed first is gone, which is all this wants.
    """
    removed = []
    try:
        paths = sorted(folder.rglob(f"{TEMP_PREFIX}*"))
    except FileNotFoundError:  # a folder on the way was removed meanwhile
        return removed
    for path in paths:
        match = _TEMP_NAME.match(path.name)
        if match and not _alive(int(match.group(1))) and not any(path.is_relative_to(gone) for gone in removed):
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """True for a process that has exited and not yet been reaped: it writes nothing more.

    A killed batch's workers stay so until init reaps them, which can take
    seconds; their half-written files are stale already. Without /proc (macOS)
    a process that answers is taken as alive.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]
