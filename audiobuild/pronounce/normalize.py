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
* ``dates``: "3 March 2021", "March 3, 2021", "Nov. 2020";
* ``years``: years in context ("in 1984"), decades ("the 1990s") and year ranges;
* ``money``: "$4.50", "£20", "$5m", with singular and plural names;
* ``percent``: "12.5%";
* ``roman_numerals``: "Henry VIII", "World War II";
* ``initials``: "T. S. Eliot", "J.R.R.", "the U.S. economy", without the full stops.

A language switches a rule kind off by leaving its table out, and a language
without a file is read as written. Text inside ``[[ ... ]]`` (phonemes from the
pronunciation lexicon) passes through untouched. A malformed table is a
programming error: loading it raises `TableError`.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Callable
from pathlib import Path

from num2words import num2words

LANGUAGES = Path(__file__).resolve().parent / "languages"

# What may follow the last word of a sentence: closing quotes and brackets.
_SENTENCE_END = re.compile(r"""\s*["'”’»)\]]*\s*\Z""")

_YEAR = r"(?:1[1-9]|20)[0-9][0-9]"  # 1100-2099: the years an article names without saying "year"
_NOT_MORE_DIGITS = r"(?![\w%]|[.,:/][0-9])"  # not part of a longer number, a decimal, a time or a percentage
_NOT_A_RANGE = r"(?!\s?[-–—]\s?[0-9])"
_ROMAN = re.compile(r"(?=[MDCLXVI])M{0,3}(C[MD]|D?C{0,3})(X[CL]|L?X{0,3})(I[XV]|V?I{0,3})")
_ROMAN_VALUES = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}
_NUMBER_WORDS = {"dates", "years", "roman_numerals"}  # the rule kinds that say numbers as words, with num2words


class TableError(ValueError):
    """A language table that does not follow the format (a programming error, raised when it is loaded)."""


def normalize(text: str, language: str) -> str:
    """The sentence `text` as an engine should read it: numbers, symbols and abbreviations as words.

    `language` is an ISO 639-1 code, perhaps with a region ("en", "en-GB",
    "ru_RU"); a language without a table gets `text` back unchanged, as does a
    sentence with nothing to normalise. ``[[ ... ]]`` blocks are left alone.
    """
    rules = _rules_for(_language_code(language))
    if rules is None:
        return text
    # Lexicon phonemes, inserted before normalisation, must reach the engine byte for byte: only the text
    # between [[...]] blocks is normalised. (str.find, as a lazy regex is quadratic on a run of unclosed "[[".)
    said, position = [], 0
    while (opening := text.find("[[", position)) >= 0 and (closing := text.find("]]", opening + 2)) >= 0:
        said += [_apply(rules, text[position:opening]), text[opening : closing + 2]]
        position = closing + 2
    said.append(_apply(rules, text[position:]))
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
def _rules_for(code: str) -> list[Callable[[str], str]] | None:
    path = LANGUAGES / f"{code}.toml"
    return _load_language(path) if code and path.is_file() else None


