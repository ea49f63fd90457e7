"""Stage 1a, reading: files in any common encoding, HTML pages and URLs (served from 127.0.0.1)."""

from __future__ import annotations

import http.server
import json
import socket
import subprocess
import sys
import threading
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from audiobuild.errors import InputError
from audiobuild.parse import parse
from audiobuild.read.sources import Article, decode, extract_html, load_article, read_article

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
    html = (
        "<html><body><article><p>First line of a long enough paragraph here.<br>Second line of it.</p>"
        "<ol><li>Wrap the apples in paper.</li><li>Lay them out in a single layer.</li></ol></article></body></html>"
    )
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


def test_a_page_keeps_its_bold_questions_and_gives_its_site_name_and_date():
    html = (
        '<html><head><meta property="og:site_name" content="The Tidewater Review">'
        '<meta property="og:title" content="Marshes are cheaper than walls">'
        '<meta property="article:published_time" content="2025-04-22T07:00:00-04:00"></head><body><article>'
        "<h1>Marshes are cheaper than walls</h1><p>An ecologist explains why she lets the sea back in.</p>"
        "<p><strong>Why would anyone let the sea in on purpose?</strong></p>"
        "<p>Because the sea is coming in anyway, and walls that fail, fail all at once.</p>"
        "<p><b>How quickly does a field become a marsh?</b></p><p>Faster than people expect, a few summers.</p>"
        "</article></body></html>"
    )
    article = extract_html(html.replace("<b>How quickly", "<em>How quickly").replace("marsh?</b>", "marsh?</em>"),
                           "marsh.html")  # fmt: skip
    assert "**Why would anyone let the sea in on purpose?**" in article.text.splitlines()
    assert "*How quickly does a field become a marsh?*" in article.text.splitlines()
    article = extract_html(html, "marsh.html")
    assert "**How quickly does a field become a marsh?**" in article.text.splitlines()
    assert (article.site_name, article.date, article.date_source) == (
        "The Tidewater Review", "2025-04-22", "page metadata",
    )  # fmt: skip


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="article:published_time" content="2024-03-12T09:15:00Z">',
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Glass",'
        ' "datePublished": "2024-03-12T09:15:00Z"}</script>',
        "",  # the date is in a <time> element of the page
    ],
)
def test_the_pages_own_date_comes_from_its_metadata_json_ld_or_time_element(head):
    time = "" if head else '<time datetime="2024-03-12T09:15">12 March 2024</time>'
    html = (
        f"<html><head><title>Glass</title>{head}</head><body>{time}<article><h1>Glass</h1>"
        "<p>The furnace has to stay hot day and night, all year, because a cold crucible cracks.</p>"
        "<p>When I started, heat was cheap. Now it is the biggest cost in the building.</p></article></body></html>"
    )
    assert extract_html(html, "glass.html").date == "2024-03-12"


@pytest.mark.parametrize("line", ["", "<p>Published 12 March 2024, 09:15</p>", "<p>March 12, 2024</p>"])
def test_a_page_without_a_date_gets_none_from_a_year_its_text_mentions(line):
    # htmldate's extensive search dated such a page 1 January of a year in its text (adbar/htmldate#124).
    html = (
        "<html><head><title>The keeper</title></head><body><article><h1>Talking to the keeper of the light</h1>"
        f"{line}<p>The keeper remembers the great storm of 1998, when the waves reached the lamp room.</p>"
        "<p>Q: What was it like?</p><p>A: It was loud. The sea came over the rocks and the glass shook all night.</p>"
        "<p>Q: Would you stay again?</p><p>A: Yes. I have stayed every winter since then, until they close it.</p>"
        "</article><footer><p>Copyright 2019 Coast Weekly. All rights reserved.</p></footer></body></html>"
    )
    article = extract_html(html, "keeper.html")
    assert article.date is None
    script = parse(article)  # a date line under the headline is the parser's to read
    assert (script.date, script.date_source) == (("2024-03-12", "date line, line 2") if line else (None, None))


# ---------------------------------------------------------------------------
# Caption files and front matter

VOICE_TAGS = """WEBVTT
Kind: captions

6f3c2a91/14-0
00:00:03.120 --> 00:00:07.391
<v Kasper Lindahl>Ingrid, thanks for joining</v>

00:00:07.741 --> 00:00:11.370
<v Kasper Lindahl>from the bridge.</v>

00:00:11.570 --> 00:00:14.484
<v Ingrid Solvang>No problem. We sail in twenty minutes.
"""
NAME_ON_EVERY_CUE = """WEBVTT

1
00:00:01.350 --> 00:00:05.883
Anneliese Moreau-Tan: Okay, welcome everyone.

2
00:00:05.883 --> 00:00:10.283
Anneliese Moreau-Tan: Dewi, what do you remember?

3
00:00:10.283 --> 00:00:13.417
Dewi Hartono: Mostly that the transmitter caught fire.
"""
NAME_ON_FIRST_CUE = """1
00:00:00,000 --> 00:00:04,600
Tomas Echeverry: Welcome to Rooftop Hours.
How did you end up

2
00:00:04,600 --> 00:00:09,000
keeping bees on a roof?

3
00:00:09,500 --> 00:00:12,000
Adaora Nnamdi-Wells: My landlord said no to a dog.
"""


