"""Speaker labels: what the opening of a paragraph says about who is speaking, in every shape transcripts use.

A label is a name, a role or an office, in any case (``MS. SMITH``, ``Jane
Roe``, ``Mr. HALLORAN``, ``The CHAIRMAN``, ``А.Лемешев``, ``Q``), perhaps with
a descriptor in brackets or after a comma (``(Caller)``, ``, host``,
``, Bundesminister für Verkehr``), a time stamp (``[00:01:12]``, ``(00:01:12)``,
``0:12``) or a question number (``Q3``), and then a separator: a colon, ``:-``,
a full stop, ``.-``, a dash, or spaces (``Q    Good afternoon``). It may also
stand alone on its line (``**Jane Roe**``, ``M. LE MAIRE``, ``Jane Doe  0:12``),
with the turn's text below. This module reads one paragraph; whether a label
is really a speaker's is decided by `layouts`, over the whole text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from audiobuild.parse.furniture import STAMP
from audiobuild.parse.text import ends_question, spoken_text
from audiobuild.parse.vocab import (
    GENERIC_SPEAKERS,
    HONORIFICS,
    KEPT_TITLES,
    LABEL_ARTICLES,
    NOT_SPEAKERS,
    OFFICES,
    PARTICLES,
    ROLE_MARKERS,
    ROLE_WORDS,
    SENTENCE_WORDS,
)

# Separators, as `Label.separator` names them; LINE: a label alone on its line, with no separator; BRACKETS: a
# label in square brackets ("[Speaker 2]").
COLON, COLON_DASH, FULL_STOP, DASH, STOP_DASH, SPACES, LINE = ":", ":-", ".", "-", ".-", "spaces", "line"
# A person's initials as a label uses them: "AD", "OW", "ЕК" (two or three capitals, Latin or Cyrillic).
INITIALS = r"[A-ZА-ЯЁ]{2,3}"
BRACKETS = "[]"


@dataclass(frozen=True)
class Label:
    """A speaker label read from the opening of a paragraph."""

    text: str  # the label as written, without markup, time stamp or separator
    name: str  # the label without its descriptor: "Dr. ISIDORE FENWICK-HALE"
    descriptor: str  # in brackets or after a comma: "Director, Meadowbrook Bird Observatory", "host", ""
    separator: str  # COLON, COLON_DASH, FULL_STOP, DASH, STOP_DASH, SPACES or LINE
    rest: str  # the turn's first words after the label ("" when the label is alone on its line)
    own_line: bool  # alone on its line, the turn's text below
    shape: str  # "role" (Q, Speaker 2), "caps" (MS. ROE, The CHAIRMAN) or "title" (Jane Roe)
    bold: bool = False
    stamped: bool = False  # a time stamp came with it
    numbered: bool = False  # a question number came before it ("Q3 Jane Roe:")

    @property
    def style(self) -> str:
        """What the labels of one transcript share: their separator, and whether they are bold."""
        return f"{self.separator}{'*' if self.bold else ''}"


_STAMP_PREFIX = re.compile(rf"^[\[(]?{STAMP}[\])]?\s+(?=\S)")
_STAMP_ALONE = re.compile(rf"^[\[(]?{STAMP}[\])]?\s*$")  # "[Speaker 1] [00:00:04]" and the turn below
_STAMP_SUFFIX = re.compile(rf"\s*(?:\(\s*{STAMP}\s*\)|\[\s*{STAMP}\s*\]|\s{STAMP})\s*(?=:?$)")
# A question's number in a committee's or a parliament's record: "Q3 ", "Q6. ", "Q3. [84314] ", "T1. ".
_NUMBER_PREFIX = re.compile(r"^[QT]\d{1,4}\.?\s+(?:\[\d+\]\s+)?(?=[^\W\d])")
_BOLD = re.compile(r"^(\*\*|__)(?P<inner>[^*_]{1,150}?)\1\s*(?P<after>[:.]?)\s*(?P<rest>.*)$")
_BRACKETED = re.compile(r"^\[(?P<name>[^\[\]\d:][^\[\]:]{0,60})\]\s+(?P<rest>\S.*)$")
_BOLD_PARAGRAPH = re.compile(r"^(\*\*|__)(?P<inner>[^*_]+?)\1$", re.DOTALL)
_OWN_LINE = re.compile(r"^(?P<label>[^:?!]{1,150}?)\s*(?P<colon>:)?$")
_INLINE = [
    # A colon in brackets is the descriptor's: 'Mr. BILL MOYERS (Author, "Journal: The Conversation"): Thanks'
    (
        COLON,
        re.compile(
            r"^(?P<label>(?:[^:?!(\[]|\([^()]{0,120}\)|\[[^\[\]]{0,120}\]){1,150}?)\s*(?::-|:|：)(?:\s+|$)"
            r"(?P<rest>.*)$"
        ),
    ),
    (STOP_DASH, re.compile(r"^(?P<label>[^?!]{1,150}?)\s?\.(?:[-–]\s*|\s[-–]\s+)(?P<rest>\S.*)$")),  # ".-", ". - "
    # A dash in brackets is the descriptor's: "O SR. PRESIDENTE (Humberto Costa. Bloco .../PT - PE) - Bom dia".
    (DASH, re.compile(r"^(?P<label>(?:[^?!(]|\([^()]{0,160}\)){1,220}?)\s+[-–—]\s+(?P<rest>\S.*)$")),
]
_SPACES = re.compile(r"^(?P<label>[QAPRqa])(?:[ \t]{2,}|\s*\u00a0\s*|\t)\s*(?P<rest>\S.*)$")
# An outlet that labels its questions with its web address: "fluter.de:".
_DOMAIN_WORD = r"[^\W\d_][\w\-]*\.(?:com|org|net|de|at|ch|fr|es|it|pl|ru|ua|uk|eu|info|news|io)"
OUTLET_ADDRESS = re.compile(rf"^{_DOMAIN_WORD}$")
_TOKEN = re.compile(
    rf"^(?:[^\W\d_][\w'’\-]*\.?|[^\W\d_]\.[^\W\d_][\w'’\-]*|(?:[^\W\d_]\.){{2,4}}|\d{{1,3}}|&|{_DOMAIN_WORD})$"
)  # a word, "А.Лемешев", "L.A." (an initialism), a number, "&", an outlet's address


def read_label(text: str, raw: str = "") -> Label | None:
    """The speaker label that opens a paragraph, or None. `raw` is its first line as written (for its spacing)."""
    stamped = numbered = False
    stamp = _STAMP_PREFIX.match(text)
    if stamp:
        text, stamped = text[stamp.end() :], True
    number = _NUMBER_PREFIX.match(text)
    if number:
        text, numbered = text[number.end() :], True
    bracketed = _BRACKETED.match(text)
    # "[Speaker 2] [12:04] Right, so...": a transcription service's label in brackets; "[Applause] ..." is no one's.
    if bracketed and spoken_text(bracketed.group(0)[: bracketed.end("name") + 1]):
        stamp = _STAMP_PREFIX.match(bracketed.group("rest")) or _STAMP_ALONE.match(bracketed.group("rest"))
        rest = bracketed.group("rest")[stamp.end() :] if stamp else bracketed.group("rest")
        label = _label(bracketed.group("name"), BRACKETS, rest, stamped or bool(stamp), numbered)
        if label:
            return label
    bold = _BOLD.match(text)
    wrapped = _BOLD_PARAGRAPH.match(text)
    if wrapped and ": " in wrapped.group("inner"):  # "**fluter.de: In Südkorea ...?**": bold, opening with its label
        inner = read_label(wrapped.group("inner"))
        # A short one only when it asks: "**Iranischer Angriff auf Israel: «...»**" is a headline.
        if inner and not inner.own_line and (len(wrapped.group("inner")) > 150 or ends_question(inner.rest)):
            return replace(inner, bold=True, stamped=inner.stamped or stamped)
        if not bold:
            return None
    if bold:
        inner, rest = bold.group("inner").strip(), bold.group("rest")
        colon = inner.endswith(":") or bold.group("after") == ":"
        inner = inner.rstrip(": ")
        if colon:
            return _label(inner, COLON, rest, stamped, numbered, own_line=not rest, bold=True)
        if rest and re.fullmatch(INITIALS, inner):  # "**AD** She was all in.": initials, no colon
            return _label(inner, SPACES, rest, stamped, numbered, bold=True)
        return _label(inner, LINE, "", stamped, numbered, own_line=True, bold=True) if not rest else None
    spaces = _SPACES.match(raw.strip()) if raw else None
    if spaces and text.startswith(spaces.group("label")):
        return _label(spaces.group("label").upper(), SPACES, text[1:].strip(), stamped, numbered)
    unstamped = _STAMP_SUFFIX.sub("", text)
    own = _OWN_LINE.match(unstamped)
    if own and not _ends_a_sentence(own.group("label")) and not _sentence_inside(own.group("label")):
        stamped = stamped or unstamped != text
        separator = COLON if own.group("colon") else LINE
        label = _label(own.group("label"), separator, "", stamped, numbered, own_line=True)
        if label:
            return label
    for separator, pattern in _INLINE:
        match = pattern.match(text)
        if match:
            label_text = _STAMP_SUFFIX.sub("", match.group("label"))
            if separator == COLON and text[match.end("label") :].lstrip().startswith(":-"):
                separator = COLON_DASH
            label = _label(label_text, separator, match.group("rest"), stamped or label_text != match.group("label"),
                           numbered)  # fmt: skip
            if label:
                return label
    initials = _SURNAME_INITIALS.match(text)
    if initials:
        label = _label(initials.group("label"), FULL_STOP, initials.group("rest"), stamped, numbered)
        if label:
            return label
    return _full_stop_label(text, stamped, numbered)


# A stenogram's label: the surname in capitals and the initials, no other separator ("ГНАТЮК А.В. Доброго дня").
_CAPITAL = "A-ZА-ЯЁІЇЄҐ"
_SURNAME_INITIALS = re.compile(
    rf"^(?P<label>[{_CAPITAL}][{_CAPITAL}'’\-]+\s+[{_CAPITAL}]\.\s?[{_CAPITAL}]\.)\s+(?P<rest>\S.*)$"
)


def _sentence_inside(text: str) -> bool:
    """ "Thank you. Bye" has a sentence's end inside it; "Mr. W. Hamilton" has abbreviations."""
    words = text.split()[:-1]
    return any(word.endswith(";") or (word.endswith(".") and _ends_a_sentence(word)) for word in words)


