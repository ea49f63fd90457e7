"""Stage 2, casting: which of a profile's voices each person of a script speaks with, and why.

The two sides of a conversation get the profile's interviewer and interviewee
voices. Where the article itself says that a person is a woman or a man, and
the profile's two voices are a female and a male one (their `gender`), that
person gets a voice of their sex: their role's, the other role's (the sides
swap), or, when the other side is of the same sex and has that voice, the
first spare extra voice of that sex, a variant a profile keeps at least 15%
apart in pitch (two women: heart, and heart four semitones lower). A side
the text says nothing of gets the role voice left. What counts as saying so
(`signs`):

* an honorific before the person's name, in the article's language or
  English (`HONORIFICS`: Ms, Mrs, Mr, Sir; Frau, Herr; Mme, M.; Sra., Sr.;
  Sig.ra, Sig.; pani, pan; г-жа, г-н...; also in their speaker label,
  "MS SMITH:", "FRAU ROTH:");
* "Sir" or "Madam" said to them in a question: "Thank you, madam.";
* in the narrator's text, a pronoun after their name, in that sentence or
  the next, that refers to them (`PRONOUNS`, per language): a subject, a
  reflexive or a possessive ("She starts at four", "her days", "in his
  office"), not an object, which is someone else's ("Priya Raman asked him";
  after it a pronoun of that sex may be his too). The search stops at another speaker's name or at two
  capitalised words that may be someone else's, unless they are a place's
  ("on Dock Street", "in New York", "en Buenos Aires");
* in Russian, a feminine or masculine surname (Петрова, Петров; -ова, -ева,
  -ина, -ская against -ов, -ев, -ский: a masculine -ин is left out, as it
  ends foreign names of women too), or the past-tense verb after their name
  in the narrator's text ("Анна Петрова рассказала").

A first name alone is never a sign; with none, the profile's order stands.
Signs that disagree cancel out. Further people (a panel's third guest)
get the profile's next extra voice, of their sex where it is known (when
those are used up, a role's voice of their sex, shared, with a warning). The
narrator is never the same model as the person who speaks right after its
opening: when it would be (the sides were swapped), it reads with the first
spare extra voice of another model.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from audiobuild.model import INTERVIEWEE, INTERVIEWER, NARRATOR, Script, Voice
from audiobuild.parse.vocab import PLACE_FIRSTS, PLACE_LASTS
from audiobuild.voice.engines import get_engine
from audiobuild.voice.profiles import GENDERS, Profile, for_language, stand_in_profile

log = logging.getLogger("audiobuild")

FEMALE, MALE = GENDERS
_OTHER = {FEMALE: MALE, MALE: FEMALE}

# Courtesy words before a name that say whether its bearer is a woman or a man, per language (ISO 639-1):
# every language with a narrator sentence (parse/languages/), and Polish and Dutch. An article is read with its
# language's words and English's, which any press quotes; an article too short for its language to be known,
# with all. Inflected forms are listed ("Herrn", "г-жой", "Panią"). A word of three letters or more is also
# matched with a small first letter, as running text writes it ("la señora Ruiz", "pan Kowalski").
HONORIFICS = {
    "en": {FEMALE: ("Ms", "Mrs", "Miss", "Madam", "Madame", "Dame", "Lady"), MALE: ("Mr", "Sir", "Lord")},
    "de": {FEMALE: ("Frau", "Fr."), MALE: ("Herr", "Herrn", "Hr.")},
    "fr": {FEMALE: ("Madame", "Mme", "Mademoiselle", "Mlle"), MALE: ("Monsieur", "M.")},
    "es": {FEMALE: ("Señora", "Sra.", "Señorita", "Srta.", "Doña", "Dña."), MALE: ("Señor", "Sr.", "Don")},
    "it": {FEMALE: ("Signora", "Sig.ra", "Sig.a", "Signorina", "Sig.na"), MALE: ("Signor", "Signore", "Sig.", "Sig.r")},
    "pt": {FEMALE: ("Senhora", "Sra.", "Sr.ª", "Dona"), MALE: ("Senhor", "Sr.", "Dom")},
    "ru": {
        FEMALE: ("г-жа", "г-жи", "г-же", "г-жу", "г-жой", "госпожа", "госпожи", "госпоже", "госпожу", "госпожой",
                 "мисс", "миссис", "мадам"),
        MALE: ("г-н", "г-на", "г-ну", "г-ном", "господин", "господина", "господину", "господином", "мистер",
               "мистера", "мистеру", "месье"),
    },
    "uk": {FEMALE: ("пані",), MALE: ("пан", "пана", "панові", "пане", "паном")},
    "pl": {FEMALE: ("Pani", "Panią"), MALE: ("Pan", "Pana", "Panu", "Panem")},
    "nl": {FEMALE: ("Mevrouw", "Mevr.", "Mw."), MALE: ("Meneer", "Mijnheer", "Dhr.")},
}  # fmt: skip
_VOCATIVES = {FEMALE: ("madam", "ma'am", "ma’am", "сударыня"), MALE: ("sir", "сударь")}


@dataclass(frozen=True)
class Pronouns:
    """One language's third-person pronouns in the narrator's text, as far as they say whom they refer to."""

    own: Mapping[str, frozenset[str]]  # gender -> subject and possessive forms: the person named before them
    others: Mapping[str, frozenset[str]]  # gender -> object forms: someone else ("Priya asked him")
    prepositions: frozenset[str] = frozenset()  # after one, an `own` form is an object ("con ella")
    reflexives: Mapping[str, str] = dataclasses.field(default_factory=dict)  # the person's own, anywhere (herself)
    places: frozenset[str] = frozenset()  # before two capitalised words: a place, not a person ("on Dock Street")
    impersonal: frozenset[str] = frozenset()  # after a masculine `own` form: nobody ("il faut")
    # English "her" is possessive before a noun ("her days": her own) and an object otherwise ("asked her about").
    possessive_or_object: Mapping[str, str] = dataclasses.field(default_factory=dict)
    not_nouns: frozenset[str] = frozenset()


def _pronouns(female: str, male: str, female_others: str = "", male_others: str = "", **rest: str) -> Pronouns:
    """A `Pronouns` from words separated by spaces; `rest`'s strings too (a mapping is kept as it is)."""
    words = lambda text: frozenset(text.split())  # noqa: E731
    rest = {key: words(value) if isinstance(value, str) else value for key, value in rest.items()}
    return Pronouns({FEMALE: words(female), MALE: words(male)},
                    {FEMALE: words(female_others), MALE: words(male_others)}, **rest)  # fmt: skip


