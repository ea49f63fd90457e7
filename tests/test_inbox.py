"""`audiobuild serve --inbox` as a user runs it: a real server process on 127.0.0.1, article pages on another."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from lxml import etree

from audiobuild.config import load_config
from audiobuild.publish.catalogue import load_catalogue
from audiobuild.serve.inbox import Inbox, Refused
from tests.conftest import as_in_a_terminal, tree_digest
from tests.test_follow import page
from tests.test_robustness import small_disk  # noqa: F401 (a fixture: a small tmpfs)
from tests.website import serving

TIMEOUT_S = 120


class Server:
    """A `serve --inbox` process: its address, token, and every line it printed."""

    def __init__(self, output: Path, config: Path, *extra: str):
        command = [sys.executable, "-m", "audiobuild", "serve", "--inbox", "--host", "127.0.0.1", "--port", "0",
                   "-o", str(output), "--config", str(config), *extra]  # fmt: skip
        # A process group of its own, as a terminal's foreground job is: Ctrl-C signals all of it, workers too.
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        preexec_fn=as_in_a_terminal, process_group=0)  # fmt: skip
        self.lines: list[str] = []
        self.token = None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if match := re.match(r"Serving .* at (https?://[^/]+)/", line):
                self.url = match.group(1)
            if line.startswith("Inbox on"):
                found = re.search(r"#inbox=(\S+)", line)
                self.token = found.group(1) if found else (output / ".state" / "inbox-token").read_text()
                break
        else:
            raise AssertionError("serve stopped:\n" + "\n".join(self.lines))
        self._reader = threading.Thread(target=self._read_on)
        self._reader.start()
        self.client = httpx.Client(base_url=self.url, timeout=30, verify=False)
        # A private server's inbox is under its secret path (/p/<token>/inbox); other paths are 404.
        private = (output / ".private-path").read_text() if "--private" in extra else ""
        self.inbox = f"/{private}inbox"

    def _read_on(self) -> None:
        """Keep reading what it prints (one line per request), so that a full pipe never stops it."""
        self.lines.extend(text.rstrip("\n") for text in self.process.stdout)

    def post(self, token: str | None = "", **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token if token == '' else token}"} if token is not None else {}
        return self.client.post(self.inbox, headers=headers, **kwargs)

    def items(self) -> dict[str, dict]:
        response = self.client.get(self.inbox, headers={"Authorization": f"Bearer {self.token}"})
        assert response.status_code == 200
        return {item["id"]: item for item in response.json()["items"]}

    def wait(self, ids, states=("built", "failed"), timeout: float = TIMEOUT_S) -> dict[str, dict]:
        """The items `ids` once each is in one of `states`."""
        deadline = time.monotonic() + timeout
        while True:
            items = self.items()
            if all(items[identity]["state"] in states for identity in ids):
                return {identity: items[identity] for identity in ids}
            assert time.monotonic() < deadline, items
            time.sleep(0.2)

    def stop(self, signum: int = signal.SIGTERM) -> None:
        self.client.close()
        if self.process.poll() is None:
            self.process.send_signal(signum)
        self.process.wait(30)
        self._reader.join(10)


@contextlib.contextmanager
def inbox_server(output: Path, config: Path, *extra: str) -> Iterator[Server]:
    server = Server(output, config, *extra)
    try:
        yield server
    finally:
        server.stop()


def write_config(tmp_path: Path, **inbox: object) -> Path:
    settings = {"allow_addresses": ["127.0.0.2"], **inbox}
    lines = ["[inbox]", *(f"{key} = {json.dumps(value)}" for key, value in settings.items())]
    path = tmp_path / "podcast.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def short_text(number: int) -> str:
    return f"Harbour talk number {number}\n\n- Why the harbour, {number}?\n\n- Because the boats come home here."


@pytest.fixture
def articles():
    """Article pages on 127.0.0.2, which the tests' [inbox] allow_addresses lets the inbox fetch from."""
    with serving(host="127.0.0.2") as site:
        site.page("/interview.html", page("question-answer.txt"))
        yield site


