"""`audiobuild follow` against feeds and pages on a real server on 127.0.0.1: RSS, Atom, JSON Feed, faults."""

from __future__ import annotations

import html
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from lxml import etree

from audiobuild.config import Config, Follow, load_config
from audiobuild.errors import AudiobuildError, ConfigError, InputError
from audiobuild.publish.catalogue import load_catalogue
from audiobuild.publish.state import read
from audiobuild.read.feeds import read_feed
from audiobuild.run.follow import STATE, Options, follow, status
from tests.conftest import as_in_a_terminal, tree_digest
from tests.website import Site, serving

ARTICLES = Path(__file__).parent / "data" / "articles"
DAY = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def page(name: str, furniture: bool = True) -> bytes:
    """A web page holding the article tests/data/articles/NAME.txt: its first line the title, a paragraph a line."""
    title, *paragraphs = [line.strip() for line in (ARTICLES / name).read_text().split("\n\n") if line.strip()]
    title, _, byline = title.partition("\n")  # "Title\nBy Someone": the byline is the first paragraph
    paragraphs = [byline, *paragraphs] if byline else paragraphs
    body = "".join(f"<p>{html.escape(paragraph)}</p>\n" for paragraph in paragraphs)
    nav = '<nav><a href="/">Home</a> <a href="/news">News</a></nav>' if furniture else ""
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
            f"<body>{nav}<article><h1>{html.escape(title)}</h1>\n{body}</article>"
            "<footer>© 2026 The Test Gazette</footer></body></html>").encode()  # fmt: skip


def rss(items: list[dict], full_text: bool = False) -> str:
    """An RSS 2.0 feed of `items` (title, link, date, guid; text for content:encoded)."""
    entries = []
    for item in items:
        content = f"<content:encoded><![CDATA[{item['text']}]]></content:encoded>" if full_text else ""
        entries.append(
            f"<item><title>{html.escape(item['title'])}</title><link>{item['link']}</link>"
            f"<guid isPermaLink='false'>{item['guid']}</guid><pubDate>{format_datetime(item['date'])}</pubDate>"
            f"<description>A summary.</description>{content}</item>"
        )
    channel = "<title>The Test Gazette</title><link>http://example.org/</link><description>News</description>"
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            f"<channel>{channel}{''.join(entries)}</channel></rss>")  # fmt: skip


def atom(items: list[dict]) -> str:
    entries = "".join(
        f"<entry><id>{item['guid']}</id><title>{html.escape(item['title'])}</title><link href='{item['link']}'/>"
        f"<updated>{item['date'].isoformat()}</updated><summary>A summary.</summary></entry>"
        for item in items
    )
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Atom Gazette</title><id>urn:atom-gazette</id><updated>{DAY.isoformat()}</updated>"
            f"{entries}</feed>")  # fmt: skip


def json_feed(items: list[dict], version: str = "1.1") -> str:
    return json.dumps({
        "version": f"https://jsonfeed.org/version/{version}", "title": "JSON Gazette",
        "items": [{"id": item["guid"], "url": item["link"], "title": item["title"],
                   "date_published": item["date"].isoformat()} for item in items],
    })  # fmt: skip


def item(site: Site, name: str, days: int, title: str | None = None) -> dict:
    """A page for the article NAME on `site`, and the feed item that links to it."""
    path = f"/articles/{name}.html"
    site.page(path, page(f"{name}.txt"))
    first_line = (ARTICLES / f"{name}.txt").read_text().splitlines()[0]
    return {"title": title or first_line, "link": f"{site.url}{path}", "guid": f"guid-{name}",
            "date": DAY - timedelta(days=days)}  # fmt: skip


def quiet(*sources: str) -> list[Follow]:
    return [Follow(url=source) for source in sources]


def mp3s(output: Path) -> dict[str, str]:
    return {name: digest for name, digest in tree_digest(output).items() if name.endswith(".mp3")}


# ---------------------------------------------------------------------------
# Reading feeds (no build)