# The pronoun tables, per language. German "sie" is also "they" and "her", so only "er" counts there; Russian
# says a person's sex with the verb after their name (`_PAST_TENSE`) and has no table.
PRONOUNS = {
    "en": _pronouns(
        "she hers", "he his", male_others="him",
        places="in on at near into across along outside inside around behind beyond past through off the",
        reflexives={"herself": FEMALE, "himself": MALE}, possessive_or_object={"her": FEMALE},
        not_nouns="about to for with that if whether why how what when where who whom the a an in on at from of out "
                  "up down into onto again and or but so as back too once over off away not this these those some "
                  "any all by through after before since until while because",
    ),
    "fr": _pronouns("elle", "il", places="à au aux dans en près", reflexives={"elle-même": FEMALE, "lui-même": MALE},
                    prepositions="avec pour sans chez à de par sur contre vers entre derrière devant",
                    impersonal="y faut fallait faudra s'agit s’agit semble semblait paraît pleut reste existe"),
    "es": _pronouns("ella", "él", places="en desde hacia",
                    prepositions="a con de para por sin sobre entre hacia según ante contra desde en"),
    "it": _pronouns("lei", "lui", places="a in nel nella al alla presso",
                    prepositions="a con di da per su tra fra in senza verso"),
    "pt": _pronouns("ela", "ele", "dela nela", "dele nele", places="em no na nos nas",
                    prepositions="a com de para por sem sobre entre em contra desde"),
    "de": _pronouns("", "er", male_others="ihn ihm", places="in im am an auf nach aus"),
}  # fmt: skip
_SURNAMES = {
    FEMALE: re.compile(r"[а-яё]+(?:ова|ева|ёва|ина|ына|ская|цкая)"),
    MALE: re.compile(r"[а-яё]+(?:ов|ев|ёв|ский|цкий)"),
}
# A Russian past-tense verb: a vowel, then л with the feminine or the masculine ending ("рассказала", "родился").
_PAST_TENSE = {FEMALE: re.compile(r"[а-яё]+[аеиоуыэюяё]ла(?:сь)?"), MALE: re.compile(r"[а-яё]+[аеиоуыэюяё]л(?:ся)?")}
# Words of speaker labels that are not a name ("Caller (Mike, Leeds)": only Mike and Leeds are).
_NOT_NAMES = {
    "narrator", "interviewer", "interviewee", "host", "guest", "caller", "moderator", "panellist", "panelist",
    "reporter", "question", "answer", "speaker", "ведущий", "ведущая", "гость", "гостья", "корреспондент",
}  # fmt: skip
_NARRATOR_KINDS = ("title", "byline", "intro", "narration")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


