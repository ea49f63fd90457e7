"""Property-based tests of the parser: no word of the article is lost, nothing but furniture is dropped,
and labels of every shape give back the speakers in the order they spoke.

Articles are generated in each layout (dash dialogue, Q:/A: and named labels,
plain articles with headings and lists), with site furniture scattered between
the paragraphs; every word of the article's own content must come out in
exactly one segment, in order, and only the furniture may be dropped.
Transcripts are generated in every label form (separators, labels alone on
their line, time stamps, bold), with 2 to 6 people whose names have 1 to 4
words, in any case, with or without a courtesy word.
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audiobuild.parse import INTERVIEWEE, INTERVIEWER, KINDS, NARRATOR, ROLES, parse_article

# A modest number of examples keeps the default test run fast.
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VOCABULARY = (  # noqa: SIM905 (a list literal would take fifty lines)
    "river stone bread window garden winter lamp harbour ferry meadow engine station letter orchard "
    "valley bridge kettle ladder market island mountain candle pocket rabbit silver thunder village "
    "wheel yellow quiet early slowly always never bright heavy little old green we they she it was "
    "is had kept saw found carried built opened closed across under over near"
).split()
FURNITURE = [
    "2790 views", "Share:", "Print:", "* * *", "#river #stone", "14:32", "27.11.2026",
    "We use cookies on this site. Accept all?", "Advertisement", "© 2026 Example Press", "Read more:",
]  # fmt: skip

words = st.lists(st.sampled_from(VOCABULARY), min_size=3, max_size=9)
sentence = words.map(lambda ws: " ".join([ws[0].capitalize(), *ws[1:]]) + ".")
question = words.map(lambda ws: " ".join([ws[0].capitalize(), *ws[1:]]) + "?")
prose = st.lists(sentence, min_size=1, max_size=3).map(" ".join)
heading = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=4).map(lambda ws: " ".join(ws).capitalize())


@dataclass
class Generated:
    """An article's lines, the words of its own content in order, and the furniture put into it."""

    lines: list[str] = field(default_factory=list)
    content: list[str] = field(default_factory=list)
    furniture: list[str] = field(default_factory=list)

    def add(self, marker: str, text: str) -> None:
        self.lines.append(f"{marker}{text}")
        self.content += text.split()


def _furnish(draw, article: Generated) -> None:
    if draw(st.booleans()):
        item = draw(st.sampled_from(FURNITURE))
        article.lines.append(item)
        article.furniture.append(item)


@st.composite
def articles(draw, layout: str, wrap: bool = False) -> Generated:
    """An article in `layout`: "dashes", "qa", "names" or "plain"; hard-wrapped at some width when `wrap`."""
    article = Generated()
    article.add("", "Notes on " + draw(heading).lower())  # "Notes" is no heading's first word: no repeated title
    if draw(st.booleans()):
        article.add("", "By " + draw(st.sampled_from(["Ann Lee", "The Harbour Gazette"])))
    for _ in range(draw(st.integers(0, 2))):
        _furnish(draw, article)
        article.add("", draw(prose))
    markers = {"dashes": ("- ", "\u2014 "), "qa": ("Q: ", "A: "), "names": ("ANNA BERG: ", "JOHN DOE: ")}
    for turn in range(draw(st.integers(2, 6)) if layout != "plain" else 0):
        if turn and draw(st.integers(0, 3)) == 0:
            article.add("## ", draw(heading))
        asker, answerer = markers[layout]
        article.add(asker, draw(question))
        _furnish(draw, article)
        article.add(answerer, draw(prose))
        for _ in range(draw(st.integers(0, 2))):
            article.add("", draw(prose))  # a paragraph without a marker continues the answer
    for _ in range(draw(st.integers(1, 4)) if layout == "plain" else 0):
        article.add("## ", draw(heading))
        article.add("", draw(prose))
        if draw(st.booleans()):
            bullet = draw(st.sampled_from(["\u2022 ", "* ", "- "]))
            for _ in range(draw(st.integers(2, 4))):
                article.add(bullet, draw(heading).lower())
        _furnish(draw, article)
    if wrap:  # paragraphs broken at a margin and separated by blank lines, as in e-mailed articles
        width = draw(st.integers(40, 90))
        lines = [wrapped for line in article.lines for wrapped in [*textwrap.wrap(line, width), ""]]
    else:
        lines = draw(st.sampled_from(["\n", "\n\n", "\r\n"])).join(article.lines).splitlines()
    return Generated(lines, article.content, article.furniture)