def _ends_a_sentence(text: str) -> bool:
    """ "Never." ends a sentence; "Mr." and "T." do not."""
    last = text.split()[-1] if text.split() else ""
    initials = re.fullmatch(r"(?:[^\W\d_]\.){2,3}", last)  # "А.В.", "J.R."
    return last.endswith(".") and len(last) > 2 and _plain(last) not in HONORIFICS | KEPT_TITLES and not initials


def _full_stop_label(text: str, stamped: bool, numbered: bool) -> Label | None:
    """A label ended by a full stop ("Mr. HALLORAN. Thank you", "Mme la présidente. La séance..."), or None.

    The stop of an abbreviation or an initial ("M.", "Dr.", "T.") does not end it. Only a label that cannot
    be a sentence's first words counts: a role, a name in capitals, or one with a courtesy word or office.
    """
    for stop in re.finditer(r"\.\s+(?=\S)", text[:160]):
        head = text[: stop.start()]
        last = head.split()[-1] if head.split() else ""
        abbreviation = len(last.rstrip(".")) == 1 or "." in last or _plain(last) in HONORIFICS | KEPT_TITLES
        if _plain(head) not in ROLE_MARKERS and abbreviation:
            continue
        label = _label(head, FULL_STOP, text[stop.end() :], stamped, numbered)
        if label is None or (label.descriptor and not _function(label.descriptor)):
            return None  # "Señor Sagasti, el plan respeta...": someone addressed, then a sentence
        tokens = [_plain(token) for token in label.name.split()]
        marked = tokens[0] in LABEL_ARTICLES or any(token in HONORIFICS | KEPT_TITLES | OFFICES for token in tokens)
        return label if label.shape in ("role", "caps") or marked else None
    return None


