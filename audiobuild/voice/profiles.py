"""Stage 2: voice profiles, which give each speaking role its own voice (casting, who speaks with which, is `casting`).

A profile is a TOML file in `voices/` with one table per role, extra voices
for articles with more people than roles (a panel, a call-in show), and a
pronunciation lexicon (see `audiobuild.voice.pronounce.lexicon`)::

    [interviewer]         # espeak-ng through pyttsx3, the default engine
    voice = "gmw/en-us"   # the engine's voice id (`audiobuild voices` lists them)
    variant = "f3"        # espeak voice variant: f1-f5 female, m1-m7 male, ...
    rate = 170            # words per minute
    pitch = 60            # 0-100, 50 is the voice's normal pitch
    volume = 1.0          # 0.0-1.0
    gender = "female"     # whom casting gives it to where the text says (see `casting`)

    [interviewee]
    engine = "piper"      # a neural voice, offline
    voice = "en_US-joe-medium"
    speed = 1.0           # 1.0 is the model's own pace
    semitones = 0.0       # pitch shift, -12 to 12
    speaker = "3"         # a multi-speaker model's speaker, by name or number

    [[extra]]             # the second caller, the third panellist, ...
    voice = "gmw/en-gb-scotland"
    variant = "m7"

    [lexicon]
    "Lindqvist" = "Lindkvist"

    [languages]           # articles in these languages are read by these profiles instead
    es = "kokoro-alpha"

Besides `voice`, `engine`, `volume` and `gender`, a voice takes its engine's
own settings (`engines.<module>.Settings`): each engine declares them, and the
profile is checked against them.

The profile named `default` is a `voices/default.toml` of the user's, if there
is one, else `natural` (neural voices); its `[languages]` name the profiles
that read other languages (`for_language`), and `espeak` stands in for it in
the languages none of them speaks.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from audiobuild.errors import ConfigError
from audiobuild.model import ROLES, Voice
from audiobuild.schema import check, dataclass_schema, from_table, read_toml
from audiobuild.voice.engines import DEFAULT_ENGINE, ENGINES, EngineUnavailable, engine_class, get_engine
from audiobuild.voice.engines.base import profile_dirs
from audiobuild.voice.pronounce.lexicon import Lexicon

DEFAULT_PROFILE = "default"  # a voices/default.toml of the user's, else NATURAL_PROFILE
NATURAL_PROFILE = "natural"
STAND_IN_PROFILE = "espeak"  # reads the languages a profile's voices do not speak
GENDERS = ("female", "male")
_LANGUAGE_CODE = r"^[a-z]{2,3}(-[a-z0-9]+)*$"
_COMMON = ("voice", "engine", "volume")  # what every voice has, whatever its engine
_ENGINE = {"enum": list(ENGINES), "x-messages": {"enum": f"{{value!r}} is not one of {', '.join(ENGINES)}"}}


@dataclass(frozen=True)
class Profile:
    """A named set of voices, one per role."""

    name: str
    path: Path
    roles: dict[str, Voice]
    extra: tuple[Voice, ...] = ()
    lexicon: Lexicon = Lexicon()
    genders: dict[str, str] = dataclasses.field(default_factory=dict)  # table ("interviewer", "extra[0]") -> gender
    languages: dict[str, str] = dataclasses.field(default_factory=dict)  # language ("es") -> the profile reading it

    def voice_for(self, role: str) -> Voice:
        """The voice that speaks `role`."""
        return self.roles[role]

    @property
    def all_voices(self) -> dict[str, Voice]:
        """Every voice of the profile, named as its TOML table is."""
        return {**self.roles, **{f"extra[{index}]": voice for index, voice in enumerate(self.extra)}}

    @property
    def engines(self) -> set[str]:
        """The names of the engines its voices speak with."""
        return {voice.engine for voice in self.all_voices.values()}


# ---------------------------------------------------------------------------
# Loading a profile


def find_profile(name_or_path: str) -> Path:
    """Resolve a profile name (`natural`) or a path to a .toml file; ConfigError when there is none.

    `default` is the user's voices/default.toml where there is one, else `natural`.
    """
    given = Path(name_or_path)
    if given.suffix == ".toml" or given.parent != Path("."):
        if not given.is_file():
            raise ConfigError(given, "no such voice profile")
        return given
    for directory in profile_dirs():
        candidate = directory / f"{name_or_path}.toml"
        if candidate.is_file():
            return candidate
    if name_or_path == DEFAULT_PROFILE:
        return find_profile(NATURAL_PROFILE)
    available = sorted({path.stem for directory in profile_dirs() for path in directory.glob("*.toml")})
    raise ConfigError(name_or_path, f"no such voice profile (available: {', '.join(available) or 'none'})")


def _profile_schema() -> dict:
    """The JSON Schema of a profile's layout; each voice table is then checked by `_voice_schema` of its engine."""
    table = {
        "type": "object",
        "properties": {"voice": {"type": "string"}, "engine": _ENGINE},
        "required": ["voice"],
        "x-messages": {"required": "has no voice id"},
    }
    return {
        "type": "object",
        "properties": {
            **dict.fromkeys(ROLES, table),
            "extra": {"type": "array", "items": table, "x-messages": {"type": "must be [[extra]] tables"}},
            "lexicon": {"type": "object"},
            "languages": {
                "type": "object",
                "propertyNames": {"pattern": _LANGUAGE_CODE},
                "additionalProperties": {"type": "string", "pattern": r"\S"},
                "x-messages": {"propertyNames": "{value!r} is not a language code (\"es\", \"pt-br\")"},
            },
            "description": {"type": "string"},
        },
        "additionalProperties": False,
        "required": list(ROLES),
        "x-keys": "role",
        "x-messages": {"required": "no voice for role(s) {missing}"},
    }


