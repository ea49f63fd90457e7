"""The script file: dump, hand-edit, load back; the schema it follows."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import fastjsonschema
import pytest
import yaml

from audiobuild.errors import InputError
from audiobuild.model import Voice
from audiobuild.parse import INTERVIEWEE, INTERVIEWER, KINDS, ROLES, parse, parse_article
from audiobuild.read.sources import load_article
from audiobuild.run import scriptfile
from audiobuild.voice.casting import cast_parts
from audiobuild.voice.engines.espeak import EspeakSettings
from audiobuild.voice.engines.piper import PiperSettings
from audiobuild.voice.profiles import load_profile

ARTICLES = sorted(path for path in (Path(__file__).parent / "data" / "articles").iterdir()
                  if path.suffix in (".txt", ".md", ".html"))  # fmt: skip
DISCLOSURE = "Read by synthetic voices."
F3 = Voice("gmw/en-us", "pyttsx3", EspeakSettings(rate=160, pitch=60, variant="f3"), volume=0.9)
JOE = Voice("en_US-joe-medium", "piper", PiperSettings())


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize("article", ARTICLES, ids=lambda path: path.name)
def test_dump_then_load_gives_the_same_script(tmp_path, article, fmt):
    script = parse(load_article(article), disclosure=DISCLOSURE, read_stage_directions=article.stem == "panel")
    path = tmp_path / f"script.{fmt}"
    path.write_text(scriptfile.dump(script, fmt), encoding="utf-8")
    assert scriptfile.load(path) == script


def test_the_dump_follows_the_shipped_schema():
    schema = json.loads(resources.files("audiobuild.run").joinpath(scriptfile.SCHEMA_FILE).read_text())
    validate = fastjsonschema.compile(schema)
    script = parse(load_article(ARTICLES[0]), disclosure=DISCLOSURE)
    validate(json.loads(scriptfile.dump(script, "json", voices={"Narrator": (F3, "the narrator")})))
    assert schema["properties"]["schema"]["const"] == scriptfile.SCHEMA
    assert schema["definitions"]["role"]["enum"] == list(ROLES)
    assert schema["properties"]["segments"]["items"]["properties"]["kind"]["enum"] == list(KINDS)


def test_speakers_carry_their_role_voice_and_why():
    script = parse_article("Ann Lee: Rivers\nQ: Why?\nA: Because.")
    voices = {"Ann Lee": (F3, "female voice: “Ms Lee”"), "Interviewer": (JOE, "the other side")}
    document = json.loads(scriptfile.dump(script, "json", voices=voices))
    assert document["schema"] == "audiobuild-script/1"
    assert document["speakers"] == [
        {"name": "Narrator", "role": "narrator"},
        {"name": "Interviewer", "role": INTERVIEWER, "voice": {"engine": "piper", "voice": "en_US-joe-medium",
         "volume": 1.0, "speed": 1.0, "semitones": 0.0}, "cast": "the other side"},
        {"name": "Ann Lee", "role": INTERVIEWEE, "voice": {"engine": "pyttsx3", "voice": "gmw/en-us", "volume": 0.9,
         "rate": 160, "pitch": 60, "variant": "f3"}, "cast": "female voice: “Ms Lee”"},
    ]  # fmt: skip
    assert "read_directions" not in document["segments"][0]  # defaults stay out of the file


def test_a_hand_edited_speaker_is_what_is_loaded(tmp_path):
    script = parse_article("Ann Lee: Rivers\n- Why?\n- Because.\n- And?\n- So.")
    document = yaml.safe_load(scriptfile.dump(script, "yaml"))
    document["segments"][3].update(speaker="Ben Ray", role=INTERVIEWER, kind="question")  # a mis-tagged turn
    document["speakers"] = []  # derived from the segments, so an edit here changes nothing
    path = tmp_path / "fixed.yml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    loaded = scriptfile.load(path)
    assert [(s.speaker, s.role) for s in loaded.segments[1:]] == [
        ("Interviewer", INTERVIEWER), ("Ann Lee", INTERVIEWEE), ("Ben Ray", INTERVIEWER), ("Ann Lee", INTERVIEWEE),
    ]  # fmt: skip
    assert loaded.source == "<text>"


def test_the_text_format_is_for_reading():
    script = parse(load_article(ARTICLES[0]), disclosure=DISCLOSURE)
    text = scriptfile.dump(script, "text", voices={"Narrator": (F3, "the profile's narrator")})
    assert text.startswith(f"Title:    {script.title}\n")
    assert f"  Narrator (narrator)  voice: {F3.describe()}\n      cast: the profile's narrator\n" in text
    assert "  3 [disclosure] Narrator: Read by synthetic voices." in text
    with pytest.raises(ValueError, match="unknown script format"):
        scriptfile.dump(script, "xml")


def test_the_script_shows_the_layout_its_runner_up_and_where_the_date_came_from():
    text = "Bees\nPublished 12 March 2024, 09:15 | Updated 13 March\nANN: Why bees?\nBEN: Hum.\nANN: And?\nBEN: Honey."
    script = parse_article(text)
    shown = scriptfile.dump(script, "text")
    assert "Date:     2024-03-12 (from the date line, line 2)\n" in shown
    assert re.search(r"^Layout:   labels \(score [\d.]+; runner-up: plain, 1\)$", shown, re.MULTILINE)
    document = json.loads(scriptfile.dump(script, "json"))
    assert document["date_source"] == "date line, line 2"
    assert document["layout"]["name"] == "labels" and document["layout"]["runner_up"] == {"name": "plain", "score": 1.0}
    # Read back, the date is the script's: the layout is what the parser saw, and is not read.
    loaded = scriptfile.loads(scriptfile.dump(script, "json"), "x.json")
    assert (loaded.date, loaded.date_source, loaded.layout) == ("2024-03-12", "script", None)


@pytest.mark.parametrize(
    ("content", "suffix", "problem"),
    [
        ('{"title": "x"', ".json", "is not valid JSON at line 1"),
        ("title: [x", ".yaml", "is not valid YAML at line 1"),
        ("[1, 2]", ".json", 'is not an audiobuild script (it has no "schema": "audiobuild-script/1")'),
        ('{"schema": "audiobuild-script/9", "title": "x", "segments": []}', ".json",
         "is a 'audiobuild-script/9' script; this audiobuild reads 'audiobuild-script/1'"),
        ('{"schema": "audiobuild-script/1", "segments": []}', ".json", "the script has no 'title'"),
        (('{"schema": "audiobuild-script/1", "title": "x", "segments": [{"speaker": "A", "role": "host",'
         ' "kind": "answer", "text": "t"}]}'), ".json",
         "segment 1: role must be one of ['narrator', 'interviewer', 'interviewee']"),
        (('{"schema": "audiobuild-script/1", "title": "x", "segments": [{"speaker": "A", "role": "narrator",'
         ' "kind": "title"}]}'), ".json", "segment 1 has no 'text'"),
        ('{"schema": "audiobuild-script/1", "title": "x", "segments": [], "date": "3 March"}', ".json",
         "date must match pattern"),
    ],
)  # fmt: skip
def test_invalid_script_files_give_one_clear_line(tmp_path, content, suffix, problem):
    path = tmp_path / f"script{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as error:
        scriptfile.load(path)
    assert error.value.source == str(path)
    assert error.value.problem.startswith(problem) and "\n" not in error.value.problem


def test_a_missing_script_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        scriptfile.load(tmp_path / "nothing.json")


def test_a_lone_surrogate_is_one_clear_line(tmp_path):
    path = tmp_path / "script.json"
    path.write_text('{"schema": "audiobuild-script/1", "title": "A \\ud800 title", "segments": []}', encoding="utf-8")
    with pytest.raises(InputError) as error:
        scriptfile.load(path)
    assert error.value.problem == "holds a lone surrogate ('\\ud800'), which is no character"


def _swapped(tmp_path, fmt: str) -> Path:
    """The espeak profile's script of an interview, edited: interviewer and interviewee swap voices."""
    script = parse_article("Ann Lee: Rivers\n- Why rivers?\n- Because they move.\n- And then?\n- The sea.")
    parts = cast_parts(script, load_profile("espeak"))
    cast = {name: (part.voice, part.why) for name, part in parts.items()}
    document = yaml.safe_load(scriptfile.dump(script, fmt, cast))
    interviewer, interviewee = document["speakers"][1:]
    interviewer["voice"], interviewee["voice"] = interviewee["voice"], interviewer["voice"]
    path = tmp_path / f"script.{fmt}"
    path.write_text(json.dumps(document) if fmt == "json" else yaml.safe_dump(document, sort_keys=False))
    return path


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_a_speakers_voice_in_the_script_is_the_voice_they_get(tmp_path, fmt):
    profile = load_profile("espeak")
    script = scriptfile.load(_swapped(tmp_path, fmt))
    parts = cast_parts(script, profile)
    assert parts["Interviewer"].voice == profile.voice_for(INTERVIEWEE)
    assert parts["Ann Lee"].voice == profile.voice_for(INTERVIEWER)
    assert parts["Ann Lee"].why == "chosen in the script"


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        ({"pitchh": 50}, "speaker 3: voice: unknown key 'pitchh'"),
        ({"rate": 5}, "speaker 3: voice.rate = 5 must be between 80 and 450"),
        ({"engine": "piper", "voice": "xx_XX-nobody-low"}, "speaker 3: voice: "),
        ({"engine": "festival"}, "speaker 3: voice.engine 'festival' is not one of"),
    ],
)
def test_a_voice_in_the_script_is_checked_on_its_line(tmp_path, edit, problem):
    path = _swapped(tmp_path, "yaml")
    document = yaml.safe_load(path.read_text())
    voice = document["speakers"][2]["voice"]
    if edit.get("engine") == "piper":
        voice.clear()
    voice.update(edit)
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    line = 1 + next(number for number, text in enumerate(path.read_text().splitlines()) if "name: Ann Lee" in text)
    with pytest.raises(InputError) as error:
        scriptfile.load(path)
    assert error.value.problem.startswith(problem), error.value.problem
    assert line < error.value.line <= line + 9 and "\n" not in str(error.value)