def _function(descriptor: str) -> bool:
    """A descriptor that says what someone is: "ministre de la santé", "Director, ...", "52, runs the shop"."""
    first = descriptor.split()[0]
    return first[0].isupper() or first[0].isdigit() or _plain(first) in OFFICES | ROLE_WORDS.keys()


def _label(
    text: str, separator: str, rest: str, stamped: bool, numbered: bool, own_line: bool = False, bold: bool = False
) -> Label | None:
    text = text.strip(" *_")
    stamp = _STAMP_PREFIX.match(rest)  # "Jonah Pryce: (00:16) Thanks for having me."
    if stamp:
        rest, stamped = rest[stamp.end() :], True
    own_line = own_line or not rest.strip()  # "Sekretarz stanu ... Tomasz Wróbel:" and nothing after it
    if own_line and re.search(r"[?!]", text):
        return None
    if _ends_a_sentence(text) and not (separator in (COLON, COLON_DASH) and len(text.split()) == 1):
        return None  # "Never.": a sentence; "Корр.:", "Int.:" are abbreviated labels
    shaped = name_shape(text, described=separator in (COLON, COLON_DASH, DASH))
    if shaped is None:
        return None
    name, descriptor, shape = shaped
    counted = re.fullmatch(r"(?P<role>[^\W\d_]+)\s*\d{1,3}", name)  # "Frage 1:", "Question 3:": a numbered role
    if counted and _plain(counted["role"]) in ROLE_MARKERS:
        text, name, shape, numbered = counted["role"], counted["role"], "role", True
    bracketed = bool(re.search(r"[(\[]", text))
    if bracketed and re.search(r"[.!?]\s+\S", text[text.rfind(")") + 1 :]):
        return None  # "FANTINATI (M5S). Vorrei capire ... propri: ...": a label, then sentences up to a colon
    if own_line and descriptor and not spoken_text(f"({descriptor})"):
        return None  # "Q (Inaudible.)": a turn that is a stage direction, not a label alone on its line
    if descriptor and not bracketed:
        if separator == COLON and len(descriptor.split()) > 8:
            return None  # "Angenommen, Deutschland folgt dem Vorbild ... und entwickelt Apps: ...": a clause
        if all(_plain(word) in HONORIFICS | OFFICES | LABEL_ARTICLES | PARTICLES for word in name.split()):
            return None  # "Herr Minister, in meinem Wahlkreis...": an address to someone, not a label
        # "Parl. Staatssekretär": a stop before an office abbreviates the office's first word.
        stops = [match for match in re.finditer(r"[.;]\s+([^\W\d_][\w-]*)", descriptor)
                 if match[0][0] == ";" or _plain(match[1]) not in OFFICES]  # fmt: skip
        if re.search(r"[?!]", descriptor) or stops or {_plain(word) for word in descriptor.split()} & SENTENCE_WORDS:
            return None  # "Konstantin, vielen Dank. Und Ihnen:", "Dr. Haddad, you said": sentences, not functions
    if own_line and separator == LINE and shape != "role" and len(name.split()) > 6:
        return None  # a line of seven words or more is a heading; with a colon, an office may be that long
    return Label(text, name, descriptor, separator, rest.strip(), own_line, shape, bold, stamped, numbered)


