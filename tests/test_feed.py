"""Stage 6, the feed: read back with lxml and with gPodder's podcastparser."""

from __future__ import annotations

import io
from email.utils import parsedate_to_datetime

import podcastparser
import pytest
from lxml import etree

from audiobuild.catalogue import Catalogue
from audiobuild.config import Podcast
from audiobuild.feed import NAMESPACES, render_feed, write_feed
from tests.test_catalogue import entry

PODCAST = Podcast(title="Harbour <voices> & more", subcategory="Politics", email="ada@example.org")


@pytest.fixture
def catalogue(tmp_path):
    return Catalogue(tmp_path, [entry("newer", 2, title="Q&A: <tags> \"quoted\""), entry("older", 0)])


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
