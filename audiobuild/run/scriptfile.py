"""The script file: a parsed article to read, check and edit before any audio is made.

JSON and YAML hold the same document, described by the JSON Schema shipped as
`script.schema.json` and versioned by its ``"schema"`` key; both can be edited
(a mis-tagged speaker fixed, a sentence reworded) and read back by `load` to
build from. The text format is for reading only.
"""

from __future__ import annotations

import difflib
import functools
import json
import logging
import re
from collections import Counter
from importlib import resources
from pathlib import Path

from audiobuild.errors import InputError
from audiobuild.model import DEFAULT_NAMES, Dropped, Script, Segment, Voice
from audiobuild.parse.cast import MAX_SPEAKERS
from audiobuild.parse.text import sentences_of
from audiobuild.read.sources import check_text
from audiobuild.schema import check, load_document, yaml_line
from audiobuild.voice.profiles import voice_from_table, voice_problem, voice_table

log = logging.getLogger("audiobuild")

SCHEMA = "audiobuild-script/1"
SCHEMA_FILE = "script.schema.json"
FORMATS = ("json", "yaml", "text")
# Suffixes of the files `load` reads.
SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


Cast = dict[str, tuple[Voice, str]]  # speaker's name -> (their voice, why they have it)


def _document(script: Script, voices: Cast | None = None) -> dict:
    """The script as the JSON/YAML document; `voices` gives each speaker's voice and why."""
    speakers = []
    for person in script.people:
        entry = {"name": person.name, "role": person.role}
        if voices and person.name in voices:
            voice, why = voices[person.name]
            entry |= {"voice": voice_table(voice), "cast": why}
        speakers.append(entry)
    return {
        "schema": SCHEMA,
        "source": script.source,
        "title": script.title,
        "byline": script.byline,
        "interviewee": script.interviewee,
        "date": script.date,
        "date_source": script.date_source,
        "language": script.language,
        **({"layout": _layout_entry(script)} if script.layout else {}),
        "speakers": speakers,
        "segments": [_segment_entry(segment) for segment in script.segments],
        "dropped": [{"line": item.line, "text": item.text, "reason": item.reason} for item in script.dropped],
    }


def _layout_entry(script: Script) -> dict:
    layout = script.layout
    entry = {"name": layout.name, "score": layout.score}
    if layout.runner_up:
        entry["runner_up"] = {"name": layout.runner_up, "score": layout.runner_up_score}
    return entry


def _segment_entry(segment: Segment) -> dict:
    entry = {"speaker": segment.speaker, "role": segment.role, "kind": segment.kind, "text": segment.text}
    if segment.read_directions:  # the default stays out of the file
        entry["read_directions"] = True
    return entry