def _voice_schema(engine: str) -> dict:
    """The JSON Schema of a voice table of `engine`: the common keys and the engine's own settings."""
    common = {
        "voice": {"type": "string", "pattern": r"\S", "x-messages": {"pattern": "must not be empty"}},
        "engine": _ENGINE,
        "volume": {"type": "number", "minimum": 0.0, "maximum": 1.0},
        "gender": {"enum": list(GENDERS), "x-messages": {"enum": "{value!r} is not female or male"}},
    }
    settings = dataclass_schema(engine_class(engine).Settings)["properties"]
    takes = f"is not a {engine} setting ({engine} takes {', '.join(settings)})"
    elsewhere = {key for other in ENGINES if other != engine for key in _settings_of(other)} - set(settings)
    return {
        "type": "object",
        "properties": {**common, **settings},
        "additionalProperties": False,
        "x-misplaced": dict.fromkeys(sorted(elsewhere), takes),
    }


def _settings_of(engine: str) -> list[str]:
    return [item.name for item in dataclasses.fields(engine_class(engine).Settings)]


def load_profile(name_or_path: str = DEFAULT_PROFILE) -> Profile:
    """Load and check a voice profile; ConfigError (file, line, key) when it is malformed.

    Whether each engine has each voice is `check_profile`'s job: it starts the engines.
    """
    path = find_profile(name_or_path)
    data, text = read_toml(path)
    check(data, _profile_schema(), path, text)
    lexicon = Lexicon.from_table(path, data.get("lexicon", {}), ENGINES, text)
    tables = {role: (data[role], [role]) for role in ROLES}
    tables |= {f"extra[{index}]": (table, ["extra", index]) for index, table in enumerate(data.get("extra", []))}
    voices, genders = {}, {}
    for name, (table, at) in tables.items():
        voices[name] = voice_from_table(table, path, text, at=at)
        if "gender" in table:
            genders[name] = table["gender"]
    roles = {role: voices.pop(role) for role in ROLES}
    languages = data.get("languages", {})
    for language, name in languages.items():  # a misspelt profile name stops here, not in the middle of a batch
        if name != path.stem:
            try:
                find_profile(name)
            except ConfigError as error:
                raise ConfigError(path, f"[languages] {language} = {name!r}: {error.problem}") from None
    return Profile(path.stem, path, roles, tuple(voices.values()), lexicon, genders, languages)


def for_language(profile: Profile, language: str) -> Profile:
    """The profile that reads an article in `language` ("es", "pt-br"): the one `profile`'s `[languages]` name
    for it (for "pt-br", "pt-br" before "pt"), checked as `check_profile` does; else `profile` itself.
    """
    named = profile.languages.get(language) or profile.languages.get(language.split("-")[0])
    if not named or named == profile.name:
        return profile
    chosen = load_profile(named)
    check_profile(chosen)
    return chosen


def voice_from_table(table: dict, source: object, text: str | None, **check_options) -> Voice:
    """The Voice a voice table describes: a profile's role, or a speaker's `voice` in a script.

    The table is checked against its engine's settings (`check`, whose keyword
    options pass through: where the table is, how errors are raised); an
    engine left out is espeak's, as in profiles.
    """
    engine = table.get("engine", DEFAULT_ENGINE)
    # An engine that does not exist is checked as espeak's table, whose schema names the engines there are.
    check(table, _voice_schema(engine if engine in ENGINES else DEFAULT_ENGINE), source, text, **check_options)
    settings = {key: value for key, value in table.items() if key not in (*_COMMON, "gender")}
    common = {key: value for key, value in table.items() if key in _COMMON}
    return Voice(**{"engine": engine, **common}, settings=from_table(engine_class(engine).Settings, settings))


def voice_table(voice: Voice) -> dict:
    """`voice` as the table `voice_from_table` reads: engine, voice, volume and every setting that is set."""
    settings = {key: value for key, value in dataclasses.asdict(voice.settings).items() if value is not None}
    return {"engine": voice.engine, "voice": voice.voice, "volume": voice.volume, **settings}


