"""`audiobuild serve --inbox`: articles sent from a phone or a browser, queued on disk and built one at a time.

Every write needs the inbox's token: 256 random bits, made on first use and
kept in the output folder's private state (`.state/inbox-token`, never
served), compared in constant time, and taken only from an Authorization
header, a query parameter or a form field, never from a cookie, so no other
site can post for the user (CSRF). Links carry it in the fragment
(`/#inbox=TOKEN`), which browsers never send to a server, and serve's log
lines show any token parameter as `token=…`, however its name is spelt
(`TOKEN=`, `%74oken=`). A body is read only once the token has been checked,
unless the token is to come in the body itself (a form field): such a body
may be MAX_UNSIGNED_BODY_BYTES at most.

`POST /inbox` takes a URL or pasted text (a form or JSON), writes the item to
disk (`.state/inbox.json`, durably) and only then answers 202 with its id.
One thread builds the queue, oldest first, with the normal build (the same
parser, voices and catalogue lock); the feed gains each episode as it is
published, so its ETag changes and apps see it at their next poll. An item
that was being built when the server died is built again when it restarts
(the build finds an unchanged episode already published, so nothing is built
twice). URLs are fetched through `fetch.Fetcher` without private addresses
unless `[inbox] allow_private` (or an address in `allow_addresses`); a URL
whose host is on such an address is refused at once (422), before it is queued.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import logging
import re
import secrets
import struct
import threading
import time
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from filelock import FileLock, Timeout

from audiobuild.atomic import write_durably
from audiobuild.config import Config, as_uri
from audiobuild.errors import AudiobuildError, BatchFailed, InputError, printable
from audiobuild.publish import state

log = logging.getLogger("audiobuild")

TOKEN = "inbox-token"
PATH = "/inbox"
MANIFEST_PATH = "/inbox/manifest.webmanifest"
MAX_TEXT_BYTES = 5_000_000  # sources.MAX_ARTICLE_BYTES: the same cap as an article file
MAX_BODY_BYTES = 2 * MAX_TEXT_BYTES  # a request past this is refused (413) before it is read
# A body that is to carry the token itself is read before the token can be checked: a form with
# a link or a short text, no more, so that requests without the token cost the server little.
MAX_UNSIGNED_BODY_BYTES = 64 * 1024
# What an item keeps of its title, URL and error: the queue is rewritten (and fsynced) on every
# change and listed whole by GET /inbox, so one item must not weigh megabytes.
MAX_TITLE_CHARS = 300
MAX_URL_CHARS = 4096  # longer than browsers' address bars take in practice
MAX_ERROR_CHARS = 1000
# A disk with no room (or no quota) left: the item is not queued, and the client is told so (507).
_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})
_QUERY_PARAMETER = re.compile(r"([?&;])([^=&;\s#]*)=[^&;\s#]*")
_PRIVATE_SEGMENT = re.compile(r"(/(?:p|%70)/)[^/\s?#]+", re.IGNORECASE)
KEEP_FINISHED = 200  # built and failed items listed; older ones are forgotten
QUEUED, BUILDING, BUILT, FAILED = "queued", "building", "built", "failed"
_MAYBE_TEXT = {"type": ["string", "null"]}
STATE = state.Document(
    "inbox",
    {"properties": {"items": {"type": "array", "items": {
        "type": "object",
        "required": ["id", "state", "added", "title"],
        "properties": {
            "id": {"type": "string", "pattern": "^[0-9a-f]{16}$"},  # names its text's file: never a path
            "state": {"enum": [QUEUED, BUILDING, BUILT, FAILED]},
            **dict.fromkeys(("added", "title", "finished"), {"type": "string"}),
            **dict.fromkeys(("url", "error", "episode"), _MAYBE_TEXT),
        },
    }}}},
    "and the inbox forgets its queue (the pasted texts waiting in .state/inbox/ are left there)",
)  # fmt: skip


def token(output: Path, renew: bool = False) -> tuple[str, bool]:
    """The inbox's token for `output`: (token, made just now). `renew` replaces it (`audiobuild inbox --new-token`)."""
    return state.secret(output, TOKEN, renew)


def link(base_url: str, secret: str) -> str:
    """The listening page's address that opens the inbox: the token rides in the fragment, never sent to a server."""
    return f"{base_url.rstrip('/')}/#inbox={secret}"


