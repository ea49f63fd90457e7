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
writers, so that the feed always follows the catalogue. Each month's count of
episodes, and whether its archive page is current, are kept by triggers in the
transaction that changes the month (`months`): no command counts the archive,
and `feed` renders the pages that changed, not a million episodes.

A folder built by earlier versions has `catalogue.json`: it is imported once.

The catalogue is also a copy: every episode's MP3 carries its row (`tag_record`),
so a damaged catalogue is rebuilt from the episodes (`publish.recover`). Until
then a damaged row costs its episode alone (left out, with a warning), and a
damaged database is one line saying how to rebuild it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from audiobuild.atomic import stage
from audiobuild.errors import AudiobuildError, printable
from audiobuild.model import Chapter, Entry, Person
from audiobuild.schema import check, json_key, load_document, yaml_line

log = logging.getLogger("audiobuild")

CATALOGUE_FILE = ".catalogue.sqlite"
LEGACY_FILE = "catalogue.json"  # before audiobuild 0.2: imported, then removed
SCHEMA_VERSION = 6  # 5 added `replaced`, 6 `months`: a version-4 or -5 catalogue gets them when opened
# Namespace for episode guids: uuid5(namespace, slug) is stable without any state.
_GUID_NAMESPACE = uuid.UUID("4f0e7d3a-8c1b-5a52-9a47-6a1d2b7e8c90")
REBUILD = "`audiobuild feed --rebuild-catalogue` rebuilds the catalogue from the episodes' files"

_TABLES = """
CREATE TABLE IF NOT EXISTS episodes (
    slug TEXT PRIMARY KEY,
    published TEXT NOT NULL,  -- ISO 8601 in UTC: sorts as time does
    data TEXT NOT NULL        -- the Entry as JSON
);
CREATE INDEX IF NOT EXISTS newest_first ON episodes (published DESC, slug);
CREATE TABLE IF NOT EXISTS retired (slug TEXT PRIMARY KEY, revision INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS channel (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS replaced (   -- revisions whose files are kept a while for apps that kept their URL
    slug TEXT NOT NULL,
    revision INTEGER NOT NULL,
    replaced TEXT NOT NULL,  -- ISO 8601 in UTC
    files TEXT NOT NULL,     -- a JSON list of paths relative to the folder
    PRIMARY KEY (slug, revision)
);
CREATE INDEX IF NOT EXISTS oldest_replaced ON replaced (replaced);
CREATE TABLE IF NOT EXISTS months (     -- kept by the triggers below: a count or a stale page is never a scan
    month TEXT PRIMARY KEY,  -- YYYY-MM: the first seven characters of `published`
    episodes INTEGER NOT NULL,
    page TEXT                -- the look its archive page was written with (`page.archive_look`); NULL once it changed
);
CREATE TRIGGER IF NOT EXISTS month_gains AFTER INSERT ON episodes BEGIN
    INSERT INTO months SELECT substr(NEW.published, 1, 7), 0, NULL
        WHERE NOT EXISTS (SELECT 1 FROM months WHERE month = substr(NEW.published, 1, 7));
    UPDATE months SET episodes = episodes + 1, page = NULL WHERE month = substr(NEW.published, 1, 7);
END;
CREATE TRIGGER IF NOT EXISTS month_loses AFTER DELETE ON episodes BEGIN
    UPDATE months SET episodes = episodes - 1, page = NULL WHERE month = substr(OLD.published, 1, 7);
    DELETE FROM months WHERE month = substr(OLD.published, 1, 7) AND episodes = 0;
END;
CREATE TRIGGER IF NOT EXISTS month_changes AFTER UPDATE ON episodes BEGIN
    UPDATE months SET episodes = episodes - 1, page = NULL WHERE month = substr(OLD.published, 1, 7);
    INSERT INTO months SELECT substr(NEW.published, 1, 7), 0, NULL
        WHERE NOT EXISTS (SELECT 1 FROM months WHERE month = substr(NEW.published, 1, 7));
    UPDATE months SET episodes = episodes + 1, page = NULL WHERE month = substr(NEW.published, 1, 7);
    DELETE FROM months WHERE month = substr(OLD.published, 1, 7) AND episodes = 0;
END;
"""
# A version-4 or -5 catalogue gets what was added since, its month counts made once (unless another process just
# made them: they are kept by the triggers from then on). Its archive pages are of an unknown look (''), not
# changed: a build leaves them as earlier versions did, and the next `feed` rewrites them, as it always did.
_UPGRADE = f"""BEGIN IMMEDIATE;
{_TABLES}
INSERT INTO months SELECT substr(published, 1, 7), count(*), '' FROM episodes
    WHERE NOT EXISTS (SELECT 1 FROM months) GROUP BY 1;
PRAGMA user_version = {SCHEMA_VERSION};
COMMIT;
"""


