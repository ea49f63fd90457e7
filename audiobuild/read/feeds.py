"""Reading a site's feed: RSS 2.0 and Atom through feedparser, JSON Feed 1.0 and 1.1 by its spec.

feedparser's released versions (6.0.x) do not read JSON Feed (a valid one
parses to no entries), so that format is read here, checked against a JSON
Schema of the parts of https://jsonfeed.org/version/1.1 audiobuild uses
(1.0 differs only in `author`, which 1.1 replaced with `authors`).

Each item becomes an `Item`: where its article is (`link`), its full text when
the feed carries it (RSS `content:encoded`, Atom `content`, JSON Feed
`content_html` or `content_text`), its date, and a digest of all of it, which
changes when the publisher edits the item.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from html.entities import name2codepoint
from urllib.parse import urljoin, urlsplit

from audiobuild.errors import InputError
from audiobuild.schema import check, json_key, load_document, yaml_line

log = logging.getLogger("audiobuild")

# What `follow` asks a server for.
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)


@dataclass(frozen=True)
class Item:
    """One entry of a feed."""

    key: str  # the feed's own id for it (guid, Atom id, JSON Feed id), else its link
    title: str
    link: str  # the article's http(s) address; "" when the item has none
    date: str | None  # ISO 8601, when the feed dates it (published, else updated)
    html: str | None  # the full text as HTML, when the feed carries it
    text: str | None  # the full text as plain text (JSON Feed's content_text), when the feed carries it
    author: str | None
    digest: str  # of everything the feed says about the item: a new one means it was edited


@dataclass(frozen=True)
class Feed:
    """A feed's title and items, in the feed's order."""

    title: str
    items: list[Item]


def read_feed(body: bytes, source: str, content_type: str = "", url: str | None = None) -> Feed:
    """The items of an RSS, Atom or JSON Feed document; InputError (source: `source`) when it is none of them.

    `url` is where it was fetched from, to resolve relative links against.
    """
    if "json" in content_type or body.lstrip()[:1] == b"{":
        return _json_feed(body, source, url or source)
    return _xml_feed(body, source, content_type, url or source)


def _xml_feed(body: bytes, source: str, content_type: str, url: str) -> Feed:
    import feedparser  # imported here: only a feed that changed is parsed

    headers = {"content-location": url, **({"content-type": content_type} if content_type else {})}
    try:
        parsed = feedparser.parse(body, response_headers=headers)
    except UnicodeEncodeError:  # feedparser encodes each character reference it reads: &#xD800; fails
        raise InputError(source, "names a lone surrogate (as &#xD800;), which is no character") from None
    # feedparser reads broken XML with a forgiving parser, which may return a truncated feed's first items as if
    # they were all: a feed that is not well-formed is refused (and read again next run). A wrong declared
    # encoding or content type, or a missing namespace declaration, are only its warnings.
    harmless = (feedparser.CharacterEncodingOverride, feedparser.CharacterEncodingUnknown,
                feedparser.NonXMLContentType, feedparser.UndeclaredNamespace)  # fmt: skip
    problem = _problem(parsed, harmless)
    if problem and "undefined entity" in problem:
        # HTML's named entities (&nbsp;, &ldquo;, &shy;) are not XML's, yet common in feeds, and every reader
        # reads them (kurtmckee/feedparser#121). Written as the characters they name, the feed is parsed
        # strictly again, so that a feed truncated as well is still refused.
        repaired = feedparser.parse(_HTML_ENTITY.sub(_as_reference, body), response_headers=headers)
        if not _problem(repaired, harmless):
            log.warning("%s: is not well-formed XML (%s): its HTML entities are read as feed readers read them",
                        source, problem)  # fmt: skip
            parsed, problem = repaired, None
    if problem:
        raise InputError(source, f"is not a well-formed feed ({problem})")
    if not parsed.version:
        raise InputError(source, "is not an RSS, Atom or JSON feed")
    items = []
    with warnings.catch_warnings():  # feedparser warns that `updated` falls back to `published`: we ask for both
        warnings.simplefilter("ignore", DeprecationWarning)
        for entry in parsed.entries:
            items.append(_xml_item(entry, url))
    return Feed(parsed.feed.get("title", ""), items)


def _problem(parsed, harmless: tuple[type, ...]) -> str | None:
    """What makes a feedparser result not well-formed XML ("undefined entity", "unclosed token"), or None."""
    problem = parsed.get("bozo_exception")
    if not parsed.bozo or isinstance(problem, harmless):
        return None
    return problem.getMessage() if hasattr(problem, "getMessage") else str(problem)


# An entity reference by name: XML knows five of the names, HTML (and so feed writers) some 250 more.
_HTML_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}


def _as_reference(match: re.Match) -> bytes:
    """An HTML entity as the numeric character reference XML reads (`&nbsp;` as `&#160;`); others as they were."""
    name = match.group(1).decode("ascii")
    if name in _XML_ENTITIES or name not in name2codepoint:
        return match.group(0)
    return b"&#%d;" % name2codepoint[name]


def _xml_item(entry, url: str) -> Item:
    """A feedparser entry as an Item: RSS content:encoded and Atom content are its full text."""
    content = [part for part in entry.get("content", []) if part.get("value", "").strip()]
    html = next((part["value"] for part in content if "html" in part.get("type", "")), None)
    text = None if html else next((part["value"] for part in content), None)
    date = _struct_date(entry.get("published_parsed") or entry.get("updated_parsed"))
    link = _web_address(entry.get("link", ""), url)
    return _item(entry.get("id") or link, entry.get("title", ""), link, date, html, text, entry.get("author"),
                 [entry.get("updated"), entry.get("summary")])  # fmt: skip


def _json_feed(body: bytes, source: str, url: str) -> Feed:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(source, f"is not an RSS, Atom or JSON feed (invalid JSON: {error})") from None
    data = load_document(text, source, "json", error=InputError)
    check(data, _JSON_FEED, source, text, error=InputError, describe=json_key, locate=yaml_line, json_terms=True)
    base = urljoin(url, data.get("feed_url") or data.get("home_page_url") or "")
    items = []
    for entry in data["items"]:
        authors = entry.get("authors") or ([entry["author"]] if "author" in entry else [])
        names = ", ".join(author["name"] for author in authors if author.get("name"))
        link = _web_address(entry.get("url") or entry.get("external_url") or "", base)
        date = _rfc3339(entry.get("date_published") or entry.get("date_modified"))
        items.append(
            _item(str(entry["id"]), entry.get("title", ""), link, date, entry.get("content_html"),
                  entry.get("content_text"), names or None, [entry.get("date_modified"), entry.get("summary")])
        )  # fmt: skip
    return Feed(data.get("title", ""), items)


def _item(key, title, link, date, html, text, author, more: list) -> Item:
    everything = [key, title, link, date, html, text, author, *more]
    digest = hashlib.sha256(json.dumps(everything, ensure_ascii=False).encode()).hexdigest()
    return Item(str(key or digest), (title or "").strip(), link, date, html, text, author, digest)


def _web_address(link: str, base: str) -> str:
    """`link` as an absolute http(s) URL (relative to `base`), or "" when it is none: no javascript: or file: links."""
    absolute = urljoin(base, link.strip()) if link.strip() else ""
    return absolute if urlsplit(absolute).scheme in ("http", "https") else ""


def _struct_date(moment) -> str | None:
    """feedparser's date (a UTC time.struct_time) as ISO 8601."""
    if moment is None:
        return None
    return datetime(*moment[:6], tzinfo=UTC).isoformat()