def _load_language(path: Path) -> list[Callable[[str], str]]:
    """The rules of the language table at `path`, in the order they run; TableError if the table is malformed."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise TableError(f"{path.name}: invalid TOML: {error}") from None
    unknown = set(document) - {"numbers", "months", *_RULE_KINDS}
    if unknown:
        raise TableError(f"{path.name}: unknown tables {sorted(unknown)}; tables are numbers, months, {_RULE_KINDS}")
    language = _Language(path, path.stem, document)
    return [kind(language, language.section(name)) for name, kind in _RULE_KINDS.items() if name in document]


# ---------------------------------------------------------------------------------------------------------------
# Reading a table


class _Section:
    """One table of a language file, read key by key: a key of the wrong type, or one never read, is an error."""

    def __init__(self, path: Path, name: str, values: object):
        if not isinstance(values, dict):
            raise TableError(f"{path.name}: [{name}] must be a table")
        self.path, self.name, self.values = path, name, values
        self.unread = set(values)

    def fail(self, key: str, message: str) -> TableError:
        return TableError(f"{self.path.name}: [{self.name}] {key}: {message}")

    def get(self, key: str, default: object = ...) -> object:
        self.unread.discard(key)
        if key not in self.values:
            if default is ...:
                raise self.fail(key, "missing")
            return default
        return self.values[key]

    def text(self, key: str, default: str | None = None) -> str | None:
        value = self.get(key, default)
        if value is not default and not (isinstance(value, str) and value.strip()):
            raise self.fail(key, f"must be a non-empty string, not {value!r}")
        return value

    def texts(self, key: str, default: tuple = ()) -> list[str]:
        value = self.get(key, default)
        if not isinstance(value, list | tuple) or not all(isinstance(item, str) and item.strip() for item in value):
            raise self.fail(key, f"must be a list of non-empty strings, not {value!r}")
        return list(value)

    def words(self, key: str, default: dict | None = None) -> dict[str, str]:
        value = self.get(key, default if default is not None else ...)
        if not isinstance(value, dict) or not all(isinstance(word, str) for word in value.values()):
            raise self.fail(key, f"must be a table of strings, not {value!r}")
        return dict(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, not {value!r}")
        return value

    def template(self, key: str, fields: tuple[str, ...]) -> str:
        value = self.text(key)
        try:
            value.format(**dict.fromkeys(fields, ""))
        except (KeyError, IndexError, ValueError) as error:
            raise self.fail(key, f"a template may use only {{{'}, {'.join(fields)}}}: {error}") from None
        return value

    def done(self) -> None:
        if self.unread:
            raise self.fail(sorted(self.unread)[0], "unknown key")


def _plural_one_other(amount: str) -> int:
    return 0 if amount == "1" else 1


def _plural_one_few_many(amount: str) -> int:
    if not amount.isdigit():
        return 1  # a fraction takes the "few" form: 1,5 процента, 2,5 доллара
    tens_and_units = int(amount[-2:])
    if tens_and_units % 10 == 1 and tens_and_units != 11:
        return 0
    if 2 <= tens_and_units % 10 <= 4 and not 12 <= tens_and_units <= 14:
        return 1
    return 2


# How a language picks a word form by the amount: the table names its rule, and every list of forms follows it.
PLURAL_RULES: dict[str, Callable[[str], int]] = {
    "one other": _plural_one_other,  # English: 1 dollar, 2 dollars, 1.5 dollars
    "one few many": _plural_one_few_many,  # Russian and other Slavic languages, by the last two digits
}


class _Language:
    """What the rule kinds share: number format and plural forms (``[numbers]``), month names (``[months]``)."""

    def __init__(self, path: Path, code: str, document: dict):
        self.path, self.code, self.document = path, code, document
        numbers = _Section(path, "numbers", document.get("numbers", {}))
        plural = numbers.text("plural", "one other")
        if plural not in PLURAL_RULES:
            raise numbers.fail("plural", f"{plural!r} is not one of {list(PLURAL_RULES)}")
        self.plural_form = PLURAL_RULES[plural]
        self.form_count = len(plural.split())
        self.decimal_mark = numbers.text("decimal_mark", ".")
        self.group_marks = numbers.get("group_marks", ",")
        self.range_word = numbers.text("range")
        if not isinstance(self.group_marks, str):
            raise numbers.fail("group_marks", f"must be a string of characters, not {self.group_marks!r}")
        if len(self.decimal_mark) != 1 or self.decimal_mark in self.group_marks:
            raise numbers.fail("decimal_mark", "must be one character, and not a group mark")
        numbers.done()
        groups = re.escape(self.group_marks)
        decimal = re.escape(self.decimal_mark)
        grouped = rf"[0-9]{{1,3}}(?:[{groups}][0-9]{{3}})+" if groups else r"(?!)"
        self.number = rf"(?:{grouped}|[0-9]+)(?:{decimal}[0-9]+)?"

        months = _Section(path, "months", document.get("months", {}))
        self.months: dict[str, str] = {}  # every written form -> the month's name
        for name in list(months.values):
            self.months[name] = name
            for short in months.texts(name):
                self.months[short] = name
        months.done()
        self.months_pattern = _alternation(self.months)

        try:
            num2words(1, lang=code)
        except NotImplementedError:
            if _NUMBER_WORDS & set(document):
                needing = sorted(_NUMBER_WORDS & set(document))
                raise TableError(f"{path.name}: num2words has no {code!r}, which {needing} need") from None

    def section(self, name: str) -> _Section:
        return _Section(self.path, name, self.document[name])

    def forms(self, section: _Section, key: str, default: object = ...) -> list[str] | None:
        """Word forms by amount: one string (the same for all) or a list, one per form of the plural rule."""
        value = section.get(key, default)
        if value is None:
            return None
        if isinstance(value, str) and value.strip():
            return [value] * self.form_count
        if isinstance(value, list) and len(value) == self.form_count and all(isinstance(w, str) for w in value):
            return value
        raise section.fail(key, f"must be a string or a list of {self.form_count} word forms, not {value!r}")

    def form(self, forms: list[str], amount: str) -> str:
        """The form of `forms` that goes with `amount` (digits, maybe a decimal mark)."""
        return forms[self.plural_form(amount.replace(self.decimal_mark, "."))]

    def amounts(self, written: str) -> list[str]:
        """The numbers of an amount or a range ("1,200-1,500"), without group marks, which espeak reads right."""
        return [
            "".join(char for char in number if char not in self.group_marks)
            for number in re.findall(self.number, written)
        ]

    def said_range(self, amounts: list[str]) -> str:
        """One amount, or a range said with ``[numbers] range`` ("5 to 10")."""
        return f" {self.range_word} ".join(amounts) if self.range_word else "-".join(amounts)

    def words(self, number: int, to: str = "cardinal", **options: object) -> str:
        """`number` in words, from num2words: `to` is "cardinal", "ordinal" or "year"."""
        return num2words(number, lang=self.code, to=to, **options)


def _alternation(words: object) -> str:
    """A regex alternative of `words`, longest first so that "Sept" wins over "Sep"."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)) or "(?!)"


