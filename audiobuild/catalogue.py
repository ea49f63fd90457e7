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
from audiobuild.schema import check, yaml_line

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


def intact(output: Path, entry: Entry) -> bool:
    """True when every file of `entry` is there and the MP3 has its recorded size."""
    mp3 = output / entry.file
    return all((output / name).is_file() for name in entry.files) and mp3.stat().st_size == entry.length


def listing(catalogue: Catalogue, as_json: bool = False) -> str:
    """`audiobuild list`: slug, date, duration, file and title of every episode, newest first (or as JSON)."""
    rows = [
        {"slug": entry.slug, "title": entry.title, "date": entry.published.isoformat(),
         "duration": round(entry.duration, 3), "file": entry.file, "guid": entry.guid}
        for entry in catalogue.entries
    ]  # fmt: skip
    if as_json:
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    lines = []
    for entry in catalogue.entries:
        minutes, seconds = divmod(round(entry.duration), 60)
        lines.append(f"{entry.slug}  {entry.published:%Y-%m-%d}  {minutes}:{seconds:02d}  {entry.file}  {entry.title}")
    return "\n".join(lines) + "\n" if lines else f"no episodes in {catalogue.folder}\n"


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
    unreadable = "catalogue is unreadable ({}); move it away to start a new one"
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, ValueError) as error:
        raise AudiobuildError(path, unreadable.format(getattr(error, "strerror", None) or error)) from None
    try:
        check(data, _SCHEMA, path, text, error=AudiobuildError, describe=_key, locate=yaml_line, json_terms=True)
        entries = [_from_json(item) for item in data["episodes"]]
    except (ValueError, AudiobuildError) as error:
        problem, line = getattr(error, "problem", error), getattr(error, "line", None)
        raise AudiobuildError(path, unreadable.format(problem), line=line) from None
    entries.sort(key=lambda item: item.published, reverse=True)
    return Catalogue(folder, entries, data.get("podcast_guid"), data.get("retired", {}))


_TEXT = {"type": "string"}
_COUNT = {"type": "integer", "minimum": 0}
_SCHEMA = {
    "type": "object",
    "required": ["version", "episodes"],
    "properties": {
        "version": {"const": SCHEMA_VERSION,
                    "x-messages": {"const": f"{{value!r}} is not the version audiobuild reads ({SCHEMA_VERSION})"}},
        "podcast_guid": {"type": ["string", "null"]},
        "retired": {"type": "object", "additionalProperties": _COUNT},
        "episodes": {"type": "array", "items": {
            "type": "object",
            "required": ["slug", "guid", "title", "description", "author", "published", "revision", "fingerprint",
                         "length", "duration", "source", "source_id", "people", "chapters"],
            "properties": {
                **dict.fromkeys(("slug", "guid", "title", "description", "author", "fingerprint", "source",
                                 "source_id", "link"), _TEXT),
                "published": {"type": "string", "format": "date-time"},
                "revision": {"type": "integer", "minimum": 1},
                "length": _COUNT,
                "duration": {"type": "number", "minimum": 0},
                "people": {"type": "array", "items": {
                    "type": "object", "required": ["name", "role"], "additionalProperties": False,
                    "properties": {"name": _TEXT, "role": _TEXT}}},
                "chapters": {"type": "array", "items": {
                    "type": "object", "required": ["title", "start_ms", "end_ms"], "additionalProperties": False,
                    "properties": {"title": _TEXT, "start_ms": _COUNT, "end_ms": _COUNT}}},
            },
            "additionalProperties": False,
        }},
    },
}  # fmt: skip


def _key(path: list) -> str:
    """A key's path in catalogue.json: "episodes[3].title"."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".") or "it"


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
