"""Stage 1, parsing: golden articles (NAME.txt/.md/.html -> NAME.json) plus unit tests of the rules."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import random
import re
import time
from pathlib import Path

import pytest

from audiobuild.config import Config
from audiobuild.errors import ConfigError, InputError
from audiobuild.model import Dropped
from audiobuild.parse import (
    INTERVIEWEE,
    INTERVIEWER,
    KINDS,
    LAYOUTS,
    NARRATOR,
    ROLES,
    Article,
    Segment,
    Speaker,
    detect_language,
    furniture_reason,
    narrator,
    parse,
    parse_article,
    parse_date,
    read_article,
    split_sentences,
    spoken_text,
)
from audiobuild.parse.furniture import is_date_line
from audiobuild.parse.names import interviewee_named
from audiobuild.read.sources import load_article
from tests.conftest import EXAMPLE, shared_article

GOLDEN = Path(__file__).parent / "data" / "articles"
ARTICLES = sorted(path for path in GOLDEN.iterdir() if path.suffix in (".txt", ".md", ".html"))
DISCLOSURE = "Read by synthetic voices."


def script_as_dict(path: Path) -> dict:
    """The parsed script of `path` in the form the golden JSON files hold."""
    script = parse(load_article(path), disclosure=DISCLOSURE)
    data = dataclasses.asdict(script)
    data.pop("source")
    assert data.pop("voices") == {}  # chosen by the script's reader, never by the parser
    data["layout"] = script.layout.name  # its score moves with every weight: the tests of layouts pin those
    return data


@pytest.mark.parametrize("article", ARTICLES, ids=lambda path: path.name)
def test_golden_article(article: Path):
    expected_path = article.with_suffix(".json")
    actual = script_as_dict(article)
    if os.environ.get("AUDIOBUILD_REGENERATE_GOLDEN"):  # review the diff before committing
        expected_path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert actual == json.loads(expected_path.read_text(encoding="utf-8"))


def test_golden_corpus_covers_the_layouts():
    assert len(ARTICLES) >= 25
    for article in ARTICLES:
        assert article.with_suffix(".json").is_file(), f"{article.name} has no expected JSON"
    assert {article.suffix for article in ARTICLES} == {".txt", ".md", ".html"}


# Who is who in each golden article, written down apart from the JSON so that
# regenerating the golden files cannot quietly give a question to the wrong voice.
GOLDEN_PEOPLE = {
    "agency-qa.txt": {"Interviewer": INTERVIEWER, "Mira Kovac": INTERVIEWEE},
    "continuation.txt": {"Interviewer": INTERVIEWER, "Dr. Samuel Okafor": INTERVIEWEE},
    # "BY MR. HARLOW:" makes the Q. his.
    "court-transcript.txt": {
        "Mr. Harlow": INTERVIEWER, "Interviewee": INTERVIEWEE, "Mr. Okoro": INTERVIEWER, "The Court": INTERVIEWER,
    },
    "dash-headings.txt": {"Interviewer": INTERVIEWER, "Rafael Ortega": INTERVIEWEE},
    "editor-note.txt": {"Interviewer": INTERVIEWER, "Yusuf Demir": INTERVIEWEE},
    "english-with-cyrillic.txt": {"Interviewer": INTERVIEWER, "Nadia Brooks": INTERVIEWEE},
    "evening-show.txt": {"Jane Smith": INTERVIEWER, "Dr. Omar Haddad": INTERVIEWEE},
    "french-cp1252.txt": {"Interviewer": INTERVIEWER, "Claire Dumas": INTERVIEWEE},
    "furniture-heavy.txt": {},
    "furniture.txt": {"Interviewer": INTERVIEWER, "Lena Ortiz": INTERVIEWEE},
    "hard-wrapped.txt": {"Interviewer": INTERVIEWER, "Jonas Berg": INTERVIEWEE},
    "html-interview.html": {"Oskar Falk": INTERVIEWER, "Greta Lund": INTERVIEWEE},
    "html-russian-cp1251.html": {"Interviewer": INTERVIEWER, "Сергей Волков": INTERVIEWEE},
    "intro-then-dash.txt": {"Interviewer": INTERVIEWER, "Interviewee": INTERVIEWEE},
    "label-own-line.txt": {"Tomas Reyes": INTERVIEWER, "Ines Araya": INTERVIEWEE},
    "markdown-interview.md": {"Pavel Novak": INTERVIEWER, "Lea Winter": INTERVIEWEE},
    # Offices go when the given name is known ("MODERATOR (ANNA BERG)", "SENATOR KOFI ADJEI"); "Professor" stays.
    "panel.txt": {
        "Anna Berg": INTERVIEWER, "John Doe": INTERVIEWEE, "Professor Lina Marsh": INTERVIEWEE,
        "Kofi Adjei": INTERVIEWEE,
    },
    "plain-article.txt": {},
    "plain-markdown.md": {},
    "press-briefing.txt": {"Jane Smith": INTERVIEWEE, "Interviewer": INTERVIEWER},
    "qa-hard-wrapped-crlf.txt": {"Interviewer": INTERVIEWER, "Interviewee": INTERVIEWEE},
    "question-answer.txt": {"Tom Hardy": INTERVIEWER, "Edith Rowe": INTERVIEWEE},  # named by the intro
    "radio-call-in.txt": {
        "Host": INTERVIEWER, "Caller (Mike, Doncaster Road)": INTERVIEWEE,
        "Caller (Priya, Leeds Road)": INTERVIEWEE, "Caller (Tom, Castle Hill)": INTERVIEWEE,
    },
    "russian-dash.txt": {"Interviewer": INTERVIEWER, "Анна Петрова": INTERVIEWEE},
    "russian-interview.txt": {"Ирина Соколова": INTERVIEWER, "Ольга Левина": INTERVIEWEE},
    "russian-labelled.txt": {"Ирина Соколова": INTERVIEWER, "Иван Петров": INTERVIEWEE},
    "two-named.txt": {"Tom Hardy": INTERVIEWER, "Lina Marsh": INTERVIEWEE},
    "utf16-bom.txt": {"Interviewer": INTERVIEWER, "Sam Ito": INTERVIEWEE},
}  # fmt: skip


@pytest.mark.parametrize("article", ARTICLES, ids=lambda path: path.name)
def test_golden_people_and_their_roles(article: Path):
    script = parse(load_article(article))
    people = {person.name: person.role for person in script.people if person.role != NARRATOR}
    assert people == GOLDEN_PEOPLE[article.name]
    for segment in script.segments:
        assert segment.role in ROLES and segment.kind in KINDS
        if segment.kind in ("question", "answer"):
            assert segment.role == {"question": INTERVIEWER, "answer": INTERVIEWEE}[segment.kind]


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
    assert interviewee_named(title, [], set())[0] == name


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


# ---------------------------------------------------------------------------
# The narrator's words in the article's language

GERMAN = "Titel\n- Warum bauen Sie Brücken im Winter?\n- Weil der Boden dann hart ist und die Laster fahren können."


@pytest.mark.parametrize("code", ["en", "ru", "de", "fr", "es"])
def test_the_narrator_has_a_table_for_each_main_language(code):
    words = narrator.words_for(code)
    assert words.disclosure and "{name}" in words.byline
    assert narrator.disclosure_for(f"{code}-XX", {"*": "configured"}) == words.disclosure


def test_the_disclosure_and_byline_are_said_in_the_articles_language():
    script = parse(Article("x.txt", GERMAN, author="Jana Hollweg"), disclosure=Config().podcast.disclosures())
    assert script.language == "de"
    assert [s.text for s in script.segments if s.kind in ("byline", "disclosure")] == [
        "Von Jana Hollweg", narrator.words_for("de").disclosure,
    ]  # fmt: skip
    configured = {"de": "Gelesen von Robotern.", "*": "Read by robots."}
    assert parse_article(GERMAN, disclosure=configured).segments[1].text == "Gelesen von Robotern."


def test_a_language_without_a_table_falls_back_to_the_configured_text_with_a_warning(caplog):
    text = "Titulli\n- Pse ndërtoni ura në dimër, zotëri inxhinier?\n- Sepse toka është e fortë dhe kamionët kalojnë."
    with caplog.at_level(logging.WARNING, logger="audiobuild"):
        script = parse_article(text, disclosure={"*": "Read by robots."})
    assert narrator.words_for(script.language) is None and script.segments[1].text == "Read by robots."
    assert any("no disclosure in" in record.message and script.language in record.message for record in caplog.records)


def test_a_malformed_narrator_table_names_its_file_and_key(tmp_path):
    table = tmp_path / "xx.toml"
    table.write_text('disclosure = "Synthetic voices."\nbyline = "By"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"xx.toml:2: \[byline\] must hold \{name\}"):
        narrator.read_words(table)


def test_only_furniture_gives_an_empty_script():
    script = parse_article("2790 views\nShare:\n")
    assert script.title == "" and script.segments == [] and len(script.dropped) == 2


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One. Two! Three?", ["One.", "Two!", "Three?"]),
        (
            "Mr. Smith met Dr. Jones in St. Petersburg. Then he left.",
            ["Mr. Smith met Dr. Jones in St. Petersburg.", "Then he left."],
        ),
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


def test_read_article_still_reads_text_files():
    assert read_article(EXAMPLE).startswith("Ada Lindqvist")


# ---------------------------------------------------------------------------
# Furniture and dates


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Просмотров: 3 412", "view counter"),
        ("Share on Facebook", "share/print line"),
        ("Follow us on Telegram", "share/print line"),
        ("Advertisement", "advertisement"),
        ("Read more:", "navigation line"),
        ("Ref. PR/2026/117", "reference number"),
        ("Press release No. 26-041", "reference number"),
        ("No. 2026/0345", "reference number"),
        ("1:12 p.m. EST", "time stamp"),
        ("[00:03:40]", "time stamp"),
        ("Updated: 14:05 CET", "time stamp"),
        ("March 3, 2026", "date stamp"),
        ("17 марта 2026", "date stamp"),
        ("Published: 12.05.2026", "date stamp"),
        ("Here's how you know", "site banner"),
        ("Official websites use .gov", "site banner"),
        ("Photo: Markus Lind / Reuters", "photo credit"),
        ("![A ferry](ferry.jpg)", "image"),
        ("© 2026 The Northern Ledger. All rights reserved.", "copyright line"),
        ("20 января 2026, 10:15 · Просмотров: 3 412", "page info line"),
    ],
)
def test_more_furniture_is_recognised(text, reason):
    assert furniture_reason(text) == reason


@pytest.mark.parametrize(
    "text",
    [
        "No one came.",
        "Follow us, she said, and we did.",
        "Photo albums fill the attic.",
        "1998 was a wet year.",
        "Copyright law changed in 2020.",
        "Article 5",
        "No 1",
    ],
)
def test_sentences_that_start_like_furniture_are_kept(text):
    assert furniture_reason(text) is None


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("March 3, 2026", "2026-03-03"),
        ("Tuesday, 3 March 2026, 10:15", "2026-03-03"),
        ("17 марта 2026", "2026-03-17"),
        ("1 мая 2026 г.", "2026-05-01"),
        ("Published: 12.05.2026", "2026-05-12"),
        ("2026-01-20", "2026-01-20"),
        ("03/04/2026", None),  # March or April, depending on the country
        ("14:32", None),
    ],
)
def test_parse_date(text, date):
    assert parse_date(text) == date


def test_a_published_line_dates_the_script_and_says_so():
    text = "Potholes on Main Street\nPublished 12 March 2024, 09:15 | Updated 13 March 2024, 10:02\nThe road is bad."
    script = parse_article(text)
    assert (script.date, script.date_source) == ("2024-03-12", "date line, line 2")
    assert script.dropped == [Dropped(2, text.splitlines()[1], "date stamp")]  # dropped, and its date kept
    updated_first = parse_article("Potholes\nUpdated 13 March 2024 | Published 12 March 2024\nThe road is bad.")
    assert updated_first.date == "2024-03-12"


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Veröffentlicht am 08.05.2025, 06:00 Uhr", "2025-05-08"),
        ("Publié le 21/10/2024 à 07h30 | Mis à jour le 21/10/2024 à 09h12", "2024-10-21"),
        ("Santa Cruz de Tenerife - 15 mar 2025 - 08:30 CET", "2025-03-15"),
        ("14 мая 2025 года, 16:40", "2025-05-14"),
        ("Berlin, Mittwoch, den 12. März 2025", "2025-03-12"),
    ],
)
def test_date_lines_in_other_languages(text, date):
    # Slashes are read day first in any language but English: the French text says which it is.
    body = "Le sabotier range ses outils, et le musée les prend." if text.startswith("Publié") else "Text."
    assert parse_article(f"Title\n{text}\n{body}").date == date


def test_tags_and_related_lines_are_furniture_and_an_editors_note_is_the_narrators():
    text = (
        "Potholes: the long winter\n"
        "Q: How bad is Main Street?\nA: The worst in ten years. We fill two hundred holes a week.\n"
        "Tags: #potholes #eastwick\nRelated: Eastwick bridge reopens after repairs\n"
        "Q: When will it be done?\nA: By June, if the rain stops.\n"
        "This interview has been edited and condensed for clarity.\n"
    )
    script = parse_article(text)
    assert [(item.reason, item.text) for item in script.dropped] == [
        ("tags line", "Tags: #potholes #eastwick"),
        ("navigation line", "Related: Eastwick bridge reopens after repairs"),
    ]
    assert (script.segments[-1].role, script.segments[-1].kind) == (NARRATOR, "narration")
    assert [segment.role for segment in script.segments[1:-1]] == [INTERVIEWER, INTERVIEWEE] * 2


def test_a_date_line_dates_the_script_and_metadata_wins():
    assert parse_article("Title\nMarch 3, 2026\nText of the article.").date == "2026-03-03"
    assert parse(Article("x", "Title\nMarch 3, 2026\nText.", date="2026-01-01")).date == "2026-01-01"


# ---------------------------------------------------------------------------
# Labelled turns


def roles_of(text: str) -> list[tuple[str, str, str]]:
    """(speaker, role, text) of each segment after the title."""
    return [(s.speaker, s.role, s.text) for s in parse_article(text).segments[1:]]


@pytest.mark.parametrize(
    ("question", "answer"),
    [("Q:", "A:"), ("Q.", "A."), ("Question:", "Answer:"), ("QUESTION:", "ANSWER:"), ("**Q:**", "**A:**"),
     ("Вопрос:", "Ответ:")],
)  # fmt: skip
def test_question_and_answer_labels(question, answer):
    text = f"Ann Lee: Rivers matter\n{question} Why rivers?\n{answer} Because they move.\nAnd they carry things."
    assert roles_of(text) == [
        ("Interviewer", INTERVIEWER, "Why rivers?"),
        ("Ann Lee", INTERVIEWEE, "Because they move."),
        ("Ann Lee", INTERVIEWEE, "And they carry things."),
    ]


def test_a_later_shorter_label_is_the_same_person():
    text = (
        "Tonight on the show\n"
        "Evening show host Jane Smith: Welcome. Who are you?\n"
        "DR. RAJ PATEL: A doctor.\n"
        "Jane Smith: What do you do?\n"
        "PATEL: I listen to hearts.\n"
        "MS SMITH: Thank you.\n"
    )
    assert [(speaker, role) for speaker, role, _ in roles_of(text)] == [
        ("Jane Smith", INTERVIEWER),
        ("Dr. Raj Patel", INTERVIEWEE),
        ("Jane Smith", INTERVIEWER),
        ("Dr. Raj Patel", INTERVIEWEE),
        ("Jane Smith", INTERVIEWER),
    ]


def test_a_long_capitalised_label_and_its_short_form_are_one_person():
    text = (
        "Border talks\n"
        "MODERATOR: Prime Minister, why now?\n"
        "PRIME MINISTER OF RURITANIA JOHN DOE: Because the river does not wait.\n"
        "MODERATOR: And the money?\n"
        "PRIME MINISTER DOE: Both budgets pay.\n"
    )
    assert [speaker for speaker, _, _ in roles_of(text)] == ["Moderator", "John Doe"] * 2


def test_two_people_with_one_surname_stay_apart():
    text = "Talk\nJOHN SMITH: Hello?\nJANE SMITH: Hi.\nJOHN SMITH: And you?\nJANE SMITH: Fine.\n"
    assert [speaker for speaker, _, _ in roles_of(text)] == ["John Smith", "Jane Smith"] * 2


def test_an_honorific_label_takes_the_full_name_from_the_intro():
    text = "Briefing\nSpokesperson Jane Smith took questions.\nMS SMITH: Hello.\nQUESTION: Why?\nMS SMITH: Because.\n"
    assert [speaker for speaker, _, _ in roles_of(text)][1:] == ["Jane Smith", "Interviewer", "Jane Smith"]


def test_a_label_on_its_own_line_introduces_the_following_paragraphs():
    text = "Podcast\nTOM REYES:\nWhy fog?\nINES ARAYA:\nBecause it is water.\nAnd life.\nTOM REYES:\nThanks?\n"
    assert roles_of(text) == [
        ("Tom Reyes", INTERVIEWER, "Why fog?"),
        ("Ines Araya", INTERVIEWEE, "Because it is water."),
        ("Ines Araya", INTERVIEWEE, "And life."),
        ("Tom Reyes", INTERVIEWER, "Thanks?"),
    ]


def test_label_like_paragraphs_read_as_text_are_named_in_a_warning(caplog):
    text = (
        "Harbour talk\nANNA BERG: Why the harbour, John?\nJOHN DOE: Because it feeds the town.\n"
        "ANNA BERG: And the ferries?\nJOHN DOE: They run twice a day.\n"
        "Maria Lopez: I would add one thing here for everyone listening.\n"
    )
    with caplog.at_level(logging.WARNING, logger="audiobuild"):
        script = parse_article(text, "harbour.txt")
    assert script.segments[-1].speaker == "John Doe"  # a label of another shape, once: more of the last turn
    (warning,) = [record.message for record in caplog.records]
    assert warning.startswith("harbour.txt: 1 paragraph starts with what looks like a speaker label but was read as")
    assert "line 6 (Maria Lopez)" in warning and "--layout" in warning and "--interviewer NAME" in warning


def test_the_readme_shows_every_layout_with_an_example():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z-]+)` \| (.+?) \| .+ \|$", readme, re.MULTILINE)
    assert [name for name, _ in rows] == list(LAYOUTS)
    assert all(example.strip() for _, example in rows)


def test_the_byline_author_is_the_interviewer_and_the_headline_name_the_interviewee():
    text = (
        "Lina Marsh: Words leave\nBy Tom Hardy\n"
        "Lina Marsh: Which word?\nTom Hardy: Selfie.\nLina Marsh: Why?\nTom Hardy: Because.\n"
    )
    roles = {speaker: role for speaker, role, _ in roles_of(text)[1:]}
    assert roles == {"Lina Marsh": INTERVIEWEE, "Tom Hardy": INTERVIEWER}


def test_the_person_who_asks_most_is_the_interviewer_even_when_they_rarely_ask():
    text = "Talk\nANN: Welcome.\nBEN: Thanks.\nANN: Why fog?\nBEN: Water.\nANN: Thank you.\nBEN: Bye.\n"
    assert {speaker: role for speaker, role, _ in roles_of(text)} == {"Ann": INTERVIEWER, "Ben": INTERVIEWEE}


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("Roads\nINT.: Potholes?\nRESP.: Weekly.\nINT.: Bridges?\nRESP.: Spring.\n", {INTERVIEWER, INTERVIEWEE}),
        ("Дороги\nКорр.: Как дороги?\nИванов: Неплохо.\nКорр.: А мосты?\nИванов: Весной.\n", {"Иванов"}),
    ],
)
def test_abbreviated_labels_before_a_colon(text, people):
    roles = roles_of(text)
    assert [role for _, role, _ in roles] == [INTERVIEWER, INTERVIEWEE] * 2
    assert people <= {speaker for speaker, _, _ in roles} | {role for _, role, _ in roles}


@pytest.mark.parametrize(
    "text",
    [
        "Title\nNote: this is a note.\nUpdate: somebody.\nNote: another note.\nUpdate: again.\n",
        "Recipe\nStep 1: Wash.\nStep 2: Cut.\nStep 3: Cook.\n",
        "Title\nMoscow: talks went well.\nThe weather was fine.\n",
        "Title\nA. Lincoln was born in 1809.\nA. Lincoln died in 1865.\n",
    ],
)
def test_words_with_a_colon_are_not_speakers(text):
    assert {role for _, role, _ in roles_of(text)} == {NARRATOR}
    assert " ".join(text for _, _, text in roles_of(text)) == " ".join(text.splitlines()[1:])


def test_a_panel_has_one_moderator_and_several_guests():
    script = parse(load_article(GOLDEN / "panel.txt"))
    assert [person.name for person in script.people if person.role == INTERVIEWEE] == [
        "John Doe", "Professor Lina Marsh", "Kofi Adjei",
    ]  # fmt: skip
    assert script.interviewee is None  # several guests: no single author for the feed


# ---------------------------------------------------------------------------
# Dashes, headings and lists


def test_dash_alternation_restarts_after_a_heading():
    text = "Title\n- Q one?\n- A one.\n- A one, more.\nPart two\n- Q two?\n- A two.\n"
    kinds = [(s.kind, s.text) for s in parse_article(text).segments[1:]]
    assert kinds == [
        ("question", "Q one?"), ("answer", "A one."), ("question", "A one, more."),
        ("heading", "Part two"), ("question", "Q two?"), ("answer", "A two."),
    ]  # fmt: skip


def test_a_question_followed_by_a_request_still_makes_a_dialogue():
    text = "Title\n- Were you afraid? Tell us about the storm.\n- Only once."
    assert [s.role for s in parse_article(text).segments[1:]] == [INTERVIEWER, INTERVIEWEE]


def test_dash_lines_after_a_colon_are_a_list_of_the_speaker():
    text = "Title\n- Which rules?\n- Three:\n- taste;\n- never rush;\n- write it down.\n- And then?\n- Sleep.\n"
    kinds = [(s.role, s.kind, s.text) for s in parse_article(text).segments[1:]]
    assert kinds == [
        (INTERVIEWER, "question", "Which rules?"),
        (INTERVIEWEE, "answer", "Three:"),
        (INTERVIEWEE, "list", "taste;"),
        (INTERVIEWEE, "list", "never rush;"),
        (INTERVIEWEE, "list", "write it down."),
        (INTERVIEWER, "question", "And then?"),
        (INTERVIEWEE, "answer", "Sleep."),
    ]


def test_dash_lines_without_any_question_are_a_list():
    text = "Packing\nBring these.\n- A warm hat.\n- Spare batteries.\n- Water.\n"
    assert [(s.role, s.kind) for s in parse_article(text).segments[1:]] == [(NARRATOR, "narration")] + [
        (NARRATOR, "list")
    ] * 3


def test_plain_article_headings_and_lists():
    text = (
        "Apples\nBy Garden Notes\nShort deck line\nApples keep.\nChoosing\nLate ones keep best.\n"
        "• trays\n* paper\n1. Wrap them.\n## Storing\nCool rooms."
    )
    script = parse_article(text)
    assert [(s.kind, s.text) for s in script.segments] == [
        ("title", "Apples"), ("byline", "By Garden Notes"),
        ("narration", "Apples keep."), ("heading", "Choosing"), ("narration", "Late ones keep best."),
        ("list", "trays"), ("list", "paper"), ("list", "1. Wrap them."), ("heading", "Storing"),
        ("narration", "Cool rooms."),
    ]  # fmt: skip
    # A few words with no sentence between the headline and the text: the page's header (a section, a place).
    assert [(item.text, item.reason) for item in script.dropped] == [("Short deck line", "header line")]


@pytest.mark.parametrize("mark", ["**", "*", "_"])
def test_bold_or_italic_questions_with_plain_answers(mark):
    text = (
        f"Glass\nTamsin Achterberg has run the glassworks since 1975.\n{mark}Why glass?{mark}\n"
        f"Because it rings when it is ready.\nYou can hear it.\n{mark}And the furnace?{mark}\nIt never goes out.\n"
    )
    script = parse_article(text)
    assert [(s.speaker, s.role, s.kind) for s in script.segments[2:]] == [
        ("Interviewer", INTERVIEWER, "question"), ("Tamsin Achterberg", INTERVIEWEE, "answer"),
        ("Tamsin Achterberg", INTERVIEWEE, "answer"), ("Interviewer", INTERVIEWER, "question"),
        ("Tamsin Achterberg", INTERVIEWEE, "answer"),
    ]  # fmt: skip
    assert script.layout.name == "bold-questions" and script.segments[2].text == "Why glass?"


def test_markdown_title_emphasis_links_and_quotes_are_read_as_words():
    script = parse_article("# The *last* ferry\n> The **river** does [the work](http://x).\n`Code` too.")
    assert [s.text for s in script.segments] == ["The last ferry", "The river does the work.", "Code too."]


def test_metadata_title_and_author_come_first_and_their_repetitions_are_dropped():
    article = Article("page.html", "## Glaciers\nBy Oskar Falk\nIce is slow.", title="Glaciers", author="Oskar Falk")
    script = parse(article)
    assert [(s.kind, s.text) for s in script.segments] == [
        ("title", "Glaciers"), ("byline", "By Oskar Falk"), ("narration", "Ice is slow."),
    ]  # fmt: skip
    assert [item.reason for item in script.dropped] == ["repeated title", "repeated byline"]


def test_interviewer_named_in_the_byline():
    script = parse_article("Bees\nInterview by Tom Hardy\n- Why bees?\n- They hum.")
    assert [s.speaker for s in script.segments[2:]] == ["Tom Hardy", "Interviewee"]


# ---------------------------------------------------------------------------
# Stage directions


def test_stage_directions_are_listed_as_dropped_and_never_spoken():
    script = parse_article("Title\nQ: Why? (Off-mike.)\nA: Because. (Laughter.) Really.\n(Applause.)\nQ: Ok?\nA: Fine.")
    answer, question = script.segments[2], script.segments[3]
    assert (answer.text, answer.sentences) == ("Because. Really.", ["Because.", "Really."])
    assert (question.role, question.text) == (INTERVIEWER, "Ok?")  # the applause was no one's paragraph
    assert script.segments[1].sentences == ["Why?"]
    assert [(item.line, item.text, item.reason) for item in script.dropped] == [
        (2, "(Off-mike.)", "stage direction"),
        (3, "(Laughter.)", "stage direction"),
        (4, "(Applause.)", "stage direction"),
    ]


def test_a_turn_that_is_only_a_direction_is_still_a_turn():
    script = parse_article("Title\nQ: Why?\nA: Because —\nQ: (Inaudible.)\nA: — as I said.")
    assert [(segment.role, segment.text, segment.sentences) for segment in script.segments[1:]] == [
        (INTERVIEWER, "Why?", ["Why?"]), (INTERVIEWEE, "Because —", ["Because —"]),
        (INTERVIEWER, "(Inaudible.)", []), (INTERVIEWEE, "— as I said.", ["— as I said."]),
    ]  # fmt: skip


def test_stage_directions_can_be_read_aloud():
    script = parse_article("Title\nQ: Why?\nA: Because. (Laughter.)\n", read_stage_directions=True)
    assert script.segments[2].sentences == ["Because.", "(Laughter.)"]


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("We will (inaudible) the talks.", "We will the talks."),
        ("Yes [laughs] of course.", "Yes of course."),
        ("(CROSSTALK) No.", "No."),
        ("Почти ниоткуда (смеется).", "Почти ниоткуда."),
        ("(The briefing was concluded at 1:58 p.m.)", ""),
        ("Smith (born 1950) said so.", "Smith (born 1950) said so."),
        ("The UN (United Nations) met.", "The UN (United Nations) met."),
    ],
)
def test_spoken_text(text, spoken):
    assert spoken_text(text) == spoken


def test_an_aside_in_parentheses_is_the_narrators():
    script = parse_article("Title\n(This interview has been edited.)\n- Why?\n- Because.")
    assert (script.segments[1].role, script.segments[1].kind) == (NARRATOR, "narration")


# ---------------------------------------------------------------------------
# Script properties, language and robustness


def test_people_speakers_and_intro_end():
    script = parse(load_article(GOLDEN / "radio-call-in.txt"), disclosure=DISCLOSURE)
    assert script.people[:3] == [
        Speaker("Narrator", NARRATOR), Speaker("Host", INTERVIEWER),
        Speaker("Caller (Mike, Doncaster Road)", INTERVIEWEE),
    ]  # fmt: skip
    assert script.speakers == {NARRATOR: "Narrator", INTERVIEWER: "Host", INTERVIEWEE: "Caller (Mike, Doncaster Road)"}
    assert [s.kind for s in script.segments[: script.intro_end]] == ["title", "disclosure", "intro"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The first word I could read was пирог, which means pie, and the second was соль, salt.", "en"),
        ("Днём люди работают, а вечером у них наконец есть время прийти в музей.", "ru"),
        ("Parce que l'herbe y est meilleure et les vaches mangent des fleurs.", "fr"),
        ("Hi.", ""),
    ],
)
def test_detect_language(text, language):
    assert detect_language(text) == language


def test_segment_defaults_keep_the_old_constructor():
    assert Segment(NARRATOR, "title", "T", "Narrator").read_directions is False


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", ":", "- ", "—", "**", "Q.", "A:", "(", ")", "[]", "#", "## ", "\x00\x01", "Title\n:\n- \n* \n1. ",
     "T\nQ: \nA: \nQ:\nA:", "T\n**:**\n** **: x", "T\n" + "A" * 1000, "T\n" + "- ?\n" * 50, "\ufeff\u200b\u2028"],
)  # fmt: skip
def test_parse_never_raises(text):
    script = parse_article(text)
    assert all(segment.role in ROLES and segment.kind in KINDS for segment in script.segments)


def _labelled(people: int) -> str:
    """An interview whose turns are labelled with `people` different names, a turn each."""
    return "An interview\n\n" + "\n\n".join(f"SPEAKER {_spelled(number)}: What I think, in a sentence."
                                            for number in range(people))  # fmt: skip


def _spelled(number: int) -> str:
    """A name for `number`: "BAC", without digits (labels are names)."""
    return "".join("ABCDEFGHIJ"[int(digit)] for digit in str(number)).upper() + "X"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("A title\n\n" + "x" * 146_000 + "\n", "has a 'word' of 146,000 characters without a space ('xxxxxxxxxxxxxxxx"),
        ("A title\n\n" + "!?.,;:-" * 53_600 + "\n", "has a 'word' of 375,200 characters without a space"),
        (_labelled(1000), "names more than 100 speakers ('SPEAKER BAAX' is one more); articles with more are refused"),
    ],
    ids=["146-KB-token", "375-KB-of-punctuation", "1000-speakers"],
)  # fmt: skip
def test_text_past_the_parsers_bounds_is_refused_in_one_line(text, problem):
    started = time.process_time()
    with pytest.raises(InputError) as error:
        parse_article(text, "article.txt")
    assert error.value.problem.startswith(problem) and "\n" not in error.value.problem
    assert time.process_time() - started < 5  # never finished, or took 25 s


def test_the_most_speakers_an_article_may_name_are_read():
    assert len(parse_article(_labelled(100)).people) == 100 + 1  # and the narrator


def test_a_line_of_digits_and_punctuation_is_read_in_linear_time():
    # Every way to cut a run of digits into numbers was tried: 32 digits took 52 s, each one more doubled it.
    rng = random.Random(3)
    for line in ("3" * 400 + "?", "".join(rng.choice("0123456789 .,:-") for _ in range(400)) + "?"):
        started = time.process_time()
        script = parse_article(f"A title\n\n{line}\n\nSome words to read.\n")
        assert time.process_time() - started < 2 and script.segments
    assert is_date_line("Published 14:12, 27 August 2025 | Updated 16:40")
    assert is_date_line("Berlin, Mittwoch, den 12. März 2025") and is_date_line("Montag, 12. März 2025, 2025")
