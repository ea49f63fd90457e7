"""Stage 2, casting: which of a profile's voices each person of a script speaks with, and why.

The two sides of a conversation get the profile's interviewer and interviewee
voices. Where the article itself says that a person is a woman or a man, and
the profile's two voices are a female and a male one (their `gender`), that
person gets the voice of their sex and the other side the other voice. What
counts as saying so (`signs`):

* an honorific before the person's name: Ms, Mrs, Miss, Madam, Dame, Lady;
  Mr, Sir, Lord; г-жа, госпожа; г-н, господин (also in their speaker label,
  "MS SMITH:");
* "Sir" or "Madam" said to them in a question: "Thank you, madam.";
* in the narrator's English text, "she" or "he" (her, him, his...) as the
  first pronoun after their name, in that sentence or the next;
* in Russian, a feminine or masculine surname (Петрова, Петров; -ова, -ева,
  -ина, -ская against -ов, -ев, -ский: a masculine -ин is left out, as it
  ends foreign names of women too), or the past-tense verb after their name
  in the narrator's text ("Анна Петрова рассказала").

A first name alone is never a sign; with none, the profile's order stands.
Signs that disagree cancel out. Further people (a panel's third guest)
get the profile's next extra voice, of their sex where it is known. The
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
from audiobuild.voice.engines import get_engine
from audiobuild.voice.profiles import GENDERS, Profile, for_language, stand_in_profile

log = logging.getLogger("audiobuild")

FEMALE, MALE = GENDERS
_OTHER = {FEMALE: MALE, MALE: FEMALE}

# Words before a name that say whether its bearer is a woman or a man, in the languages we read.
HONORIFICS = {
    FEMALE: ("Ms", "Mrs", "Miss", "Madam", "Madame", "Dame", "Lady", "г-жа", "госпожа", "мисс", "миссис", "мадам"),
    MALE: ("Mr", "Sir", "Lord", "г-н", "господин", "мистер", "месье"),
}
_VOCATIVES = {FEMALE: ("madam", "ma'am", "ma’am", "сударыня"), MALE: ("sir", "сударь")}
_PRONOUNS = {FEMALE: ("she", "her", "hers", "herself"), MALE: ("he", "him", "his", "himself")}
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
    engines = {voice.engine for voice in [*profile.all_voices.values(), *stand_ins.all_voices.values()]}
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
    sides = _sides(first, profile, known)
    for role, (place, why) in sides.items():
        places[first[role]] = place, why
    spare = [f"extra[{index}]" for index in range(len(profile.extra))]
    for person in people:
        if person.name in places or person.role == NARRATOR:
            continue
        sign = known.get(person.name)
        fits = [place for place in spare if sign and profile.genders.get(place) == sign.gender]
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


def _sides(first: dict[str, str], profile: Profile, known: dict[str, Sign]) -> dict[str, tuple[str, str]]:
    """The first interviewer's and interviewee's places: each their own role's, or swapped where the text says."""
    sides = [role for role in (INTERVIEWEE, INTERVIEWER) if role in first]  # the interviewee's sign comes first
    genders = {role: profile.genders.get(role) for role in (INTERVIEWER, INTERVIEWEE)}
    both = set(genders.values()) == set(GENDERS)
    signed = [(role, known[first[role]]) for role in sides if first[role] in known]
    if not both or not signed:
        why = "the profile's order: no sign of sex in the text" if both else "the profile's voice for the role"
        if signed and not both:
            why += " (its two sides are not a female and a male voice)"
        return {role: (role, why) for role in sides}
    role, sign = signed[0]
    other = INTERVIEWER if role == INTERVIEWEE else INTERVIEWEE
    own = role if genders[role] == sign.gender else other
    result = {role: (own, f"{sign.gender} voice: {sign.evidence}")}
    if other in first:
        why = f"{_OTHER[sign.gender]} voice: the other side from {first[role]}"
        result[other] = (other if own == role else role), why
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
    people = [person for person in script.people if person.role != NARRATOR]
    names = {person.name: _name_words(person.name) for person in people}
    found: dict[str, list[Sign]] = {person.name: [] for person in people}
    for person in people:
        found[person.name] += _in_name(person.name, names[person.name])
    for number, segment in enumerate(script.segments, start=1):
        where = f"in segment {number}"
        for person in people:
            found[person.name] += _honorifics(segment.text, names[person.name], where)
        addressee = _addressee(script, number - 1)
        if addressee in found:
            found[addressee] += _vocatives(segment.text, where)
        if segment.role == NARRATOR and segment.kind in _NARRATOR_KINDS:
            for index, sentence in enumerate(segment.sentences):
                following = segment.sentences[index + 1] if index + 1 < len(segment.sentences) else ""
                for person in people:
                    others = [word for other, words in names.items() if other != person.name for word in words]
                    found[person.name] += _narrated(sentence, following, names[person.name], others, where)
    decided = {}
    for name, evidence in found.items():
        genders = {sign.gender for sign in evidence}
        if len(genders) == 1:
            decided[name] = evidence[0]
    return decided


