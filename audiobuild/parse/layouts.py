"""Layouts: which paragraphs start a turn, and whose, inferred from the whole text.

Every paragraph is first classified by its own marker: a dash, a speaker
label, bold, a heading, a list bullet, or none. Then each candidate layout is
scored over all of them, as jusText classifies blocks by their features and
lets their neighbours decide:

* ``dashes``: dash paragraphs alternate between the sides, starting with a question;
* ``labels``: labelled turns, in one label style (its separator: colon, full
  stop, dash, ``.-``, ``:-``, spaces); role markers such as ``Q``/``A`` join any style;
* ``label-lines``: the same, with each label alone on its line above the turn;
* ``qa``: only role markers, ``Q:``/``A:``, ``Pregunta.``/``Respuesta.``;
* ``one-side``: only the asking side is labelled (``Q:`` paragraphs, plain answers);
* ``bold-questions``: bold paragraphs (or headings) that ask, each followed by its answer;
* ``plain-questions``: unmarked paragraphs that are a question, each followed by its answer;
* ``plain``: an article with no dialogue.

A layout's score is the number of turns it finds, weighed by how well they
hold together: the share of labels in the dominant shape (capitals or not),
how often the speaker changes from one turn to the next, how many labels
recur, and whether the asking side asks. The best layout wins; `Layout` keeps
the runner-up, and the label-like paragraphs it read as text.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field, replace

from audiobuild.model import INTERVIEWEE, INTERVIEWER, LAYOUTS
from audiobuild.parse.cast import Cast
from audiobuild.parse.furniture import STAMP, furniture_reason
from audiobuild.parse.labels import COLON, DASH, LINE, Label, label_key, read_label
from audiobuild.parse.names import SELF_INTRODUCTION
from audiobuild.parse.text import (
    asks,
    ends_sentence,
    has_question,
    heading_like,
    is_direction,
    opens_quotation,
    spoken_text,
    strip_markup,
)
from audiobuild.parse.vocab import OFFICES, ROLE_MARKERS, ROLE_WORDS
from audiobuild.parse.zones import HEADING, Paragraph

__all__ = ["LAYOUTS", "Block", "Layout", "Turn", "classify", "find_layout", "text_block"]

log = logging.getLogger("audiobuild")

# A dialogue's dash: "- ", "– ", "— ", or an en or em dash glued to the word ("–Sí, sinceramente."), perhaps
# inside the bold that marks the question ("**–¿Qué piensa ahora?**").
_DASH = re.compile(r"^(?:\*\*)?(?:[-\u2013\u2014]\s+|[\u2013\u2014](?=[^\W\d_]|[¿¡\"«„“]))(?=\S)")
_BULLET = re.compile(r"^(?:[\u2022\u00b7\u25aa\u25cf*+]\s+|(?P<number>\d{1,2}[.)])\s+)(?=\S)")
_QUOTE = re.compile(r"^>\s*")
_BOLD = re.compile(r"^(?:\*\*|__)(?=\S)(?P<inner>.+?)(?<=\S)(?:\*\*|__)$")
_ITALIC = re.compile(r"^(?:\*(?!\*)|_(?!_))(?=\S)(?P<inner>[^*_]+?)(?<=\S)[*_]$")
# "BY MR. HARLOW:" in a court transcript starts an examination: the Q. that follow are his.
EXAMINATION = re.compile(
    r"^(?:(?:direct|cross|redirect|recross|further)[- ]examination\s+)?by\s+(?P<name>(?:mr|ms|mrs|dr|miss)\.?\s+"
    r"[\w'\-]+(?:\s[\w'\-]+)?):?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Block:
    line: int
    tag: str  # text, heading, item, dash, label, bold, italic, direction, aside, furniture
    text: str  # the content, without its marker (a furniture block: as written)
    label: Label | None = None  # the speaker label of a "label" block
    reason: str = ""  # why a furniture block is furniture
    source: str = ""  # the paragraph as written, for a label that turns out to be text


@dataclass(frozen=True)
class Turn:
    """A paragraph that starts someone's turn: a labelled person's, or a side's (dashes, unlabelled answers)."""

    label: Label | None
    side: str | None = None  # INTERVIEWER or INTERVIEWEE for a turn without a label
    single: bool = False  # the turn is this paragraph alone: an answer without a label follows it


