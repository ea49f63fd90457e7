"""Chapters from the timeline: intro plus one per question, covering the episode in order."""

from __future__ import annotations

import json

from audiobuild.audio.chapters import INTRO_TITLE, MAX_CHAPTERS, chapters, chapters_json, shorten
from audiobuild.model import Span
from audiobuild.parse import parse_article

SCRIPT = parse_article(
    "A title\nBy Someone\n- First question?\n- An answer. It goes on.\n"
    "- A very long preamble that goes on and on about the weather and the sea before it asks. Why lighthouses?\n"
    "- Because."
)
# (segment, sentence, start, end) as assembly would place them
SPANS = [
    Span(0, 0, "A title", 300, 1200),
    Span(1, 0, "By Someone", 1600, 2400),
    Span(2, 0, "First question?", 3700, 5000),
    Span(3, 0, "An answer.", 5800, 7000),
    Span(3, 1, "It goes on.", 7250, 8000),
    Span(4, 0, "A very long preamble ...", 8800, 14000),
    Span(4, 1, "Why lighthouses?", 14250, 15500),
    Span(5, 0, "Because.", 16300, 17000),
]


def test_intro_then_one_chapter_per_question_covering_the_whole_episode():
    result = chapters(SCRIPT, SPANS, duration_ms=17800)
    assert [chapter.title for chapter in result] == [INTRO_TITLE, "First question?", "Why lighthouses?"]
    assert result[0].start_ms == 0
    assert result[-1].end_ms == 17800
    for before, after in zip(result, result[1:]):
        assert before.end_ms == after.start_ms and before.start_ms < before.end_ms


def test_a_chapter_starts_just_before_its_first_word_but_never_before_the_previous_speech_ends():
    result = chapters(SCRIPT, SPANS, duration_ms=17800)
    assert result[1].start_ms == 3700 - 250
    assert 8000 <= result[2].start_ms < 8800


def test_shorten_cuts_at_a_word_boundary():
    title = shorten("Is a trilateral meeting between the presidents and the prime minister expected soon?")
    assert len(title) <= 60 and title.endswith("\u2026")
    assert title[:-1] == title[:-1].rstrip() and " " in title
    assert "Is a trilateral meeting between the presidents and the".startswith(title[:-1])
    assert shorten("Short?") == "Short?"


def test_podcasting_2_chapters_json():
    data = json.loads(chapters_json(chapters(SCRIPT, SPANS, duration_ms=17800)))
    assert data["version"] == "1.2.0"
    assert [chapter["startTime"] for chapter in data["chapters"]] == [0.0, 3.45, 8.55]
    assert data["chapters"][0]["title"] == INTRO_TITLE


def test_hundreds_of_questions_share_chapters_to_fit_an_id3_table_of_contents():
    many = parse_article("T\n" + "\n".join(f"- Question {n}?\n- Answer {n}." for n in range(600)))
    spans = [Span(index, 0, "x", index * 1000 + 100, index * 1000 + 900) for index in range(len(many.segments))]
    result = chapters(many, spans, duration_ms=len(spans) * 1000)
    assert len(result) <= MAX_CHAPTERS
    assert result[0].title == INTRO_TITLE and result[1].title == "Question 2?"
    assert result[-1].end_ms == len(spans) * 1000