def redact(text: str) -> str:
    """`text` with every secret of a request line hidden, for log lines.

    A query parameter whose name, once percent-decoded, says "token" in any case
    has its value hidden; so has the secret segment of a private feed's path (/p/…/).

    >>> redact('POST /inbox?token=s3cret&x=1 HTTP/1.1')
    'POST /inbox?token=…&x=1 HTTP/1.1'
    >>> redact('GET /inbox?x=1&%74oken=s3cret;TOKEN=s3cret HTTP/1.1')
    'GET /inbox?x=1&%74oken=…;TOKEN=… HTTP/1.1'
    >>> redact('GET /p/s3cret/feed.xml HTTP/1.1')
    'GET /p/…/feed.xml HTTP/1.1'
    """

    def hide(match: re.Match) -> str:
        name = unquote(unquote(match.group(2).replace("+", " "))).strip().lower()
        return f"{match.group(1)}{match.group(2)}=…" if "token" in name else match.group(0)

    return _PRIVATE_SEGMENT.sub(r"\1…", _QUERY_PARAMETER.sub(hide, text))


class Refused(Exception):
    """A request the inbox answers with `status` and a one-line `message` (nothing was written)."""

    def __init__(self, status: HTTPStatus, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


class Inbox:
    """The queue of one output folder: adding items (any thread) and building them (`start` runs the builder)."""

    def __init__(self, output: Path, config: Config):
        self.output = output
        self.config = config
        self.settings = config.inbox
        self.secret, self.made = token(output)
        self._accepted: deque[float] = deque()  # when the items of the last minute were accepted
        self._rate = threading.Lock()
        self._wake = threading.Event()
        self._texts = output / state.STATE_DIR / "inbox"
        self._fetcher = None  # made on first use: starting `serve` loads no HTTP client
        self._damage = ""  # what was last said about a damaged queue file, said once

    # -- requests ---------------------------------------------------------------

    def authorized(self, given: str | None) -> bool:
        """True when `given` is the token (compared in constant time), as `inbox --new-token` last made it."""
        self.secret = state.current_secret(self.output, TOKEN) or self.secret
        return given is not None and hmac.compare_digest(given.encode(), self.secret.encode())

    def add(self, fields: dict[str, str]) -> dict:
        """Queue a URL (`url`, or a `text` that is a shared link) or pasted `text`; return the item as listed.

        Raises Refused: 400 for nothing usable or a URL over MAX_URL_CHARS, 422
        for a URL on an address the inbox does not fetch from, 429 past
        `max_queued` waiting or `per_minute` accepted, 507 when the disk is
        full. The item is on the disk when this returns. A text past
        MAX_TEXT_BYTES is recorded as failed at once, with its reason. A title
        is cut to MAX_TITLE_CHARS.
        """
        url, text, title = (fields.get(key, "").strip() for key in ("url", "text", "title"))
        title = title[:MAX_TITLE_CHARS]
        if not url and _shared_link(text):  # a share sheet's "Page title https://..."
            url, text = _shared_link(text), ""
        if len(url) > MAX_URL_CHARS:
            raise Refused(HTTPStatus.BAD_REQUEST, f"the url is longer than {MAX_URL_CHARS} characters")
        if url:
            try:
                url = as_uri(url, folder=False)
            except ValueError as problem:
                raise Refused(HTTPStatus.BAD_REQUEST, f"url {problem}") from None
            self._check_address(url)
        elif not text:
            raise Refused(HTTPStatus.BAD_REQUEST, "give a url or a text")
        with self._rate:
            now = time.monotonic()
            while self._accepted and now - self._accepted[0] >= 60:
                self._accepted.popleft()
            if len(self._accepted) >= self.settings.per_minute:
                wait = int(60 - (now - self._accepted[0])) + 1
                raise Refused(HTTPStatus.TOO_MANY_REQUESTS, f"more than {self.settings.per_minute} items a minute;"
                              f" try again in {wait} s", {"Retry-After": str(wait)})  # fmt: skip
            item = {"id": secrets.token_hex(8), "state": QUEUED, "added": _now(), "title": title or url or "",
                    "url": url or None, "error": None, "episode": None}  # fmt: skip
            if not url and len(text.encode()) > MAX_TEXT_BYTES:
                item.update(state=FAILED, error=f"the text is larger than {MAX_TEXT_BYTES // 1_000_000} MB; "
                            "articles over that are refused", finished=_now())  # fmt: skip
            try:
                self._save(item, text)
            except OSError as error:  # the server answers, and the queue is as it was
                with contextlib.suppress(OSError):
                    (self._texts / f"{item['id']}.txt").unlink(missing_ok=True)
                log.error("audiobuild: inbox: %s: %s; the item was refused", error.filename or self.output,
                          error.strerror or error)  # fmt: skip
                if error.errno in _NO_SPACE:
                    raise Refused(HTTPStatus.INSUFFICIENT_STORAGE, "the disk is full; nothing was queued") from None
                raise Refused(HTTPStatus.INTERNAL_SERVER_ERROR, f"the server cannot write its queue "
                              f"({error.strerror or error}); nothing was queued") from None  # fmt: skip
            self._accepted.append(now)
        log.info("inbox: queued %s (%s)", item["id"], item["url"] or "pasted text")
        self._wake.set()
        return item

    def _save(self, item: dict, text: str) -> None:
        """Write a queued text, then the item into the queue, durably; Refused (429) when the queue is full."""
        if item["state"] == QUEUED and not item["url"]:
            write_durably(self._texts / f"{item['id']}.txt", text.encode())
            item["title"] = item["title"] or text.strip().splitlines()[0][:120]
        with state.changing(self.output, STATE, durable=True) as document:
            items = document.setdefault("items", [])
            waiting = sum(other["state"] in (QUEUED, BUILDING) for other in items)
            if item["state"] == QUEUED and waiting >= self.settings.max_queued:
                (self._texts / f"{item['id']}.txt").unlink(missing_ok=True)
                raise Refused(HTTPStatus.TOO_MANY_REQUESTS, f"{waiting} items are waiting already; "
                              "try again when some are built", {"Retry-After": "60"})  # fmt: skip
            items.append(item)
            _forget_old(items)

    def _check_address(self, url: str) -> None:
        """Refused (422) now, rather than failed later, for a URL the builder would not fetch from."""
        from audiobuild.read.fetch import Fetcher

        if self._fetcher is None:
            self._fetcher = Fetcher(allow_private=self.settings.allow_private, allowed=self.settings.allow_addresses)
        try:
            self._fetcher.check(url)
        except InputError as error:
            raise Refused(HTTPStatus.UNPROCESSABLE_ENTITY, f"{error}; set [inbox] allow_private = true in "
                          "podcast.toml (or list it in allow_addresses) to take such addresses") from None  # fmt: skip

    def items(self) -> list[dict]:
        """Every item the inbox knows, newest first."""
        return list(reversed(state.read(self.output, STATE).get("items", [])))

    # -- building ---------------------------------------------------------------

    def start(self) -> threading.Thread:
        """Build the queue in a daemon thread, from what an earlier server left unfinished on.

        One builder per folder: its lock is held while this process lives (the
        kernel lets go of it when the process dies, however it dies), so an item
        still marked as building when the lock is free was left by a dead server.
        AudiobuildError when another server is building this folder's inbox.
        """
        self._builder = FileLock(state.state_path(self.output, STATE).with_suffix(".builder.lock"))
        try:
            self._builder.acquire(timeout=0)
        except Timeout:
            raise AudiobuildError(self.output, "another `audiobuild serve --inbox` is serving this folder") from None
        with state.changing(self.output, STATE, durable=True) as document:
            for item in document.get("items", []):
                if item["state"] == BUILDING:
                    item["state"] = QUEUED  # its server died mid-build: build it again
        thread = threading.Thread(target=self._work, name="inbox", daemon=True)
        thread.start()
        return thread

    def _work(self) -> None:
        from audiobuild.read.fetch import Fetcher

        with Fetcher(allow_private=self.settings.allow_private, allowed=self.settings.allow_addresses) as fetcher:
            while True:
                item = self._next()
                if item is None:
                    self._wake.wait(5)
                    self._wake.clear()
                    continue
                try:
                    episode, title = self._build(item, fetcher)
                    outcome = {"state": BUILT, "episode": episode, "title": title[:MAX_TITLE_CHARS], "error": None}
                except KeyboardInterrupt:
                    # Ctrl-C reached the build's workers too, and came back through their results: the main
                    # thread ends the command; the item stays "building" on the disk, built again on the next start.
                    return
                except AudiobuildError as error:
                    # The item's line shows its URL already: its error need not start with it again.
                    own = error.source == item["url"] and not error.line
                    outcome = {"state": FAILED, "error": (error.problem if own else str(error))[:MAX_ERROR_CHARS]}
                except Exception as error:  # a bug: the item fails with it, the queue goes on
                    log.debug("details", exc_info=True)
                    outcome = {"state": FAILED, "error": f"internal error: {type(error).__name__}: {error}"}
                if outcome["state"] == FAILED:
                    log.error("audiobuild: inbox: %s: %s", item["url"] or item["title"], printable(outcome["error"]))
                self._finish(item["id"], outcome)

    def _next(self) -> dict | None:
        """The oldest queued item, marked as being built by this process (None while the queue's file is damaged)."""
        with self._unless_damaged(), state.changing(self.output, STATE, durable=True) as document:
            for item in document.get("items", []):
                if item["state"] == QUEUED:
                    item["state"] = BUILDING
                    return dict(item)
        return None

    def _finish(self, identity: str, outcome: dict) -> None:
        with self._unless_damaged(), state.changing(self.output, STATE, durable=True) as document:
            for item in document.get("items", []):
                if item["id"] == identity:
                    item.update(outcome, finished=_now())
        if outcome["state"] in (BUILT, FAILED):
            (self._texts / f"{identity}.txt").unlink(missing_ok=True)

    @contextlib.contextmanager
    def _unless_damaged(self) -> Iterator[None]:
        """Say once that the queue's file was damaged while serving, and go on: the builder waits until it is mended."""
        try:
            yield
        except AudiobuildError as error:
            if str(error) != self._damage:
                log.error("audiobuild: inbox: %s", error)
            self._damage = str(error)
        else:
            self._damage = ""

    def _build(self, item: dict, fetcher) -> tuple[str, str]:
        """Read and build one item: (its episode's MP3, relative to the folder; its title). AudiobuildError if not."""
        from audiobuild.read.sources import PAGE_ACCEPT, Article, page_article
        from audiobuild.run.batch import build_all
        from audiobuild.run.pipeline import load_script

        config = self.config.for_output(self.output)  # the address `serve` is publishing the feed at
        if item["url"]:
            article = page_article(fetcher.get(item["url"], accept=PAGE_ACCEPT), item["url"])
        else:
            text = (self._texts / f"{item['id']}.txt").read_text(encoding="utf-8")
            # Named by its digest: the same text sent twice is the same episode.
            article = Article(f"inbox:{hashlib.sha256(text.encode()).hexdigest()[:16]}", text)
        try:
            (result,) = build_all([load_script(article, config)], self.output, config, workers=1)
        except BatchFailed as failed:
            raise failed.failures[0] from None
        return result.entry.file, result.entry.title


def _shared_link(text: str) -> str:
    """The link in a text that a share sheet sent ("Page title https://..."): a short text with one URL, else "".

    >>> _shared_link("A long read https://example.org/a"), _shared_link("Q: Why? A: Because.")
    ('https://example.org/a', '')
    """
    links = re.findall(r"https?://\S+", text)
    rest = re.sub(r"https?://\S+", "", text)
    return links[0] if len(links) == 1 and len(rest.strip()) <= 300 else ""


def _forget_old(items: list[dict]) -> None:
    finished = [item for item in items if item["state"] in (BUILT, FAILED)]
    for item in finished[: max(0, len(finished) - KEEP_FINISHED)]:
        items.remove(item)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# ---------------------------------------------------------------------------
# HTTP: what `serve`'s handler hands over for /inbox


def answer(inbox: Inbox, handler, podcast, path: str, root: str = "/") -> None:
    """Answer a request to /inbox or its manifest (`path`) on `handler`; `root` is where the folder is served
    ("/p/<token>/" for a private feed, whose prefix `path` is without).

    `handler` is serve's BaseHTTPRequestHandler; it sets `handler.body_read` once the body is read.
    """
    query = parse_qs(urlsplit(handler.path).query)
    try:
        if handler.command == "POST" and path == PATH:
            given = _token(handler, query)
            if given is not None and not inbox.authorized(given):
                raise Refused(HTTPStatus.FORBIDDEN, "a valid inbox token is needed")
            fields = _fields(handler, MAX_BODY_BYTES if given is not None else MAX_UNSIGNED_BODY_BYTES)
            if given is None and not inbox.authorized(fields.get("token")):
                raise Refused(HTTPStatus.FORBIDDEN, "a valid inbox token is needed")
            item = inbox.add(fields)
            if "text/html" in handler.headers.get("Accept", "") and "json" not in handler.headers.get(
                "Content-Type", ""
            ):  # a browser's own form post (the share target): show the page, where it can be followed
                return _send(handler, HTTPStatus.SEE_OTHER, b"", "text/plain", {"Location": link(root, inbox.secret)})
            return _json(handler, HTTPStatus.ACCEPTED, {"id": item["id"], "state": item["state"]})
        if handler.command in ("GET", "HEAD") and path in (PATH, MANIFEST_PATH):
            if not inbox.authorized(_token(handler, query)):
                raise Refused(HTTPStatus.FORBIDDEN, "a valid inbox token is needed")
            if path == MANIFEST_PATH:
                return _send(handler, HTTPStatus.OK, manifest(inbox.output, podcast, inbox.secret, root),
                             "application/manifest+json")  # fmt: skip
            return _json(handler, HTTPStatus.OK, {"items": [_public(item) for item in inbox.items()]})
        raise Refused(HTTPStatus.METHOD_NOT_ALLOWED, "the inbox takes GET and POST", {"Allow": "GET, POST"})
    except Refused as refused:
        _json(handler, refused.status, {"error": refused.message}, refused.headers)


def _fields(handler, limit: int) -> dict[str, str]:
    """The request body's fields, from a form or a JSON object of at most `limit` bytes.

    Refused: 411 without a Content-Length (a chunked body is not read), 413 past `limit`
    (without the token in the Authorization header or the query, past MAX_UNSIGNED_BODY_BYTES).
    """
    length = handler.headers.get("Content-Length")  # serve's handler has checked that it is one number
    if length is None:
        raise Refused(HTTPStatus.LENGTH_REQUIRED, "a Content-Length is needed")
    if int(length) > limit:
        too_large = (f"requests over {MAX_BODY_BYTES // 1_000_000} MB are refused" if limit == MAX_BODY_BYTES
                     else "give the token in the Authorization header or the query for a body this large")  # fmt: skip
        raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, too_large)
    body = handler.rfile.read(int(length))
    handler.body_read = True
    kind = handler.headers.get_content_type()
    try:
        if kind == "application/json":
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return {key: value for key, value in data.items() if isinstance(value, str)}
        if kind == "application/x-www-form-urlencoded":
            return {key: values[0] for key, values in parse_qs(body.decode(), keep_blank_values=True).items()}
    except (ValueError, UnicodeDecodeError) as error:
        raise Refused(HTTPStatus.BAD_REQUEST, f"the body is not valid {kind}: {error}") from None
    raise Refused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send a form or JSON (url, text, title)")