@dataclass
class Layout:
    """The layout chosen for a text: its turns, its score, the runner-up, and the label-like text it left."""

    name: str
    score: float
    turns: dict[int, Turn] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    runner_up: tuple[str, float] | None = None
    unread_labels: list[Block] = field(default_factory=list)
    doubts: list[int] = field(default_factory=list)  # lines a close runner-up reads otherwise (start or not a turn)


# Furniture that stays furniture behind a list's bullet, a dash or a heading mark: a list of share links or
# promos goes item by item. (A date or a time there is a speaker's answer or a list's item.)
_MARKED_FURNITURE = {
    "promo", "link", "template leftover", "share/print line", "navigation line", "subscription notice",
    "image caption", "photo credit", "copyright line", "download link", "advertisement", "cookie banner",
    "site banner", "comments block", "poll",
}  # fmt: skip


_OPENING_STAMP = re.compile(rf"^[\[(]{STAMP}[\])]\s+(?=\S)")


def classify(paragraph: Paragraph) -> Block:
    """A paragraph as a block, by its own marker (furniture first)."""
    # "• Share", "## Transcript", "*Photos: ...*" are furniture too
    plain = strip_markup(HEADING.sub("", _BULLET.sub("", paragraph.text, count=1)))
    reason = furniture_reason(paragraph.text, raw=paragraph.raw) or furniture_reason(plain)
    if reason:
        return Block(paragraph.line, "furniture", paragraph.text, reason=reason)
    quote = _QUOTE.match(paragraph.text)
    text = paragraph.text[quote.end() :] if quote else paragraph.text
    if EXAMINATION.match(text):
        return Block(paragraph.line, "furniture", text, reason="examination line", source=text)
    for tag, pattern in (("heading", HEADING), ("dash", _DASH)):
        match = pattern.match(text)
        if match:
            content = strip_markup(text[match.end() :].removesuffix("**") if match.group(0).startswith("**") else
                                   text[match.end() :])  # fmt: skip
            reason = furniture_reason(content)
            if reason in _MARKED_FURNITURE:
                return Block(paragraph.line, "furniture", paragraph.text, reason=reason)
            label = read_label(content) if tag == "heading" else None
            if label and label.rest and (asks(label.rest) or _plain(label.name) in ROLE_MARKERS):
                return Block(paragraph.line, "label", label.rest, label=label, source=text)  # "## L.A. WEEKLY: ...?"
            return Block(paragraph.line, tag, content, source=text)
    bullet = _BULLET.match(text)
    if bullet and not text.startswith("**"):
        # A number is part of what is read ("2. Add the flour"); a bullet is not.
        number = bullet.group("number")
        content = strip_markup(text[bullet.end() :])
        reason = furniture_reason(content)
        if reason in _MARKED_FURNITURE:
            return Block(paragraph.line, "furniture", paragraph.text, reason=reason)
        return Block(paragraph.line, "item", f"{number} {content}" if number else content, source=text)
    label = read_label(text, paragraph.raw)
    if label:
        return Block(paragraph.line, "label", strip_markup(label.rest), label=label, source=text)
    if _BOLD.match(text):
        return Block(paragraph.line, "bold", strip_markup(text), source=text)
    if _ITALIC.match(text):
        return Block(paragraph.line, "italic", strip_markup(text), source=text)
    return text_block(paragraph.line, text)


def text_block(line: int, text: str) -> Block:
    """A paragraph with no marker (or one whose marker turned out to be no speaker's); a time stamp opening it
    ("(00:59) Well, you look down once") is the recording's, not the text's."""
    text = _OPENING_STAMP.sub("", text)
    if is_direction(text):
        return Block(line, "direction", text, source=text)
    if re.fullmatch(r"\*?[(\[][^()\[\]]*[)\]]\.?\*?", text):
        return Block(line, "aside", strip_markup(text), source=text)
    return Block(line, "text", strip_markup(text), source=text)


# A runner-up scoring this share of the chosen layout's score or more is close: the reading is in doubt where
# the two disagree. Set on the shared real transcripts: of those read right, few come this close.
CLOSE = 0.75