@dataclass(frozen=True)
class Sign:
    """What the article says of a person's sex: `gender` (FEMALE or MALE) and the words that say it."""

    gender: str
    evidence: str  # "“Ms Smith” in segment 4"


@dataclass(frozen=True)
class Part:
    """The voice one person speaks with, and why (as `audiobuild script` shows it)."""

    voice: Voice
    why: str


def cast_parts(script: Script, profile: Profile) -> dict[str, Part]:
    """Each person of the script and their part (see `cast`), with the installed engines' languages.

    An article in a language the profile's `[languages]` name is cast from the profile named for it.
    """
    profile = for_language(profile, script.language)
    stand_ins = stand_in_profile()  # for a language the profile's engines do not speak
    engines = profile.engines | stand_ins.engines
    languages = {name: {voice.id: voice.language for voice in get_engine(name).voices} for name in engines}
    return cast(script, profile, languages, stand_ins)


def cast_voices(script: Script, profile: Profile) -> dict[str, Voice]:
    """Each person of the script and the voice they speak with (`cast_parts` without the reasons)."""
    return {name: part.voice for name, part in cast_parts(script, profile).items()}


def cast(
    script: Script, profile: Profile, languages: Mapping[str, Mapping[str, str]], stand_ins: Profile
) -> dict[str, Part]:
    """Each person of the script (by display name) and the part they speak: a voice and why.

    An article in a language none of the profile's voices speaks is cast from
    `stand_ins` (the espeak profile) instead, in that language, and one line
    says so. Otherwise a voice that does not speak it is read by its engine's
    voice for the language with the same settings (`in_language`), or by the
    voice in the same place of `stand_ins`. `languages` maps each engine's name
    to its voice ids and their language codes.
    """
    speaks = lambda voice: in_language(voice, script.language, languages.get(voice.engine, {})) is not None  # noqa: E731
    in_either = [any(map(speaks, each.all_voices.values())) for each in (profile, stand_ins)]
    if script.language and in_either == [False, True]:
        log.warning("%s: no voice of the %s profile speaks %r: it is read by the %s profile's voices in that language",
                    script.source, profile.name, script.language, stand_ins.name)  # fmt: skip
        profile = stand_ins
    places = _places(script, profile, signs(script))
    parts: dict[str, Part] = {}
    stood_in = []
    for name, (place, why) in places.items():
        voice = profile.all_voices[place]
        spoken = in_language(voice, script.language, languages.get(voice.engine, {}))
        if spoken is None:
            stand_in = stand_ins.all_voices.get(place, stand_ins.voice_for(_role_of(place)))
            spoken = in_language(stand_in, script.language, languages.get(stand_in.engine, {}))
            stood_in.append(name)
            why += f"; read by the {stand_ins.name} profile's {spoken.voice}" if spoken else "; all the same"
        parts[name] = Part(spoken or voice, why)
    parts |= {name: Part(voice, "chosen in the script") for name, voice in script.voices.items() if name in parts}
    if stood_in:
        log.warning("%s: no voice of its own speaks %r for %s: see `audiobuild script`",
                    script.source, script.language, ", ".join(stood_in))  # fmt: skip
    return parts


def _role_of(place: str) -> str:
    return place if place in (NARRATOR, INTERVIEWER, INTERVIEWEE) else INTERVIEWEE


