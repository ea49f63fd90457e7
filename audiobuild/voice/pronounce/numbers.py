"""The rule kinds of text normalisation about numbers: dates, years, times, money, units, fractions, scores, ordinals.

Each is built from its table in a language file, as the kinds of `rules` are,
and `normalize.RULE_KINDS` gives the order they all run in. Amounts keep their
digits where every engine reads them right in the language ("30 centimetres");
they become words where a word form depends on them, or where the engines read
them wrong: a time ("seven oh five"), a fraction ("две третьих"), an ordinal.
"""

from __future__ import annotations

import re
import unicodedata

from audiobuild.voice.pronounce.rules import Language, _alternation, _ends_sentence, _next_word, _words_before

_YEAR = r"(?:1[1-9]|20)[0-9][0-9]"  # 1100-2099: the years an article names without saying "year"
_NOT_MORE_DIGITS = r"(?![\w%]|[.,:/][0-9])"  # not part of a longer number, a decimal, a time or a percentage
_NOT_A_RANGE = r"(?!\s?[-–—]\s?[0-9])"
# The Unicode vulgar fractions ("½", "⅔") and their numerator and denominator.
_VULGAR = {
    char: tuple(int(part, 16) - 0x30 for part in unicodedata.decomposition(char).split()[1::2])
    for char in "¼½¾⅐⅑⅒⅓⅔⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞"
}
# How a table names a grammatical form for num2words: "prepositional m", "nominative plural", "" (the plain one).
FORM = r"^$|^(nominative|genitive|dative|accusative|instrumental|prepositional) (m|f|n|plural)$"


class _Dates:
    """``[dates]``: "3 March 2021", "March 3, 2021", "Nov. 2020", with the day as an ordinal and the year as words.

    `day_month` and `month_day` are the templates, with {day} and {month};
    the month names and their short forms are in ``[months]``, January first.
    Dates in digits are read as the same words: "2022-03-14" (ISO 8601) and
    "03/14/2022" in the order `numeric` says ("month_day", as in the US, or
    "day_month"), unless the day is the part over 12 ("14/03/2022");
    "14.03.2022" day first, as only day-first countries write it; and a year
    and month, "2020-12" ("December 2020"), where a year range could not end
    before it starts ("2020-21" is a range, `_Years`').
    """

    def __init__(self, language: Language, table: dict):
        self.language = language
        self.day_month, self.month_day = table["day_month"], table["month_day"]
        self.day_first = table.get("numeric", "month_day") == "day_month"
        self.month_names = list(language.document["months"])
        day, month = r"(?:0?[1-9]|[12][0-9]|3[01])", r"(?:0?[1-9]|1[0-2])"
        edge, end = r"(?<![\w.,/:-])", r"(?![\w/-]|[.,:][0-9])"
        self.numeric = re.compile(
            rf"""
            {edge}(?P<iso_year>{_YEAR})-(?P<iso_month>0[1-9]|1[0-2])(?:-(?P<iso_day>0[1-9]|[12][0-9]|3[01]))?{end}
            | {edge}(?P<first>{day})/(?P<second>{day})/(?P<slash_year>{_YEAR}){end}
            | {edge}(?P<dot_day>{day})\.(?P<dot_month>{month})\.(?P<dot_year>{_YEAR}){end}
            """,
            re.VERBOSE,
        )
        self.years = _YearWords(language, language.document.get("years", {}))
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
        return self.pattern.sub(self._replace, self.numeric.sub(self._written, text))

    def _written(self, match: re.Match) -> str:
        """A date in digits as the language writes it in words, for `pattern` to say; a year range as it was."""
        if match["iso_year"]:
            year, month, day = match["iso_year"], int(match["iso_month"]), match["iso_day"]
            if day is None and int(year[2:]) < month:  # "2010-11" may be a season, 2010 to 2011
                return match[0]
            day_first = self.day_first
        elif match["first"]:
            first, second, year = int(match["first"]), int(match["second"]), match["slash_year"]
            day_first = first > 12 or (self.day_first and second <= 12)
            day, month = (first, second) if day_first else (second, first)
            if month > 12:
                return match[0]
        else:
            day, month, year, day_first = match["dot_day"], int(match["dot_month"]), match["dot_year"], True
        name = self.month_names[month - 1]
        if day is None:
            return f"{name} {year}"
        return f"{int(day)} {name} {year}" if day_first else f"{name} {int(day)}, {year}"

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


