"""The output folder's private state: what `follow` and the inbox remember between runs, never served.

Each document is a JSON file in `output/.state/` (`serve` refuses every path
with a dot-segment), read and changed under its own lock (filelock, so a
cron `follow` and a `serve --inbox` can share a folder) and replaced
atomically: a crash at any moment leaves the old document or the new one.
The inbox's are also durable: written before an answer is sent, they are on the disk.
Each is checked against its schema when read: a damaged or hand-edited one is
one line naming it and what is wrong, never a crash deep in its reader.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from audiobuild.atomic import write_bytes, write_durably
from audiobuild.errors import AudiobuildError
from audiobuild.schema import check, json_key, yaml_line

STATE_DIR = ".state"


@dataclass(frozen=True)
class Document:
    """One kind of state document: its name (`.state/<name>.json`) and the JSON Schema of what its readers rely on."""

    name: str
    schema: dict
    afresh: str  # what moving the document away costs, for the line that says it is damaged


def state_path(output: Path, document: Document) -> Path:
    """Where `document` of `output` lives."""
    return output / STATE_DIR / f"{document.name}.json"


@contextlib.contextmanager
def changing(output: Path, kind: Document, durable: bool = False) -> Iterator[dict]:
    """Under the document's lock, yield it (an empty dict when new); save it when the block changed it.

    Saved atomically; and `durable`ly (on the disk before this returns, at the cost of two fsyncs) for
    what was promised to someone. AudiobuildError when the document cannot be read (a hand-edited
    file, say): nothing is changed then.
    """
    path = state_path(output, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(path.with_suffix(".lock")):
        document = read(output, kind)
        before = json.dumps(document, sort_keys=True)
        yield document
        after = json.dumps(document, sort_keys=True)
        if after != before:
            (write_durably if durable else write_bytes)(
                path, json.dumps(document, indent=1, ensure_ascii=False).encode()
            )


def read(output: Path, kind: Document) -> dict:
    """The document as last saved (an empty dict when there is none); safe without the lock, as saves are atomic.

    AudiobuildError (one line: the file, the key at fault, how to recover) when
    it is not JSON or not of its schema's shape.
    """
    path = state_path(output, kind)
    damaged = "is damaged ({}): move it away to start afresh, " + kind.afresh
    try:
        text = path.read_text(encoding="utf-8")
        document = json.loads(text)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, RecursionError) as error:
        problem = getattr(error, "strerror", None) or error
        raise AudiobuildError(path, damaged.format(problem)) from None
    try:
        check(document, {"type": "object", **kind.schema}, path, text, error=AudiobuildError, describe=json_key,
              locate=yaml_line, json_terms=True)  # fmt: skip
    except AudiobuildError as error:
        raise AudiobuildError(path, damaged.format(error.problem), error.line) from None
    return document


def secret(output: Path, name: str, renew: bool = False) -> tuple[str, bool]:
    """The secret `name` of `output` (a new one when there is none, or when `renew`): (secret, made now).

    256 random bits, URL-safe; the file is readable by its owner only.
    """
    path = output / STATE_DIR / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(path.with_suffix(".lock")):
        if not renew:
            try:
                value = path.read_text(encoding="ascii").strip()
            except FileNotFoundError:
                value = ""
            except (OSError, UnicodeDecodeError) as error:
                raise AudiobuildError(path, f"cannot read: {getattr(error, 'strerror', None) or error}") from None
            if value:
                return value, False
        value = secrets.token_urlsafe(32)
        write_durably(path, value.encode(), mode=0o600)
        return value, True


def current_secret(output: Path, name: str) -> str | None:
    """The secret `name` as it is on the disk now (None when unreadable): it may have been renewed meanwhile."""
    try:
        return (output / STATE_DIR / name).read_text(encoding="ascii").strip() or None
    except (OSError, UnicodeDecodeError):
        return None
