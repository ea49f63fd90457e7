"""The data that passes between the stages: scripts, voices, clips, timelines, chapters, catalogue entries.

Every stage imports its inputs and outputs from here, and this module imports
no stage, so reading `podcast.toml` or serving a folder never loads the audio
stack. The pipeline, and the type each step hands to the next::

    sources.Article -> parse -> Script -> voices -> {speaker: Voice} -> pronounce -> spoken sentences
      -> synthesize -> [Clip] -> assemble -> [Span] -> chapters [Chapter], transcript -> catalogue Entry
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path

# ---------------------------------------------------------------------------
# Scripts: what the parser makes of an article

NARRATOR = "narrator"
INTERVIEWER = "interviewer"
INTERVIEWEE = "interviewee"
ROLES = (NARRATOR, INTERVIEWER, INTERVIEWEE)

DEFAULT_NAMES = {NARRATOR: "Narrator", INTERVIEWER: "Interviewer", INTERVIEWEE: "Interviewee"}

# Every kind of segment, and who reads it.
KINDS = {
    "title": "the article's title, read by the narrator",
    "byline": "who wrote it, read by the narrator",
    "disclosure": "the notice that the voices are synthetic, read by the narrator after the title and byline",
    "intro": "the narrator's text before the first turn of a dialogue",
    "heading": "a section heading, announced by the narrator (and a chapter)",
    "narration": "the narrator's text in an article without dialogue, or an aside in parentheses",
    "question": "a turn (or its continuation) of an interviewer",
    "answer": "a turn (or its continuation) of an interviewee",
    "list": "an item of a bulleted or numbered list, read by whoever is speaking (else the narrator)",
    "direction": "a stage direction on its own, such as (Laughter.): in the transcript, not read aloud",
}
OPENING_KINDS = ("title", "byline", "disclosure", "intro")


@dataclass(frozen=True)
class Segment:
    """One paragraph spoken by one speaker.

    `sentences` are the units that are synthesized and timed: the parser splits
    `text` once (without its stage directions, unless `read_directions`).
    """

    role: str  # one of ROLES
    kind: str  # one of KINDS
    text: str  # as shown in the transcript, stage directions included
    speaker: str  # the person's display name; each distinct speaker gets a voice
    read_directions: bool = False  # read stage directions such as (Laughter.) aloud
    sentences: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Dropped:
    """A line of site furniture that is not read aloud."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class Speaker:
    """A person who speaks in a script, and their role."""

    name: str
    role: str


# The layouts the parser tells apart (parse.layouts describes each).
LAYOUTS = ("dashes", "labels", "label-lines", "qa", "one-side", "bold-questions", "plain-questions", "plain")


@dataclass(frozen=True)
class LayoutChoice:
    """The layout the parser read an article in, its score, and the layout that came second."""

    name: str  # one of LAYOUTS
    score: float  # turns found, weighed by how well they hold together (see parse.layouts)
    runner_up: str | None = None
    runner_up_score: float = 0.0


@dataclass(frozen=True)
class ParseOptions:
    """What a user tells the parser when its own reading is wrong (`--layout`, `--interviewer`, `--title`)."""

    layout: str | None = None  # one of LAYOUTS
    interviewer: str | None = None  # the name (or a label's words) of the person who asks
    title: str | None = None  # the episode's title, over the article's (or a script file's)


@dataclass
class Script:
    """An article parsed into what each speaker says, in order."""

    source: str
    title: str
    byline: str | None = None
    interviewee: str | None = None  # the person interviewed, when the article names one
    date: str | None = None  # ISO 8601 (YYYY-MM-DD), from the page or a date line
    language: str = ""  # ISO 639-1, detected from the text ("" when there is too little)
    segments: list[Segment] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    voices: dict[str, Voice] = field(default_factory=dict)  # chosen in a script file, by speaker; the rest are cast
    # Where the script came from, for reading it: not part of what is built.
    date_source: str | None = field(default=None, compare=False)  # "page metadata", "date line, line 5", "script"
    layout: LayoutChoice | None = field(default=None, compare=False)

    @property
    def people(self) -> list[Speaker]:
        """Everyone who speaks, narrator included, in order of their first words."""
        return list(dict.fromkeys(Speaker(segment.speaker, segment.role) for segment in self.segments))

    @property
    def speakers(self) -> dict[str, str]:
        """Role -> display name of the first person speaking in that role."""
        speakers: dict[str, str] = {}
        for person in self.people:
            speakers.setdefault(person.role, person.name)
        return speakers

    @property
    def intro_end(self) -> int:
        """Index of the first segment after the narrator's opening (title, byline, disclosure, intro)."""
        for index, segment in enumerate(self.segments):
            if segment.kind not in OPENING_KINDS:
                return index
        return len(self.segments)


# ---------------------------------------------------------------------------
# Voices and clips