_SLASH_DATE = re.compile(rf"(?<![\w.,/:-])([0-3]?[0-9])/([0-3]?[0-9])/{_YEAR}(?![\w/-]|[.,:][0-9])")


def date_order(texts: list[str]) -> str | None:
    """How an article writes dates with slashes, where its own dates show it, for the ones that could be either.

    "day_month" when some date has a day over 12 first ("14/03/2022") and none
    has one second, "month_day" the other way round, None when they do not say.
    """
    dates = [(int(first), int(second)) for text in texts for first, second in _SLASH_DATE.findall(text)]
    day_first = any(first > 12 >= second for first, second in dates)
    month_first = any(second > 12 >= first for first, second in dates)
    return {(True, False): "day_month", (False, True): "month_day"}.get((day_first, month_first))


class _YearWords:
    """A year as words, from num2words: "nineteen eighty-four"; words in `drop_words` left out ("and")."""

    def __init__(self, language: Language, table: dict):
        self.language = language
        self.drop_words = set(table.get("drop_words", []))

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

    def __init__(self, language: Language, table: dict):
        self.language = language
        self.words = _YearWords(language, table)
        self.context = {word.lower() for word in table.get("context", [])}
        self.context |= {month.lower() for month in language.months}
        self.joiners = {word.lower() for word in table.get("joiners", [])}
        self.decade_endings = table.get("decade_endings", {})
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

    def __init__(self, language: Language, table: dict):
        self.language = language
        self.currencies: dict[str, tuple[list[str], list[str] | None]] = {}
        for currency in table["currencies"]:
            names, subunits = language.forms(currency["names"]), language.forms(currency.get("subunits"))
            for symbol in currency["symbols"]:
                self.currencies[symbol] = (names, subunits)
        self.scales = {written: language.forms(forms) for written, forms in table.get("scales", {}).items()}
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

    def __init__(self, language: Language, table: dict):
        self.language = language
        self.names = language.forms(table["names"])
        number = language.number
        self.pattern = re.compile(rf"(?<![\w.,])(?P<amount>{number}(?:\s?[-–]\s?{number})?)\s?%")

    def __call__(self, text: str) -> str:
        if "%" not in text:
            return text
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        amounts = self.language.amounts(match["amount"])
        return f"{self.language.said_range(amounts)} {self.language.form(self.names, amounts[-1])}"


class _Times:
    """``[times]``: "7:30 pm", "19:45", "7:05", "7 p.m." as people say them: "seven thirty PM", "seven oh five".

    `on_the_hour` says a time at :00 without a day half ("{hour} o'clock");
    `leading_zero` the 0 of "7:05" ("oh"); `day_halves` what "am", "a.m.",
    "PM"... are said as (written in any case, with or without full stops).
    A number without minutes is a time only before a day half ("7 pm").
    """

    def __init__(self, language: Language, table: dict):
        self.language = language
        self.on_the_hour, self.leading_zero = table["on_the_hour"], table["leading_zero"]
        self.halves = {_letters(key): said for key, said in table.get("day_halves", {}).items()}
        halves = "|".join(r"\.?\s?".join(map(re.escape, key)) + r"\.?" for key in sorted(self.halves, key=len)[::-1])
        self.pattern = re.compile(
            rf"(?<![\w.,:/])(?P<hour>[01]?[0-9]|2[0-3])(?::(?P<minutes>[0-5][0-9]))?"
            rf"(?:\s?(?P<half>{halves or '(?!)'}))?(?![\w:]|[.,][0-9])",
            re.IGNORECASE,
        )

    def __call__(self, text: str) -> str:
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        hour, minutes, half = int(match["hour"]), match["minutes"], match["half"]
        if minutes is None and half is None or half and not 1 <= hour <= 12:
            return match[0]
        said = self.language.words(hour)
        if minutes and minutes != "00":
            zero = f"{self.leading_zero} " if minutes[0] == "0" else ""
            said += f" {zero}{self.language.words(int(minutes))}"
        elif not half:
            said = self.on_the_hour.format(hour=said)
        if half:
            said += " " + self.halves[_letters(half)]
            if half.endswith(".") and _ends_sentence(match.string, match.end()):
                said += "."  # "at 7 p.m." ended the sentence
        return said