def find_layout(blocks: list[Block], forced: str | None = None, interview: bool = False) -> Layout:
    """The best layout of `blocks` (or the `forced` one), with its turns and the blocks as it reads them.

    `interview` says that the title or intro calls the piece an interview, which
    unmarked questions need before they count as turns.
    """
    candidates = [*_label_layouts(blocks, interview), _dash_layout(blocks), _bold_layout(blocks)]
    candidates.append(_plain_question_layout(blocks, interview))
    candidates = sorted((layout for layout in candidates if layout is not None), key=lambda layout: -layout.score)
    plain = Layout("plain", 1.0)
    ranked = [*candidates, plain] if not candidates or candidates[0].score > plain.score else [plain, *candidates]
    if forced:
        chosen = next((layout for layout in ranked if layout.name == forced), None)
        if chosen is None:
            log.warning("the text has no turns in the %s layout (--layout): it is read as %s, the best guess",
                        forced, ranked[0].name)  # fmt: skip
        else:
            ranked = [chosen, *(layout for layout in ranked if layout is not chosen)]
    best = ranked[0]
    runner = next((layout for layout in ranked[1:] if layout.name != best.name), None)
    best.runner_up = (runner.name, round(runner.score, 1)) if runner else None
    if runner is not None and runner.turns and runner.score >= CLOSE * best.score:
        best.doubts = sorted({blocks[index].line for index in set(best.turns) ^ set(runner.turns)})
    best.blocks, best.unread_labels = _settle(blocks, best)
    best.score = round(best.score, 1)
    return best


# ---------------------------------------------------------------------------
# Labelled turns


def _label_layouts(blocks: list[Block], interview: bool) -> list[Layout]:
    """One candidate per label style, role markers joining each."""
    labels = {index: block.label for index, block in enumerate(blocks) if block.tag == "label" and block.label}
    labels = {index: label for index, label in labels.items()
              if not label.own_line or _followed_by_text(blocks, index)}  # fmt: skip
    labels = _without_metadata(labels)
    markers = {index for index, label in labels.items() if label.shape == "role"}
    styles = Counter(label.style for index, label in labels.items() if index not in markers)
    layouts = []
    for style in [*styles, None] if styles else [None]:
        chosen = {index: label for index, label in labels.items() if index in markers or label.style == style}
        layout = _label_layout(blocks, chosen, interview)
        if layout:
            layouts.append(layout)
    return layouts


def _followed_by_text(blocks: list[Block], index: int) -> bool:
    """A label alone on its line needs the turn's text below it (past any furniture such as a time stamp).

    Text that opens like a label of another kind ("Herr Kollege, die Ausschreibung...") is still text.
    """
    label = blocks[index].label
    following = next((block for block in _after(blocks, index) if block.tag != "furniture"), None)
    if following is None:
        return False
    if following.tag == "label":
        return not following.label.own_line and following.label.separator != label.separator
    return following.tag in ("text", "bold", "item", "direction", "aside", "dash")


def _without_metadata(labels: dict[int, Label]) -> dict[int, Label]:
    """Labels less the fields of a record ("Interviewer: Hollis Oduya", "Date: May 6"): short values, no sentence."""
    values: dict[str, list[str]] = {}
    for label in labels.values():
        values.setdefault(label.name.casefold(), []).append(spoken_text(label.rest) or label.rest)
    fields = {
        name
        for name, rests in values.items()
        if all(len(rest.split()) in range(1, 6) and rest[-1] not in ".?!…" for rest in rests)
    }
    return {index: label for index, label in labels.items() if label.name.casefold() not in fields}