def _ends_sentence(string: str, end: int) -> bool:
    return _SENTENCE_END.match(string, end) is not None


def _words_before(string: str, start: int) -> list[str]:
    """The words just before `start`, nearest last, when only whitespace separates them from it."""
    before = string[max(0, start - 80) : start]
    return before.split() if before[-1:].isspace() else []


def _next_word(string: str, end: int) -> str:
    after = string[end : end + 80].split(maxsplit=1)
    return after[0].lstrip("\"'“‘«([") if after else ""


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _capitalise(words: str) -> str:
    return words[:1].upper() + words[1:]


# ---------------------------------------------------------------------------------------------------------------
# Rule kinds: each is built from its table and called on the text.


class _Addresses:
    """``[urls]``: URLs, bare domains with a known top-level domain, and e-mail addresses, as words.

    The scheme, "www.", the query string and the fragment are dropped; each
    separator in `words` ("." -> "dot") is said, any other symbol is a pause.
    """

    def __init__(self, language: _Language, table: _Section):
        self.words = table.words("words")
        if not all(len(char) == 1 and word.strip() for char, word in self.words.items()):
            raise table.fail("words", "keys are single characters, values words")
        tlds = table.texts("tlds")
        table.done()
        label = r"[^\W_](?:[\w-]*[^\W_])?"
        self.pattern = re.compile(
            rf"""
            (?<![\w@./:-])(?P<url>(?:https?|ftp)://[^\s<>"\[\]]+|www\.[^\s<>"\[\]]+)
            | (?<![\w.+@-])(?P<local>[\w+-]+(?:\.[\w+-]+)*)@(?P<host>{label}(?:\.{label})+)
            | (?<![\w@./:-])(?P<domain>(?:{label}\.)+(?:{_alternation(tlds)})(?![\w-]|\.[^\W_])(?:/[^\s<>"\[\]]*)?)
            """,
            re.VERBOSE,
        )

    def __call__(self, text: str) -> str:
        if "." not in text:
            return text
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        if match["local"]:
            return f"{self._spell(match['local'])} {self.words.get('@', '@')} {self._spell(match['host'])}"
        address = match["url"] or match["domain"]
        stripped = address.rstrip(".,;:!?)]}'\"»”’")  # sentence punctuation after an address is not part of it
        trailing = address[len(stripped) :]
        address = re.sub(r"^[a-z]+://", "", stripped)
        address = re.sub(r"^www\.", "", address)
        address = re.split(r"[?#]", address, maxsplit=1)[0].rstrip("/")
        return self._spell(address) + trailing if address else match[0]

    def _spell(self, address: str) -> str:
        spoken = "".join(f" {self.words[char]} " if char in self.words else char for char in address)
        return " ".join(re.sub(r"[^\w\s]", " ", spoken).split())