def dump(
    script: Script,
    fmt: str = "json",
    voices: Cast | None = None,
    speech: tuple[tuple[str, ...], ...] | None = None,
) -> str:
    """The script as JSON, YAML or readable text; `voices`: speaker name -> (their voice, why cast so).

    The text format also shows `speech`, what the engine is given for each
    sentence (`pronounce.speech`), where it differs from the article's text.
    """
    if fmt == "json":
        return json.dumps(_document(script, voices), indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        import yaml

        return yaml.safe_dump(_document(script, voices), sort_keys=False, allow_unicode=True, width=100)
    if fmt == "text":
        return _text(script, voices or {}, speech)
    raise ValueError(f"unknown script format {fmt!r}; formats are {', '.join(FORMATS)}")


def _text(script: Script, voices: Cast, speech: tuple[tuple[str, ...], ...] | None) -> str:
    lines = [f"Title:    {script.title}"]
    date = f"{script.date} (from the {script.date_source})" if script.date and script.date_source else script.date
    facts = (("Byline:", script.byline), ("Date:", date), ("Language:", script.language), ("Layout:", _layout(script)))
    lines += [f"{label:<9} {value}" for label, value in facts if value]
    lines.append("Speakers:")
    for person in script.people:
        voice, why = voices.get(person.name, (None, None))
        lines.append(f"  {person.name} ({person.role})" + (f"  voice: {voice.describe()}" if voice else ""))
        if why:
            lines.append(f"      cast: {why}")
    lines.append("")
    for number, segment in enumerate(script.segments, start=1):
        lines.append(f"{number:>3} [{segment.kind}] {segment.speaker}: {segment.text}")
        spoken = speech[number - 1] if speech else segment.sentences
        lines += [f"      says: {said}" for sentence, said in zip(segment.sentences, spoken) if said != sentence]
    if script.dropped:
        lines += ["", "Dropped (not read):"]
        lines += [f"  line {item.line}, {item.reason}: {item.text}" for item in script.dropped]
    return "\n".join(lines) + "\n"


def _layout(script: Script) -> str | None:
    """ "labels (score 14.2; runner-up: dashes, 3.0)": how the parser read the article, and how close it was."""
    layout = script.layout
    if layout is None:
        return None
    runner_up = f"runner-up: {layout.runner_up}, {layout.runner_up_score:g}" if layout.runner_up else "no runner-up"
    return f"{layout.name} (score {layout.score:g}; {runner_up})"


def load(path: Path) -> Script:
    """Read a (possibly hand-edited) JSON or YAML script file, or raise InputError with one clear line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(path, f"cannot read: {getattr(error, 'strerror', None) or error}") from None
    return loads(text, path, SUFFIXES.get(path.suffix.lower(), "json"))


def loads(text: str, source: object, fmt: str = "json") -> Script:
    """A Script from the text of a JSON or YAML script document (`source` names it in errors)."""
    document = load_document(text, source, fmt, error=InputError)
    _check(document, source, text)
    _warn_of_near_names(document, source, text)
    return Script(
        source=document.get("source") or str(source),
        title=document["title"],
        byline=document.get("byline"),
        interviewee=document.get("interviewee"),
        date=document.get("date"),
        date_source="script" if document.get("date") else None,
        language=document.get("language", ""),
        segments=[
            Segment(item["role"], item["kind"], item["text"], item["speaker"], read, sentences_of(item["text"], read))
            for item in document["segments"]
            for read in [item.get("read_directions", False)]
        ],
        dropped=[Dropped(item["line"], item["text"], item["reason"]) for item in document.get("dropped", [])],
        voices=_chosen_voices(document, source, text),
    )


def _warn_of_near_names(document: dict, source: object, text: str) -> None:
    """Warn of a speaker named once whose name is close to another's ("Marin Holt", "Maren Holt").

    A new name is a new person with a voice of their own, which an edited
    script may mean; a slip of the keyboard it rarely does, so this is a
    warning with the line, not an error.
    """
    turns = Counter(item["speaker"] for item in document["segments"])
    names = list(turns)  # in order of first turn
    for index, item in enumerate(document["segments"]):
        name = item["speaker"]
        if turns[name] != 1:
            continue
        # The name to suspect is the rarer of the two, or the later one: "Ann Lee" then "Ann Leo".
        # "Speaker 1" and "Speaker 2" are two people, not a typo.
        position, numbered = names.index(name), re.sub(r"\d+", "#", name)
        others = [other for place, other in enumerate(names)
                  if (turns[other] > 1 or place < position) and re.sub(r"\d+", "#", other) != numbered]  # fmt: skip
        near = difflib.get_close_matches(name, others, 1, 0.8)
        if near:
            at = ["segments", index, "speaker"]
            line = yaml_line(text, at)
            log.warning("%s: %s: %r speaks only here, and is close to %r: a typo? (a new name is a new person "
                        "with a voice of their own)", f"{source}:{line}" if line else source, _key(at), name,
                        near[0])  # fmt: skip


def _chosen_voices(document: dict, source: object, text: str) -> dict[str, Voice]:
    """The voices a script gives its speakers (`speakers[].voice` tables), each checked and installed.

    A speaker's voice written as a string is a description, which earlier
    scripts hold (written for reading): it is ignored, with a warning saying
    how to choose a voice.
    """
    speaking = {item["speaker"] for item in document["segments"]}
    chosen = {}
    for index, speaker in enumerate(document.get("speakers", [])):
        table, at = speaker.get("voice"), ["speakers", index, "voice"]
        if isinstance(table, str):
            log.warning('%s: %s is a description; to choose a voice, give a table such as {"engine": "piper", '
                        '"voice": "en_US-joe-medium"} (`audiobuild voices` lists them)', source, _key(at))  # fmt: skip
            continue
        if table is None:
            continue
        if speaker["name"] not in speaking:
            where = yaml_line(text, at[:2])
            raise InputError(source, f"{_key(at[:2])}: {speaker['name']!r} speaks in no segment", where)
        voice = voice_from_table(table, source, text, at=at, error=InputError, describe=_key, locate=yaml_line,
                                 json_terms=True)  # fmt: skip
        problem = voice_problem(voice)
        if problem:
            raise InputError(source, f"{_key(at)}: {problem}", yaml_line(text, at))
        chosen[speaker["name"]] = voice
    return chosen


def _check(document: object, source: object, text: str) -> None:
    """Raise InputError, with the line at fault, unless `document` is a script of this version and schema."""
    if not isinstance(document, dict) or "schema" not in document:
        raise InputError(source, f'is not an audiobuild script (it has no "schema": "{SCHEMA}")')
    if document["schema"] != SCHEMA:
        raise InputError(source, f"is a {document['schema']!r} script; this audiobuild reads {SCHEMA!r}")
    check(document, _schema(), source, text, error=InputError, describe=_key, locate=yaml_line, json_terms=True)
    # As many people as an article may name, and the narrator and the two sides' defaults besides.
    most, names = MAX_SPEAKERS + len(DEFAULT_NAMES), set()
    places = [(["speakers", index, "name"], item["name"]) for index, item in enumerate(document.get("speakers", []))]
    places += [(["segments", index, "speaker"], item["speaker"]) for index, item in enumerate(document["segments"])]
    for at, name in places:
        names.add(name)
        if len(names) > most:
            raise InputError(source, f"{_key(at)}: {name!r} is speaker {most + 1}; a script may have at most {most}",
                             yaml_line(text, at))  # fmt: skip
    check_text("\n".join(item["text"] for item in document["segments"]), source)


@functools.cache
def _schema() -> dict:
    return json.loads(resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def _key(path: list) -> str:
    """A key's path in a script as the README names it: "segment 4: role", "title", "the script".

    >>> _key(["segments", 3, "role"]), _key(["title"]), _key([])
    ('segment 4: role', 'title', 'the script')
    """
    if len(path) >= 2 and path[0] in ("segments", "dropped", "speakers") and isinstance(path[1], int):
        where = f"{path[0][:-1]} {path[1] + 1}"
        return f"{where}: {'.'.join(map(str, path[2:]))}" if len(path) > 2 else where
    return ".".join(map(str, path)) or "the script"
