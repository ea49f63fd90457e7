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
    link = ""             # the podcast's web page; defaults to base_url
    cover = ""            # a square PNG or JPEG, 1400-3000 px; generated when empty
    voices = "default"    # a profile in voices/ or a path to one; default: natural voices,
                          # espeak's in the languages they do not speak
    disclosure = "..."    # what the narrator says about the synthetic voices

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
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from audiobuild.engines import ENGINES
from audiobuild.errors import ConfigError
from audiobuild.model import Encoding, Pauses
from audiobuild.pronounce.lexicon import Lexicon
from audiobuild.schema import check, constraints, dataclass_schema, from_table, read_toml

AI_DISCLOSURE = "This episode is read by synthetic, computer-generated voices."
DEFAULT_BASE_URL = "http://localhost:8000/"
SERVED_URL_FILE = ".served-url"  # in the output folder, written by `audiobuild serve`

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
    disclosure: str = AI_DISCLOSURE

    @property
    def cover_file(self) -> str:
        """The cover's file name in the output folder."""
        return "cover.jpg" if self.cover.lower().endswith((".jpg", ".jpeg")) else "cover.png"

    @property
    def cover_mime(self) -> str:
        """The cover's MIME type."""
        return "image/jpeg" if self.cover_file.endswith(".jpg") else "image/png"

    def url(self, relative: str) -> str:
        """The absolute URL of a file in the output folder."""
        return (self.base_url or DEFAULT_BASE_URL).rstrip("/") + "/" + relative.lstrip("/")


@dataclass(frozen=True)
class Reading:
    """What is read aloud; configurable in podcast.toml's [reading] table."""

    stage_directions: bool = False  # "(Laughter.)" and the like: always in transcripts, read aloud only if true
    # How fast every voice speaks, through its engine's own speed control; the pauses shorten with it.
    rate: float = field(default=1.0, metadata=constraints(minimum=0.7, maximum=1.5))


@dataclass(frozen=True)
class Config:
    """Everything podcast.toml can set."""

    podcast: Podcast = field(default_factory=Podcast)
    audio: Encoding = field(default_factory=Encoding)
    pauses: Pauses = field(default_factory=Pauses)
    reading: Reading = field(default_factory=Reading)
    lexicon: Lexicon = field(default_factory=Lexicon)
    path: Path | None = None

    def for_output(self, output: Path) -> Config:
        """This config with the base URL every feed URL starts from, for publishing `output`.

        podcast.toml's base_url when set; else the address `audiobuild serve`
        last served this folder at, so a phone subscribed through it keeps
        working when more articles are built; else http://localhost:8000/.
        """
        served = output / SERVED_URL_FILE
        if self.podcast.base_url or not served.is_file():
            return self
        base_url = served.read_text().strip()
        return dataclasses.replace(self, podcast=dataclasses.replace(self.podcast, base_url=base_url))


_TABLES = {"podcast": Podcast, "audio": Encoding, "pauses": Pauses, "reading": Reading}
# MP3's bitrates (MPEG-1 Layer III) and the sample rates LAME encodes podcasts at.
_BITRATES = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
_SAMPLE_RATES = [22050, 32000, 44100, 48000]


def _schema() -> dict:
    """The JSON Schema of podcast.toml (with every default filled in, so that rules across keys always apply)."""
    podcast = dataclass_schema(Podcast, {
        "title": {"pattern": r"\S", "x-messages": {"pattern": "must not be empty"}},
        "category": {"enum": list(APPLE_CATEGORIES),
                     "x-messages": {"enum": "{value!r} is not an Apple Podcasts category"}},
        "base_url": {"pattern": r"^(https?://[^/\s]+.*)?$",
                     "x-messages": {"pattern": "{value!r} must be an absolute http(s) URL"}},
    })  # fmt: skip
    podcast["allOf"] = [
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
    audio = dataclass_schema(Encoding, {
        "bitrate_kbps": {"enum": _BITRATES, "x-messages": {"enum": "{value} is not an MP3 bitrate"}},
        "sample_rate": {"enum": _SAMPLE_RATES, "x-messages": {"enum": "{value} is not 22050, 32000, 44100 or 48000"}},
        "channels": {"enum": [1, 2], "x-messages": {"enum": "must be 1 or 2"}},
    })  # fmt: skip
    tables = {"podcast": podcast, "audio": audio, "pauses": dataclass_schema(Pauses),
              "reading": dataclass_schema(Reading), "lexicon": {"type": "object"}}  # fmt: skip
    return {"type": "object", "properties": tables, "additionalProperties": False, "x-keys": "table"}


def load_config(path: Path | None) -> Config:
    """Read and validate podcast.toml; None (no file) gives the defaults. Raises ConfigError (file, line, key)."""
    if path is None:
        return Config()
    if not path.is_file():
        raise ConfigError(path, "no such config file")
    data, text = read_toml(path)
    defaults = {name: dataclasses.asdict(cls()) for name, cls in _TABLES.items()}
    filled = {name: {**defaults.get(name, {}), **value} if isinstance(value, dict) else value
              for name, value in {**defaults, **data}.items()}  # fmt: skip
    check(filled, _schema(), path, text)
    lexicon = Lexicon.from_table(path, data.get("lexicon", {}), ENGINES, text)
    sections = {name: from_table(cls, data.get(name, {})) for name, cls in _TABLES.items()}
    return Config(path=path, lexicon=lexicon, **sections)
