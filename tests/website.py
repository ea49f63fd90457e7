"""A real web site on 127.0.0.x for the tests that download: pages, feeds, redirects, faults; it counts what it sends.

Each page has an ETag (a digest of its bytes) and a Last-Modified, and answers
a conditional GET that still matches with 304, as a well-behaved server does.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import http.server
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


@dataclass
class Page:
    """What the site answers for one path."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    location: str | None = None  # for a redirect
    validators: bool = True  # ETag and Last-Modified, and 304s
    delay: float = 0.0  # seconds before answering
    chunked: bool = False  # no Content-Length: the body streams until the connection closes
    modified: float = field(default_factory=lambda: time.time() - 3600)


class Site:
    """The pages of a test web site, and what it was asked for."""

    def __init__(self):
        self.pages: dict[str, Page] = {}
        self.requests: Counter[str] = Counter()  # path -> requests
        self.not_modified: Counter[str] = Counter()  # path -> 304s sent
        self.headers: list[dict[str, str]] = []  # every request's headers, in order
        self.active = 0
        self.most_at_once = 0
        self._lock = threading.Lock()
        self.url = ""

    def page(self, path: str, body: bytes | str = b"", **options) -> None:
        """Set what `path` answers (a new body gets a new ETag and Last-Modified)."""
        self.pages[path] = Page(body.encode() if isinstance(body, str) else body, **options)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.pages[path] = Page(status=status, location=location, validators=False)

    def reset_counts(self) -> None:
        self.requests.clear()
        self.not_modified.clear()
        self.headers.clear()


class _Handler(http.server.BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        site = self.site
        path = self.path.split("?", 1)[0]
        with site._lock:
            site.requests[path] += 1
            site.headers.append(dict(self.headers))
            site.active += 1
            site.most_at_once = max(site.most_at_once, site.active)
        self._answered = False
        try:
            self._answer(site, path)
        finally:
            self._done()

    def _done(self) -> None:
        """Count this request as answered: before its first byte goes out, after which the client may send the next."""
        if not self._answered:
            self._answered = True
            with self.site._lock:
                self.site.active -= 1

    def _answer(self, site: Site, path: str) -> None:
        page = site.pages.get(path)
        if page is None:
            return self._send(404, b"not found\n", "text/plain")
        time.sleep(page.delay)
        if page.location is not None:
            return self._send(page.status, b"", "text/plain", {"Location": page.location})
        headers = {}
        if page.validators:
            etag = '"' + hashlib.sha256(page.body).hexdigest()[:16] + '"'
            modified = email.utils.formatdate(page.modified, usegmt=True)
            headers = {"ETag": etag, "Last-Modified": modified}
            if self.headers.get("If-None-Match") == etag or (
                "If-None-Match" not in self.headers and self.headers.get("If-Modified-Since") == modified
            ):
                with site._lock:
                    site.not_modified[path] += 1
                return self._send(304, b"", None, headers)
        if page.chunked:
            self._done()
            self.send_response(page.status)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(page.body)
            self.close_connection = True
            return None
        return self._send(page.status, page.body, page.content_type, headers)

    def _send(self, status: int, body: bytes, content_type: str | None, headers: dict | None = None) -> None:
        self._done()
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def log_message(self, *args) -> None:
        """Quiet."""


@contextlib.contextmanager
def serving(site: Site | None = None, host: str = "127.0.0.1") -> Iterator[Site]:
    """Serve `site` (a new one by default) on a free port of `host` until the block ends; `site.url` is its root."""
    site = site or Site()
    handler: Callable = type("Handler", (_Handler,), {"site": site})
    server = http.server.ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    site.url = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