def _letters(written: str) -> str:
    """ "p.m." -> "pm", "A.M." -> "am"."""
    return "".join(char for char in written.lower() if char.isalpha())


class _Units:
    """``[units]``: a unit after an amount, said by its name in the form the amount takes: "30cm" -> "30 centimetres".

    A key is the unit as written, case and all ("MB" is not "mb"); its value
    the word forms, or a table of `forms` and: `spaced`, only after a space
    ("5 m", as "5m" may be five million); `not_before_full_stop` ("в 2020 г."
    is a year, "50 г" grams); `gender`, for a language whose numbers agree
    with it: the amount is then said in words ("одна минута", where espeak
    would say "один"). A minus before the amount ("-5 °C") is ``[numbers] minus``;
    a range ("5-10 km") is said with ``[numbers] range``.

    ``[unit_adjectives]`` says a measure used as an adjective as one: after a
    word of `after` ("a", "the") and before a word that is not in
    `not_before` ("long", "away", "of"), a whole amount is said in words,
    joined to the unit's singular by hyphens: "a 40cm mirror" is "a
    forty-centimetre mirror".
    """

    def __init__(self, language: Language, table: dict):
        self.language = language
        adjectives = language.document.get("unit_adjectives", {})
        self.adjective_after = {word.casefold() for word in adjectives.get("after", [])}
        self.not_adjective_before = {word.casefold() for word in adjectives.get("not_before", [])}
        self.units = {}
        for written, value in table.items():
            value = value if isinstance(value, dict) else {"forms": value}
            self.units[written] = {**value, "forms": language.forms(value["forms"])}
        number = language.number
        self.pattern = re.compile(
            rf"(?<![\w.,/:-])(?P<minus>[-−])?(?P<amount>{number}(?:\s?[-–]\s?{number})?)(?P<space>\s?)"
            rf"(?P<unit>{_alternation(self.units)})(?![\w/²³])(?P<dot>\.)?"
        )

    def __call__(self, text: str) -> str:
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        language, unit = self.language, self.units[match["unit"]]
        if unit.get("spaced") and not match["space"] or unit.get("not_before_full_stop") and match["dot"]:
            return match[0]
        amounts = language.amounts(match["amount"])
        if len(amounts) == 1 and amounts[0].isdigit() and not match["minus"] and self._adjective(match):
            said = [*language.words(int(amounts[0])).split(), *unit["forms"][0].split()]
            return "-".join(said) + (match["dot"] or "")
        if "gender" in unit and len(amounts) == 1 and amounts[0].isdigit():
            amounts = [language.words(int(amounts[0]), gender=unit["gender"])]
            last = match["amount"]
        else:
            last = amounts[-1]
        minus = f"{language.document['numbers'].get('minus', '-')} " if match["minus"] else ""
        said = f"{minus}{language.said_range(amounts)} {language.form(unit['forms'], last.replace(' ', ''))}"
        return said + (match["dot"] or "")

    def _adjective(self, match: re.Match) -> bool:
        """Whether the measure stands before a noun as its adjective: "a 40cm mirror", not "a 40cm long one"."""
        before = _words_before(match.string, match.start())[-1:]
        after = _next_word(match.string, match.end()).rstrip(".,;:!?…)\"'”»") if not match["dot"] else ""
        return (
            bool(before) and before[0].casefold() in self.adjective_after
            and after.isalpha() and after.islower() and after.casefold() not in self.not_adjective_before
        )  # fmt: skip


