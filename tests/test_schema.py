"""One validation mechanism for every file a user writes: schemas, one-line errors with the line, did-you-mean."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from audiobuild.config import load_config
from audiobuild.errors import ConfigError, InputError
from audiobuild.run.scriptfile import load as load_script_file
from audiobuild.schema import (
    check,
    constraints,
    dataclass_schema,
    from_table,
    json_line,
    load_document,
    toml_line,
    yaml_line,
)
from audiobuild.voice.engines import ENGINES, engine_class
from tests.conftest import REPO


@dataclass(frozen=True)
class Example:
    name: str = "x"
    count: int | None = None  # the old reader raised KeyError on this annotation
    ratio: float = field(default=1.0, metadata=constraints(maximum=2))


def test_a_dataclass_gives_its_schema_and_an_optional_int_is_an_int():
    schema = dataclass_schema(Example)
    assert schema["properties"]["count"] == {"type": "integer", "minimum": 0}
    assert schema["properties"]["ratio"] == {"type": "number", "minimum": 0, "maximum": 2}
    check({"count": 3}, schema, "x.toml")
    assert type(from_table(Example, {"count": 3.0}).count) is int
    with pytest.raises(ConfigError, match=r"x.toml: \[example\] count must be int, not 'three'"):
        check({"count": "three"}, schema, "x.toml", at=["example"])


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("[podcast]\ntitle = 'Mine'\n\n[pauses]\nsentense = 300\n", 5,
         "[pauses] unknown key 'sentense'; keys are sentence, paragraph, speaker_change, after_intro, lead_in, tail "
         "(did you mean 'sentence'?)"),
        ("[podcast]\ntitle = 'Mine'\nexplicit = 'no'\n", 3, "[podcast] explicit must be bool, not 'no'"),
        ("[audio]\n\n\nbitrate_kbps = 65\n", 4, "[audio] bitrate_kbps 65 is not an MP3 bitrate"),
        ("[podcats]\ntitle = 'x'\n", 1, "unknown table 'podcats'; tables are podcast, audio, pauses, reading, cluster, "
         "lexicon, inbox, serve, follow, cache (did you mean 'podcast'?)"),
        ('[lexicon]\n"Ada" = "Ahda"\n"Bo" = { espeak = "b" }\n', 3,
         "[lexicon] 'Bo': unknown key 'espeak'; keys are say, pyttsx3, piper, hibari, kokoro"),
    ],
)  # fmt: skip
def test_a_config_error_names_the_file_the_line_the_key_and_the_problem(tmp_path, text, line, message):
    path = tmp_path / "podcast.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert (error.value.line, error.value.problem) == (line, message)
    assert str(error.value) == f"{path}:{line}: {message}"


def test_a_voice_profile_error_names_the_line_of_the_extra_voice(tmp_path):
    from audiobuild.voice.profiles import load_profile

    roles = "".join(f'[{role}]\nvoice = "gmw/en-us"\n' for role in ("narrator", "interviewer", "interviewee"))
    path = tmp_path / "mine.toml"
    path.write_text(roles + '[[extra]]\nvoice = "gmw/en-us"\n[[extra]]\nvoice = "gmw/en-us"\npitch = 500\n')
    with pytest.raises(ConfigError) as error:
        load_profile(str(path))
    assert (error.value.line, error.value.problem) == (11, "[extra[1]] pitch = 500 must be between 0 and 100")


def test_toml_lines_follow_tables_arrays_of_tables_and_quoted_keys():
    text = '[podcast]\ntitle = "x"\n[lexicon]\n"St. Kilda" = "Saint Kilda"\n[[extra]]\nrate = 1\n[[extra]]\nrate = 2\n'
    assert toml_line(text, ["podcast", "title"]) == 2
    assert toml_line(text, ["lexicon", "St. Kilda"]) == 4
    assert toml_line(text, ["extra", 1, "rate"]) == 8
    assert toml_line(text, ["podcast", "missing"]) == 1  # the table's header
    assert toml_line(text, ["nothing"]) is None


def test_script_errors_give_the_line_in_json_and_yaml(tmp_path):
    segment = '{"speaker": "A", "role": "host", "kind": "answer", "text": "t"}'
    json_text = '{\n  "schema": "audiobuild-script/1",\n  "title": "x",\n  "segments": [\n    ' + segment + "\n  ]\n}\n"
    yaml_text = "schema: audiobuild-script/1\ntitle: x\nsegments:\n- speaker: A\n  role: host\n  kind: answer\n"
    yaml_text += "  text: t\n"
    for name, text, line in (("s.json", json_text, 5), ("s.yaml", yaml_text, 5)):
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(InputError) as error:
            load_script_file(path)
        assert error.value.line == line, name
        assert error.value.problem.startswith("segment 1: role must be one of")
    assert yaml_line(yaml_text, ["segments", 0, "nothing"]) == 4  # the nearest table


def test_every_engine_declares_its_settings_as_a_frozen_dataclass():
    for name in ENGINES:
        cls = engine_class(name)
        assert cls.name == name
        settings = cls.Settings()
        assert dataclasses.is_dataclass(settings) and cls.Settings.__dataclass_params__.frozen
        assert set(dataclass_schema(cls.Settings)["properties"]) == {item.name for item in dataclasses.fields(settings)}
        assert settings.describe() and settings.label("some-voice").startswith("some-voice")


def test_reading_config_and_serving_do_not_load_the_audio_stack():
    probe = (
        "import sys, audiobuild.config, audiobuild.serve.command; "
        "print(sorted({'numpy', 'pydub'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_no_module_is_over_600_lines():
    long = {path.name: count for path in Path(REPO, "audiobuild").rglob("*.py")
            if (count := len(path.read_text(encoding="utf-8").splitlines())) > 600}  # fmt: skip
    assert not long


# ---------------------------------------------------------------------------
# Documents past the readers' bounds: one line, never an exception of Python's

_DIGITS = "9" * 5000
_LONG = "holds a 5000-digit number; numbers over 4300 digits are refused"
_DEEP = "is nested deeper than 32 tables or lists"


@pytest.mark.parametrize(
    ("fmt", "text", "line", "problem"),
    [
        ("json", f'{{\n"n": {_DIGITS}}}', 2, _LONG),
        ("yaml", f"a: 1\nn: {_DIGITS}\n", 2, _LONG),
        ("toml", f"a = 1\nn = {_DIGITS}\n", 2, _LONG),
        ("json", '{"a": ' * 5000 + "1" + "}" * 5000, None, _DEEP),  # RecursionError in Python's decoder
        ("toml", "a = " + "[" * 5000 + "]" * 5000, None, _DEEP),
        ("yaml", "[" * 5000 + "]" * 5000, None, _DEEP),
        ("json", '{"a":\n' + "[" * 40 + "]" * 40 + "}", 2, _DEEP),  # deep, but not so deep that a parser fails
        ("json", '{"title":\n"\\ud800"}', 2, "holds a lone surrogate ('\\ud800'), which is no character"),
        # "Billion laughs": nine aliases of nine would be 10^9 strings; the first alias is refused.
        ("yaml", 'a: &a ["lol", "lol"]\nb: &b [*a, *a]\nc: [*b, *b]\n', 2,
         "uses the YAML alias *a; aliases are refused (each copy multiplies the document)"),
        ("yaml", "title: x\ndate: 2025-13-45\n", None, "holds a value that cannot be read: month must be in 1..12"),
    ],
    ids=["json-digits", "yaml-digits", "toml-digits", "json-recursion", "toml-recursion", "yaml-recursion",
         "json-depth", "surrogate", "yaml-alias", "yaml-date"],
)  # fmt: skip
def test_documents_past_the_readers_bounds_are_one_line(fmt, text, line, problem):
    with pytest.raises(InputError) as error:
        load_document(text, "doc", fmt, error=InputError)
    assert (error.value.problem, error.value.line) == (problem, line)


def test_a_yaml_document_without_aliases_reads_as_before():
    assert load_document("a: &anchor [1, 2]\nb: {c: d}\n", "doc", "yaml") == {"a": [1, 2], "b": {"c": "d"}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[reading]\nrate = nan\n", r"podcast.toml:2: \[reading\] rate = nan must be a finite number"),
        ("[reading]\nrate = inf\n", r"\[reading\] rate = inf must be a finite number"),
        ("[pauses]\ntail = 100000000\n", r"podcast.toml:2: \[pauses\] tail = 100000000 must be between 0 and 10000"),
        (f"[pauses]\ntail = {2**63 - 1}\n", rf"\[pauses\] tail = {2**63 - 1} must be between 0 and 10000"),
        (f"[audio]\nbitrate_kbps = {_DIGITS}\n", "podcast.toml:2: " + _LONG),
        ("[podcast]\ntitle = " + "[" * 3000 + "]" * 3000 + "\n", "podcast.toml: " + _DEEP),
    ],
    ids=["nan", "inf", "pause", "pause-2^63", "digits", "nested"],
)
def test_config_values_past_their_bounds_name_the_file_and_value(tmp_path, text, message):
    (tmp_path / "podcast.toml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path / "podcast.toml")


def test_a_value_too_long_to_show_is_cut_in_the_message():
    with pytest.raises(ConfigError) as error:
        check({"count": "x" * 100_000}, dataclass_schema(Example), "x.toml", at=["example"])
    assert len(str(error.value)) < 150 and "xxx…" in str(error.value)


def test_the_line_of_a_value_deep_in_a_large_json_document_is_found_in_one_pass():
    items = ",\n".join(json.dumps({"id": str(index), "content_html": "<p>" + "word " * 200 + "</p>"})
                       for index in range(20_000))  # fmt: skip
    text = '{"version": 1,\n"items": [\n' + items + "]}"  # some 20 MB, an item a line
    started = time.process_time()
    assert json_line(text, ["items", 15_000, "id"]) == 15_003
    assert json_line(text, ["items", 15_000, "missing"]) == 15_003  # a key that is not there: its table
    assert time.process_time() - started < 5  # composing it as YAML took 18 to 28 s