class Catalogue:
    """The episodes of one output folder, newest first: queried, never loaded whole.

    Changes are made inside `transaction()`; `touched` collects the months
    (YYYY-MM of their dates) of the episodes added, replaced or removed since
    the catalogue was opened, for the pages that list them. A row that is not
    an entry is left out of every answer, with one warning (`_entries`).
    """

    def __init__(self, folder: Path, database: Database):
        self.folder = folder
        self._db = database
        self.touched: set[str] = set()
        self._warned: set[str] = set()

    @classmethod
    def of(cls, folder: Path, entries: list[Entry], podcast_guid: str | None = None) -> Catalogue:
        """A catalogue of `entries` in memory, stored nowhere: to render a feed or page from them."""
        catalogue = cls(folder, Database(folder / CATALOGUE_FILE, ":memory:"))
        with catalogue.transaction():
            for entry in entries:
                catalogue.upsert(entry)
            catalogue.podcast_guid = podcast_guid
        catalogue.touched.clear()
        return catalogue

    # -- reading

    def get(self, slug: str) -> Entry | None:
        """The entry with `slug`, if built before (and its row is not damaged)."""
        return next(self._entries(self._db.rows("SELECT slug, data FROM episodes WHERE slug = ?", (slug,))), None)

    def newest(self, limit: int | None = None) -> list[Entry]:
        """The newest `limit` entries (all with None), newest first."""
        rows = self._db.rows(
            "SELECT slug, data FROM episodes ORDER BY published DESC, slug LIMIT ?", (-1 if limit is None else limit,)
        )
        return list(self._entries(rows))

    @property
    def entries(self) -> list[Entry]:
        """Every entry, newest first, all read at once: for a small catalogue (commands use `newest`, `in_month`)."""
        return self.newest()

    def __iter__(self) -> Iterator[Entry]:
        """Every entry, newest first, read as it is used."""
        return self._entries(self._db.rows("SELECT slug, data FROM episodes ORDER BY published DESC, slug"))

    def __len__(self) -> int:
        return self._db.one("SELECT coalesce(sum(episodes), 0) FROM months")[0]  # every row has a month

    def newest_date(self) -> datetime | None:
        """The newest episode's date."""
        newest = self.newest(1)
        return newest[0].published if newest else None

    def months(self) -> list[tuple[str, int]]:
        """(YYYY-MM, number of episodes) of every month with episodes, newest first."""
        return [(month, count) for month, count, _ in self._month_rows()]

    def looks(self) -> dict[str, str | None]:
        """The look (`page.archive_look`) each month's archive page was written with; None once the month changed."""
        return {month: look for month, _, look in self._month_rows()}

    def mark_pages(self, months: Iterable[str], look: str) -> None:
        """Record that the archive pages of `months` were written with `look` (a transaction of its own)."""
        with self._db:
            self._db.run_many("UPDATE months SET page = ? WHERE month = ?", [(look, month) for month in months])

    def _month_rows(self) -> list[tuple[str, int, str | None]]:
        # A damaged date names no month: an archive page's name is never made of it.
        rows = self._db.rows("SELECT month, episodes, page FROM months"
                             " WHERE month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]' ORDER BY month DESC")  # fmt: skip
        return [row for row in rows if isinstance(row[0], str)]

    def in_month(self, month: str) -> list[Entry]:
        """The entries dated in `month` (YYYY-MM), newest first."""
        rows = self._db.rows(
            "SELECT slug, data FROM episodes WHERE published >= ? AND published < ? ORDER BY published DESC, slug",
            (month, f"{month}\uffff"),
        )
        return list(self._entries(rows))

    def near(self, slug: str) -> list[str]:
        """Slugs that start as `slug` does: where a mistyped slug is likely to be."""
        rows = self._db.rows("SELECT slug FROM episodes WHERE slug >= ? AND slug < ? LIMIT 200",
                             (slug[:3], f"{slug[:3]}\uffff"))  # fmt: skip
        return [found for (found,) in rows if isinstance(found, str)]

    def retired(self, slug: str) -> int:
        """The last revision of `slug` removed: built again, it continues after it, so no cached URL comes back."""
        row = self._db.one("SELECT revision FROM retired WHERE slug = ?", (slug,))
        return row[0] if row and isinstance(row[0], int) else 0

    def retired_revisions(self) -> dict[str, int]:
        """Every slug removed, with its last revision (see `retired`)."""
        rows = self._db.rows("SELECT slug, revision FROM retired")
        return {slug: revision for slug, revision in rows if isinstance(slug, str) and isinstance(revision, int)}

    def next_revision(self, slug: str) -> int:
        """The revision number the next build of `slug` gets."""
        current = self.get(slug)
        return max(current.revision if current else 0, self.retired(slug)) + 1

    @property
    def podcast_guid(self) -> str | None:
        """The channel's podcast:guid, fixed from its first public address (see publish)."""
        row = self._db.one("SELECT value FROM channel WHERE key = 'podcast_guid'")
        return row[0] if row and isinstance(row[0], str) else None

    @podcast_guid.setter
    def podcast_guid(self, value: str | None) -> None:
        self._db.run("INSERT OR REPLACE INTO channel VALUES ('podcast_guid', ?)", (value,))

    def _entries(self, rows: Iterable[tuple]) -> Iterator[Entry]:
        """The entries of (slug, data) rows; a damaged row is left out, with one warning per catalogue opened."""
        for slug, data in rows:
            try:
                if not isinstance(data, str):  # `_text` keeps bytes that are not UTF-8 as they are
                    raise ValueError("it is not UTF-8 text")
                entry = from_row(json.loads(data))
                if entry.slug != slug:
                    raise ValueError(f"it is the row of {entry.slug!r}")
            except (ValueError, TypeError, RecursionError, AudiobuildError) as error:
                if slug not in self._warned:
                    self._warned.add(slug)
                    problem = getattr(error, "problem", None) or error
                    log.warning("audiobuild: warning: %s: episode %r is damaged (%s) and left out; %s",
                                self._db.path, slug, problem, REBUILD)  # fmt: skip
                continue
            yield entry

    # -- changing

    def transaction(self) -> Database:
        """A context in which changes are made, committed at its end or rolled back by an exception."""
        return self._db

    def upsert(self, entry: Entry) -> None:
        """Add `entry` or replace the entry with its slug."""
        replaced = self.get(entry.slug)
        published = _utc(entry.published)
        # An update, not a REPLACE: SQLite's REPLACE deletes without firing the months' delete trigger.
        self._db.run("INSERT INTO episodes VALUES (?, ?, ?) ON CONFLICT (slug) DO UPDATE"
                     " SET published = excluded.published, data = excluded.data",
                     (entry.slug, published, json.dumps(_to_json(entry))))  # fmt: skip
        self.touched |= {month_of(entry.published), *([month_of(replaced.published)] if replaced else [])}

    def keep_replaced(self, entry: Entry, moment: datetime) -> None:
        """Remember that `entry`'s revision was replaced at `moment`: its files stay until `drop_replaced`."""
        self._db.run("INSERT OR REPLACE INTO replaced VALUES (?, ?, ?, ?)",
                     (entry.slug, entry.revision, _utc(moment), json.dumps(entry.files)))  # fmt: skip

    def drop_replaced(self, before: datetime | None = None, slug: str | None = None) -> list[str]:
        """Forget the revisions replaced by `before` (all; of `slug` only, when given); return their files."""
        conditions = {"replaced <= ?": before and _utc(before), "slug = ?": slug}
        where = " AND ".join(["1", *(condition for condition, value in conditions.items() if value is not None)])
        values = [value for value in conditions.values() if value is not None]
        rows = list(self._db.rows(f"SELECT files FROM replaced WHERE {where}", values))
        self._db.run(f"DELETE FROM replaced WHERE {where}", values)
        return [name for (names,) in rows for name in json.loads(names)]

    def remove(self, slug: str) -> Entry | None:
        """Drop the entry with `slug`; return it. Its revision is remembered (see `retired`)."""
        entry = self.get(slug)
        if entry is not None:
            self._db.run("DELETE FROM episodes WHERE slug = ?", (slug,))
            revision = max(entry.revision, self.retired(slug))
            self._db.run("INSERT OR REPLACE INTO retired VALUES (?, ?)", (slug, revision))
            self.touched.add(month_of(entry.published))
        return entry

    def close(self) -> None:
        """Close the database."""
        self._db.close()


