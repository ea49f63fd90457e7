"""The listening page, index.html, and the stylesheet that shows feed.xml to a browser as a page.

The page is one f-string with every value passed through html.escape: a single
page of fixed shape does not need a template engine. Its style sheet and script
are files in `assets/`, inlined, so the page is one file. Its links are relative, so
it works from whatever address the folder is served at; only the subscribe links
carry the feed's absolute URL, because that is what a podcast app must be given.
Nothing is fetched from elsewhere (no web fonts, no CDN scripts). Without
JavaScript everything works but seeking in place: a chapter link is a media
fragment (`#t=`) that opens the MP3 at that time. The inline script makes it seek
the page's own player instead, and adds what only it can: the sentence being
spoken under the player, the current chapter marked, a copy button.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
from collections.abc import Iterable
from datetime import datetime
from html import escape
from importlib import resources
from pathlib import Path

from audiobuild import atomic
from audiobuild.audio.transcript import read_podcast_json
from audiobuild.config import Podcast
from audiobuild.model import Entry
from audiobuild.publish.catalogue import Catalogue
from audiobuild.publish.feed import FEED_FILE, STYLESHEET_FILE, clock

PAGE_FILE = "index.html"
ARCHIVE_DIR = "archive"  # a page per month: archive/2026-11.html
# index.html shows the newest episodes, each with its whole transcript; the archive pages the others, by month.
PAGE_EPISODES = 50
_ARCHIVE_MARKUP = 1  # bump when an episode's markup changes: `feed` then rewrites every archive page
_SENTENCE_ENDS = (".", "!", "?", "…", ":", ";", '"', "”", "»", "'", "’", ")")


def render_page(catalogue: Catalogue, podcast: Podcast) -> bytes:
    """index.html: the podcast, how to subscribe, the newest episodes in full, and the archive by month."""
    # The newest episode shows its chapters; the others fold them away, to keep the list short.
    episodes = [
        _episode(catalogue.folder, entry, podcast, open_chapters=index == 0)
        for index, entry in enumerate(catalogue.newest(PAGE_EPISODES))
    ]
    months = catalogue.months()
    if sum(count for _, count in months) > PAGE_EPISODES:
        links = " · ".join(f'<a href="{_archive_file(month)}">{_month(month)}</a> ({count})' for month, count in months)
        episodes.append(f'<nav class="card archive" aria-label="Archive"><h2>Archive</h2><p>{links}</p></nav>')
    return _document(podcast, "".join(episodes) or "<p>No episodes yet.</p>", subscribe=True)


def render_archive(catalogue: Catalogue, podcast: Podcast, month: str) -> bytes:
    """archive/YYYY-MM.html: the episodes of one month, each with its player and chapters, its transcript a link."""
    episodes = [_episode(catalogue.folder, entry, podcast, False, root="../") for entry in catalogue.in_month(month)]
    heading = f'<h2 class="month">{_month(month)}</h2><p><a href="../{PAGE_FILE}">The newest episodes</a></p>'
    return _document(podcast, heading + "".join(episodes), subscribe=False, root="../", title=_month(month))


def _document(podcast: Podcast, body: str, subscribe: bool, root: str = "", title: str = "") -> bytes:
    """A page of the site around `body`; `root` leads from it to the output folder ("../" from archive/)."""
    feed_url = podcast.url(FEED_FILE)
    app_url = "podcast://" + feed_url.split("://", 1)[1]
    name = escape(podcast.title)
    subscription = f"""<section class="card subscribe" aria-labelledby="subscribe_heading">
<h2 id="subscribe_heading">Subscribe</h2>
<p>Add this address to your podcast app (&ldquo;Add podcast by URL&rdquo;):</p>
<p class="feed"><code id="feed_url">{escape(feed_url)}</code>
<button type="button" id="copy_feed_url" hidden>Copy</button></p>
<p class="feed"><a class="button" href="{escape(app_url)}">Open in podcast app</a>
<a href="{escape(feed_url)}">RSS feed</a></p>
</section>
{_INBOX}
""" if subscribe else ""  # fmt: skip
    # The page's own ids have an underscore, which no slug has: an episode's id is its stem.
    return f"""<!doctype html>