def test_a_voice_for_someone_who_never_speaks_is_an_error(tmp_path):
    path = _swapped(tmp_path, "json")
    document = json.loads(path.read_text())
    document["speakers"][2]["name"] = "Anne Lee"  # a typo: the segments say "Ann Lee"
    path.write_text(json.dumps(document, indent=2))
    with pytest.raises(InputError, match="speaker 3: 'Anne Lee' speaks in no segment"):
        scriptfile.load(path)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_a_speaker_named_once_close_to_another_is_warned_of_with_its_line(tmp_path, caplog, fmt):
    script = parse_article("Ann Lee: Rivers\n- Why rivers?\n- Because they move.\n- And then?\n- The sea.")
    document = yaml.safe_load(scriptfile.dump(script, fmt, {}))
    document["segments"][-1]["speaker"] = "Ann Leo"
    path = tmp_path / f"script.{fmt}"
    path.write_text(json.dumps(document, indent=2) if fmt == "json" else yaml.safe_dump(document, sort_keys=False))
    line = next(number for number, text in enumerate(path.read_text().splitlines(), 1) if "Ann Leo" in text)
    assert scriptfile.load(path).segments[-1].speaker == "Ann Leo"  # maybe meant: a warning, not an error
    segment = len(document["segments"])
    assert caplog.messages == [f"{path}:{line}: segment {segment}: speaker: 'Ann Leo' speaks only here, and is close "
                               "to 'Ann Lee': a typo? (a new name is a new person with a voice of their own)"]
    caplog.clear()
    document["segments"][-1]["speaker"], document["segments"][-3]["speaker"] = "Speaker 2", "Speaker 1"
    path.write_text(json.dumps(document, indent=2) if fmt == "json" else yaml.safe_dump(document, sort_keys=False))
    assert scriptfile.load(path) and caplog.messages == []  # numbered speakers are two people