class Database:
    """The catalogue's SQLite connection, whose every failure is one line naming the file (AudiobuildError).

    A connection's first change begins an IMMEDIATE transaction (a writer waits
    up to a minute for another); used as a context, it commits at the block's
    end or rolls back on an exception.
    """

    def __init__(self, path: Path, name: str | None = None, tables: bool = True):
        self.path = path
        try:
            self._connection = sqlite3.connect(name or str(path), timeout=60, isolation_level="IMMEDIATE")
            self._connection.text_factory = _text
            if tables:
                self._connection.executescript(_TABLES)
        except sqlite3.Error as error:
            raise self.failure(error) from None

    def rows(self, sql: str, parameters: tuple = ()) -> Iterator[tuple]:
        """The rows `sql` selects, read as they are used."""
        try:
            yield from self._connection.execute(sql, parameters)
        except sqlite3.Error as error:
            raise self.failure(error) from None

    def one(self, sql: str, parameters: tuple = ()) -> tuple | None:
        """The first row `sql` selects, if any."""
        return next(self.rows(sql, parameters), None)

    def run(self, sql: str, parameters: tuple = ()) -> None:
        """Make a change (inside a transaction)."""
        self.run_many(sql, [parameters])

    def run_many(self, sql: str, parameters: Iterable[tuple]) -> None:
        """Make a change once for each of `parameters` (inside a transaction)."""
        try:
            self._connection.executemany(sql, parameters)
        except sqlite3.Error as error:
            raise self.failure(error) from None

    def upgrade(self, script: str) -> None:
        """Run an SQL script that brings an older catalogue's tables up to this version."""
        try:
            self._connection.executescript(script)
        except sqlite3.Error as error:
            raise self.failure(error) from None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exception) -> None:
        try:
            self._connection.__exit__(*exception)  # commits, or rolls back
        except sqlite3.Error as error:
            raise self.failure(error) from None

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()

    def failure(self, error: sqlite3.Error) -> AudiobuildError:
        """SQLite's `error` as one line: a full disk, a damaged file (and how to rebuild it), or what SQLite said."""
        code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF  # the primary code of an extended one
        if code == sqlite3.SQLITE_FULL:
            return AudiobuildError(self.path, "the disk is full: the catalogue was not changed (free some space)")
        if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            return AudiobuildError(self.path, f"catalogue is unreadable ({error}); {REBUILD}")
        if code == sqlite3.SQLITE_IOERR:  # a write refused: past a size limit, a failing disk
            return AudiobuildError(self.path, f"catalogue could not be written ({error}): it was not changed")
        return AudiobuildError(self.path, f"catalogue cannot be read or changed ({error})")


