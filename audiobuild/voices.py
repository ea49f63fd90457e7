"""Stage 2: voice profiles, which give each speaking role its own voice, and casting: who speaks with which.

A profile is a TOML file in `voices/` with one table per role, extra voices
for articles with more people than roles (a panel, a call-in show), and a
pronunciation lexicon (see `audiobuild.pronounce.lexicon`)::

    [interviewer]         # espeak-ng through pyttsx3, the default engine
    voice = "gmw/en-us"   # the engine's voice id (`audiobuild voices` lists them)
    variant = "f3"        # espeak voice variant: f1-f5 female, m1-m7 male, ...
    rate = 170            # words per minute
    pitch = 60            # 0-100, 50 is the voice's normal pitch
    volume = 1.0          # 0.0-1.0

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

Besides `voice`, `engine` and `volume`, a voice takes its engine's own
settings (`engines.<module>.Settings`): each engine declares them, and the
profile is checked against them.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from audiobuild.engines import DEFAULT_ENGINE, ENGINES, EngineUnavailable, engine_class, get_engine
from audiobuild.errors import ConfigError
from audiobuild.model import ROLES, Script, Voice
from audiobuild.pronounce.lexicon import Lexicon
from audiobuild.schema import check, dataclass_schema, from_table, read_toml

log = logging.getLogger("audiobuild")

DEFAULT_PROFILE = "default"
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

    def voice_for(self, role: str) -> Voice:
        """The voice that speaks `role`."""
        return self.roles[role]

    @property
    def all_voices(self) -> dict[str, Voice]:
        """Every voice of the profile, named as its TOML table is."""
        return {**self.roles, **{f"extra[{index}]": voice for index, voice in enumerate(self.extra)}}


# ---------------------------------------------------------------------------
# Loading a profile


def profile_dirs() -> list[Path]:
    """Where profiles (and Piper models) are looked up: ./voices, then the ones shipped with audiobuild."""
    package = Path(__file__).resolve().parent
    candidates = [Path.cwd() / "voices", package / "voices", package.parent / "voices"]
    return [path for path in dict.fromkeys(candidates) if path.is_dir()]


def find_profile(name_or_path: str) -> Path:
    """Resolve a profile name (`default`) or a path to a .toml file; ConfigError when there is none."""
    given = Path(name_or_path)
    if given.suffix == ".toml" or given.parent != Path("."):
        if not given.is_file():
            raise ConfigError(given, "no such voice profile")
        return given
    for directory in profile_dirs():
        candidate = directory / f"{name_or_path}.toml"
        if candidate.is_file():
            return candidate
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
    voices = {}
    for name, (table, at) in tables.items():
        engine = table.get("engine", DEFAULT_ENGINE)
        check(table, _voice_schema(engine), path, text, at=at)
        settings = {key: value for key, value in table.items() if key not in _COMMON}
        common = {key: value for key, value in table.items() if key in _COMMON}
        voices[name] = Voice(
            **{"engine": engine, **common}, settings=from_table(engine_class(engine).Settings, settings)
        )
    roles = {role: voices.pop(role) for role in ROLES}
    return Profile(name=path.stem, path=path, roles=roles, extra=tuple(voices.values()), lexicon=lexicon)


def check_profile(profile: Profile) -> None:
    """Raise ConfigError unless every voice's engine starts and has the voice the profile names."""
    for name, voice in profile.all_voices.items():
        problem = voice_problem(voice)
        if problem:
            raise ConfigError(profile.path, f"[{name}] {problem}")


def voice_problem(voice: Voice) -> str | None:
    """Why `voice` cannot be spoken (its engine is not installed, it has no such voice), or None."""
    try:
        return get_engine(voice.engine).problem_with(voice)
    except EngineUnavailable as error:
        return str(error)


# ---------------------------------------------------------------------------
# Casting


def cast_voices(script: Script, profile: Profile) -> dict[str, Voice]:
    """Each person of the script and the voice that speaks them (see `cast`), with the installed engines' languages."""
    stand_ins = load_profile(DEFAULT_PROFILE)  # for a language the profile's engines do not speak
    engines = {voice.engine for voice in [*profile.all_voices.values(), *stand_ins.all_voices.values()]}
    languages = {name: {voice.id: voice.language for voice in get_engine(name).voices} for name in engines}
    return cast(script, profile, languages, stand_ins)


def cast(
    script: Script, profile: Profile, languages: Mapping[str, Mapping[str, str]], stand_ins: Profile
) -> dict[str, Voice]:
    """Each person of the script (by display name) and the voice that speaks them.

    The first person of each role gets the role's voice; every further person
    (a second caller, another panellist) the next unused extra voice, so each
    distinct person sounds distinct while the profile has voices to give.

    An article in another language than a voice's is read by its engine's voice
    for that language, keeping the settings that make it distinct; when the
    engine has none (Piper's models speak one language each), by the voice in
    the same place of `stand_ins` (the default profile), in that language.
    `languages` maps each engine's name to its voice ids and their language codes.
    """
    spare = list(enumerate(profile.extra))
    voices: dict[str, Voice] = {}
    first_of_role: set[str] = set()
    for person in script.people:
        if person.role not in first_of_role:
            first_of_role.add(person.role)
            place, voice = person.role, profile.voice_for(person.role)
        elif spare:
            index, voice = spare.pop(0)
            place = f"extra[{index}]"
        else:
            log.warning("%s: %s shares a voice: the profile has no more extra voices", script.source, person.name)
            place, voice = person.role, profile.voice_for(person.role)
        spoken = in_language(voice, script.language, languages.get(voice.engine, {}))
        if spoken is None:
            stand_in = stand_ins.all_voices.get(place, stand_ins.voice_for(person.role))
            spoken = in_language(stand_in, script.language, languages.get(stand_in.engine, {}))
            instead = f"the {stand_ins.name} profile's {spoken.voice}" if spoken else f"{voice.voice} all the same"
            log.warning("%s: no %s voice speaks %r: %s is read by %s",
                        script.source, voice.engine, script.language, person.name, instead)  # fmt: skip
        voices[person.name] = spoken or voice
    return voices


def in_language(voice: Voice, language: str, languages: Mapping[str, str]) -> Voice | None:
    """`voice`, or its engine's voice for `language` with the same settings; None when the engine has none.

    `languages` maps the engine's voice ids to their language codes. The
    language's plain voice ("ru" over "ru-cl") is preferred, for the most common accent.
    """
    base = lambda code: code.split("-")[0].lower()  # noqa: E731
    own = languages.get(voice.voice) or languages.get(voice.voice.lower())
    if not language or (own and base(own) == base(language)):
        return voice
    matches = sorted(
        (code != language, voice_id) for voice_id, code in languages.items() if base(code) == base(language)
    )
    if not matches:
        return None
    return dataclasses.replace(voice, voice=matches[0][1], settings=voice.settings.for_other_voice())


# ---------------------------------------------------------------------------
# `audiobuild voices`


def describe_voices(profile: Profile, podcast_lexicon: Lexicon) -> str:
    """What `audiobuild voices` prints: the profile's voices (and any problem), then every engine's voices."""
    lines = [f"Profile {profile.name} ({profile.path}):"]
    for name, voice in profile.all_voices.items():
        problem = voice_problem(voice)
        lines.append(f"  {name:<12} {voice.describe()}" + (f"  <- {problem}" if problem else ""))
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
