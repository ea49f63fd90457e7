"""Shared fixtures: the real shared articles, a built episode, audio analysis."""

from __future__ import annotations

import hashlib
import signal
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_ARTICLES = REPO.parent / "shared" / "articles"
GALUZIN = SHARED_ARTICLES / "galuzin-moscow-baku-allies.txt"
EXAMPLE = REPO / "examples" / "lighthouse-keeper.txt"


@pytest.fixture(autouse=True)
def _a_working_folder_of_its_own(tmp_path_factory, monkeypatch):
    """Every test, and every command it runs, starts in an empty folder: no ./podcast.toml of the user's is read."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


def as_in_a_terminal() -> None:
    """For `subprocess.Popen(preexec_fn=...)`: Ctrl-C's default meaning, whatever this test run was started with.

    A job started in the background inherits SIGINT ignored, and Python then
    installs no KeyboardInterrupt handler: a command under test would not stop.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def shared_article(name: str) -> Path:
    """A path in ../shared/articles, skipping the test when that folder is absent."""
    path = SHARED_ARTICLES / name
    if not path.is_file():
        pytest.skip(f"{path} is not here (the shared articles live outside the repo)")
    return path


def tree_digest(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under `folder` (empty when it does not exist)."""
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
SHARED_REAL = REPO.parent / "shared" / "real-transcripts"