@contextlib.contextmanager
def queue_server(output: Path, config: Path) -> Iterator[tuple[Inbox, tuple[str, int]]]:
    """An inbox whose builder is not started, behind a real server on 127.0.0.1, in this process."""
    from audiobuild.serve.server import make_server, serve_forever

    output.mkdir(parents=True, exist_ok=True)
    settings = load_config(config)
    inbox = Inbox(output, settings)
    server = make_server(output, "127.0.0.1", 0, inbox, settings.podcast)
    thread = threading.Thread(target=serve_forever, args=(server,), daemon=True)
    thread.start()
    try:
        yield inbox, server.server_address
    finally:
        server.shutdown()
        thread.join(10)


def exchange(address: tuple[str, int], request: bytes, wait_for_close: bool = True) -> bytes:
    """What the server answers to `request`, sent as given: until it closes, or its first answer (head and body).

    The body may come in a later packet than the head: it is read up to the head's Content-Length.
    """
    with socket.create_connection(address, timeout=10) as client:
        client.sendall(request)
        received = b""
        while chunk := client.recv(65536):
            received += chunk
            head, separator, body = received.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:\s*(\d+)", head) if separator else None
            if not wait_for_close and separator and len(body) >= int(length.group(1) if length else 0):
                break
        return received


def visible(output: Path) -> dict[str, str]:
    """What the folder publishes: every file but its private state."""
    return {name: digest for name, digest in tree_digest(output).items() if not name.startswith(".")}


# ---------------------------------------------------------------------------


def test_every_write_needs_the_token_and_logs_never_show_it(tmp_path):
    output = tmp_path / "output"
    with inbox_server(output, write_config(tmp_path)) as server:
        assert server.lines[-1].startswith("Inbox on. Send articles from your phone with this link (shown once")
        before = tree_digest(output)
        refused = [
            server.post(None, json={"text": "An article"}),
            server.post("wrong", json={"text": "An article"}),
            server.post(server.token[:-1], json={"text": "An article"}),
            server.client.post("/inbox", data={"token": "wrong", "text": "An article"}),
            server.client.post("/inbox?token=wrong", data={"text": "An article"}),
            server.client.get("/inbox"),
            server.client.get("/inbox/manifest.webmanifest?token=wrong"),
        ]
        assert [response.status_code for response in refused] == [403] * len(refused)
        assert tree_digest(output) == before
        assert server.client.post(f"/inbox?token={server.token}", data={"text": ""}).status_code == 400
        manifest = server.client.get(f"/inbox/manifest.webmanifest?token={server.token}").json()
        assert manifest["share_target"]["action"] == f"/inbox?token={server.token}"
        assert manifest["start_url"] == f"/#inbox={server.token}"
        assert server.client.get("/.state/inbox-token").status_code == 404
        assert server.client.put("/inbox").status_code == 405
    log = "\n".join(server.lines)
    assert log.count(server.token) == 1  # the link printed when the token was made; never in a request's line
    assert "/inbox/manifest.webmanifest?token=… " in log

    # Started again, it does not show the token; a new token makes the old link useless.
    with inbox_server(output, write_config(tmp_path)) as server:
        assert server.token not in "\n".join(server.lines)
        renewed = subprocess.run([sys.executable, "-m", "audiobuild", "inbox", "--new-token", "-o", str(output)],
                                 capture_output=True, text=True, check=True)  # fmt: skip
        assert server.token not in renewed.stdout and "#inbox=" in renewed.stdout
        assert server.post(json={"text": "An article"}).status_code == 403