def _check_nothing_lost(article: Generated) -> None:
    script = parse_article("\n".join(article.lines), disclosure="Read by synthetic voices.")
    spoken = [word for segment in script.segments if segment.kind != "disclosure" for word in segment.text.split()]
    assert spoken == article.content
    assert [item.text for item in script.dropped] == article.furniture


@SETTINGS
@given(articles("dashes"))
def test_dash_dialogue_loses_no_word(article):
    _check_nothing_lost(article)
    script = parse_article("\n".join(article.lines))
    for segment in script.segments:
        if segment.kind in ("question", "answer"):
            assert segment.role == (INTERVIEWER if segment.text.endswith("?") else INTERVIEWEE)


@SETTINGS
@given(articles("qa"))
def test_question_and_answer_labels_lose_no_word(article):
    _check_nothing_lost(article)


@SETTINGS
@given(articles("names"))
def test_named_labels_lose_no_word_and_the_asker_is_the_interviewer(article):
    _check_nothing_lost(article)
    roles = {s.speaker: s.role for s in parse_article("\n".join(article.lines)).segments if s.role != NARRATOR}
    assert roles == {"Anna Berg": INTERVIEWER, "John Doe": INTERVIEWEE}


@SETTINGS
@given(articles("plain"))
def test_plain_articles_lose_no_word_and_have_one_narrator(article):
    _check_nothing_lost(article)
    assert {s.role for s in parse_article("\n".join(article.lines)).segments} == {NARRATOR}


@SETTINGS
@given(st.sampled_from(["dashes", "qa", "names", "plain"]).flatmap(lambda layout: articles(layout, wrap=True)))
def test_hard_wrapped_articles_lose_no_word(article):
    _check_nothing_lost(article)


_PIECES = ["- ", "\u2014 ", "Q: ", "A. ", "MS SMITH: ", "**Jane:** ", "## ", "* ", "1. ", "(Laughter.)", "(", ")",
           ":", "?", ".", "\n", "\n\n", "By ", "#tag", "14:32", " ", "\u00a0", "\t"]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.text() | st.lists(st.sampled_from(_PIECES) | st.text(max_size=12)).map("".join))
def test_parse_never_raises_and_every_segment_is_valid(text):
    script = parse_article(text)
    for segment in script.segments:
        assert segment.role in ROLES and segment.kind in KINDS and segment.speaker
        segment.sentences  # noqa: B018 (splitting must not raise either)


# ---------------------------------------------------------------------------
# Labels of every shape: the speakers come back in the order they spoke

GIVEN = ["Anna", "Jonas", "Priya", "Kofi", "Marta", "Ingrid", "Tomasz", "Leila", "Ruth", "Dmitri", "Aiko", "Sofia"]
SURNAMES = ["Okafor", "Lindqvist", "Haddad", "Moreau-Tan", "O'Sullivan", "Brekke", "Novak", "Quispe", "Abernathy",
            "Ferreira", "Kowalski", "Nakamura", "Mbeki", "Castellano", "Whitlock", "Rasmussen"]  # fmt: skip
