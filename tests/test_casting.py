"""Stage 2, casting: who speaks with which voice, following what the article says of each person."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from audiobuild.model import Voice
from audiobuild.parse import ROLES, parse_article
from audiobuild.voice.casting import Part, Sign, cast, cast_parts, cast_voices, signs
from audiobuild.voice.engines import get_engine
from audiobuild.voice.engines.piper import PiperSettings
from audiobuild.voice.profiles import Profile, load_profile
from tests.audio import decode, median_pitch

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
         "female", "“г-жой Смит”"),  # the inflected form is an honorific too
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


# Issue 24, section 2: a voice that fits each person, tried as a new user would.

WORK_TURNS = "PRIYA RAMAN: What changed in the job?\nHENRIK DAHL: The phones, mostly.\nPRIYA RAMAN: And the people?\n" \
             "HENRIK DAHL: They stayed the same.\n"  # fmt: skip


@pytest.mark.parametrize(
    ("intro", "expected"),
    [
        ("Priya Raman asked him about the work.", None),  # "him" is Henrik: no sign of Priya's sex
        ("Priya Raman asked him about the work. He said it was hard.", None),  # "He" may be him too
        ("Priya Raman asked him about the work. She had done it for years.", "female"),
        ("Priya Raman asked her about the work.", None),  # an object
        ("Priya Raman told her own story first.", "female"),  # a possessive: her own
        ("Priya Raman asked him, and then herself, about the work.", "female"),  # a reflexive is hers
    ],
)
def test_an_object_pronoun_refers_to_someone_else(intro, expected):
    script = parse_article(f"Night shifts\n\n{intro}\n\n{WORK_TURNS}")
    assert (signs(script).get("Priya Raman") or Sign("", "")).gender == (expected or "")
    parts = cast_parts(script, NATURAL)
    assert parts["Priya Raman"].voice == HEART and parts["Henrik Dahl"].voice == JOE  # the interviewer is heart


@pytest.mark.parametrize(
    ("article", "name", "gender"),
    [
        ("Ana Ruiz: El puerto\n\nAna Ruiz habló con él del trabajo en el puerto durante muchos años.\n\n"
         "- ¿Cómo era el invierno?\n- Casi siempre tranquilo, pero muy frío.\n", "Ana Ruiz", None),
        ("Ana Ruiz: El puerto\n\nAna Ruiz trabaja en el puerto desde 1985. Ella empieza a las cuatro de la mañana.\n\n"
         "- ¿Cómo era el invierno?\n- Casi siempre tranquilo, pero muy frío.\n", "Ana Ruiz", "female"),
        ("Anne Roux : Le port\n\nAnne Roux a parlé avec lui du travail au port pendant des années.\n\n"
         "- Comment était l'hiver ?\n- Plutôt calme, mais très froid.\n", "Anne Roux", None),
        ("Anne Roux : Le port\n\nAnne Roux travaille au port depuis 1985. Elle commence à quatre heures du matin.\n\n"
         "- Comment était l'hiver ?\n- Plutôt calme, mais très froid.\n", "Anne Roux", "female"),
        ("Ana Silva: O porto\n\nAna Silva falou com ele sobre o trabalho no porto durante muitos anos.\n\n"
         "- Como era o inverno?\n- Quase sempre calmo, mas muito frio.\n", "Ana Silva", None),
    ],
)  # fmt: skip
def test_pronouns_count_for_whom_they_refer_to_in_other_languages(article, name, gender):
    script = parse_article(article)
    assert (signs(script).get(name) or Sign("", "")).gender == (gender or "")


@pytest.mark.parametrize(
    ("article", "name", "gender"),
    [
        ("Marguerite Oyelaran: Bread\n\nMarguerite Oyelaran has run the bakery on Dock Street since 1985. "
         "She starts at four.\n\n- Why bread?\n- Because people need it every day.\n", "Marguerite Oyelaran", "female"),
        ("Tom Hale: Maps\n\nTom Hale has drawn maps of New York for the city since 1990. He still draws by hand.\n\n"
         "- Why by hand?\n- Because I can see more.\n", "Tom Hale", "male"),
        ("Ana Ruiz: El puerto\n\nAna Ruiz trabaja en Buenos Aires desde 1985. Ella empieza a las cuatro de la mañana."
         "\n\n- ¿Cómo era el invierno?\n- Casi siempre tranquilo, pero muy frío.\n", "Ana Ruiz", "female"),
        ("Anne Roux : Le port\n\nAnne Roux travaille à Port Louis depuis 1985. Elle commence à quatre heures du matin."
         "\n\n- Comment était l'hiver ?\n- Plutôt calme, mais très froid.\n", "Anne Roux", "female"),
        ("Jonas Roth: Der Hafen\n\nJonas Roth arbeitet seit 1985 in Bad Ems. Er beginnt um vier Uhr am Morgen.\n\n"
         "- Wie war der Winter?\n- Meistens ruhig, aber sehr kalt.\n", "Jonas Roth", "male"),
    ],
)  # fmt: skip
def test_a_place_name_between_the_name_and_the_pronoun_keeps_the_link(article, name, gender):
    sign = signs(parse_article(article))[name]
    assert sign.gender == gender


HONORIFIC_ARTICLES = {
    "de": ("Anna Roth: Der Hafen\n\nWir haben {} Roth in Hamburg getroffen, wo wir lange über den Hafen sprachen.\n\n"
           "- Wie war die Arbeit im Winter?\n- Meistens ruhig, aber sehr kalt und dunkel.\n", "Frau", "Herrn"),
    "fr": ("Anne Roux : Le port\n\nNous avons rencontré {} Roux à Marseille, pour parler longtemps du port.\n\n"
           "- Comment était le travail en hiver ?\n- Plutôt calme, mais très froid et sombre.\n", "Mme", "M."),
    "es": ("Ana Ruiz: El puerto\n\nHablamos con {} Ruiz en Cádiz, donde trabaja en el puerto desde hace años.\n\n"
           "- ¿Cómo era el trabajo en invierno?\n- Casi siempre tranquilo, pero muy frío y oscuro.\n",
           "la Sra.", "el Sr."),
    "it": ("Anna Rossi: Il porto\n\nAbbiamo incontrato {} Rossi a Genova, dove lavora al porto da molti anni.\n\n"
           "- Com'era il lavoro d'inverno?\n- Per lo più tranquillo, ma molto freddo e buio.\n",
           "la Sig.ra", "il Sig."),
    "pt": ("Ana Silva: O porto\n\nFalámos com {} Silva em Lisboa, onde trabalha no porto há muitos anos.\n\n"
           "- Como era o trabalho no inverno?\n- Quase sempre calmo, mas muito frio e escuro.\n", "a Sra.", "o Sr."),
    "pl": ("Anna Nowak: Port\n\nRozmawialiśmy z {} Nowak w Gdańsku, gdzie od wielu lat pracuje w porcie.\n\n"
           "- Jak wyglądała praca zimą?\n- Zwykle spokojnie, ale bardzo zimno i ciemno.\n", "panią", "panem"),
    "uk": ("Анна Коваль: Порт\n\nМи поговорили з {} Коваль в Одесі, де багато років працюють у порту.\n\n"
           "- Якою була робота взимку?\n- Здебільшого спокійною, але дуже холодною і темною.\n", "пані", "паном"),
}  # fmt: skip


@pytest.mark.parametrize("language", HONORIFIC_ARTICLES)
@pytest.mark.parametrize("gender", ["female", "male"])
def test_honorifics_in_every_language_with_a_narrator_sentence(language, gender):
    article, woman, man = HONORIFIC_ARTICLES[language]
    title = woman if gender == "female" else man
    script = parse_article(article.format(title))
    assert script.language == language
    (name, sign), *others = signs(script).items()
    assert not others and sign.gender == gender and f"“{title.split()[-1]}" in sign.evidence
    assert cast_parts(script, ESPEAK)[name].voice.settings.variant[0] == gender[0]  # f3 or m3, in the language


def test_an_honorific_in_a_speaker_label_in_another_language():
    script = parse_article("Der Hafen\nHERR KELLER: Wie war der Winter?\nFRAU ROTH: Meistens ruhig, aber kalt.\n"
                           "HERR KELLER: Und der Sommer?\nFRAU ROTH: Warm und voller Arbeit, wie immer.\n")  # fmt: skip
    found = {name: sign.gender for name, sign in signs(script).items()}
    assert found == {"Herr Keller": "male", "Frau Roth": "female"}


SAME_SEX = {
    "en": "The harbour\n\n{} Ann Raman talked to {} Kay Dahl about the harbour.\n\n"
          "ANN RAMAN: What changed in the job over the years?\nKAY DAHL: The phones, mostly, and the hours.\n"
          "ANN RAMAN: And the people?\nKAY DAHL: They stayed the same, which I like.\n",
    "es": "El puerto\n\n{} Ana Ruiz habló con {} Eva Gil sobre el puerto y el trabajo.\n\n"
          "ANA RUIZ: ¿Qué cambió en el trabajo con los años?\nEVA GIL: Los teléfonos, sobre todo, y los horarios.\n"
          "ANA RUIZ: ¿Y la gente?\nEVA GIL: La gente sigue igual, y eso me gusta.\n",
    "de": "Der Hafen\n\n{} Anna Roth sprach mit {} Eva Keller über den Hafen und die Arbeit.\n\n"
          "ANNA ROTH: Was hat sich in der Arbeit verändert?\n"
          "EVA KELLER: Vor allem die Telefone und die Arbeitszeiten.\n"
          "ANNA ROTH: Und die Leute?\nEVA KELLER: Die Leute sind gleich geblieben, und das mag ich.\n",
}  # fmt: skip
SAME_SEX_TITLES = {"en": {"female": ("Ms", "Mrs"), "male": ("Mr", "Mr")},
                   "es": {"female": ("La Sra.", "la señora"), "male": ("El Sr.", "el señor")},
                   "de": {"female": ("Frau", "Frau"), "male": ("Herr", "Herrn")}}  # fmt: skip
SAYS = {
    "en": "We spoke for an hour about the sea and the long winter nights, and about the harbour.",
    "es": "Hablamos durante una hora del mar y de las largas noches de invierno, y del puerto.",
    "de": "Wir sprachen eine Stunde lang über das Meer und die langen Winternächte und über den Hafen.",
}


@pytest.mark.parametrize("language", SAME_SEX)
@pytest.mark.parametrize("gender", ["female", "male"])
def test_two_people_of_one_sex_both_get_a_voice_of_that_sex(language, gender):
    parts = same_sex_parts(language, gender)
    assert sum(part.why.startswith(f"a second {gender} voice: ") for part in parts.values()) == 1


def same_sex_parts(language: str, gender: str) -> dict[str, Part]:
    """The two people of an article in `language` about two people of `gender`: two voices of that sex."""
    script = parse_article(SAME_SEX[language].format(*SAME_SEX_TITLES[language][gender]))
    assert script.language == language
    profile = NATURAL if language == "en" else ESPEAK
    parts = {name: part for name, part in cast_parts(script, profile).items() if name != "Narrator"}
    places = {name: place for name, part in parts.items() for place, voice in profile.all_voices.items()
              if (voice.engine, voice.settings) == (part.voice.engine, part.voice.settings)}  # fmt: skip
    assert len(places) == 2 and len(set(places.values())) == 2, parts
    assert all(profile.genders[place] == gender for place in places.values()), parts
    return parts


@pytest.mark.parametrize("language", SAME_SEX)
@pytest.mark.parametrize("gender", ["female", "male"])
def test_two_people_of_one_sex_are_15_percent_apart_in_pitch(tmp_path, language, gender):
    pitches = []
    for index, part in enumerate(same_sex_parts(language, gender).values()):
        wav = tmp_path / f"{index}.wav"
        get_engine(part.voice.engine).synthesize(SAYS[language], part.voice, wav)
        pitches.append(median_pitch(decode(wav)))
    assert max(pitches) / min(pitches) >= 1.15, pitches


def test_a_person_of_a_sex_the_extra_voices_have_run_out_of_shares_a_voice_of_that_sex(caplog):
    # Five women on a panel: the natural profile has heart and two extra heart variants, then a voice is shared.
    names = ["Ann Berg", "Kay Dahl", "Eva Lund", "Ida Holm", "Liv Sand"]
    intro = " ".join(f"Ms {name.split()[1]} is here." for name in names)
    turns = "".join(f"MODERATOR: And you?\n{name.upper()}: Yes, me too.\n" for name in names)
    parts = cast_parts(parse_article(f"Panel\n\n{intro}\n\n{turns}"), NATURAL)
    assert all(NATURAL.genders[place] == "female" for name in names for place, voice in NATURAL.all_voices.items()
               if voice == parts[name].voice), {name: parts[name].voice for name in names}  # fmt: skip
    assert parts["Liv Sand"].why.startswith("the interviewer's voice, female, shared: “Ms Sand”")
    assert "Liv Sand shares a voice: the profile has no more female extra voices" in caplog.text