def test_serve_without_inbox_stays_read_only(tmp_path):
    from audiobuild.serve.server import make_server, serve_forever

    output = tmp_path / "output"
    output.mkdir()
    server = make_server(output, "127.0.0.1", 0)
    threading.Thread(target=serve_forever, args=(server,), daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        assert httpx.post(f"{url}/inbox", json={"text": "x"}).status_code == 405
        assert httpx.get(f"{url}/inbox").status_code == 404
    finally:
        server.shutdown()
        server.server_close()


def test_private_addresses_and_redirects_to_them_are_refused(tmp_path, articles):
    output = tmp_path / "output"
    with serving() as private:
        private.page("/admin.html", page("question-answer.txt"))
        articles.redirect("/moved", f"{private.url}/admin.html")
        with inbox_server(output, write_config(tmp_path)) as server:
            direct = server.post(json={"url": f"{private.url}/admin.html"})
            named = server.post(json={"url": f"http://localhost:{private.url.rsplit(':', 1)[1]}/admin.html"})
            redirected = server.post(json={"url": f"{articles.url}/moved"}).json()["id"]
            item = server.wait([redirected])[redirected]
        assert private.requests["/admin.html"] == 0
    assert (direct.status_code, named.status_code) == (422, 422)  # at once, not after the queue ahead
    assert direct.json()["error"] == f"{private.url}/admin.html: is on 127.0.0.1, a loopback address (this machine): " \
        "not fetched from here; set [inbox] allow_private = true in podcast.toml (or list it in allow_addresses) " \
        "to take such addresses"  # fmt: skip
    assert item["state"] == "failed"  # only the redirect shows where it leads
    assert item["error"] == "is on 127.0.0.1, a loopback address (this machine): not fetched from here " \
                            f"(redirected to {private.url}/admin.html)"  # fmt: skip
    assert not load_catalogue(output).entries and not list(output.rglob("*.mp3"))


def test_the_rate_limit_answers_429(tmp_path):
    with inbox_server(tmp_path / "output", write_config(tmp_path, per_minute=3)) as server:
        answers = [server.post(json={"url": f"http://127.0.0.2:9/{number}"}) for number in range(4)]
    assert [answer.status_code for answer in answers] == [202, 202, 202, 429]
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60
    assert answers[-1].json()["error"].startswith("more than 3 items a minute")


def test_the_queue_holds_max_queued_items(tmp_path):
    """Without its builder (not started), the queue only fills: the next item past the cap is refused."""
    config = load_config(write_config(tmp_path, max_queued=2))
    inbox = Inbox(tmp_path / "output", config)
    for number in range(2):
        inbox.add({"text": short_text(number)})
    with pytest.raises(Refused) as refused:
        inbox.add({"text": short_text(3)})
    assert refused.value.status == 429 and refused.value.message.startswith("2 items are waiting already")
    assert [item["state"] for item in inbox.items()] == ["queued", "queued"]
    too_long = inbox.add({"text": "A title\n\n" + "word " * 1_100_000})
    assert too_long["state"] == "failed" and "larger than 5 MB" in too_long["error"]


def test_https_with_a_certificate(tmp_path):
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    certfile, keyfile, cafile = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    certificate.cert_chain_pems[0].write_to_path(certfile)
    certificate.private_key_pem.write_to_path(keyfile)
    authority.cert_pem.write_to_path(cafile)
    output = tmp_path / "output"
    with inbox_server(output, write_config(tmp_path), "--certfile", str(certfile), "--keyfile", str(keyfile)) as server:
        assert server.url.startswith("https://127.0.0.1:")
        with httpx.Client(verify=ssl.create_default_context(cafile=cafile), base_url=server.url) as client:
            assert client.get("/feed.xml").status_code == 200
            answer = client.post("/inbox", json={"url": "http://127.0.0.2:9/a"},
                                 headers={"Authorization": f"Bearer {server.token}"})  # fmt: skip
            assert answer.status_code == 202
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{server.url}/feed.xml")  # not trusted without our authority
        plain = server.url.replace("https://", "http://")
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{plain}/feed.xml", timeout=5)
        assert client is not None and server.client.get("/feed.xml").status_code == 200  # it still serves


# ---------------------------------------------------------------------------
# Building (slow)


@pytest.mark.slow
def test_a_url_and_a_pasted_text_become_episodes_and_bad_items_fail_alone(tmp_path, articles):
    articles.page("/report.pdf", b"%PDF-1.4", content_type="application/pdf")
    articles.page("/big.html", b"<p>" + b"x" * (21 * 1024 * 1024))
    output = tmp_path / "output"
    with inbox_server(output, write_config(tmp_path)) as server:
        etag = server.client.get("/feed.xml").headers["ETag"]
        url = server.post(json={"url": f"{articles.url}/interview.html"})
        assert url.status_code == 202 and url.json()["state"] == "queued"
        bad = [server.post(json={"url": f"{articles.url}{path}"}).json()["id"]
               for path in ("/missing.html", "/report.pdf", "/big.html")]  # fmt: skip
        text = server.client.post("/inbox", data={"token": server.token, "text": short_text(1)})
        assert text.status_code == 202
        items = server.wait([url.json()["id"], text.json()["id"], *bad])
        feed = server.client.get("/feed.xml")
        assert feed.headers["ETag"] != etag
    assert [items[identity]["state"] for identity in (url.json()["id"], text.json()["id"])] == ["built", "built"]
    errors = [items[identity]["error"] for identity in bad]
    assert errors == [  # each item's URL is on its line already
        "HTTP error 404 Not Found",
        "is application/pdf, not a web page or text",
        "is larger than 20 MB; larger downloads are refused",
    ]
    titles = {item.findtext("title") for item in etree.fromstring(feed.content).iter("item")}
    assert titles == {"The bee counter of Hollin Moor", "Harbour talk number 1"}
    assert {entry.link for entry in load_catalogue(output).entries} == {f"{articles.url}/interview.html", ""}


@pytest.mark.slow
def test_twenty_concurrent_posts_are_each_built_once(tmp_path):
    output = tmp_path / "output"
    with inbox_server(output, write_config(tmp_path)) as server:
        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(lambda number: server.post(json={"text": short_text(number)}), range(20)))
        assert [answer.status_code for answer in answers] == [202] * 20
        ids = [answer.json()["id"] for answer in answers]
        assert len(set(ids)) == 20
        items = server.wait(ids, timeout=300)
    assert {item["state"] for item in items.values()} == {"built"}
    entries = load_catalogue(output).entries
    assert sorted(entry.title for entry in entries) == sorted(f"Harbour talk number {n}" for n in range(20))
    assert all(entry.revision == 1 for entry in entries)
    assert len(list((output / "episodes").glob("*.mp3"))) == 20


