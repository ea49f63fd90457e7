"""Text utilities of the parser: spaces, inline markup, stage directions, sentences and the language."""

from __future__ import annotations

import html
import re

_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", _CONTROL.sub("", text).replace("\u00a0", " ")).strip()


def fold(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


# ---------------------------------------------------------------------------
# Stage directions and inline markup

# What a transcript puts in brackets for what is heard but not said: laughter, applause, interjections from
# the floor (parliaments), tape changes, the record's own notes; in the languages the parser knows.
_DIRECTION_WORDS = (
    r"laughter|laughs|laughing|chuckles|applause|inaudible|unintelligible|indiscernible|cross-?\s?talk|"
    r"off[- ]?mi(?:ke|c|crophone)|pause[sd]?|silence|sighs|coughs|music|interruption|interposing|soundbite|"
    r"audio (?:gap|cuts out|drops)|technical difficulties|recess|through (?:an )?interpreter|as interpreted|"
    r"via interpreter|speaks in|speaking in|(?:the )?(?:briefing|meeting|press conference|hearing|program) "
    r"(?:was |is )?(?:concluded|adjourned|ended|resumes?)|end of (?:briefing|transcript|excerpt|tape)|"
    r"(?:begin|start) of tape|(?:begin|end) tape|whereupon|off the record|on the record|"
    r"смех|смеется|смеётся|улыбается|аплодисменты|неразборчиво|пауза|шум в зале|оживление в зале|"
    r"heiterkeit|beifall|zuruf|zurufe|lachen|applaus|unruhe|"
    r"applaudissements|rires|exclamations|protestations|murmures|(?:la )?séance|"
    r"rumores|risas|aplausos|pausa|risa|murmullos|protestas|"
    r"risate|applausi|commenti|proteste|brusio|risos|aplausos|palmas|tumulto|śmiech|oklaski|brawa|"
    r"сміх|оплески|шум у залі|zustimmung|sehr richtig|sehr gut|widerspruch|"
    r"transl(?:ation|ated)|translator|interpreter"
)
# "(Laughter.)", "[Dan laughs]" (who, then what), "[??]" (a word the transcriber could not make out).
_DIRECTION = re.compile(
    rf"[(\[]\s*(?:(?:[A-ZÀ-ÖØ-Þ][\w'’\-]*\s+){{0,2}}(?:{_DIRECTION_WORDS})\b[^()\[\]]{{0,120}}|[?…]+\s*)[)\]]",
    re.IGNORECASE,
)
# A direction between sentences takes its own full stop along: "...vacío. (Rumores). Termino."
_DIRECTION_SENTENCE = re.compile(rf"(?<=[.!?…])(\s+){_DIRECTION.pattern}\.(?!\w)", re.IGNORECASE)


def directions_in(text: str) -> list[str]:
    """The stage directions in `text`, as written.

    >>> directions_in("Hey. It's fantastic [chuckles]. (Applause.)")
    ['[chuckles]', '(Applause.)']
    """
    return [match.group(0) for match in _DIRECTION.finditer(text)]


def spoken_text(text: str) -> str:
    """`text` without its stage directions, which are shown in transcripts but not read.

    >>> spoken_text("Thank you. (Laughter.) Next question.")
    'Thank you. Next question.'
    """
    text = _DIRECTION.sub(" ", _DIRECTION_SENTENCE.sub(" ", text))
    return re.sub(r"\s+([.,])", r"\1", normalise_space(text))


# A note in capitals, alone in its brackets: "(INICIA VIDEO)", "[END OF TAPE]".
_CAPITAL_NOTE = re.compile(r"^[(\[][^\W\d_a-zà-ÿа-яё][^a-zà-ÿа-яё()\[\]]{2,60}[)\]]\.?$")


def is_direction(text: str) -> bool:
    """A paragraph that is only stage directions, or a note of the record's in capitals."""
    return (bool(_DIRECTION.search(text)) and not spoken_text(text)) or bool(_CAPITAL_NOTE.match(text.strip()))


_INLINE_MARKUP = [
    (re.compile(r"\{%.{0,300}?%\}|\{\{.{0,300}?\}\}"), ""),  # a template's tags (Jekyll, Liquid, Hugo)
    (re.compile(r"<!--.{0,2000}?-->|</?[A-Za-z][\w:-]*(?:\s[^<>]{0,500})?/?>"), ""),  # raw HTML: tags go, words stay
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # Markdown image
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # Markdown link: its words
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # a reference-style link: its words
    (re.compile(r"`([^`<]+?)\s*<[^<>`]+>`__?"), r"\1"),  # reStructuredText's link: its words
    (re.compile(r"\s*<https?://[^<>\s]+>`__?"), ""),  # the end of one whose words began on a line before
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__"), r"\1\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])|(?<!\w)_(?=\S)([^_]+?)(?<=\S)_(?!\w)"), r"\1\2"),
    (re.compile(r"`([^`]+)`"), r"\1"),  # code
]


# Markdown's backslash escapes: "\\[laughs\\]" is written for "[laughs]", "\\*" for a literal asterisk.
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<\"'])")


def strip_markup(text: str) -> str:
    """Markdown escapes undone; emphasis, links, code marks, raw HTML and template tags removed; the words stay.

    HTML entities are decoded: raw HTML inside Markdown is markup, never read.

    >>> strip_markup(r"It forgives anything, except \\*bleach\\*. \\[laughs\\]")
    'It forgives anything, except bleach. [laughs]'
    """
    text = _ESCAPE.sub(r"\1", text)
    for pattern, replacement in _INLINE_MARKUP:
        text = pattern.sub(replacement, text)
    return normalise_space(html.unescape(text) if "&" in text else text)