@pytest.mark.parametrize(
    ("name", "captions", "text"),
    [
        ("ferry.vtt", VOICE_TAGS, "Kasper Lindahl: Ingrid, thanks for joining from the bridge.\n\n"
                                  "Ingrid Solvang: No problem. We sail in twenty minutes."),
        ("radio.vtt", NAME_ON_EVERY_CUE, "Anneliese Moreau-Tan: Okay, welcome everyone. Dewi, what do you remember?"
                                         "\n\nDewi Hartono: Mostly that the transmitter caught fire."),
        ("podcast.srt", NAME_ON_FIRST_CUE, "Tomas Echeverry: Welcome to Rooftop Hours. How did you end up keeping "
                                           "bees on a roof?\n\nAdaora Nnamdi-Wells: My landlord said no to a dog."),
    ],
)  # fmt: skip
def test_captions_become_one_paragraph_per_turn_without_time_stamps(tmp_path, name, captions, text):
    path = tmp_path / name
    path.write_text(captions, encoding="utf-8")
    article = load_article(path)
    assert (article.text, article.title) == (text, None)  # the parser titles it by its file name


@pytest.mark.parametrize(
    ("name", "captions", "title"),
    [
        ("ferry.vtt", VOICE_TAGS.replace("WEBVTT\n", "WEBVTT - Ferry captain, from the bridge\n"),
         "Ferry captain, from the bridge"),
        ("ferry.vtt", VOICE_TAGS.replace("Kind: captions\n", "Kind: captions\nTitle:  Ferry  captain \n"),
         "Ferry captain"),
        ("call.vtt", VOICE_TAGS, "Call with Kasper Lindahl and Ingrid Solvang"),
        ("call.vtt", VOICE_TAGS.replace("WEBVTT\n", "WEBVTT FILE\n"), "Call with Kasper Lindahl and Ingrid Solvang"),
        ("GMT20260312-150512_Recording.transcript.vtt", NAME_ON_EVERY_CUE,
         "Conversation with Anneliese Moreau-Tan and Dewi Hartono"),
        ("meeting.en.srt", NAME_ON_FIRST_CUE, "Meeting with Tomas Echeverry and Adaora Nnamdi-Wells"),
        ("captions.srt", "1\n00:00:00,000 --> 00:00:02,000\nNobody is named here.\n", None),
    ],
)  # fmt: skip
def test_a_caption_file_is_titled_by_its_header_or_when_its_name_says_nothing_by_its_speakers(
    tmp_path, name, captions, title
):
    path = tmp_path / name
    path.write_text(captions, encoding="utf-8")
    assert load_article(path).title == title


def test_a_title_from_a_caption_files_name_leaves_out_what_caption_tools_add():
    from audiobuild.parse.zones import title_from_source

    assert title_from_source("/videos/harbour-talk [dQw4w9WgXcQ].en-GB.vtt") == "Harbour Talk"
    assert title_from_source("ferry_captain.transcript.srt") == "Ferry Captain"
    assert title_from_source("https://example.org/talks/ferry.de.vtt") == "Ferry"


def test_a_caption_file_that_is_not_one_is_an_input_error(tmp_path):
    path = tmp_path / "broken.vtt"
    path.write_text("WEBVTT\n\nthis is no cue\n00:00:01.000 --> nonsense\n", encoding="utf-8")
    with pytest.raises(InputError, match="caption") as error:
        load_article(path)
    assert "\n" not in error.value.problem


def test_front_matter_gives_the_title_author_and_date(tmp_path):
    path = tmp_path / "beekeeper.md"
    path.write_text(
        '---\ntitle: "Why one village pays its beekeeper"\ndate: 2025-05-30T09:00:00+02:00\n'
        'author: "Editorial team"\ntags: ["bees"]\n---\n\nIn 2021 the village hired a beekeeper.\n'
    )
    article = load_article(path)
    assert (article.title, article.author, article.date, article.date_source) == (
        "Why one village pays its beekeeper", "Editorial team", "2025-05-30", "front matter",
    )  # fmt: skip
    assert article.text.startswith("---\ntitle:")  # the parser drops the block, and says so