def _label_layout(blocks: list[Block], labels: dict[int, Label], interview: bool) -> Layout | None:
    cast = Cast()
    people = {index: cast.person(label) for index, label in sorted(labels.items())}
    counts = Counter(people.values())
    markers = {index for index, label in labels.items() if _plain(label.name) in ROLE_MARKERS}
    generic = {index for index, label in labels.items() if label.shape == "role" and index not in markers}
    named = [index for index in people if index not in markers | generic]
    repeated = {people[index] for index in named if counts[people[index]] >= 2}
    shapes = Counter(labels[index].shape for index in named)
    dominant = shapes.most_common(1)[0][0] if shapes else None
    placed = Counter(labels[index].own_line for index in named if people[index] in repeated).most_common(1)
    first_repeat = min((index for index in named if people[index] in repeated), default=None)
    marker_separators = {labels[index].separator for index in markers}
    accepted = set(markers | generic)
    for index in named:
        label, person = labels[index], people[index]
        if person in repeated:
            accepted.add(index)
        elif repeated and label.shape == dominant and label.own_line == placed[0][0] and _speaks(blocks, index):
            if first_repeat is None or index > first_repeat or not _opening_line(label):
                accepted.add(index)
        elif not repeated and label.separator in marker_separators and _speaks(blocks, index):
            if not _opening_line(label):
                accepted.add(index)  # "Frage: ..." then "Peschke: ...": the one who answers the marked questions
    speaking = [index for index in named if not _opening_line(labels[index]) and _speaks(blocks, index)]
    if not repeated and not markers and len({labels[index].shape for index in speaking}) == 1:
        # Every name once, in one shape: a vox pop; or, in a piece that calls itself an interview, its excerpt.
        if labels[speaking[0]].separator != LINE and (len(speaking) >= 3 or (len(speaking) == 2 and interview)):
            accepted |= set(speaking)
    if any(labels[index].separator == LINE for index in accepted - markers - generic):
        lines = Counter(people[index] for index in accepted - markers - generic)
        if sum(count >= 2 for count in lines.values()) < 2:
            return None  # names alone on a line, none of them twice: headings, not speakers
    if len(accepted) < 2 or all(ROLE_MARKERS.get(_plain(labels[index].name)) == INTERVIEWEE for index in accepted):
        return None
    turns = sorted(accepted)
    sequence = [people[index] for index in turns]
    alternation = sum(a is not b for a, b in zip(sequence, sequence[1:])) / max(1, len(sequence) - 1)
    consistency = shapes[dominant] / len(named) if named else 1.0
    recurring = 1 - len(set(sequence)) / len(sequence)
    score = len(turns) * (0.5 + 0.5 * alternation) * consistency * (0.7 + 0.3 * recurring)
    one_side = len(set(sequence)) == 1
    if one_side:
        answered = [index for index in turns if _answer_after(blocks, index) is not None]
        replies = [_answer_after(blocks, index) for index in answered]
        labelled_ask = sum(asks(labels[index].rest or blocks[index].text) for index in turns)
        others_ask = sum(asks(blocks[index].text) for index in replies)
        if len(answered) < 2 or not (labelled_ask or others_ask):
            return None
        # Mostly the labelled side asks ("Q: ..." and plain answers); else it answers, and the plain paragraphs
        # between its turns are the questions ("Prezydent RP: ..." after unlabelled questions).
        asking = labelled_ask >= others_ask
        turns_map = {index: Turn(labels[index], single=asking) for index in turns}
        for index in replies:
            turns_map[index] = Turn(None, side=INTERVIEWEE if asking else INTERVIEWER, single=not asking)
        opening = [index for index in labels if index < turns[0] and not asking and asks(labels[index].rest)][:1]
        turns_map.update({index: Turn(labels[index]) for index in opening})  # who asked first, by name
        return Layout("one-side", 2 * len(answered) * 0.9, _styled_labels(blocks, turns_map))
    name = "qa" if accepted <= markers else "label-lines" if _mostly_own_line(labels, turns) else "labels"
    turns_map = {index: Turn(labels[index]) for index in turns}
    introduced = _introduced(blocks, turns[0], {people[index]: labels[index] for index in reversed(turns)})
    if introduced is not None:
        turns_map[introduced[0]] = Turn(introduced[1])
    return Layout(name, score, turns_map)



def _introduced(blocks: list[Block], first: int, people: dict) -> tuple[int, Label] | None:
    """The paragraph before the first label where a labelled speaker says who they are, and that speaker's label."""
    for index in range(first):
        if blocks[index].tag != "text":
            continue
        for match in SELF_INTRODUCTION.finditer(blocks[index].text):  # "This is FRESH AIR. I'm Terry Gross."
            named = {word.casefold() for word in match.group("name").split()}
            speaker = next((label for person, label in people.items() if person.words & named), None)
            if speaker is not None:
                return index, speaker
    return None


def _plain(name: str) -> str:
    return name.casefold().strip(" .")


def _after(blocks: list[Block], index: int):
    """The blocks after `index`, one at a time: not a copy of the rest (a copy per label grows as their square)."""
    return (blocks[later] for later in range(index + 1, len(blocks)))


