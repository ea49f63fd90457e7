"""A pronunciation lexicon: words and phrases the engines say wrong, and how to say them.

A `[lexicon]` table, in a voice profile or in podcast.toml (which wins)::

    [lexicon]
    "Lindqvist" = "Lindkvist"                 # a respelling, for every engine
    "Skarvholm" = { say = "Skarv-hollm", pyttsx3 = "sk'A:vh0lm", piper = "skˈɑːɹvhɔlm" }

A table gives phonemes per engine, in that engine's notation (`audiobuild
voices` says which), and `say`, a respelling for the engines it does not name.

Matching is whole-word and case-aware: a key with a capital ("Nice", the
city) matches only as written or in capitals; a lowercase key ("gif")
matches in any case. Longer keys win over shorter ones they contain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from audiobuild.schema import check


@dataclass(frozen=True)
class Pronunciation:
    """How one word or phrase is said."""

    key: str
    say: str | None = None  # a respelling, for every engine without phonemes here
    phonemes: tuple[tuple[str, str], ...] = ()  # (engine, phonemes in its notation)

    def for_engine(self, engine: str) -> str | None:
        """What `engine` is given in place of the key: [[phonemes]], a respelling, or None (the key itself)."""
        for name, phonemes in self.phonemes:
            if name == engine:
                return f"[[{phonemes}]]"
        return self.say


@dataclass(frozen=True)
class Lexicon:
    """Pronunciations by key; apply() rewrites a sentence for one engine."""

    entries: tuple[Pronunciation, ...] = ()
    _pattern: re.Pattern | None = field(default=None, init=False, repr=False, compare=False)
    _by_form: dict[str, Pronunciation] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.entries:
            return
        keys = sorted((entry.key for entry in self.entries), key=len, reverse=True)
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(_key_pattern, keys)) + r")(?!\w)")
        object.__setattr__(self, "_pattern", pattern)
        # The forms a match can take; later ones win: the key as written, then a capitalised key's capitals
        # ("NICE" is the city even beside "nice"), then a lowercase key in any case.
        words, names = [e for e in self.entries if e.key.islower()], [e for e in self.entries if not e.key.islower()]
        forms = [(entry.key.casefold(), entry) for entry in words] + [(entry.key.upper(), entry) for entry in words]
        forms += [(entry.key.upper(), entry) for entry in names] + [(entry.key, entry) for entry in self.entries]
        self._by_form.update(forms)

    @classmethod
    def from_table(cls, path: Path, table: object, engines: Iterable[str], text: str | None = None) -> Lexicon:
        """A lexicon from a TOML `[lexicon]` table, or ConfigError naming the key at fault.

        `engines` are the engine names a table may give phonemes for; `text` is
        the file's text, for the line of a mistake.
        """
        check({"lexicon": table}, {"type": "object", "properties": {"lexicon": schema(engines)}}, path, text)
        entries = []
        for key, value in table.items():
            value = {"say": value} if isinstance(value, str) else value
            phonemes = tuple((name, phonemes.strip()) for name, phonemes in value.items() if name != "say")
            entries.append(Pronunciation(" ".join(key.split()), value.get("say"), phonemes))
        return cls(tuple(entries))

    def merged(self, overrides: Lexicon) -> Lexicon:
        """This lexicon with `overrides`' entries in place of its own for the same keys."""
        replaced = {entry.key for entry in overrides.entries}
        return Lexicon(tuple(entry for entry in self.entries if entry.key not in replaced) + overrides.entries)

    def apply(self, text: str, engine: str) -> str:
        """`text` with every known word or phrase replaced by what `engine` should be given."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda match: self._replacement(match.group(), engine), text)

    def _replacement(self, found: str, engine: str) -> str:
        spaced = " ".join(found.split())
        entry = self._by_form.get(spaced) or self._by_form.get(spaced.upper()) or self._by_form.get(spaced.casefold())
        return (entry.for_engine(engine) if entry else None) or found


def schema(engines: Iterable[str]) -> dict:
    """The JSON Schema of a `[lexicon]` table whose phonemes may be for `engines`."""
    allowed = ("say", *engines)
    text = {"type": "string", "pattern": r"\S", "x-messages": {"pattern": "must be a non-empty string"}}
    wrong = f"must be a respelling or a table of {', '.join(allowed)}"
    entry = {
        "type": "object", "properties": dict.fromkeys(allowed, text), "additionalProperties": False, "minProperties": 1,
        "x-messages": dict.fromkeys(("type", "minProperties"), wrong),
    }  # fmt: skip
    return {
        "type": "object",
        "additionalProperties": {"if": {"type": "string"}, "then": text, "else": entry},
        "propertyNames": {"pattern": r"\w"},
        "x-messages": {"type": "must be a table of word = respelling", "propertyNames": "has no word to match"},
    }


def _key_pattern(key: str) -> str:
    """The regex for one key: its words separated by any whitespace; any case if it is all lowercase."""

    def spaced(text: str) -> str:
        return r"\s+".join(re.escape(word) for word in text.split())

    if key.islower():
        return f"(?i:{spaced(key)})"
    return f"{spaced(key)}|{spaced(key.upper())}" if key.upper() != key else spaced(key)