def _token(handler, query: dict) -> str | None:
    """The token a request carries before its body: `Authorization: Bearer`, else a `token` parameter."""
    scheme, _, value = (handler.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return (query.get("token") or [None])[0]


def _public(item: dict) -> dict:
    return {key: item.get(key) for key in ("id", "state", "title", "url", "added", "finished", "episode", "error")}


def _json(handler, status: HTTPStatus, data: dict, headers: dict | None = None) -> None:
    _send(handler, status, json.dumps(data, ensure_ascii=False).encode(), "application/json", headers)


def _send(handler, status: HTTPStatus, body: bytes, content_type: str, headers: dict | None = None) -> None:
    handler.send_response(status)
    for name, value in {**(headers or {}), "Content-Type": content_type, "Content-Length": str(len(body)),
                        "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}.items():  # fmt: skip
        handler.send_header(name, value)
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def manifest(output: Path, podcast, secret: str, root: str = "/") -> bytes:
    """The web app manifest: the page (at `root`) as an installable app whose Web Share Target posts to the inbox."""
    icon = {"src": f"{root}{podcast.cover_file}", "type": podcast.cover_mime}
    size = _png_size(output / podcast.cover_file)
    icon["sizes"] = f"{size[0]}x{size[1]}" if size else "any"
    data = {
        "name": podcast.title,
        "short_name": podcast.title[:30],
        "start_url": link(root, secret),
        "scope": root,
        "display": "standalone",
        "icons": [icon],
        "share_target": {
            "action": f"{root.rstrip('/')}{PATH}?token={secret}",
            "method": "POST",
            "enctype": "application/x-www-form-urlencoded",
            "params": {"title": "title", "text": "text", "url": "url"},
        },
    }
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


def _png_size(path: Path) -> tuple[int, int] | None:
    """A PNG's width and height from its header (IHDR), without an image library."""
    try:
        with path.open("rb") as file:
            head = file.read(24)
    except OSError:
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n" or len(head) < 24:
        return None
    return struct.unpack(">II", head[16:24])


def describe(output: Path, base_url: str, renew: bool = False) -> str:
    """`audiobuild inbox`: the inbox link (a new token with `renew`) and the queue."""
    secret, _ = token(output, renew)
    items = list(reversed(state.read(output, STATE).get("items", [])))
    lines = [("New inbox link" if renew else "Inbox link") + f" (keep it private): {link(base_url, secret)}"]
    if renew:
        lines.append("The old link no longer works: open this one on your phone, and renew its bookmarklet.")
    for item in items[:20]:
        detail = f": {item['error']}" if item.get("error") else f" -> {item['episode']}" if item.get("episode") else ""
        # Titles and errors come from the senders and the pages fetched: they cannot drive the terminal.
        lines.append(printable(f"  {item['state']:<8} {item['added']}  {item['title']}{detail}"))
    return "\n".join(lines) + "\n"
