"""podcast.toml: the channel, the audio settings and the pauses, validated up front.

Every key is optional. An example with all of them and their defaults::

    [podcast]
    title = "Interviews, read aloud"
    description = "..."
    author = "audiobuild"
    email = ""
    language = "en"
    category = "News"
    subcategory = ""      # e.g. "Politics"
    explicit = false
    locked = false        # podcast:locked: ask other platforms not to import the feed
    base_url = ""         # where output/ is published; empty: where `audiobuild serve`
                          # last served it, else http://localhost:8000/
    episode_date = "added"  # pubDate: when the episode is added; "article": the article's own date
    keep_replaced_days = 30 # days a replaced revision's files stay for apps that kept their URL
    link = ""             # the podcast's web page; defaults to base_url
    cover = ""            # a square PNG or JPEG, 1400-3000 px; generated when empty
    voices = "default"    # a profile in voices/ or a path to one; default: natural voices,
                          # espeak's in the languages they do not speak
    disclosure = "..."    # what the narrator says about the synthetic voices, in the podcast's
                          # language; or a table by language: [podcast.disclosure] de = "..."

    [audio]
    bitrate_kbps = 64
    sample_rate = 44100

    [reading]
    stage_directions = false  # read "(Laughter.)" and the like aloud
    rate = 1.0                # 0.7-1.5: how fast every voice speaks; pauses follow

    [pauses]              # milliseconds
    sentence = 250
    paragraph = 550
    speaker_change = 850
    after_intro = 1300
    lead_in = 300
    tail = 800

    [lexicon]             # how to say names, over the voice profile's lexicon
    "Lindqvist" = "Lindkvist"

    [[follow]]            # a feed `audiobuild follow` reads (any number of these)
    url = "https://example.org/interviews/feed.xml"   # required: an RSS, Atom or JSON Feed URL, or a file
    match = ""            # a regular expression an item's title or link must match
    max = 0               # the newest N items only; 0: all
    voices = ""           # a voice profile for its episodes; "": [podcast] voices
    interviews_only = false   # skip items in which no dialogue is found
    prune = []            # CSS selectors of page parts to drop before the article is looked for

    [inbox]               # `audiobuild serve --inbox`: articles sent from a phone
    enabled = false
    allow_private = false # also fetch from this machine and private networks
    allow_addresses = []  # addresses or networks fetched from although private ("192.168.1.10")
    max_queued = 50       # items waiting at most; more are answered 429
    per_minute = 30       # items taken in a minute at most; more are answered 429

    [cache]               # the clip cache (output/.cache/clips, each cluster worker's own)
    max_mb = 500          # least recently used clips go past this; `audiobuild cache` shows and prunes it
    [serve]               # `audiobuild serve`
    private = false       # serve only under a secret path, /p/<token>/ (as --private does)
"""

from __future__ import annotations

import dataclasses
import difflib
import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from audiobuild.errors import AudiobuildError, ConfigError
from audiobuild.model import Encoding, Pauses
from audiobuild.schema import (
    INTERNAL,
    check,
    constraints,
    dataclass_schema,
    error_at,
    from_table,
    read_toml,
    table_defaults,
)  # fmt: skip
from audiobuild.voice.engines import ENGINES
from audiobuild.voice.pronounce.lexicon import Lexicon

AI_DISCLOSURE = "This episode is read by synthetic, computer-generated voices."
DEFAULT_BASE_URL = "http://localhost:8000/"
SERVED_URL_FILE = ".served-url"  # in the output folder, written by `audiobuild serve`
# In the output folder while it is served as a private feed: the secret path ("p/<token>/") every URL carries.
PRIVATE_PATH_FILE = ".private-path"

