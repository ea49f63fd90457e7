"""Per-language text normalisation: a sentence as the speech engine should read it.

espeak-ng (and Piper, which phonemizes through it) reads some written forms
badly: "1984" as "nineteen hundred eighty four", "$5" as "dollar five",
"Henry VIII" as "Henry roman eight", a URL letter by letter, and the full stop
of "Dr." or "T. S." as the end of a sentence, where it pauses and drops its
intonation. `normalize` rewrites those forms into the words a person would say,
just before synthesis; the transcript keeps the original text.

Each language has a table, ``languages/<code>.toml``. The words (month names,
abbreviations, currency names, context words...) are data there; the rule kinds
that use them are the classes below, applied in this order:

* ``urls``: web addresses, bare domains and e-mail addresses, spelled as words;
* ``abbreviations``: "Dr." as "Doctor" or "Drive" by context, "etc.", "т. е.";
* ``dates``: "3 March 2021", "March 3, 2021", "Nov. 2020", and in digits: "2022-03-14", "03/14/2022",
  "14.03.2022", "2020-12";
* ``years``: years in context ("in 1984"), decades ("the 1990s") and year ranges;
* ``times``: "7:30 pm", "19:45", "7:05" ("seven oh five");
* ``money``: "$4.50", "£20", "$5m", with singular and plural names;
* ``percent``: "12.5%";
* ``units``: "50 g", "30cm", "5 km/h", "20 °C", "100 MB", in the form the amount takes, and as an
  adjective ("a 40cm mirror": "a forty-centimetre mirror", with ``[unit_adjectives]``);
* ``fractions``: "2/3", "1/4", "½", "2½";
* ``scores``: "won 3-2" ("three two"), and ranges of small numbers ("5-10": "5 to 10");
* ``ordinals``: "21st", "5-й", "90-х";
* ``roman_numerals``: "Henry VIII", "World War II";
* ``initials``: "T. S. Eliot", "J.R.R.", "the U.S. economy", without the full stops.

A language switches a rule kind off by leaving its table out, and a language
without a file is read as written. Text inside ``[[ ... ]]`` (phonemes from the
pronunciation lexicon) passes through untouched. A table is checked against
`language_schema` when it is loaded; a malformed one is a programming error:
loading it raises `TableError`. The rule kinds themselves are in `rules` (words)
and `numbers`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

from num2words import num2words

from audiobuild.errors import ConfigError
from audiobuild.schema import check, read_toml
from audiobuild.voice.pronounce import numbers, rules
from audiobuild.voice.pronounce.rules import PLURAL_RULES, Language

LANGUAGES = Path(__file__).resolve().parent / "languages"

# Table name -> rule kind, in the order they run: addresses first, as their dots and digits are no sentence
# ends or numbers; years before money, so "$2020" stays money; times before scores ("7:30" is no score);
# money and percent before units ("$5m" is money); numerals before initials, to see "John I. Smith".
RULE_KINDS: dict[str, Callable[[Language, dict], Callable[[str], str]]] = {
    "urls": rules._Addresses,
    "abbreviations": rules._Abbreviations,
    "dates": numbers._Dates,
    "years": numbers._Years,
    "times": numbers._Times,
    "money": numbers._Money,
    "percent": numbers._Percent,
    "units": numbers._Units,
    "fractions": numbers._Fractions,
    "scores": numbers._Scores,
    "ordinals": numbers._Ordinals,
    "roman_numerals": rules._RomanNumerals,
    "initials": rules._Initials,
}
# The rule kinds that say numbers as words, with num2words.
_NUMBER_WORDS = {"dates", "years", "times", "fractions", "scores", "ordinals", "roman_numerals"}


class TableError(ValueError):
    """A language table that does not follow the format (a programming error, raised when it is loaded)."""

    def __init__(self, source: object, problem: str, line: int | None = None):
        super().__init__(f"{Path(str(source)).name}{f':{line}' if line else ''}: {problem}")


def normalize(text: str, language: str, date_order: str | None = None) -> str:
    """The sentence `text` as an engine should read it: numbers, symbols and abbreviations as words.

    `language` is an ISO 639-1 code, perhaps with a region ("en", "en-GB",
    "ru_RU"); a language without a table gets `text` back unchanged, as does a
    sentence with nothing to normalise. ``[[ ... ]]`` blocks are left alone.
    `date_order` ("day_month" or "month_day") says how a date in digits that
    could be either ("03/04/2022") is read, where the article's own dates show
    it (`numbers.date_order`); by default, as the language's ``[dates] numeric``.
    """
    rules = _rules_for(_language_code(language), date_order)
    if rules is None:
        return text
    return outside_phonemes(text, lambda part: _apply(rules, part))


def outside_phonemes(text: str, change: Callable[[str], str]) -> str:
    """`text` with `change` applied to each part between its ``[[ ... ]]`` blocks, which are kept byte for byte.

    Lexicon phonemes, put in before normalisation, must reach the engine as
    they are. (str.find, as a lazy regex is quadratic on a run of unclosed "[[".)
    """
    said, position = [], 0
    while (opening := text.find("[[", position)) >= 0 and (closing := text.find("]]", opening + 2)) >= 0:
        said += [change(text[position:opening]), text[opening : closing + 2]]
        position = closing + 2
    said.append(change(text[position:]))
    return "".join(said)


def _apply(rules: list[Callable[[str], str]], text: str) -> str:
    if not text:
        return text
    for rule in rules:
        text = rule(text)
    return text


def _language_code(language: str) -> str:
    """ "en-GB", "en_US", "EN" -> "en"; anything that is not a plain code -> "" (no table)."""
    code = re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else ""


@functools.cache
def _rules_for(code: str, date_order: str | None = None) -> list[Callable[[str], str]] | None:
    path = LANGUAGES / f"{code}.toml"
    return _load_language(path, date_order) if code and path.is_file() else None


def _load_language(path: Path, date_order: str | None = None) -> list[Callable[[str], str]]:
    """The rules of the language table at `path`, in the order they run; TableError if the table is malformed.

    `date_order` stands for the table's ``[dates] numeric`` (see `normalize`).
    """
    try:
        document, text = read_toml(path)
    except ConfigError as error:
        raise TableError(path, error.problem) from None
    plural = document.get("numbers", {}).get("plural") if isinstance(document.get("numbers"), dict) else None
    forms = len(plural.split()) if plural in PLURAL_RULES else 2
    check(document, language_schema(forms), path, text, error=TableError)
    # What a schema cannot say: rules across tables.
    numbers = document.get("numbers", {})
    if numbers.get("decimal_mark", ".") in numbers.get("group_marks", ","):
        raise TableError(path, "[numbers] decimal_mark must not be one of the group_marks")
    if "dates" in document and len(document.get("months", {})) != 12:
        raise TableError(path, "[dates] needs the 12 month names of a [months] table, January first")
    if date_order and "dates" in document:
        document = {**document, "dates": {**document["dates"], "numeric": date_order}}
    code = path.stem
    needing = sorted(_NUMBER_WORDS & set(document))
    if needing:
        try:
            num2words(1, lang=code)
        except NotImplementedError:
            raise TableError(path, f"num2words has no {code!r}, which {needing} need") from None
    language = Language(code, document)
    return [kind(language, document[name]) for name, kind in RULE_KINDS.items() if name in document]


# ---------------------------------------------------------------------------------------------------------------
# The schema of a language file

_TEXT = {"type": "string", "pattern": r"\S", "x-messages": {"pattern": "must be a non-empty string"}}
_TEXTS = {"type": "array", "items": _TEXT}
_WORDS = {"type": "object", "additionalProperties": {"type": "string"}}
_CONTEXTS = ("after_name", "before_name", "before_number", "otherwise")


def _table(properties: dict, *required: str, **extra: object) -> dict:
    return {"type": "object", "properties": properties, "additionalProperties": False, "required": list(required),
            **extra}  # fmt: skip


def _template(*fields: str) -> dict:
    allowed = "|".join(fields)
    named = ", ".join(f"{{{{{name}}}}}" for name in fields)  # doubled: the message is formatted
    return {**_TEXT, "pattern": rf"^(?:[^{{}}]|\{{(?:{allowed})\}})+$",
            "x-messages": {"pattern": f"a template may use only {named}, not {{value!r}}"}}  # fmt: skip


def language_schema(form_count: int) -> dict:
    """The JSON Schema of a language file whose ``[numbers] plural`` rule has `form_count` word forms."""
    wrong_forms = f"must be a string or a list of {form_count} word forms, not {{value!r}}"
    words_by_amount = {
        "if": {"type": "string"},
        "then": _TEXT,
        "else": {"type": "array", "items": {"type": "string"}, "minItems": form_count, "maxItems": form_count,
                 "x-messages": dict.fromkeys(("type", "minItems", "maxItems"), wrong_forms)},
    }  # fmt: skip
    by_context = {
        "if": {"type": "string"},
        "then": _TEXT,
        "else": {**_table({context: _TEXT for context in _CONTEXTS}), "minProperties": 1,
                 "x-messages": dict.fromkeys(("type", "minProperties", "additionalProperties"),
                                             f"must be a word or a table of words by context, "
                                             f"a context table has some of the keys {', '.join(_CONTEXTS)}")},
    }  # fmt: skip
    form = {"type": "string", "pattern": numbers.FORM,
            "x-messages": {"pattern": "{value!r} is not a case and a gender or plural: 'genitive f'"}}  # fmt: skip
    form_table = {"type": "object", "additionalProperties": form}
    one_character = {"type": "string", "minLength": 1, "maxLength": 1,
                     "x-messages": dict.fromkeys(("minLength", "maxLength"), "must be one character")}  # fmt: skip
    tables = {
        "numbers": _table({"plural": {"enum": list(PLURAL_RULES)}, "decimal_mark": one_character,
                           "group_marks": {"type": "string"}, "range": _TEXT, "minus": _TEXT}),
        "months": {"type": "object", "additionalProperties": _TEXTS},
        "urls": _table({"tlds": _TEXTS, "words": {
            "type": "object", "additionalProperties": _TEXT, "propertyNames": {"minLength": 1, "maxLength": 1},
            "x-messages": {"propertyNames": "keys are single characters, values words"}}}, "tlds", "words"),
        "abbreviations": {"type": "object", "additionalProperties": by_context},
        "dates": _table({"day_month": _template("day", "month"), "month_day": _template("day", "month"),
                         "numeric": {"enum": ["month_day", "day_month"]}}, "day_month", "month_day"),
        "years": _table({"context": _TEXTS, "joiners": _TEXTS, "drop_words": _TEXTS, "decade_endings": _WORDS}),
        "money": _table({
            "currencies": {"type": "array", "minItems": 1, "items": _table(
                {"symbols": _TEXTS, "names": words_by_amount, "subunits": words_by_amount}, "symbols", "names"),
                "x-messages": dict.fromkeys(("type", "minItems"), "must be an array of tables, [[money.currencies]]")},
            "scales": {"type": "object", "additionalProperties": words_by_amount}}, "currencies"),
        "percent": _table({"names": words_by_amount}, "names"),
        "times": _table({"on_the_hour": _template("hour"), "leading_zero": _TEXT, "day_halves": _WORDS},
                        "on_the_hour", "leading_zero"),
        "units": {"type": "object", "additionalProperties": {
            "if": {"type": "object"},
            "then": _table({"forms": words_by_amount, "spaced": {"type": "boolean"},
                            "not_before_full_stop": {"type": "boolean"}, "gender": {"enum": ["m", "f", "n"]}}, "forms"),
            "else": words_by_amount}},
        "unit_adjectives": _table({"after": _TEXTS, "not_before": _TEXTS}, "after"),
        "fractions": _table({
            "names": {"type": "object", "additionalProperties": words_by_amount,
                      "propertyNames": {"pattern": "^[0-9]+$"},
                      "x-messages": {"propertyNames": "keys are denominators: whole numbers"}},
            "numerator_gender": {"enum": ["m", "f", "n"]}, "mixed": _template("whole", "fraction"),
            "half_after_whole": _TEXT}, "names", "mixed"),
        "scores": _table({"said": _template("first", "second"), "context": _TEXTS}, "said"),
        "ordinals": _table({"endings": form_table, "after_tens": form_table}, "endings"),
        "roman_numerals": _table({"ordinal": _template("number"), "regnal_names": _TEXTS, "feminine_names": _TEXTS,
                                  "cardinal_after": _TEXTS, "after_any_capitalised": {"type": "boolean"},
                                  "also_words": _TEXTS}, "ordinal"),
        "initials": _table({"letter_names": _WORDS}),
    }  # fmt: skip
    assert set(tables) == {"numbers", "months", "unit_adjectives", *RULE_KINDS}, "every rule kind has its table"
    return {
        **_table(tables),
        "x-messages": {"additionalProperties": "unknown tables {unknown}; tables are {keys}"},
    }  # fmt: skip