def ends_question(text: str) -> bool:
    return spoken_text(text).rstrip("\"'\u201d\u00bb)]*").endswith("?")


def has_question(text: str) -> bool:
    return "?" in spoken_text(text)


# Requests that ask as a question does: "Tell us about the storm.", "Расскажите про детей."
_REQUEST = re.compile(
    r"\b(?:tell (?:me|us|her|him|them|the \w+)|describe|explain|walk (?:me|us) through|talk (?:me |us )?about|"
    r"erzähl(?:en sie)?|beschreiben sie|erklären sie|racontez|décrivez|expliquez|parlez-nous|"
    r"cuént(?:e|enos|anos)|cuéntame|descríb(?:a|anos)|explíque(?:nos)?|háblenos|"
    r"расскажите|расскажи|опишите|объясните|"
    r"i (?:would like to|want to|'d like to) (?:ask|know)|my question|i wonder|je demande|ma question|"
    r"je voudrais savoir|meine frage|ich frage|ich möchte wissen|mi pregunta|le pregunto|"
    r"quisiera (?:saber|conocer|preguntar)|me gustaría saber|мой вопрос|вопрос к|хотел[аи]? бы (?:спросить|узнать))\b",
    re.IGNORECASE,
)


def asks(text: str) -> bool:
    """True when a turn asks something: a question mark, or a request to tell, describe or explain."""
    spoken = spoken_text(text)
    return "?" in spoken or bool(_REQUEST.search(spoken))


def ends_sentence(text: str) -> bool:
    return spoken_text(text).rstrip("\"'\u201d\u00bb)]*")[-1:] in (".", "!", "?", "\u2026")


# ---------------------------------------------------------------------------
# Language

# The most frequent words of the languages most articles here are in. When they
# make up a good part of a text, the language is plain without loading langid's
# model, which takes most of a second: more than a whole short build.
_COMMON_WORDS = {
    "en": frozenset("the and of to a in is that it was for on with as i you he be at by this have are not but".split()),
    "ru": frozenset("и в не на что я с он как а то это по но все она так его к из у за вы мы".split()),
}
_COMMON_SHARE = 0.25


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language `text` is written in, or "" when there is too little of it.

    >>> detect_language("The keeper of the light was at the top of the tower in the storm.")
    'en'
    """
    if sum(char.isalpha() for char in text) < 20:
        return ""
    words = re.findall(r"\w+", text.casefold())
    for language, common in _COMMON_WORDS.items():
        if sum(word in common for word in words) >= _COMMON_SHARE * len(words):
            return language
    import py3langid  # imported only here: loading its model takes most of a second

    return py3langid.classify(text)[0]


# ---------------------------------------------------------------------------
# Sentences

# Words whose trailing dot does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "mt", "jr", "sr", "gen", "col", "lt", "sgt", "capt",
    "gov", "sen", "rep", "rev", "hon", "pres", "no", "vs", "etc", "inc", "ltd", "co", "corp",
    "dept", "univ", "approx", "e.g", "i.e", "fig", "vol", "p", "pp", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "г", "гг", "т", "им", "ул",
}  # fmt: skip
_SENTENCE_END = re.compile(
    r"""(?<=[.!?\u2026])["'\u201d\u00bb)\]]*(?P<space>\s+)(?=["'\u201c\u00ab(\[]?[A-Z\u0400-\u04ff0-9])"""
)


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping abbreviations and initials whole.

    >>> split_sentences("Mr. Smith went to St. Petersburg. He stayed. J. R. Tolkien did too!")
    ['Mr. Smith went to St. Petersburg.', 'He stayed.', 'J. R. Tolkien did too!']
    """
    sentences: list[str] = []
    start = 0
    for boundary in _SENTENCE_END.finditer(text):
        sentence = text[start : boundary.start("space")]
        last_word = text[start : boundary.start()].rsplit(None, 1)[-1] if sentence.strip() else ""
        stem = last_word.rstrip(".").lstrip("(\"'\u201c\u00ab").casefold()
        if last_word.endswith(".") and (stem in _ABBREVIATIONS or (len(stem) == 1 and stem.isalpha())):
            continue
        sentences.append(sentence.strip())
        start = boundary.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [sentence for sentence in sentences if sentence]


def sentences_of(text: str, read_directions: bool = False) -> list[str]:
    """The sentences of a segment's `text` that are synthesized: without stage directions unless `read_directions`."""
    return split_sentences(text if read_directions else spoken_text(text))


# What a sentence or a clause ends with: a line ending in one is no heading.
_SENTENCE_PUNCTUATION = ".!?\u2026:;,\"'\u201d\u00bb)"


def heading_like(text: str) -> bool:
    """A short line with no closing punctuation: a heading in plain text."""
    return (
        len(text) <= 80
        and 1 <= len(text.split()) <= 10
        and text[-1] not in _SENTENCE_PUNCTUATION
        and (text[0].isupper() or text[0].isdigit())
        and any(char.isalpha() for char in text)
    )


def opens_quotation(text: str) -> bool:
    """True when `text` starts with an opening quotation mark, in any language's style."""
    return text[:1] in "“\"«„‘‹"
