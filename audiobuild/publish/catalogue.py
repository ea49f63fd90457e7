"""The output folder's catalogue: every episode built into it so far, in SQLite.

The catalogue is the source of truth the feed and page are generated from, so an
episode keeps its guid and publication date across rebuilds and building a
second article adds to the feed instead of replacing it.

It is an SQLite database (the standard library's), `.catalogue.sqlite`, hidden
in the output folder so that it is never served. SQLite because a newsroom's
archive runs to 100,000 episodes: an episode is added, replaced or removed as
one row, in a transaction that a crash cannot leave half-done, and the feed
reads only its newest items, so no command loads or rewrites the whole
catalogue (JSON would, each time; JSON lines would need compacting and still be
read whole). The folder's file lock (`publish.LOCK_FILE`) still orders the
writers, so that the feed always follows the catalogue.

A folder built by earlier versions has `catalogue.json`: it is imported once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from audiobuild.errors import AudiobuildError
from audiobuild.model import Chapter, Entry, Person
from audiobuild.schema import check, load_document, yaml_line

CATALOGUE_FILE = ".catalogue.sqlite"
LEGACY_FILE = "catalogue.json"  # before audiobuild 0.2: imported, then removed
SCHEMA_VERSION = 4
# Namespace for episode guids: uuid5(namespace, slug) is stable without any state.
_GUID_NAMESPACE = uuid.UUID("4f0e7d3a-8c1b-5a52-9a47-6a1d2b7e8c90")

_TABLES = """
CREATE TABLE IF NOT EXISTS episodes (
    slug TEXT PRIMARY KEY,
    published TEXT NOT NULL,  -- ISO 8601 in UTC: sorts as time does
    data TEXT NOT NULL        -- the Entry as JSON
);
CREATE INDEX IF NOT EXISTS newest_first ON episodes (published DESC, slug);
CREATE TABLE IF NOT EXISTS retired (slug TEXT PRIMARY KEY, revision INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS channel (key TEXT PRIMARY KEY, value TEXT);
"""


class Catalogue:
    """The episodes of one output folder, newest first: queried, never loaded whole.

    Changes are made inside `transaction()`; `touched` collects the months
    (YYYY-MM of their dates) of the episodes added, replaced or removed since
    the catalogue was opened, for the pages that list them.
    """

    def __init__(self, folder: Path, connection: sqlite3.Connection):
        self.folder = folder
        self._db = connection
        self.touched: set[str] = set()

    @classmethod
    def of(cls, folder: Path, entries: list[Entry], podcast_guid: str | None = None) -> Catalogue:
        """A catalogue of `entries` in memory, stored nowhere: to render a feed or page from them."""
        catalogue = cls(folder, _connect(":memory:"))
        with catalogue.transaction():
            for entry in entries:
                catalogue.upsert(entry)
            catalogue.podcast_guid = podcast_guid
        catalogue.touched.clear()
        return catalogue

    # -- reading

    def get(self, slug: str) -> Entry | None:
        """The entry with `slug`, if built before."""
        row = self._db.execute("SELECT data FROM episodes WHERE slug = ?", (slug,)).fetchone()
        return _from_json(json.loads(row[0])) if row else None

    def newest(self, limit: int | None = None) -> list[Entry]:
        """The newest `limit` entries (all with None), newest first."""
        rows = self._db.execute(
            "SELECT data FROM episodes ORDER BY published DESC, slug LIMIT ?", (-1 if limit is None else limit,)
        )
        return [_from_json(json.loads(data)) for (data,) in rows]

    @property
    def entries(self) -> list[Entry]:
        """Every entry, newest first, all read at once: for a small catalogue (commands use `newest`, `in_month`)."""
        return self.newest()

    def __iter__(self) -> Iterator[Entry]:
        """Every entry, newest first, read as it is used."""
        for (data,) in self._db.execute("SELECT data FROM episodes ORDER BY published DESC, slug"):
            yield _from_json(json.loads(data))

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM episodes").fetchone()[0]

    def newest_date(self) -> datetime | None:
        """The newest episode's date."""
        row = self._db.execute("SELECT max(published) FROM episodes").fetchone()
        return datetime.fromisoformat(row[0]) if row[0] else None

    def months(self) -> list[tuple[str, int]]:
        """(YYYY-MM, number of episodes) of every month with episodes, newest first."""
        rows = self._db.execute(
            "SELECT substr(published, 1, 7) AS month, count(*) FROM episodes GROUP BY month ORDER BY month DESC"
        )
        return [(month, count) for month, count in rows]

    def in_month(self, month: str) -> list[Entry]:
        """The entries dated in `month` (YYYY-MM), newest first."""
        rows = self._db.execute(
            "SELECT data FROM episodes WHERE published >= ? AND published < ? ORDER BY published DESC, slug",
            (month, f"{month}\uffff"),
        )
        return [_from_json(json.loads(data)) for (data,) in rows]

    def near(self, slug: str) -> list[str]:
        """Slugs that start as `slug` does: where a mistyped slug is likely to be."""
        rows = self._db.execute("SELECT slug FROM episodes WHERE slug >= ? AND slug < ? LIMIT 200",
                                (slug[:3], f"{slug[:3]}\uffff"))  # fmt: skip
        return [found for (found,) in rows]

    def retired(self, slug: str) -> int:
        """The last revision of `slug` removed: built again, it continues after it, so no cached URL comes back."""
        row = self._db.execute("SELECT revision FROM retired WHERE slug = ?", (slug,)).fetchone()
        return row[0] if row else 0

    def next_revision(self, slug: str) -> int:
        """The revision number the next build of `slug` gets."""
        current = self.get(slug)
        return max(current.revision if current else 0, self.retired(slug)) + 1

    @property
    def podcast_guid(self) -> str | None:
        """The channel's podcast:guid, fixed from its first public address (see publish)."""
        row = self._db.execute("SELECT value FROM channel WHERE key = 'podcast_guid'").fetchone()
        return row[0] if row else None

    @podcast_guid.setter
    def podcast_guid(self, value: str | None) -> None:
        self._db.execute("INSERT OR REPLACE INTO channel VALUES ('podcast_guid', ?)", (value,))

    # -- changing

    def transaction(self):
        """A context in which changes are made, committed at its end or rolled back by an exception."""
        return self._db

    def upsert(self, entry: Entry) -> None:
        """Add `entry` or replace the entry with its slug."""
        replaced = self.get(entry.slug)
        published = _utc(entry.published)
        self._db.execute(
            "INSERT OR REPLACE INTO episodes VALUES (?, ?, ?)", (entry.slug, published, json.dumps(_to_json(entry)))
        )
        self.touched |= {month_of(entry.published), *([month_of(replaced.published)] if replaced else [])}

    def remove(self, slug: str) -> Entry | None:
        """Drop the entry with `slug`; return it. Its revision is remembered (see `retired`)."""
        entry = self.get(slug)
        if entry is not None:
            self._db.execute("DELETE FROM episodes WHERE slug = ?", (slug,))
            revision = max(entry.revision, self.retired(slug))
            self._db.execute("INSERT OR REPLACE INTO retired VALUES (?, ?)", (slug, revision))
            self.touched.add(month_of(entry.published))
        return entry

    def close(self) -> None:
        """Close the database."""
        self._db.close()


def intact(output: Path, entry: Entry) -> bool:
    """True when every file of `entry` is there and the MP3 has its recorded size."""
    mp3 = output / entry.file
    return all((output / name).is_file() for name in entry.files) and mp3.stat().st_size == entry.length


def listing(catalogue: Catalogue, as_json: bool = False) -> str:
    """`audiobuild list`: slug, date, duration, file and title of every episode, newest first (or as JSON)."""
    if as_json:
        rows = [
            {"slug": entry.slug, "title": entry.title, "date": entry.published.isoformat(),
             "duration": round(entry.duration, 3), "file": entry.file, "guid": entry.guid}
            for entry in catalogue
        ]  # fmt: skip
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    lines = []
    for entry in catalogue:
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


def load_catalogue(folder: Path, create: bool = False) -> Catalogue:
    """The catalogue of `folder`, created when `create` (the writers'), else empty and stored nowhere if absent.

    AudiobuildError (one line) when it cannot be read: not an SQLite database
    of this version, or a legacy `catalogue.json` of the wrong shape.
    """
    path = folder / CATALOGUE_FILE
    exists = path.exists()
    if not (exists or create or (folder / LEGACY_FILE).exists()):
        return Catalogue(folder, _connect(":memory:"))
    try:
        catalogue = Catalogue(folder, _connect(str(path), tables=not exists))
        version = catalogue._db.execute("PRAGMA user_version").fetchone()[0]
        if exists and version != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"version {version}, expected {SCHEMA_VERSION}")
    except sqlite3.Error as error:
        raise AudiobuildError(path, f"catalogue is unreadable ({error}); move it away to start a new one") from None
    if not exists:
        _import_legacy(catalogue, folder / LEGACY_FILE)
    return catalogue


