"""The output folder's catalogue: every episode built into it so far.

`catalogue.json` is the source of truth the feed is generated from, so an episode
keeps its guid and publication date across rebuilds and building a second article
adds to the feed instead of replacing it.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from audiobuild import atomic
from audiobuild.errors import AudiobuildError

CATALOGUE_FILE = "catalogue.json"
SCHEMA_VERSION = 1
# Namespace for episode guids: uuid5(namespace, slug) is stable without any state.
_GUID_NAMESPACE = uuid.UUID("4f0e7d3a-8c1b-5a52-9a47-6a1d2b7e8c90")


@dataclass(frozen=True)
class Entry:
    """One published episode."""

    slug: str
    guid: str
    title: str
    description: str
    author: str
    published: datetime
    file: str  # relative to the output folder
    length: int  # bytes
    duration: float  # seconds
    source: str


@dataclass
class Catalogue:
    """The episodes of one output folder, newest first."""

    folder: Path
    entries: list[Entry]

    def get(self, slug: str) -> Entry | None:
        """The entry with `slug`, if built before."""
        return next((entry for entry in self.entries if entry.slug == slug), None)

    def upsert(self, entry: Entry) -> None:
        """Add `entry` or replace the entry with its slug; keep newest first."""
        self.entries = [old for old in self.entries if old.slug != entry.slug] + [entry]
        self.entries.sort(key=lambda item: item.published, reverse=True)

    def save(self) -> None:
        """Atomically write catalogue.json."""
        data = {"version": SCHEMA_VERSION, "episodes": [_to_json(entry) for entry in self.entries]}
        atomic.write_bytes(self.folder / CATALOGUE_FILE, json.dumps(data, indent=2, ensure_ascii=False).encode())


def episode_guid(slug: str) -> str:
    """The guid an episode with `slug` gets when first built."""
    return str(uuid.uuid5(_GUID_NAMESPACE, slug))


def load_catalogue(folder: Path) -> Catalogue:
    """Read the catalogue of `folder`; a folder never built into has an empty one."""
    path = folder / CATALOGUE_FILE
    if not path.exists():
        return Catalogue(folder, [])
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = [_from_json(item) for item in data["episodes"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AudiobuildError(path, f"catalogue is unreadable ({error}); move it away to start a new one") from None
    return Catalogue(folder, sorted(entries, key=lambda item: item.published, reverse=True))


def _to_json(entry: Entry) -> dict:
    data = dataclasses.asdict(entry)
    data["published"] = entry.published.isoformat()
    return data


def _from_json(data: dict) -> Entry:
    return Entry(**{**data, "published": datetime.fromisoformat(data["published"])})
