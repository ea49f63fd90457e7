"""The cast of a labelled transcript: who each label names, their display name and their role."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from audiobuild.model import INTERVIEWEE, INTERVIEWER, NARRATOR
from audiobuild.parse.text import ends_question

_HONORIFICS = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "madam", "г-н", "г-жа"}
_CONNECTORS = {
    "of", "from", "the", "de", "del", "da", "di", "van", "von", "der", "den", "al", "bin", "la", "le",
    "and", "&", "in", "at", "for", "on", "и", "из",
}  # fmt: skip
# Labels that name a role rather than a person: every "Q:" is the same interviewer.
_ROLE_LABELS = {
    "q": INTERVIEWER, "question": INTERVIEWER, "interviewer": INTERVIEWER, "вопрос": INTERVIEWER,
    "a": INTERVIEWEE, "answer": INTERVIEWEE, "interviewee": INTERVIEWEE, "ответ": INTERVIEWEE,
    "witness": INTERVIEWEE, "narrator": NARRATOR,
}  # fmt: skip
# Words in a person's label that give away their role.
ROLE_WORDS = {
    **dict.fromkeys(
        ("host", "co-host", "presenter", "anchor", "moderator", "reporter", "correspondent", "journalist",
         "chair", "ведущий", "ведущая", "корреспондент", "журналист"), INTERVIEWER),
    **dict.fromkeys(("guest", "panelist", "panellist", "гость", "гостья"), INTERVIEWEE),
}  # fmt: skip
# First words of "Word: ..." paragraphs that introduce something other than a speaker.
_NOT_SPEAKERS = {
    "note", "editor's", "editors", "photo", "photos", "image", "video", "source", "sources", "update",
    "updated", "correction", "related", "read", "see", "also", "tags", "tip", "tips", "warning", "caution",
    "important", "disclaimer", "example", "step", "fact", "credit", "caption", "location", "date", "time",
    "price", "address", "phone", "email", "website", "contact", "summary", "conclusion", "keywords",
    "topics", "category", "categories", "breaking", "watch", "listen", "фото", "источник", "теги",
    "примечание", "читайте", "смотрите",
}  # fmt: skip
TURN_KINDS = {INTERVIEWER: "question", INTERVIEWEE: "answer", NARRATOR: "narration"}


def label_words(label: str) -> list[str] | None:
    """The words of a speaker label ("MS SMITH", "Evening show host Jane Smith"), or None."""
    words = re.sub(r"[(),]", " ", label).split()
    if not 1 <= len(words) <= 8 or len(label) > 60 or not words[0][0].isupper():
        return None
    if not all(re.fullmatch(r"[^\W\d_][\w'\u2019.\-]*|\d{1,3}", word) for word in words):
        return None
    if any(word.isdigit() for word in words[:-1]) or words[0].casefold() in _NOT_SPEAKERS:
        return None
    capitalised = [word[0].isupper() or word.isdigit() or word.casefold() in _CONNECTORS for word in words]
    if not all(capitalised):
        # A lowercase description may come before the name: "Evening show host Jane Smith".
        tail = len(capitalised) - max(index for index, upper in enumerate(capitalised) if not upper) - 1
        if tail < 2:
            return None
    return words


def _key(words: list[str]) -> frozenset[str]:
    """What identifies a person across labels: their words, less honorifics and connectors."""
    folded = [word.casefold().strip(".") for word in words]
    key = frozenset(word for word in folded if word not in _HONORIFICS and word not in _CONNECTORS)
    return key or frozenset(folded)


def _display_name(label: str) -> str:
    """How a label is shown: "MS SMITH" -> "Ms Smith", "Evening show host Jane Smith" -> "Jane Smith"."""
    words = label.split()
    letters = [char for char in label if char.isalpha()]
    if len(letters) > 1 and all(char.isupper() for char in letters):
        return " ".join(
            word.lower() if index and word.lower() in _CONNECTORS else word.title() for index, word in enumerate(words)
        )
    tail: list[str] = []
    for word in reversed(words):
        if not word[0].isupper():
            break
        tail.insert(0, word)
    return " ".join(tail) if 2 <= len(tail) < len(words) else label


@dataclass(eq=False)  # people are told apart by identity: two may share a name until roles are settled
class Person:
    """Someone who speaks: a role's default speaker or a person named by labels."""

    role: str | None
    name: str = ""
    words: frozenset[str] = frozenset()
    labels: list[str] = field(default_factory=list)
    turn_ends: list[str] = field(default_factory=list)  # the last paragraph of each of their turns
    last_turn: int = -1

    def question_share(self) -> float:
        """The share of this person's turns that end with a question."""
        return sum(map(ends_question, self.turn_ends)) / len(self.turn_ends) if self.turn_ends else 0.0

    def asks(self) -> bool:
        """True when more than half of this person's turns end with a question."""
        return self.question_share() > 0.5