# Apple Podcasts categories and their subcategories.
APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": ("Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies", "Home & Garden", "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News", "Daily News", "Entertainment News", "News Commentary", "Politics", "Sports News", "Tech News",
    ),
    "Religion & Spirituality": ("Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion", "Spirituality"),
    "Science": (
        "Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics", "Natural Sciences", "Nature",
        "Physics", "Social Sciences",
    ),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"),
    "Sports": (
        "Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey", "Rugby", "Running",
        "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness", "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}  # fmt: skip


@dataclass(frozen=True)
class Podcast:
    """The channel: what the feed says about the podcast as a whole."""

    title: str = "Interviews, read aloud"
    description: str = (
        "Interviews and articles turned into audio by audiobuild, so they can be heard offline. "
        "All voices are synthetic (AI-generated text-to-speech)."
    )
    author: str = "audiobuild"
    email: str = ""
    language: str = "en"
    category: str = "News"
    subcategory: str = ""
    explicit: bool = False
    locked: bool = False  # podcast:locked: ask other platforms not to import the feed
    base_url: str = ""  # where the output folder is published; see Config.for_output
    link: str = ""
    cover: str = ""
    voices: str = "default"
    # In the podcast's `language`, or a table by language; see `disclosures`.
    disclosure: str | dict[str, str] = AI_DISCLOSURE
    # The newest episodes the feed lists: apps refuse feeds of tens of megabytes (300 items are about 0.5 MB).
    feed_items: int = field(default=300, metadata=constraints(minimum=1))
    # An episode's pubDate: "added", when it is first published (apps call an episode new by it: gPodder never
    # does for one dated a week before the newest it knows), or "article", the article's own date when it has one.
    episode_date: str = "added"
    # Days a replaced revision's files stay, for apps that keep an episode's first URL (see publish.episodes).
    keep_replaced_days: int = field(default=30, metadata=constraints(maximum=3650))
    # Not a podcast.toml key: where `audiobuild serve` last served the folder (see Config.for_output).
    served_url: str = field(default="", metadata=INTERNAL)
    # Not a podcast.toml key: a private feed's secret path, "p/<token>/" (see Config.for_output).
    private_path: str = field(default="", metadata=INTERNAL)

    @property
    def cover_file(self) -> str:
        """The cover's file name in the output folder."""
        return "cover.jpg" if self.cover.lower().endswith((".jpg", ".jpeg")) else "cover.png"

    @property
    def cover_mime(self) -> str:
        """The cover's MIME type."""
        return "image/jpeg" if self.cover_file.endswith(".jpg") else "image/png"

    def disclosures(self) -> dict[str, str]:
        """The disclosure by language for the parser (`parse.narrator.disclosure_for`).

        A plain text is the disclosure in the podcast's `language`: an article in
        another language has its own language's sentence (audiobuild/parse/languages/),
        or failing that this text. Left at its default, every article's language
        has its own. A table gives the text for each language it names. The key
        "*" holds what is read in a language that has no sentence anywhere.
        """
        language = self.language.strip().lower().replace("_", "-").split("-")[0]
        if isinstance(self.disclosure, str):
            own = {} if self.disclosure == AI_DISCLOSURE else {language: self.disclosure}
            return {**own, "*": self.disclosure}
        return {**self.disclosure, "*": self.disclosure.get(language, AI_DISCLOSURE)}

    def url(self, relative: str) -> str:
        """The absolute URL of a file in the output folder: base_url, else the served address, else localhost;
        then a private feed's secret path."""
        base = (self.base_url or self.served_url or DEFAULT_BASE_URL).rstrip("/") + "/" + self.private_path
        return base + relative.lstrip("/")

    @property
    def public(self) -> bool:
        """True when the feed has an address of its own on the internet: a base_url not on this machine or LAN.

        Only such an address may name the channel for good (podcast:guid). MP3s carry the feed's address
        (WFED) whenever base_url is set: a LAN address set on purpose is as lasting as the user makes it.
        """
        return bool(self.base_url) and is_public(self.base_url)


@dataclass(frozen=True)
class Reading:
    """What is read aloud; configurable in podcast.toml's [reading] table."""

    stage_directions: bool = False  # "(Laughter.)" and the like: always in transcripts, read aloud only if true
    # How fast every voice speaks, through its engine's own speed control; the pauses shorten with it.
    rate: float = field(default=1.0, metadata=constraints(minimum=0.7, maximum=1.5))
    # Listen to every episode built (`build --verify`, the `verify` extra) and record its word recall.
    verify: bool = False
    # Publish no episode heard below this word recall (`build --verify-min`); 0: publish whatever is heard.
    verify_min: float = field(default=0.0, metadata=constraints(minimum=0, maximum=1))


@dataclass(frozen=True)
class Cluster:
    """Where batches render; configurable in podcast.toml's [cluster] table (see audiobuild.run.cluster)."""

    address: str = ""  # a Dask scheduler, "tcp://host:8786", or "local"; empty: this machine's process pool
    cache: str = ""  # each worker's clip cache folder; empty: ~/.cache/audiobuild/clips


@dataclass(frozen=True)
class Follow:
    """A feed `audiobuild follow` reads: one `[[follow]]` table of podcast.toml."""

    url: str = ""  # an RSS, Atom or JSON Feed: an http(s) URL, or a file (relative to podcast.toml)
    match: str = ""  # a regular expression (Python's) that an item's title or link must match
    max: int = 0  # the newest N items only; 0: all of them
    voices: str = ""  # a voice profile for its episodes; "": the podcast's
    interviews_only: bool = False  # skip items in which the parser finds no dialogue
    prune: tuple[str, ...] = ()  # CSS selectors of page parts to drop before the article is extracted


@dataclass(frozen=True)
class Inbox:
    """`audiobuild serve --inbox`: podcast.toml's [inbox] table."""

    enabled: bool = False
    allow_private: bool = False  # fetch from this machine and private networks too (never for a public server)
    allow_addresses: tuple[str, ...] = ()  # addresses or networks ("192.168.1.10", "10.0.0.0/8") fetched from anyway
    max_queued: int = field(default=50, metadata=constraints(minimum=1))  # items waiting; more get 429
    per_minute: int = field(default=30, metadata=constraints(minimum=1))  # items accepted a minute; more get 429


@dataclass(frozen=True)
class Cache:
    """The clip cache: podcast.toml's [cache] table (see audiobuild.voice.synthesize.prune_cache)."""

    # MB (2**20 bytes) kept after each build, least recently used clips first out. Clips take 110 to 140 MB an
    # hour of audio (README, The clip cache): 500 keeps some four hours, the recent episodes one edits and
    # rebuilds. 0 keeps only what builds used in the last hour.
    max_mb: int = field(default=500, metadata=constraints(minimum=0))


@dataclass(frozen=True)
class Serve:
    """`audiobuild serve`: podcast.toml's [serve] table."""

    private: bool = False  # everything only under /p/<token>/, as `serve --private` does


@dataclass(frozen=True)
class Config:
    """Everything podcast.toml can set."""

    podcast: Podcast = field(default_factory=Podcast)
    audio: Encoding = field(default_factory=Encoding)
    pauses: Pauses = field(default_factory=Pauses)
    reading: Reading = field(default_factory=Reading)
    cluster: Cluster = field(default_factory=Cluster)
    lexicon: Lexicon = field(default_factory=Lexicon)
    inbox: Inbox = field(default_factory=Inbox)
    cache: Cache = field(default_factory=Cache)
    serve: Serve = field(default_factory=Serve)
    follow: tuple[Follow, ...] = ()
    path: Path | None = None

    def for_output(self, output: Path) -> Config:
        """This config with the base URL every feed URL starts from, for publishing `output`.

        podcast.toml's base_url when set; else the address `audiobuild serve`
        last served this folder at, so a phone subscribed through it keeps
        working when more articles are built; else http://localhost:8000/.
        While `serve --private` serves the folder, every URL also carries its secret path.
        """
        served, private = output / SERVED_URL_FILE, output / PRIVATE_PATH_FILE
        try:
            served_url = served.read_text().strip() if not self.podcast.base_url and served.is_file() else ""
            private_path = private.read_text().strip() if private.is_file() else ""
        except OSError as error:
            raise AudiobuildError(output, f"cannot read: {error.strerror or error}") from None
        if not served_url and not private_path:
            return self
        podcast = dataclasses.replace(self.podcast, served_url=served_url or self.podcast.served_url,
                                      private_path=private_path)  # fmt: skip
        return dataclasses.replace(self, podcast=podcast)


_TABLES = {"podcast": Podcast, "audio": Encoding, "pauses": Pauses, "reading": Reading, "cluster": Cluster,
           "inbox": Inbox, "serve": Serve}
_TABLES["cache"] = Cache
# MP3's bitrates (MPEG-1 Layer III) and the sample rates LAME encodes podcasts at.
# The longest pause podcast.toml may ask for: ten seconds of silence is already a fault in an episode.
MAX_PAUSE_MS = 10_000
_BITRATES = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
_SAMPLE_RATES = [22050, 32000, 44100, 48000]


def _schema() -> dict:
    """The JSON Schema of podcast.toml (with every default filled in, so that rules across keys always apply)."""
    podcast = dataclass_schema(Podcast, {
        "title": {"pattern": r"\S", "x-messages": {"pattern": "must not be empty"}},
        # What the feed's <language> and <itunes:email> carry: an RFC 5646 tag, an address or nothing.
        "language": {"pattern": r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$",
                     "x-messages": {"pattern": "{value!r} is not a language code such as 'en' or 'en-GB'"}},
        "email": {"pattern": r"^([^@\s]+@[^@\s]+\.[^@\s]+)?$",
                  "x-messages": {"pattern": "{value!r} is not an e-mail address"}},
        "category": {"enum": list(APPLE_CATEGORIES),
                     "x-messages": {"enum": "{value!r} is not an Apple Podcasts category"}},
        "episode_date": {"enum": ["added", "article"],
                         "x-messages": {"enum": "must be 'added' (when it is published) or 'article' (its date)"}},
        "disclosure": {"type": ["string", "object"], "pattern": r"\S",
                       "additionalProperties": {"type": "string", "pattern": r"\S",
                                                "x-messages": {"pattern": "must not be empty"}},
                       "propertyNames": {"pattern": "^[a-z]{2,3}$"},
                       "x-messages": {"pattern": "must not be empty",
                                      "type": "must be a text, or a table of texts by language",
                                      "propertyNames": "is not a language code such as 'de'"}},
    })  # fmt: skip
    locked_needs_owner = {  # Podcast Index ignores podcast:locked without an owner to ask
        "if": {"properties": {"locked": {"const": True}}},
        "then": {"properties": {"email": {"pattern": "@", "x-messages": {
            "pattern": "must be the owner's e-mail address when locked = true (podcast:locked names its owner)"}}}},
    }  # fmt: skip
    subcategories_of = [
        {
            "if": {"properties": {"category": {"const": category}}},
            "then": {
                "properties": {
                    "subcategory": {
                        "enum": ["", *subcategories],
                        "x-messages": {
                            "enum": f"{{value!r}} is not in {category} ({', '.join(subcategories) or 'none'})"
                        },
                    }
                }
            },
        }  # fmt: skip
        for category, subcategories in APPLE_CATEGORIES.items()
    ]
    podcast["allOf"] = [locked_needs_owner, *subcategories_of]
    audio = dataclass_schema(Encoding, {
        "bitrate_kbps": {"enum": _BITRATES, "x-messages": {"enum": "{value} is not an MP3 bitrate"}},
        "sample_rate": {"enum": _SAMPLE_RATES, "x-messages": {"enum": "{value} is not 22050, 32000, 44100 or 48000"}},
        "channels": {"enum": [1, 2], "x-messages": {"enum": "must be 1 or 2"}},
    })  # fmt: skip
    follow = dataclass_schema(Follow, {"url": {"pattern": r"\S", "x-messages": {"pattern": "must not be empty"}}},
                              required=["url"])  # fmt: skip
    pauses = dataclass_schema(Pauses, {item.name: {"maximum": MAX_PAUSE_MS} for item in dataclasses.fields(Pauses)})
    tables = {"podcast": podcast, "audio": audio, "pauses": pauses,
              "reading": dataclass_schema(Reading), "cluster": dataclass_schema(Cluster),
              "lexicon": {"type": "object"}, "inbox": dataclass_schema(Inbox), "serve": dataclass_schema(Serve),
              "follow": {"type": "array", "items": follow}}  # fmt: skip
    tables["cache"] = dataclass_schema(Cache)
    return {"type": "object", "properties": tables, "additionalProperties": False, "x-keys": "table"}


def load_config(path: Path | None) -> Config:
    """Read and validate podcast.toml; None (no file) gives the defaults. Raises ConfigError (file, line, key)."""
    if path is None:
        return Config()
    if not path.is_file():
        raise ConfigError(path, "no such config file")
    data, text = read_toml(path)
    defaults = {name: table_defaults(cls) for name, cls in _TABLES.items()}
    filled = {name: {**defaults.get(name, {}), **value} if isinstance(value, dict) else value
              for name, value in {**defaults, **data}.items()}  # fmt: skip
    category = filled.get("podcast", {}).get("category") if isinstance(filled.get("podcast"), dict) else None
    if isinstance(category, str) and category not in APPLE_CATEGORIES:
        problem = f"{category!r} is not an Apple Podcasts category{_nearest_categories(category)}"
        raise error_at(path, text, ["podcast", "category"], problem)
    check(filled, _schema(), path, text)
    lexicon = Lexicon.from_table(path, data.get("lexicon", {}), ENGINES, text)
    sections = {name: from_table(cls, data.get(name, {})) for name, cls in _TABLES.items()}
    podcast = sections["podcast"]
    for key in ("base_url", "link"):  # what a schema's pattern cannot check: a URL that parses
        value = getattr(podcast, key)
        try:
            uri = as_uri(value, folder=key == "base_url") if value else ""
        except ValueError as problem:
            raise error_at(path, text, ["podcast", key], f"{value!r} {problem}") from None
        sections["podcast"] = dataclasses.replace(sections["podcast"], **{key: uri})
    follow = tuple(_follow(path, text, index, table) for index, table in enumerate(data.get("follow", [])))
    for network in sections["inbox"].allow_addresses:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise error_at(
                path, text, ["inbox", "allow_addresses"], f"{network!r} is not an address or network"
            ) from None
    return Config(path=path, lexicon=lexicon, follow=follow, **sections)


def _follow(path: Path, text: str, index: int, table: dict) -> Follow:
    """One [[follow]] table its schema accepted, with what a schema cannot check checked: URL, pattern, selectors."""
    from audiobuild.read.sources import css_to_xpath

    follow = from_table(Follow, table)
    where = ["follow", index]
    if re.match(r"https?://", follow.url, re.IGNORECASE):
        try:
            follow = dataclasses.replace(follow, url=as_uri(follow.url, folder=False))
        except ValueError as problem:
            raise error_at(path, text, [*where, "url"], f"{follow.url!r} {problem}") from None
    else:  # a feed file, found beside podcast.toml when its path is relative
        follow = dataclasses.replace(follow, url=str(path.parent / Path(follow.url).expanduser()))
    try:
        re.compile(follow.match)
    except re.error as error:
        raise error_at(
            path, text, [*where, "match"], f"{follow.match!r} is not a regular expression ({error})"
        ) from None
    try:
        css_to_xpath(follow.prune)
    except ValueError as problem:
        raise error_at(path, text, [*where, "prune"], str(problem)) from None
    return follow


def _nearest_categories(wrong: str) -> str:
    """A hint for a category that is not Apple's: the nearest categories, or the category a subcategory is of.

    >>> _nearest_categories("Food"), _nearest_categories("Technolgy")
    (" (did you mean category = 'Arts' with subcategory = 'Food'?)", " (did you mean 'Technology'?)")
    """
    parents = {sub.casefold(): (category, sub) for category, subs in APPLE_CATEGORIES.items() for sub in subs}
    names = {category.casefold(): category for category in APPLE_CATEGORIES}
    close = difflib.get_close_matches(wrong.casefold(), [*names, *parents], n=3, cutoff=0.6)
    if close and close[0] in parents:
        category, sub = parents[close[0]]
        return f" (did you mean category = {category!r} with subcategory = {sub!r}?)"
    nearest = [repr(names[match]) for match in close if match in names]
    return f" (did you mean {' or '.join(nearest)}?)" if nearest else ""


def as_uri(url: str, folder: bool = True) -> str:
    """`url`, an absolute http(s) URL as a person writes it, as a valid URI: punycode host, percent-encoded path.

    ValueError (saying what is wrong) for anything else: another scheme, no
    host, a bad port, spaces or control characters in the host, and for the
    address of a `folder`, a query or fragment (a page's may have them).

    >>> as_uri("https://Пример.рф/подкаст/my show/")
    'https://xn--e1afmkfd.xn--p1ai/%D0%BF%D0%BE%D0%B4%D0%BA%D0%B0%D1%81%D1%82/my%20show/'
    """
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in url):
        raise ValueError("must not hold a line break or control character")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:  # "Port out of range 0-65535", "Invalid IPv6 URL"
        raise ValueError(f"is not a URL: {error}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http(s) URL")
    if folder and (parts.query or parts.fragment):
        raise ValueError("must be a folder's address, without ?query or #fragment")
    host = parts.hostname
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise ValueError(f"has a host name that is not valid: {host!r}") from None
    if not re.fullmatch(r"[A-Za-z0-9.\-]+|[0-9A-Fa-f:.]+", host):
        raise ValueError(f"has a host name that is not valid: {host!r}")
    netloc = f"[{host}]" if ":" in host else host
    netloc += f":{port}" if port is not None else ""
    safe = "/%!$&'()*+,;=:@-._~"
    rest = quote(parts.path, safe=safe)
    rest += f"?{quote(parts.query, safe=safe + '?')}" if parts.query else ""
    rest += f"#{quote(parts.fragment, safe=safe + '?')}" if parts.fragment else ""
    return f"{parts.scheme.lower()}://{netloc}{rest}"


def is_public(url: str) -> bool:
    """True unless `url`'s host is this machine or a private network's (localhost, 192.168.x.x, printer.local)."""
    host = (urlsplit(url).hostname or "").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host != "localhost" and not host.endswith((".localhost", ".local", ".lan", ".home.arpa", ".internal"))
    return address.is_global