def test_rss_atom_and_json_feeds_read_alike():
    items = [{"title": "Q&A <one>", "link": "/a/one.html", "guid": "1", "date": DAY, "text": "<p>- Why?</p>"}]
    base = "http://news.example/feeds/"
    for body in (rss(items, full_text=True), atom(items), json_feed(items), json_feed(items, "1")):
        (read,) = read_feed(body.encode(), base + "feed", url=base + "feed").items
        assert (read.title, read.link, read.date) == ("Q&A <one>", "http://news.example/a/one.html", DAY.isoformat())
    (full,) = read_feed(rss(items, full_text=True).encode(), base).items
    assert full.html == "<p>- Why?</p>"


def test_a_json_feed_item_with_text_only_and_an_author():
    entry = {"id": 7, "content_text": "Just text.", "authors": [{"name": "Ada"}]}
    entry["date_published"] = "2026-01-02T03:04:05Z"
    body = {"version": "https://jsonfeed.org/version/1.1", "items": [entry]}
    (only,) = read_feed(json.dumps(body).encode(), "feed.json").items
    assert (only.key, only.text, only.author, only.link, only.date) == (
        "7", "Just text.", "Ada", "", "2026-01-02T03:04:05+00:00",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<html><body>not a feed</body></html>", "is not an RSS, Atom or JSON feed"),
        (b'{\n"version": "https://jsonfeed.org/version/1",\n"items": [{"title": ""}]}', "feed:3: items[0] has no 'id'"),
        (b'{"version": "https://example.org/2", "items": []}', "is not a JSON Feed version audiobuild reads"),
        (b"{not json", "is not valid JSON at line 1"),
    ],
)  # fmt: skip
def test_what_is_not_a_feed_is_one_line(body, problem):
    with pytest.raises(InputError) as error:
        read_feed(body, "http://news.example/feed")
    assert problem in str(error.value) and "\n" not in str(error.value)


def test_a_feed_with_html_entities_is_read_whole_with_one_warning(caplog):
    # Not XML's entities, yet in many feeds (kurtmckee/feedparser#121): feedparser reads every item.
    items = [{"title": f"Story&nbsp;{number} &ldquo;quoted&rdquo; hy&shy;phen", "link": f"/{number}.html",
              "guid": str(number), "date": DAY} for number in range(3)]  # fmt: skip
    body = rss(items).replace("&amp;", "&").encode()  # rss() escapes titles: these are written raw
    feed = read_feed(body, "http://news.example/feed")
    assert [item.title for item in feed.items] == [
        f"Story\u00a0{number} \u201cquoted\u201d hy\u00adphen" for number in range(3)
    ]
    (warning,) = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert warning.startswith("http://news.example/feed: is not well-formed XML (undefined entity")
    truncated = body[: body.rindex(b"<item>") + 20]  # entities and a cut: still refused, not read in part
    with pytest.raises(InputError, match="is not a well-formed feed"):
        read_feed(truncated, "http://news.example/feed")


def test_an_item_link_that_is_not_http_is_no_link():
    items = [{"title": "x", "link": "javascript:alert(1)", "guid": "1", "date": DAY}]
    assert read_feed(rss(items).encode(), "http://news.example/feed").items[0].link == ""


def test_follow_tables_in_podcast_toml(tmp_path):
    config = tmp_path / "podcast.toml"
    config.write_text(
        '[[follow]]\nurl = "feeds/local.xml"\nmax = 3\n\n[[follow]]\nurl = "https://Пример.рф/лента"\n'
        'match = "(?i)interview"\nprune = [".promo", "aside.related"]\ninterviews_only = true\n'
    )
    first, second = load_config(config).follow
    assert (first.url, first.max) == (str(tmp_path / "feeds" / "local.xml"), 3)
    assert second.url == "https://xn--e1afmkfd.xn--p1ai/%D0%BB%D0%B5%D0%BD%D1%82%D0%B0"
    assert (second.prune, second.interviews_only) == ((".promo", "aside.related"), True)
    config.write_text('[[follow]]\nurl = "https://example.org/feed"\n\n[[follow]]\nmatch = "x"\n')
    with pytest.raises(ConfigError, match=r"podcast.toml:4: \[follow\[1\]\] has no 'url'"):
        load_config(config)
    config.write_text('[[follow]]\nurl = "https://example.org/feed"\nprune = ["div[["]\n')
    with pytest.raises(ConfigError, match=r"podcast.toml:3: \[follow\[0\]\] prune 'div\[\[' is not a CSS selector"):
        load_config(config)