class Cast:
    """The people of a script, matched label by label."""

    def __init__(self, names: dict[str, str]):
        self.defaults = {role: Person(role, name) for role, name in names.items()}
        self.people: list[Person] = []
        self.turns = 0

    def person(self, label: str) -> Person:
        """The person a label names: the same as an earlier label whose words contain its words, or the reverse."""
        words = label_words(label) or label.split()
        key = _key(words)
        role = _ROLE_LABELS.get(" ".join(sorted(key)))
        if role:
            return self.defaults[role]
        matches = [person for person in self.people if person.words <= key or key <= person.words]
        exact = [person for person in matches if person.words == key]
        if matches:
            # Two Smiths and a "MS SMITH:": the one who spoke last.
            person = exact[0] if exact else max(matches, key=lambda match: match.last_turn)
            person.words |= key
        else:
            person = Person(None, words=key)
            self.people.append(person)
        person.labels.append(label)
        return person

    def start_turn(self, person: Person, text: str) -> None:
        person.turn_ends.append(text)
        person.last_turn = self.turns
        self.turns += 1

    def continue_turn(self, person: Person, text: str) -> None:
        if person.turn_ends:
            person.turn_ends[-1] = text

    def settle(self, interviewee: str | None, byline_name: str | None, context: str) -> None:
        """Give each named person a role and a display name, once all their turns are known.

        `context` is the title, byline and intro, where "MS SMITH" may be
        introduced by her full name.
        """
        title_key = _key(interviewee.split()) if interviewee else None
        byline_key = _key(byline_name.split()) if byline_name else None
        undecided = []
        for person in self.people:
            hinted = [ROLE_WORDS[word] for word in sorted(person.words) if word in ROLE_WORDS]
            if hinted:
                person.role = hinted[0]
            elif title_key and (person.words <= title_key or title_key <= person.words):
                person.role, person.name = INTERVIEWEE, interviewee or ""
            elif byline_key and (person.words <= byline_key or byline_key <= person.words):
                person.role = INTERVIEWER
            elif self.defaults[INTERVIEWEE].turn_ends:
                # The answers are labelled "A." (a witness): everyone else is on the asking side.
                person.role = INTERVIEWER
            else:
                person.role = INTERVIEWER if person.asks() else INTERVIEWEE
                undecided.append(person)
        speaking = [person for person in [*self.people, *self.defaults.values()] if person.turn_ends]
        if undecided and len(speaking) >= 2 and all(person.role != INTERVIEWER for person in speaking):
            # Nobody asks most of the time: the one who asks most often is the interviewer.
            asker = max(undecided, key=lambda person: person.question_share())
            if asker.question_share() > 0:
                asker.role = INTERVIEWER
        for person in self.people:
            person.name = person.name or _full_name(
                min(map(_display_name, person.labels), key=_name_preference), context
            )

    def named_interviewee(self) -> str | None:
        """The one interviewee named by labels, if there is exactly one."""
        names = {person.name for person in self.people if person.role == INTERVIEWEE}
        return names.pop() if len(names) == 1 else None


# Words before a surname that are a title, not a first name ("Minister Smith").
_TITLES = {
    "minister", "president", "senator", "secretary", "spokesperson", "spokesman", "spokeswoman", "professor",
    "judge", "justice", "general", "ambassador", "mayor", "governor", "chairman", "chairwoman", "director",
    "doctor", "deputy", "press", "prime",
}  # fmt: skip


def _full_name(name: str, context: str) -> str:
    """ "Ms Smith" -> "Jane Smith" when the context names exactly one Smith in full, else `name`."""
    words = name.split()
    if len(words) != 2 or words[0].casefold().strip(".") not in _HONORIFICS:
        return name
    surname = words[1]
    firsts = {
        match.group(1)
        for match in re.finditer(
            rf"(?<![\w.])([A-Z\u0410-\u042f\u0401][\w'\-]+)\s+{re.escape(surname)}\b", context, re.IGNORECASE
        )
        if match.group(1)[0].isupper() and match.group(1).casefold().strip(".") not in _HONORIFICS | _TITLES
    }
    return f"{firsts.pop()} {surname.title() if surname.isupper() else surname}" if len(firsts) == 1 else name


def _name_preference(name: str) -> tuple[bool, int]:
    """Sort key for the best display name: a first and last name, then the shortest."""
    name_words = [word for word in name.split() if word.casefold().strip(".") not in _HONORIFICS | _CONNECTORS]
    return len(name_words) < 2, len(name.split())