HONORIFICS = ["Mr.", "Ms.", "Dr.", "Mme", "Herr", "Frau", "Sr.", "Sra."]
# How a transcript writes a label and where the turn's text goes; {label} is the label as cased.
FORMS = {
    "colon": "{label}: {text}",
    "colon-dash": "{label}:- {text}",
    "full-stop": "{label}. {text}",
    "stop-dash": "{label}.- {text}",
    "en-dash": "{label} \u2013 {text}",
    "em-dash": "{label} \u2014 {text}",
    "hyphen": "{label} - {text}",
    "bold": "**{label}:** {text}",
    "stamp-before": "[00:0{n}:12] {label}: {text}",
    "own-line": "{label}\n{text}",
    "own-line-colon": "{label}:\n{text}",
    "own-line-bold": "**{label}**\n{text}",
    "own-line-stamp": "{label}  0:{n}2\n{text}",
    "own-line-stamp-before": "00:0{n}:12 {label}\n{text}",
    "own-line-stamp-colon": "{label} (00:0{n}:12):\n{text}",
}


@st.composite
def people(draw) -> list[list[str]]:
    """2 to 6 people, each a name of 1 to 4 words sharing no word with another's."""
    count = draw(st.integers(2, 6))
    surnames = draw(st.lists(st.sampled_from(SURNAMES), min_size=count, max_size=count, unique=True))
    given = draw(st.lists(st.sampled_from(GIVEN), min_size=count, max_size=count, unique=True))
    names = []
    for index, surname in enumerate(surnames):
        size = draw(st.integers(1, 4))
        extra = [f"{given[(index + step) % count]}" for step in range(max(0, size - 2))]
        words = [given[index], *extra, surname][-size:] if size > 1 else [surname]
        names.append(words if len(set(words)) == len(words) else [given[index], surname])
    return names


@st.composite
def transcripts(draw):
    """(text, the speakers' turns in order, their names) in one label form, names in one case."""
    form = draw(st.sampled_from(sorted(FORMS)))
    names = draw(people())
    case = draw(st.sampled_from(["title", "upper", "mixed"]))
    honorific = draw(st.booleans())
    labels = []
    for words in names:
        courtesy = [draw(st.sampled_from(HONORIFICS))] if honorific or (form.startswith(("full", "stop")) and
                                                                       case == "title") else []  # fmt: skip
        cased = [word.upper() for word in words] if case != "title" else words
        courtesy = [word.upper() for word in courtesy] if case == "upper" else courtesy
        labels.append(" ".join(courtesy + cased))
    order = draw(st.permutations(range(len(names))))
    sequence = [*order, *order]  # everyone speaks twice at least
    for _ in range(draw(st.integers(0, 6))):
        sequence.append(draw(st.sampled_from([n for n in range(len(names)) if n != sequence[-1]])))
    sequence = [who for index, who in enumerate(sequence) if not index or who != sequence[index - 1]]
    lines = ["Notes on the harbour", "", draw(prose), ""]
    for number, who in enumerate(sequence):
        lines += [FORMS[form].format(label=labels[who], text=draw(question if number % 2 == 0 else prose),
                                     n=number % 10), ""]  # fmt: skip
        if draw(st.integers(0, 4)) == 0:
            lines += [draw(prose), ""]  # a paragraph without a label continues the turn
    return "\n".join(lines), sequence, names


# PROPERTY_EXAMPLES=2000 explores further (a minute or two); the default keeps the test run fast.
@settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", 120)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(transcripts())
def test_labels_of_every_shape_give_back_the_speakers_in_order(transcript):
    text, sequence, names = transcript
    script = parse_article(text)
    turns = []
    for segment in script.segments:
        if segment.role != NARRATOR and (not turns or turns[-1] != segment.speaker):
            turns.append(segment.speaker)
    assert len(turns) == len(sequence), (turns, sequence)
    speaker_of = {}
    for shown, who in zip(turns, sequence):
        assert speaker_of.setdefault(who, shown) == shown  # one person, one name throughout
        assert names[who][-1].casefold() in shown.casefold()  # and the name is theirs
    assert len(set(speaker_of.values())) == len(names)