def _places(script: Script, profile: Profile, known: dict[str, Sign]) -> dict[str, tuple[str, str]]:
    """Person -> (the profile's table their voice comes from: a role or "extra[N]", why)."""
    people = script.people
    first = {}
    for person in people:
        first.setdefault(person.role, person.name)
    places: dict[str, tuple[str, str]] = {}
    spare = [f"extra[{index}]" for index in range(len(profile.extra))]
    for role, (place, why) in _sides(first, profile, known, spare).items():
        places[first[role]] = place, why
    for person in people:
        if person.name in places or person.role == NARRATOR:
            continue
        sign = known.get(person.name)
        fits = [place for place in spare if sign and profile.genders.get(place) == sign.gender]
        shared = [place for place in (INTERVIEWEE, INTERVIEWER) if sign and profile.genders.get(place) == sign.gender]
        if sign and not fits and shared:  # a voice of their sex, shared, rather than one of the other sex
            log.warning("%s: %s shares a voice: the profile has no more %s extra voices",
                        script.source, person.name, sign.gender)  # fmt: skip
            places[person.name] = shared[0], f"the {shared[0]}'s voice, {sign.gender}, shared: {sign.evidence}"
            continue
        if fits or spare:
            place = (fits or spare)[0]
            spare.remove(place)
            why = f"an extra voice, {sign.gender}: {sign.evidence}" if fits else "the profile's next extra voice"
        else:
            log.warning("%s: %s shares a voice: the profile has no more extra voices", script.source, person.name)
            place, why = person.role, f"the {person.role}'s voice, shared: the profile has no more extra voices"
        places[person.name] = place, why
    if NARRATOR in first:
        places[first[NARRATOR]] = _narrator_place(script, profile, places, spare)
    return {person.name: places[person.name] for person in people}


def _sides(
    first: dict[str, str], profile: Profile, known: dict[str, Sign], spare: list[str]
) -> dict[str, tuple[str, str]]:
    """The first interviewer's and interviewee's places: their own role's, or the voice of their sex.

    A side the text gives a sex gets a voice of that sex: its role's, the
    other role's (swapped), or, when the other side has that one (two women),
    the first spare extra voice of that sex, which it takes out of `spare`.
    A side without a sign gets the role voice left.
    """
    sides = [role for role in (INTERVIEWEE, INTERVIEWER) if role in first]  # the interviewee's sign comes first
    genders = {role: profile.genders.get(role) for role in (INTERVIEWER, INTERVIEWEE)}
    both = set(genders.values()) == set(GENDERS)
    signed = {role: known[first[role]] for role in sides if first[role] in known}
    if not both or not signed:
        why = "the profile's order: no sign of sex in the text" if both else "the profile's voice for the role"
        if signed and not both:
            why += " (its two sides are not a female and a male voice)"
        return {role: (role, why) for role in sides}
    free = [INTERVIEWER, INTERVIEWEE]  # the role voices not given yet
    result = {}
    for role, sign in signed.items():
        own = [place for place in (role, *free) if place in free and genders[place] == sign.gender]
        if own:
            free.remove(own[0])
            result[role] = own[0], f"{sign.gender} voice: {sign.evidence}"
            continue
        fits = [place for place in spare if profile.genders.get(place) == sign.gender]
        if fits:  # the other side has the role voice of this sex: a variant of it, apart in pitch
            spare.remove(fits[0])
            result[role] = fits[0], f"a second {sign.gender} voice: {sign.evidence}"
        else:
            place = free.pop(0)
            result[role] = place, f"the profile's {place} voice: it has no second {sign.gender} voice"
    for role in sides:
        if role not in result:
            place = role if role in free else free[0]
            result[role] = place, f"{genders[place]} voice: the other side from {first[next(iter(signed))]}"
    return result


def _narrator_place(
    script: Script, profile: Profile, places: dict[str, tuple[str, str]], spare: list[str]
) -> tuple[str, str]:
    """The narrator's place: its own, unless that is the model of whoever speaks right after its opening."""
    after = next((segment.speaker for segment in script.segments[script.intro_end :] if segment.role != NARRATOR), None)
    if after is None or after not in places:
        return NARRATOR, "the profile's narrator"
    follower = profile.all_voices[places[after][0]]
    if _model(profile.voice_for(NARRATOR)) != _model(follower):
        return NARRATOR, "the profile's narrator"
    other = [place for place in spare if _model(profile.all_voices[place]) != _model(follower)]
    if not other:
        return NARRATOR, f"the profile's narrator, though {after}, who speaks after it, has its model too"
    return other[0], f"an extra voice: the narrator's own is the model of {after}, who speaks right after it"


def _model(voice: Voice) -> tuple[str, str]:
    """What makes two voices one voice to a listener: the engine's model (or espeak voice and variant)."""
    return voice.engine, voice.settings.label(voice.voice)


def in_language(voice: Voice, language: str, languages: Mapping[str, str]) -> Voice | None:
    """`voice`, or its engine's voice for `language` with the same settings; None when the engine has none.

    `languages` maps the engine's voice ids to their language codes. The
    language's plain voice ("ru" over "ru-cl") is preferred, for the most common accent.
    """
    base = lambda code: code.split("-")[0].lower()  # noqa: E731
    own = languages.get(voice.voice) or languages.get(voice.voice.lower())
    if not language or (own and base(own) == base(language)):
        return voice
    matches = sorted(
        (code != language, voice_id) for voice_id, code in languages.items() if base(code) == base(language)
    )
    if not matches:
        return None
    return dataclasses.replace(voice, voice=matches[0][1], settings=voice.settings.for_other_voice())


