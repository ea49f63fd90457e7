"""Names: how a label is shown, and the people the title, intro and credits name.

A label is shown as people write the name: without courtesy words and
offices once the given name is known ("MS. HALVORSEN" is "Dana Halvorsen"
when the headline names her), with academic titles kept ("Dr."), capitals
turned into the name's own case ("MARTINA DEL VALLE-OKORO" is "Martina del
Valle-Okoro", as the headline writes her), and an office alone kept in the
language's case ("The Chairman", "M. le maire", "El señor presidente").
"""

from __future__ import annotations

import re
from collections import Counter

from audiobuild.parse.labels import INITIALS, OUTLET_ADDRESS, Label, _plain
from audiobuild.parse.vocab import (
    CALLER_WORDS,
    GENERIC_SPEAKERS,
    HONORIFICS,
    INTERVIEWED_BY,
    KEPT_TITLES,
    LABEL_ARTICLES,
    NOT_SPEAKERS,
    OFFICES,
    PARTICLES,
    PLACE_FIRSTS,
    PLACE_LASTS,
    ROLE_MARKERS,
    ROLE_WORDS,
)

_CAPITALISED = r"[A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЁІЇЄҐ][\w'’\-]*"
_INITIAL = r"[A-ZА-ЯЁІЇЄҐ]\."
# Languages that write an office with a small letter after its article ("M. le maire", "El señor presidente").
_LOWER_OFFICES = {"fr", "es", "it", "pt", "ca"}
_PREFIX_WORDS = HONORIFICS | KEPT_TITLES | OFFICES | LABEL_ARTICLES
# What comes before a name when people introduce themselves ("I'm Bekah", "my name is Travis", "Hi, Dan"):
# the name is the word after these, never a given name made of them.
_SELF_INTRODUCTION = frozenset(
    "i i'm i’m im i'am me my name is am it's it’s this here hi hello hey soy llamo je suis m'appelle "
    "ich bin heiße sono chiamo sou chamo jestem mam на я меня зовут мене звати".split()
)


def identity(label: Label) -> str:
    """The words that name a label's person.

    "MODERATOR (ANNA BERG)" and "La señora MINISTRA DE VIVIENDA (Ferrán Olmedo)" name the person in
    brackets; "Raman, Priya" (a directory's form) is Priya Raman; "CALLER (MIKE, LEEDS)" keeps its place.
    """
    words = label.name.split()
    roleish = all(_plain(word) in _PREFIX_WORDS | PARTICLES | ROLE_WORDS.keys() | CALLER_WORDS for word in words)
    descriptor = label.descriptor
    # "O SR. PRESIDENTE (Humberto Costa. Bloco .../PT - PE)": the name, then the party and the state.
    named = re.split(r"\.\s|\s[-–—]\s|/", descriptor)[0].strip() if descriptor else ""
    # "Przewodniczący poseł Marek Zalewski (KO)": a party's abbreviation in brackets is no one's name.
    party = re.fullmatch(r"[\w\-/]{1,8}", named) and sum(char.isupper() for char in named) >= 2
    if named and _is_name(named) and not party and (roleish or _office_phrase(words)):
        return named
    if descriptor and roleish and "," in descriptor:
        return label.text
    directory = "," in label.text and not re.search(r"[(\[]", label.text)
    if directory and len(words) == 1 and _is_name(descriptor) and len(descriptor.split()) == 1 and not roleish:
        return f"{descriptor} {label.name}"  # "Raman, Priya"
    return label.name