# "Billion laughs" in YAML: each line doubles the last; 30 lines would be 2^30 copies, some 24 GB.
ALIAS_BOMB = "---\na0: &a0 [lol, lol]\n" + "".join(f"a{n}: &a{n} [*a{n - 1}, *a{n - 1}]\n" for n in range(1, 30))
ALIAS_BOMB += "title: Laughs\n---\n\nSome text to read.\n"


@pytest.mark.parametrize(
    ("front", "line", "problem"),
    [
        (ALIAS_BOMB, 3, "uses the YAML alias *a0; aliases are refused (each copy multiplies the document)"),
        ("---\ntitle: !!binary AAECAwQ=\n---\n\nText.\n", 2,
         "front matter title must be str or float or null, not b'\\x00\\x01\\x02\\x03\\x04'"),
        ("---\ntitle: Digits\nyear: " + "9" * 5000 + "\n---\n\nText.\n", 3,
         "holds a 5000-digit number; numbers over 4300 digits are refused"),
    ],
    ids=["alias-bomb", "binary-title", "digits"],
)  # fmt: skip
def test_a_front_matter_past_the_bounds_is_one_line(tmp_path, front, line, problem):
    path = tmp_path / "article.md"
    path.write_text(front)
    with pytest.raises(InputError) as error:
        load_article(path)
    assert (error.value.source, error.value.problem, error.value.line) == (str(path), problem, line)


# ---------------------------------------------------------------------------
# URLs, from a server on 127.0.0.1

PAGES = {
    "/interview.html": ("text/html; charset=utf-8", (ARTICLES / "html-interview.html").read_bytes()),
    "/russian.html": ("text/html", (ARTICLES / "html-russian-cp1251.html").read_bytes()),
    "/article.txt": ("text/plain; charset=windows-1251", "Заголовок\n\nТекст статьи о реке.".encode("cp1251")),
    "/notes.md": ("text/markdown", b"# Notes\n\nA short note about the harbour."),
    "/report.pdf": ("application/pdf", b"%PDF-1.4"),
    # Under the download cap (20 MB), over an article file's (5 MB): refused the same as a file.
    "/huge.txt": ("text/plain", b"All work and no play. " * 900_000),
    "/huge.html": ("text/html", b"<html><body>" + b"<p>All work and no play.</p>\n" * 700_000 + b"</body></html>"),
    "/bomb.md": ("text/markdown", ALIAS_BOMB.encode()),
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
        ("/huge.txt", "is larger than 5 MB; articles over 5 MB are refused"),
        ("/huge.html", "is larger than 5 MB; articles over 5 MB are refused"),
        ("/bomb.md", "uses the YAML alias *a0"),
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


# ---------------------------------------------------------------------------
# The HTML path in the installed package: everything it imports is declared

_PROBE = """
import json, sys
before = set(sys.modules)  # what the interpreter loaded before audiobuild (site's .pth hooks among them)
from audiobuild.read.sources import extract_html
page = "<html><head><title>Glass</title></head><body><article><h1>Glass</h1>" + (
    "<p><b>Why glass?</b></p><p>Because it rings when it is ready, and you can hear it from the door.</p>" * 3
) + "</article></body></html>"
extract_html(page, "glass.html")
print(json.dumps(sorted(name.split(".")[0] for name in set(sys.modules) - before)))
"""


def _requirements(distribution: str) -> list[Requirement]:
    """A distribution's requirements that apply here, extras left out: an extra is not installed by name alone."""
    environment = {"extra": ""}
    return [requirement for requirement in map(Requirement, metadata.requires(distribution) or [])
            if requirement.marker is None or requirement.marker.evaluate(environment)]  # fmt: skip


def _declared_closure() -> set[str]:
    """audiobuild's core dependencies and theirs, by normalised name, without following any extra (pip 23 of
    Python 3.11 misses `lxml[html_clean]` as jusText writes it: a package reached only through one is missing)."""
    seen: set[str] = set()
    todo = [requirement.name for requirement in _requirements("audiobuild")]
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            todo += [requirement.name for requirement in _requirements(name)]
        except metadata.PackageNotFoundError:
            continue  # a marker kept out of this environment
    return seen


def test_every_package_the_html_path_imports_is_a_declared_dependency():
    # -I: the installed package, whatever the working folder and environment variables of the test run.
    result = subprocess.run([sys.executable, "-I", "-c", _PROBE], capture_output=True, text=True, check=True)
    modules = set(json.loads(result.stdout)) - set(sys.stdlib_module_names) - {"audiobuild", "__main__"}
    providers = metadata.packages_distributions()
    imported = {canonicalize_name(dist) for module in modules for dist in providers.get(module, [])}
    assert {"trafilatura", "justext", "lxml-html-clean"} <= imported  # the path under test was taken
    missing = imported - _declared_closure()
    assert not missing, f"imported by the HTML path but declared by no dependency: {sorted(missing)}"
