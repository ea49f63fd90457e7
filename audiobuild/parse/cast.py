"""The cast of a transcript: who each label names, and which side each person is on.

Labels name the same person when the words of one contain the other's
("JANE ROE" and "ROE", "MINISTRA ROCÍO ALVEAR-SANTANDER" and "MINISTRA
ALVEAR-SANTANDER"). A person's side comes, in order, from: their label's words
("host", "moderator", "caller", the chair of a sitting; "witness", "guest"),
the options and credits ("--interviewer", "Interview by ..."), the headline's
interviewee, and then from the turns themselves: who asks the others, and who
answers them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from audiobuild.model import DEFAULT_NAMES, INTERVIEWEE, INTERVIEWER, NARRATOR
from audiobuild.parse.labels import Label, _plain, label_key
from audiobuild.parse.names import display_name, identity, introduced_as, split_name
from audiobuild.parse.text import asks, ends_question
from audiobuild.parse.vocab import (
    CALLER_WORDS,
    CHAIR_WORDS,
    GENERIC_SPEAKERS,
    HONORIFICS,
    KEPT_TITLES,
    OFFICES,
    PARTICLES,
    ROLE_MARKERS,
    ROLE_WORDS,
)

TURN_KINDS = {INTERVIEWER: "question", INTERVIEWEE: "answer", NARRATOR: "narration"}
# A label that stands for the interviewee's side as a whole: every "A." and "THE WITNESS:" is the witness.
_SIDE_LABELS = {
    "witness": INTERVIEWEE,
    "the witness": INTERVIEWEE,
    "deponent": INTERVIEWEE,
    "the deponent": INTERVIEWEE,
}


@dataclass(eq=False)  # people are told apart by identity: two may share a name until roles are settled
class Person:
    """Someone who speaks: a side's default speaker ("Interviewer") or a person named by labels."""

    role: str | None
    name: str = ""
    words: frozenset[str] = frozenset()
    labels: list[Label] = field(default_factory=list)
    turns: list[str] = field(default_factory=list)  # the text of each of their turns
    asked: int = 0  # turns that asked someone else something
    answered: int = 0  # turns that answered someone else's question
    last_turn: int = -1
    initials: set[str] = field(default_factory=set)  # the short forms later labels may use: "CS", "JR"

    def question_share(self) -> float:
        """The share of this person's turns that end with a question."""
        return sum(map(ends_question, self.turns)) / len(self.turns) if self.turns else 0.0


@dataclass(frozen=True)
class Hints:
    """What the text around the turns says about who is who."""

    interviewee: str | None = None  # named by the headline or intro
    outright: bool = False  # the interviewee is named by the headline or a cue ("we spoke to"), not guessed
    interviewer: str | None = None  # named by a credit ("Interview by ..."), or --interviewer
    forced_interviewer: bool = False  # --interviewer: only the people it names ask
    writer: str | None = None  # the byline's name: the interviewer if they also speak under a label
    site: str | None = None  # the publication: "HANSEBLICK:" labels its reporter's questions
    language: str = ""
    context: str = ""  # title, byline, intro, header lines and the turns: where full names are written


# People named by labels in one article, at most: a hearing or a panel has a few dozen. Past it the labels are a
# list, not speech, and matching each label with everyone named before it would grow as the square of their count.
MAX_SPEAKERS = 100


class TooManySpeakers(Exception):
    """A label named one person more than MAX_SPEAKERS; its text is the exception's argument."""


