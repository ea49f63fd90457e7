"""The listening page, index.html, and the stylesheet that shows feed.xml to a browser as a page.

The page is one f-string with every value passed through html.escape: a single
page of fixed shape does not need a template engine. Its links are relative, so
it works from whatever address the folder is served at; only the subscribe links
carry the feed's absolute URL, because that is what a podcast app must be given.
Nothing is fetched from elsewhere (no web fonts, no CDN scripts). Without
JavaScript everything works but seeking in place: a chapter link is a media
fragment (`#t=`) that opens the MP3 at that time. The inline script makes it seek
the page's own player instead, and adds what only it can: the sentence being
spoken under the player, the current chapter marked, a copy button.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from html import escape
from importlib import resources
from pathlib import Path

from audiobuild import atomic
from audiobuild.catalogue import Catalogue, Entry
from audiobuild.config import Podcast
from audiobuild.feed import FEED_FILE, STYLESHEET_FILE, clock

PAGE_FILE = "index.html"
# The page shows the newest episodes, each with its whole transcript; the feed has them all.
PAGE_EPISODES = 50
_SENTENCE_ENDS = (".", "!", "?", "…", ":", ";", '"', "”", "»", "'", "’", ")")

_STYLE = """
:root { color-scheme: light dark; --bg: #f6f5f2; --card: #fff; --text: #1c1b1f; --muted: #5f5d66;
  --line: #e3e1dc; --accent: #5b3cc4; --accent-soft: #ece7fb; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #141317; --card: #1e1d23; --text: #ecebf0; --muted: #a9a6b3; --line: #33313a;
    --accent: #b3a1ff; --accent-soft: #2c2740; }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 1rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
a { color: var(--accent); }
header.podcast { display: grid; grid-template-columns: auto 1fr; gap: .5rem 1.25rem; align-items: center;
  margin-bottom: 1.5rem; }
header.podcast img { width: 6.5rem; height: 6.5rem; border-radius: .9rem; box-shadow: 0 4px 18px #0003; }
header.podcast .description { grid-column: 1 / -1; margin: 0; }
@media (min-width: 40rem) {
  header.podcast { grid-template-rows: auto 1fr; align-items: start; }
  header.podcast img { grid-row: span 2; width: 9rem; height: 9rem; }
  header.podcast .description { grid-column: 2; }
}
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; line-height: 1.3; margin: 0 0 .35rem; }
h2 a { color: inherit; text-decoration: none; }
.author, .meta, .time, .who { color: var(--muted); }
.author { margin: 0; font-weight: 600; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 1rem; padding: 1.1rem 1.25rem;
  margin: 0 0 1.25rem; }
.subscribe h2 { font-size: 1.05rem; }
.subscribe p { margin: .4rem 0; }
.feed { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.feed code { flex: 1 1 12rem; padding: .45rem .6rem; border-radius: .5rem; background: var(--accent-soft);
  overflow-wrap: anywhere; user-select: all; }
.button, button { display: inline-block; padding: .45rem .9rem; border-radius: 999px; border: 0;
  background: var(--accent); color: var(--card); font: inherit; font-weight: 600; text-decoration: none;
  cursor: pointer; }
.meta { font-size: .9rem; margin: 0 0 .6rem; }
audio { display: block; width: 100%; margin: .8rem 0 .3rem; }
.caption { min-height: 1.5em; margin: 0 0 .5rem; font-style: italic; color: var(--muted); }
.caption:empty { display: none; }
details { border-top: 1px solid var(--line); padding: .5rem 0 0; margin-top: .5rem; }
summary { cursor: pointer; font-weight: 600; }
ol.chapters { list-style: none; padding: 0; margin: .4rem 0 0; }
ol.chapters a { display: flex; gap: .75rem; padding: .3rem .5rem; border-radius: .5rem; color: inherit;
  text-decoration: none; }
ol.chapters a:hover, ol.chapters a[aria-current] { background: var(--accent-soft); }
ol.chapters a[aria-current] { font-weight: 600; }
.time { font-variant-numeric: tabular-nums; min-width: 3.2rem; }
a.time { text-decoration: none; }
.transcript p { margin: 0 0 .8rem; }
.transcript .who { margin: .8rem 0 .1rem; font-size: .9rem; }
.transcript .who b { color: var(--text); }
footer { color: var(--muted); font-size: .85rem; text-align: center; }
"""

# Enhancements only: the page works without them (see the module docstring).
_SCRIPT = """
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-start]");
  if (!link || event.button || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  const audio = link.closest("article").querySelector("audio");
  const seek = () => { audio.currentTime = Number(link.dataset.start); audio.play().catch(() => {}); };
  if (audio.readyState) seek();
  else { audio.addEventListener("loadedmetadata", seek, { once: true }); audio.load(); }
});
// One episode at a time.
document.addEventListener("play", (event) => {
  for (const audio of document.querySelectorAll("audio")) if (audio !== event.target) audio.pause();
}, true);
for (const article of document.querySelectorAll("article")) {
  const audio = article.querySelector("audio");
  const caption = article.querySelector(".caption");
  const chapters = [...article.querySelectorAll("ol.chapters a")];
  // Browsers draw no captions for <audio>: show the sentence being spoken under the player.
  for (const track of audio.textTracks) {
    track.addEventListener("cuechange", () => {
      const cue = track.activeCues[0];
      caption.textContent = cue ? cue.getCueAsHTML().textContent : "";
    });
  }
  audio.addEventListener("timeupdate", () => {
    const current = chapters.filter((link) => Number(link.dataset.start) <= audio.currentTime).pop();
    for (const link of chapters) link.toggleAttribute("aria-current", link === current);
  });
}
const copy = document.getElementById("copy_feed_url");
copy.hidden = false;
copy.addEventListener("click", async () => {
  const url = document.getElementById("feed_url");
  try {
    await navigator.clipboard.writeText(url.textContent);
  } catch {  // no clipboard API outside secure contexts, e.g. http:// on the local network
    getSelection().selectAllChildren(url);
    document.execCommand("copy");
  }
  copy.textContent = "Copied";
  setTimeout(() => { copy.textContent = "Copy"; }, 2000);
});
"""


def render_page(catalogue: Catalogue, podcast: Podcast) -> bytes:
    """The whole index.html: the podcast, how to subscribe, and every episode with player, chapters and transcript."""
    feed_url = podcast.url(FEED_FILE)
    app_url = "podcast://" + feed_url.split("://", 1)[1]
    # The newest episode shows its chapters; the others fold them away, to keep the list short.
    episodes = [
        _episode(catalogue.folder, entry, podcast, open_chapters=index == 0)
        for index, entry in enumerate(catalogue.entries[:PAGE_EPISODES])
    ]
    if len(catalogue.entries) > PAGE_EPISODES:
        older = len(catalogue.entries) - PAGE_EPISODES
        episodes.append(f'<p class="older">{older} older episodes are in <a href="{FEED_FILE}">the feed</a>.</p>')
    title = escape(podcast.title)
    # On a phone a long address wraps after a slash rather than inside a word; copying skips the <wbr>s.
    shown_url = escape(feed_url).replace("/", "/<wbr>")
    # The page's own ids have an underscore, which no slug has: an episode's id is its stem.
    return f"""<!doctype html>