def _speaks(blocks: list[Block], index: int) -> bool:
    """A label used once is a speaker's only if words follow it: a sentence, or a few words at least.

    Below a label alone on its line, two words are no turn ("TranscriptLedger" above "Search transcripts...").
    """
    label = blocks[index].label
    if not label.own_line:
        return ends_sentence(label.rest) or len(label.rest.split()) >= 3
    text = next((block.text for block in _after(blocks, index) if block.tag != "furniture"), "")
    return len(text.split()) >= 4 or (len(text.split()) >= 2 and ends_sentence(text) and not text.endswith(".."))


def _opening_line(label: Label) -> bool:
    """Before the dialogue starts, a label used once that is rather a dateline ("MOSCOW: ...") or a headline."""
    word = _plain(label.name)
    dateline = (
        label.separator in (COLON, DASH)
        and len(label.name.split()) == 1
        and label.shape == "caps"
        and word not in ROLE_WORDS.keys() | OFFICES
    )
    headline = bool(label.rest) and len(label.rest.split()) <= 15 and label.rest.rstrip("\"'”»*")[-1:] not in ".!?…"
    return dateline or headline


def _mostly_own_line(labels: dict[int, Label], turns: list[int]) -> bool:
    return sum(labels[index].own_line for index in turns) > len(turns) / 2


def _answer_after(blocks: list[Block], index: int, labelled: bool = False) -> int | None:
    """The first text paragraph after a question that is its own turn: the start of the answer.

    `labelled`: a paragraph under a speaker's label answers too ("**McKelvey:** ...").
    """
    for position in range(index + 1, len(blocks)):
        block = blocks[position]
        if block.tag in ("furniture", "direction", "aside"):
            continue
        if labelled and block.tag == "label" and block.label.rest and not block.label.own_line:
            return position
        return position if block.tag in ("text", "item", "dash") else None
    return None


# ---------------------------------------------------------------------------
# Dashes, bold questions and plain questions


def _dash_layout(blocks: list[Block]) -> Layout | None:
    """Dash paragraphs that are turns, not list items.

    Dash lines after a line ending in a colon are a list until one asks a
    question, and so are two or more dash lines in a row that are not
    sentences; a text whose dash lines never ask a question has no dialogue
    ("Were you afraid? Tell us about the storm." asks one).
    """
    listed: set[int] = set()
    after_colon = False
    for index, block in enumerate(blocks):
        if block.tag == "furniture":
            continue
        if block.tag != "dash":
            after_colon = block.text.endswith(":")
        elif after_colon and not has_question(block.text):
            listed.add(index)
        else:
            after_colon = block.text.endswith(":")
    run: list[int] = []
    for index, block in enumerate([*blocks, Block(0, "end", "")]):
        if block.tag == "dash":
            run.append(index)
            continue
        if block.tag == "furniture":
            continue
        if len(run) >= 2 and not any(ends_sentence(blocks[item].text) for item in run):
            listed.update(run)
        run = []
    turns = [index for index, block in enumerate(blocks) if block.tag == "dash" and index not in listed]
    if len(turns) < 2 or not any(has_question(blocks[index].text) for index in turns):
        return None
    asking = sum(has_question(blocks[index].text) for index in turns[::2]) / len(turns[::2])
    return Layout("dashes", len(turns) * (0.5 + 0.5 * asking), {index: Turn(None) for index in turns})