class _Abbreviations:
    """``[abbreviations]``: abbreviations and honorifics as words, without the full stop that would end the sentence.

    A key written with a final full stop needs it ("Gen." is not "Gen Z"); one
    without takes it or not ("Mr", "Mr."). A key in lower case also matches
    capitalised, at the start of a sentence. A value is the expansion, or a table
    choosing by context: `after_name` (after a capitalised word, not before a
    name: "Elm Dr."), `before_name` ("Dr. Smith"), `before_number` ("No. 5"),
    and `otherwise`; with no context that fits, the abbreviation stays.
    """

    CONTEXTS = ("after_name", "before_name", "before_number", "otherwise")

    def __init__(self, language: _Language, table: _Section):
        self.expansions: dict[str, tuple[str | dict[str, str], bool]] = {}  # written form -> (expansion, capitalise)
        patterns = []
        for key in list(table.values):
            expansion = table.get(key)
            if isinstance(expansion, dict):
                if not expansion or not set(expansion) <= set(self.CONTEXTS):
                    raise table.fail(key, f"a context table has some of the keys {self.CONTEXTS}")
            if not all(isinstance(w, str) and w.strip() for w in _values(expansion)) or not key.strip():
                raise table.fail(key, f"must be a word or a table of words by context, not {expansion!r}")
            variants = [key] if key.endswith(".") else [key + ".", key]
            if key[:1].islower():
                variants += [_capitalise(variant) for variant in variants]
            for variant in variants:
                self.expansions[_squeeze(variant)] = (expansion, variant[:1] != key[:1])
                patterns.append(variant)
        table.done()
        alternatives = "|".join(_abbreviation_pattern(p) for p in sorted(patterns, key=len, reverse=True))
        self.pattern = re.compile(rf"(?<![\w.@/-])(?:{alternatives or '(?!)'})")

    def __call__(self, text: str) -> str:
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        string, start, end = match.string, match.start(), match.end()
        expansion, capitalise = self.expansions.get(_squeeze(match[0]), (None, False))
        if expansion is None:
            return match[0]
        if isinstance(expansion, dict):
            expansion = self._by_context(expansion, string, start, end)
            if expansion is None:
                return match[0]
        if capitalise:
            expansion = _capitalise(expansion)
        if match[0].endswith("."):
            if _ends_sentence(string, end):
                return expansion + "."
            if string[end : end + 1].isalnum():
                return expansion + " "  # "Dr.Smith"
        return expansion

    @staticmethod
    def _by_context(expansions: dict[str, str], string: str, start: int, end: int) -> str | None:
        before = _words_before(string, start)
        after = _next_word(string, end)
        if "after_name" in expansions and before and _capitalised(before[-1]) and not _capitalised(after):
            return expansions["after_name"]
        if "before_name" in expansions and _capitalised(after):
            return expansions["before_name"]
        if "before_number" in expansions and after[:1].isdigit():
            return expansions["before_number"]
        return expansions.get("otherwise")


def _values(expansion: object) -> list:
    return list(expansion.values()) if isinstance(expansion, dict) else [expansion]


