"""Stage 2b: how each sentence is said, once its speaker's voice is known.

First the pronunciation lexicon (the profile's, then podcast.toml's), which may
put phonemes in the engine's own notation; then the language's text
normalisation ("Dr." before a name, years, amounts, Roman numerals, URLs),
which leaves those phonemes alone. The transcript keeps the article's text:
only the engine is given the spoken form.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from audiobuild.voice.pronounce.lexicon import Lexicon
from audiobuild.voice.pronounce.normalize import normalize

if TYPE_CHECKING:  # voices.py reads profiles' lexicons through this package
    from audiobuild.parse import Script
    from audiobuild.voice.profiles import Voice

__all__ = ["Lexicon", "normalize", "speech", "spoken"]


def spoken(sentence: str, language: str, engine: str, lexicon: Lexicon) -> str:
    """What `engine` is given to say `sentence`, an article's sentence in `language`."""
    # Only the lexicon may hand the engine [[phonemes]]: an article's own "[[citation needed]]" is text.
    as_text = sentence.replace("[[", "[ [").replace("]]", "] ]")
    said = normalize(lexicon.apply(as_text, engine), language)  # URLs are words by now
    return _LONG_WORD.sub(_split_word, said)


# A "word" this long is no word anyone says; espeak-ng 1.52 aborts (a buffer overflow) on one of 68 stacked "'s".
# Phonemes from the lexicon ([[...]]) are matched first, to be left alone.
_LONG_WORD = re.compile(r"\[\[.*?\]\]|[^\s\[\]]{41,}")


def _split_word(match: re.Match) -> str:
    """A long run of characters split where a reader would pause: at apostrophes and hyphens, else every 40.

    >>> _split_word(re.match(".*", "dog" + "'s" * 20))[:12]
    "dog 's 's 's"
    """
    if match.group().startswith("[["):
        return match.group()
    word = re.sub(r"(?=['’\-‐–—/])", " ", match.group())
    return " ".join(part if len(part) <= 40 else " ".join(re.findall(".{1,40}", part)) for part in word.split())


def speech(script: Script, voices: dict[str, Voice], lexicon: Lexicon) -> tuple[tuple[str, ...], ...]:
    """The spoken form of every sentence, per segment, each for the engine of its speaker's voice."""
    return tuple(
        tuple(
            spoken(sentence, script.language, voices[segment.speaker].engine, lexicon) for sentence in segment.sentences
        )
        for segment in script.segments
    )