def test_an_earlier_scripts_voice_description_is_ignored_with_a_warning(tmp_path, caplog):
    path = _swapped(tmp_path, "json")
    document = json.loads(path.read_text())
    document["speakers"][2]["voice"] = "gmw/en-us m3 (pyttsx3, rate 175)"
    path.write_text(json.dumps(document, indent=2))
    script = scriptfile.load(path)
    assert "Ann Lee" not in script.voices and "Interviewer" in script.voices
    assert caplog.messages == [
        f'{path}: speaker 3: voice is a description; to choose a voice, give a table such as {{"engine": "piper", '
        '"voice": "en_US-joe-medium"} (`audiobuild voices` lists them)'
    ]


def _script_json(segments: list[dict], **more) -> str:
    return json.dumps({"schema": scriptfile.SCHEMA, "title": "T", "segments": segments, **more}, indent=1)


def _turn(speaker: str, text: str = "Words.") -> dict:
    return {"speaker": speaker, "role": INTERVIEWEE, "kind": "answer", "text": text}


@pytest.mark.parametrize(
    ("content", "suffix", "line", "problem"),
    [
        ('{"schema": "audiobuild-script/1",\n"title": "x",\n"segments": [],\n"layout": {"name": "labels", "score": '
         + "9" * 5000 + "}}", ".json", 4, "holds a 5000-digit number; numbers over 4300 digits are refused"),
        ('{"schema": "audiobuild-script/1", "title": "x", "segments": [], "layout": {"name": "labels", "score": NaN}}',
         ".json", 1, "layout.score = nan must be a finite number"),
        ('{"schema": "audiobuild-script/1", "title": "x", "segments": ' + "[" * 5000 + "]" * 5000 + "}", ".json",
         None, "is nested deeper than 32 tables or lists"),
        ("schema: audiobuild-script/1\ntitle: x\nspeakers:\n- {name: A, role: interviewee, voice: &v {engine: espeak,"
         " voice: en}}\n- {name: B, role: interviewee, voice: *v}\nsegments: []\n", ".yaml", 5,
         "uses the YAML alias *v; aliases are refused (each copy multiplies the document)"),
        (_script_json([_turn("A", "x" * 146_000)]), ".json", None,
         "has a 'word' of 146,000 characters without a space"),
        (_script_json([_turn(f"Speaker {number}") for number in range(1000)]), ".json", 6 + 103 * 6,
         "segment 104: speaker: 'Speaker 103' is speaker 104; a script may have at most 103"),
    ],
    ids=["digits", "nan", "nested", "yaml-alias", "long-word", "1000-speakers"],
)  # fmt: skip
def test_a_script_past_the_bounds_is_one_line(tmp_path, content, suffix, line, problem):
    path = tmp_path / f"script{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as error:
        scriptfile.load(path)
    assert error.value.problem.startswith(problem) and error.value.line == line