def _squeeze(written: str) -> str:
    """An abbreviation as written, without its spaces: "т. е." and "т.е." are one key."""
    return "".join(written.split())


def _abbreviation_pattern(written: str) -> str:
    """The regex for `written`, with any spacing after its inner full stops ("e.g.", "e. g.")."""
    parts = []
    for index, char in enumerate(written):
        if char == "." and index < len(written) - 1:
            parts.append(r"\.\s*")
        elif char.isspace():
            if written[index - 1] != ".":  # "т. е.": the space after a full stop is optional, as in "т.е."
                parts.append(r"\s+")
        else:
            parts.append(re.escape(char))
    return "".join(parts) + (r"(?!\w)" if written[-1:].isalnum() else "")


class _Dates:
    """``[dates]``: "3 March 2021", "March 3, 2021", "Nov. 2020", with the day as an ordinal and the year as words.

    `day_month` and `month_day` are the templates, with {day} and {month};
    the month names and their short forms are in ``[months]``.
    """

    def __init__(self, language: _Language, table: _Section):
        self.language = language
        self.day_month = table.template("day_month", ("day", "month"))
        self.month_day = table.template("month_day", ("day", "month"))
        table.done()
        if not language.months:
            raise table.fail("day_month", "dates need the month names of a [months] table")
        self.years = _YearWords(language, _Section(language.path, "years", language.document.get("years", {})))
        months = language.months_pattern
        day = r"(?:[12][0-9]|3[01]|0?[1-9])"
        year = rf"(?P<{{}}>{_YEAR}){_NOT_MORE_DIGITS}"
        self.pattern = re.compile(
            rf"""
            (?<![\w.,])(?P<dm_day>{day})\s+(?P<dm_month>{months})(?P<dm_dot>\.)?(?!\w)
                (?:(?P<dm_sep>,?\s+){year.format("dm_year")})?
            | (?<![\w.])(?P<md_month>{months})(?P<md_dot>\.)?\s+(?:
                (?P<md_day>{day})(?:st|nd|rd|th)?{_NOT_MORE_DIGITS}{_NOT_A_RANGE}
                    (?:(?P<md_sep>,?\s+){year.format("md_year")})?
                | {year.format("my_year")}{_NOT_A_RANGE})
            """,
            re.VERBOSE,
        )

    def __call__(self, text: str) -> str:
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        if match["dm_day"]:
            month = self.language.months[match["dm_month"]]
            said = self.day_month.format(day=self._ordinal(match["dm_day"]), month=month)
            year, separator, dot = match["dm_year"], match["dm_sep"], match["dm_dot"]
        elif match["md_day"]:
            month = self.language.months[match["md_month"]]
            said = self.month_day.format(day=self._ordinal(match["md_day"]), month=month)
            year, separator, dot = match["md_year"], match["md_sep"], None
        else:
            said = self.language.months[match["md_month"]]
            year, separator, dot = match["my_year"], " ", None
        if year:
            return f"{said}{separator}{self.years.say(int(year))}"
        return said + ("." if dot and _ends_sentence(match.string, match.end()) else "")

    def _ordinal(self, day: str) -> str:
        return self.language.words(int(day), to="ordinal")


class _YearWords:
    """A year as words, from num2words: "nineteen eighty-four"; words in `drop_words` left out ("and")."""

    def __init__(self, language: _Language, table: _Section):
        self.language = language
        self.drop_words = set(table.texts("drop_words"))

    def say(self, year: int) -> str:
        words = self.language.words(year, to="year").split()
        return " ".join(word for word in words if word not in self.drop_words)