def intact(output: Path, entry: Entry) -> bool:
    """True when every file of `entry` is there and the MP3 has its recorded size."""
    mp3 = output / entry.file
    return all((output / name).is_file() for name in entry.files) and mp3.stat().st_size == entry.length


def listing(catalogue: Catalogue, as_json: bool = False, width: int | None = None) -> str:
    """`audiobuild list`: slug, date, duration, file and title of every episode, newest first (or as JSON).

    The columns line up as a terminal shows them (`columns`); with `width`, the
    terminal's columns, a longer line's title is cut to fit, so that no title
    wraps under the next line's slug.
    """
    if as_json:
        rows = [
            {"slug": entry.slug, "title": entry.title, "date": entry.published.isoformat(),
             "duration": round(entry.duration, 3), "file": entry.file, "guid": entry.guid, "recall": entry.recall}
            for entry in catalogue
        ]  # fmt: skip
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    rows = []
    for entry in catalogue:
        minutes, seconds = divmod(round(entry.duration), 60)
        rows.append((entry.slug, f"{entry.published:%Y-%m-%d}", f"{minutes}:{seconds:02d}", entry.file, entry.title))
    if not rows:
        return f"no episodes in {catalogue.folder}\n"
    return "".join(f"{line}\n" for line in columns(rows, right=(2,), width=width))


