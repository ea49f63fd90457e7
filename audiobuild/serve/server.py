"""`audiobuild serve`: the output folder over HTTP, for podcast apps on the local network.

A static file server on the standard library's ThreadingHTTPServer, with what
`http.server`'s own handler lacks: byte ranges (players seek and resume with
them), validators and 304s (apps poll the feed hourly), podcast content types,
CORS for web players, and a strict idea of what may be served: regular files
inside the folder, never a listing, a hidden or temporary file, or anything a
path or symlink points to outside.

A request for several ranges (`bytes=0-9,20-29`) gets the whole file with 200,
as RFC 9110 allows: players ask for one range at a time, so multipart
responses would be code that no client here needs.
"""

from __future__ import annotations

import contextlib
import email.utils
import hmac
import logging
import os
import re
import signal
import ssl
import stat
import sys
import threading
from dataclasses import dataclass
from datetime import UTC
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import TCPServer
from urllib.parse import quote, unquote, urlsplit

from audiobuild import __version__
from audiobuild.errors import AudiobuildError, printable
from audiobuild.model import CHAPTERS_DIR, EPISODES_DIR, TRANSCRIPTS_DIR
from audiobuild.publish import state
from audiobuild.publish.episodes import replaced_by
from audiobuild.publish.page import PAGE_FILE
from audiobuild.serve.inbox import MANIFEST_PATH, Inbox, answer, redact
from audiobuild.serve.inbox import PATH as INBOX_PATH

log = logging.getLogger("audiobuild")

ALLOWED_METHODS = "GET, HEAD, OPTIONS"
PRIVATE_TOKEN = "feed-token"  # the private feed's secret, in the output folder's .state/
# A stalled or idle keep-alive connection gives its thread back after this long.
IDLE_TIMEOUT_S = 60
# Connections served at once; past it a new one is answered 503 and closed, so that many clients
# (or one hostile one) cannot make a thread and a buffer each without end. Podcast apps open a few each.
MAX_CONNECTIONS = 128

