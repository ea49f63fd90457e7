"""Stage 1a, reading: files in any common encoding, HTML pages and URLs (served from 127.0.0.1)."""

from __future__ import annotations

import http.server
import socket
import threading
from pathlib import Path

import pytest

from audiobuild.errors import InputError
from audiobuild.sources import Article, decode, extract_html, load_article, read_article

ARTICLES = Path(__file__).parent / "data" / "articles"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("Привет, мир".encode(), "Привет, мир"),
        ("\ufeffHello".encode("utf-8"), "Hello"),
        ("Привет".encode("utf-16"), "Привет"),
        ("Привет, мир".encode("utf-16-be"), "Привет, мир"),
        ("Hello, world".encode("utf-16-le"), "Hello, world"),
        ("Привет".encode("utf-32"), "Привет"),
        ("Привет, мир".encode("cp1251"), "Привет, мир"),
        ("Привет, мир".encode("koi8-r"), "Привет, мир"),
        ("Café crème".encode("cp1252"), "Café crème"),
        ("naïve façade, à été".encode("latin-1"), "naïve façade, à été"),
        ("Grüße aus München".encode("latin-1"), "Grüße aus München"),
        ("Mr Smith – who ‘said’ €5".encode("cp1252"), "Mr Smith – who ‘said’ €5"),
        ("Анна, зачем музею ночные часы? Днём люди работают.".encode("cp1251"),
         "Анна, зачем музею ночные часы? Днём люди работают."),
    ],
)  # fmt: skip
def test_decode_common_encodings(raw, text):
    assert decode(raw, "x") == text


def test_a_declared_charset_wins_and_an_unknown_one_is_ignored():
    assert decode("Привет".encode("koi8-r"), "x", "koi8-r") == "Привет"
    assert decode("Привет".encode(), "x", "no-such-charset") == "Привет"