class _Years:
    """``[years]``: 4-digit years (1100-2099) where the context says they are years, decades and year ranges.

    A number is a year after a word of `context` ("in", "since") or a month
    name, after a `joiners` word that follows another year ("1990 and 2000"),
    as a decade ("1990s", "'90s": the last word takes `decade_endings`), or in
    a range ("1998-2003", "2019-20", said with ``[numbers] range`` between).
    Otherwise it is a number ("2020 people") and stays as written.
    """

    def __init__(self, language: _Language, table: _Section):
        self.language = language
        self.words = _YearWords(language, table)
        self.context = {word.lower() for word in table.texts("context")}
        self.context |= {month.lower() for month in language.months}
        self.joiners = {word.lower() for word in table.texts("joiners")}
        self.decade_endings = table.words("decade_endings", {})
        table.done()
        self.pattern = re.compile(
            rf"""
            (?<![\w.,/:])(?:
                (?P<start>{_YEAR})\s?[-–—]\s?(?P<end>{_YEAR}|[0-9][0-9]){_NOT_MORE_DIGITS}{_NOT_A_RANGE}
                | (?P<decade>(?:1[1-9]|20)[0-9]0)['’]?s(?!\w)
                | (?P<year>{_YEAR}){_NOT_MORE_DIGITS}{_NOT_A_RANGE})
            | (?<![\w'’‘])['’‘](?P<short_decade>[1-9]0)s(?!\w)
            """,
            re.VERBOSE,
        )

    def __call__(self, text: str) -> str:
        last_year_end = -1  # where the last year said as a year ended, for "in 1990 and 2000"

        def replace(match: re.Match) -> str:
            nonlocal last_year_end
            said = self._say(match, last_year_end)
            if said is None:
                return match[0]
            last_year_end = match.end()
            return said

        return self.pattern.sub(replace, text)

    def _say(self, match: re.Match, last_year_end: int) -> str | None:
        before = match.string[match.start() - 1 : match.start()]
        if before and unicodedata.category(before) == "Sc":
            return None  # "$2020" is money
        if match["start"]:
            start, end = int(match["start"]), match["end"]
            if len(end) == 2:
                end = start // 100 * 100 + int(end)  # "2019-20"
                end += 100 if end <= start else 0  # "1998-03"
            if self.language.range_word is None or not start < int(end) < start + 200:
                return None
            return f"{self.words.say(start)} {self.language.range_word} {self.words.say(int(end))}"
        if match["decade"]:
            return self._decade(self.words.say(int(match["decade"])))
        if match["short_decade"]:
            return self._decade(self.language.words(int(match["short_decade"])))
        if self._in_context(match, last_year_end):
            return self.words.say(int(match["year"]))
        return None

    def _in_context(self, match: re.Match, last_year_end: int) -> bool:
        string, start = match.string, match.start()
        if last_year_end >= 0:
            between = string[last_year_end:start].replace(",", " ").split()
            if not between or (len(between) == 1 and between[0].lower() in self.joiners):
                return True
        if string[start - 1 : start] == "-":  # "mid-2020"
            before = re.split(r"[\s-]", string[max(0, start - 40) : start - 1])[-1:]
        else:
            before = _words_before(string, start)[-1:]
        if not before:
            return False
        word = before[0].lstrip("([\"'“‘").lower()
        return word in self.context or word.rstrip(".") in self.context

    def _decade(self, words: str) -> str:
        if not self.decade_endings:
            return words
        head, _, last = words.rpartition(" ")
        for ending in sorted(self.decade_endings, key=len, reverse=True):
            if last.endswith(ending):
                last = last[: len(last) - len(ending)] + self.decade_endings[ending]
                break
        return f"{head} {last}".strip()


