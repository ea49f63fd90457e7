"""The output folder's catalogue: every episode built into it so far.

`catalogue.json` is the source of truth the feed is generated from, so an episode
keeps its guid and publication date across rebuilds and building a second article
adds to the feed instead of replacing it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from audiobuild import atomic
from audiobuild.errors import AudiobuildError
from audiobuild.model import Chapter, Entry, Person

CATALOGUE_FILE = "catalogue.json"
SCHEMA_VERSION = 3
# Namespace for episode guids: uuid5(namespace, slug) is stable without any state.
_GUID_NAMESPACE = uuid.UUID("4f0e7d3a-8c1b-5a52-9a47-6a1d2b7e8c90")


@dataclass
class Catalogue:
    """The episodes of one output folder, newest first."""

    folder: Path
    entries: list[Entry]
    # The channel's podcast:guid, fixed when the feed is first written: the
    # Podcasting 2.0 spec wants it kept when the feed moves (to a new address, say).
    podcast_guid: str | None = None
    # The last revision of each removed episode: built again, it continues from
    # there, so no URL an app may have cached comes back with other bytes.
    retired: dict[str, int] = dataclasses.field(default_factory=dict)

    def next_revision(self, slug: str) -> int:
        """The revision number the next build of `slug` gets."""
        current = self.get(slug)
        return max(current.revision if current else 0, self.retired.get(slug, 0)) + 1

    def get(self, slug: str) -> Entry | None:
        """The entry with `slug`, if built before."""
        return next((entry for entry in self.entries if entry.slug == slug), None)

    def remove(self, slug: str) -> Entry | None:
        """Drop the entry with `slug` from the catalogue; return it."""
        entry = self.get(slug)
        self.entries = [old for old in self.entries if old.slug != slug]
        if entry is not None:
            self.retired[slug] = max(entry.revision, self.retired.get(slug, 0))
        return entry

    def upsert(self, entry: Entry) -> None:
        """Add `entry` or replace the entry with its slug; keep newest first."""
        self.entries = [old for old in self.entries if old.slug != entry.slug] + [entry]
        self.entries.sort(key=lambda item: item.published, reverse=True)

    def save(self) -> None:
        """Atomically write catalogue.json."""
        data = {
            "version": SCHEMA_VERSION,
            "podcast_guid": self.podcast_guid,
            "retired": self.retired,
            "episodes": [_to_json(entry) for entry in self.entries],
        }
        atomic.write_bytes(self.folder / CATALOGUE_FILE, json.dumps(data, indent=2, ensure_ascii=False).encode())


def source_id(source: Path | str) -> str:
    """Identifies an article file (or URL) without revealing where it lives."""
    key = str(source.resolve()) if isinstance(source, Path) else source
    return hashlib.sha256(key.encode()).hexdigest()[:16]


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
        if data.get("version") != SCHEMA_VERSION:
            raise ValueError(f"version {data.get('version')!r}, expected {SCHEMA_VERSION}")
        entries = [_from_json(item) for item in data["episodes"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AudiobuildError(path, f"catalogue is unreadable ({error}); move it away to start a new one") from None
    entries.sort(key=lambda item: item.published, reverse=True)
    return Catalogue(folder, entries, data.get("podcast_guid"), data.get("retired", {}))


def _to_json(entry: Entry) -> dict:
    data = dataclasses.asdict(entry)
    data["published"] = entry.published.isoformat()
    return data


def _from_json(data: dict) -> Entry:
    return Entry(
        **{
            **data,
            "published": datetime.fromisoformat(data["published"]),
            "people": tuple(Person(**person) for person in data["people"]),
            "chapters": tuple(Chapter(**chapter) for chapter in data["chapters"]),
        }
    )
