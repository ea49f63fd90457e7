"""The listening page and the feed's stylesheet: parsed with lxml, then in a real headless Chromium."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import threading
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest
from lxml import etree

from audiobuild.config import Config, Podcast
from audiobuild.model import Chapter, Person
from audiobuild.publish.catalogue import Catalogue
from audiobuild.publish.feed import FEED_FILE, render_feed
from audiobuild.publish.page import PAGE_FILE, STYLESHEET_FILE, render_page, write_page, write_stylesheet
from audiobuild.run.batch import build_all
from audiobuild.serve import server as serve
from tests.conftest import EXAMPLE, REPO
from tests.test_catalogue import entry

NASTY = "<script>alert('x')</script> Q&A: \"quoted\" 🎙️ מה שלומך"
PODCAST = Podcast(title="Harbour <voices> & more", author="Ada & co", base_url="https://pods.example.org/harbour/")
FEED_URL = "https://pods.example.org/harbour/feed.xml"
APP_URL = "podcast://pods.example.org/harbour/feed.xml"
SEGMENTS = [
    ("Narrator", 0.3, "A title"),
    ("Narrator", 1.5, "By a byline."),
    ("Interviewer", 4.25, "Why <now>?"),
    ("Ada Lindqvist", 9.0, "Because & so."),
    ("Ada Lindqvist", 12.0, "That is all."),
    ("Interviewer", 20.0, "Thanks."),
]
PI = b'<?xml-stylesheet type="text/xsl" href="feed.xsl"?>'
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture
def catalogue(tmp_path):
    newer = entry(
        "newer", 2, title=NASTY, description="Said <b>bold</b> & true.", duration=3725.9,
        people=(Person("Ada Lindqvist", "guest"), Person("Ingrid <Host>", "host")),
        chapters=(Chapter("Introduction", 0, 4_000), Chapter("Why <now>?", 4_000, 75_616),
                  Chapter("Last", 75_616, 3_725_900)),
    )  # fmt: skip
    catalogue = Catalogue.of(tmp_path, [newer, entry("older", 0)])
    segments = [{"speaker": who, "startTime": t, "endTime": t + 1, "body": body} for who, t, body in SEGMENTS]
    path = tmp_path / newer.transcript_file("json")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"version": "1.0.0", "segments": segments}))
    return catalogue  # "older" has no transcript file


@pytest.fixture
def page(catalogue):
    return lxml.html.document_fromstring(render_page(catalogue, PODCAST))


def articles(page):
    return page.xpath("//article")


def text(element) -> str:
    return " ".join(element.text_content().split())


def test_head_shows_the_podcast(page):
    assert page.get("lang") == "en"
    assert page.findtext("head/title") == PODCAST.title
    assert page.xpath("//head/meta[@name='viewport']")
    (cover,) = page.xpath("//header//img")
    assert cover.get("src") == "cover.png"
    assert text(page.xpath("//h1")[0]) == PODCAST.title
    assert PODCAST.author in text(page.xpath("//header")[0])
    assert PODCAST.description in text(page.xpath("//header")[0])
    (alternate,) = page.xpath("//link[@rel='alternate']")
    assert (alternate.get("type"), alternate.get("href")) == ("application/rss+xml", "feed.xml")


def test_subscribe_gives_the_absolute_feed_url_and_its_podcast_scheme(page):
    (code,) = page.xpath("//code[@id='feed_url']")
    assert code.text_content() == FEED_URL
    hrefs = page.xpath("//section[contains(@class, 'subscribe')]//a/@href")
    assert FEED_URL in hrefs and APP_URL in hrefs
    # Shown by the script only: without JavaScript there is nothing for it to do.
    (button,) = page.xpath("//button[@id='copy_feed_url']")
    assert button.get("hidden") is not None


def test_one_player_per_episode_with_the_captions_track(page, catalogue):
    assert [article.get("id") for article in articles(page)] == [item.stem for item in catalogue.entries]
    for article, item in zip(articles(page), catalogue.entries, strict=True):
        (audio,) = article.xpath(".//audio")
        assert audio.get("src") == item.file
        assert audio.get("preload") == "metadata"
        assert audio.get("controls") is not None
        (track,) = audio.xpath("track")
        assert track.get("kind") == "captions"
        assert track.get("srclang") == "en"
        assert track.get("src") == f"transcripts/{item.stem}.vtt" == item.transcript_file("vtt")
        assert track.get("default") is not None


def test_meta_line_has_date_duration_people_and_description(page, catalogue):
    newer = articles(page)[0]
    meta = text(newer.xpath(".//p[@class='meta']")[0])
    assert meta.startswith("3 November 2026 · 1:02:05 · Guest: Ada Lindqvist · Host: Ingrid <Host> · MP3, 0.0 MB")
    assert newer.xpath(".//time/@datetime") == [catalogue.entries[0].published.isoformat()]
    assert "Said <b>bold</b> & true." in text(newer)
    assert text(articles(page)[1].xpath(".//p[@class='meta']")[0]).startswith("1 November 2026 · 1:01 ·")


def test_chapter_links_are_media_fragments_at_the_chapter_starts(page, catalogue):
    for article, item in zip(articles(page), catalogue.entries, strict=True):
        links = article.xpath(".//ol[@class='chapters']//a")
        assert len(links) == len(item.chapters)
        for link, chapter in zip(links, item.chapters, strict=True):
            path, _, fragment = link.get("href").partition("#t=")
            assert path == item.file
            assert float(fragment) == float(link.get("data-start")) == chapter.start_ms / 1000
            assert text(link).endswith(chapter.title)
    first = articles(page)[0].xpath(".//ol[@class='chapters']//a")
    assert [text(link) for link in first] == ["0:00 Introduction", "0:04 Why <now>?", "1:15 Last"]
    assert first[1].get("href") == "episodes/newer.mp3#t=4"
    assert first[2].get("href") == "episodes/newer.mp3#t=75.616"


def test_only_the_newest_episode_opens_its_chapters(page):
    opened = [bool(article.xpath(".//details[ol[@class='chapters']]/@open")) for article in articles(page)]
    assert opened == [True, False]


def test_transcript_names_the_speaker_where_it_changes(page):
    newer, older = articles(page)
    (details,) = newer.xpath(".//details[contains(@class, 'transcript')]")
    speakers = [text(who.xpath("b")[0]) for who in details.xpath("p[@class='who']")]
    assert speakers == ["Narrator", "Interviewer", "Ada Lindqvist", "Interviewer"]
    paragraphs = details.xpath("p[not(@class)]")
    said = ["A title By a byline.", "Why <now>?", "Because & so. That is all.", "Thanks."]
    assert [text(p) for p in paragraphs] == said
    assert len(paragraphs[0].xpath("br")) == 1  # the title, without a full stop, ends its line
    times = details.xpath("p[@class='who']/a")
    assert [(link.text, link.get("href")) for link in times][1] == ("0:04", "episodes/newer.mp3#t=4.25")
    assert not older.xpath(".//details[contains(@class, 'transcript')]")  # no transcript file: no transcript


def test_every_value_is_escaped(catalogue):
    html = render_page(catalogue, PODCAST).decode()
    page = lxml.html.document_fromstring(html)
    assert len(page.xpath("//script")) == 1  # the page's own, not the title's
    assert "<script>alert" not in html
    assert text(articles(page)[0].xpath("h2")[0]) == NASTY
    assert not page.xpath("//b[text()='bold']")
    assert page.xpath("//meta[@name='description']/@content") == [PODCAST.description]


def test_nothing_is_loaded_from_elsewhere(page):
    resources = page.xpath("//link/@href | //script/@src | //img/@src | //audio/@src | //track/@src | //source/@src")
    assert resources and all(not urlsplit(url).scheme and not url.startswith("//") for url in resources)
    absolute = {url for url in page.xpath("//a/@href") if urlsplit(url).scheme or url.startswith("//")}
    assert absolute == {FEED_URL, APP_URL}
    style = page.xpath("//style")[0].text
    assert "url(" not in style and "@import" not in style


def test_an_empty_catalogue_still_offers_the_feed(tmp_path):
    page = lxml.html.document_fromstring(render_page(Catalogue.of(tmp_path, []), PODCAST))
    assert not page.xpath("//article")
    assert "No episodes yet" in text(page)
    assert page.xpath("//code[@id='feed_url']")[0].text_content() == FEED_URL


def test_unchanged_page_and_stylesheet_are_not_rewritten(catalogue):
    page = write_page(catalogue, PODCAST)
    stylesheet = write_stylesheet(catalogue.folder)
    assert (page.name, stylesheet.name) == (PAGE_FILE, STYLESHEET_FILE)
    assert stylesheet.read_bytes() == (REPO / "audiobuild" / "publish" / "assets" / STYLESHEET_FILE).read_bytes()
    before = [(path.stat().st_ino, path.stat().st_mtime_ns) for path in (page, stylesheet)]
    write_page(catalogue, PODCAST)
    write_stylesheet(catalogue.folder)
    assert [(path.stat().st_ino, path.stat().st_mtime_ns) for path in (page, stylesheet)] == before
    with catalogue.transaction():
        catalogue.remove(catalogue.entries[-1].slug)
    write_page(catalogue, PODCAST)
    assert page.read_bytes() == render_page(catalogue, PODCAST)


def test_stylesheet_turns_the_feed_into_a_page(catalogue):
    transform = etree.XSLT(etree.parse(str(REPO / "audiobuild" / "publish" / "assets" / STYLESHEET_FILE)))
    html = str(transform(etree.fromstring(render_feed(catalogue, PODCAST))))
    page = lxml.html.document_fromstring(html)
    assert text(page.xpath("//h1")[0]) == PODCAST.title
    assert [text(h2) for h2 in page.xpath("//section/h2")] == [NASTY, "Older"]
    # The feed's itunes:duration is rounded (3725.9 s, 61.5 s).
    meta = ["03 Nov 2026 · 1:02:06", "01 Nov 2026 · 1:02"]
    assert [text(p) for p in page.xpath("//section/p[@class='meta']")] == meta
    assert page.xpath("//section/audio/@src") == [item.file for item in catalogue.entries]
    assert page.xpath("//header/img/@src") == ["cover.png"]
    assert FEED_URL in text(page)
    assert len(page.xpath("//script")) == 0


# In a real browser: slow, and skipped (with the reason) where Chromium or Playwright is missing.


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A real build of the example article: the build writes the page, the stylesheet and the feed naming it."""
    output = tmp_path_factory.mktemp("page") / "output"
    (result,) = build_all([EXAMPLE], output, Config(), voices="espeak")
    assert PI in (output / FEED_FILE).read_bytes()
    assert (output / PAGE_FILE).is_file() and (output / STYLESHEET_FILE).is_file()
    return output, result.entry


