"""The rule kinds of text normalisation about words, each built from its table in a language file (see `normalize`).

Each kind is a class whose constructor reads its table (already checked
against the schema) and whose instances rewrite a sentence; `normalize.RULE_KINDS`
gives their order. The kinds about numbers are in `numbers`, and `Language`
here is what all share. The words are data in the language files, never here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from num2words import num2words

# What may follow the last word of a sentence: closing quotes and brackets.
_SENTENCE_END = re.compile(r"""\s*["'”’»)\]]*\s*\Z""")

_ROMAN = re.compile(r"(?=[MDCLXVI])M{0,3}(C[MD]|D?C{0,3})(X[CL]|L?X{0,3})(I[XV]|V?I{0,3})")
_ROMAN_VALUES = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}


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


class Language:
    """What the rule kinds share: number format and plural forms (``[numbers]``), month names (``[months]``).

    `document` is the language's table, already checked against its schema (`normalize`).
    """

    def __init__(self, code: str, document: dict):
        self.code, self.document = code, document
        numbers = document.get("numbers", {})
        plural = numbers.get("plural", "one other")
        self.plural_form = PLURAL_RULES[plural]
        self.form_count = len(plural.split())
        self.decimal_mark = numbers.get("decimal_mark", ".")
        self.group_marks = numbers.get("group_marks", ",")
        self.range_word = numbers.get("range")
        groups = re.escape(self.group_marks)
        decimal = re.escape(self.decimal_mark)
        grouped = rf"[0-9]{{1,3}}(?:[{groups}][0-9]{{3}})+" if groups else r"(?!)"
        self.number = rf"(?:{grouped}|[0-9]+)(?:{decimal}[0-9]+)?"
        self.months: dict[str, str] = {}  # every written form -> the month's name
        for name, short_forms in document.get("months", {}).items():
            self.months[name] = name
            self.months.update(dict.fromkeys(short_forms, name))
        self.months_pattern = _alternation(self.months)

    def forms(self, value: str | list[str] | None) -> list[str] | None:
        """Word forms by amount, one per form of the plural rule, from a table's one string or list of them."""
        return [value] * self.form_count if isinstance(value, str) else value

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

    def __init__(self, language: Language, table: dict):
        self.words = table["words"]
        tlds = table["tlds"]
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

    def __init__(self, language: Language, table: dict):
        self.expansions: dict[str, tuple[str | dict[str, str], bool]] = {}  # written form -> (expansion, capitalise)
        patterns = []
        for key, expansion in table.items():
            variants = [key] if key.endswith(".") else [key + ".", key]
            if key[:1].islower():
                variants += [_capitalise(variant) for variant in variants]
            for variant in variants:
                self.expansions[_squeeze(variant)] = (expansion, variant[:1] != key[:1])
                patterns.append(variant)
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

    def __init__(self, language: Language, table: dict):
        self.language = language
        self.ordinal = table["ordinal"]
        self.regnal_names = set(table.get("regnal_names", []))
        self.feminine_names = set(table.get("feminine_names", []))
        self.cardinal_after = [tuple(phrase.lower().split()) for phrase in table.get("cardinal_after", [])]
        self.after_any_capitalised = table.get("after_any_capitalised", False)
        self.also_words = set(table.get("also_words", []))
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

    def __init__(self, language: Language, table: dict):
        self.letter_names = table.get("letter_names", {})
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