# ---------------------------------------------------------------------------
# Following, without building


@pytest.fixture
def site():
    with serving() as site:
        yield site


def test_interviews_only_lists_and_skips_articles_without_dialogue(site, tmp_path, caplog):
    plain = item(site, "plain-article", 1)
    site.page("/feed.xml", rss([plain]), content_type="application/rss+xml")
    output = tmp_path / "output"
    caplog.set_level("INFO", "audiobuild")
    assert follow(quiet(f"{site.url}/feed.xml"), output, Config(), Options(interviews_only=True))
    assert f"skipped (no dialogue found): {plain['title']} ({plain['link']})" in caplog.messages
    assert not load_catalogue(output).entries and not list(output.rglob("*.mp3"))
    assert follow(quiet(f"{site.url}/feed.xml"), output, Config(), Options(interviews_only=True))
    assert site.requests["/articles/plain-article.html"] == 1  # known: not fetched again
    assert "no dialogue: " in status(output)


def test_status_escapes_what_a_feed_wrote(site, tmp_path):
    """A JSON Feed may carry control characters in a title (XML cannot): --status must not let them drive a terminal."""
    plain = item(site, "plain-article", 1, title="\x1b]0;pwned\x07\x1b[2JStory\x9b")
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "The Test Gazette",
            "items": [{"id": plain["guid"], "url": plain["link"], "title": plain["title"],
                       "date_published": plain["date"].isoformat()}]}  # fmt: skip
    site.page("/feed.json", json.dumps(feed), content_type="application/feed+json")
    output = tmp_path / "output"
    assert follow(quiet(f"{site.url}/feed.json"), output, Config(), Options(interviews_only=True))
    report = status(output)
    assert "no dialogue: \\x1b]0;pwned\\x07\\x1b[2JStory\\x9b\n" in report
    assert not any(char in report for char in "\x1b\x07\x9b")


def test_max_match_and_since_choose_the_items_read(site, tmp_path):
    plain = [{**item(site, "plain-article", days), "guid": f"g{days}", "title": f"Story {days}"} for days in range(5)]
    for entry in plain:  # each item its own page
        entry["link"] = f"{entry['link']}?{entry['guid']}"
    site.page("/feed.xml", rss(plain), content_type="application/rss+xml")
    read = lambda **options: follow(  # noqa: E731
        quiet(f"{site.url}/feed.xml"), tmp_path / str(len(options)) / options.get("name", ""), Config(),
        Options(interviews_only=True, **{k: v for k, v in options.items() if k != "name"}))  # fmt: skip
    site.reset_counts()
    assert read(max=2, name="max")
    assert site.requests["/articles/plain-article.html"] == 2
    site.reset_counts()
    assert read(match=r"Story [34]$", name="match")
    assert site.requests["/articles/plain-article.html"] == 2
    site.reset_counts()
    assert read(since=DAY - timedelta(days=1, hours=1), name="since")
    assert site.requests["/articles/plain-article.html"] == 2  # dated DAY and DAY - 1 day


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda site: site.page("/feed.xml", "oops", status=404), "HTTP error 404 Not Found"),
        (lambda site: site.page("/feed.xml", "<rss><channel><item><title>x</titl", content_type="text/xml"),
         "is not a well-formed feed (unclosed token)"),
        (lambda site: site.redirect("/feed.xml", "/feed.xml"), "redirects more than 5 times (a redirect loop?)"),
    ],
    ids=["down", "malformed", "redirect-loop"],
)  # fmt: skip
def test_a_broken_feed_is_one_line_and_is_read_again_next_run(site, tmp_path, make, problem, caplog):
    make(site)
    output = tmp_path / "output"
    for run in (1, 2):
        caplog.clear()
        assert not follow(quiet(f"{site.url}/feed.xml"), output, Config())
        errors = [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]
        assert errors == [f"audiobuild: error: {site.url}/feed.xml: {problem}"]
        assert site.requests["/feed.xml"] >= run
    assert not load_catalogue(output).entries and not list(output.rglob("*.mp3"))
    assert f"error: {problem}" in status(output)