def _rfc3339(value: str | None) -> str | None:
    """A JSON Feed date (RFC 3339) as ISO 8601 with its offset, or None when there is none or it is not a date."""
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat() if moment else None


_TEXT = {"type": "string"}
_AUTHOR = {"type": "object", "properties": {"name": _TEXT}}
# The parts of JSON Feed 1.0 and 1.1 read here (https://jsonfeed.org/version/1.1); other keys are allowed, as the
# spec allows extensions. An id may be a number: the spec says readers coerce it to a string.
_JSON_FEED = {
    "type": "object",
    "required": ["version", "items"],
    "properties": {
        "version": {"type": "string", "pattern": r"^https?://jsonfeed\.org/version/1(\.1)?/?$",
                    "x-messages": {"pattern": "{value!r} is not a JSON Feed version audiobuild reads (1 or 1.1)"}},
        "title": _TEXT,
        "home_page_url": _TEXT,
        "feed_url": _TEXT,
        "items": {"type": "array", "items": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": ["string", "number"]},
                **dict.fromkeys(("url", "external_url", "title", "content_html", "content_text", "summary",
                                 "date_published", "date_modified"), _TEXT),
                "author": _AUTHOR,
                "authors": {"type": "array", "items": _AUTHOR},
            },
        }},
    },
}  # fmt: skip
