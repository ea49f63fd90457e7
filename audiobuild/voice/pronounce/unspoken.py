"""What no voice is given to read: emoji, and the letters of a script the article's voices do not speak.

espeak-ng, and Piper, which phonemizes with it, read an emoji by its name
("What was the best month? 🤔": "... thinking face") and a letter of a script
their voice for the language lacks by the script's name, once per character
("茶": "Chinese letter"; espeak-ng/espeak-ng#1851); Greek, Cyrillic or Arabic
inside an English sentence come out as letter names. hibari drops them
silently. So both are left out of what the engine is given (`leave_out`), and
the transcript keeps the article's text.

A language speaks its own scripts (`SCRIPTS`) and Latin, which every voice
reads; a language without an entry (English, German...) speaks Latin only.
A word the lexicon respells ("東京" = "Tokyo") is said, as the lexicon runs first.
"""

from __future__ import annotations

import re
import unicodedata

# The scripts whose letters a voice of another language reads as letter names, by the first word of the
# letters' Unicode names ("CJK UNIFIED IDEOGRAPH-8336", "HIRAGANA LETTER TO", "KATAKANA-HIRAGANA ...").
_SCRIPT_NAMES = {
    "CJK": "Han", "IDEOGRAPHIC": "Han", "HIRAGANA": "Hiragana", "KATAKANA": "Katakana", "HALFWIDTH": "Katakana",
    "BOPOMOFO": "Bopomofo", "HANGUL": "Hangul", "CYRILLIC": "Cyrillic", "GREEK": "Greek", "COPTIC": "Greek",
    "ARABIC": "Arabic", "HEBREW": "Hebrew", "SYRIAC": "Syriac", "THAANA": "Thaana", "THAI": "Thai", "LAO": "Lao",
    "KHMER": "Khmer", "MYANMAR": "Myanmar", "TIBETAN": "Tibetan", "DEVANAGARI": "Devanagari", "BENGALI": "Bengali",
    "GURMUKHI": "Gurmukhi", "GUJARATI": "Gujarati", "ORIYA": "Oriya", "TAMIL": "Tamil", "TELUGU": "Telugu",
    "KANNADA": "Kannada", "MALAYALAM": "Malayalam", "SINHALA": "Sinhala", "GEORGIAN": "Georgian",
    "ARMENIAN": "Armenian", "ETHIOPIC": "Ethiopic", "MONGOLIAN": "Mongolian",
}  # fmt: skip
# The scripts of each language (ISO 639-1) besides Latin.
SCRIPTS = {
    **dict.fromkeys(("ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "tg", "mn", "tt", "ba", "cv"), {"Cyrillic"}),
    "el": {"Greek"}, "hy": {"Armenian"}, "ka": {"Georgian"}, "am": {"Ethiopic"}, "ti": {"Ethiopic"},
    **dict.fromkeys(("ar", "fa", "ur", "ps", "ug", "sd", "ku"), {"Arabic"}), "he": {"Hebrew"}, "yi": {"Hebrew"},
    "zh": {"Han", "Bopomofo"}, "ja": {"Han", "Hiragana", "Katakana"}, "ko": {"Hangul", "Han"},
    "th": {"Thai"}, "lo": {"Lao"}, "km": {"Khmer"}, "my": {"Myanmar"}, "bo": {"Tibetan"},
    **dict.fromkeys(("hi", "mr", "ne", "sa"), {"Devanagari"}), "bn": {"Bengali"}, "as": {"Bengali"},
    "pa": {"Gurmukhi"}, "gu": {"Gujarati"}, "or": {"Oriya"}, "ta": {"Tamil"}, "te": {"Telugu"},
    "kn": {"Kannada"}, "ml": {"Malayalam"}, "si": {"Sinhala"}, "dv": {"Thaana"},
}  # fmt: skip

# Emoji and what builds them: pictographs, the symbols and dingbats that have emoji forms, the variation
# selectors, the zero-width joiner, keycaps and tag characters (flags of regions).
EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\u2190-\u21ff"
    "\ufe0e\ufe0f\u200d\u20e3\U000e0020-\U000e007f]+"
)
# What removing a word leaves behind: doubled spaces, a space before punctuation, empty brackets and quotes.
_EMPTY_PAIRS = re.compile(r"\(\s*\)|\[\s*\]|（\s*）|「\s*」|『\s*』|“\s*”|‘\s*’|„\s*“|‚\s*‘|«\s*»|»\s*«|\"\s*\"")
_STRAY_COMMAS = re.compile(r"(?:^\s*|(?:\s*[,;])+(?=\s*[,;:.!?…]))[,;]*")  # "and, , ,: hello": "and: hello"
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+(?=[.,;:!?…)»”])")  # not "]": "] ]" must never become "]]"


def script_of(char: str) -> str | None:
    """The script of a letter or mark, when it is one of `_SCRIPT_NAMES`' (else None: Latin, digits, punctuation).

    >>> script_of("茶"), script_of("к"), script_of("é"), script_of("。")
    ('Han', 'Cyrillic', None, None)
    """
    category = unicodedata.category(char)
    if not (category[0] in "LM" or category == "Nl"):
        return None
    first = re.split(r"[\s-]", unicodedata.name(char, ""), maxsplit=1)[0]
    return _SCRIPT_NAMES.get(first)


def foreign_letters(text: str, language: str) -> str:
    """The letters of `text` (in order, each once) of a script that `language`'s voices do not speak."""
    spoken = SCRIPTS.get(language.split("-")[0].lower(), set())
    return "".join(dict.fromkeys(char for char in text if (script_of(char) or "Latin") not in spoken | {"Latin"}))


def leave_out(text: str, language: str) -> str:
    """`text` without emoji and without the letters of scripts `language`'s voices do not speak, spaces tidied.

    >>> leave_out("What was the best month? 🤔", "en"), leave_out("Tea (茶) is good.", "en")
    ('What was the best month?', 'Tea is good.')
    """
    foreign = foreign_letters(text, language)
    kept = EMOJI.sub(" ", "".join(" " if char in foreign else char for char in text) if foreign else text)
    if kept == text:
        return text
    while (tidied := _EMPTY_PAIRS.sub(" ", kept)) != kept:
        kept = tidied
    kept = _STRAY_COMMAS.sub("", _SPACE_BEFORE_PUNCTUATION.sub("", re.sub(r"[ \t]{2,}", " ", kept)))
    return kept.strip()