class Cast:
    """The people of a script, matched label by label, and their turns in order."""

    def __init__(self, names: dict[str, str] | None = None):
        self.defaults = {role: Person(role, name) for role, name in (names or DEFAULT_NAMES).items()}
        self.people: list[Person] = []
        self.sequence: list[Person] = []

    def person(self, label: Label) -> Person:
        """The person a label names: the same as an earlier label whose words contain its words, or the reverse."""
        marker = ROLE_MARKERS.get(_plain(label.name)) or _SIDE_LABELS.get(_plain(label.name))
        if marker:
            person = self.defaults[marker]
            person.labels.append(label)
            return person
        key = label_key(identity(label)) - {_plain(word) for word in KEPT_TITLES}
        short = label.name.replace(".", "") if re.fullmatch(r"(?:[A-ZА-ЯЁ]\.?){2,3}", label.name) else None
        known = [person for person in self.people if short and short in person.initials]
        if known:  # "CS:" after "Cameron Sinclair (“CS”):", "JR:" or "J.R.:" after "Jane Roe:"
            known[0].labels.append(label)
            return known[0]
        matches = [person for person in self.people if person.words <= key or key <= person.words]
        exact = [person for person in matches if person.words == key]
        if matches:
            # Two Smiths and a "MS. SMITH:": the one who spoke last.
            person = exact[0] if exact else max(matches, key=lambda match: match.last_turn)
            person.words |= key
        else:
            if len(self.people) >= MAX_SPEAKERS:
                raise TooManySpeakers(label.text)
            person = Person(None, words=key)
            self.people.append(person)
        person.labels.append(label)
        person.initials |= _initials(label)
        return person

    def start_turn(self, person: Person, text: str) -> None:
        person.turns.append(text)
        person.last_turn = len(self.sequence)
        self.sequence.append(person)

    def other_side(self, person: Person) -> Person:
        """Who spoke last before `person`'s turn: the one they were talking with (the interviewer by default)."""
        earlier = (speaker for speaker in reversed(self.sequence[: person.last_turn]) if speaker is not person)
        return next(earlier, self.defaults[INTERVIEWER])

    def continue_turn(self, person: Person, text: str) -> None:
        if person.turns:
            person.turns[-1] = f"{person.turns[-1]} {text}"

    def settle(self, hints: Hints) -> None:
        """Give each named person a side and a display name, once all their turns are known."""
        self._count_questions()
        names = {person: self._name(person, hints) for person in self.people}
        undecided = []
        # Labelled "A." (a witness): everyone else is on the asking side. Labelled "Q"/"PREGUNTA" (reporters),
        # and no "A.": everyone else answers, whatever they ask the room ("¿qué creen?").
        sides = (
            INTERVIEWER
            if self.defaults[INTERVIEWEE].turns
            else INTERVIEWEE
            if self.defaults[INTERVIEWER].turns
            else None
        )
        for person in self.people:
            person.role = self._role(person, names[person], hints, sides)
            if person.role is None:
                opener = self.sequence[:1] == [person] and not person.asked and not person.answered
                person.role = INTERVIEWER if person.asked > person.answered or opener or (
                    person.asked == person.answered and person.question_share() > 0.5) else INTERVIEWEE  # fmt: skip
                undecided.append(person)  # who opens the show, asked or answered nothing, is its host
        callers = [person for person in undecided if _words(person) & CALLER_WORDS]
        if any(person.role == INTERVIEWEE and person.answered >= 2 for person in self.people if person not in callers):
            for person in callers:
                person.role = INTERVIEWER  # callers to a guest ask; without a guest, they answer the host
        speaking = [person for person in [*self.people, *self.defaults.values()] if person.turns]
        if undecided and len(speaking) >= 2 and all(person.role != INTERVIEWER for person in speaking):
            # Nobody asks most of the time: the one who asks most often is the interviewer.
            asker = max(undecided, key=lambda person: (person.asked, person.question_share()))
            if asker.asked or asker.question_share() > 0:
                asker.role = INTERVIEWER
        if (
            len(self.people) >= 3
            and all(len(person.turns) == 1 for person in self.people)
            and not any(person.labels[0].shape == "role" for person in self.people)
            and not self.defaults[INTERVIEWER].turns
        ):
            for person in undecided:
                person.role = INTERVIEWEE  # a vox pop: everyone answers the question the intro asked
        for person in self.people:
            person.name = names[person]
            if hints.site and hints.interviewer and _same(person.labels[0].name, hints.site):
                person.name = hints.interviewer  # the magazine's label stands for the reporter the credit names
        if hints.interviewer and (self.defaults[INTERVIEWER].turns or hints.forced_interviewer):
            self.defaults[INTERVIEWER].name = hints.interviewer
        asking = [person for person in self.people if person.role == INTERVIEWER]
        if hints.interviewee and self.defaults[INTERVIEWEE].turns and not any(
                _same(person.name, hints.interviewee) for person in asking):  # fmt: skip
            self.defaults[INTERVIEWEE].name = hints.interviewee

    def _count_questions(self) -> None:
        """Who asks the next speaker something, and who answers the one before."""
        seen: dict[int, int] = {}
        texts = []
        for person in self.sequence:  # each turn's text: the person's turns in the order they spoke them
            texts.append(person.turns[seen.get(id(person), 0)])
            seen[id(person)] = seen.get(id(person), 0) + 1
        for index, person in enumerate(self.sequence):
            following = self.sequence[index + 1] if index + 1 < len(self.sequence) else None
            if following is not None and following is not person and asks(texts[index]):
                person.asked += 1
            if index and self.sequence[index - 1] is not person and asks(texts[index - 1]):
                person.answered += 1

    def _name(self, person: Person, hints: Hints) -> str:
        labels = {(label.text, label.name, label.descriptor): label for label in person.labels}.values()
        # A label that gives the whole name ("Friederike Gonzalez Schmitz") is how the transcript names the person;
        # the context only completes one that does not ("MS. HALVORSEN" -> "Dana Halvorsen").
        generic = all(_plain(label.name.split()[0]) in GENERIC_SPEAKERS for label in labels)
        introduced = introduced_as(person.turns[0]) if generic and person.turns else None
        if introduced:  # "Speaker 2: Hi, my name is Travis Nakagawa.": the label stands for him
            return introduced
        whole = [display_name(label, "", hints.language) for label in labels if _whole_name(label.name)]
        names = whole or [display_name(label, hints.context, hints.language) for label in labels]
        return min(names, key=_name_preference)

    def _role(self, person: Person, name: str, hints: Hints, side: str | None) -> str | None:
        words = _words(person)
        if hints.forced_interviewer:  # --interviewer: the person it names asks, the others answer
            return INTERVIEWER if _same(name, hints.interviewer) else INTERVIEWEE
        chair = CHAIR_WORDS.get(hints.language, frozenset())
        hinted = sorted({ROLE_WORDS[word] for word in words if word in ROLE_WORDS})
        if len(hinted) == 1:
            return hinted[0]
        if any(label.numbered for label in person.labels):
            return INTERVIEWER  # "Q3 Jane Roe:": a committee's numbered questions
        if side:
            return side
        if words & chair and (any(_FLOOR.search(turn) for turn in person.turns) or not person.answered):
            return INTERVIEWER
        if hints.site and _same(person.labels[0].name, hints.site):
            return INTERVIEWER  # "SPIEGEL:" is how a magazine labels its reporter's questions
        if hints.interviewee and hints.outright and _same(name, hints.interviewee):
            return INTERVIEWEE  # a guess from the intro's first name does not outweigh what the turns show
        if hints.interviewer and _same(name, hints.interviewer):
            return INTERVIEWER
        if hints.writer and _same(name, hints.writer):
            return INTERVIEWER
        if words & OFFICES and person.answered > person.asked:
            return INTERVIEWEE
        return None

    def interviewees(self) -> list[Person]:
        """The people on the answering side who speak, the default "Interviewee" included, in order."""
        people = [person for person in [*self.people, self.defaults[INTERVIEWEE]] if person.turns]
        return [person for person in people if person.role == INTERVIEWEE]