def stand_in_profile() -> Profile:
    """The profile that reads a language another profile's voices do not speak: espeak's, in every language."""
    return load_profile(STAND_IN_PROFILE)


def check_profile(profile: Profile) -> None:
    """Raise ConfigError unless every voice's engine starts and has the voice the profile names."""
    for name, voice in profile.all_voices.items():
        problem = voice_problem(voice)
        if problem:
            raise ConfigError(profile.path, f"[{name}] {problem}")


def _spoken(profile: Profile) -> str:
    """The languages a profile's own voices speak, as the engines say ("en-us"), or "its own voices' languages"."""
    found = set()
    for voice in profile.all_voices.values():
        try:
            found |= {each.language for each in get_engine(voice.engine).voices if each.id == voice.voice}
        except EngineUnavailable:
            continue
    return ", ".join(sorted(found)) or "its own voices' languages"


def voice_problem(voice: Voice) -> str | None:
    """Why `voice` cannot be spoken (its engine is not installed, it has no such voice), or None."""
    try:
        return get_engine(voice.engine).problem_with(voice)
    except EngineUnavailable as error:
        return str(error)


# ---------------------------------------------------------------------------
# `audiobuild voices`


def describe_voices(profile: Profile, podcast_lexicon: Lexicon) -> str:
    """What `audiobuild voices` prints: the profile's voices (and any problem), then every engine's voices."""
    lines = [f"Profile {profile.name} ({profile.path}):"]
    if profile.languages:
        lines.append(f"  languages: {profile.name} reads {_spoken(profile)}; others:")
        for language, named in sorted(profile.languages.items()):
            lines.append(f"    {language:<10} the {named} profile")
        lines.append(f"    {'any other':<10} the {STAND_IN_PROFILE} profile (espeak-ng)")
    for name, voice in profile.all_voices.items():
        problem = voice_problem(voice)
        gender = f", {profile.genders[name]}" if name in profile.genders else ""
        lines.append(f"  {name:<12} {voice.describe()}{gender}" + (f"  <- {problem}" if problem else ""))
    if profile.lexicon.entries or podcast_lexicon.entries:
        in_profile, in_config = len(profile.lexicon.entries), len(podcast_lexicon.entries)
        lines.append(f"  lexicon: {in_profile} entries in the profile, {in_config} in podcast.toml")
    for name in ENGINES:
        try:
            engine = get_engine(name)
        except EngineUnavailable as error:
            lines += ["", f"{name}: {error}"]
            continue
        lines += ["", f"{engine.name} voices ({engine.version}); lexicon phonemes in {engine.phoneme_notation}:"]
        settings = ", ".join(_settings_of(name))
        lines.append(f"  (settings: {settings}; see the README's Voices section)")
        origin = None
        for voice in sorted(engine.voices, key=lambda voice: (voice.origin, voice.id)):
            if voice.origin != origin:
                origin = voice.origin
                lines.append(f"  from {origin}:")
            lines.append(f"    {voice.id:<28} {voice.language:<16} {voice.name}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# `audiobuild voices --sample`

SAMPLE_TEXT = "Hello, I read the {name} part of the {profile} profile. This is how an interview sounds in my voice."
# Players that play a WAV file and return, tried in this order; ffplay comes with a full ffmpeg.
PLAYERS = (["paplay"], ["aplay", "-q"], ["afplay"], ["ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"])


def write_samples(profile: Profile, folder: Path | None, which: str | None = None) -> list[Path]:
    """A short WAV of each voice of `profile` in `folder` (`folder/<profile>-<voice>.wav`), or of one of them.

    With `folder` None, a new temporary folder (audiobuild-voice-samples-*), so
    that trying voices leaves nothing in the working folder (a repository, say).
    `which` is a role ("interviewer"), "extra" (every extra voice) or one
    ("extra[1]"); ConfigError names the profile when it has no such voice.
    Raises EngineUnavailable as `get_engine` does, OSError when `folder` cannot be written.
    """
    voices = profile.all_voices
    if which is not None:
        voices = {name: voice for name, voice in voices.items() if which in (name, name.split("[")[0])}
        if not voices:
            raise ConfigError(profile.path, f"no voice {which!r} to sample (voices: {', '.join(profile.all_voices)})")
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="audiobuild-voice-samples-"))
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, voice in voices.items():
        path = folder / f"{profile.name}-{name.replace('[', '').replace(']', '')}.wav"
        said = SAMPLE_TEXT.format(name=name.split("[")[0], profile=profile.name)
        get_engine(voice.engine).synthesize(said, voice, path)
        written.append(path)
    return written


def play(paths: list[Path]) -> bool:
    """Play each WAV with the first player found on PATH; False when there is none."""
    player = next((command for command in PLAYERS if shutil.which(command[0])), None)
    if player is None:
        return False
    for path in paths:
        subprocess.run([*player, str(path)], check=False)
    return True
