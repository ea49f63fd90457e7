"""Stage 6, the feed: read back with lxml and with gPodder's podcastparser."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from email.utils import parsedate_to_datetime

import feedparser
import lxml.html
import podcastparser
import pytest
from lxml import etree

from audiobuild.config import APPLE_CATEGORIES, Podcast
from audiobuild.publish.catalogue import Catalogue
from audiobuild.publish.feed import NAMESPACES, podcast_guid, render_feed, write_feed
from tests.conftest import REPO
from tests.test_catalogue import entry

PODCAST = Podcast(title="Harbour <voices> & more", subcategory="Politics", email="ada@example.org")


@pytest.fixture
def catalogue(tmp_path):
    return Catalogue.of(tmp_path, [entry("newer", 2, title='Q&A: <tags> "quoted"'), entry("older", 0)])


@pytest.fixture
def feed(catalogue):
    return etree.fromstring(render_feed(catalogue, PODCAST))


def one(element, path):
    (found,) = element.xpath(path, namespaces=NAMESPACES)
    return found


def test_channel_has_the_tags_apple_requires(feed):
    channel = one(feed, "/rss[@version='2.0']/channel")
    assert one(channel, "title/text()") == PODCAST.title
    assert one(channel, "description/text()") == PODCAST.description
    assert one(channel, "link/text()") == "http://localhost:8000/"
    assert one(channel, "language/text()") == "en"
    assert one(channel, "itunes:author/text()") == "audiobuild"
    assert one(channel, "itunes:image/@href") == "http://localhost:8000/cover.png"
    assert one(channel, "itunes:category/@text") == "News"
    assert one(channel, "itunes:category/itunes:category/@text") == "Politics"
    assert one(channel, "itunes:explicit/text()") == "false"
    assert one(channel, "itunes:owner/itunes:email/text()") == "ada@example.org"
    assert one(channel, "atom:link[@rel='self']/@href") == "http://localhost:8000/feed.xml"


def test_items_newest_first_with_complete_metadata(feed, catalogue):
    items = feed.xpath("/rss/channel/item")
    assert [one(item, "title/text()") for item in items] == [item.title for item in catalogue.entries]
    for item, expected in zip(items, catalogue.entries):
        assert one(item, "guid/text()") == expected.guid
        assert one(item, "guid/@isPermaLink") == "false"
        assert parsedate_to_datetime(one(item, "pubDate/text()")) == expected.published
        enclosure = one(item, "enclosure")
        assert enclosure.get("url") == f"http://localhost:8000/{expected.file}"
        assert enclosure.get("length") == str(expected.length)
        assert enclosure.get("type") == "audio/mpeg"
        assert one(item, "itunes:duration/text()") == "62"  # 61.5 s, whole seconds
        assert one(item, "description/text()") == expected.description


def test_gpodders_parser_reads_the_feed(catalogue):
    parsed = podcastparser.parse("http://localhost:8000/feed.xml", io.BytesIO(render_feed(catalogue, PODCAST)))
    assert parsed["title"] == PODCAST.title
    assert parsed["cover_url"] == "http://localhost:8000/cover.png"
    episodes = parsed["episodes"]
    assert [episode["title"] for episode in episodes] == [item.title for item in catalogue.entries]
    assert episodes[0]["enclosures"] == [
        {"url": "http://localhost:8000/episodes/newer.mp3", "file_size": 1000, "mime_type": "audio/mpeg"}
    ]
    assert episodes[0]["total_time"] == 62
    assert episodes[0]["guid"] == catalogue.entries[0].guid


def test_base_url_makes_every_url_absolute(catalogue):
    podcast = Podcast(base_url="https://pods.example.net/interviews")
    feed = etree.fromstring(render_feed(catalogue, podcast))
    urls = feed.xpath("//enclosure/@url | //itunes:image/@href | //atom:link/@href", namespaces=NAMESPACES)
    assert urls and all(url.startswith("https://pods.example.net/interviews/") for url in urls)


def test_write_feed_replaces_the_file(catalogue):
    path = write_feed(catalogue, PODCAST)
    assert path == catalogue.folder / "feed.xml"
    assert etree.parse(str(path)).getroot().tag == "rss"
    assert [p.name for p in catalogue.folder.iterdir()] == ["feed.xml"]  # no temporary file left


def test_podcasting_2_channel_tags(feed):
    channel = one(feed, "/rss/channel")
    assert not channel.xpath("podcast:guid", namespaces=NAMESPACES)  # no public address yet: no guid
    assert one(channel, "podcast:medium/text()") == "podcast"
    assert one(channel, "podcast:locked/text()") == "no"
    assert one(channel, "podcast:locked/@owner") == "ada@example.org"
    assert one(channel, "itunes:type/text()") == "episodic"


def test_podcast_guid_follows_the_spec_example():
    # The Podcasting 2.0 namespace documentation's own example.
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"


def test_items_link_transcripts_chapters_and_people(feed, catalogue):
    item = feed.xpath("/rss/channel/item")[0]
    entry = catalogue.entries[0]
    transcripts = item.xpath("podcast:transcript", namespaces=NAMESPACES)
    assert [(t.get("type"), t.get("rel")) for t in transcripts] == [
        ("text/vtt", "captions"),
        ("application/x-subrip", None),
        ("application/json", None),
    ]
    assert transcripts[0].get("url") == f"http://localhost:8000/{entry.transcript_file('vtt')}"
    assert one(item, "podcast:chapters/@url") == f"http://localhost:8000/{entry.chapters_file}"
    assert one(item, "podcast:chapters/@type") == "application/json+chapters"
    assert [(p.text, p.get("role")) for p in item.xpath("podcast:person", namespaces=NAMESPACES)] == [
        ("Ada Lindqvist", "guest")
    ]
    assert one(item, "itunes:episodeType/text()") == "full"
    notes = one(item, "content:encoded/text()")
    assert "<li>0:10 Why &#60;now&#62;?</li>" in notes and entry.description in notes


def test_feedparser_reads_the_feed(catalogue):
    parsed = feedparser.parse(render_feed(catalogue, PODCAST))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == PODCAST.title
    assert [entry.title for entry in parsed.entries] == [item.title for item in catalogue.entries]
    assert parsed.entries[0].enclosures[0].length == "1000"


# Apple Podcasts' feed rules, each checked on the rendered feed.
def _apple_rules():
    def rfc2822(text):
        return parsedate_to_datetime(text) is not None and "," in text

    return [
        ("channel title", "/rss/channel/title", lambda value: bool(value.strip())),
        ("channel description", "/rss/channel/description", lambda value: bool(value.strip())),
        ("channel language", "/rss/channel/language", lambda value: len(value) >= 2),
        ("artwork", "/rss/channel/itunes:image/@href", lambda value: value.startswith("http")),
        ("category from Apple's list", "/rss/channel/itunes:category/@text", lambda value: value in APPLE_CATEGORIES),
        ("explicit true/false", "/rss/channel/itunes:explicit", lambda value: value in ("true", "false")),
        ("item title", "/rss/channel/item/title", lambda value: bool(value.strip())),
        ("item explicit true/false", "/rss/channel/item/itunes:explicit", lambda value: value in ("true", "false")),
        ("RFC 2822 pubDate", "/rss/channel/item/pubDate", rfc2822),
        ("whole-second durations", "/rss/channel/item/itunes:duration", str.isdigit),
        ("guid", "/rss/channel/item/guid", lambda value: bool(value.strip())),
        ("enclosure is .mp3", "/rss/channel/item/enclosure/@url", lambda value: value.endswith(".mp3")),
        ("enclosure type", "/rss/channel/item/enclosure/@type", lambda value: value == "audio/mpeg"),
        ("enclosure length", "/rss/channel/item/enclosure/@length", lambda value: value.isdigit() and int(value) > 0),
    ]


@pytest.mark.parametrize(("rule", "path", "check"), _apple_rules(), ids=[rule[0] for rule in _apple_rules()])
def test_apple_feed_rule(feed, rule, path, check):
    values = feed.xpath(path, namespaces=NAMESPACES)
    assert values, f"{rule}: {path} is missing"
    for value in values:
        text = value if isinstance(value, str) else value.text
        assert check(text), f"{rule}: {text!r}"


# Titles and notes as people write them: quotes, apostrophes, angle brackets, ampersands. A title is plain
# text; one holding a whole HTML tag ("<b>x</b>") or a reference ("&amp;") is the exception: feedparser
# takes it for HTML and podcastparser does not, so no way of writing it reads back right in both.
TRICKY = [
    "Tom's bakery", 'Q&A: "quoted" <bold> & it\'s', "x < y > z", 'He said "<Hello" and left',
    "Fish & chips at O'Neill's", '"<" and ">"', "C'est l'été & ça «marche»", "<script>alert('x')</script>",
    "R&D at AT&T", "if a<b and c>d",
]  # fmt: skip
# Not "&chips;": gPodder takes any "&" then ";" within nine characters for a reference, however it is written.
NOTES = [*TRICKY, "Said <b>bold</b> & true", "a > b; c < d & e"]


@pytest.fixture
def tricky_feed(tmp_path):
    entries = [
        entry(f"e{index}", -index, title=TRICKY[index % len(TRICKY)], description=text)
        for index, text in enumerate(NOTES)
    ]
    return render_feed(Catalogue.of(tmp_path, entries), Podcast(description=NOTES[-2]))


def text_of(html: str) -> str:
    """What a reader shows for an HTML field: its text, markup and references resolved."""
    return lxml.html.fragment_fromstring(html, create_parent="div").text_content()


def test_feedparser_reads_back_every_title_and_description(tricky_feed):
    parsed = feedparser.parse(tricky_feed)
    assert all(item.title_detail.type == "text/plain" for item in parsed.entries)
    assert [item.title for item in parsed.entries][: len(TRICKY)] == TRICKY
    assert [text_of(item.summary) for item in parsed.entries] == NOTES
    assert text_of(parsed.feed.subtitle) == NOTES[-2]


def test_gpodder_reads_back_every_title_and_description(tricky_feed):
    episodes = podcastparser.parse("http://localhost:8000/feed.xml", io.BytesIO(tricky_feed))["episodes"]
    assert [episode["title"] for episode in episodes][: len(TRICKY)] == TRICKY
    gpodder = shutil.which("python3", path="/usr/bin")
    probe = (
        "import json, sys; from gpodder.util import remove_html_tags as text_view;"
        "print(json.dumps(text_view(sys.stdin.read())))"
    )
    shown = subprocess.run([gpodder or "python3", "-c", probe], input="", capture_output=True, text=True)
    if shown.returncode != 0:
        pytest.skip("gPodder is not installed (Debian package gpodder; .ci/run installs it): its text view is not read")
    for episode, text in zip(episodes, NOTES):  # the episode's notes as gPodder's text view shows them
        fields = (episode["description"], episode["description_html"])  # <description>, then the show notes
        shown = [json.loads(subprocess.run([gpodder, "-c", probe], input=field, capture_output=True, text=True).stdout)
                 for field in fields]  # fmt: skip
        assert shown[0].strip() == text and shown[1].startswith(text)


PARTYTIME = REPO / ".ci" / "node" / "node_modules" / "podcast-partytime"


def test_partytime_reads_back_every_title_and_description(tricky_feed, tmp_path):
    # Podcast Index's own parser, in Node.js.
    if not (PARTYTIME.is_dir() and shutil.which("node")):
        pytest.skip(f"podcast-partytime is not installed in {PARTYTIME.parent} (.ci/run installs it with npm)")
    feed = tmp_path / "feed.xml"
    feed.write_bytes(tricky_feed)
    script = (
        f"const {{parseFeed}} = require({json.dumps(str(PARTYTIME))}); const fs = require('fs');"
        f"const feed = parseFeed(fs.readFileSync({json.dumps(str(feed))}, 'utf8'));"
        "console.log(JSON.stringify(feed.items.map(item => [item.title, item.description])));"
    )
    read = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)
    items = json.loads(read.stdout)
    assert [title for title, _ in items][: len(TRICKY)] == TRICKY
    assert [description for _, description in items] == NOTES


def test_every_url_is_a_valid_uri_with_a_cyrillic_path_and_a_space(catalogue):
    from audiobuild.config import as_uri

    base = as_uri("https://подкаст.example/Интервью/my show/")
    assert base == "https://xn--80ahsoeqh.example/%D0%98%D0%BD%D1%82%D0%B5%D1%80%D0%B2%D1%8C%D1%8E/my%20show/"
    feed = etree.fromstring(render_feed(catalogue, Podcast(base_url=base)))
    urls = feed.xpath("//@url | //@href | //link/text() | //image/url/text()")
    assert urls and all(url.startswith(base) and re.fullmatch(r"[!-~]+", url) for url in urls), urls


def test_the_feed_lists_only_the_newest_feed_items(tmp_path):
    catalogue = Catalogue.of(tmp_path, [entry(f"e{day}", day) for day in range(12)])
    feed = etree.fromstring(render_feed(catalogue, Podcast(feed_items=5)))
    assert [item.findtext("title") for item in feed.iter("item")] == [f"E{day}" for day in range(11, 6, -1)]