@pytest.fixture(scope="module")
def server(site):
    output, _ = site
    server = serve.make_server(output, "127.0.0.1", 0)
    thread = threading.Thread(target=serve.serve_forever, args=(server,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    thread.join(timeout=10)


def _browser_missing() -> str | None:
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install playwright)"
    return None


# A mark rather than a skip in the fixture: checked before the site is built.
_MISSING = _browser_missing()
needs_browser = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")


@pytest.fixture
def browser(tmp_path):
    """A page in a fresh headless Chromium, and the list of every URL it requests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path / "profile", executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 420, "height": 900},
        )  # fmt: skip
        page = context.new_page()
        requests, errors = [], []
        page.on("request", lambda request: requests.append(request.url))
        page.on("pageerror", lambda error: errors.append(error))
        yield page, requests
        context.close()
    assert not errors, errors


@pytest.mark.slow
@needs_browser
def test_page_plays_captions_and_seeks_in_a_browser(site, server, browser):
    output, item = site
    page, requests = browser
    response = page.goto(server)
    assert response.status == 200
    assert page.locator("audio").count() == 1
    audio = page.locator("audio")
    assert audio.get_attribute("src") == item.file
    # The captions track is parsed: the VTT was fetched and has cues.
    page.wait_for_function("document.querySelector('track').readyState === 2", timeout=10_000)
    tracks = page.evaluate(
        "() => [...document.querySelector('audio').textTracks].map(t => [t.kind, t.language, t.cues.length])"
    )
    sentences = json.loads((output / item.transcript_file("json")).read_text())["segments"]
    assert tracks == [["captions", "en", len(sentences)]]
    page.wait_for_function("document.querySelector('audio').readyState >= 1", timeout=10_000)
    assert page.evaluate("document.querySelector('audio').duration") == pytest.approx(item.duration, abs=0.1)

    links = page.locator("ol.chapters a")
    assert links.count() == len(item.chapters) >= 2
    target = item.chapters[1].start_ms / 1000
    assert float(links.nth(1).get_attribute("data-start")) == target
    assert links.nth(1).get_attribute("href") == f"{item.file}#t={links.nth(1).get_attribute('data-start')}"
    # Muted, so no autoplay policy can stop play(); the seek must happen either way.
    page.evaluate("document.querySelector('audio').muted = true")
    links.nth(1).click()
    page.wait_for_function(
        f"Math.abs(document.querySelector('audio').currentTime - {target}) < 0.5", timeout=10_000, polling=50
    )
    assert page.url == server  # the script seeked the player instead of opening the MP3
    page.wait_for_function("document.querySelectorAll('ol.chapters a')[1].hasAttribute('aria-current')")
    # The line under the player shows the cue being spoken, playing or not.
    spoken = page.evaluate(
        """() => {
            const audio = document.querySelector("audio");
            const cue = audio.textTracks[0].cues[3];
            audio.pause();
            audio.currentTime = (cue.startTime + cue.endTime) / 2;
            return cue.getCueAsHTML().textContent;
        }"""
    )
    assert " ".join(spoken.split()) == sentences[3]["body"]  # the VTT wraps long lines
    page.wait_for_function("text => document.querySelector('.caption').textContent === text", arg=spoken)

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator("#copy_feed_url").click()
    page.wait_for_function("document.getElementById('copy_feed_url').textContent === 'Copied'")
    assert page.evaluate("navigator.clipboard.readText()") == Config().podcast.url(FEED_FILE)

    assert all(url.startswith(server) for url in requests), requests
    ARTIFACTS.mkdir(exist_ok=True)
    for name, width in [("page.png", 420), ("page-desktop.png", 1280)]:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / name), full_page=True)
        data = (ARTIFACTS / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000


@pytest.mark.slow
@needs_browser
def test_page_works_without_javascript(site, server, browser):
    _, item = site
    page, _ = browser
    page.context.new_cdp_session(page).send("Emulation.setScriptExecutionDisabled", {"value": True})
    page.goto(server)
    assert page.locator("#feed_url").inner_text().replace("\n", "") == Config().podcast.url(FEED_FILE)
    assert not page.locator("#copy_feed_url").is_visible()  # nothing to copy with
    # A chapter link opens the MP3 itself, at the chapter (a media fragment).
    target = item.chapters[1].start_ms / 1000
    page.locator("ol.chapters a").nth(1).click()
    page.wait_for_url(f"{server}{item.file}#t=*")
    # Playwright's evaluate still runs with the page's scripts off; the media document autoplays.
    page.wait_for_function(f"document.querySelector('video')?.currentTime >= {target - 0.5}", timeout=10_000)
    assert page.evaluate("document.querySelector('video').currentTime") < target + 5


@pytest.mark.slow
@needs_browser
def test_feed_is_readable_in_a_browser(site, server, browser):
    _, item = site
    page, _ = browser
    if not page.evaluate("typeof XSLTProcessor === 'function'"):
        pytest.skip("this Chromium no longer runs XSLT (disabled by default from Chrome 158)")
    response = page.goto(server + FEED_FILE)
    # Chromium would show application/rss+xml as text; the server gives browsers plain XML.
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    page.wait_for_selector("section h2", timeout=5_000)
    assert page.locator("section h2").all_inner_texts() == [item.title]
    assert page.locator("section audio").get_attribute("src") == item.file


def test_descriptions_do_not_repeat_the_title(site):
    _, item = site
    assert not item.description.startswith(item.title)
    page = lxml.html.document_fromstring((site[0] / PAGE_FILE).read_bytes())
    (shown,) = page.xpath("//article/p[@dir='auto']")
    assert shown.text_content() == item.description and item.title not in shown.text_content()


@pytest.mark.slow
@needs_browser
def test_on_a_phone_nothing_moves_when_captions_start_and_the_feed_url_is_one_line(site, server, browser):
    page, _ = browser
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(server)
    page.wait_for_function("document.querySelector('track').readyState === 2", timeout=10_000)
    below = "() => document.querySelector('article details').getBoundingClientRect().top"
    before = page.evaluate(below)
    page.evaluate("() => { const a = document.querySelector('audio'); a.muted = true; a.currentTime = 12; }")
    page.wait_for_function("document.querySelector('.caption').textContent.length > 0", timeout=10_000)
    assert page.evaluate(below) == before  # the caption's line was there before it was filled
    height, line = page.evaluate(
        "() => { const code = document.getElementById('feed_url'); const style = getComputedStyle(code);"
        " return [code.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom),"
        " parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.55]; }"
    )
    assert height < 1.5 * line, (height, line)


def test_older_episodes_are_on_a_page_per_month(tmp_path):
    from audiobuild.publish.page import ARCHIVE_DIR, PAGE_EPISODES

    entries = [entry(f"day-{day}", day) for day in range(PAGE_EPISODES + 10)]  # 1 November to 30 December 2026
    catalogue = Catalogue.of(tmp_path, entries)
    write_page(catalogue, PODCAST)
    index = lxml.html.document_fromstring((tmp_path / PAGE_FILE).read_bytes())
    assert len(articles(index)) == PAGE_EPISODES
    assert index.xpath("//nav[@aria-label='Archive']//a/@href") == [f"{ARCHIVE_DIR}/2026-12.html",
                                                                    f"{ARCHIVE_DIR}/2026-11.html"]  # fmt: skip
    november = lxml.html.document_fromstring((tmp_path / ARCHIVE_DIR / "2026-11.html").read_bytes())
    assert [article.get("id") for article in articles(november)] == [f"day-{day}" for day in range(29, -1, -1)]
    assert november.xpath("//audio/@src")[0] == "../episodes/day-29.mp3"
    assert november.xpath("//link[@rel='icon']/@href") == ["../cover.png"]
    assert not november.xpath("//details[contains(@class, 'transcript')]")  # a link to it instead: a light page
    # A month that loses its last episode loses its page; the others are left as they are.
    with catalogue.transaction():
        for day in range(PAGE_EPISODES + 10, PAGE_EPISODES + 40):
            catalogue.upsert(entry(f"day-{day}", day))  # to 29 January 2027
    write_page(catalogue, PODCAST, catalogue.touched)
    december = (tmp_path / ARCHIVE_DIR / "2026-12.html").stat().st_mtime_ns
    with catalogue.transaction():
        for day in range(30):
            catalogue.remove(f"day-{day}")
    write_page(catalogue, PODCAST, catalogue.touched)
    assert not (tmp_path / ARCHIVE_DIR / "2026-11.html").exists()
    assert (tmp_path / ARCHIVE_DIR / "2026-12.html").stat().st_mtime_ns == december


def test_feed_rewrites_the_archive_pages_that_changed_and_a_build_cut_short_leaves_none_behind(tmp_path):
    from audiobuild.publish.page import ARCHIVE_DIR, PAGE_EPISODES

    catalogue = Catalogue.of(tmp_path, [entry(f"day-{day}", day) for day in range(PAGE_EPISODES + 10)])
    write_page(catalogue, PODCAST)
    november, december = (tmp_path / ARCHIVE_DIR / f"{month}.html" for month in ("2026-11", "2026-12"))
    november.write_text("edited by hand")
    write_page(catalogue, PODCAST)  # `feed`: nothing changed, so no page is written again
    assert november.read_text() == "edited by hand"
    # A build whose catalogue changed but whose pages were never written (killed): the next build writes them.
    with catalogue.transaction():
        catalogue.upsert(entry("late-one", 12))
    write_page(catalogue, PODCAST, [])
    assert 'id="late-one"' in november.read_text()
    # A new title: a build writes the months it touched, `feed` every page written with the old one.
    renamed = dataclasses.replace(PODCAST, title="The new name")
    write_page(catalogue, renamed, ["2026-12"])
    assert "The new name" in december.read_text() and "The new name" not in november.read_text()
    write_page(catalogue, renamed)
    assert all("The new name" in page.read_text() for page in (tmp_path / ARCHIVE_DIR).iterdir())


def test_no_archive_while_the_index_shows_every_episode(tmp_path):
    from audiobuild.publish.page import ARCHIVE_DIR, PAGE_EPISODES

    catalogue = Catalogue.of(tmp_path, [entry(f"day-{day}", day) for day in range(0, 60, 2)])  # 30, in two months
    (tmp_path / ARCHIVE_DIR).mkdir()
    (tmp_path / ARCHIVE_DIR / "2026-11.html").write_text("written by an older build")
    write_page(catalogue, PODCAST)
    assert not (tmp_path / ARCHIVE_DIR).exists()  # the stale page went, and the folder with it
    # Outgrowing the index, a build that did not touch November gives every month its page...
    with catalogue.transaction():
        for day in range(61, 61 + PAGE_EPISODES):  # from 1 January 2027
            catalogue.upsert(entry(f"day-{day}", day))
    assert "2026-11" not in catalogue.touched
    write_page(catalogue, PODCAST, catalogue.touched)
    pages = sorted(page.name for page in (tmp_path / ARCHIVE_DIR).iterdir())
    assert pages == ["2026-11.html", "2026-12.html", "2027-01.html", "2027-02.html"]
    # ...and shrinking back, a removal of one month's episodes takes every page away.
    with catalogue.transaction():
        for day in range(61, 61 + PAGE_EPISODES):
            catalogue.remove(f"day-{day}")
    write_page(catalogue, PODCAST, catalogue.touched)
    assert not (tmp_path / ARCHIVE_DIR).exists()