class _Money:
    """``[money]``: an amount with a currency symbol, before or after it, as the amount and the currency's name.

    "$4.50" -> "4 dollars 50 cents", "$5m" -> "5 million dollars"; each
    ``[[money.currencies]]`` has its `symbols`, `names` and optional `subunits`
    (word forms by amount, see ``[numbers] plural``), ``[money.scales]`` the
    words after an amount ("m", "bn"). Digits stay digits, without group marks.
    """

    def __init__(self, language: _Language, table: _Section):
        self.language = language
        self.currencies: dict[str, tuple[list[str], list[str] | None]] = {}
        currencies = table.get("currencies")
        if not isinstance(currencies, list) or not currencies:
            raise table.fail("currencies", "must be an array of tables, [[money.currencies]]")
        for currency in currencies:
            entry = _Section(language.path, "money.currencies", currency)
            names = language.forms(entry, "names")
            subunits = language.forms(entry, "subunits", None)
            for symbol in entry.texts("symbols"):
                self.currencies[symbol] = (names, subunits)
            entry.done()
        scales = _Section(language.path, "money.scales", table.get("scales", {}))
        self.scales = {written: language.forms(scales, written) for written in list(scales.values)}
        scales.done()
        table.done()
        symbol, number = _alternation(self.currencies), language.number
        scale = rf"(?:\s?(?P<{{}}>{_alternation(self.scales)})(?P<{{}}>\.)?(?!\w))"
        self.pattern = re.compile(
            rf"""
            (?<!\w)(?P<symbol>{symbol})\s?(?P<amount>{number}(?:\s?[-–]\s?(?:{symbol})?{number})?)
                {scale.format("scale", "scale_dot")}?
            | (?<![\w.,])(?P<amount_before>{number}(?:\s?[-–]\s?{number})?){scale.format("scale_before", "dot_before")}?
                \s?(?P<symbol_after>{symbol})(?!\w)
            """,
            re.VERBOSE,
        )

    def __call__(self, text: str) -> str:
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        language = self.language
        names, subunits = self.currencies[match["symbol"] or match["symbol_after"]]
        amount = match["amount"] or match["amount_before"]
        scale = match["scale"] or match["scale_before"]
        amounts = language.amounts(amount)
        last = amounts[-1]
        if _next_word(match.string, match.end()).rstrip(".,;:!?").lower() in {name.lower() for name in names}:
            names = [""] * len(names)  # "$5 million dollars" names its currency already
        if scale:
            many = language.form(names, "1000000")  # "5 million dollars": the name goes with the million
            said = f"{language.said_range(amounts)} {language.form(self.scales[scale], last)} {many}".rstrip()
            dot = match["scale_dot"] or match["dot_before"]
            return said + ("." if dot and _ends_sentence(match.string, match.end()) else "")
        whole, mark, fraction = last.partition(language.decimal_mark)
        if len(amounts) == 1 and subunits and mark and len(fraction) <= 2:
            cents = int(fraction.ljust(2, "0"))
            said = [f"{whole} {language.form(names, whole)}"] if int(whole) or not cents else []
            if cents:
                said.append(f"{cents} {language.form(subunits, str(cents))}")
            return " ".join(said).rstrip()
        return f"{language.said_range(amounts)} {language.form(names, last)}".rstrip()


class _Percent:
    """``[percent]``: "12.5%" -> "12.5 percent", the word (`names`) in the form the amount takes."""

    def __init__(self, language: _Language, table: _Section):
        self.language = language
        self.names = language.forms(table, "names")
        table.done()
        number = language.number
        self.pattern = re.compile(rf"(?<![\w.,])(?P<amount>{number}(?:\s?[-–]\s?{number})?)\s?%")

    def __call__(self, text: str) -> str:
        if "%" not in text:
            return text
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        amounts = self.language.amounts(match["amount"])
        return f"{self.language.said_range(amounts)} {self.language.form(self.names, amounts[-1])}"


