"""Property-based tests of the parser: no word of the article is lost, nothing but furniture is dropped.

Articles are generated in each layout (dash dialogue, Q:/A: and named labels,
plain articles with headings and lists), with site furniture scattered between
the paragraphs; every word of the article's own content must come out in
exactly one segment, in order, and only the furniture may be dropped.
"""

from __future__ import annotations

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