def long_text(number: int) -> str:
    """An article that takes some seconds to build."""
    turns = (
        f"- Question {n}: what did the keeper see that night?\n\n- Answer {n}: the boats, and the sea."
        for n in range(60)
    )
    return short_text(number) + "\n\n" + "\n\n".join(turns)


@pytest.mark.slow
@pytest.mark.parametrize("stop", ["kill", "ctrl-c"])
def test_a_server_stopped_mid_build_resumes_its_queue(tmp_path, stop):
    """Killed, or stopped with Ctrl-C (one line, exit 130, as `build`), mid-build: the next start builds it all."""
    output = tmp_path / "output"
    config = write_config(tmp_path)
    server = Server(output, config)
    try:
        ids = [server.post(json={"text": text}).json()["id"] for text in (long_text(0), short_text(1), short_text(2))]
        server.wait(ids[:1], states=("building",))
        deadline = time.monotonic() + TIMEOUT_S
        while not list(output.rglob(".tmp-*.mp3")):  # the workers are rendering into their staged MP3
            assert time.monotonic() < deadline
            time.sleep(0.1)
        printed = len(server.lines)
        if stop == "ctrl-c":
            os.killpg(server.process.pid, signal.SIGINT)  # what Ctrl-C at a terminal does: workers too
            server.process.wait(30)
    finally:
        server.stop(signal.SIGKILL)
    if stop == "ctrl-c":
        assert (server.process.returncode, server.lines[printed:]) == (130, ["audiobuild: interrupted"])
    else:
        assert server.process.returncode == -signal.SIGKILL
    with inbox_server(output, config) as server:
        items = server.wait(ids, timeout=300)
    assert {item["state"] for item in items.values()} == {"built"}
    entries = load_catalogue(output).entries
    assert sorted(entry.title for entry in entries) == ["Harbour talk number 0", "Harbour talk number 1",
                                                        "Harbour talk number 2"]  # fmt: skip
    assert len(list((output / "episodes").glob("*.mp3"))) == 3
    assert not [path for path in output.rglob(".tmp-*")]


