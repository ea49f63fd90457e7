"""The narrator's own words, in the article's language: the disclosure and the opening of a byline.

Each language has a table, ``languages/<code>.toml``, with the sentence that
says the voices are synthetic (``disclosure``) and how a byline made from a
page's author reads (``byline``, with ``{name}``). A table is checked against
the schema of `Words` when it is loaded; a malformed one is a programming
error (ConfigError naming the file and line). podcast.toml may set the
disclosure per language (`disclosure_for`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from audiobuild.schema import check, constraints, dataclass_schema, from_table, read_toml

log = logging.getLogger("audiobuild")

LANGUAGES = Path(__file__).resolve().parent / "languages"
ANY_LANGUAGE = "*"  # the key of the configured text for languages with no text of their own


@dataclass(frozen=True)
class Words:
    """What the narrator says in one language, besides the article."""

    disclosure: str = field(metadata=constraints(pattern=r"\S"))
    byline: str = field(metadata=constraints(pattern=r"\{name\}", **{"x-messages": {"pattern": "must hold {{name}}"}}))


def words_for(language: str) -> Words | None:
    """The table of `language` (ISO 639-1, "en-GB" reads as "en"), or None when there is none."""
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return _load(code) if code.isalpha() and (LANGUAGES / f"{code}.toml").is_file() else None


@functools.cache
def _load(code: str) -> Words:
    return read_words(LANGUAGES / f"{code}.toml")


def read_words(path: Path) -> Words:
    """The narrator's table at `path`; ConfigError (file, line, key, problem) when it does not follow `Words`."""
    document, text = read_toml(path)
    check(document, dataclass_schema(Words, required=["disclosure", "byline"]), path, text)
    return from_table(Words, document)


def disclosure_for(language: str, configured: Mapping[str, str]) -> str:
    """The disclosure for an article in `language`.

    podcast.toml's text for that language first, then the language's table;
    for a language with neither, the configured text for any language (else
    English), with a warning that the narrator reads it in another language
    (no warning when the text is too short for its language to be known).
    """
    code = language.strip().lower().split("-")[0]
    if code in configured:
        return configured[code]
    words = words_for(code)
    if words:
        return words.disclosure
    fallback = configured.get(ANY_LANGUAGE) or _load("en").disclosure
    if code:  # too little text to tell its language: the podcast's own text, as for any article in it
        log.warning(
            "no disclosure in %r in podcast.toml ([podcast] disclosure) or audiobuild/parse/languages/: "
            "the narrator reads %r",
            code,
            fallback,
        )
    return fallback


def byline_for(language: str, name: str) -> str:
    """A byline for a page's author, in `language` (English for a language with no table)."""
    words = words_for(language) or _load("en")
    return words.byline.format(name=name)
