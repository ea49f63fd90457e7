"""Stage 2b, pronunciation: the lexicon, and the spoken form each engine is given (normalisation: test_normalize)."""

from __future__ import annotations

import subprocess
import sys
import wave
from pathlib import Path

import pytest

from audiobuild.config import load_config
from audiobuild.errors import ConfigError
from audiobuild.model import Voice
from audiobuild.parse import parse_article
from audiobuild.voice.casting import cast_voices
from audiobuild.voice.engines import ENGINES, get_engine
from audiobuild.voice.engines.piper import PiperSettings
from audiobuild.voice.profiles import load_profile
from audiobuild.voice.pronounce import Lexicon, speech, spoken
from audiobuild.voice.synthesize import ClipCache, synthesize
from tests.conftest import REPO

EXAMPLE_CONFIG = REPO / "examples" / "podcast.toml"


def lexicon(table: dict) -> Lexicon:
    return Lexicon.from_table(Path("lexicon.toml"), table, ENGINES)


@pytest.mark.parametrize(
    ("table", "text", "said"),
    [
        ({"Lindqvist": "Lindkvist"}, "Ada Lindqvist's boat.", "Ada Lindkvist's boat."),
        ({"Lindqvist": "Lindkvist"}, "Lindqvistson and xLindqvist stay.", "Lindqvistson and xLindqvist stay."),
        # A capitalised key is a name: as written, or in capitals (a heading), but not a common word.
        ({"Nice": "Neece"}, "Nice is nice. NICE!", "Neece is nice. Neece!"),
        ({"Nice": "Neece", "nice": "nahce"}, "Nice is nice. NICE!", "Neece is nahce. Neece!"),
        # A lowercase key is a word: in any case.
        ({"gif": "jif"}, "A gif, a Gif, a GIF.", "A jif, a jif, a jif."),
        # Phrases match across any whitespace; the longer key wins.
        ({"York": "Yawk", "New York": "Noo Yawk"}, "From New\nYork to York.", "From Noo Yawk to Yawk."),
        ({"Ó Briain": "O'Bree-an"}, "Dara Ó Briain spoke.", "Dara O'Bree-an spoke."),
        ({"C++": "C plus plus"}, "In C++ today.", "In C plus plus today."),
    ],
)
def test_respellings_are_whole_word_and_case_aware(table, text, said):
    assert lexicon(table).apply(text, "pyttsx3") == said


def test_phonemes_are_per_engine_with_a_respelling_for_the_others():
    entries = lexicon({"Skarvholm": {"say": "Skarv-hollm", "pyttsx3": "sk'A:vh0lm"}})
    assert entries.apply("On Skarvholm.", "pyttsx3") == "On [[sk'A:vh0lm]]."
    assert entries.apply("On Skarvholm.", "piper") == "On Skarv-hollm."
    only_phonemes = lexicon({"Skarvholm": {"piper": "skˈɑːɹvhɔlm"}})
    assert only_phonemes.apply("On Skarvholm.", "pyttsx3") == "On Skarvholm."


def test_podcast_entries_override_the_profiles():
    merged = lexicon({"Ada": "Ayda", "Lindqvist": "Lindkvist"}).merged(lexicon({"Ada": "Ahda"}))
    assert merged.apply("Ada Lindqvist", "piper") == "Ahda Lindkvist"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"Ada": 3}, "'Ada' must be a respelling or a table of say, pyttsx3, piper, hibari"),
        ({"Ada": {"espeak": "x"}}, "'Ada': unknown key 'espeak'; keys are say, pyttsx3, piper, hibari"),
        ({"Ada": {"say": " "}}, "'Ada': say must be a non-empty string"),
        ({"Ada": {}}, "'Ada' must be a respelling"),
        ({"...": "dots"}, "'...' has no word to match"),
    ],
)
def test_a_bad_entry_is_a_one_line_error_naming_it(table, message):
    with pytest.raises(ConfigError, match="lexicon.toml: \\[lexicon\\] " + message.replace("[", "\\[")):
        lexicon(table)


def test_the_lexicon_comes_before_normalisation_and_its_phonemes_are_kept():
    entries = lexicon({"Dr. No": {"pyttsx3": "d'0kt@ n'oU"}, "St. Kilda": "Saint Kilda"})
    assert spoken("Dr. No lives on St. Kilda.", "en", "pyttsx3", entries) == "[[d'0kt@ n'oU]] lives on Saint Kilda."