def _connect(name: str, tables: bool = True) -> sqlite3.Connection:
    """A connection whose first change begins an IMMEDIATE transaction (a writer waits up to a minute for another)."""
    connection = sqlite3.connect(name, timeout=60, isolation_level="IMMEDIATE")
    if tables:
        connection.executescript(_TABLES)
    return connection


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


def month_of(moment: datetime) -> str:
    """The month (YYYY-MM, in UTC) an episode of this date is listed under."""
    return _utc(moment)[:7]


def _import_legacy(catalogue: Catalogue, path: Path) -> None:
    """Import an earlier version's `catalogue.json` (if any) into a new catalogue, then remove it."""
    entries, guid, retired = [], None, {}
    if path.exists():
        unreadable = "catalogue is unreadable ({}); move it away to start a new one"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, ValueError) as error:
            raise AudiobuildError(path, unreadable.format(getattr(error, "strerror", None) or error)) from None
        try:
            data = load_document(text, path, "json", error=AudiobuildError)
            check(data, _LEGACY_SCHEMA, path, text, error=AudiobuildError, describe=_key, locate=yaml_line,
                  json_terms=True)  # fmt: skip
            entries = [_from_json(item) for item in data["episodes"]]
        except (ValueError, AudiobuildError) as error:
            problem, line = getattr(error, "problem", error), getattr(error, "line", None)
            raise AudiobuildError(path, unreadable.format(problem), line=line) from None
        guid, retired = data.get("podcast_guid"), data.get("retired", {})
    with catalogue.transaction() as db:
        for entry in entries:
            catalogue.upsert(entry)
        db.executemany("INSERT OR REPLACE INTO retired VALUES (?, ?)", retired.items())
        catalogue.podcast_guid = guid
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    catalogue.touched.clear()
    path.unlink(missing_ok=True)


_TEXT = {"type": "string"}
_COUNT = {"type": "integer", "minimum": 0}
_LEGACY_SCHEMA = {
    "type": "object",
    "required": ["version", "episodes"],
    "properties": {
        "version": {"const": 3, "x-messages": {"const": "{value!r} is not one that audiobuild reads (3)"}},
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