def test_watch_polls_until_sigterm(site, tmp_path):
    plain = item(site, "plain-article", 1)
    site.page("/feed.xml", rss([plain]), content_type="application/rss+xml")
    output = tmp_path / "output"
    command = [sys.executable, "-m", "audiobuild", "follow", f"{site.url}/feed.xml", "-o", str(output),
               "--interviews-only", "--watch", "0.005"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=as_in_a_terminal)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while site.requests["/feed.xml"] < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert site.not_modified["/feed.xml"] >= 2  # polled again and again, each a 304
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert stdout.strip().splitlines()[-1] == "follow: stopped"
    assert stderr == ""
    assert not any(path.name.startswith(".tmp-") for path in output.rglob("*"))


# ---------------------------------------------------------------------------
# Building (slow: whole episodes)


@pytest.mark.slow
def test_feeds_become_episodes_once_and_changes_become_revisions(site, tmp_path):
    rss_items = [item(site, "intro-then-dash", 3), item(site, "question-answer", 2), item(site, "plain-article", 1)]
    html_interview = {"title": "Greta Lund: Glaciers are the planet's memory", "guid": "greta", "date": DAY,
                      "link": f"{site.url}/articles/greta.html"}  # fmt: skip
    site.page("/articles/greta.html", (ARTICLES / "html-interview.html").read_bytes())
    full = {"title": "Two people, one stage", "link": "http://elsewhere.example/two", "guid": "two", "date": DAY,
            "text": page("two-named.txt", furniture=False).decode()}  # fmt: skip
    site.page("/rss.xml", rss(rss_items), content_type="application/rss+xml")
    site.page("/atom.xml", atom([html_interview]), content_type="application/atom+xml")
    site.page("/feed.json", json_feed([item(site, "continuation", 4)]), content_type="application/feed+json")
    site.page("/full.xml", rss([full], full_text=True), content_type="application/rss+xml")
    feeds = quiet(*(f"{site.url}{path}" for path in ("/rss.xml", "/atom.xml", "/feed.json", "/full.xml")))
    output = tmp_path / "output"

    # The first run builds every item.
    assert follow(feeds, output, Config())
    catalogue = load_catalogue(output)
    assert len(catalogue.entries) == 6
    by_link = {entry.link: entry for entry in catalogue.entries}
    greta = by_link[html_interview["link"]]
    assert greta.title == html_interview["title"] and greta.article_date == DAY.isoformat()
    assert by_link["http://elsewhere.example/two"].title == "Two people, one stage"
    assert site.requests["/two"] == 0  # the feed had its text: nothing fetched
    items = etree.parse(output / "feed.xml").findall("channel/item")
    assert {element.findtext("link") for element in items} == set(by_link)

    # The second run: every feed answers 304, no page is fetched, no MP3 is touched.
    before, site_requests = mp3s(output), dict(site.requests)
    site.reset_counts()
    assert follow(feeds, output, Config())
    assert dict(site.requests) == {path: 1 for path in ("/rss.xml", "/atom.xml", "/feed.json", "/full.xml")}
    assert sum(site.not_modified.values()) == 4
    assert mp3s(output) == before and site_requests

    # A new item: exactly one new episode, and only its page is fetched.
    site.reset_counts()
    rss_items.append(item(site, "label-own-line", 0))
    site.page("/rss.xml", rss(rss_items), content_type="application/rss+xml")
    assert follow(feeds, output, Config())
    assert len(load_catalogue(output).entries) == 7
    assert [path for path in site.requests if path.startswith("/articles/")] == ["/articles/label-own-line.html"]
    assert set(before) < set(mp3s(output))

    # An edited item (the site changed the page and said so in its feed): a new revision, the same guid.
    old = by_link[rss_items[0]["link"]]
    edited = page("intro-then-dash.txt").replace(b"full", b"completely full")
    site.page("/articles/intro-then-dash.html", edited)
    rss_items[0] = {**rss_items[0], "date": rss_items[0]["date"]}
    site.page("/rss.xml", rss(rss_items).replace("A summary.", "A summary, edited.", 1), content_type="text/xml")
    assert follow(feeds, output, Config())
    new = {entry.link: entry for entry in load_catalogue(output).entries}[old.link]
    assert (new.guid, new.revision, new.slug) == (old.guid, 2, old.slug)
    assert (output / old.file).exists() and (output / new.file).exists()  # the old kept for apps that kept its URL
    assert len(load_catalogue(output).entries) == 7


