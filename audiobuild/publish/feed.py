"""Stage 6: the RSS 2.0 podcast feed (the only module writing XML).

Written with lxml rather than feedgen: we need exact control over namespaces and
tags that feedgen's podcast extension does not model (Podcasting 2.0), and lxml
is the XML library the tests read it back with.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from email.utils import format_datetime
from pathlib import Path

from lxml import etree

from audiobuild import atomic
from audiobuild.config import Podcast
from audiobuild.model import TRANSCRIPT_TYPES, Entry
from audiobuild.publish.catalogue import Catalogue

FEED_FILE = "feed.xml"
STYLESHEET_FILE = "feed.xsl"

NAMESPACES = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "podcast": "https://podcastindex.org/namespace/1.0",
}
# The Podcasting 2.0 namespace for podcast:guid (uuid5 of the feed URL without its scheme).
_PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


# Characters XML 1.0 cannot carry at all (C0 controls other than tab and newlines, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 forbids."""
    return _NOT_XML.sub("", text)


def _sub(parent: etree._Element, tag: str, content: str | None = None, **attributes: str) -> etree._Element:
    prefix, _, local = tag.rpartition(":")
    attributes = {name: xml_text(value) for name, value in attributes.items()}
    element = etree.SubElement(parent, f"{{{NAMESPACES[prefix]}}}{local}" if prefix else local, attributes)
    if content is not None:
        element.text = xml_text(content)
    return element


def podcast_guid(feed_url: str) -> str:
    """The channel's podcast:guid, as the Podcasting 2.0 spec derives it from the feed URL."""
    return str(uuid.uuid5(_PODCAST_GUID_NAMESPACE, feed_url.split("://", 1)[-1].rstrip("/")))


def clock(ms: int) -> str:
    """`ms` as m:ss, or h:mm:ss from an hour on (a player's way of showing a time)."""
    minutes, seconds = divmod(ms // 1000, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


_HTML_REFERENCES = {ord(char): f"&#{ord(char)};" for char in "&<>"}


def as_html(text: str) -> str:
    """Plain `text` as HTML, for the fields feed readers take as HTML (description, show notes).

    Only &, < and > are escaped, as decimal references: quotes need none in
    text, and gPodder's text view decodes decimal references before it
    strips what looks like a named one with a greedy `&(.{2,8});`, which eats
    "&gt; &amp;" whole and knows no hexadecimal (html.escape's "&#x27;"). (Text
    with a ";" up to nine characters after an "&", "&chips;", is cut there by
    gPodder however it is written.) Titles stay plain text: feedparser, podcastparser and partytime read them so.

    >>> print(as_html("Tom's <b>bakery</b> & 'Q&A'"))
    Tom's &#60;b&#62;bakery&#60;/b&#62; &#38; 'Q&#38;A'
    """
    return text.translate(_HTML_REFERENCES)


def show_notes(entry: Entry) -> str:
    """The item's HTML show notes: the description, the article's own date and the chapter list.

    The article's date is said here because the pubDate is, by default, when
    the episode was added (see `run.pipeline.episode_date`).
    """
    parts = [f"<p>{as_html(entry.description)}</p>"]
    if entry.article_date:
        day = date.fromisoformat(entry.article_date[:10])
        parts.append(f"<p>The article was published on {day.day} {day:%B %Y}.</p>")
    if entry.chapters:
        items = "".join(f"<li>{clock(c.start_ms)} {as_html(c.title)}</li>" for c in entry.chapters)
        parts.append(f"<p>Chapters:</p><ol>{items}</ol>")
    return "".join(parts)


def render_feed(catalogue: Catalogue, podcast: Podcast) -> bytes:
    """The feed XML listing the newest `podcast.feed_items` episodes, newest first (the page has the others)."""
    rss = etree.Element("rss", version="2.0", nsmap=NAMESPACES)
    channel = _sub(rss, "channel")
    link = podcast.link or podcast.url("")
    cover = podcast.url(podcast.cover_file)
    _sub(channel, "title", podcast.title)
    _sub(channel, "link", link)
    _sub(channel, "description", as_html(podcast.description))
    _sub(channel, "language", podcast.language)
    _sub(channel, "generator", "audiobuild")
    _sub(channel, "atom:link", href=podcast.url(FEED_FILE), rel="self", type="application/rss+xml")
    entries = catalogue.newest(podcast.feed_items)
    if entries:
        _sub(channel, "lastBuildDate", format_datetime(entries[0].published))
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
    if catalogue.podcast_guid:  # only once the feed has a public address (publish._name_channel)
        _sub(channel, "podcast:guid", catalogue.podcast_guid)
    _sub(channel, "podcast:medium", "podcast")
    locked = {"owner": podcast.email} if podcast.email else {}
    _sub(channel, "podcast:locked", "yes" if podcast.locked else "no", **locked)

    for entry in entries:
        item = _sub(channel, "item")
        _sub(item, "title", entry.title)
        if entry.link:  # the article it was read from
            _sub(item, "link", entry.link)
        _sub(item, "description", as_html(entry.description))
        _sub(item, "pubDate", format_datetime(entry.published))
        _sub(item, "guid", entry.guid, isPermaLink="false")
        _sub(item, "enclosure", url=podcast.url(entry.file), length=str(entry.length), type="audio/mpeg")
        _sub(item, "itunes:title", entry.title)
        _sub(item, "itunes:author", entry.author)
        _sub(item, "itunes:duration", str(round(entry.duration)))
        _sub(item, "itunes:episodeType", "full")
        _sub(item, "itunes:explicit", "true" if podcast.explicit else "false")
        _sub(item, "content:encoded").text = etree.CDATA(xml_text(show_notes(entry)))
        for extension, mime in TRANSCRIPT_TYPES.items():
            rel = {"rel": "captions"} if extension == "vtt" else {}
            _sub(item, "podcast:transcript", url=podcast.url(entry.transcript_file(extension)), type=mime, **rel)
        _sub(item, "podcast:chapters", url=podcast.url(entry.chapters_file), type="application/json+chapters")
        for person in entry.people:
            _sub(item, "podcast:person", person.name, role=person.role)
    # Browsers that still run XSLT show the raw feed as a readable page.
    rss.addprevious(etree.PI("xml-stylesheet", f'type="text/xsl" href="{STYLESHEET_FILE}"'))
    return etree.tostring(etree.ElementTree(rss), xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_feed(catalogue: Catalogue, podcast: Podcast) -> Path:
    """Atomically (re)write feed.xml in the catalogue's folder, unless it would not change; return its path.

    An unchanged feed keeps its modification time, so podcast apps polling with
    If-Modified-Since are told nothing changed.
    """
    path = catalogue.folder / FEED_FILE
    atomic.write_if_changed(path, render_feed(catalogue, podcast))
    return path