class _RomanNumerals:
    """``[roman_numerals]``: a Roman numeral in a name, as words.

    After a word of `regnal_names`, any numeral up to 39 is an ordinal, in the
    `ordinal` template ("Henry VIII" -> "Henry the Eighth"); with
    `after_any_capitalised`, a numeral of two letters or more is one after any
    capitalised word ("Pope Pius XII"). After `cardinal_after` ("World War",
    "Chapter") it is a number ("World War Two"). A lone "I", "V" or "X" after
    any other word is left alone: it is "I" the pronoun, or "Malcolm X"; and a
    numeral in `also_words` ("I") only counts where a name ends ("Peter I."),
    not in "I told John I would".
    `feminine_names` take the feminine ordinal where num2words has one.
    """

    def __init__(self, language: _Language, table: _Section):
        self.language = language
        self.ordinal = table.template("ordinal", ("number",))
        self.regnal_names = set(table.texts("regnal_names"))
        self.feminine_names = set(table.texts("feminine_names"))
        self.cardinal_after = [tuple(phrase.lower().split()) for phrase in table.texts("cardinal_after")]
        self.after_any_capitalised = table.flag("after_any_capitalised", False)
        self.also_words = set(table.texts("also_words"))
        table.done()
        self.pattern = re.compile(r"(?<![\w'’.-])[MDCLXVI]+(?!\w)")

    def __call__(self, text: str) -> str:
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        numeral, string = match[0], match.string
        before = _words_before(string, match.start())
        if not before or not _ROMAN.fullmatch(numeral):
            return numeral
        if string[match.end() : match.end() + 1] == "." and _capitalised(_next_word(string, match.end() + 1)):
            return numeral  # an initial: "John I. Smith"
        value = sum(_ROMAN_VALUES[a] if _ROMAN_VALUES[a] >= _ROMAN_VALUES[b] else -_ROMAN_VALUES[a]
                    for a, b in zip(numeral, numeral[1:] + "I"))  # fmt: skip
        lowered = [word.lower() for word in before]
        if any(lowered[-len(phrase) :] == list(phrase) for phrase in self.cardinal_after):
            return _capitalise(self.language.words(value))
        small = set(numeral) <= set("IVX")  # regnal numbers stay below XL; "DC" and "MD" are places
        name = before[-1]
        # Any capitalised word, but not an acronym nor the sentence's first word: "The XX century".
        first_word = len(before) == 1 and match.start() <= 80
        named = _capitalised(name) and not name.isupper() and not first_word
        if numeral in self.also_words and not _ends_name(string, match.end()):
            return numeral  # "I told John I would": the pronoun, not John the First
        if small and (name in self.regnal_names or (self.after_any_capitalised and len(numeral) > 1 and named)):
            options = {"gender": "f"} if name in self.feminine_names else {}
            return self.ordinal.format(number=_capitalise(self.language.words(value, to="ordinal", **options)))
        return numeral


def _ends_name(string: str, end: int) -> bool:
    """True when a name ends at `end`: punctuation or the sentence's end follows, or "'s", or another name."""
    after = string[end : end + 2]
    return not after.strip() or not after[0].isspace() or _capitalised(_next_word(string, end))


class _Initials:
    """``[initials]``: "T. S. Eliot" -> "T S Eliot", "the U.S. economy" -> "the U S economy".

    The full stop after a capital letter would end the sentence for the engine.
    It is dropped from a run of two initials or more, and from a single one
    before a capitalised word; a letter the engine would read as a word (the
    English "A", the Russian "В") is said by its name from `letter_names`.
    """

    def __init__(self, language: _Language, table: _Section):
        self.letter_names = table.words("letter_names", {})
        table.done()
        self.pattern = re.compile(r"(?<![\w'’.@/-])[^\W\d_]\.(?:[ \u00a0]?[^\W\d_]\.)*(?!\w)")

    def __call__(self, text: str) -> str:
        if "." not in text:
            return text
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        letters = [char for char in match[0] if char not in ". \u00a0"]
        if not all(letter.isalpha() and letter.isupper() for letter in letters):
            return match[0]  # "a.m.", "e.g."
        if len(letters) == 1 and not _capitalised(_next_word(match.string, match.end())):
            return match[0]  # "Plan B." or "vitamin C."
        said = " ".join(self.letter_names.get(letter, letter) for letter in letters)
        return said + ("." if _ends_sentence(match.string, match.end()) else "")


# Table name -> rule kind, in the order they run: addresses first, as their dots and digits are no sentence
# ends or numbers; years before money, so "$2020" stays money; numerals before initials, to see "John I. Smith".
_RULE_KINDS: dict[str, Callable[[_Language, _Section], Callable[[str], str]]] = {
    "urls": _Addresses,
    "abbreviations": _Abbreviations,
    "dates": _Dates,
    "years": _Years,
    "money": _Money,
    "percent": _Percent,
    "roman_numerals": _RomanNumerals,
    "initials": _Initials,
}
