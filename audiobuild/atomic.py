"""Crash-safe file replacement: write beside the target, then rename into place."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

TEMP_PREFIX = ".tmp-"
# Temporary files carry their writer's process id, so a later run can tell the
# leftovers of a killed build from the files of one still running.
_TEMP_NAME = re.compile(re.escape(TEMP_PREFIX) + r"(\d+)-")


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success rename it over `target`.

    On any exception the temporary file is removed and `target` is untouched, so
    readers (a podcast app, `audiobuild serve`) only ever see whole files.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_bytes(target: Path, data: bytes) -> None:
    """Atomically replace `target` with `data`."""
    with replacing(target) as temp:
        temp.write_bytes(data)


def write_if_changed(target: Path, data: bytes) -> None:
    """Atomically replace `target` with `data`, unless it holds exactly that already.

    An unchanged file keeps its modification time and ETag, so podcast apps and
    browsers polling with If-Modified-Since are told nothing changed.
    """
    if not target.is_file() or target.read_bytes() != data:
        write_bytes(target, data)


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete temporary files and folders under `folder` whose writing process is gone (killed mid-write)."""
    removed = []
    for path in sorted(folder.rglob(f"{TEMP_PREFIX}*")):
        match = _TEMP_NAME.match(path.name)
        if match and not _alive(int(match.group(1))) and not any(path.is_relative_to(gone) for gone in removed):
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
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