def _name_words(name: str) -> list[str]:
    """The words of a display name that name the person: not honorifics, role words or initials."""
    honorifics = {word.casefold() for words in HONORIFICS.values() for word in words}
    return [
        word
        for word in _WORD.findall(name)
        if len(word) > 1 and word[0].isupper() and word.casefold().rstrip(".") not in honorifics | _NOT_NAMES
    ]


def _in_name(name: str, words: list[str]) -> list[Sign]:
    """Signs in the display name itself: an honorific ("Ms Smith"), a Russian surname's form."""
    found = []
    first = name.split()[0].rstrip(".") if name.split() else ""
    for gender, honorifics in HONORIFICS.items():
        if first.casefold() in {word.casefold() for word in honorifics}:
            found.append(Sign(gender, f"“{name}” in the speaker's label"))
    if len(words) >= 2:  # a surname: the last word after a first name ("Петрова" alone may be a first name)
        for gender, pattern in _SURNAMES.items():
            if pattern.fullmatch(words[-1].casefold()):
                found.append(Sign(gender, f"the surname's {gender} form, “{words[-1]}”"))
    return found


def _honorifics(text: str, words: list[str], where: str) -> list[Sign]:
    """An honorific just before one of the person's name words: "Mrs. Lopez", "Mr John Smith", "г-жа Петрова"."""
    if not words:
        return []
    name = "|".join(re.escape(word) for word in words)
    found = []
    for gender, honorifics in HONORIFICS.items():
        titles = "|".join(re.escape(word) for word in honorifics)
        pattern = rf"(?<![\w-])(?:{titles})\.?\s+(?:[A-ZА-ЯЁ][\w'’-]*\.?\s+){{0,2}}(?:{name})(?!\w)"
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


def _narrated(sentence: str, following: str, words: list[str], others: list[str], where: str) -> list[Sign]:
    """In the narrator's text: the first pronoun after the person's name, or the verb after it in Russian.

    The search stops where someone else may be named first, whose the pronoun
    could be: another speaker's name, or two capitalised words ("Tom Berg").
    """
    if not words:
        return []
    mention = re.search(rf"(?<!\w)(?:{'|'.join(re.escape(word) for word in words)})(?!\w)", sentence)
    if mention is None:
        return []
    if re.search(r"[а-яё]", mention[0], re.I):
        return _russian_verb(sentence[mention.end() :], words, mention[0], where)
    other = set(others) - set(words)
    for text in (sentence[mention.end() :], following):
        found = _WORD.findall(text)
        for index, word in enumerate(found):
            named = index + 1 < len(found) and word[0].isupper() and found[index + 1][0].isupper() and index
            if word in other or (named and word not in words):
                return []
            for gender, pronouns in _PRONOUNS.items():
                if word.casefold() in pronouns:
                    return [Sign(gender, f"“{word}” after “{mention[0]}” {where}")]
    return []


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
