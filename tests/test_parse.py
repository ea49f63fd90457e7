"""Stage 1, parsing: golden articles (NAME.txt -> NAME.json) plus unit tests of the rules."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from audiobuild.errors import InputError
from audiobuild.parse import (
    INTERVIEWEE,
    INTERVIEWER,
    NARRATOR,
    decode,
    furniture_reason,
    interviewee_from_title,
    parse_article,
    read_article,
    split_sentences,
)
from tests.conftest import EXAMPLE, shared_article

GOLDEN = Path(__file__).parent / "data" / "articles"
DISCLOSURE = "Read by synthetic voices."


def script_as_dict(path: Path) -> dict:
    """The parsed script of `path` in the form the golden JSON files hold."""
    script = parse_article(read_article(path), path.name, disclosure=DISCLOSURE)
    data = dataclasses.asdict(script)
    data.pop("source")
    return data


@pytest.mark.parametrize("article", sorted(GOLDEN.glob("*.txt")), ids=lambda path: path.stem)
def test_golden_article(article: Path):
    expected_path = article.with_suffix(".json")
    actual = script_as_dict(article)
    if os.environ.get("AUDIOBUILD_REGENERATE_GOLDEN"):  # review the diff before committing
        expected_path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert actual == json.loads(expected_path.read_text(encoding="utf-8"))


def test_golden_corpus_is_not_empty():
    assert len(list(GOLDEN.glob("*.txt"))) >= 5
    for article in GOLDEN.glob("*.txt"):
        assert article.with_suffix(".json").is_file(), f"{article.name} has no expected JSON"


def test_shared_interview_roles_and_furniture():
    path = shared_article("galuzin-moscow-baku-allies.txt")
    script = parse_article(read_article(path), str(path), disclosure=DISCLOSURE)
    assert script.title == "Mikhail Galuzin: Moscow and Baku develop relations as allies"
    assert script.byline == "By Vestnik Kavkaza"
    assert script.interviewee == "Mikhail Galuzin"
    kinds = [(segment.role, segment.kind) for segment in script.segments]
    assert kinds == [
        (NARRATOR, "title"),
        (NARRATOR, "byline"),
        (NARRATOR, "disclosure"),
        (INTERVIEWER, "question"),
        (INTERVIEWEE, "answer"),
        (INTERVIEWEE, "answer"),  # the paragraph without a dash continues the answer
        (INTERVIEWER, "question"),
        (INTERVIEWEE, "answer"),
        (INTERVIEWER, "question"),
        (INTERVIEWEE, "answer"),
    ]
    assert [segment.text for segment in script.segments].count(script.title) == 1
    assert [(item.reason, item.text) for item in script.dropped] == [
        ("repeated title", script.title),
        ("view counter", "2790 views"),
        ("share/print line", "Поделиться:"),
        ("share/print line", "Print:"),
    ]
    spoken = " ".join(segment.text for segment in script.segments)
    for furniture in ("2790 views", "Поделиться", "Print:"):
        assert furniture not in spoken
    assert all(not segment.text.startswith("- ") for segment in script.segments)
    assert {segment.speaker for segment in script.segments if segment.role == INTERVIEWEE} == {"Mikhail Galuzin"}


def test_every_word_of_the_shared_article_is_kept_or_reported():
    path = shared_article("galuzin-moscow-baku-allies.txt")
    text = read_article(path)
    script = parse_article(text, str(path))
    kept = " ".join(segment.text for segment in script.segments) + " " + " ".join(d.text for d in script.dropped)
    assert sorted(kept.split()) == sorted(word for word in text.split() if word != "-")


def test_example_article_parses_as_an_interview():
    script = parse_article(read_article(EXAMPLE), str(EXAMPLE))
    assert script.interviewee == "Ada Lindqvist"
    roles = [segment.role for segment in script.segments]
    assert roles.count(INTERVIEWER) == 3 and roles.count(INTERVIEWEE) == 4


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2790 views", "view counter"),
        ("12,345 Views", "view counter"),
        ("Views: 88", "view counter"),
        ("1 024 просмотра", "view counter"),
        ("Поделиться:", "share/print line"),
        ("Print:", "share/print line"),
        ("Share", "share/print line"),
        ("* * *", "separator"),
        ("#bakery #news", "hashtag line"),
        ("14:32", "time stamp"),
        ("27.11.2026", "date stamp"),
        ("We use cookies to make this site work. Accept all?", "cookie banner"),
        ("An official website of the Republic of Ruritania", "site banner"),
    ],
)
def test_furniture_is_recognised(text, reason):
    assert furniture_reason(text) == reason


@pytest.mark.parametrize(
    "text",
    [
        "Print is not dead, he said.",
        "Share prices fell by 2790 points.",
        "- Share: how do you see it?",
        "The cookie jar was empty when we arrived.",
        "In 1998 the waves reached the gallery.",
    ],
)
def test_article_text_is_not_furniture(text):
    assert furniture_reason(text) is None


def test_repeated_title_is_furniture_regardless_of_punctuation_and_case():
    assert furniture_reason("MOSCOW and Baku: allies!", title="Moscow and Baku - allies") == "repeated title"


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Mikhail Galuzin: Moscow and Baku develop relations as allies", "Mikhail Galuzin"),
        ("Анна Петрова: Музей должен быть открыт", "Анна Петрова"),
        ("Jean-Luc Picard: Space is big", "Jean-Luc Picard"),
        ("Moscow and Baku develop relations", None),
        ("Breaking: markets fall", None),
    ],
)
def test_interviewee_name_comes_from_a_name_headline(title, name):
    assert interviewee_from_title(title) == name


def test_questions_and_answers_alternate_starting_with_a_question():
    script = parse_article("Title\n\n- Q one?\n\n- A one.\n\nMore of A one.\n\n- Q two?\n\n- A two.\n")
    assert [(s.kind, s.text) for s in script.segments[1:]] == [
        ("question", "Q one?"),
        ("answer", "A one."),
        ("answer", "More of A one."),
        ("question", "Q two?"),
        ("answer", "A two."),
    ]


def test_text_before_the_first_question_is_the_narrators_intro():
    script = parse_article("Title\nBy Someone\nAn intro paragraph.\n- Q?\n- A.")
    assert [(s.role, s.kind) for s in script.segments] == [
        (NARRATOR, "title"),
        (NARRATOR, "byline"),
        (NARRATOR, "intro"),
        (INTERVIEWER, "question"),
        (INTERVIEWEE, "answer"),
    ]
    assert script.intro_end == 3


def test_disclosure_follows_the_title_and_byline():
    script = parse_article("Title\nBy Someone\n- Q?\n- A.", disclosure=DISCLOSURE)
    assert [s.kind for s in script.segments[:3]] == ["title", "byline", "disclosure"]
    assert script.segments[2].text == DISCLOSURE


def test_only_furniture_gives_an_empty_script():
    script = parse_article("2790 views\nShare:\n")
    assert script.title == "" and script.segments == [] and len(script.dropped) == 2


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One. Two! Three?", ["One.", "Two!", "Three?"]),
        ("Mr. Smith met Dr. Jones in St. Petersburg. Then he left.", ["Mr. Smith met Dr. Jones in St. Petersburg.", "Then he left."]),
        ("It was Nov. 2020, I think. Yes.", ["It was Nov. 2020, I think.", "Yes."]),
        ("Books by T. S. Eliot sold well. Really.", ["Books by T. S. Eliot sold well.", "Really."]),
        ('He said "Stop." Then silence.', ['He said "Stop."', "Then silence."]),
        ("Prices rose 2.5 percent. Wages did not.", ["Prices rose 2.5 percent.", "Wages did not."]),
        ("Он сказал. Мы ушли.", ["Он сказал.", "Мы ушли."]),
        ("No full stop at the end", ["No full stop at the end"]),
    ],
)
def test_split_sentences(text, sentences):
    assert split_sentences(text) == sentences


def test_read_article_errors_name_the_problem(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_article(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_article(tmp_path)
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\t\n")
    with pytest.raises(InputError, match="is empty"):
        read_article(empty)
    binary = tmp_path / "cover.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(InputError, match="binary"):
        read_article(binary)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("Привет, мир".encode("utf-8"), "Привет, мир"),
        ("\ufeffHello".encode("utf-8"), "Hello"),
        ("Привет".encode("utf-16"), "Привет"),
        ("Привет, мир".encode("cp1251"), "Привет, мир"),
        ("Café crème".encode("cp1252"), "Café crème"),
    ],
)
def test_decode_common_encodings(raw, text):
    assert decode(raw, "x") == text