def columns(rows: list[tuple[str, ...]], right: tuple[int, ...] = (), width: int | None = None) -> list[str]:
    """`rows` as lines of columns two spaces apart, each as wide as its widest cell; the last is not padded.

    Widths are counted in terminal cells (wcwidth, after Unicode's East Asian
    Width and emoji presentation): a CJK character or an emoji takes two, a
    combining accent none. Control characters are escaped (`printable`).
    Columns whose index is in `right` are aligned right; a line wider than
    `width` cells is cut to it, ending in "…".

    >>> columns([("a", "日本", "x"), ("bbb", "é", "y")])
    ['a    日本  x', 'bbb  é     y']
    """
    import wcwidth  # here: only `list` lines columns up, and every build reads the catalogue

    rows = [tuple(printable(cell) for cell in row) for row in rows]
    widths = [max(wcwidth.width(row[index]) for row in rows) for index in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [(wcwidth.rjust if index in right else wcwidth.ljust)(cell, widths[index])
                 for index, cell in enumerate(row[:-1])]  # fmt: skip
        line = "  ".join([*cells, row[-1]])
        if width and wcwidth.width(line) > width:
            line = wcwidth.clip(line, 0, width - 1).rstrip() + "…"
        lines.append(line)
    return lines


def source_id(source: Path | str) -> str:
    """Identifies an article file (or URL) without revealing where it lives."""
    key = str(source.resolve()) if isinstance(source, Path) else source
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def episode_guid(slug: str) -> str:
    """The guid an episode with `slug` gets when first built."""
    return str(uuid.uuid5(_GUID_NAMESPACE, slug))


def _text(value: bytes) -> str | bytes:
    """A text column's value: its bytes when they are not UTF-8 (damaged), for the reader to leave out."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value


def load_catalogue(folder: Path, create: bool = False) -> Catalogue:
    """The catalogue of `folder`, created when `create` (the writers'), else empty and stored nowhere if absent.

    AudiobuildError (one line) when it cannot be read: not an SQLite database
    of this version, or a legacy `catalogue.json` of the wrong shape (which
    leaves no new catalogue behind).
    """
    path, legacy = folder / CATALOGUE_FILE, folder / LEGACY_FILE
    if path.exists():
        database = Database(path, tables=False)
        version = database.one("PRAGMA user_version")[0]
        if version in (4, 5):  # only tables were added since (`replaced`, `months`): it gets them now
            database.upgrade(_UPGRADE)
            version = SCHEMA_VERSION
        if version == SCHEMA_VERSION:
            return Catalogue(folder, database)
        unfinished = version == 0 and _no_episodes(database)
        database.close()
        if not unfinished:  # else its making was cut short (an earlier version's failed import): it is made again
            raise AudiobuildError(path, f"catalogue is unreadable (version {version}, expected {SCHEMA_VERSION}); "
                                  f"{REBUILD}")  # fmt: skip
    elif not (create or legacy.exists()):
        return Catalogue(folder, Database(path, ":memory:"))
    made = make_catalogue(folder, *(_read_legacy(legacy) if legacy.exists() else ([], None, {})))
    try:
        if path.exists():
            os.replace(made, path)
        else:
            os.link(made, path)
    except FileExistsError:
        pass  # another process made it meanwhile: that one is the catalogue
    finally:
        made.unlink(missing_ok=True)
    legacy.unlink(missing_ok=True)
    return Catalogue(folder, Database(path, tables=False))


def _no_episodes(database: Database) -> bool:
    tables = {name for (name,) in database.rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return "episodes" not in tables or database.one("SELECT 1 FROM episodes LIMIT 1") is None


def make_catalogue(folder: Path, entries: list[Entry], guid: str | None, retired: dict[str, int]) -> Path:
    """A new catalogue of `entries`, staged in `folder` under a temporary name for the caller to put in place.

    Nothing is left behind when making it fails (AudiobuildError).
    """
    made = stage(folder, ".sqlite")
    try:
        catalogue = Catalogue(folder, Database(folder / CATALOGUE_FILE, str(made)))
        with catalogue.transaction() as db:
            for entry in entries:
                catalogue.upsert(entry)
            db.run_many("INSERT OR REPLACE INTO retired VALUES (?, ?)", retired.items())
            catalogue.podcast_guid = guid
            db.run(f"PRAGMA user_version = {SCHEMA_VERSION}")
        catalogue.close()
    except BaseException:
        for name in (made, made.with_name(f"{made.name}-journal")):
            name.unlink(missing_ok=True)
        raise
    os.chmod(made, 0o644)  # as SQLite makes a database (a staged file is its owner's only)
    return made


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


def month_of(moment: datetime) -> str:
    """The month (YYYY-MM, in UTC) an episode of this date is listed under."""
    return _utc(moment)[:7]


def _read_legacy(path: Path) -> tuple[list[Entry], str | None, dict[str, int]]:
    """An earlier version's `catalogue.json`: (entries, podcast guid, retired revisions)."""
    unreadable = "catalogue is unreadable ({}); move it away to start a new one"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError) as error:
        raise AudiobuildError(path, unreadable.format(getattr(error, "strerror", None) or error)) from None
    try:
        data = load_document(text, path, "json", error=AudiobuildError)
        check(data, _LEGACY_SCHEMA, path, text, error=AudiobuildError, describe=json_key, locate=yaml_line,
              json_terms=True)  # fmt: skip
        entries = [from_row(item) for item in data["episodes"]]
    except (ValueError, AudiobuildError) as error:
        problem, line = getattr(error, "problem", error), getattr(error, "line", None)
        raise AudiobuildError(path, unreadable.format(problem), line=line) from None
    return entries, data.get("podcast_guid"), data.get("retired", {})


_TEXT = {"type": "string"}
_COUNT = {"type": "integer", "minimum": 0}
_ENTRY = {
            "type": "object",
            "required": ["slug", "guid", "title", "description", "author", "published", "revision", "fingerprint",
                         "length", "duration", "source", "source_id", "people", "chapters"],
            "properties": {
                **dict.fromkeys(("slug", "guid", "title", "description", "author", "fingerprint", "source",
                                 "source_id", "link", "article_date"), _TEXT),
                "published": {"type": "string", "format": "date-time"},
                "revision": {"type": "integer", "minimum": 1},
                "length": _COUNT,
                "duration": {"type": "number", "minimum": 0},
                "recall": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                "people": {"type": "array", "items": {
                    "type": "object", "required": ["name", "role"], "additionalProperties": False,
                    "properties": {"name": _TEXT, "role": _TEXT}}},
                "chapters": {"type": "array", "items": {
                    "type": "object", "required": ["title", "start_ms", "end_ms"], "additionalProperties": False,
                    "properties": {"title": _TEXT, "start_ms": _COUNT, "end_ms": _COUNT}}},
            },
            "additionalProperties": False,
}  # fmt: skip
_LEGACY_SCHEMA = {
    "type": "object",
    "required": ["version", "episodes"],
    "properties": {
        "version": {"const": 3, "x-messages": {"const": "{value!r} is not one that audiobuild reads (3)"}},
        "podcast_guid": {"type": ["string", "null"]},
        "retired": {"type": "object", "additionalProperties": _COUNT},
        "episodes": {"type": "array", "items": _ENTRY},
    },
}


def tag_record(entry: Entry, with_source: bool) -> str:
    """The row of `entry` as its MP3 carries it (JSON), to rebuild a damaged catalogue from (`publish.recover`).

    All of it but what the file says itself (its revision, in its name; its
    size and playing time), and the article's file name unless `with_source`
    (a web address is public; a file's name stays on this machine).
    """
    data = {key: value for key, value in _to_json(entry).items() if key not in ("revision", "length", "duration")}
    return json.dumps({**data, "source": entry.source if with_source else ""}, ensure_ascii=False)


def _to_json(entry: Entry) -> dict:
    data = dataclasses.asdict(entry)
    data["published"] = entry.published.isoformat()
    return data


def from_row(data: object) -> Entry:
    """The Entry a catalogue row (or an MP3's `tag_record`) holds; AudiobuildError or ValueError when it is none."""
    check(data, _ENTRY, CATALOGUE_FILE, error=AudiobuildError, describe=json_key, json_terms=True)
    return Entry(
        **{
            **data,
            "published": datetime.fromisoformat(data["published"]),
            "people": tuple(Person(**person) for person in data["people"]),
            "chapters": tuple(Chapter(**chapter) for chapter in data["chapters"]),
        }
    )
