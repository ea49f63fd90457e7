"""TOML files (podcast.toml, voice profiles) read into checked dataclasses, with one-line errors."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

from audiobuild.errors import ConfigError

# Field annotations (strings, under `from __future__ import annotations`) and the TOML values they take.
_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "str | None": (str,),
    "bool": (bool,),
    "int": (int,),
    "float": (int, float),
}


def read(path: Path) -> dict:
    """The TOML document at `path`, or ConfigError naming the file and the line at fault."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, f"invalid TOML: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, f"cannot read: {error}") from None


def table(path: Path, name: str, cls: type, values: object, limits: dict[str, tuple[float, float]] | None = None):
    """An instance of dataclass `cls` from the TOML table `[name]`, each key checked.

    Unknown keys, wrong types (TOML's true is no number here) and numbers out of
    `limits` (or below zero) are errors that name the table and the key.
    """
    if not isinstance(values, dict):
        raise ConfigError(path, f"[{name}] must be a table")
    types = {field.name: field.type for field in dataclasses.fields(cls)}
    for key, value in values.items():
        if key not in types:
            raise ConfigError(path, f"[{name}] unknown key {key!r}; keys are {', '.join(types)}")
        expected = _TYPES[types[key]]
        if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
            raise ConfigError(path, f"[{name}] {key} must be {types[key].split(' ')[0]}, not {value!r}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        low, high = (limits or {}).get(key, (0, float("inf")))
        if not low <= value <= high:
            bounds = f"between {low} and {high}" if high != float("inf") else f"at least {low}"
            raise ConfigError(path, f"[{name}] {key} = {value!r} must be {bounds}")
    return cls(**values)
