"""Stage 2b: how each sentence is said, once its speaker's voice is known.

First the pronunciation lexicon (the profile's, then podcast.toml's), which may
put phonemes in the engine's own notation; then what no voice should read is
left out (`unspoken`: emoji, letters of a script the voices do not speak);
then the language's text normalisation ("Dr." before a name, years, dates,
amounts, Roman numerals, URLs), which leaves those phonemes alone. The
transcript keeps the article's text: only the engine is given the spoken form.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from audiobuild.voice.pronounce.lexicon import Lexicon

if TYPE_CHECKING:  # voices.py reads profiles' lexicons through this package
    from audiobuild.parse import Script
    from audiobuild.voice.profiles import Voice

__all__ = ["Lexicon", "speech", "spoken"]

log = logging.getLogger("audiobuild")


def spoken(sentence: str, language: str, engine: str, lexicon: Lexicon, dates: str | None = None) -> str:
    """What `engine` is given to say `sentence`, an article's sentence in `language`.

    `dates` is the article's order of dates in digits, as `normalize` takes it.
    """
    return _said(sentence, language, engine, lexicon, dates)[0]


def _said(sentence: str, language: str, engine: str, lexicon: Lexicon, dates: str | None) -> tuple[str, str]:
    """(what `engine` is given for `sentence`, the letters of scripts its voice does not speak that were left out)."""
    # Here, not at the top: podcast.toml's lexicon is read through this package, and reading it (a rebuild
    # with nothing to do, `serve`) needs none of the normalisation's rules nor num2words.
    from audiobuild.voice.pronounce.normalize import normalize, outside_phonemes
    from audiobuild.voice.pronounce.unspoken import foreign_letters, leave_out

    # Only the lexicon may hand the engine [[phonemes]]: an article's own "[[citation needed]]" is text.
    as_text = lexicon.apply(sentence.replace("[[", "[ [").replace("]]", "] ]"), engine)
    text_parts: list[str] = []  # the text between the lexicon's phonemes, whose IPA is no foreign script
    kept = outside_phonemes(as_text, lambda part: text_parts.append(part) or leave_out(part, language))
    said = normalize(kept, language, dates)  # URLs are words by now
    return _LONG_WORD.sub(_split_word, said), foreign_letters(" ".join(text_parts), language)


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
    """The spoken form of every sentence, per segment, each for the engine of its speaker's voice.

    Letters of a script the voices do not speak are left out with one
    warning for the article, naming the first sentence that has them. Dates
    in digits that could be read either way follow the article's others
    ("14/03/2022" makes "03/04/2022" the third of April).
    """
    from audiobuild.voice.pronounce.numbers import date_order  # as in `_said`

    dates = date_order([sentence for segment in script.segments for sentence in segment.sentences])
    said = [
        [_said(sentence, script.language, voices[segment.speaker].engine, lexicon, dates)
         for sentence in segment.sentences]
        for segment in script.segments
    ]  # fmt: skip
    foreign = [(sentence, left_out) for segment, forms in zip(script.segments, said, strict=True)
               for sentence, (_, left_out) in zip(segment.sentences, forms, strict=True) if left_out]  # fmt: skip
    if foreign:
        more = f" and {len(foreign) - 1} more sentence{'s' * (len(foreign) > 2)}" if len(foreign) > 1 else ""
        letters = "".join(dict.fromkeys("".join(letters for _, letters in foreign)))[:20]
        log.warning("%s: %r's voices cannot speak “%s”: left out of speech in “%s”%s (the transcript keeps them; "
                    "a [lexicon] entry can respell them)", script.source, script.language or "en", letters,
                    foreign[0][0], more)  # fmt: skip
    return tuple(tuple(form for form, _ in forms) for forms in said)