@pytest.mark.slow
def test_broken_items_are_one_line_each_and_tried_again(site, tmp_path, caplog):
    good = item(site, "intro-then-dash", 2)
    missing = {"title": "Gone", "link": f"{site.url}/articles/gone.html", "guid": "gone", "date": DAY}
    pdf = {"title": "A report", "link": f"{site.url}/report.pdf", "guid": "pdf", "date": DAY}
    site.page("/report.pdf", b"%PDF-1.4", content_type="application/pdf")
    site.page("/feed.xml", rss([good, missing, pdf]), content_type="application/rss+xml")
    output = tmp_path / "output"
    feeds = quiet(f"{site.url}/feed.xml")

    caplog.set_level("INFO", "audiobuild")
    assert not follow(feeds, output, Config())
    errors = [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]
    assert sorted(errors) == [
        f"audiobuild: error: {missing['link']}: HTTP error 404 Not Found",
        f"audiobuild: error: {pdf['link']}: is application/pdf, not a web page or text",
    ]
    (built,) = load_catalogue(output).entries
    assert built.link == good["link"]
    before = tree_digest(output)

    # Next run: the feed is unchanged (304), yet the broken items are tried again; the good one is not.
    for run in (2, 3):
        caplog.clear()
        assert not follow(feeds, output, Config())
        assert site.requests["/articles/gone.html"] == run and site.requests["/report.pdf"] == run
        assert site.requests["/articles/intro-then-dash.html"] == 1
    assert {name: digest for name, digest in tree_digest(output).items() if not name.startswith(".")} == {
        name: digest for name, digest in before.items() if not name.startswith(".")
    }
    report = status(output)
    assert "built 1, failing 0, skipped 2" in report
    assert f"skipped after 3 runs: Gone: {missing['link']}: HTTP error 404 Not Found" in report
    # Skipped from now on: a fourth run fetches neither.
    assert follow(feeds, output, Config())
    assert site.requests["/articles/gone.html"] == 3
    # The page comes back and the feed changes the item: it is read again, and built.
    site.page("/articles/gone.html", page("question-answer.txt"))
    site.page("/feed.xml", rss([good, {**missing, "title": "Back again"}, pdf]), content_type="application/rss+xml")
    assert follow(feeds, output, Config())
    assert len(load_catalogue(output).entries) == 2
    recorded = read(output, STATE)["feeds"][f"{site.url}/feed.xml"]["items"]
    assert recorded[f"gone {missing['link']}"]["state"] == "built"
    assert os.listdir(output / ".state")


def test_items_sharing_a_guid_are_told_apart_by_their_links(site, tmp_path, caplog):
    """A feed that gives two items one guid: each is read once, and the feed gets one warning line a run."""
    first, second = item(site, "plain-article", 1), item(site, "plain-article", 2, title="Another story")
    second["link"] = f"{second['link']}?second"
    second["guid"] = first["guid"]
    # No validators: every run reads the feed afresh, as a site without ETags makes it.
    site.page("/feed.xml", rss([first, second]), content_type="application/rss+xml", validators=False)
    output = tmp_path / "output"
    caplog.set_level("INFO", "audiobuild")
    for run in (1, 2, 3):
        caplog.clear()
        assert follow(quiet(f"{site.url}/feed.xml"), output, Config(), Options(interviews_only=True))
        assert site.requests["/articles/plain-article.html"] == 2  # both in the first run, never again
        warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
        assert warnings == [f"{site.url}/feed.xml: 2 items share the guid 'guid-plain-article': "
                            "each is known by its guid and link together"]  # fmt: skip
    assert "no dialogue 2" in status(output)


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ('{"feeds": "none"}', "feeds must be an object"),
        ('{"feeds": {"FEED": {"items": "all of them"}}}', "feeds.FEED.items must be an object"),
        ('{"feeds": {"FEED": {"items": {"g": {"title": "", "link": "", "state": "built"}}}}}',
         "feeds.FEED.items.g has no 'digest'"),
        ('{"feeds": {"FEED": {"items": {"g": {"title": "", "link": "", "digest": "d"}}}}}',
         "feeds.FEED.items.g has no 'state'"),
    ],
    ids=["feeds-a-string", "items-a-string", "no-digest", "no-state"],
)  # fmt: skip
def test_damaged_state_is_one_line_naming_it(site, tmp_path, document, problem):
    plain = item(site, "plain-article", 1)
    site.page("/feed.xml", rss([plain]), content_type="application/rss+xml")
    output = tmp_path / "output"
    (output / ".state").mkdir(parents=True)
    damaged = output / ".state" / "follow.json"
    damaged.write_text(document.replace("FEED", f"{site.url}/feed.xml"))
    for check in (lambda: follow(quiet(f"{site.url}/feed.xml"), output, Config()), lambda: status(output)):
        with pytest.raises(AudiobuildError) as error:
            check()
        message = str(error.value)
        assert message.startswith(f"{damaged}:1: is damaged (")
        assert problem.replace("FEED", f"{site.url}/feed.xml") in message
        assert "move it away to start afresh" in message and "\n" not in message
    assert site.requests["/articles/plain-article.html"] == 0