<html lang="{escape(podcast.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{f"{escape(title)} · " if title else ""}{name}</title>
<meta name="description" content="{escape(podcast.description)}">
<link rel="alternate" type="application/rss+xml" title="{name}" href="{root}{FEED_FILE}">
<link rel="icon" href="{root}{escape(podcast.cover_file)}">
<style>
{_asset("page.css")}</style>
</head>
<body>
<main>
<header class="podcast">
<img src="{root}{escape(podcast.cover_file)}" alt="" width="136" height="136">
<div>
<h1 dir="auto">{name}</h1>
<p class="author" dir="auto">{escape(podcast.author)}</p>
</div>
<p class="description" dir="auto">{escape(podcast.description)}</p>
</header>
{subscription}{body}
<footer><p>Made with audiobuild</p></footer>
</main>
<script>
{_asset("page.js")}</script>
</body>
</html>
""".encode()


# The inbox's form (`serve --inbox`): hidden, and shown by the page's script only when the page was opened
# through the inbox link, whose token is in the fragment (#inbox=...), which no server ever sees.
_INBOX = """<section class="card inbox" id="inbox" aria-labelledby="inbox_heading" hidden>
<h2 id="inbox_heading">Add an article</h2>
<form id="inbox_form">
<p><label for="inbox_url">The article's web address</label>
<input type="url" id="inbox_url" name="url" placeholder="https://" autocomplete="off"></p>
<details><summary>Or paste its text</summary>
<p><label for="inbox_text">Text (its first line is the title)</label>
<textarea id="inbox_text" name="text" rows="8"></textarea></p></details>
<p><button type="submit">Add</button> <span id="inbox_status" role="status"></span></p>
</form>
<ol id="inbox_items" class="inbox-items" aria-live="polite"></ol>
<p class="hint">From any page of a desktop browser: drag <a id="inbox_bookmarklet" href="#inbox">Send to podcast</a>
to the bookmarks bar, and click it on an article.</p>
</section>"""


def _episode(folder: Path, entry: Entry, podcast: Podcast, open_chapters: bool, root: str = "") -> str:
    """One episode: title, facts, description, player with captions, chapters, and the transcript (on index.html)."""
    mp3 = f"{root}{escape(entry.file)}"
    duration = clock(int(entry.duration * 1000))  # floored, as the player beside it shows it
    people = "".join(f" · {escape(person.role.title())}: {escape(person.name)}" for person in entry.people)
    transcript = (
        _transcript(folder, entry) if not root
        else f'<p><a href="{root}{escape(entry.transcript_file("vtt"))}">Transcript</a></p>'
    )  # fmt: skip
    # Only ever an http(s) URL (pipeline.plan_episode), so never a javascript: link.
    article = f' · <a href="{escape(entry.link)}" rel="noreferrer">Article</a>' if entry.link else ""
    return f"""<article class="card episode" id="{escape(entry.stem)}">
<h2 dir="auto"><a href="#{escape(entry.stem)}">{escape(entry.title)}</a></h2>
<p class="meta"><time datetime="{entry.published.isoformat()}">{_date(entry.published)}</time> · \
{duration}{people} · <a href="{mp3}" download>MP3, {entry.length / 1e6:.1f} MB</a>{article}</p>
<p dir="auto">{escape(entry.description)}</p>
<audio controls preload="{"none" if root else "metadata"}" src="{mp3}">
<track kind="captions" srclang="{escape(podcast.language)}" label="Transcript" \
src="{root}{escape(entry.transcript_file("vtt"))}" default>
<a href="{mp3}">Download the episode</a>
</audio>
<p class="caption"></p>
{_chapters(entry, open_chapters, root)}
{transcript}
</article>
"""


def _chapters(entry: Entry, open_: bool, root: str = "") -> str:
    """The chapter list, each chapter a link to its start."""
    if not entry.chapters:
        return ""
    items = []
    for chapter in entry.chapters:
        label = f'<span class="time">{clock(chapter.start_ms)}</span> <span dir="auto">{escape(chapter.title)}</span>'
        items.append(f"<li>{_seek_link(entry, chapter.start_ms, label, root=root)}</li>")
    state = " open" if open_ else ""
    return f'<details{state}><summary>Chapters</summary><ol class="chapters">{"".join(items)}</ol></details>'


def _transcript(folder: Path, entry: Entry) -> str:
    """The transcript as paragraphs, one per turn, each under its speaker's name."""
    path = folder / entry.transcript_file("json")
    if not path.is_file():
        return ""
    turns = []
    for speaker, group in itertools.groupby(read_podcast_json(path), key=lambda cue: cue.speaker):
        group = list(group)
        time = _seek_link(entry, group[0].start_ms, clock(group[0].start_ms), ' class="time"')
        if speaker:  # else a stage direction between turns, "(Applause.)": no one's words
            turns.append(f'<p class="who"><b dir="auto">{escape(speaker)}</b> {time}</p>')
        turns.append(f'<p dir="auto">{" ".join(_sentence(cue.text) for cue in group)}</p>')
    return f'<details class="transcript"><summary>Transcript</summary>{"".join(turns)}</details>'


