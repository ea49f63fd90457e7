"""`audiobuild serve` against a real server on 127.0.0.1: ranges, validators, types, containment, load."""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import ipaddress
import logging
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import segno

from audiobuild import __version__
from audiobuild.errors import AudiobuildError
from audiobuild.serve import command
from audiobuild.serve import server as serve

EPISODE = "/episodes/lighthouse.mp3"
EPISODE_BYTES = b"ID3\x03\x00\x00\x00\x00\x00\x00" + random.Random(20240611).randbytes(300_000 - 10)
SIZE = len(EPISODE_BYTES)
# Big enough that the socket buffers cannot hold it: a client that hangs up meets a server still sending.
BIG = "/episodes/long.mp3"
BIG_SIZE = 32 * 1024 * 1024
SECRET = b"top secret, outside the output folder"
FEED = b'<?xml version="1.0" encoding="UTF-8"?>\n<?xml-stylesheet type="text/xsl" href="feed.xsl"?>\n<rss/>\n'
INDEX = b"<!doctype html><title>Interviews, read aloud</title>\n"
TIMEOUT_S = 10

FILES = {
    "feed.xml": FEED,
    "feed.xsl": b'<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"/>\n',
    "index.html": INDEX,
    "cover.png": b"\x89PNG\r\n\x1a\n" + bytes(100),
    "cover.jpg": b"\xff\xd8\xff\xe0" + bytes(100),
    "catalogue.json": b'{"episodes": []}\n',
    "episodes/lighthouse.mp3": EPISODE_BYTES,
    "episodes/empty.mp3": b"",
    "transcripts/lighthouse.vtt": "WEBVTT\n\n00:00:00.300 --> 00:00:01.200\n<v Narrator>Ада\n".encode(),
    "transcripts/lighthouse.srt": b"1\n00:00:00,300 --> 00:00:01,200\nNarrator: A title\n",
    "transcripts/lighthouse.json": b'{"version": "1.0.0", "segments": []}\n',
    "transcripts/lighthouse.txt": b"Narrator: A title\n",
    "chapters/lighthouse.chapters.json": b'{"version": "1.2.0", "chapters": []}\n',
    ".hidden": SECRET,
    "episodes/.tmp-k2j3h4.mp3": SECRET,
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """An output folder, with a secret file beside it and symlinks in and out of it."""
    base = tmp_path_factory.mktemp("site")
    (base / "secret.txt").write_bytes(SECRET)
    root = base / "output"
    for name, data in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    with (root / BIG.lstrip("/")).open("wb") as big:
        big.truncate(BIG_SIZE)
    (root / "episodes" / "escape.mp3").symlink_to(base / "secret.txt")
    (root / "outside").symlink_to(base, target_is_directory=True)
    (root / "episodes" / "alias.mp3").symlink_to("lighthouse.mp3")
    # Inside the folder, but to what is never served: the private state, a hidden file.
    (root / ".state").mkdir()
    (root / ".state" / "inbox-token").write_bytes(SECRET)
    (root / "episodes" / "token.mp3").symlink_to("../.state/inbox-token")
    (root / "hidden.txt").symlink_to(".hidden")
    (root / "state").symlink_to(".state", target_is_directory=True)
    return root


@contextlib.contextmanager
def running(root: Path) -> Iterator[serve.OutputServer]:
    """A server for `root` on a free port of 127.0.0.1, answering in a background thread."""
    server = serve.make_server(root, "127.0.0.1", 0)
    thread = threading.Thread(target=serve.serve_forever, args=(server,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(TIMEOUT_S)
        assert not thread.is_alive()
        assert server.socket.fileno() == -1  # serve_forever closed it


@pytest.fixture(scope="module")
def server(site) -> Iterator[serve.OutputServer]:
    with running(site) as server:
        yield server


class Records(logging.Handler):
    """The audiobuild logger's records, with an event for the first one containing `awaited`."""

    def __init__(self, awaited: str = ""):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.awaited = awaited
        self.arrived = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        if self.awaited and self.awaited in record.getMessage():
            self.arrived.set()

    def messages(self, level: int = logging.DEBUG) -> list[str]:
        return [record.getMessage() for record in self.records if record.levelno >= level]


@contextlib.contextmanager
def recording(awaited: str = "") -> Iterator[Records]:
    logger = logging.getLogger("audiobuild")
    records = Records(awaited)
    level = logger.level
    logger.addHandler(records)
    logger.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        logger.removeHandler(records)
        logger.setLevel(level)


def fetch(server, path: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of one request."""
    connection = http.client.HTTPConnection(*server.server_address, timeout=TIMEOUT_S)
    try:
        connection.request(method, path, headers={name.replace("_", "-"): value for name, value in headers.items()})
        response = connection.getresponse()
        return response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()
    finally:
        connection.close()


def raw(server, request: bytes) -> bytes:
    """Everything the server sends back to `request` until it closes the connection."""
    with socket.create_connection(server.server_address, timeout=TIMEOUT_S) as client:
        client.sendall(request)
        received = b""
        while chunk := client.recv(65536):
            received += chunk
    return received


def raw_status(server, target: str | bytes) -> tuple[int, bytes]:
    """The status and the whole answer to a GET of `target` sent exactly as given."""
    target = target if isinstance(target, bytes) else target.encode()
    answer = raw(server, b"GET " + target + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    return int(answer.split(b" ", 2)[1]), answer


# --- whole files, types and headers -----------------------------------------------------------


def test_a_whole_episode_with_its_validators_and_cache_policy(server, site):
    status, headers, body = fetch(server, EPISODE)
    stat = (site / "episodes" / "lighthouse.mp3").stat()
    assert status == 200
    assert body == EPISODE_BYTES
    assert headers["content-length"] == str(SIZE)
    assert headers["content-type"] == "audio/mpeg"
    assert headers["accept-ranges"] == "bytes"
    assert headers["etag"] == f'"{stat.st_ino:x}-{stat.st_mtime_ns:x}-{SIZE:x}"'
    assert headers["last-modified"] == email.utils.formatdate(int(stat.st_mtime), usegmt=True)
    assert headers["cache-control"] == "public, max-age=604800"
    assert headers["server"] == f"audiobuild/{__version__}"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/feed.xml", "application/rss+xml; charset=utf-8"),
        ("/feed.xsl", "application/xslt+xml"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/cover.png", "image/png"),
        ("/cover.jpg", "image/jpeg"),
        ("/catalogue.json", "application/json"),
        ("/episodes/lighthouse.mp3", "audio/mpeg"),
        ("/transcripts/lighthouse.vtt", "text/vtt; charset=utf-8"),
        ("/transcripts/lighthouse.srt", "application/x-subrip"),
        ("/transcripts/lighthouse.json", "application/json"),
        ("/transcripts/lighthouse.txt", "text/plain; charset=utf-8"),
        ("/chapters/lighthouse.chapters.json", "application/json+chapters"),
    ],
)
def test_content_types(server, path, expected):
    status, headers, body = fetch(server, path)
    assert (status, headers["content-type"]) == (200, expected)
    assert body == FILES[path.lstrip("/")]


def test_unknown_suffixes_are_served_as_bytes():
    assert serve.content_type("notes.bin") == "application/octet-stream"
    assert serve.content_type("COVER.JPEG") == "image/jpeg"
    assert serve.content_type("README.md") == "text/markdown; charset=utf-8"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/feed.xml", "no-cache"),
        ("/index.html", "no-cache"),
        ("/cover.png", "no-cache"),
        ("/transcripts/lighthouse.vtt", "public, max-age=604800"),
        ("/chapters/lighthouse.chapters.json", "public, max-age=604800"),
    ],
)
def test_what_changes_in_place_is_revalidated_and_revisioned_files_are_kept(server, path, expected):
    assert fetch(server, path)[1]["cache-control"] == expected


@pytest.mark.parametrize(
    "path", ["/transcripts/lighthouse.vtt", "/chapters/lighthouse.chapters.json", EPISODE, "/no-such-file"]
)
def test_web_players_may_read_everything_cross_origin(server, path):
    headers = fetch(server, path, Origin="https://player.example")[1]
    assert headers["access-control-allow-origin"] == "*"
    assert "Content-Range" in headers["access-control-expose-headers"]


def test_the_cors_preflight(server):
    status, headers, body = fetch(server, EPISODE, "OPTIONS", Access_Control_Request_Method="GET")
    assert (status, body) == (204, b"")
    assert headers["allow"] == headers["access-control-allow-methods"] == "GET, HEAD, OPTIONS"
    assert "Range" in headers["access-control-allow-headers"]
    assert headers["access-control-allow-origin"] == "*"


def test_the_root_is_the_index_page(server):
    status, headers, body = fetch(server, "/")
    assert (status, body, headers["content-type"]) == (200, INDEX, "text/html; charset=utf-8")


def test_a_query_string_is_ignored(server):
    assert fetch(server, "/feed.xml?format=rss")[2] == FEED


def test_the_absolute_form_of_a_request_target(server):
    assert raw_status(server, "http://127.0.0.1/feed.xml")[0] == 200
    assert raw_status(server, "http://127.0.0.1/../secret.txt")[0] == 404


@pytest.mark.parametrize("path", [EPISODE, "/feed.xml", "/transcripts/lighthouse.vtt", "/missing.mp3"])
def test_head_answers_with_the_headers_of_get(server, path):
    get_status, get_headers, _ = fetch(server, path)
    head_status, head_headers, head_body = fetch(server, path, "HEAD")
    del get_headers["date"], head_headers["date"]
    assert (head_status, head_headers, head_body) == (get_status, get_headers, b"")


def test_a_symlink_inside_the_folder_is_followed(server):
    status, _, body = fetch(server, "/episodes/alias.mp3")
    assert (status, body) == (200, EPISODE_BYTES)


# --- ranges -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [
        ("bytes=0-", 0, SIZE),
        ("bytes=1000-", 1000, SIZE),
        ("bytes=100-199", 100, 200),
        ("bytes=0-0", 0, 1),
        (f"bytes={SIZE - 1}-{SIZE - 1}", SIZE - 1, SIZE),
        ("bytes=-500", SIZE - 500, SIZE),
        (f"bytes=-{SIZE * 10}", 0, SIZE),  # a suffix longer than the file is all of it
        (f"bytes=299000-{SIZE * 10}", 299000, SIZE),  # an end past the file is clipped
        ("Bytes = 5-9", 5, 10),  # the unit is case-insensitive
    ],
)
def test_one_range_is_206_with_its_content_range(server, header, start, stop):
    status, headers, body = fetch(server, EPISODE, Range=header)
    assert status == 206
    assert headers["content-range"] == f"bytes {start}-{stop - 1}/{SIZE}"
    assert headers["content-length"] == str(stop - start)
    assert headers["accept-ranges"] == "bytes"
    assert headers["content-type"] == "audio/mpeg"
    assert body == EPISODE_BYTES[start:stop]


@pytest.mark.parametrize(
    ("path", "header", "size"),
    [
        (EPISODE, f"bytes={SIZE}-", SIZE),
        (EPISODE, f"bytes={SIZE + 5}-{SIZE + 10}", SIZE),
        (EPISODE, "bytes=-0", SIZE),
        ("/episodes/empty.mp3", "bytes=0-", 0),
        ("/episodes/empty.mp3", "bytes=-10", 0),
    ],
)
def test_a_range_past_the_end_is_416(server, path, header, size):
    status, headers, _ = fetch(server, path, Range=header)
    assert status == 416
    assert headers["content-range"] == f"bytes */{size}"


@pytest.mark.parametrize(
    "header",
    [
        "bytes=abc",
        "bytes=5-2",  # last before first
        "bytes=--5",
        "bytes=+1-2",
        "bytes=0x10-20",
        "bytes=",
        "bytes=-",
        "items=0-10",
        "0-10",
        "bytes=0-9,20-29",  # several ranges: the whole file, as documented
        "bytes=0-" + "9" * 5000,  # past Python's int conversion limit
    ],
)
def test_a_range_that_is_not_one_valid_byte_range_is_ignored(server, header):
    status, headers, body = fetch(server, EPISODE, Range=header)
    assert (status, body) == (200, EPISODE_BYTES)
    assert "content-range" not in headers


def test_if_range_with_the_current_validators_gives_the_range(server):
    headers = fetch(server, EPISODE, "HEAD")[1]
    for validator in (headers["etag"], headers["last-modified"]):
        status, _, body = fetch(server, EPISODE, Range="bytes=10-19", If_Range=validator)
        assert (status, body) == (206, EPISODE_BYTES[10:20])


@pytest.mark.parametrize("stale", ['"0-0-0"', "W/{etag}", "Thu, 01 Jan 1970 00:00:00 GMT", "not a date"])
def test_if_range_with_a_stale_validator_gives_the_whole_file(server, stale):
    etag = fetch(server, EPISODE, "HEAD")[1]["etag"]
    status, _, body = fetch(server, EPISODE, Range="bytes=10-19", If_Range=stale.format(etag=etag))
    assert (status, body) == (200, EPISODE_BYTES)


def test_head_ignores_range_as_the_rfc_requires(server):
    status, headers, body = fetch(server, EPISODE, "HEAD", Range="bytes=0-9")
    assert (status, headers["content-length"], body) == (200, str(SIZE), b"")


# --- conditional requests ---------------------------------------------------------------------


def test_if_none_match_with_the_etag_is_304(server):
    first = fetch(server, "/feed.xml")[1]
    etag = first["etag"]
    for if_none_match in (etag, f'"stale", {etag}', f"W/{etag}", "*"):
        status, headers, body = fetch(server, "/feed.xml", If_None_Match=if_none_match)
        assert (status, body) == (304, b"")
        assert headers["etag"] == etag
        assert headers["cache-control"] == "no-cache"


def test_if_none_match_with_another_etag_is_200_even_if_not_modified_since(server):
    last_modified = fetch(server, "/feed.xml")[1]["last-modified"]
    status, _, body = fetch(server, "/feed.xml", If_None_Match='"stale"', If_Modified_Since=last_modified)
    assert (status, body) == (200, FEED)


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("{last_modified}", 304),
        ("Fri, 01 Jan 2100 00:00:00 GMT", 304),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 200),
        ("yesterday-ish", 200),  # not a date: ignored
    ],
)
def test_if_modified_since(server, since, expected):
    last_modified = fetch(server, "/feed.xml")[1]["last-modified"]
    status, _, body = fetch(server, "/feed.xml", If_Modified_Since=since.format(last_modified=last_modified))
    assert (status, body) == (expected, FEED if expected == 200 else b"")


def test_a_replaced_file_gets_a_new_etag(server, site):
    target = site / "feed.xml"
    old = fetch(server, "/feed.xml")[1]["etag"]
    replacement = site / ".tmp-feed.xml"
    replacement.write_bytes(FEED + b"<!-- rebuilt -->\n")
    replacement.replace(target)
    try:
        status, headers, body = fetch(server, "/feed.xml", If_None_Match=old)
        assert (status, body) == (200, FEED + b"<!-- rebuilt -->\n")
        assert headers["etag"] != old
    finally:
        target.write_bytes(FEED)


# --- what must not be reachable ---------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/episodes/../../secret.txt",
        "/episodes/../feed.xml",  # even when it would land inside
        "/./feed.xml",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/episodes/%2e%2e/%2e%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/episodes%2flighthouse.mp3",
        "/episodes%5clighthouse.mp3",
        "/episodes\\lighthouse.mp3",
        "/..\\secret.txt",
        "//secret.txt",
        "/feed.xml%00.mp3",
        "/%ff%fe",
        "/c:%5cwindows",
        "/episodes/escape.mp3",  # a symlink to a file outside
        "/episodes/token.mp3",  # a symlink to a hidden file inside
        "/hidden.txt",
        "/state/inbox-token",  # through a symlink to a hidden folder inside
        "/outside/secret.txt",  # through a symlink to a folder outside
        "/.hidden",
        "/%2ehidden",
        "/episodes/.tmp-k2j3h4.mp3",
        "/episodes/",
        "/episodes",
        "/transcripts/",
        "/feed.xml/",
        "/no-such-file.mp3",
    ],
)
def test_nothing_outside_the_folder_nor_hidden_nor_a_listing(server, target):
    status, answer = raw_status(server, target)
    assert status == 404
    assert SECRET not in answer
    assert b"lighthouse.mp3" not in answer.partition(b"\r\n\r\n")[2]


def test_the_absolute_path_of_a_file_outside(server, site):
    secret = site.parent / "secret.txt"
    assert raw_status(server, str(secret))[0] == 404
    assert raw_status(server, "/" + str(secret))[0] == 404


def test_a_folder_without_an_index_page_lists_nothing(tmp_path):
    (tmp_path / "feed.xml").write_bytes(FEED)
    with running(tmp_path) as server:
        status, _, body = fetch(server, "/")
        assert status == 404
        assert b"feed.xml" not in body


def test_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(AudiobuildError, match="no such folder"):
        serve.make_server(tmp_path / "output", "127.0.0.1", 0)


def test_a_replaced_revisions_url_is_redirected_to_the_current_one(tmp_path):
    # Podcast Addict keeps an episode's first URL (atareao/u2vpodcast#19): once its files are gone, a redirect.
    from audiobuild.config import Config, Podcast
    from audiobuild.run.batch import build_all

    article, output = tmp_path / "story.txt", tmp_path / "output"
    config = Config(podcast=Podcast(voices="espeak", keep_replaced_days=0))
    for answer in ("The first telling.", "A second telling."):
        article.write_text(f"The harbour story\n- What happened?\n- {answer}\n")
        build_all([article], output, config)
    assert not (output / "episodes" / "the-harbour-story.mp3").exists()
    with running(output) as server:
        for old, new in (("episodes/the-harbour-story.mp3", "the-harbour-story--2.mp3"),
                         ("transcripts/the-harbour-story.vtt", "the-harbour-story--2.vtt"),
                         ("chapters/the-harbour-story.chapters.json", "the-harbour-story--2.chapters.json")):
            status, headers, _ = fetch(server, f"/{old}", "HEAD")
            assert (status, headers["location"]) == (301, new)
            folder = old.rpartition("/")[0]
            status, _, body = fetch(server, f"/{folder}/{headers['location']}")
            assert (status, body) == (200, (output / folder / new).read_bytes())
        assert fetch(server, "/episodes/the-harbour-story--3.mp3")[0] == 404  # never published
        assert fetch(server, "/episodes/another-story.mp3")[0] == 404


# --- methods and malformed requests -----------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "PROPFIND", "BREW"])
def test_other_methods_are_405(server, method):
    status, headers, _ = fetch(server, "/feed.xml", method)
    assert (status, headers["allow"]) == (405, "GET, HEAD, OPTIONS")


def test_a_request_body_is_never_taken_for_the_next_request(server):
    smuggled = b"GET /feed.xml HTTP/1.1\r\nHost: localhost\r\n\r\n"
    answer = raw(
        server,
        b"POST /feed.xml HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n%s" % (len(smuggled), smuggled),
    )
    assert answer.startswith(b"HTTP/1.1 405 ")
    assert b"Connection: close" in answer
    assert answer.count(b"HTTP/1.1 ") == 1


@pytest.mark.parametrize(
    "request_line",
    [
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS ClientHello: https to an http port
        b"GARBAGE",
        b"GET / HTTP/1.1 extra",
        b"GET / HTTP/x.y",
        b"GET / FTP/1.0",
        b"\x00\x01\x02 \x03 \x04",
    ],
)
def test_a_garbage_request_is_400_and_the_server_answers_the_next_one(server, capfd, request_line):
    with recording() as records:
        answer = raw(server, request_line + b"\r\nHost: localhost\r\n\r\n")
        assert answer.split(b" ", 2)[1] == b"400"
        status, _, body = fetch(server, "/feed.xml")
        assert (status, body) == (200, FEED)
    assert records.messages(logging.WARNING) == []
    assert capfd.readouterr().err == ""


def test_an_unknown_http_version_is_505(server):
    assert raw(server, b"GET /feed.xml HTTP/2.0\r\n\r\n").startswith(b"HTTP/1.1 505 ")


def test_a_request_line_without_a_version_gets_a_status_line_and_the_connection_closed(server):
    answer = raw(server, b"GET /feed.xml\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert answer.endswith(b"\r\n\r\n" + FEED)


@pytest.mark.parametrize(
    "framing",
    [
        b"Content-Length: " + b"9" * 5000,  # past Python's int conversion limit
        "Content-Length: \u00b2".encode(),  # a digit to str.isdigit(), not to int()
        b"Content-Length: -1",
        b"Content-Length: 1, 2",
        b"Content-Length: 0\r\nContent-Length: 5",
        b"Content-Length: 5\r\nTransfer-Encoding: chunked",
    ],
)
@pytest.mark.parametrize("method", [b"GET", b"POST"])
def test_a_malformed_content_length_is_400_and_the_server_goes_on(server, method, framing):
    answer = raw(server, method + b" /feed.xml HTTP/1.1\r\nHost: localhost\r\n" + framing + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert fetch(server, "/feed.xml")[0] == 200


@pytest.mark.parametrize(
    "since",
    ["Thu, 01 Jan 99999999999 00:00:00 GMT", "Thu, 01 Jan 2026 00:00:00 +" + "9" * 20, "Mon, 32 Foo 2026 99:99:99 GMT"],
)
def test_an_if_modified_since_out_of_range_is_ignored(server, since):
    status, _, body = fetch(server, "/feed.xml", If_Modified_Since=since)
    assert (status, body) == (200, FEED)


def test_too_many_headers_is_431(server):
    headers = b"".join(b"X-Header-%d: 1\r\n" % number for number in range(101))
    answer = raw(server, b"GET /feed.xml HTTP/1.1\r\n" + headers + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 431 ")


def test_keep_alive_survives_a_404(server):
    connection = http.client.HTTPConnection(*server.server_address, timeout=TIMEOUT_S)
    try:
        connection.request("GET", "/missing")
        response = connection.getresponse()
        assert (response.status, response.read()) == (404, b"404 Not Found\n")
        first_socket = connection.sock  # http.client would open a new one if the server had closed it
        for path, body in [("/feed.xml", FEED), (EPISODE, EPISODE_BYTES)]:
            connection.request("GET", path, headers={"Range": "bytes=0-"})
            response = connection.getresponse()
            assert (response.status, response.read()) == (206, body)
            assert connection.sock is first_socket
    finally:
        connection.close()


# --- logging and disconnects ------------------------------------------------------------------


def test_one_info_line_per_request_with_control_characters_escaped(server, capfd):
    with recording() as records:
        fetch(server, "/feed.xml")
        raw_status(server, "/\x1b[2Jcleared")
    messages = records.messages()
    assert [record.levelno for record in records.records] == [logging.INFO, logging.INFO]  # `serve -q` mutes them
    assert '"GET /feed.xml HTTP/1.1" 200' in messages[0]
    assert "\\x1b[2Jcleared" in messages[1] and "\x1b" not in messages[1]
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize(
    "target",
    ["/inbox?token=s3cret", "/inbox?%74oken=s3cret", "/inbox?TOKEN=s3cret&x=1", "/inbox?x=1;To%4Ben=s3cret",
     "/p/s3cret/feed.xml", "/P/s3cret/", "/%70/s3cret/feed.xml"],
)  # fmt: skip
def test_no_spelling_of_a_token_reaches_the_log(server, target):
    with recording() as records:
        raw_status(server, target)
    (message,) = records.messages()
    assert "s3cret" not in message and "…" in message


def test_a_client_hanging_up_mid_download_is_silent(server, capfd):
    with recording(awaited="went away") as records:
        client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # keeps the server blocked in its send
        client.settimeout(TIMEOUT_S)
        client.connect(server.server_address)
        client.sendall(f"GET {BIG} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        assert client.recv(4096).startswith(b"HTTP/1.1 200 ")
        client.close()  # with unread data: a reset
        assert records.arrived.wait(TIMEOUT_S)
    assert records.messages(logging.WARNING) == []
    assert capfd.readouterr().err == ""
    status, _, body = fetch(server, "/feed.xml")
    assert (status, body) == (200, FEED)


def test_an_unexpected_failure_is_one_error_line_and_no_traceback(server, capfd, monkeypatch):
    def broken(self, target):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(serve.OutputServer, "locate", broken)
    with recording(awaited="disk on fire") as records:
        with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
            fetch(server, "/feed.xml")
        assert records.arrived.wait(TIMEOUT_S)
    assert records.messages(logging.ERROR) == ["audiobuild serve: a request from 127.0.0.1 failed: disk on fire"]
    assert capfd.readouterr().err == ""


# --- many at once -----------------------------------------------------------------------------


def test_fifty_concurrent_ranged_downloads_and_some_whole_ones_get_exact_bytes(server):
    rng = random.Random(50)
    ranges = []
    for _ in range(50):
        start = rng.randrange(SIZE)
        ranges.append((start, rng.randrange(start, SIZE) + 1))
    jobs = [(f"bytes={start}-{stop - 1}", start, stop) for start, stop in ranges] + [(None, 0, SIZE)] * 6
    everyone_connected = threading.Barrier(len(jobs), timeout=TIMEOUT_S)

    def download(header: str | None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(*server.server_address, timeout=TIMEOUT_S)
        try:
            connection.connect()
            everyone_connected.wait()  # every connection is open before any request goes out
            connection.request("GET", EPISODE, headers={"Range": header} if header else {})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(download, [header for header, _, _ in jobs]))
    for (header, start, stop), (status, body) in zip(jobs, results):
        assert status == (206 if header else 200)
        assert body == EPISODE_BYTES[start:stop]


# --- running, addresses, the QR code ----------------------------------------------------------


def test_connections_past_the_cap_are_answered_503_and_the_server_goes_on(site, monkeypatch):
    monkeypatch.setattr(serve, "MAX_CONNECTIONS", 4)
    with running(site) as server, contextlib.ExitStack() as idle:
        held = [idle.enter_context(socket.create_connection(server.server_address, TIMEOUT_S)) for _ in range(4)]
        assert raw_status(server, "/feed.xml")[1].startswith(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: ")
        held[0].sendall(b"GET /feed.xml HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        assert held[0].recv(65536).startswith(b"HTTP/1.1 200 ")  # a held connection is served
        while held[0].recv(65536):
            pass
        deadline = time.monotonic() + TIMEOUT_S
        while (status := raw_status(server, "/feed.xml")[0]) == 503 and time.monotonic() < deadline:
            time.sleep(0.05)  # its thread gives its place back as it ends
        assert status == 200


def test_port_zero_picks_a_free_port(server):
    host, port = server.server_address
    assert host == "127.0.0.1"
    assert port > 0


def test_ctrl_c_closes_the_socket_and_ends_the_command_as_build_does(site, monkeypatch):
    server = serve.make_server(site, "127.0.0.1", 0)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(server, "serve_forever", interrupted)
    with pytest.raises(KeyboardInterrupt):  # the CLI's: "audiobuild: interrupted", exit 130
        serve.serve_forever(server)
    assert server.socket.fileno() == -1


def recording_socket(calls: list[tuple], error: OSError | None = None) -> type:
    """A stand-in for socket.socket that records what lan_address() asks of it and has no way to send."""

    class RecordingSocket:
        def __init__(self, family, kind):
            calls.append(("socket", family, kind))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            calls.append(("close",))

        def connect(self, address):
            calls.append(("connect", address))
            if error is not None:
                raise error

        def getsockname(self):
            return ("192.168.1.23", 50000)

    return RecordingSocket


def test_lan_address_asks_the_kernel_for_a_route_and_sends_nothing(monkeypatch):
    calls: list[tuple] = []
    monkeypatch.setattr(command.socket, "socket", recording_socket(calls))
    assert command.lan_address() == "192.168.1.23"
    (_, family, kind), (_, (host, _port)), closed = calls
    assert (family, kind, closed) == (socket.AF_INET, socket.SOCK_DGRAM, ("close",))
    assert ipaddress.IPv4Address(host).is_private


def test_lan_address_is_none_without_a_network(monkeypatch):
    calls: list[tuple] = []
    monkeypatch.setattr(command.socket, "socket", recording_socket(calls, OSError(101, "Network is unreachable")))
    assert command.lan_address() is None
    assert calls[-1] == ("close",)


def test_lan_address_on_this_machine_is_an_ipv4_address_or_none():
    address = command.lan_address()
    assert address is None or ipaddress.IPv4Address(address).version == 4


def test_the_qr_code_draws_the_url_with_a_quiet_zone():
    url = "http://192.168.1.23:8000/feed.xml"
    lines = command.qr_lines(url).splitlines()
    # Each character is two modules, one above the other: drawn when light, blank when dark
    # (segno's 0 and 1).
    halves = {"\u2588": (0, 0), "\u2580": (0, 1), "\u2584": (1, 0), " ": (1, 1)}
    drawn = []
    for line in lines:
        pairs = [halves[char] for char in line]
        drawn += [[top for top, _ in pairs], [bottom for _, bottom in pairs]]
    matrix = segno.make_qr(url).matrix
    quiet = 4
    light_row = [0] * (len(matrix) + 2 * quiet)
    expected = [light_row] * quiet + [[0] * quiet + list(row) + [0] * quiet for row in matrix] + [light_row] * quiet
    assert len({len(line) for line in lines}) == 1
    assert drawn[: len(expected)] == expected
    assert len(drawn) - len(expected) in (0, 1)  # an odd row count leaves half a line


# --- the private feed and what `serve` prints -------------------------------------------------


def test_a_private_feed_answers_only_under_its_secret_path(tmp_path):
    from lxml import etree

    from tests.test_inbox import inbox_server, write_config

    output = tmp_path / "output"
    with inbox_server(output, write_config(tmp_path), "--private") as server:
        token = (output / ".state" / "feed-token").read_text()
        feed_url = f"{server.url}/p/{token}/feed.xml"
        assert f"Private feed: only this link reaches it (keep it private; `audiobuild private --new-token` " \
               f"replaces it): {feed_url}" in server.lines  # fmt: skip
        for path in ("/feed.xml", "/", "/index.html", "/cover.png", "/inbox", f"/p/{token}", "/p/wrong/feed.xml",
                     f"/p/{token[:-1]}/feed.xml", f"/P/{token}/feed.xml", f"/%70/{token}/feed.xml"):  # fmt: skip
            assert server.client.get(path).status_code == 404, path
        assert server.client.options("/feed.xml").status_code == 404
        assert server.client.post("/feed.xml").status_code == 404
        feed = server.client.get(f"/p/{token}/feed.xml")
        assert feed.status_code == 200
        channel = etree.fromstring(feed.content).find("channel")
        assert channel.find("{http://www.w3.org/2005/Atom}link").get("href") == feed_url
        assert channel.find("image/url").text == f"{server.url}/p/{token}/cover.png"
        page = server.client.get(f"/p/{token}/")
        assert page.status_code == 200 and feed_url in page.text
        inbox = server.client.get(f"/p/{token}/inbox", headers={"Authorization": f"Bearer {server.token}"})
        assert inbox.status_code == 200
        manifest = server.client.get(f"/p/{token}/inbox/manifest.webmanifest?token={server.token}").json()
        assert manifest["scope"] == f"/p/{token}/" and manifest["share_target"]["action"].startswith(f"/p/{token}/")

        renewed = subprocess.run([sys.executable, "-m", "audiobuild", "private", "--new-token", "-o", str(output)],
                                 capture_output=True, text=True, check=True)  # fmt: skip
        new_token = (output / ".state" / "feed-token").read_text()
        assert new_token != token and f"/p/{new_token}/feed.xml" in renewed.stdout
        assert server.client.get(f"/p/{token}/feed.xml").status_code == 404  # at once
        feed = server.client.get(f"/p/{new_token}/feed.xml")
        assert feed.status_code == 200 and f"/p/{new_token}/cover.png".encode() in feed.content
        assert token.encode() not in feed.content
    printed = "\n".join(server.lines)
    # The links printed at the start (the feed's, and the inbox's, which is under it); no request's line.
    assert [line[:12] for line in server.lines if token in line] == ["Private feed", "Inbox on. Se"]
    assert new_token not in printed and "/p/…/feed.xml" in printed

    # Made once: the next start (here from podcast.toml's [serve] private) keeps it; a public start drops it.
    config = tmp_path / "private.toml"
    config.write_text(write_config(tmp_path).read_text() + "[serve]\nprivate = true\n")
    with inbox_server(output, config) as server:
        assert server.client.get(f"/p/{new_token}/feed.xml").status_code == 200
        assert server.client.get("/feed.xml").status_code == 404
    with inbox_server(output, write_config(tmp_path)) as server:
        feed = server.client.get("/feed.xml")
        assert feed.status_code == 200 and new_token.encode() not in feed.content
        assert server.client.get(f"/p/{new_token}/feed.xml").status_code == 404


def test_serve_names_base_url_only_when_the_feed_points_elsewhere(tmp_path):
    from tests.test_inbox import inbox_server, write_config

    with socket.socket() as probe:  # a port free now, to set base_url to before serving at it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for base_url, elsewhere in ((f"http://127.0.0.1:{port}", False), ("https://podcast.example.org/", True)):
        config = tmp_path / "podcast.toml"
        config.write_text(f'[podcast]\nbase_url = "{base_url}"\n\n' + write_config(tmp_path).read_text())
        with inbox_server(tmp_path / "output", config, "--port", str(port)) as server:
            printed = "\n".join(server.lines)
        assert ("podcast.toml sets base_url" in printed) is elsewhere, printed


def test_a_private_serve_of_a_folder_never_built_into_leaves_it_as_it_was(tmp_path):
    output = tmp_path / "output"
    output.mkdir()
    result = subprocess.run([sys.executable, "-m", "audiobuild", "serve", "--private", "--host", "127.0.0.1",
                             "--port", "0", "-o", str(output)], capture_output=True, text=True, timeout=60)  # fmt: skip
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"audiobuild: error: {output}: has no catalogue: build an article into it first\n"
    assert not list(output.iterdir())