def addressed(person: Person, text: str) -> bool:
    """True when `text` speaks to `person` by name ("Herzlichen Dank, Friederike, und bis bald"): a name set off
    by commas or ending a sentence is a vocative, and nobody addresses themselves, so someone else says it."""
    names = {word for label in person.labels for word in label.name.split() if len(word) > 2 and word[0].isupper()}
    return any(re.search(rf"(?:^|[,;]\s*){re.escape(name)}\s*[,!?]", text) for name in names)


def _initials(label: Label) -> set[str]:
    """The short forms of a label: its abbreviation in brackets ("Cameron Sinclair (“CS”)"), its initials."""
    declared = re.fullmatch(r"[“\"'«]?([A-ZА-ЯЁ]{2,4})[”\"'»]?", label.descriptor.strip())
    words = [word for word in re.split(r"[\s.]+", label.name) if word and _plain(word) not in HONORIFICS | KEPT_TITLES]
    initials = "".join(word[0] for word in words).upper()
    return {declared.group(1)} if declared else {initials} if 2 <= len(initials) <= 3 else set()


# What a chair says when giving the floor: the chair of a sitting is on the asking side, a president who
# answers a press conference is not.
_FLOOR = re.compile(
    r"\b(?:la parole est à|vous avez la parole|je donne la parole|tiene la palabra|tiene usted la palabra|"
    r"das wort hat|hat das wort|das wort für|frage stellt|nachfrage|i call|i recognize|is recognized|"
    r"you are recognized|the floor is yours|order, order|предоставляется слово|слово предоставляется)\b",
    re.IGNORECASE,
)


def _words(person: Person) -> set[str]:
    """The words of a person's labels and their descriptors: "MARCUS (Caller)" -> marcus, caller."""
    return {
        _plain(word.strip(",()[]")) for label in person.labels for word in f"{label.name} {label.descriptor}".split()
    }


def _same(name: str, other: str | None) -> bool:
    """True when the words of one name contain the other's surname ("Dana Halvorsen" and "Halvorsen")."""
    if not other:
        return False
    mine, theirs = label_key(name), label_key(other)
    return bool(mine) and bool(theirs) and (mine <= theirs or theirs <= mine or _stems_meet(mine, theirs))


def _stems_meet(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    """Russian names in another case: "Лемешев" and "Лемешева" share their stem."""
    return any(a[:-1] == b[:-1] and len(a) > 4 or a.startswith(b) and len(a) - len(b) <= 2 and len(b) > 4
               or b.startswith(a) and len(b) - len(a) <= 2 and len(a) > 4 for a in mine for b in theirs)  # fmt: skip


def _whole_name(name: str) -> bool:
    """A label that names someone whole: a given name and a surname, with no courtesy word or office before them
    ("El señor SAGASTI URQUIJO" gives two surnames; "Mr. J. Roe" an initial)."""
    prefix, words = split_name(name)
    named = [word for word in words if len(word.strip(".")) > 1 and _plain(word) not in PARTICLES]
    return not prefix and 2 <= len(named) <= 4  # five words or more: an office written out, then the name


def _name_preference(name: str) -> tuple[bool, bool, int]:
    """Sort key for the best display name: a first and last name ("van der Meer" has only the last), then one
    with its academic title ("Dr. Omar Haddad"), then the shortest."""
    words = [_plain(word) for word in name.split()]
    named = [word for word in words if word not in PARTICLES | KEPT_TITLES | OFFICES]
    return len(named) < 2, not any(word in KEPT_TITLES for word in words), len(words)