def _bold_layout(blocks: list[Block]) -> Layout | None:
    """Bold (or italic) paragraphs, or else headings, that ask: the questions; what follows each, its answer.

    An answer may carry its speaker's label ("**McKelvey:** ..."), and the first exchange may name both sides
    ("fluter.de: ...?" / "Felix Stalder: ..."): the style then stands for those names (`_styled_labels`).
    """
    for tag in ("bold", "italic", "heading"):
        marked = [index for index, block in enumerate(blocks) if block.tag == tag]
        # The same prompts put to guest after guest ("Эксклюзивный рецепт для быстрого ужина.") ask, statements
        # or not: two or more styled lines, each three times or more before an answer. (A heading that recurs
        # is a section's name: "## River" over each part of a piece about rivers.)
        put = Counter(blocks[index].text for index in marked if _answer_after(blocks, index) is not None)
        prompts = {text for text, count in put.items() if count >= 3} if tag != "heading" else set()
        asking = [index for index in marked if asks(blocks[index].text) or _introduces_quotation(blocks, index)
                  or len(prompts) >= 2 and blocks[index].text in prompts]  # fmt: skip
        opening = _first_exchange(blocks, marked[0]) if marked else []  # a named first exchange asks too
        asked = len(asking) + bool(opening)
        if not asking or asked < 2 or asked < 0.6 * (len(marked) + bool(opening)):
            continue
        # From the first question on; or from the first styled paragraph, when a named exchange opens there
        # (a statement can be a question: "Klingt nach Überwachung.").
        start = marked[0] if opening else asking[0]
        # Up to the last question, and after it what is marked up as the questions are ("## **...please!**");
        # other styled lines after it are the page's (a bio's heading, "Links").
        styles = Counter(_markup(blocks[index]) for index in asking).most_common(1)[0][0]
        span = [index for index in marked
                if start <= index <= asking[-1] or (index > asking[-1] and _markup(blocks[index]) == styles)]
        answers = {index: _answer_after(blocks, index, labelled=True) for index in span}
        questions = [index for index, answer in answers.items() if answer is not None]
        turns = {index: Turn(None, side=INTERVIEWER, single=True) for index in questions}
        cast = Cast()  # "Friederike Gonzalez Schmitz:" once, then "Friederike:": one person, who recurs
        speakers = Counter(cast.person(block.label) for block in blocks if block.tag == "label")
        # A name that recurs, not a phrase; over a turn's words, not a field's value ("IG: @handle").
        def named(position: int) -> bool:
            block = blocks[position]
            return block.tag == "label" and speakers[cast.person(block.label)] >= 2 and _speaks(blocks, position)

        for number, index in enumerate(questions):
            answer = answers[index]
            turns[answer] = Turn(blocks[answer].label) if named(answer) else Turn(None, side=INTERVIEWEE)
            following = questions[number + 1] if number + 1 < len(questions) else len(blocks)
            # Two guests may answer one question: "Weber: ..." then "Mosbacher: ...".
            turns.update({position: Turn(blocks[position].label)
                          for position in range(answer + 1, following) if named(position)})  # fmt: skip
        opening = opening or (_first_exchange(blocks, questions[0]) if questions else [])
        turns.update({index: Turn(blocks[index].label) for index in opening})
        score = 2 * len(questions) * len(asking) / len(marked) + len(opening)
        return Layout("bold-questions", score, _styled_labels(blocks, turns))
    return None


def _introduces_quotation(blocks: list[Block], index: int) -> bool:
    """True when what follows a styled line is a quotation: a press conference's topic ("**La situación de
    Ramiro Rocca:**") is put to the speaker as a question is, and the quotation is the answer."""
    answer = _answer_after(blocks, index)
    return answer is not None and opens_quotation(blocks[answer].text)


def _markup(block: Block) -> str:
    """The marks a styled paragraph opens with, as a style: "## **What ...?**" -> "##**", "## :: Hallo" -> "##::"."""
    return re.sub(r"\s", "", re.match(r"^[#>*_\s:\-–—]*", block.source or block.text).group(0))


def _first_exchange(blocks: list[Block], first_question: int) -> list[int]:
    """The labelled paragraphs right before the first styled question: an exchange that names both sides."""
    exchange: list[int] = []
    paragraphs = 0  # an answer's later paragraphs, between its label and the next question
    for index in range(first_question - 1, -1, -1):
        block = blocks[index]
        if block.tag in ("furniture", "direction", "aside"):
            continue
        if block.tag == "label" and not block.label.own_line and block.label.rest:
            exchange.insert(0, index)
        elif block.tag == "text" and len(exchange) < 2 and paragraphs < 3:
            paragraphs += 1
        else:
            break
    people = {label_key(blocks[index].label.name) for index in exchange}
    return exchange if len(exchange) >= 2 and len(people) >= 2 and asks(blocks[exchange[0]].text) else []