# ---------------------------------------------------------------------------
# What the text says of each person's sex


def signs(script: Script) -> dict[str, Sign]:
    """Each person (not the narrator) whose sex the article states, with the words that state it.

    See the module's docstring for what counts; a person with signs both ways is left out.
    """
    language = script.language.split("-")[0].lower()
    honorifics = _honorifics_for(language)
    pronouns = PRONOUNS.get(language or "en")
    people = [person for person in script.people if person.role != NARRATOR]
    names = {person.name: _name_words(person.name) for person in people}
    found: dict[str, list[Sign]] = {person.name: [] for person in people}
    for person in people:
        found[person.name] += _in_name(person.name, names[person.name], honorifics)
    for number, segment in enumerate(script.segments, start=1):
        where = f"in segment {number}"
        for person in people:
            found[person.name] += _honorifics(segment.text, names[person.name], honorifics, where)
        addressee = _addressee(script, number - 1)
        if addressee in found:
            found[addressee] += _vocatives(segment.text, where)
        if segment.role == NARRATOR and segment.kind in _NARRATOR_KINDS:
            for index, sentence in enumerate(segment.sentences):
                following = segment.sentences[index + 1] if index + 1 < len(segment.sentences) else ""
                for person in people:
                    others = [word for other, words in names.items() if other != person.name for word in words]
                    found[person.name] += _narrated(sentence, following, names[person.name], others, pronouns, where)
    decided = {}
    for name, evidence in found.items():
        genders = {sign.gender for sign in evidence}
        if len(genders) == 1:
            decided[name] = evidence[0]
    return decided


def _honorifics_for(language: str) -> dict[str, tuple[str, ...]]:
    """gender -> the honorifics an article in `language` is read with: its own and English's (all if unknown)."""
    tables = [HONORIFICS[code] for code in dict.fromkeys([language, "en"]) if code in HONORIFICS]
    if not language:
        tables = list(HONORIFICS.values())
    return {gender: tuple(word for table in tables for word in table[gender]) for gender in GENDERS}


def _name_words(name: str) -> list[str]:
    """The words of a display name that name the person: not honorifics, role words or initials."""
    honorifics = {_plain(word) for table in HONORIFICS.values() for words in table.values() for word in words}
    return [
        word
        for word in _WORD.findall(name)
        if len(word) > 1 and word[0].isupper() and _plain(word) not in honorifics | _NOT_NAMES
    ]


def _plain(word: str) -> str:
    return word.casefold().rstrip(".")


def _in_name(name: str, words: list[str], honorifics: dict[str, tuple[str, ...]]) -> list[Sign]:
    """Signs in the display name itself: an honorific ("Ms Smith", "Frau Berg"), a Russian surname's form."""
    found = []
    first = _plain(name.split()[0]) if name.split() else ""
    for gender, titles in honorifics.items():
        if first in {_plain(word) for word in titles}:
            found.append(Sign(gender, f"“{name}” in the speaker's label"))
    if len(words) >= 2:  # a surname: the last word after a first name ("Петрова" alone may be a first name)
        for gender, pattern in _SURNAMES.items():
            if pattern.fullmatch(words[-1].casefold()):
                found.append(Sign(gender, f"the surname's {gender} form, “{words[-1]}”"))
    return found


def _honorifics(text: str, words: list[str], honorifics: dict[str, tuple[str, ...]], where: str) -> list[Sign]:
    """An honorific just before one of the person's name words: "Mrs. Lopez", "la Sra. Ruiz", "г-жа Петрова"."""
    if not words:
        return []
    name = "|".join(re.escape(word) for word in words)
    found = []
    for gender, titles in honorifics.items():
        # "la señora Ruiz": running text writes a long honorific small; "M." must be as written (m. is a metre).
        title = "|".join(f"(?i:{re.escape(word[0])}){re.escape(word[1:])}" if len(word.rstrip(".")) > 2
                         else re.escape(word) for word in titles)  # fmt: skip
        pattern = rf"(?<![\w-])(?:{title})\.?\s+(?:[A-ZА-ЯЁ][\w'’-]*\.?\s+){{0,2}}(?:{name})(?!\w)"
        found += [Sign(gender, f"“{match[0]}” {where}") for match in re.finditer(pattern, text)]
    return found