def name_shape(label: str, described: bool = True) -> tuple[str, str, str] | None:
    """(name, descriptor, shape) of a label that reads as a speaker's, or None for words that are no one's.

    `described`: a lowercase description may come before the name ("Evening show host Jane Smith:").

    >>> name_shape("Dr. ISIDORE FENWICK-HALE (Director, Meadowbrook Bird Observatory)")
    ('Dr. ISIDORE FENWICK-HALE', 'Director, Meadowbrook Bird Observatory', 'caps')
    >>> name_shape("Mme la présidente"), name_shape("Update"), name_shape("The river")
    (('Mme la présidente', '', 'title'), None, None)
    """
    name, descriptor = _split_descriptor(label.strip())
    tokens = name.split()
    if not 1 <= len(tokens) <= 8 or len(name) > 90 or not all(_TOKEN.match(token) for token in tokens):
        return None
    plain = [_plain(token) for token in tokens]
    if len(tokens) == 1 and OUTLET_ADDRESS.match(tokens[0]):
        return name, descriptor, "title"
    if plain[0] in NOT_SPEAKERS or not tokens[0][0].isupper():
        return None
    if any(token.isdigit() for token in tokens[:-1]) or (tokens[-1].isdigit() and len(tokens) == 1):
        return None
    if plain[0] in GENERIC_SPEAKERS and len(tokens) == 1:
        return None  # "Speakers: ...", "Sprecher: StS Seibert, ...": a list of who speaks; "Speaker 2" is one
    if " ".join(plain) in ROLE_MARKERS or plain[0] in GENERIC_SPEAKERS:
        return name, descriptor, "role"
    if len(tokens) == 1 and len(plain[0]) == 1:
        return None  # a lone letter other than Q, A... ("I: Dame Philippa ...") is a numbering
    if not _capitalised(tokens, plain, described):
        return None
    core = [token for token, word in zip(tokens, plain) if word not in HONORIFICS | KEPT_TITLES | LABEL_ARTICLES]
    if core and " ".join(_plain(token) for token in core) in ROLE_MARKERS:
        return name, descriptor, "role"
    # The shape is the name's: "Senator OYELARAN" is in capitals; "The CHAIRMAN", all office, is too.
    named = [token for token in core if _plain(token) not in OFFICES] or core
    letters = [char for token in named for char in token if char.isalpha()]
    shape = "caps" if len(letters) >= 2 and all(char.isupper() for char in letters) else "title"
    return name, descriptor, shape