@pytest.mark.slow
def test_the_page_adds_an_article_in_a_browser(tmp_path, articles):
    from tests.test_page import _MISSING, CHROMIUM, CHROMIUM_ARGS

    if _MISSING:
        pytest.skip(_MISSING)
    from playwright.sync_api import sync_playwright

    output = tmp_path / "output"
    with inbox_server(output, write_config(tmp_path, allow_private=True)) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            browser_page = browser.new_page()
            errors = []
            browser_page.on("pageerror", lambda error: errors.append(error))
            browser_page.goto(f"{server.url}/")
            assert browser_page.locator("#inbox").is_hidden()  # without the token link: no form
            browser_page.goto(f"{server.url}/#inbox={server.token}")
            browser_page.reload()
            assert browser_page.locator("#inbox").is_visible()
            browser_page.fill("#inbox_url", f"{articles.url}/interview.html")
            browser_page.click("#inbox_form button[type=submit]")
            browser_page.wait_for_selector("#inbox_items li[data-state=queued], #inbox_items li[data-state=building]",
                                           timeout=10_000)  # fmt: skip
            browser_page.wait_for_selector("#inbox_items li[data-state=built]", timeout=TIMEOUT_S * 1000)
            assert "The bee counter of Hollin Moor" in browser_page.locator("#inbox_items").inner_text()
            manifest = browser_page.evaluate("document.querySelector('link[rel=manifest]').href")
            assert manifest.endswith(f"/inbox/manifest.webmanifest?token={server.token}")
            assert not browser_page.context.cookies()
            assert not errors, errors
        finally:
            browser.close()
    assert [entry.link for entry in load_catalogue(output).entries] == [f"{articles.url}/interview.html"]


# ---------------------------------------------------------------------------
# Hostile requests


SMUGGLED = b"POST /inbox HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