def _vocatives(text: str, where: str) -> list[Sign]:
    """ "Sir" or "Madam" said to someone, between a sentence's start or a comma and a comma or its end."""
    found = []
    for gender, words in _VOCATIVES.items():
        alternatives = "|".join(re.escape(word) for word in words)
        pattern = rf"(?:^|[,.!?;—]\s*)({alternatives})\s*(?:[,.!?;—]|$)"
        found += [Sign(gender, f"“{match[1]}” said to them {where}") for match in re.finditer(pattern, text, re.I)]
    return found


def _addressee(script: Script, index: int) -> str | None:
    """Whom a question speaks to: the interviewee who answers it (None for any other turn).

    Only questions: an answer's "sir" may be said to a reporter the article does not name.
    """
    if script.segments[index].role != INTERVIEWER:
        return None
    return next((s.speaker for s in script.segments[index + 1 :] if s.role == INTERVIEWEE), None)


def _narrated(
    sentence: str, following: str, words: list[str], others: list[str], pronouns: Pronouns | None, where: str
) -> list[Sign]:
    """In the narrator's text: the first pronoun after the person's name that is theirs, or the verb in Russian.

    A pronoun counts for whom it refers to: a subject or a possessive after
    the name is the person's ("She starts at four"), an object is someone
    else's ("asked him"), and after it a pronoun of that sex may be theirs too,
    so it no longer counts. The search stops where someone else may be named
    first: another speaker's name, or two capitalised words ("Tom Berg") that
    are no place ("on Dock Street", "in New York").
    """
    if not words:
        return []
    mention = re.search(rf"(?<!\w)(?:{'|'.join(re.escape(word) for word in words)})(?!\w)", sentence)
    if mention is None:
        return []
    if re.search(r"[а-яё]", mention[0], re.I):
        return _russian_verb(sentence[mention.end() :], words, mention[0], where)
    if pronouns is None:
        return []
    other, someone_elses = set(others) - set(words), set()
    for text in (sentence[mention.end() :], following):
        found = _WORD.findall(text)
        for index, word in enumerate(found):
            if word in other or (index and word not in words and _names_someone(found, index, pronouns)):
                return []
            before = found[index - 1].casefold() if index else ""
            after = found[index + 1].casefold() if index + 1 < len(found) else ""
            gender, own = _pronoun(word.casefold(), before, after, pronouns)
            if gender is None:
                continue
            if not own:
                someone_elses.add(gender)
            elif gender not in someone_elses:
                return [Sign(gender, f"“{word}” after “{mention[0]}” {where}")]
    return []


def _names_someone(found: list[str], index: int, pronouns: Pronouns) -> bool:
    """Whether found[index] opens two capitalised words that may be a person's name, not a place's."""
    if index + 1 >= len(found) or not (found[index][0].isupper() and found[index + 1][0].isupper()):
        return False
    if found[index] in PLACE_FIRSTS or found[index + 1] in PLACE_LASTS:
        return False
    return found[index - 1].casefold() not in pronouns.places


def _pronoun(word: str, before: str, after: str, pronouns: Pronouns) -> tuple[str | None, bool]:
    """(gender, whether it refers to the person named before) of a pronoun; (None, False) for any other word."""
    if word in pronouns.reflexives:
        return pronouns.reflexives[word], True
    if word in pronouns.possessive_or_object:
        return pronouns.possessive_or_object[word], bool(after) and after not in pronouns.not_nouns
    for gender in GENDERS:
        if word in pronouns.others[gender]:
            return gender, False
        if word in pronouns.own[gender]:
            if gender == MALE and after in pronouns.impersonal:
                return None, False
            return gender, before not in pronouns.prepositions
    return None, False


def _russian_verb(after: str, words: list[str], named: str, where: str) -> list[Sign]:
    """The past-tense verb right after a Russian name, past the rest of the name and an apposition in commas."""
    after = re.sub(rf"^(?:\s*(?:{'|'.join(map(re.escape, words))}))+", "", after)  # the rest of the name
    rest = _WORD.findall(re.sub(r"^\s*,[^,]*,", " ", after))
    if not rest or not rest[0].islower():
        return []
    for gender, pattern in _PAST_TENSE.items():
        if pattern.fullmatch(rest[0]):
            return [Sign(gender, f"“{rest[0]}” after “{named}” {where}")]
    return []