<html lang="{escape(podcast.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{title}</title>
<meta name="description" content="{escape(podcast.description)}">
<link rel="alternate" type="application/rss+xml" title="{title}" href="{FEED_FILE}">
<link rel="icon" href="{escape(podcast.cover_file)}">
<style>{_STYLE}</style>
</head>
<body>
<main>
<header class="podcast">
<img src="{escape(podcast.cover_file)}" alt="" width="136" height="136">
<div>
<h1 dir="auto">{title}</h1>
<p class="author" dir="auto">{escape(podcast.author)}</p>
</div>
<p class="description" dir="auto">{escape(podcast.description)}</p>
</header>
<section class="card subscribe" aria-labelledby="subscribe_heading">
<h2 id="subscribe_heading">Subscribe</h2>
<p>Add this address to your podcast app (&ldquo;Add podcast by URL&rdquo;):</p>
<p class="feed"><code id="feed_url">{shown_url}</code>
<button type="button" id="copy_feed_url" hidden>Copy</button></p>
<p class="feed"><a class="button" href="{escape(app_url)}">Open in podcast app</a>
<a href="{escape(feed_url)}">RSS feed</a></p>
</section>
{"".join(episodes) or "<p>No episodes yet.</p>"}
<footer><p>Made with audiobuild</p></footer>
</main>
<script>{_SCRIPT}</script>
</body>
</html>
""".encode()


def _episode(folder: Path, entry: Entry, podcast: Podcast, open_chapters: bool) -> str:
    mp3 = escape(entry.file)
    duration = clock(int(entry.duration * 1000))  # floored, as the player beside it shows it
    people = "".join(f" · {escape(person.role.title())}: {escape(person.name)}" for person in entry.people)
    return f"""<article class="card episode" id="{escape(entry.stem)}">
