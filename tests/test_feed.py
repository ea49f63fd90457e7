"""Stage 6, the feed: read back with lxml and with gPodder's podcastparser."""

from __future__ import annotations

import io
from email.utils import parsedate_to_datetime

import feedparser
import podcastparser
import pytest
from lxml import etree

from audiobuild.catalogue import Catalogue
from audiobuild.config import APPLE_CATEGORIES, Podcast
from audiobuild.feed import NAMESPACES, podcast_guid, render_feed, write_feed
from tests.test_catalogue import entry

PODCAST = Podcast(title="Harbour <voices> & more", subcategory="Politics", email="ada@example.org")


@pytest.fixture
def catalogue(tmp_path):
    return Catalogue(tmp_path, [entry("newer", 2, title='Q&A: <tags> "quoted"'), entry("older", 0)])


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
    assert "<li>0:10 Why &lt;now&gt;?</li>" in notes and entry.description in notes


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