@dataclass(frozen=True)
class Voice:
    """How one person sounds: an engine, one of its voices, and that engine's settings for it.

    `settings` is the engine's own frozen dataclass (`engines.<name>.Settings`),
    so a voice of one engine cannot carry another engine's settings. Everything
    here changes the synthesized audio, so all of it is part of a clip's cache key.
    """

    voice: str  # the engine's voice id: "gmw/en-us", "en_US-joe-medium"
    engine: str  # a name in engines.ENGINES
    settings: object  # the engine's Settings
    volume: float = 1.0  # 0.0-1.0, applied by the engine

    def describe(self) -> str:
        """A one-line summary, as `audiobuild voices` prints it."""
        return f"{self.settings.label(self.voice)} ({self.engine}, {self.settings.describe()}, volume {self.volume:g})"


@dataclass(frozen=True)
class Clip:
    """One synthesized sentence."""

    segment: int  # index into Script.segments
    sentence: int  # index into that segment's sentences
    text: str  # as the article has it (the transcript's); the engine may have been given a spoken form
    wav: Path


# ---------------------------------------------------------------------------
# Assembly: the episode's timeline and its settings


@dataclass(frozen=True)
class Pauses:
    """Silence in milliseconds; configurable in podcast.toml's [pauses] table."""

    sentence: int = 250  # between sentences of one paragraph
    paragraph: int = 550  # between paragraphs of the same speaker
    speaker_change: int = 850  # when another person starts speaking
    after_intro: int = 1300  # after the narrator's opening, before the first question
    lead_in: int = 300  # before the first word
    tail: int = 800  # after the last word

    def at_pace(self, factor: float) -> Pauses:
        """These pauses for speech `factor` times as fast (``[reading] rate``): each as much shorter."""
        if factor == 1.0:
            return self
        return Pauses(**{item.name: round(getattr(self, item.name) / factor) for item in fields(self)})


@dataclass(frozen=True)
class Encoding:
    """MP3 settings; configurable in podcast.toml's [audio] table."""

    bitrate_kbps: int = 64
    sample_rate: int = 44100  # Hz
    channels: int = 1


@dataclass(frozen=True)
class Span:
    """Where one clip's speech lies in the episode."""

    segment: int
    sentence: int
    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Chapter:
    """A stretch of the episode with a title."""

    title: str
    start_ms: int
    end_ms: int


# ---------------------------------------------------------------------------
# The catalogue: what is published

EPISODES_DIR = "episodes"
TRANSCRIPTS_DIR = "transcripts"
CHAPTERS_DIR = "chapters"
TRANSCRIPT_TYPES = {"vtt": "text/vtt", "srt": "application/x-subrip", "json": "application/json"}


@dataclass(frozen=True)
class Person:
    """Someone heard in an episode, for the feed's podcast:person."""

    name: str
    role: str  # Podcasting 2.0 role: "host" (the interviewer) or "guest"


@dataclass(frozen=True)
class Entry:
    """One published episode.

    Its files share one stem: `<slug>` for the first build, `<slug>--<revision>`
    after the article changed, so that a podcast app never finds different
    bytes behind a URL it has cached (a slug never holds "--", so no title's
    files can take another's).
    """

    slug: str
    guid: str
    title: str
    description: str
    author: str
    published: datetime
    revision: int
    fingerprint: str  # of everything that went into the audio and tags
    length: int  # bytes of the MP3
    duration: float  # seconds
    source: str  # the article's file name, for messages; its URL (or inbox:<digest>) when it came from the web
    source_id: str  # a digest of the article's full path: the folder is published, its paths are private
    people: tuple[Person, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    link: str = ""  # the original article's web address, for the feed's <link>; "" for a file
    article_date: str = ""  # the article's own date (ISO 8601) when it has one: the show notes', ID3's TDOR
    recall: float | None = None  # the share of its words `build --verify` heard (0 to 1); None: not verified

    @property
    def stem(self) -> str:
        """The file name stem of this revision's files."""
        return self.slug if self.revision == 1 else f"{self.slug}--{self.revision}"

    @property
    def file(self) -> str:
        """The MP3, relative to the output folder."""
        return f"{EPISODES_DIR}/{self.stem}.mp3"

    @property
    def chapters_file(self) -> str:
        """The Podcasting 2.0 chapters JSON, relative to the output folder."""
        return f"{CHAPTERS_DIR}/{self.stem}.chapters.json"

    def transcript_file(self, extension: str) -> str:
        """The transcript in one of TRANSCRIPT_TYPES, relative to the output folder."""
        return f"{TRANSCRIPTS_DIR}/{self.stem}.{extension}"

    @property
    def named_files(self) -> dict[str, str]:
        """Every file of this episode by kind ("mp3", "chapters", each of TRANSCRIPT_TYPES), relative to the folder."""
        return {
            "mp3": self.file,
            "chapters": self.chapters_file,
            **{extension: self.transcript_file(extension) for extension in TRANSCRIPT_TYPES},
        }

    @property
    def files(self) -> list[str]:
        """Every file of this episode, relative to the output folder."""
        return list(self.named_files.values())