def _json_feed_file(path: Path, items: list[dict]) -> str:
    path.write_text(json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items}), encoding="utf-8")
    return str(path)


def test_a_feed_with_a_lone_surrogate_is_one_line_and_the_next_feed_is_still_read(tmp_path, caplog):
    bad = _json_feed_file(tmp_path / "bad.json", [{"id": "1", "title": "\ud800", "content_text": "Some words."}])
    good = _json_feed_file(tmp_path / "good.json", [{"id": "2", "title": "Notes", "content_text": "A plain note."}])
    output = tmp_path / "output"
    assert not follow(quiet(bad, good), output, Config(), Options(interviews_only=True))
    errors = [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]
    assert errors == [f"audiobuild: error: {bad}:1: holds a lone surrogate ('\\ud800'), which is no character"]
    items = read(output, STATE)["feeds"][good]["items"].values()
    assert [item["state"] for item in items] == ["no dialogue"]  # read, and skipped


@pytest.mark.parametrize("field", ["title", "text"])
def test_an_rss_item_naming_a_lone_surrogate_is_one_line(field):
    entry = {"title": "x", "link": "http://x.example/a", "guid": "g-1", "date": DAY, "text": "y", field: "&#xD800;"}
    with pytest.raises(InputError) as error:
        body = rss([entry], True).replace("<![CDATA[&#xD800;]]>", "&#xD800;").replace("&amp;#xD800;", "&#xD800;")
        read_feed(body.encode(), "feed.xml")
    assert error.value.problem == "names a lone surrogate (as &#xD800;), which is no character"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('{"version": "https://jsonfeed.org/version/1.1", "items": ' + "[" * 5000 + "]" * 5000 + "}",
         "is nested deeper than 32 tables or lists"),
        ('{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": ' + "9" * 5000 + "}]}",
         "holds a 5000-digit number"),
    ],
    ids=["nested", "digits"],
)  # fmt: skip
def test_a_json_feed_past_the_bounds_is_one_line(body, problem):
    with pytest.raises(InputError) as error:
        read_feed(body.encode(), "feed.json")
    assert error.value.problem.startswith(problem)


def test_a_bad_item_in_a_large_json_feed_is_found_without_reading_it_twice():
    items = [{"id": str(index), "content_html": "<p>" + "word " * 180 + "</p>"} for index in range(20_000)]
    items[15_000]["id"] = None
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items}, indent=0).encode()  # ~19 MB
    started = time.process_time()
    with pytest.raises(InputError) as error:
        read_feed(body, "feed.json")
    assert error.value.problem == "items[15000].id must be str or float, not None"
    assert body.decode().splitlines()[error.value.line - 1] == '"id": null,'
    assert time.process_time() - started < 8  # 18 to 28 s when the line was found by composing it as YAML


@pytest.mark.parametrize("minutes", ["inf", "nan", "1e9", "0"])
def test_watch_minutes_out_of_range_are_one_line(tmp_path, minutes):
    result = subprocess.run([sys.executable, "-m", "audiobuild", "follow", "--watch", minutes, str(tmp_path / "f")],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("audiobuild follow: error: argument --watch: MINUTES = ")