_CONTENT_TYPES = {
    ".mp3": "audio/mpeg",
    ".xml": "application/rss+xml; charset=utf-8",
    # An XML MIME type (unlike text/xsl), so every browser applies the feed's stylesheet.
    ".xsl": "application/xslt+xml",
    ".html": "text/html; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
_BUSY = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
_CHAPTERS_SUFFIX = ".chapters.json"
_CHAPTERS_TYPE = "application/json+chapters"
_DEFAULT_TYPE = "application/octet-stream"
_BROWSER_XML = "application/xml; charset=utf-8"

# Files in these folders are named after the episode's revision (catalogue.Entry.stem), so
# new bytes get a new URL and clients may keep what they have; not `immutable`, because
# removing an episode and building it again starts its revisions over.
_REVISIONED_DIRS = frozenset({EPISODES_DIR, TRANSCRIPTS_DIR, CHAPTERS_DIR})
_LONG_LIVED = "public, max-age=604800"
# feed.xml, index.html, the cover and the like change in place: keep, but ask (a cheap 304) every time.
_REVALIDATE = "no-cache"

_RANGE_SPEC = re.compile(r"([0-9]*)-([0-9]*)")
# RFC 9110 8.6: 1*DIGIT; 15 digits are more bytes than any body taken here could have.
_CONTENT_LENGTH = re.compile(r"[0-9]{1,15}")
_ENTITY_TAG = re.compile(r'(?:W/)?"[^"]*"')
_PRIVATE_TARGET = re.compile(r"/p/(?P<secret>[^/?#]+)(?P<rest>/.*)", re.DOTALL)


def content_type(name: str, accept: str = "") -> str:
    """The Content-Type for a file called `name`, for a client that sent `accept`.

    A browser opening the feed (it accepts text/html) gets it as plain XML:
    Chromium shows application/rss+xml as text instead of running the feed's
    stylesheet. Podcast apps get application/rss+xml.

    >>> content_type("galuzin.chapters.json")
    'application/json+chapters'
    >>> content_type("feed.xml", accept="*/*")
    'application/rss+xml; charset=utf-8'
    >>> content_type("feed.xml", accept="text/html,application/xml;q=0.9,*/*;q=0.8")
    'application/xml; charset=utf-8'
    """
    if name.lower().endswith(_CHAPTERS_SUFFIX):
        return _CHAPTERS_TYPE
    suffix = Path(name).suffix.lower()
    if suffix == ".xml" and "text/html" in accept:
        return _BROWSER_XML
    return _CONTENT_TYPES.get(suffix, _DEFAULT_TYPE)


@dataclass(frozen=True)
class ByteRange:
    """The bytes `start` up to, not including, `stop` of a file."""

    start: int
    stop: int

    def content_range(self, size: int) -> str:
        """The Content-Range header value for this range of a file of `size` bytes."""
        return f"bytes {self.start}-{self.stop - 1}/{size}"


class RangeNotSatisfiable(Exception):
    """A syntactically valid Range that selects no byte of the file (answered with 416)."""


def parse_range(header: str, size: int) -> ByteRange | None:
    """The one range of a `size`-byte file that a Range header asks for.

    None means the header is to be ignored and the whole file sent: invalid syntax,
    another unit than bytes, or several ranges. An end beyond the file is clipped.
    Raises RangeNotSatisfiable when the range starts at or past the end of the file.

    >>> parse_range("bytes=100-", 1000)
    ByteRange(start=100, stop=1000)
    >>> parse_range("bytes=-100", 1000)
    ByteRange(start=900, stop=1000)
    >>> parse_range("bytes=0-99999", 1000)
    ByteRange(start=0, stop=1000)
    >>> parse_range("bytes=0-9,20-29", 1000) is None
    True
    """
    unit, equals, spec = header.partition("=")
    if not equals or unit.strip().lower() != "bytes" or "," in spec:
        return None
    match = _RANGE_SPEC.fullmatch(spec.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None
    try:
        first, last = (int(text) if text else None for text in match.groups())
    except ValueError:  # thousands of digits: past Python's int conversion limit
        return None
    if first is None:  # a suffix: the last `last` bytes
        if last == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        return ByteRange(max(size - last, 0), size)
    if last is not None and last < first:
        return None
    if first >= size:
        raise RangeNotSatisfiable(header)
    return ByteRange(first, size if last is None else min(last + 1, size))


def _request_path(target: str) -> list[str] | None:
    """The decoded path segments of a request target, or None if it must not be served.

    Segments are decoded one by one, so an encoded `/` (`%2f`) can never split one in two.
    """
    if target.startswith("/"):
        path = target.partition("?")[0].partition("#")[0]
    else:  # the absolute form, `GET http://host/feed.xml`, which servers must accept
        parts = urlsplit(target)
        path = parts.path or "/"
        if parts.scheme.lower() not in ("http", "https") or not path.startswith("/"):
            return None
    if path == "/":
        return [PAGE_FILE]
    segments = []
    for raw in path[1:].split("/"):
        try:
            segment = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            return None
        # An empty segment is `//` or a directory's trailing slash; a leading dot is `.`, `..`,
        # a hidden file or the builder's `.tmp-*` files; `:` would name a drive on Windows.
        if not segment or segment.startswith(".") or any(char in segment for char in "/\\\0:"):
            return None
        segments.append(segment)
    return segments


class OutputServer(ThreadingHTTPServer):
    """Serves one output folder; one daemon thread per connection (ThreadingHTTPServer's default)."""

    # Podcast apps open several connections at once; the default backlog of 5 drops some.
    request_queue_size = 128

    def __init__(
        self, root: Path, address: tuple[str, int], inbox: Inbox | None = None, podcast=None, private: bool = False
    ):
        self.root = Path(os.path.realpath(root))
        self.inbox, self.podcast = inbox, podcast  # with an inbox, /inbox takes articles (inbox.answer)
        self.private = private  # everything only under /p/<the private feed's token>/
        self._connections = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(address, _Handler)

    def process_request(self, request, client_address) -> None:
        """Serve the connection in a thread of its own, or answer 503 when MAX_CONNECTIONS are being served."""
        if not self._connections.acquire(blocking=False):
            if not isinstance(request, ssl.SSLSocket):  # no handshake has been made: TLS ones are only closed
                with contextlib.suppress(OSError):
                    request.sendall(_BUSY)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread started: give the place back
            self._connections.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connections.release()

    def server_bind(self) -> None:
        """Bind without HTTPServer's getfqdn(): a reverse DNS lookup that can stall start-up."""
        TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def private_secret(self) -> str | None:
        """The private feed's token as it is on the disk now: `audiobuild private --new-token` may have replaced it."""
        return state.current_secret(self.root, PRIVATE_TOKEN)

    def locate(self, target: str) -> tuple[str, Path] | None:
        """The URL's file name and the regular file inside the folder that `target` names, if any."""
        segments = _request_path(target)
        if segments is None:
            return None
        real = Path(os.path.realpath(self.root.joinpath(*segments)))
        # A symlink may lead anywhere: what it leads to must be inside the folder and not hidden either.
        if not real.is_relative_to(self.root) or any(
            part.startswith(".") for part in real.relative_to(self.root).parts
        ):
            return None
        try:
            is_file = stat.S_ISREG(os.stat(real).st_mode)
        except OSError:
            return None
        return ("/".join(segments), real) if is_file else None

    def handle_error(self, request, client_address) -> None:
        """Log an unexpected failure in one line (the traceback at DEBUG) instead of printing it."""
        # socketserver calls this inside its `except`, so the exception is the current one.
        error = sys.exc_info()
        log.debug("details", exc_info=error)
        log.error("audiobuild serve: a request from %s failed: %s", client_address[0], error[1])


class _Handler(BaseHTTPRequestHandler):
    server: OutputServer
    # Keep-alive: a player sends many range requests, and a podcast app many files, on one connection.
    protocol_version = "HTTP/1.1"
    # Until the request line is understood; the stdlib's HTTP/0.9 would answer garbage with no status line.
    default_request_version = "HTTP/1.0"
    server_version = f"audiobuild/{__version__}"
    timeout = IDLE_TIMEOUT_S

    def handle(self) -> None:
        try:
            if isinstance(self.connection, ssl.SSLSocket):  # here, in this connection's thread, not in accept()
                self.connection.do_handshake()
            super().handle()
        except (ConnectionError, ssl.SSLError, TimeoutError) as error:  # a player that seeks drops its connection
            log.debug("%s went away: %s", self.client_address[0], error)

    def parse_request(self) -> bool:
        """The stdlib's parsing, and a body's framing checked: one Content-Length that is a number, or none."""
        if not super().parse_request():
            return False
        self.body_read = False  # the inbox sets it once it has read the body (see end_headers)
        lengths = self.headers.get_all("Content-Length") or []
        # Both framings at once is how a body is smuggled past a proxy that reads the other (RFC 9112 6.1).
        if (
            len(set(lengths)) > 1
            or not all(_CONTENT_LENGTH.fullmatch(length.strip()) for length in lengths)
            or (lengths and "Transfer-Encoding" in self.headers)
        ):
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad Content-Length")  # closes the connection
            return False
        return True

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        target = self._inside()
        if target is None:
            self._send_status(HTTPStatus.NOT_FOUND)
        elif not self._to_inbox(target):
            self._send_file(target, head)

    def do_POST(self) -> None:
        target = self._inside()
        if target is None or not self._to_inbox(target):
            self._refuse_method()

    def _inside(self) -> str | None:
        """The request's target within the folder: the target itself, or, serving a private feed,
        what follows the secret prefix (`/p/<token>`). None for anything else: it is answered 404."""
        self.root_path = "/"
        if not self.server.private:
            return self.path
        target = self.path
        if not target.startswith("/"):  # the absolute form
            parts = urlsplit(target)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        match = _PRIVATE_TARGET.fullmatch(target)
        secret = self.server.private_secret()
        if match is None or secret is None or not hmac.compare_digest(match["secret"].encode(), secret.encode()):
            return None
        self.root_path = f"/p/{secret}/"
        return match["rest"]

    def _to_inbox(self, target: str) -> bool:
        """Hand a request for /inbox to the inbox, when there is one; True when it was."""
        path = target.partition("?")[0]
        if self.server.inbox is None or path not in (INBOX_PATH, MANIFEST_PATH):
            return False
        answer(self.server.inbox, self, self.server.podcast, path, self.root_path)
        return True

    def do_OPTIONS(self) -> None:
        if self._inside() is None:
            self._send_status(HTTPStatus.NOT_FOUND)
            return
        # The answer to a web player's CORS preflight.
        self._send_head(
            HTTPStatus.NO_CONTENT,
            {
                "Allow": ALLOWED_METHODS,
                "Access-Control-Allow-Methods": ALLOWED_METHODS,
                "Access-Control-Allow-Headers": "Range, If-Range, If-None-Match, If-Modified-Since",
                "Access-Control-Max-Age": "86400",
            },
        )

    def __getattr__(self, name: str):
        # BaseHTTPRequestHandler looks for do_<METHOD> and answers 501 without one; every
        # method is known to us, only not allowed here.
        if name.startswith("do_"):
            return self._refuse_method
        raise AttributeError(name)

    def _refuse_method(self) -> None:
        if self._inside() is None:  # a private feed's server says nothing of paths outside it
            self._send_status(HTTPStatus.NOT_FOUND)
            return
        self._send_status(HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": ALLOWED_METHODS})

    def end_headers(self) -> None:
        # A body left unread on the connection would be taken for the next request (request smuggling):
        # every answer that did not read it closes the connection, whoever wrote the answer.
        if not getattr(self, "body_read", True) and (
            "Transfer-Encoding" in self.headers or self.headers.get("Content-Length", "0").strip() != "0"
        ):
            self.send_header("Connection", "close")
        # On every answer, errors too, so that a web player can read why it failed.
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "Content-Range, Content-Length, Accept-Ranges, ETag")
        super().end_headers()

    def version_string(self) -> str:
        # Without the default's Python version: nothing a client needs.
        return self.server_version

    def log_message(self, format: str, *args) -> None:
        # One line per request (`-q` mutes them); the request line is the client's text: it cannot drive the terminal.
        log.info("%s %s", self.client_address[0], redact(printable(format % args)))

    def _send_file(self, target: str, head: bool) -> None:
        found = self.server.locate(target)
        if found is None:
            # A replaced revision's URL, which some apps keep for an episode: sent to the current one, in its folder.
            current = replaced_by(self.server.root, "/".join(_request_path(self.path) or []))
            moved = {"Location": quote(current.rpartition("/")[2])} if current else None
            self._send_status(HTTPStatus.MOVED_PERMANENTLY if moved else HTTPStatus.NOT_FOUND, moved)
            return
        name, path = found
        try:
            file = open(path, "rb")
        except OSError:  # removed since located
            self._send_status(HTTPStatus.NOT_FOUND)
            return
        with file:
            info = os.fstat(file.fileno())
            size = info.st_size
            etag = f'"{info.st_ino:x}-{info.st_mtime_ns:x}-{size:x}"'
            modified = int(info.st_mtime)
            headers = {
                "ETag": etag,
                "Last-Modified": email.utils.formatdate(modified, usegmt=True),
                "Cache-Control": _LONG_LIVED if name.split("/")[0] in _REVISIONED_DIRS else _REVALIDATE,
                "Accept-Ranges": "bytes",
            }
            if self._not_modified(etag, modified):
                self._send_head(HTTPStatus.NOT_MODIFIED, headers)
                return
            headers["Content-Type"] = content_type(name, self.headers.get("Accept", ""))
            if name.endswith(".xml"):
                headers["Vary"] = "Accept"
            try:
                byte_range = self._byte_range(size, etag, modified, head)
            except RangeNotSatisfiable:
                self._send_status(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, {"Content-Range": f"bytes */{size}"})
                return
            if byte_range is None:
                byte_range = ByteRange(0, size)
                status = HTTPStatus.OK
            else:
                status = HTTPStatus.PARTIAL_CONTENT
                headers["Content-Range"] = byte_range.content_range(size)
            headers["Content-Length"] = str(byte_range.stop - byte_range.start)
            self._send_head(status, headers)
            if not head and byte_range.stop > byte_range.start:
                # On Linux the kernel copies from the file to the socket; elsewhere it goes in small blocks.
                self.connection.sendfile(file, byte_range.start, byte_range.stop - byte_range.start)

    def _not_modified(self, etag: str, modified: int) -> bool:
        """Whether If-None-Match, or else If-Modified-Since, says the client's copy is current."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            if if_none_match.strip() == "*":
                return True
            # The weak comparison: W/"x" matches "x".
            return any(tag.removeprefix("W/") == etag for tag in _ENTITY_TAG.findall(if_none_match))
        since = _http_date(self.headers.get("If-Modified-Since"))
        return since is not None and modified <= since

    def _byte_range(self, size: int, etag: str, modified: int, head: bool) -> ByteRange | None:
        """The range to send, or None for the whole file; raises RangeNotSatisfiable."""
        header = self.headers.get("Range")
        # RFC 9110 defines ranges for GET only, and a server must ignore them on other methods.
        if header is None or head:
            return None
        if_range = self.headers.get("If-Range")
        if if_range is not None and not _if_range_holds(if_range.strip(), etag, modified):
            return None  # the client's partial copy is of an older file: it needs all of this one
        return parse_range(header, size)

    def _send_head(self, status: HTTPStatus, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _send_status(self, status: HTTPStatus, headers: dict[str, str] | None = None) -> None:
        """A short plain-text answer that keeps the connection open (send_error would close it)."""
        body = f"{status.value} {status.phrase}\n".encode()
        self._send_head(
            status,
            {
                **(headers or {}),
                "Content-Type": "text/plain; charset=utf-8",
                "Content-Length": str(len(body)),
                # A 404 may be a file the builder has yet to write: do not let it be cached.
                "Cache-Control": "no-store",
            },
        )
        if self.command != "HEAD":
            self.wfile.write(body)


def _http_date(value: str | None) -> int | None:
    """An HTTP-date as a Unix time, or None when absent or malformed (the header is then ignored)."""
    if value is None:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
        if moment.tzinfo is None:  # "-0000": UTC, as HTTP-dates always are
            moment = moment.replace(tzinfo=UTC)
        return int(moment.timestamp())
    except (TypeError, ValueError, OverflowError):  # a year of 99999999999, an offset of 20 digits
        return None


def _if_range_holds(value: str, etag: str, modified: int) -> bool:
    """Whether an If-Range validator still names this file: a strong ETag match or the exact date."""
    if value.startswith(('"', "W/")):
        return value == etag  # a weak tag never matches for ranges
    return _http_date(value) == modified


def make_server(
    root: Path,
    host: str = "0.0.0.0",
    port: int = 8000,
    inbox: Inbox | None = None,
    podcast=None,
    tls: ssl.SSLContext | None = None,
    private: bool = False,
) -> OutputServer:
    """A server for the output folder `root`, bound and listening; port 0 picks a free port.

    The address it got is `server.server_address`. With `inbox`, /inbox takes
    articles (`podcast` names the web app); with `tls`, it speaks HTTPS (the
    handshake happens in each connection's own thread); with `private`, it
    answers only under /p/<the folder's private token>/. Raises AudiobuildError
    when `root` is not a folder or the address cannot be listened on (in use,
    not this machine's).
    """
    if not root.is_dir():
        raise AudiobuildError(root, "no such folder (`audiobuild build` writes it)")
    try:
        server = OutputServer(root, (host, port), inbox, podcast, private)
    except (OSError, OverflowError) as error:
        reason = getattr(error, "strerror", None) or error
        raise AudiobuildError(f"{host}:{port}", f"cannot listen there: {reason}") from None
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    return server


def serve_forever(server: OutputServer) -> None:
    """Answer requests until `server.shutdown()` or SIGTERM, then close the listening socket.

    Ctrl-C closes it too, and raises KeyboardInterrupt: the command ends as
    `build` does (one line, exit 130). Downloads in progress run on daemon
    threads and end with the process.
    """
    stop_on_term = threading.current_thread() is threading.main_thread()
    if stop_on_term:  # a service manager's stop: the server ends, and the command with success
        previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        server.serve_forever()
    except _Terminated:
        log.debug("terminated: stopping the server")
    finally:
        server.server_close()
        if stop_on_term:
            signal.signal(signal.SIGTERM, previous)


class _Terminated(Exception):
    """SIGTERM, raised in the main thread to leave serve_forever's loop."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated
