"""The output folder's private state: what `follow` and the inbox remember between runs, never served.

Each document is a JSON file in `output/.state/` (`serve` refuses every path
with a dot-segment), read and changed under its own lock (filelock, so a
cron `follow` and a `serve --inbox` can share a folder) and replaced
atomically: a crash at any moment leaves the old document or the new one.
The inbox's are also durable: written before an answer is sent, they are on the disk.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock

from audiobuild.atomic import write_bytes, write_durably
from audiobuild.errors import AudiobuildError

STATE_DIR = ".state"


def state_path(output: Path, name: str) -> Path:
    """Where the document `name` of `output` lives."""
    return output / STATE_DIR / f"{name}.json"


@contextlib.contextmanager
def changing(output: Path, name: str, durable: bool = False) -> Iterator[dict]:
    """Under the document's lock, yield it (an empty dict when new); save it when the block changed it.

    Saved atomically; and `durable`ly (on the disk before this returns, at the cost of two fsyncs) for
    what was promised to someone. AudiobuildError when the document cannot be read (a hand-edited
    file, say): nothing is changed then.
    """
    path = state_path(output, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(path.with_suffix(".lock")):
        document = read(output, name)
        before = json.dumps(document, sort_keys=True)
        yield document
        after = json.dumps(document, sort_keys=True)
        if after != before:
            (write_durably if durable else write_bytes)(
                path, json.dumps(document, indent=1, ensure_ascii=False).encode()
            )


def read(output: Path, name: str) -> dict:
    """The document as last saved (an empty dict when there is none); safe without the lock, as saves are atomic."""
    path = state_path(output, name)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        problem = getattr(error, "strerror", None) or error
        raise AudiobuildError(path, f"is unreadable ({problem}); move it away to start afresh") from None
    if not isinstance(document, dict):
        raise AudiobuildError(path, "is unreadable (not a JSON object); move it away to start afresh")
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
