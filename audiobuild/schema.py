"""One way to check every file a user writes: a JSON Schema per file type, checked with fastjsonschema.

podcast.toml, voice profiles, lexicons, language tables and script files are
each described by a schema. A table that maps to a dataclass gets its schema
from the dataclass itself (`dataclass_schema`: a property per field, typed
from its annotation, with the field's `constraints`), so defaults and types
are written once.

A mistake is one line that names the file, the line, the key and the problem,
in the words of the file's own format::

    podcast.toml:3: [podcast] unknown key 'titel'; keys are title, ... (did you mean 'title'?)
    mine.toml:9: [interviewee] rate = 5000 must be between 80 and 450

A schema may give the message for a rule itself, in ``"x-messages": {rule:
text}`` (keywords starting with x- are ignored by fastjsonschema), with
``{value}``, and for unknown keys ``{unknown}`` and ``{keys}``; name what its
keys are (``"x-keys": "role"``); and explain keys that belong elsewhere
(``"x-misplaced": {key: text}``).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import math
import re
import sys
import tomllib
import types
import typing
from collections.abc import Callable
from pathlib import Path

from audiobuild.errors import AudiobuildError, ConfigError

# JSON Schema types, and how a message names them.
_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}
_TYPE_NAMES = {"boolean": "bool", "integer": "int", "number": "float", "string": "str", "array": "a list"}

Describe = Callable[[list], str]


# Field metadata for a dataclass field that is not a key of the file (set by the program).
INTERNAL = {"internal": True}


def constraints(**schema: object) -> dict:
    """Field metadata with JSON Schema keywords for `dataclass_schema`.

    >>> constraints(minimum=0)
    {'schema': {'minimum': 0}}
    """
    return {"schema": schema}


def dataclass_schema(cls: type, overrides: dict[str, dict] | None = None, **extra: object) -> dict:
    """The JSON Schema of a table that becomes an instance of dataclass `cls`: its fields, nothing else.

    Each field's type comes from its annotation (``int | None`` is an int that
    may be left out), its other keywords from ``metadata=constraints(...)``
    and then `overrides` (field name -> keywords); numbers are at least 0
    unless a constraint says otherwise. `extra` are keywords of the table's own.
    """
    properties = {}
    for item in _keys(cls):
        kind = _field_type(cls, item.name)
        if typing.get_origin(kind) is tuple:  # tuple[str, ...]: a list of them
            schema = {"type": "array", "items": {"type": _JSON_TYPES[typing.get_args(kind)[0]]}}
        else:
            schema = {"type": _JSON_TYPES[kind]}
        if kind in (int, float):
            schema["minimum"] = 0
        schema.update(item.metadata.get("schema", {}))
        schema.update((overrides or {}).get(item.name, {}))
        properties[item.name] = schema
    return {"type": "object", "properties": properties, "additionalProperties": False, **extra}


def table_defaults(cls: type) -> dict:
    """The defaults of dataclass `cls` for each key its table may hold (not the program's own fields)."""
    instance = cls()
    return {item.name: getattr(instance, item.name) for item in _keys(cls)}


def _keys(cls: type) -> list[dataclasses.Field]:
    return [item for item in dataclasses.fields(cls) if item.init and not item.metadata.get("internal")]


def from_table(cls: type, values: dict) -> object:
    """An instance of dataclass `cls` from a table its schema accepted (ints where it holds floats: ``1.0`` is 1)."""

    def convert(key: str, value: object) -> object:
        kind = _field_type(cls, key)
        return int(value) if kind is int else tuple(value) if typing.get_origin(kind) is tuple else value

    return cls(**{key: convert(key, value) for key, value in values.items()})


def _field_type(cls: type, name: str) -> type:
    """The type of a dataclass field; X for ``X | None`` (TOML has no null: the key is left out instead)."""
    kind = typing.get_type_hints(cls)[name]
    if isinstance(kind, types.UnionType):
        kind = next(arm for arm in typing.get_args(kind) if arm is not type(None))
    return kind


def read_toml(path: Path) -> tuple[dict, str]:
    """The TOML document at `path` and its text, or ConfigError naming the file and the line at fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, f"cannot read: {getattr(error, 'strerror', None) or error}") from None
    return load_document(text, path, "toml"), text


# ---------------------------------------------------------------------------
# Reading a document within bounds

# Tables and lists inside each other: scripts and feeds need five levels; a parser recurses on each.
MAX_DEPTH = 32
# Python refuses to read longer integers (CVE-2020-10735: int() of a long text takes quadratic time).
MAX_DIGITS = sys.get_int_max_str_digits()


def load_document(
    text: str, source: object, fmt: str, *, error: type[AudiobuildError] = ConfigError, lenient: bool = False
) -> object:
    """The JSON, YAML or TOML (`fmt`) document in `text`, read within bounds, or `error` in one line.

    Refused, naming the line where it can: a syntax error; YAML aliases
    (``*name``: a "billion laughs" document expands each one, and so grows
    exponentially with its size); nesting deeper than MAX_DEPTH; an integer of
    more than MAX_DIGITS digits; a lone surrogate (JSON's ``"\\ud800"``), which
    no encoding can write. With `lenient`, a syntax error gives None instead
    (a Markdown front matter that is not YAML after all is text).
    """
    syntax: tuple[type[Exception], ...] = (json.JSONDecodeError, tomllib.TOMLDecodeError)
    try:
        if fmt == "json":
            document = json.loads(text)
        elif fmt == "yaml":
            import yaml  # here: reading JSON and TOML need not load it

            syntax += (yaml.YAMLError,)
            document = yaml.load(text, Loader=_loader())  # noqa: S506 (a SafeLoader that refuses aliases)
        else:
            document = tomllib.loads(text)
    except syntax as problem:
        if isinstance(problem, _AliasRefused):
            raise error(source, str(problem), line=problem.line) from None
        if lenient:
            return None
        raise error(source, _syntax(problem, fmt)) from None
    except RecursionError:
        raise error(source, f"is nested deeper than {MAX_DEPTH} tables or lists") from None
    except ValueError as problem:  # Python's limit on an integer's digits; a YAML date of a 13th month
        long = re.search(rf"(?<!\d)\d{{{MAX_DIGITS + 1}}}\d*", text)
        if long is None:
            raise error(source, f"holds a value that cannot be read: {problem}") from None
        line = text.count("\n", 0, long.start()) + 1
        raise error(source, f"holds a {len(long.group())}-digit number; numbers over {MAX_DIGITS} digits are refused",
                    line=line) from None  # fmt: skip
    for path, value in _nodes(document):
        if len(path) > MAX_DEPTH:
            raise error(source, f"is nested deeper than {MAX_DEPTH} tables or lists", line=_locate(text, fmt, path))
        if isinstance(value, str) and _SURROGATE.search(value):
            found = _SURROGATE.search(value).group()
            raise error(source, f"holds a lone surrogate ({found!a}), which is no character",
                        line=_locate(text, fmt, path))  # fmt: skip
    return document


# A lone surrogate: JSON can name one ("\\ud800"), but it is no character and nothing encodes it.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _syntax(problem: Exception, fmt: str) -> str:
    """A parser's syntax error as the end of one line: "is not valid JSON at line 3: Expecting ','"."""
    if isinstance(problem, json.JSONDecodeError):
        return f"is not valid JSON at line {problem.lineno}: {problem.msg}"
    if isinstance(problem, tomllib.TOMLDecodeError):
        return f"invalid TOML: {problem}"
    mark = getattr(problem, "problem_mark", None)
    where = f" at line {mark.line + 1}" if mark else ""
    return f"is not valid YAML{where}: {getattr(problem, 'problem', None) or problem}"


def _locate(text: str, fmt: str, path: list) -> int | None:
    return toml_line(text, path) if fmt == "toml" else yaml_line(text, path)


def _nodes(document: object):
    """(path, value) for every value of `document`, its keys as values too, without recursion (it may be deep)."""
    stack = [([], document)]
    while stack:
        path, value = stack.pop()
        yield path, value
        if len(path) > MAX_DEPTH:
            continue
        if isinstance(value, dict):
            for key, inner in value.items():
                stack.append(([*path, key], key))
                stack.append(([*path, key], inner))
        elif isinstance(value, list):
            stack.extend(([*path, index], inner) for index, inner in enumerate(value))


class _AliasRefused(Exception):
    """Raised by the YAML loader at an alias."""

    def __init__(self, anchor: str, line: int):
        super().__init__(f"uses the YAML alias *{anchor}; aliases are refused (each copy multiplies the document)")
        self.line = line


@functools.cache
def _loader() -> type:
    """PyYAML's SafeLoader, refusing aliases before they are expanded."""
    import yaml

    class AliasRefused(_AliasRefused, yaml.YAMLError):
        pass

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise AliasRefused(event.anchor, event.start_mark.line + 1)
            return super().compose_node(parent, index)

    return Loader


def check(
    document: object,
    schema: dict,
    source: object,
    text: str | None = None,
    *,
    error: type[AudiobuildError] = ConfigError,
    describe: Describe | None = None,
    locate: Callable[[str, list], int | None] | None = None,
    at: list = (),
    json_terms: bool = False,
) -> None:
    """Raise `error` (one line: source, line, key, problem) unless `document` follows `schema`.

    `text` is the file's text, to find the line of the key at fault; `locate`
    finds it (TOML's by default, `yaml_line` for JSON and YAML), and `describe`
    names a key's path in the file's terms (TOML tables and keys by default).
    `at` is where `document` is in the file, when it is one table of it;
    `json_terms` names types as JSON does (an object, not a table).
    Unknown keys are reported first: a misspelt name explains what follows it.
    """
    import fastjsonschema

    if _follows(document, schema):  # the common case, fast: the walks below only explain a problem
        return
    describe = describe or toml_key
    problem = _unknown_key(document, schema, list(at), describe) or _not_finite(document, list(at), describe)
    if problem is None:
        try:
            _validator(schema)(document)
            return
        except fastjsonschema.JsonSchemaValueException as exception:
            problem = _problem(exception, document, list(at), describe, json_terms)
    path, message = problem
    line = (locate or toml_line)(text, path) if text is not None else None
    raise error(source, message, line=line)


def _follows(document: object, schema: dict) -> bool:
    """True when `document` follows `schema` and every number is finite: `check`'s answer in a tenth of its time.

    The compiled schema refuses every key `_unknown_key` would, so only numbers
    are left, walked without `_nodes`' paths (keys too: YAML has `.nan` keys).
    """
    import fastjsonschema

    try:
        _validator(schema)(document)
    except fastjsonschema.JsonSchemaValueException:
        return False
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return False
        if isinstance(value, dict):
            stack.extend([*value, *value.values()])
        elif isinstance(value, list):
            stack.extend(value)
    return True


_compiled: dict[str, Callable[[object], object]] = {}
# A schema object's validator, found without serialising it (as slow as checking a catalogue row), kept with it.
_by_identity: dict[int, tuple[dict, Callable[[object], object]]] = {}


def _validator(schema: dict) -> Callable[[object], object]:
    """`schema` compiled once per process (compiling generates Python code: about a millisecond a table)."""
    import fastjsonschema

    known = _by_identity.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    key = json.dumps(schema, sort_keys=True)
    if key not in _compiled:
        _compiled[key] = fastjsonschema.compile(schema)
    if len(_by_identity) >= 64:  # schemas made per call (a state document's) would otherwise pile up
        _by_identity.clear()
    _by_identity[id(schema)] = (schema, _compiled[key])
    return _compiled[key]


def error_at(
    source: object, text: str | None, path: list, problem: str, error: type[AudiobuildError] = ConfigError
) -> AudiobuildError:
    """The one-line error for a key at `path` of a TOML file, for checks a schema cannot make."""
    return error(source, f"{toml_key(path)} {problem}", line=toml_line(text, path) if text is not None else None)


def _unknown_key(document: object, schema: dict, path: list, describe: Describe) -> tuple[list, str] | None:
    """The first key that `schema` does not allow, as (its path, the message), walking every table."""
    if isinstance(document, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(document):
            found = _unknown_key(item, schema["items"], [*path, index], describe)
            if found:
                return found
        return None
    if not isinstance(document, dict) or schema.get("type") != "object":
        return None
    if schema.get("additionalProperties") is False and set(document) - set(schema.get("properties", {})):
        return _unknown(document, schema, path, describe)
    for key, value in document.items():
        inner = schema.get("properties", {}).get(key, schema.get("additionalProperties"))
        found = _unknown_key(value, inner, [*path, key], describe) if isinstance(inner, dict) else None
        if found:
            return found
    return None


def _not_finite(document: object, at: list, describe: Describe) -> tuple[list, str] | None:
    """The first number that is not finite (nan, inf: JSON Schema's bounds hold for neither), as (path, message)."""
    for path, value in _nodes(document):
        if isinstance(value, float) and not math.isfinite(value):
            return [*at, *path], _say(describe([*at, *path]), f"= {value} must be a finite number")
    return None


def _unknown(table: dict, schema: dict, path: list, describe: Describe) -> tuple[list, str]:
    """(the first unknown key's path, the message) for a table with keys its schema does not allow."""
    known = list(schema.get("properties", {}))
    unknown = sorted(key for key in table if key not in known)
    custom = schema.get("x-messages", {}).get("additionalProperties")
    misplaced = schema.get("x-misplaced", {}).get(unknown[0])
    if custom or misplaced:
        message = (misplaced or custom).format(unknown=sorted(unknown), keys=", ".join(known), value=unknown[0])
    else:
        what = schema.get("x-keys", "key")
        close = difflib.get_close_matches(unknown[0], known, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        message = f"unknown {what} {unknown[0]!r}; {what}s are {', '.join(known)}{hint}"
    if misplaced:
        return [*path, unknown[0]], _say(describe(path), f"{unknown[0]} {message}")
    # Inside an entry of a table ("[lexicon] 'Ada'"), the entry is named before a colon.
    return [*path, unknown[0]], _say(describe(path) + (":" if len(path) > 1 else ""), message)


def _problem(exception, document: object, at: list, describe: Describe, json_terms: bool = False) -> tuple[list, str]:
    """fastjsonschema's exception as (the path at fault, a message in the file's terms)."""
    path = [*at, *_real_path(document, exception.path[1:])]
    rule, value, definition = exception.rule, exception.value, exception.definition or {}
    if rule == "propertyNames":  # the exception names the table: find its key at fault
        import fastjsonschema

        names = fastjsonschema.compile(definition["propertyNames"])
        key = next(key for key in value if not _accepts(names, key))
        path, value = [*path, key], key
    if rule == "additionalProperties":
        return _unknown(value, definition, path, describe)
    custom = definition.get("x-messages", {}).get(rule)
    if rule == "required":
        missing = ", ".join(repr(key) for key in definition["required"] if key not in value)
        return path, _say(describe(path), (custom or "has no {missing}").format(missing=missing))
    value = _abridged(value)
    if custom:
        message = custom.format(value=value)
    elif rule == "type":
        expected = definition["type"]
        if expected == "object":
            message = "must be an object" if json_terms else "must be a table"
        else:
            names = " or ".join(_TYPE_NAMES.get(kind, kind) for kind in _as_list(expected))
            message = f"must be {names}, not {value!r}"
    elif rule in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        low, high = definition.get("minimum"), definition.get("maximum")
        if low is not None and high is not None:
            bounds = f"between {low} and {high}"
        else:
            words = {"minimum": "at least", "exclusiveMinimum": "above", "maximum": "at most",
                     "exclusiveMaximum": "below"}  # fmt: skip
            bounds = " and ".join(f"{text} {definition[key]}" for key, text in words.items() if key in definition)
        message = f"= {value!r} must be {bounds}"
    else:
        message = exception.message.split(" ", 1)[1]  # "data.x must ..." -> "must ..."
    return path, _say(describe(path), message)


def _real_path(document: object, parts: list[str]) -> list:
    """fastjsonschema's path to a value, as keys and indexes of `document`.

    It names an array's items by their index as text ("segments", "3"), and
    splits the path at every dot, also inside a key ("http://127.0.0.1/feed"):
    a key is rejoined from as many parts as make one of the table's keys.
    """
    path: list = []
    node, rest = document, list(parts)
    while rest:
        if isinstance(node, list) and rest[0].isdigit() and int(rest[0]) < len(node):
            path.append(int(rest[0]))
            node, rest = node[int(rest[0])], rest[1:]
            continue
        count = next((n for n in range(1, len(rest) + 1) if isinstance(node, dict) and ".".join(rest[:n]) in node), 1)
        key = ".".join(rest[:count])
        path.append(key)
        node, rest = node.get(key) if isinstance(node, dict) else None, rest[count:]
    return path


def _abridged(value: object, length: int = 60) -> object:
    """A text (or bytes) value cut to `length` characters with "…": a message quoting it stays one short line."""
    if isinstance(value, str | bytes) and len(value) > length:
        return value[:length] + ("…" if isinstance(value, str) else b"...")
    return value


def _say(subject: str, message: str) -> str:
    return f"{subject} {message}" if subject else message


def _accepts(validator, value: object) -> bool:
    import fastjsonschema

    try:
        validator(value)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


# ---------------------------------------------------------------------------
# Naming a key, and finding its line


def toml_key(path: list) -> str:
    """A key's path as a TOML reader thinks of it: ``[podcast] title``, ``[extra[1]] rate``, ``[lexicon] 'Ada': say``.

    >>> toml_key(["podcast", "title"]), toml_key(["extra", 1, "rate"]), toml_key(["lexicon", "Ada", "say"])
    ('[podcast] title', '[extra[1]] rate', "[lexicon] 'Ada': say")
    """
    if not path:
        return ""
    table, rest = str(path[0]), list(path[1:])
    if rest and isinstance(rest[0], int):
        table, rest = f"{table}[{rest[0]}]", rest[1:]
    if not rest:
        return f"[{table}]"
    if table == "lexicon":  # its keys are the words of the article, quoted so that they stand out
        return f"[{table}] {rest[0]!r}" + "".join(f": {part}" for part in rest[1:])
    return f"[{table}] " + ".".join(map(str, rest))


def json_key(path: list) -> str:
    """A key's path as a JSON reader writes it: "episodes[3].title" ("it" for the whole document).

    >>> json_key(["items", 3, "id"]), json_key([])
    ('items[3].id', 'it')
    """
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".") or "it"


_TOML_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_TOML_KEY = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.\- ]+?)\s*=""")


def toml_line(text: str, path: list) -> int | None:
    """The line (from 1) where the TOML `text` sets the key at `path`, else its table's header, else None.

    >>> toml_line("[podcast]\\ntitle = 'x'\\n\\n[[extra]]\\nrate = 1\\n[[extra]]\\nrate = 2\\n", ["extra", 1, "rate"])
    7
    """
    table: list = []
    counts: dict[tuple, int] = {}
    best = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TOML_HEADER.match(line)
        if header:
            table = [_toml_name(part) for part in header.group(2).split(".")]
            if header.group(1) == "[[":
                index = counts[tuple(table)] = counts.get(tuple(table), -1) + 1
                table = [*table, index]
            if table == path[: len(table)] and (best is None or len(table) > best[0]):
                best = (len(table), number)
            continue
        key = _TOML_KEY.match(line)
        if key:
            full = table + [_toml_name(part) for part in _split_dotted(key.group(1))]
            if full == path[: len(full)] and (best is None or len(full) > best[0]):
                best = (len(full), number)
    return best[1] if best else None


def _toml_name(part: str) -> str:
    part = part.strip()
    return part[1:-1] if len(part) > 1 and part[0] == part[-1] and part[0] in "'\"" else part


def _split_dotted(key: str) -> list[str]:
    return [key] if key[:1] in "'\"" else key.split(".")


def yaml_line(text: str, path: list) -> int | None:
    """The line (from 1) where the JSON or YAML `text` holds the value at `path` (or the nearest table), or None.

    YAML is composed (not constructed: an alias is not expanded), which gives each node its line; JSON
    is scanned by `json_line`, which stops at the value (a feed of megabytes would take seconds to compose).
    """
    import yaml

    if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
        return json_line(text, path)
    try:
        node = yaml.compose(text)
    except (yaml.YAMLError, RecursionError):
        return None
    found = node
    for part in path:  # as deep as the path goes: a missing key is reported at its table
        if isinstance(found, yaml.MappingNode):
            node = next((value for key, value in found.value if key.value == part), None)
        elif isinstance(found, yaml.SequenceNode) and isinstance(part, int) and part < len(found.value):
            node = found.value[part]
        else:
            node = None
        if node is None:
            break
        found = node
    return found.start_mark.line + 1 if found is not None else None


# A JSON text's tokens: strings, punctuation, and the rest (numbers, true, false, null).
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


def json_line(text: str, path: list) -> int | None:
    """The line (from 1) where the JSON `text` holds the value at `path` (or the nearest table), or None.

    One pass over the tokens up to that value, no document built: linear, and it stops there.

    >>> json_line('{"items": [\\n {"id": 1},\\n {"id": "x"}]}', ["items", 1, "id"])
    3
    """
    here: list = []  # the path of the value the scan is in
    arrays: list[bool] = []  # for each open container: is it an array
    expect_key, best, counted = False, None, (0, 1)
    for token in _JSON_TOKEN.finditer(text):
        first = token.group()[0]
        if first in "{[" or (first not in "]},:" and not expect_key):  # a value starts
            if here == path[: len(here)]:
                counted = (token.start(), counted[1] + text.count("\n", counted[0], token.start()))
                if len(here) == len(path):
                    return counted[1]
                best = (len(here), counted[1])
            elif best is not None and len(here) <= best[0]:  # past the nearest table: the key is not there
                break
        if first in "{[":
            arrays.append(first == "[")
            here.append(0 if first == "[" else None)
            expect_key = first == "{"
        elif first in "]}" and arrays:
            arrays.pop()
            here.pop()
            expect_key = False
        elif first == ",":
            if arrays and arrays[-1]:
                here[-1] += 1
            expect_key = bool(arrays) and not arrays[-1]
        elif first == ":":
            expect_key = False
        elif expect_key and here:
            here[-1] = json.loads(token.group()) if "\\" in token.group() else token.group()[1:-1]
    return best[1] if best else None
