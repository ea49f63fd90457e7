"""Stage 6: the RSS 2.0 podcast feed (the only module writing XML).

Written with lxml rather than feedgen: we need exact control over namespaces and
tags that feedgen's podcast extension does not model (Podcasting 2.0), and lxml
is the XML library the tests read it back with.
"""

from __future__ import annotations

from email.utils import format_datetime
from pathlib import Path

from lxml import etree

from audiobuild import atomic
from audiobuild.catalogue import Catalogue
from audiobuild.config import Podcast

FEED_FILE = "feed.xml"

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM = "http://www.w3.org/2005/Atom"
NAMESPACES = {"itunes": ITUNES, "atom": ATOM}


def _sub(parent: etree._Element, tag: str, content: str | None = None, **attributes: str) -> etree._Element:
    prefix, _, local = tag.rpartition(":")
    element = etree.SubElement(parent, f"{{{NAMESPACES[prefix]}}}{local}" if prefix else local, attributes)
    if content is not None:
        element.text = content
    return element


def render_feed(catalogue: Catalogue, podcast: Podcast) -> bytes:
    """The feed XML listing every catalogued episode, newest first."""
    rss = etree.Element("rss", version="2.0", nsmap=NAMESPACES)
    channel = _sub(rss, "channel")
    link = podcast.link or podcast.base_url
    cover = podcast.url(podcast.cover_file)
    _sub(channel, "title", podcast.title)
    _sub(channel, "link", link)
    _sub(channel, "description", podcast.description)
    _sub(channel, "language", podcast.language)
    _sub(channel, "generator", "audiobuild")
    _sub(channel, "atom:link", href=podcast.url(FEED_FILE), rel="self", type="application/rss+xml")
    if catalogue.entries:
        _sub(channel, "lastBuildDate", format_datetime(catalogue.entries[0].published))
    image = _sub(channel, "image")
    _sub(image, "url", cover)
    _sub(image, "title", podcast.title)
    _sub(image, "link", link)
    _sub(channel, "itunes:author", podcast.author)
    _sub(channel, "itunes:summary", podcast.description)
    _sub(channel, "itunes:image", href=cover)
    category = _sub(channel, "itunes:category", text=podcast.category)
    if podcast.subcategory:
        _sub(category, "itunes:category", text=podcast.subcategory)
    _sub(channel, "itunes:explicit", "true" if podcast.explicit else "false")
    _sub(channel, "itunes:type", "episodic")
    if podcast.email:
        owner = _sub(channel, "itunes:owner")
        _sub(owner, "itunes:name", podcast.author)
        _sub(owner, "itunes:email", podcast.email)

    for entry in catalogue.entries:
        item = _sub(channel, "item")
        _sub(item, "title", entry.title)
        _sub(item, "description", entry.description)
        _sub(item, "pubDate", format_datetime(entry.published))
        _sub(item, "guid", entry.guid, isPermaLink="false")
        _sub(item, "enclosure", url=podcast.url(entry.file), length=str(entry.length), type="audio/mpeg")
        _sub(item, "itunes:title", entry.title)
        _sub(item, "itunes:author", entry.author)
        _sub(item, "itunes:duration", str(round(entry.duration)))
        _sub(item, "itunes:episodeType", "full")
        _sub(item, "itunes:explicit", "true" if podcast.explicit else "false")
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_feed(catalogue: Catalogue, podcast: Podcast) -> Path:
    """Atomically (re)write feed.xml in the catalogue's folder; return its path."""
    path = catalogue.folder / FEED_FILE
    atomic.write_bytes(path, render_feed(catalogue, podcast))
    return path