def _is_name(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 4 or _plain(words[0]) in ROLE_WORDS.keys() | CALLER_WORDS:
        return False
    return all(re.fullmatch(_CAPITALISED, word) or _plain(word) in PARTICLES for word in words)


def _office_phrase(words: list[str]) -> bool:
    """ "MINISTRA DE VIVIENDA Y AGENDA URBANA": an office and its department, no name."""
    return bool(words) and any(_plain(word) in OFFICES for word in words[:3])


_DEPARTMENT = {"of", "for", "für", "de", "del", "du", "des", "di", "della", "для"}


def split_name(name: str) -> tuple[list[str], list[str]]:
    """(the words before the name: courtesy words, titles, offices with their department; the name's words).

    >>> split_name("PRIME MINISTER OF RURITANIA JOHN DOE")
    (['PRIME', 'MINISTER', 'OF', 'RURITANIA'], ['JOHN', 'DOE'])
    """
    # Initials glued to a name come apart ("А.Лемешев"); a web address does not ("fluter.de").
    words = re.sub(r"\.(?=(\w))", lambda dot: ". " if dot.group(1).isupper() else ".", name).split()
    prefix: list[str] = []
    index = 0
    while index < len(words):
        word = _plain(words[index])
        if word in _PREFIX_WORDS or (prefix and _plain(prefix[-1]) in OFFICES and word in _DEPARTMENT):
            prefix.append(words[index])
            index += 1
            # An office's department: "Minister of Ruritania JOHN DOE", "Secretario de Estado de Comunicación"
            if word in _DEPARTMENT and index < len(words):
                rest = words[index:]
                named = [part for part in rest if _plain(part) not in _DEPARTMENT | PARTICLES]
                if len(named) <= 2:
                    return prefix + rest, []  # all department: "de Estado de Comunicación", "DE LA RÉPUBLIQUE"
                prefix.append(words[index])
                index += 1
            continue
        break
    return prefix, words[index:]


def display_name(label: Label, context: str, language: str) -> str:
    """How a label's person is shown. `context` is the text where their full name may be written.

    >>> display_name_of("MS. HALVORSEN", "Press Secretary Dana Halvorsen")
    'Dana Halvorsen'
    >>> display_name_of("El señor PRESIDENTE", "", "es"), display_name_of("Senator OYELARAN", "")
    ('El señor presidente', 'Senator Oyelaran')
    """
    name = identity(label)
    if OUTLET_ADDRESS.match(name) and name[0].islower():
        return name[0].upper() + name[1:]  # an outlet by its address, "fluter.de", is named as one: "Fluter.de"
    if re.fullmatch(INITIALS, name):  # "AD", "OW": the one person of the text with these initials
        named = {found for found in names_in(context) if "".join(word[0] for word in found.split()) == name}
        if len(named) == 1:
            return named.pop()
    if name == label.text and label.descriptor and name != label.name:
        return _cased(name.split(), context, language, office=False)
    if _plain(name) in ROLE_MARKERS or _plain(name.split()[0]) in GENERIC_SPEAKERS:
        return _cased(name.split(), "", language, office=False)
    prefix, words = split_name(name)
    if not words or all(_plain(word) in PARTICLES | OFFICES | ROLE_WORDS.keys() for word in words):
        return _cased(prefix + words, "", language, office=True)
    if len(words) >= 4:  # "Sekretarz stanu w Ministerstwie Infrastruktury Tomasz Wróbel": an office, then a name
        named = _named_tail(words, context)
        if named:
            return named
    words = _with_initials_apart(words)
    cased = _cased(words, context, language, office=False).split()
    # "DE ROSA", "VAN DER MEER": a particle and a surname are one surname, whose given name the context may give.
    bare = [word for word in cased if not re.fullmatch(_INITIAL, word) and _plain(word) not in PARTICLES]
    surname_only = len(bare) == 1
    # "Mr. HALLORAN", "El señor SAGASTI URQUIJO", "(Ferrán Olmedo)": surnames, whose given name the context may give.
    surnames = surname_only or name != label.name or (bool(prefix) and all(word.isupper() for word in words))
    institution = (
        bool(prefix) and _plain(prefix[0]) in LABEL_ARTICLES and not any(_plain(word) in HONORIFICS for word in prefix)
    )  # "THE COURT", "The CHAIRMAN": no one's surname
    if surnames and not institution:
        full = full_name(cased, context, language, majority=not surname_only)
        if full:
            cased = full
        elif surname_only and not prefix:
            cased = _with_surname(cased, context) or cased
    kept = [_prefix_case(word) for word in prefix if _plain(word) in KEPT_TITLES]
    if len([word for word in cased if not re.fullmatch(_INITIAL, word)]) >= 2:
        return " ".join(kept + cased)
    shown = [word for word in prefix if _plain(word) not in LABEL_ARTICLES] or prefix
    return " ".join([_prefix_case(word) for word in shown] + cased)


def _named_tail(words: list[str], context: str) -> str | None:
    """The last two or three words of a long label, when the context writes them as a name on their own: after
    no other capitalised word and before no colon ("udział wzięli: Tomasz Wróbel sekretarz stanu ...")."""
    for count in (2, 3):
        tail = " ".join(words[-count:])
        if not all(re.fullmatch(_CAPITALISED, word) for word in words[-count:]):
            return None
        for match in re.finditer(rf"(?<![\w\-]){re.escape(tail)}(?![\w\-])(?!\s*:)", context):
            before = context[max(0, match.start() - 40) : match.start()].split()
            if not before or not re.fullmatch(_CAPITALISED, before[-1]) or before[-1][-1] in ".:!?":
                return tail
    return None


def _with_surname(words: list[str], context: str) -> list[str] | None:
    """A given name with the one surname the context writes after it ("Amal:" after "Amal Haddad and Ruth
    Kimani started ..."), or None when it writes none, or several."""
    pattern = rf"(?<![\w\-]){re.escape(words[0])}\s+({_CAPITALISED})(?![\w\-'’])"
    found = {match.group(1) for match in re.finditer(pattern, context)}
    found = {word for word in found if word not in PLACE_LASTS and _plain(word) not in _PREFIX_WORDS | PARTICLES}
    return [words[0], found.pop()] if len(found) == 1 else None


def _prefix_case(word: str) -> str:
    """A title before a name as written in running text: "MR" -> "Mr", "SENATOR" -> "Senator"."""
    if not word.isupper():
        return word
    return word.capitalize() if _plain(word) in HONORIFICS | KEPT_TITLES else _title_case(word)


def display_name_of(text: str, context: str, language: str = "en") -> str:
    """`display_name` of a label written as `text` (for doctests and the CLI's --interviewer)."""
    from audiobuild.parse.labels import name_shape

    shaped = name_shape(text)
    name, descriptor, shape = shaped if shaped else (text, "", "title")
    return display_name(Label(text, name, descriptor, ":", "", False, shape), context, language)


def _with_initials_apart(words: list[str]) -> list[str]:
    """ "А.Лемешев" -> "А.", "Лемешев"."""
    apart: list[str] = []
    for word in words:
        glued = re.fullmatch(r"([^\W\d_]\.)([^\W\d_][\w'’\-]+)", word)
        apart += [glued.group(1).upper(), glued.group(2)] if glued else [word]
    return apart


def _cased(words: list[str], context: str, language: str, office: bool) -> str:
    """Words in capitals in the case the context writes them, else by rule: particles small, the rest capitalised."""
    if not any(word.isupper() and len(word) > 1 for word in words):
        return " ".join(words)
    if office:
        if language in _LOWER_OFFICES:
            return " ".join((word.capitalize() if index == 0 else word.lower()) if word.isupper() and len(word) > 1
                            else word for index, word in enumerate(words))  # fmt: skip
        return " ".join(
            word.lower() if index and _plain(word) in PARTICLES else _title_case(word) if word.isupper() else word
            for index, word in enumerate(words)
        )
    phrase = _found_case(" ".join(words), context)
    if phrase:  # as the context writes it, but not its surname in capitals ("Patrick COHEN")
        return " ".join(_title_case(word) if word.isupper() and len(word) > 1 else word for word in phrase.split())
    return " ".join(
        word.lower() if index and _plain(word) in PARTICLES else _found_case(word, context) or _title_case(word)
        if word.isupper() and len(word) > 1 else word
        for index, word in enumerate(words)
    )  # fmt: skip


def _found_case(phrase: str, context: str) -> str | None:
    """`phrase` as the context writes it when not in capitals ("Martina del Valle-Okoro"), or None."""
    for match in re.finditer(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", context, re.IGNORECASE):
        found = match.group(0)
        if not found.isupper() and found[0].isupper():
            return found
    return None


def _title_case(word: str) -> str:
    """ "FENWICK-HALE" -> "Fenwick-Hale", "O'SULLIVAN" -> "O'Sullivan", "МЕДВЕДЕВ" -> "Медведев"; "JS" stays."""
    if len(word) <= 2 and word.isalpha():
        return word
    return re.sub(r"[^\W\d_]+", lambda part: part.group(0).capitalize(), word.lower()).replace("'S ", "'s ")


# Russian case endings of a surname in the context, and how its given name then ends in the nominative.
_RU_SURNAME_ENDINGS = ("", "а", "у", "ым", "ом", "е", "ой", "ую")
_RU_GIVEN_NOMINATIVE = [("ия", "ий"), ("ея", "ей"), ("ья", "ья"), ("ы", "а"), ("я", "ь"), ("а", "")]


def full_name(words: list[str], context: str, language: str, majority: bool = False) -> list[str] | None:
    """The name with the given name the context writes before the surname ("Halvorsen" -> "Dana Halvorsen").

    Of the words just before the surname in the context, the most frequent one
    that can be a given name (not a courtesy word, office or sentence word),
    with middle initials; None when the context has none.
    """
    initials = [word for word in words if re.fullmatch(_INITIAL, word)]
    surname = [word for word in words if word not in initials]
    endings = _RU_SURNAME_ENDINGS if language == "ru" else ("", "'s", "’s")
    ending = "|".join(map(re.escape, endings))
    pattern = (
        rf"(?<![\w\-])(?P<given>{_CAPITALISED})(?P<middle>(?:\s+{_INITIAL})*)\s+"
        rf"(?P<surname>{re.escape(' '.join(surname))})(?P<ending>{ending})(?![\w\-])"
    )
    found: Counter[tuple[str, str]] = Counter()
    for match in re.finditer(pattern, context, re.IGNORECASE):
        given = match.group("given")
        if not given[0].isupper():
            continue  # matched without regard to case: "told McKelvey" is no one's given name
        if _plain(given) in _PREFIX_WORDS | PARTICLES | NOT_SPEAKERS | ROLE_WORDS.keys() | _SELF_INTRODUCTION or len(
                given) < 2:  # fmt: skip
            continue
        if initials and not match.group("middle").split()[:1] == initials[:1] and given[0] != initials[0][0]:
            continue
        if language == "ru" and match.group("ending") in ("а", "у", "ым", "ом", "е", "ой", "ую"):
            given = _ru_nominative(given, match.group("ending"))
        middle = " ".join(_title_case(word) if word.isupper() else word for word in match.group("middle").split())
        found[(_title_case(given) if given.isupper() else given, middle)] += 1
    if not found:
        return None
    (given, middle), count = found.most_common(1)[0]
    if majority:  # "Ferrán Olmedo" may be a whole name: a given name only if the context gives one as often as not
        bare = len(re.findall(rf"(?<![\w\-])(?:[^\W\d]\w*\s+)?{re.escape(' '.join(surname))}(?![\w\-])", context,
                              re.IGNORECASE))  # fmt: skip
        if count * 2 < bare:
            return None
    return [given, *middle.split(), *surname]


# Given names whose vowel drops out of their other cases.
_RU_FLEETING = {"Павла": "Павел", "Льва": "Лев", "Петра": "Пётр", "Павлу": "Павел", "Льву": "Лев", "Петру": "Пётр"}


def _ru_nominative(given: str, surname_ending: str) -> str:
    """A Russian given name in the nominative, from the case its surname's ending shows ("Аркадия" -> "Аркадий")."""
    if given in _RU_FLEETING:
        return _RU_FLEETING[given]
    if surname_ending in ("ой", "ую"):  # a woman's surname in the genitive or accusative
        return re.sub(r"ы$", "а", re.sub(r"у$", "а", given))
    for ending, nominative in _RU_GIVEN_NOMINATIVE:
        if given.endswith(ending) and len(given) > len(ending) + 2:
            return given[: len(given) - len(ending)] + nominative
    return given


# ---------------------------------------------------------------------------
# The people a title, an intro or a credit names

# Particles inside a person's name ("Anouk van der Meer", "Yannick Le Goff", "Siôn ap Gwilym").
_NAME_PARTICLES = "de del della di da das dos du van von der den ter ten la le al bin ibn ap".split()
# From a word's start only: tried from each capital of a long word in capitals, it would cost its length squared.
_NAME = (
    rf"(?<![\w'’\-]){_CAPITALISED}(?:\s+(?:{_INITIAL}|{'|'.join(_NAME_PARTICLES)}|{_CAPITALISED})){{0,3}}"
    rf"\s+{_CAPITALISED}"
)
# Words before a run of capitals that make it a place or a thing, not a person ("the Memorial Tower").
_BEFORE_THINGS = set(
    "the a an of in at from near into der die das des dem den im am vom zum zur le la les du au aux el los las "
    "del al en в на из под около".split()
)
_INTERVIEWER_CUES = [
    re.compile(
        rf"\b(?:{INTERVIEWED_BY}|interviewer\s*:|text und interview\s*:)\s*(?P<name>{_NAME})",
        re.I,
    ),
    # A credit line that is the word and a name, its colon perhaps lost on the way ("Interview Benedikt Rauch",
    # as trafilatura gives a page's author).
    re.compile(rf"^(?:interview|gespräch|entrevista|intervista|интервью|інтерв['’]ю|wywiad)\s*:?\s+(?P<name>{_NAME})$",
               re.I),  # fmt: skip
    re.compile(rf"\bsprach\s+(?P<name>{_NAME})\s+mit\b"),
    re.compile(rf"\bperiodista\s+(?P<name>{_NAME})\s+(?:conversó|habló)\b"),
    re.compile(rf"\b(?P<name>{_NAME})\s+(?:sprach|conversó|habló|s'est entretenu(?:e)?)\s+(?:mit|con|avec)\b"),
]
_INTERVIEWEE_CUES = [
    re.compile(rf"(?P<name>{_NAME}),[^.]{{0,120}}?,\s+(?:talked|spoke|talks|speaks)\s+(?:to|with)\s+(?:us|me)\b"),
    re.compile(rf"\b(?:we|I)\s+(?:spoke|talked|sat down)\s+(?:to|with)\s+(?P<name>{_NAME})"),
    re.compile(
        rf"\b(?:interview|conversation|in conversation|talks?|entretien|entrevista|gespräch|interview)\s+"
        rf"(?:with|avec|con|mit)\s+(?P<name>{_NAME})",
        re.I,
    ),
    re.compile(rf"\b(?:deposition|testimony|examination)\s+of\s+(?P<name>{_NAME})", re.I),
    re.compile(rf"^(?:interview|entretien|entrevista|interview)\s*:\s*(?P<name>{_NAME})", re.I),
    re.compile(rf"\b(?:says|said|erklärt|sagt|dit|dice|rassure)\s+(?P<name>(?:Dr\.?\s+)?{_NAME})\s*$"),
    re.compile(rf"\bрассказал[аи]?\s+(?:[\w\-]+\s+){{0,4}}?(?P<name>{_NAME})"),
    re.compile(rf"\b(?P<name>{_NAME})[^.]{{0,80}}\bs'est confiée?\b"),
    # "Abbiamo rivolto qualche domanda a Federico Terzi", "we put five questions to ...".
    re.compile(
        rf"\b(?:questions?|domand[ae]|preguntas?|perguntas?|fragen|pytani[ae]|вопрос\w*|питання)\s+"
        rf"(?:[\w']+\s+){{0,2}}?(?:to|a|à|an|al|ao|do|для|к|до)\s+(?P<name>{_NAME})",
        re.I,
    ),
]
# A headline's guest: "Sur les migrations avec François Héran - Le Grand Continent", "Quattro chiacchiere con ...".
_HEADLINE_GUEST = re.compile(rf"\b(?:with|avec|con|mit|com|z|з|с)\s+(?P<name>{_NAME})\s*(?:$|[-–—|:(,«»\"“])")
# "Інтерв’ю Президента України Володимира Зеленського виданню ...": an interview *of* someone, whose name ends
# the run of capitalised words after the word (offices and places before it).
_INTERVIEW_OF = re.compile(
    rf"\b(?i:інтерв['’]ю|интервью|wywiad|entrevista|intervista|entretien|interview)\s+"
    rf"(?P<run>(?:{_CAPITALISED}\s+){{1,4}}{_CAPITALISED})(?![\w\-])"
)
_HEADLINE_NAME = re.compile(rf"^(?P<name>(?:(?:Dr|Prof|Sir|Dame)\.?\s+)?{_NAME})(?:,\s+[^:]{{1,40}})?\s?:\s+\S")
_NOT_NAMES = {
    "the", "a", "an", "your", "my", "our", "his", "her", "their", "this", "that", "why", "how", "what", "when",
    "where", "who", "breaking", "exclusive", "live", "opinion", "analysis", "update", "interview", "review",
    "podcast", "episode", "watch", "video", "photos", "oral", "press", "transcript", "five", "ten", "three",
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "le", "la", "les", "un", "une", "el", "los", "las",
    "il", "lo", "gli", "o", "os", "as", "um", "uma",
}  # fmt: skip


def interviewer_named(texts: list[str]) -> str | None:
    """The interviewer a credit names: "Interview by Tom Hardy", "Propos recueillis par ...", "... sprach X mit"."""
    for text in texts:
        for cue in _INTERVIEWER_CUES:
            match = cue.search(text)
            if match:
                return _clean_name(match.group("name"))
    return None


def interviewee_named(title: str, intro: list[str], avoid: set[str]) -> tuple[str | None, bool]:
    """The person the piece is about as the headline or the intro names them, and whether they say so outright.

    In order: a "Name Surname: quote" headline; a cue in the headline or
    intro ("we spoke to ...", "... talked to us", "interview with ...",
    "... рассказала ...", "... s'est confié"): both outright. Then, weaker: a
    name in the headline that the intro repeats; the intro's first name.
    Names in `avoid` (the writer, the interviewer, the site) are not the interviewee.
    """
    headline = _HEADLINE_NAME.match(title)
    if headline and headline.group("name").split()[0].casefold() not in _NOT_NAMES:
        name = _as_written(_clean_name(headline.group("name")), intro)
        # "Bartniczka z Puszczy Augustowskiej: „...“" names a place: the intro names someone else.
        if _confirmed(name, intro):
            return name, True
    if names_in(title) == [title.strip()] and title.strip() not in avoid:
        return title.strip(), True  # the headline is the guest's name
    for cue in (_HEADLINE_GUEST, _INTERVIEW_OF):
        match = cue.search(title)
        name = match and (_clean_name(match.group("name")) if cue is _HEADLINE_GUEST else
                          " ".join(match.group("run").split()[-2:]))  # fmt: skip
        # "z Puszczy Augustowskiej": in Polish, Ukrainian and Russian the word for "with" also means "from",
        # so a name after it counts when the intro writes it too.
        if name and re.match(r"[zзс]\s", match.group(0)) and not _confirmed(name, intro):
            continue
        if name and name not in avoid and not _NOT_NAMES & {word.casefold() for word in name.split()}:
            return name, True
    for text in [title, *intro]:
        for cue in _INTERVIEWEE_CUES:
            match = cue.search(text)
            listed = match and re.match(r"\s*[;,]\s*(?:and\s+)?[\w\s]{0,40}[;,]", text[match.end() :])
            if match and not listed and _clean_name(match.group("name")) not in avoid:
                return _clean_name(match.group("name")), True  # one person, not the first of a list of guests
    body = " ".join(intro)
    for name in names_in(title):
        if name.split()[-1] in body and name not in avoid:
            return name, False
    return next((name for text in intro for name in names_in(text) if name not in avoid), None), False


# Someone saying who they are: "I'm Terry Gross", "my name is Travis Nakagawa", "меня зовут ...".
SELF_INTRODUCTION = re.compile(
    r"\b(?:I'm|I’m|I am|my name is|ich bin|mein name ist|je suis|je m'appelle|je m’appelle|soy|me llamo|mi chiamo|"
    r"nazywam się|мене звати|меня зовут|с вами|я)\s+(?P<name>[A-ZÀ-ÞА-ЯЁ][\w'’\-]+(?:\s+[A-ZÀ-ÞА-ЯЁ][\w'’\-]+){0,2})"
)


def introduced_as(text: str) -> str | None:
    """The whole name (given name and surname) someone gives for themselves in the opening of `text`, or None:
    "Hi, my name is Travis Nakagawa. I'm a retired ..." -> "Travis Nakagawa"."""
    for match in SELF_INTRODUCTION.finditer(text[:300]):
        name = match.group("name")
        words = name.split()
        if len(words) >= 2 and not {word.casefold() for word in words} & _NOT_NAMES and words[-1] not in PLACE_LASTS:
            return name
    return None


def _as_written(name: str, texts: list[str]) -> str:
    """`name` without the words before it that the text never writes with it: "Fährfrau Tabea Lindqvist" in a
    headline is Tabea Lindqvist when the intro says "steuert Tabea Lindqvist" (a job, not a given name)."""
    body, words = " ".join(texts), name.split()
    while len(words) > 2 and not _written(words, body) and _written(words[1:], body):
        words = words[1:]
    return " ".join(words)


def _confirmed(name: str, intro: list[str]) -> bool:
    """False when the intro names people but never this one: a headline's "name" is then a place or a thing."""
    body = " ".join(intro)
    return _written(name.split(), body) or not any(names_in(text) for text in intro)


def _written(words: list[str], body: str) -> bool:
    """True when `body` writes these words in a row, in any case of each ("Соломії Ткачук": Соломія Ткачук)."""
    stems = r"\s+".join(re.escape(word[: max(3, len(word) - 2)]) + r"[\w'’\-]*" for word in words)
    return re.search(rf"(?<![\w\-]){stems}", body) is not None


# The word just before a position, searched for in the 60 characters before it (so in constant time): words
# _BEFORE_THINGS holds are short.
_WORD_BEFORE = re.compile(r"(?<!\S)(\S{1,40})\s*\Z")


def names_in(text: str) -> list[str]:
    """The runs of two to four capitalised words in `text` that read as a person's name, in order."""
    names = []
    for match in re.finditer(rf"(?<![\w\-'’«»\"“„])(?P<name>{_NAME})(?![\w\-])", text):
        before = _WORD_BEFORE.search(text, max(0, match.start() - 60), match.start())
        if before and before.group(1).casefold() in _BEFORE_THINGS:
            continue
        name = _clean_name(match.group("name"))
        words = name.split()
        place = words[0] in PLACE_FIRSTS or words[-1] in PLACE_LASTS  # "Copper Pass", "New York"
        if len(words) >= 2 and not place and words[0].casefold() not in _NOT_NAMES | {"sankt"}:
            names.append(name)
    return names


def _clean_name(name: str) -> str:
    """A name without the courtesy words or offices before it, without a possessive ending, not in capitals."""
    prefix, words = split_name(re.sub(r"['’]s$", "", name.strip()))
    kept = [word for word in prefix if _plain(word) in KEPT_TITLES]
    cleaned = " ".join(kept + words) if len(words) >= 2 else name.strip()
    if cleaned.isupper():
        cleaned = " ".join(word.lower() if index and _plain(word) in _NAME_PARTICLES else _title_case(word)
                           for index, word in enumerate(cleaned.split()))  # fmt: skip
    return cleaned