class _Fractions:
    """``[fractions]``: "2/3", "1/4", "½", "1 1/2", "2½" as words: "two thirds", "one quarter", "two and a half".

    `names` gives each denominator's word forms, chosen by the numerator (see
    ``[numbers] plural``); another denominator, a fraction not below one
    ("24/7", "9/11") or a date ("10/12/2019") stays as written.
    `numerator_gender` is the gender the numerator agrees with ("f": "две
    третьих"); `mixed` says a whole number and a fraction, and
    `half_after_whole` a whole number and a half, where people say it their
    own way ("two and a half", "два с половиной").
    """

    def __init__(self, language: Language, table: dict):
        self.language = language
        self.names = {int(denominator): language.forms(forms) for denominator, forms in table["names"].items()}
        self.gender = table.get("numerator_gender")
        self.mixed, self.half_after_whole = table["mixed"], table.get("half_after_whole")
        vulgar = "".join(_VULGAR)
        self.pattern = re.compile(
            rf"(?<![\w.,/-])(?:(?P<whole>[0-9]+)(?:\s(?=[0-9]+/)|(?=[{vulgar}])))?"
            rf"(?:(?P<numerator>[0-9]+)/(?P<denominator>[0-9]+)|(?P<vulgar>[{vulgar}]))(?![\w/]|[.,][0-9])"
        )

    def __call__(self, text: str) -> str:
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        if match["vulgar"]:
            numerator, denominator = _VULGAR[match["vulgar"]]
        else:
            numerator, denominator = int(match["numerator"]), int(match["denominator"])
        if denominator not in self.names or not 0 < numerator < denominator:
            return match[0]
        options = {"gender": self.gender} if self.gender else {}
        name = self.language.form(self.names[denominator], str(numerator))
        fraction = f"{self.language.words(numerator, **options)} {name}"
        if not match["whole"]:
            return fraction
        whole = self.language.words(int(match["whole"]))
        if (numerator, denominator) == (1, 2) and self.half_after_whole:
            return f"{whole} {self.half_after_whole}"
        return self.mixed.format(whole=whole, fraction=fraction)


class _Scores:
    """``[scores]``: "3-2", "1:1" as a result is said ("three two"), "5-10" as a range ("5 to 10").

    Two numbers of one or two digits joined by a hyphen, a dash or a colon are
    a score when the first is not the smaller ("won 3-2") or a word of
    `context` is next to them ("lost 2-3", "a 2-3 loss"), said in the template `said`.
    Otherwise a hyphen or dash makes them a range, said with ``[numbers]
    range``; a colon, a ratio ("1:3"), stays as written.
    """

    def __init__(self, language: Language, table: dict):
        self.language = language
        self.said = table["said"]
        self.context = {word.casefold() for word in table.get("context", [])}
        self.pattern = re.compile(
            r"(?<![\w.,:/-])(?P<first>[0-9]{1,2})\s?(?P<joint>[-–—:])\s?(?P<second>[0-9]{1,2})(?![\w%/:]|[.,-][0-9])"
        )

    def __call__(self, text: str) -> str:
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        first, second = int(match["first"]), int(match["second"])
        clause = re.split(r"[,;:()]", match.string[max(0, match.start() - 40) : match.start()])[-1].split()[-2:]
        near = [word.strip("\"'«»“”.").casefold() for word in [*clause, _next_word(match.string, match.end())]]
        if first >= second or self.context.intersection(near):
            return self.said.format(first=self.language.words(first), second=self.language.words(second))
        if match["joint"] == ":" or self.language.range_word is None:
            return match[0]
        return self.language.said_range([match["first"], match["second"]])


class _Ordinals:
    """``[ordinals]``: "1st", "22nd"; "5-й", "3-го", "90-х" as ordinal words, in the form the written ending shows.

    `endings` maps each ending (after the digits, or after a hyphen) to its
    grammatical form: "" for the language's plain ordinal, else a case and a
    gender or "plural" ("prepositional m": "в 5-м классе" -> "в пятом
    классе"). `after_tens` overrides it for a number ending in 0 ("90-е" are
    the nineties: "nominative plural").
    """

    def __init__(self, language: Language, table: dict):
        self.language = language
        self.endings, self.after_tens = table["endings"], table.get("after_tens", {})
        self.pattern = re.compile(
            rf"(?<![\w.,])(?P<number>[0-9]+)-?(?P<ending>{_alternation(self.endings)})(?!\w)", re.IGNORECASE
        )

    def __call__(self, text: str) -> str:
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        number, ending = int(match["number"]), match["ending"].lower()
        form = self.after_tens.get(ending) if number % 10 == 0 and number else None
        case_and_gender = (form if form is not None else self.endings[ending]).split()
        options = {}
        if case_and_gender:
            case, gender = case_and_gender
            options = {"case": case, **({"plural": True} if gender == "plural" else {"gender": gender})}
        return self.language.words(number, to="ordinal", **options)