def test_speech_gives_each_sentence_its_speakers_engine():
    script = parse_article("On Skarvholm\n\n- Was Skarvholm lonely? Yes.\n\n- Skarvholm was home.\n")
    espeak = load_profile("espeak").voice_for("narrator")
    voices = {person.name: espeak for person in script.people}
    voices[script.segments[-1].speaker] = Voice("en_US-joe-medium", "piper", PiperSettings())
    entries = lexicon({"Skarvholm": {"say": "Skarv-hollm", "pyttsx3": "sk'A:vh0lm"}})
    said = speech(script, voices, entries)
    assert said == (("On [[sk'A:vh0lm]]",), ("Was [[sk'A:vh0lm]] lonely?", "Yes."), ("Skarv-hollm was home.",))


def test_brackets_in_the_article_are_text_not_phonemes():
    # Only the lexicon may give an engine phonemes.
    assert (
        spoken("It was [[citation needed]] true.", "en", "pyttsx3", Lexicon()) == "It was [ [citation needed] ] true."
    )


def test_a_profiles_lexicon_applies_and_podcast_toml_overrides_it(tmp_path):
    default = (REPO / "voices" / "espeak.toml").read_text()
    profile_path = tmp_path / "mine.toml"
    profile_path.write_text(default + '\n[lexicon]\n"Ada" = "Ayda"\n"Skarvholm" = "Skarv-holm"\n')
    config_path = tmp_path / "podcast.toml"
    config_path.write_text('[lexicon]\n"Ada" = "Ahda"\n')
    merged = load_profile(str(profile_path)).lexicon.merged(load_config(config_path).lexicon)
    assert merged.apply("Ada of Skarvholm.", "pyttsx3") == "Ahda of Skarv-holm."


def test_the_example_podcast_says_the_example_names():
    config = load_config(EXAMPLE_CONFIG)
    assert config.lexicon.apply("Ada Lindqvist of Skarvholm", "pyttsx3") == "Ahda Lindkvist of [[sk'A:vh0lm]]"
    assert config.lexicon.apply("Ada Lindqvist of Skarvholm", "piper") == "Ahda Lindkvist of [[skˈɑːɹvhɔlm]]"
    assert config.lexicon.apply("Ada Lindqvist of Skarvholm", "hibari") == "Ahda Lindkvist of [[skˈɑɹvhOlm]]"


def test_espeak_reads_phonemes_in_brackets(tmp_path):
    voice = load_profile("espeak").voice_for("narrator")

    def seconds(text: str) -> float:
        wav = tmp_path / "clip.wav"
        get_engine().synthesize(text, voice, wav)
        with wave.open(str(wav)) as audio:
            return audio.getnframes() / audio.getframerate()

    word, phonemes, spelled = seconds("Skarvholm"), seconds("[[sk'A:vh0lm]]"), seconds("s k A v h 0 l m")
    assert phonemes == pytest.approx(word, rel=0.3)
    assert spelled > 1.5 * phonemes  # read as text, the letters take far longer


# Issue 24, section 3: what is read aloud.

ARTICLE_WITH_SYMBOLS = """Bakery talk

We met the baker at dawn on 03/14/2022 by a 40cm mirror. The ovens were already hot.

- What was the best month? 🤔
- December 🎄🎉, by far, because of the cakes 👩🏽‍🍳.
- Do you sell 茶 (tea) or 抹茶 to Tokyo (東京) customers?
- 茶。
- Did the 2020-12 closure hurt, or the 2020-21 season?
- Both, from 2022-03-14 to 14.03.2023 👍.
"""


@pytest.fixture(scope="module")
def shown_script(tmp_path_factory):
    article = tmp_path_factory.mktemp("article") / "bakery.txt"
    article.write_text(ARTICLE_WITH_SYMBOLS, encoding="utf-8")
    shown = subprocess.run([sys.executable, "-m", "audiobuild", "script", str(article)], capture_output=True,
                           text=True, encoding="utf-8")  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    return shown


def test_emoji_are_left_out_of_speech_and_kept_in_the_text(shown_script):
    out = shown_script.stdout
    assert "Interviewer: What was the best month? 🤔\n      says: What was the best month?\n" in out
    assert "Interviewee: December 🎄🎉, by far, because of the cakes 👩🏽‍🍳.\n" \
           "      says: December, by far, because of the cakes.\n" in out  # fmt: skip
    says = [line for line in out.splitlines() if line.strip().startswith("says:")]
    assert not any(char in line for line in says for char in "🤔🎄🎉👩🏽‍🍳👍\ufe0f\u200d")