def _styled_labels(blocks: list[Block], turns: dict[int, Turn]) -> dict[int, Turn]:
    """Turns of a side given the label of the one person who speaks for that side with a label, if only one does.

    "SRF News: ...?" then only bold questions: every bold question is SRF News's.
    """
    asked: Counter[frozenset[str]] = Counter()
    labels: dict[frozenset[str], Label] = {}
    for index, turn in turns.items():
        if turn.label is not None:
            key = label_key(turn.label.name)
            labels.setdefault(key, turn.label)
            asked[key] += 1 if asks(blocks[index].text) else -1  # an answer may ask back now and then
    sides = {INTERVIEWER: {key for key in labels if asked[key] > 0}}
    sides[INTERVIEWEE] = set(labels) - sides[INTERVIEWER]
    only = {side: labels[next(iter(keys))] for side, keys in sides.items() if len(keys) == 1 and not (
        keys & sides[INTERVIEWEE if side == INTERVIEWER else INTERVIEWER])}  # fmt: skip
    return {index: Turn(only[turn.side], single=turn.single) if turn.label is None and turn.side in only else turn
            for index, turn in turns.items()}  # fmt: skip


def _plain_question_layout(blocks: list[Block], interview: bool) -> Layout | None:
    """Paragraphs that are only a question, each followed by a paragraph that answers it.

    Two are enough in a piece that calls itself an interview; else it takes
    four, with most of the text after the first one in such pairs (a FAQ reads so too).
    """
    questions = []
    for index, block in enumerate(blocks):
        if block.tag != "text" or not block.text.endswith("?") or len(block.text.split()) > 40:
            continue
        answer = _answer_after(blocks, index)
        if answer is not None and not blocks[answer].text.endswith("?"):
            questions.append(index)
    text = [index for index, block in enumerate(blocks) if block.tag == "text" and questions and index >= questions[0]]
    paired = {index for question in questions for index in (question, _answer_after(blocks, question))}
    if len(questions) < 2 or (not interview and (len(questions) < 4 or len(paired) * 2 < len(text))):
        return None
    turns = {index: Turn(None, side=INTERVIEWER, single=True) for index in questions}
    for index in questions:
        turns[_answer_after(blocks, index)] = Turn(None, side=INTERVIEWEE)
    return Layout("plain-questions", 1.5 * len(questions), turns)


# ---------------------------------------------------------------------------
# The blocks as the chosen layout reads them


def _settle(blocks: list[Block], layout: Layout) -> tuple[list[Block], list[Block]]:
    """The blocks as `layout` reads them, and the label-like paragraphs it read as text.

    Labels that are no speaker's go back to being text; dash lines that are no
    turn become list items; short lines between paragraphs become headings;
    dash turns get their sides, alternating from a question after each heading.
    """
    turns = layout.turns
    unread = [block for index, block in enumerate(blocks)
              if block.tag == "label" and index not in turns and len(block.label.rest.split()) >= 4]  # fmt: skip
    settled = [
        text_block(block.line, block.source)
        if block.tag == "label" and (index not in turns or turns[index].label is None)
        else replace(block, tag="item") if block.tag == "dash" and index not in turns
        else replace(block, tag="text") if block.tag in ("bold", "italic", "heading") and index in turns
        else text_block(block.line, block.source) if block.tag in ("bold", "italic")
        else block
        for index, block in enumerate(blocks)
    ]  # fmt: skip
    headings = _plain_headings(settled, set(turns))
    settled = [replace(block, tag="heading") if index in headings else block for index, block in enumerate(settled)]
    if layout.name == "dashes":
        side = 0
        for index, block in enumerate(settled):
            if block.tag == "heading":
                side = 0
            elif index in turns:
                turns[index] = Turn(None, side=(INTERVIEWER, INTERVIEWEE)[side % 2])
                side += 1
    return settled, unread


def _plain_headings(blocks: list[Block], turns: set[int]) -> set[int]:
    """Indices of the text blocks that are headings: short unpunctuated lines between paragraphs.

    Only once some sentence has been read (short lines under the title are its deck, or a briefing's place and
    date), and only right before a turn (in a dialogue) or a paragraph or list (in an article).
    """
    headings: set[int] = set()
    started = False
    content = [index for index, block in enumerate(blocks) if block.tag != "furniture"]
    for position, index in enumerate(content[:-1]):
        block, following = blocks[index], content[position + 1]
        before_content = following in turns if turns else blocks[following].tag in ("text", "item", "aside", "heading")
        if block.tag == "text" and index not in turns and started and heading_like(block.text) and before_content:
            headings.add(index)
        started = started or index in turns or (block.tag in ("text", "item") and ends_sentence(block.text))
    return headings