def _split_descriptor(label: str) -> tuple[str, str]:
    """ "MARCUS (Caller)" -> ("MARCUS", "Caller"); "GRETCHEN ALBRIGHT, host" -> ("GRETCHEN ALBRIGHT", "host")."""
    bracket = re.match(r"^(?P<name>[^(\[]*?)\s*[(\[](?P<inside>[^)\]]*)[)\]]\s*(?P<after>.*)$", label)
    if bracket and bracket.group("name"):
        after = bracket.group("after").strip(" ,")
        return bracket.group("name"), ", ".join(part for part in (bracket.group("inside").strip(), after) if part)
    if "," in label:
        name, descriptor = label.split(",", 1)
        return name.strip(), descriptor.strip()
    return label, ""


def _capitalised(tokens: list[str], plain: list[str], described: bool) -> bool:
    """True when every word is capitalised, a particle, a courtesy word or an office after an article.

    A lowercase description may come before the name: "Evening show host Jane Smith".
    """
    lower = [index for index, (token, word) in enumerate(zip(tokens, plain))
             if not (token[0].isupper() or token[0].isdigit() or word in PARTICLES or token == "&")]  # fmt: skip
    if not lower:
        return True
    opened = plain[0] in HONORIFICS | LABEL_ARTICLES or plain[:1] == ["the"]
    if opened and all(plain[index] in OFFICES | ROLE_WORDS.keys() | PARTICLES | HONORIFICS for index in lower):
        return True  # "Mme la présidente", "M. le ministre"
    return described and len(tokens) - max(lower) - 1 >= 2


def _plain(token: str) -> str:
    """A word as the vocabulary lists it: case-folded, without a trailing full stop or possessive."""
    return token.casefold().rstrip(".").removesuffix("'s").removesuffix("’s")


def label_key(name: str) -> frozenset[str]:
    """What identifies a person across labels: their words, without courtesy words, particles and initials.

    "MS. JANE ROE", "Jane Roe" and "ROE" share "roe"; "А.Лемешев" is "лемешев".
    """
    words = [_plain(word) for word in re.split(r"[\s.]+", name) if word]
    kept = [word for word in words
            if word not in HONORIFICS | PARTICLES | LABEL_ARTICLES and (len(word) > 1 or word.isdigit())]  # fmt: skip
    return frozenset(kept or words)
