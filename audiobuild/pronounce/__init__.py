"""Stage 2b: how each sentence is said, once its speaker's voice is known.

First the pronunciation lexicon (the profile's, then podcast.toml's), which may
put phonemes in the engine's own notation; then the language's text
normalisation ("Dr." before a name, years, amounts, Roman numerals, URLs),
which leaves those phonemes alone. The transcript keeps the article's text:
only the engine is given the spoken form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from audiobuild.pronounce.lexicon import Lexicon
from audiobuild.pronounce.normalize import normalize

if TYPE_CHECKING:  # voices.py reads profiles' lexicons through this package
    from audiobuild.parse import Script
    from audiobuild.voices import Voice

__all__ = ["Lexicon", "normalize", "speech", "spoken"]


def spoken(sentence: str, language: str, engine: str, lexicon: Lexicon) -> str:
    """What `engine` is given to say `sentence`, an article's sentence in `language`."""
    # Only the lexicon may hand the engine [[phonemes]]: an article's own "[[citation needed]]" is text.
    as_text = sentence.replace("[[", "[ [").replace("]]", "] ]")
    return normalize(lexicon.apply(as_text, engine), language)


def speech(script: Script, voices: dict[str, Voice], lexicon: Lexicon) -> tuple[tuple[str, ...], ...]:
    """The spoken form of every sentence, per segment, each for the engine of its speaker's voice."""
    return tuple(
        tuple(
            spoken(sentence, script.language, voices[segment.speaker].engine, lexicon) for sentence in segment.sentences
        )
        for segment in script.segments
    )
