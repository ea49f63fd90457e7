"""Stage 2, casting: who speaks with which voice, following what the article says of each person."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from audiobuild.model import Voice
from audiobuild.parse import ROLES, parse_article
from audiobuild.voice.casting import cast, cast_parts, cast_voices, signs
from audiobuild.voice.engines.piper import PiperSettings
from audiobuild.voice.profiles import Profile, load_profile

NATURAL = load_profile("natural")
ESPEAK = load_profile("espeak")
HEART, JOE = NATURAL.voice_for("interviewer"), NATURAL.voice_for("interviewee")


def interview(intro: str, title: str = "Ada Lindqvist: A lighthouse", turns: str = "- Was it quiet?\n- Mostly.\n"):
    return parse_article(f"{title}\n\n{intro}\n\n{turns}")


@pytest.mark.parametrize(
    ("intro", "gender", "evidence"),
    [
        ("We met Ms Lindqvist in Bergen.", "female", "“Ms Lindqvist” in segment 2"),
        ("We met Mrs. Ada Lindqvist in Bergen.", "female", "“Mrs. Ada Lindqvist” in segment 2"),
        ("Ada Lindqvist kept the light for 22 years. She lives in Bergen now.", "female", "“She” after “Ada”"),
        ("Ada Lindqvist, who kept the light, says her days were long.", "female", "“her” after “Ada”"),
        ("Sir Ada Lindqvist kept the light.", "male", "“Sir Ada Lindqvist”"),
        ("Lindqvist kept the light until he retired.", "male", "“he” after “Lindqvist”"),
    ],
)
def test_the_text_says_who_is_a_woman_or_a_man(intro, gender, evidence):
    (sign,) = signs(interview(intro)).values()
    assert sign.gender == gender and evidence in sign.evidence


@pytest.mark.parametrize(
    "intro",
    [
        "Ada Lindqvist kept the light on Skarvholm.",  # a first name alone says nothing
        "Ada Lindqvist met Tom Berg in 1990. He taught her to sail.",  # "He" may be Tom's
        "Mrs Lindqvist and Mr Lindqvist kept the light together.",  # two people, signs both ways
        "The keeper said she liked the quiet. Ada Lindqvist agreed.",  # the pronoun comes before the name
    ],
)
def test_no_sign_or_signs_both_ways_leave_the_profiles_order(intro):
    script = interview(intro)
    assert signs(script) == {}
    parts = cast_parts(script, NATURAL)
    assert (parts["Interviewer"].voice, parts["Ada Lindqvist"].voice) == (HEART, JOE)
    assert parts["Ada Lindqvist"].why == "the profile's order: no sign of sex in the text"


def test_a_woman_interviewed_gets_the_female_voice_and_the_interviewer_the_male_one():
    parts = cast_parts(interview("We met Ms Lindqvist in Bergen."), NATURAL)
    assert parts["Ada Lindqvist"].voice == HEART and parts["Interviewer"].voice == JOE
    assert parts["Ada Lindqvist"].why == "female voice: “Ms Lindqvist” in segment 2"
    assert parts["Interviewer"].why == "male voice: the other side from Ada Lindqvist"


def test_a_man_interviewing_gets_the_male_voice():
    script = parse_article("Night buses\nMR GRAY: Who is first?\nPAT LEE: Me.\nMR GRAY: Why?\nPAT LEE: I work late.\n")
    parts = cast_parts(script, NATURAL)
    assert parts["Mr Gray"].voice == JOE and parts["Pat Lee"].voice == HEART
    assert parts["Mr Gray"].why == "male voice: “Mr Gray” in the speaker's label"


def test_the_narrator_is_never_the_model_of_who_speaks_right_after_it():
    unswapped = cast_parts(interview("Ada Lindqvist kept the light."), NATURAL)
    assert unswapped["Narrator"].voice == NATURAL.voice_for("narrator")  # joe, lowered; heart asks first
    swapped = cast_parts(interview("We met Ms Lindqvist in Bergen."), NATURAL)
    assert swapped["Interviewer"].voice == JOE
    assert swapped["Narrator"].voice == NATURAL.extra[0] and swapped["Narrator"].voice.engine == "hibari"
    assert "who speaks right after it" in swapped["Narrator"].why


def test_further_people_get_extra_voices_of_their_sex_all_distinct():
    script = parse_article(
        "Your Call: night buses\nHOST: Who is first, sir?\nCALLER MIKE: Me.\nHOST: And next?\n"
        "CALLER TOM: Me too.\nHOST: Thank you. And you, madam?\nCALLER PRIYA: Here.\nHOST: Thanks, all.\n"
    )
    parts = cast_parts(script, NATURAL)
    assert parts["Caller Mike"].voice == JOE and "“sir” said to them" in parts["Caller Mike"].why
    assert parts["Caller Tom"].voice == NATURAL.extra[0]  # no sign: the next extra voice
    assert parts["Caller Priya"].voice == NATURAL.extra[2] and parts["Caller Priya"].why.startswith(
        "an extra voice, female"
    )
    assert NATURAL.genders["extra[2]"] == "female"
    assert len({part.voice for part in parts.values()}) == len(parts)


RUSSIAN = "Анна Петрова: Музей ночью\n— Зачем музею ночные часы?\n— Днём люди работают, а вечером у них есть время.\n"


@pytest.mark.parametrize(
    ("article", "gender", "evidence"),
    [
        (RUSSIAN, "female", "the surname's female form, “Петрова”"),
        (RUSSIAN.replace("Анна Петрова", "Иван Петров"), "male", "the surname's male form, “Петров”"),
        ("Анна Смит: Музей\n\nАнна Смит, директор музея, рассказала о ночных часах.\n\n— Зачем?\n— Затем.\n",
         "female", "“рассказала” after “Анна”"),
        ("Иван Смит: Музей\n\nИван Смит родился в Москве.\n\n— Зачем?\n— Затем.\n", "male", "“родился” after “Иван”"),
        ("Анна Смит: Музей\n\nМы говорим с г-жой Смит. Интервью взяла г-жа Смит.\n\n— Зачем?\n— Затем.\n",
         "female", "“г-жа Смит”"),
    ],
)  # fmt: skip
def test_russian_surnames_verbs_and_honorifics(article, gender, evidence):
    (sign,) = signs(parse_article(article)).values()
    assert sign.gender == gender and evidence in sign.evidence


def test_an_article_no_natural_voice_speaks_is_read_by_espeak_in_its_language_with_one_line(caplog):
    caplog.set_level(logging.INFO, "audiobuild")
    script = parse_article(RUSSIAN)
    parts = cast_parts(script, NATURAL)
    assert {part.voice.voice for part in parts.values()} == {"zle/ru"}
    assert parts["Анна Петрова"].voice.settings.variant == "f3"  # a woman: espeak's female voice, in Russian
    assert parts == cast_parts(script, ESPEAK)
    (line,) = caplog.messages
    assert line == (
        f"{script.source}: no voice of the natural profile speaks 'ru': "
        "it is read by the espeak profile's voices in that language"
    )


def test_an_article_in_russian_is_read_by_russian_voices_that_stay_distinct():
    script = parse_article(RUSSIAN)
    assert script.language == "ru"
    voices = cast_voices(script, ESPEAK)
    assert {voice.voice for voice in voices.values()} == {"zle/ru"}
    assert len({voice.settings.variant for voice in voices.values()}) == len(voices)


def test_a_piper_voice_moves_to_the_languages_model_without_its_speaker():
    script = parse_article(RUSSIAN)
    english = Voice("en_US-pair-medium", "piper", PiperSettings(speaker="ann", semitones=3.0))
    profile = Profile("mine", Path("mine.toml"), dict.fromkeys(ROLES, english))
    languages = {"piper": {"en_US-pair-medium": "en-us", "ru_RU-irina-medium": "ru-ru"}}
    parts = cast(script, profile, languages, stand_ins=ESPEAK)
    assert {part.voice for part in parts.values()} == {
        Voice("ru_RU-irina-medium", "piper", PiperSettings(semitones=3.0))
    }


def test_a_language_nobody_speaks_keeps_the_voice_and_says_so(caplog):
    script = parse_article(RUSSIAN.replace("Анна Петрова", "Анна Смит"))
    parts = cast(script, ESPEAK, {"pyttsx3": {"gmw/en-us": "en-us", "gmw/en-gb-x-rp": "en-gb"}}, stand_ins=ESPEAK)
    assert parts["Анна Смит"].voice == ESPEAK.voice_for("interviewee")
    assert parts["Анна Смит"].why.endswith("; all the same")
    assert f"{script.source}: no voice of its own speaks 'ru' for Narrator, Interviewer, Анна Смит" in caplog.text


def test_people_beyond_the_extra_voices_share_their_roles_voice(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("".join(f'[{role}]\nvoice = "gmw/en-us"\nvariant = "m{n}"\n' for n, role in enumerate(ROLES)))
    profile = load_profile(str(path))  # no [[extra]] voices
    script = parse_article("Panel\nMODERATOR: Go.\nANNA BERG: One.\nMODERATOR: And?\nTOM HALE: Two.\n")
    voices = cast_voices(script, profile)
    assert voices["Anna Berg"] == voices["Tom Hale"] == profile.voice_for("interviewee")


def test_an_english_article_with_a_few_cyrillic_words_stays_english():
    script = parse_article(
        "A visit to Moscow\n- What does Кремль mean?\n- It means fortress, like the kremlin in Kazan.\n"
    )
    assert script.language == "en"
    assert all(voice.voice.startswith("gmw/en") for voice in cast_voices(script, ESPEAK).values())


def test_the_script_command_shows_each_voice_and_why(tmp_path):
    article = tmp_path / "lighthouse.txt"
    article.write_text("Ada Lindqvist: A lighthouse\n\nWe met Ms Lindqvist in Bergen.\n\n- Was it quiet?\n- Mostly.\n")
    shown = subprocess.run(
        [sys.executable, "-m", "audiobuild", "script", str(article)], cwd=tmp_path, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    assert (
        "  Ada Lindqvist (interviewee)  voice: heart (hibari, speed 1, seed 0, volume 1)\n"
        "      cast: female voice: “Ms Lindqvist” in segment 3\n"  # the segments as listed: after the disclosure
    ) in shown.stdout
    assert "  Interviewer (interviewer)  voice: en_US-joe-medium" in shown.stdout
    assert "      cast: male voice: the other side from Ada Lindqvist\n" in shown.stdout


@pytest.mark.parametrize(("narrator", "moves"), [("ann", False), ("bob", True)])
def test_two_speakers_of_one_model_are_two_voices_to_the_narrator_rule(narrator, moves):
    speaker = lambda name: Voice("en_US-pair-medium", "piper", PiperSettings(speaker=name))  # noqa: E731
    roles = {"narrator": speaker(narrator), "interviewer": speaker("bob"), "interviewee": speaker("cat")}
    profile = Profile("mine", Path("mine.toml"), roles, extra=(speaker("dan"),))
    parts = cast(interview("No signs here."), profile, {"piper": {"en_US-pair-medium": "en-us"}}, stand_ins=ESPEAK)
    assert parts["Narrator"].voice == (speaker("dan") if moves else speaker(narrator))