<h2 dir="auto"><a href="#{escape(entry.stem)}">{escape(entry.title)}</a></h2>
<p class="meta"><time datetime="{entry.published.isoformat()}">{_date(entry.published)}</time> · \
{duration}{people} · <a href="{mp3}" download>MP3, {entry.length / 1e6:.1f} MB</a></p>
<p dir="auto">{escape(entry.description)}</p>
<audio controls preload="metadata" src="{mp3}">
<track kind="captions" srclang="{escape(podcast.language)}" label="Transcript" \
src="{escape(entry.transcript_file("vtt"))}" default>
<a href="{mp3}">Download the episode</a>
</audio>
<p class="caption"></p>
{_chapters(entry, open_chapters)}
{_transcript(folder, entry)}
</article>
"""


def _chapters(entry: Entry, open_: bool) -> str:
    """The chapter list, each chapter a link to its start."""
    if not entry.chapters:
        return ""
    items = []
    for chapter in entry.chapters:
        label = f'<span class="time">{clock(chapter.start_ms)}</span> <span dir="auto">{escape(chapter.title)}</span>'
        items.append(f"<li>{_seek_link(entry, chapter.start_ms, label)}</li>")
    state = " open" if open_ else ""
    return f'<details{state}><summary>Chapters</summary><ol class="chapters">{"".join(items)}</ol></details>'


def _transcript(folder: Path, entry: Entry) -> str:
    """The Podcasting 2.0 JSON transcript as paragraphs, one per turn, each under its speaker's name."""
    path = folder / entry.transcript_file("json")
    if not path.is_file():
        return ""
    segments = json.loads(path.read_text(encoding="utf-8"))["segments"]
    turns = []
    for speaker, group in itertools.groupby(segments, key=lambda segment: segment.get("speaker", "")):
        group = list(group)
        start_ms = round(group[0]["startTime"] * 1000)
        time = _seek_link(entry, start_ms, clock(start_ms), ' class="time"')
        turns.append(
            f'<p class="who"><b dir="auto">{escape(speaker)}</b> {time}</p>'
            f'<p dir="auto">{" ".join(_sentence(segment["body"]) for segment in group)}</p>'
        )
    return f'<details class="transcript"><summary>Transcript</summary>{"".join(turns)}</details>'


def _sentence(text: str) -> str:
    """One sentence of a paragraph; a title or a byline, with no full stop, ends its line instead of running on.

    >>> _sentence("A lighthouse teaches you to listen"), _sentence("Was it <lonely>?")
    ('A lighthouse teaches you to listen<br>', 'Was it &lt;lonely&gt;?')
    """
    return escape(text) + ("" if text.rstrip().endswith(_SENTENCE_ENDS) else "<br>")


def _seek_link(entry: Entry, ms: int, content: str, attributes: str = "") -> str:
    """A link `ms` into the episode: a media fragment that the page's script turns into a seek of its player."""
    seconds = _seconds(ms)
    return f'<a href="{escape(entry.file)}#t={seconds}" data-start="{seconds}"{attributes}>{content}</a>'


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


def write_page(catalogue: Catalogue, podcast: Podcast) -> Path:
    """Atomically (re)write index.html in the catalogue's folder, unless it would not change; return its path.

    Like the feed, an unchanged page keeps its modification time and so its ETag.
    """
    path = catalogue.folder / PAGE_FILE
    atomic.write_if_changed(path, render_page(catalogue, podcast))
    return path


def write_stylesheet(folder: Path) -> Path:
    """Copy the feed's XSL stylesheet into `folder`, unless it is there already; return its path."""
    path = folder / STYLESHEET_FILE
    atomic.write_if_changed(path, resources.files("audiobuild").joinpath(STYLESHEET_FILE).read_bytes())
    return path