def test_read_article_errors_name_the_problem(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_article(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_article(tmp_path)
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\t\n")
    with pytest.raises(InputError, match="is empty"):
        read_article(empty)
    binary = tmp_path / "cover.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(InputError, match="binary"):
        read_article(binary)


def test_load_article_reads_text_markdown_and_html_files():
    assert load_article(ARTICLES / "utf16-bom.txt").text.startswith("Sam Ito: Night markets")
    assert load_article(ARTICLES / "markdown-interview.md").text.startswith("# Lea Winter")
    article = load_article(ARTICLES / "html-interview.html")
    assert (article.title, article.author, article.date) == (
        "Greta Lund: Glaciers are the planet's memory", "Oskar Falk", "2026-02-18",
    )  # fmt: skip


def test_html_becomes_parser_text_without_the_page_around_it():
    text = load_article(ARTICLES / "html-interview.html").text
    assert "## Forty summers on the ice" in text.splitlines()
    assert "**Oskar Falk:** What was the glacier like when you first saw it?" in text.splitlines()
    assert "\u2022 the summers that were warm," in text.splitlines()
    for furniture in ("Home", "Related stories", "Share this article", "cookies", "All rights reserved"):
        assert furniture not in text


def test_html_in_a_legacy_encoding_is_decoded_from_its_meta_charset():
    article = load_article(ARTICLES / "html-russian-cp1251.html")
    assert article.title == "Сергей Волков: Хороший хлеб не терпит спешки"
    assert "— Сергей, почему к вам стоят в очереди с самого утра?" in article.text


def test_a_text_file_that_is_html_is_read_as_html(tmp_path):
    page = tmp_path / "saved.txt"
    page.write_bytes((ARTICLES / "html-interview.html").read_bytes())
    assert load_article(page).author == "Oskar Falk"


def test_ordered_lists_are_numbered_and_line_breaks_split_paragraphs():
    html = "<html><body><article><p>First line of a long enough paragraph here.<br>Second line of it.</p>" \
           "<ol><li>Wrap the apples in paper.</li><li>Lay them out in a single layer.</li></ol></article></body></html>"  # fmt: skip
    lines = extract_html(html, "x.html").text.splitlines()
    assert lines[-2:] == ["1. Wrap the apples in paper.", "2. Lay them out in a single layer."]
    assert "Second line of it." in lines


def test_prune_drops_page_parts_the_extractor_would_keep():
    promo = "<div class='promo'><p>Subscribe to our weekly letter and never miss a long conversation.</p></div>"
    first = "The keeper spoke of the sea for an hour, and of the light. " * 3
    second = "She said the storms were the best nights of all, loud and bright. " * 3
    html = f"<html><body><article><p>{first}</p>{promo}<p>{second}</p></article></body></html>"
    assert "Subscribe to our weekly letter" in extract_html(html, "x.html").text
    pruned = extract_html(html, "x.html", prune=(".promo",)).text
    assert "Subscribe" not in pruned and "storms were the best nights" in pruned


def test_a_page_without_article_text_is_an_input_error():
    with pytest.raises(InputError, match="no article text"):
        extract_html("<html><body><nav><a href='/'>Home</a></nav></body></html>", "empty.html")


# ---------------------------------------------------------------------------
# URLs, from a server on 127.0.0.1

PAGES = {
    "/interview.html": ("text/html; charset=utf-8", (ARTICLES / "html-interview.html").read_bytes()),
    "/russian.html": ("text/html", (ARTICLES / "html-russian-cp1251.html").read_bytes()),
    "/article.txt": ("text/plain; charset=windows-1251", "Заголовок\n\nТекст статьи о реке.".encode("cp1251")),
    "/notes.md": ("text/markdown", b"# Notes\n\nA short note about the harbour."),
    "/report.pdf": ("application/pdf", b"%PDF-1.4"),
}
REDIRECTS = {"/moved": "/interview.html", "/loop": "/loop"}


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path in REDIRECTS:
            self.send_response(302)
            self.send_header("Location", REDIRECTS[self.path])
            self.end_headers()
        elif self.path == "/broken":
            self.send_error(500, "Internal Server Error")
        elif self.path in PAGES:
            content_type, body = PAGES[self.path]
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404, "Not Found")

    def log_message(self, *args):
        """Keep the test output quiet."""


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_url_is_fetched_and_its_main_content_extracted(server):
    article = load_article(f"{server}/interview.html")
    assert article.source == f"{server}/interview.html"
    assert article.title == "Greta Lund: Glaciers are the planet's memory"
    assert "**Greta Lund:** Enormous, and loud." in article.text


def test_a_url_without_a_charset_header_uses_the_pages_meta_charset(server):
    assert "— Кашу. От хлеба к утру я уже устаю (смеется)." in load_article(f"{server}/russian.html").text


def test_plain_text_and_markdown_urls_are_read_as_text(server):
    assert load_article(f"{server}/article.txt") == Article(
        f"{server}/article.txt", "Заголовок\n\nТекст статьи о реке."
    )
    assert load_article(f"{server}/notes.md").text.startswith("# Notes")


def test_a_redirect_is_followed(server):
    assert load_article(f"{server}/moved").author == "Oskar Falk"


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("/missing", "HTTP error 404 Not Found"),
        ("/broken", "HTTP error 500 Internal Server Error"),
        ("/loop", "redirects more than 5 times (a redirect loop?)"),
        ("/report.pdf", "is application/pdf, not a web page or text"),
    ],
)
def test_url_errors_are_one_line_input_errors(server, path, problem):
    with pytest.raises(InputError) as error:
        load_article(f"{server}{path}")
    assert error.value.source == f"{server}{path}"
    assert problem in error.value.problem and "\n" not in error.value.problem


def test_a_refused_connection_is_an_input_error():
    with socket.socket() as probe:  # a port that nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(InputError, match="cannot connect"):
        load_article(f"http://127.0.0.1:{port}/x.html")