def _sentence(text: str) -> str:
    """One sentence of a paragraph; a title or a byline, with no full stop, ends its line instead of running on.

    >>> _sentence("A lighthouse teaches you to listen"), _sentence("Was it <lonely>?")
    ('A lighthouse teaches you to listen<br>', 'Was it &lt;lonely&gt;?')
    """
    return escape(text) + ("" if text.rstrip().endswith(_SENTENCE_ENDS) else "<br>")


def _seek_link(entry: Entry, ms: int, content: str, attributes: str = "", root: str = "") -> str:
    """A link `ms` into the episode: a media fragment that the page's script turns into a seek of its player."""
    seconds = _seconds(ms)
    return f'<a href="{root}{escape(entry.file)}#t={seconds}" data-start="{seconds}"{attributes}>{content}</a>'


def _seconds(ms: int) -> str:
    """Milliseconds as the seconds of a media fragment.

    >>> _seconds(75616), _seconds(12000), _seconds(0)
    ('75.616', '12', '0')
    """
    return f"{ms / 1000:.3f}".rstrip("0").rstrip(".")


def _date(moment: datetime) -> str:
    """A date as people write it.

    >>> from datetime import datetime
    >>> _date(datetime(2026, 11, 7))
    '7 November 2026'
    """
    return f"{moment.day} {moment:%B %Y}"


def write_page(catalogue: Catalogue, podcast: Podcast, months: Iterable[str] | None = None) -> Path:
    """(Re)write index.html and the archive pages of `months` (every page not of today's look with None).

    Returns the index's path. Pages are written atomically and only when they
    change, so an unchanged one keeps its modification time and ETag. The
    archive exists only while the index cannot show every episode (more than
    PAGE_EPISODES): then a month has a page while it has episodes, and the
    months without a page yet get theirs, as when the catalogue first outgrows
    the index. Otherwise no archive page is kept, since nothing links to one.
    The months whose episodes changed since their page was written (the
    catalogue keeps them, so a build cut short before its pages leaves none
    behind) are rewritten too. A build rewrites those and the months it
    touched; `feed` also those written with another look (`archive_look`: a
    podcast.toml or an audiobuild changed since), so that it costs what changed,
    not the size of the archive.
    """
    path = catalogue.folder / PAGE_FILE
    atomic.write_if_changed(path, render_page(catalogue, podcast))
    archive = catalogue.folder / ARCHIVE_DIR
    looks = catalogue.looks() if len(catalogue) > PAGE_EPISODES else {}
    look = archive_look(podcast)
    present = set(looks)
    written = {page.stem for page in archive.glob("*.html")}
    stale = {month for month, was in looks.items() if was is None or (months is None and was != look)}
    months = set(months or ()) | stale | (present - written) | (written - present)
    for month in sorted(months):
        page = catalogue.folder / _archive_file(month)
        if month in present:
            atomic.write_if_changed(page, render_archive(catalogue, podcast, month))
        else:
            page.unlink(missing_ok=True)
    catalogue.mark_pages(sorted(months & present), look)
    if not present:
        with contextlib.suppress(OSError):  # only when empty: a file of the user's there stays
            archive.rmdir()
    return path


def archive_look(podcast: Podcast) -> str:
    """What an archive page looks like beside its episodes (a hash): its frame, styles, script and markup's version.

    A month whose page was written with another look is rewritten by `feed`.
    """
    frame = _document(podcast, "", subscribe=False, root="../")
    return hashlib.sha256(f"{_ARCHIVE_MARKUP}\n".encode() + frame).hexdigest()[:16]


def _archive_file(month: str) -> str:
    return f"{ARCHIVE_DIR}/{month}.html"


def _month(month: str) -> str:
    """ "2026-11" as people write it: "November 2026"."""
    return f"{datetime.strptime(month, '%Y-%m'):%B %Y}"


def write_stylesheet(folder: Path) -> Path:
    """Copy the feed's XSL stylesheet into `folder`, unless it is there already; return its path."""
    path = folder / STYLESHEET_FILE
    atomic.write_if_changed(path, _asset(STYLESHEET_FILE).encode())
    return path


@functools.cache
def _asset(name: str) -> str:
    """A file of the page's, shipped in the package's assets folder."""
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")