def test_a_refused_request_with_a_body_never_runs_its_body_as_a_request(tmp_path):
    with queue_server(tmp_path / "output", write_config(tmp_path)) as (inbox, address):
        forbidden = exchange(address, b"GET /inbox HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s"
                             % (len(SMUGGLED), SMUGGLED))  # fmt: skip
        chunked = exchange(address, b"POST /inbox HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                           b"%x\r\n%s\r\n0\r\n\r\n" % (len(SMUGGLED), SMUGGLED))  # fmt: skip
    assert forbidden.startswith(b"HTTP/1.1 403 ") and chunked.startswith(b"HTTP/1.1 411 ")
    for answer in (forbidden, chunked):
        assert answer.count(b"HTTP/1.1 ") == 1 and b"Connection: close" in answer


def test_the_token_is_checked_before_a_body_is_read(tmp_path):
    """A client that sends 9.9 MB's headers and no body yet is answered at once: nothing was waiting for it."""
    head = b"POST /inbox%s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9900000\r\n%s\r\n"
    with queue_server(tmp_path / "output", write_config(tmp_path)) as (inbox, address):
        without = exchange(address, head % (b"", b""), wait_for_close=False)
        wrong = exchange(address, head % (b"", b"Authorization: Bearer wrong\r\n"), wait_for_close=False)
        wrong_query = exchange(address, head % (b"?token=wrong", b""), wait_for_close=False)
        right = exchange(address, head % (f"?token={inbox.secret}".encode(), b"Content-Length: 1\r\n"))
    assert without.startswith(b"HTTP/1.1 413 ")  # a token in the body may come with a small form only
    assert b"Authorization header or the query" in without
    assert wrong.startswith(b"HTTP/1.1 403 ") and wrong_query.startswith(b"HTTP/1.1 403 ")
    assert right.startswith(b"HTTP/1.1 400 ")  # two lengths: refused before anything is read


def test_titles_and_urls_are_capped_so_the_queue_stays_small(tmp_path):
    with queue_server(tmp_path / "output", write_config(tmp_path)) as (inbox, address):
        for number in range(8):
            answer = httpx.post(f"http://{address[0]}:{address[1]}/inbox?token={inbox.secret}",
                                json={"text": short_text(number), "title": f"{number} " + "t" * 1_000_000})  # fmt: skip
            assert answer.status_code == 202
        long_url = httpx.post(f"http://{address[0]}:{address[1]}/inbox?token={inbox.secret}",
                              json={"url": "http://127.0.0.2/" + "a" * 5000})  # fmt: skip
        listed = httpx.get(
            f"http://{address[0]}:{address[1]}/inbox", headers={"Authorization": f"Bearer {inbox.secret}"}
        )
    assert long_url.status_code == 400 and "longer than 4096" in long_url.json()["error"]
    assert (tmp_path / "output" / ".state" / "inbox.json").stat().st_size < 10_000
    assert len(listed.content) < 10_000
    assert {len(item["title"]) for item in listed.json()["items"]} == {300}


def test_a_url_the_inbox_will_not_fetch_is_refused_at_once_naming_the_setting(tmp_path):
    with queue_server(tmp_path / "output", write_config(tmp_path)) as (inbox, address):
        url = f"http://{address[0]}:{address[1]}/inbox?token={inbox.secret}"
        answers = [httpx.post(url, json={"url": target})
                   for target in ("http://127.0.0.1:9/a", "http://localhost:9/a", "http://[::ffff:10.0.0.1]/",
                                  "http://127.0.0.2:9/allowed")]  # fmt: skip
    assert [answer.status_code for answer in answers] == [422, 422, 422, 202]
    assert answers[0].json()["error"].startswith("http://127.0.0.1:9/a: is on 127.0.0.1, a loopback address")
    assert all("[inbox] allow_private = true" in answer.json()["error"] for answer in answers[:3])
    assert [item["url"] for item in inbox.items()] == ["http://127.0.0.2:9/allowed"]


def test_a_full_disk_is_answered_507_and_the_server_goes_on(tmp_path, small_disk):  # noqa: F811
    output = small_disk / "output"
    with queue_server(output, write_config(tmp_path)) as (inbox, address):
        inbox.add({"text": short_text(0)})
        before = tree_digest(output)
        with contextlib.suppress(OSError), (small_disk / "filler").open("wb", buffering=0) as filler:
            while True:  # until the disk is full
                filler.write(bytes(4096))
        url = f"http://{address[0]}:{address[1]}/inbox?token={inbox.secret}"
        full = httpx.post(url, json={"text": short_text(1)})
        assert (full.status_code, full.json()) == (507, {"error": "the disk is full; nothing was queued"})
        assert tree_digest(output) == before
        (small_disk / "filler").unlink()
        assert httpx.post(url, json={"text": short_text(2)}).status_code == 202


def test_the_inbox_command_escapes_what_senders_and_pages_wrote(tmp_path):
    from audiobuild.serve.inbox import describe

    inbox = Inbox(tmp_path / "output", load_config(write_config(tmp_path)))
    inbox.add({"text": "\x1b]0;pwned\x07\x1b[2JTitle\n\n- Why?\n\n- Because."})
    inbox.add({"text": short_text(1), "title": "Bell\x07 and \x9b31m"})
    lines = describe(tmp_path / "output", "http://127.0.0.1:8000/")
    assert "\\x1b]0;pwned\\x07\\x1b[2JTitle" in lines and "Bell\\x07 and \\x9b31m" in lines
    assert not any(char in lines for char in "\x1b\x07\x9b")


def test_a_failed_url_is_named_once(tmp_path):
    """The item's error says what went wrong; its line (page, `audiobuild inbox`) names the URL once."""
    output = tmp_path / "output"
    with inbox_server(output, write_config(tmp_path)) as server:
        identity = server.post(json={"url": "http://127.0.0.2:9/gone"}).json()["id"]
        item = server.wait([identity])[identity]
    assert item["state"] == "failed" and item["error"].startswith("cannot connect: ")
    shown = subprocess.run([sys.executable, "-m", "audiobuild", "inbox", "-o", str(output)],
                           capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert shown.count("http://127.0.0.2:9/gone") == 1


@pytest.mark.slow
def test_the_page_fits_a_phone_with_a_long_url_and_a_private_link(tmp_path):
    from tests.test_page import _MISSING, CHROMIUM, CHROMIUM_ARGS

    if _MISSING:
        pytest.skip(_MISSING)
    from playwright.sync_api import sync_playwright

    output = tmp_path / "output"
    long_url = "http://127.0.0.2:9/" + "/".join(f"a-rather-long-segment-{n}" for n in range(12))
    with inbox_server(output, write_config(tmp_path), "--private") as server, sync_playwright() as playwright:
        identity = server.post(json={"url": long_url}).json()["id"]
        assert server.wait([identity])[identity]["error"].startswith("cannot connect")
        root = (output / ".private-path").read_text()
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(f"{server.url}/{root}#inbox={server.token}")
            phone.wait_for_selector("#inbox_items li[data-state=failed]")
            line = phone.locator("#inbox_items li").inner_text()
            assert line.count(long_url) == 1 and "cannot connect" in line
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing scrolls sideways
        finally:
            browser.close()


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ('{"items": "queued"}', "items must be a list"),
        ('{"items": [{"id": "0123456789abcdef", "added": "2026-01-01T00:00:00+00:00", "title": "t"}]}',
         "items[0] has no 'state'"),
        ('{"items": [{"id": "../../podcast", "state": "queued", "added": "x", "title": "t", "url": null}]}',
         "items[0].id must match pattern"),
    ],
    ids=["items-a-string", "no-state", "id-a-path"],
)  # fmt: skip
def test_a_damaged_queue_is_one_line_naming_it(tmp_path, document, problem):
    """`inbox` and `serve --inbox` on a .state/inbox.json of the wrong shape: one line each, with the way out."""
    output = tmp_path / "output"
    (output / ".state").mkdir(parents=True)
    damaged = output / ".state" / "inbox.json"
    damaged.write_text(document)
    config = write_config(tmp_path)
    commands = {
        "inbox": ["inbox", "-o", str(output)],
        "serve": ["serve", "--inbox", "--host", "127.0.0.1", "--port", "0", "-o", str(output)],
    }
    for name, command in commands.items():
        run = subprocess.run([sys.executable, "-m", "audiobuild", *command, "--config", str(config)],
                             capture_output=True, text=True, timeout=60, preexec_fn=as_in_a_terminal)  # fmt: skip
        assert run.returncode == 1, (name, run.stdout, run.stderr)
        (line,) = run.stderr.splitlines()
        assert line.startswith(f"audiobuild: error: {damaged}:1: is damaged (") and problem in line, (name, line)
        assert "move it away to start afresh" in line and "internal error" not in line
    assert damaged.read_text() == document


def test_a_queue_damaged_while_serving_is_said_once_and_the_builder_goes_on(tmp_path, caplog):
    output = tmp_path / "output"
    output.mkdir()
    inbox = Inbox(output, load_config(write_config(tmp_path)))
    builder = inbox.start()
    damaged = output / ".state" / "inbox.json"
    damaged.write_text('{"items": "queued"}')
    caplog.set_level("ERROR", "audiobuild")
    for _ in range(3):  # woken again and again (each post wakes it), it says so once
        inbox._wake.set()
        time.sleep(0.3)
    assert builder.is_alive()
    assert [record.getMessage() for record in caplog.records] == [
        f"audiobuild: inbox: {damaged}:1: is damaged (items must be a list, not 'queued'): move it away to start "
        "afresh, and the inbox forgets its queue (the pasted texts waiting in .state/inbox/ are left there)"
    ]
    damaged.unlink()  # mended: the next item is built as ever
    item = inbox.add({"text": "x" * 10, "title": "t"})
    deadline = time.monotonic() + TIMEOUT_S
    while inbox.items()[0]["state"] in ("queued", "building") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert inbox.items()[0]["id"] == item["id"] and inbox.items()[0]["state"] in ("built", "failed")