def test_letters_of_a_script_the_voice_cannot_speak_are_left_out_with_one_warning(shown_script):
    out = shown_script.stdout
    assert "      says: Do you sell (tea) or to Tokyo customers?\n" in out
    assert "Interviewee: 茶。\n      says: 。\n" in out  # the transcript keeps it; nothing is said
    (warning,) = [line for line in shown_script.stderr.splitlines() if "cannot speak" in line]
    assert "bakery.txt: 'en''s voices cannot speak “茶抹東京”" in warning
    assert "in “Do you sell 茶 (tea) or 抹茶 to Tokyo (東京) customers?” and 1 more sentence" in warning


def test_dates_in_digits_and_measures_as_adjectives_are_said_as_people_say_them(shown_script):
    out = shown_script.stdout
    assert "      says: We met the baker at dawn on March fourteenth, twenty twenty-two by a " \
           "forty-centimetre mirror.\n" in out  # fmt: skip
    assert "      says: Did the December twenty twenty closure hurt, or the twenty twenty to twenty twenty-one " \
           "season?\n" in out  # fmt: skip
    assert "      says: Both, from March fourteenth, twenty twenty-two to the fourteenth of March twenty " \
           "twenty-three.\n" in out  # fmt: skip


@pytest.mark.parametrize(
    ("language", "sentence", "said"),
    [
        ("en", "Λόγος and Кремль, شكرا, שלום, สวัสดี, 안녕: hello.", "and: hello."),
        ("ru", "Кремль 🏰 и 東京.", "Кремль и."),  # Cyrillic is Russian's own
        ("ja", "東京とカタカナ and Tokyo 🗼.", "東京とカタカナ and Tokyo."),
        ("de", "Das Café „Λ“ 🇩🇪 öffnet.", "Das Café öffnet."),
    ],
)
def test_what_each_languages_voices_cannot_speak_is_left_out(language, sentence, said):
    assert spoken(sentence, language, "piper", Lexicon()) == said


def test_the_lexicons_phonemes_are_no_foreign_script(caplog):
    # IPA has Greek letters (θ, β, χ): phonemes from the lexicon reach the engine whole, and warn of nothing.
    table = {"Thessaly": {"say": "Thessaly", "piper": "θˈɛsəli", "hibari": "θˈɛsəli"}}
    script = parse_article("Thessaly\n\n- Was Thessaly warm?\n- Very.\n")
    said = speech(script, cast_voices(script, load_profile("natural")), lexicon(table))
    assert "[[θˈɛsəli]]" in said[1][0] and "cannot speak" not in caplog.text


def test_a_lexicon_respelling_says_a_word_of_another_script():
    assert spoken("We flew to 東京 🛫.", "en", "piper", lexicon({"東京": "Tokyo"})) == "We flew to Tokyo."


def test_a_sentence_with_nothing_a_voice_can_say_is_not_given_to_the_engine(tmp_path):
    script = parse_article("Tea\n\n- Do you sell 茶?\n- 茶。\n- 🍵\n- Yes, green tea.\n")
    voices = cast_voices(script, load_profile("natural"))
    clips = synthesize(script, speech(script, voices, Lexicon()), voices, ClipCache(tmp_path))  # Piper would fail
    assert [clip.text for clip in clips] == ["Tea", "Do you sell 茶?", "Yes, green tea."]


@pytest.mark.parametrize(
    ("article_dates", "said"),
    [
        ("The shop opened on 14/03/2022.", "the third of April twenty twenty-two"),  # a day-first article
        ("The shop opened on 03/14/2022.", "March fourth, twenty twenty-two"),  # a month-first one
        ("The shop opened in spring.", "March fourth, twenty twenty-two"),  # no sign: the language's own order
    ],
)
def test_a_date_that_could_be_read_either_way_follows_the_articles_other_dates(article_dates, said):
    script = parse_article(f"The shop\n\n{article_dates} We met the owner.\n\n- When did you move?\n- On 03/04/2022.\n")
    spoken_forms = speech(script, cast_voices(script, load_profile("natural")), Lexicon())
    assert spoken_forms[-1] == (f"On {said}.",)
