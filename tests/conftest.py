"""Shared fixtures: the real shared articles, a built episode, audio analysis."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_ARTICLES = REPO.parent / "shared" / "articles"
GALUZIN = SHARED_ARTICLES / "galuzin-moscow-baku-allies.txt"
EXAMPLE = REPO / "examples" / "lighthouse-keeper.txt"


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
