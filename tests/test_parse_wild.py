"""Stage 1, parsing transcripts as they come: the goldens of tests/data/wild and the shared real ones.

Each article has NAME.expect beside it (INDEX.md explains each): the turns in
order, the speakers with their roles, the title, the interviewee, the
language, what must never be spoken, and the narrator's language. The keys are
those of ../shared/tools/check-articles (which runs the CLI on them), plus
``speakers``, ``interviewee`` and ``title``. Every golden of the repository,
old and new, is also read aloud in the test below: no label, time stamp,
banner or header line may be in what is spoken.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from audiobuild.config import Config
from audiobuild.model import NARRATOR, Script
from audiobuild.parse import _initials_as_labels, furniture_reason, parse
from audiobuild.parse.labels import LINE, label_key, read_label
from audiobuild.parse.layouts import classify
from audiobuild.parse.text import strip_markup
from audiobuild.parse.zones import split_paragraphs
from audiobuild.read.sources import load_article
from tests.conftest import SHARED_ARTICLES, SHARED_REAL

DATA = Path(__file__).parent / "data"
SUFFIXES = (".txt", ".md", ".html", ".vtt", ".srt")
WILD = sorted(path for path in (DATA / "wild").iterdir() if path.suffix in SUFFIXES and path.stem != "INDEX")
SHARED = sorted(SHARED_ARTICLES.glob("*")) if SHARED_ARTICLES.is_dir() else []
REAL = [path for path in SHARED if path.suffix in SUFFIXES and path.with_suffix(".expect").is_file()]
SHARED_REAL_ITEMS = sorted(path for path in (SHARED_REAL.glob("*") if SHARED_REAL.is_dir() else [])
                           if path.suffix in SUFFIXES and path.with_suffix(".expect").is_file())  # fmt: skip
OLD = sorted(path for path in (DATA / "articles").iterdir() if path.suffix in SUFFIXES)
# The shared real transcripts read right so far: a list that only grows (see test_real_transcripts_stay_right).
RIGHT_FILE = DATA / "real-transcripts-right.txt"
RIGHT = [line.strip() for line in RIGHT_FILE.read_text(encoding="utf-8").splitlines()
         if line.strip() and not line.startswith("#")]  # fmt: skip
DEFAULT_DISCLOSURE = Config().podcast.disclosures()


def read_expect(path: Path) -> dict[str, str]:
    """NAME.expect's keys and values, as check-articles reads them (# starts a comment line)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    pairs = (line.split(":", 1) for line in lines if ":" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def listed(value: str, separator: str = "|") -> list[str]:
    return [item.strip() for item in value.split(separator) if item.strip()]


def turns(script: Script) -> list[tuple[str, str]]:
    """(speaker, role) of each turn, narrator left out: a speaker's segments in a row are one turn."""
    found: list[tuple[str, str]] = []
    for segment in script.segments:
        if segment.role != NARRATOR and (not found or found[-1][0] != segment.speaker):
            found.append((segment.speaker, segment.role))
    return found


def matches(want: str, name: str, role: str) -> bool:
    """A turn as .expect names it: a role ("question" is the asking side), or a piece of the speaker's name."""
    want, name = want.casefold(), name.casefold()
    if want in ("interviewer", "interviewee"):
        return role == want
    if want == "question":
        return role == "interviewer"
    return want in name or name in want


def parsed(path: Path) -> Script:
    return parse(load_article(path), disclosure=DEFAULT_DISCLOSURE)


@pytest.mark.parametrize("article", WILD + REAL, ids=lambda path: path.name)
def test_the_transcript_is_read_as_expected(article: Path):
    assert_read_as_expected(article)


@pytest.mark.skipif(not SHARED_REAL.is_dir(), reason="../shared/real-transcripts is not beside this checkout")
@pytest.mark.parametrize("name", RIGHT)
def test_real_transcripts_stay_right(name: str):
    """Each shared real transcript that was read right once stays right (the list in RIGHT_FILE only grows)."""
    assert_read_as_expected(next(path for path in SHARED_REAL.glob(f"{name}.*") if path.suffix in SUFFIXES))


# A speaker's name made of a sentence's words ("I'm Bekah", "is Travis"), as check-articles rejects it.
_NOT_NAME_WORDS = {"i'm", "im", "my", "is", "am", "name", "this", "here"}
# Words a name may open with in lower case ("van der Meer", "de With"), as check-articles allows them.
_NAME_PARTICLES = {"de", "da", "do", "dos", "das", "di", "del", "della", "van", "von", "der", "den", "ter", "le", "la",
                   "du", "des", "y", "e", "bin", "ibn", "al", "el", "ben", "zu", "af", "av", "mc", "st", "and", "und",
                   "et", "и"}  # fmt: skip


def assert_read_as_expected(article: Path) -> None:
    expect = read_expect(article.with_suffix(".expect"))
    script = parsed(article)
    found = turns(script)
    want = listed(expect.get("turns", ""))
    assert len(found) == len(want) and all(map(matches, want, *zip(*found))), (found, want)
    assert len({name for name, _ in found}) >= int(expect.get("distinct_voices", "2"))
    for name, _ in found:
        words = name.replace("\u2019", "'").split()
        assert not any(word.casefold() in _NOT_NAME_WORDS and not word.isupper() for word in words), name
        assert not words[0][:1].islower() or words[0].casefold().strip(".,") in _NAME_PARTICLES, name
    heard = [item for item in listed(expect.get("not_spoken", "")) if any(item in seg.text for seg in script.segments)]
    assert not heard, f"spoken: {heard}"
    assert expect.get("title_contains", "").casefold() in script.title.casefold(), script.title
    if "title" in expect:
        assert script.title == expect["title"]
    if "language" in expect:
        assert script.language.startswith(expect["language"])
    if "speakers" in expect:
        pairs = [item.rsplit("=", 1) for item in listed(expect["speakers"])]
        assert {person.name: person.role for person in script.people} == dict(pairs)
        assert script.interviewee == expect.get("interviewee")  # no "interviewee:" line: no single interviewee
    disclosure = " ".join(segment.text for segment in script.segments if segment.kind == "disclosure")
    if expect.get("narrator_script") == "cyrillic":
        assert re.search("[\u0400-\u04ff]", disclosure)
    elif expect.get("narrator_script"):
        assert disclosure and disclosure != DEFAULT_DISCLOSURE["*"]


def test_the_goldens_cover_every_category_and_five_languages():
    assert len(WILD) >= 40
    languages = [read_expect(path.with_suffix(".expect")).get("language") for path in WILD]
    assert {"en", "ru", "de", "fr", "es"} <= set(languages) and sum(code != "en" for code in languages) >= 10
    assert {path.suffix for path in WILD} == set(SUFFIXES)
    categories = " ".join(path.with_suffix(".expect").read_text(encoding="utf-8").split("\n")[0] for path in WILD)
    assert all(f"{number} (" in categories or f", {number}" in categories for number in "123456789")


# ---------------------------------------------------------------------------
# Nothing but the article is spoken

# A recording's time stamp read aloud: one in brackets, "[00:01:12]", or a sentence that opens with one
# ("0:12 Right..."). An article's own times are prose: "closes at 23:59:59 UTC".
_TIME_STAMP = re.compile(r"[\[(]\d{1,2}:\d{2}(?::\d{2})?[\])]|^\d{1,2}:\d{2}(?::\d{2})?\b")


@pytest.mark.parametrize("article", OLD + WILD + REAL, ids=lambda path: path.name)
def test_nothing_but_the_article_is_spoken(article: Path):
    script = parsed(article)
    expect = read_expect(article.with_suffix(".expect")) if article.with_suffix(".expect").is_file() else {}
    speakers = [label_key(person.name) for person in script.people if person.role != NARRATOR]
    spoken = []
    for segment in script.segments:
        said = " ".join(segment.sentences)
        spoken.append(said)
        if segment.kind == "title" or not said:
            continue
        assert not _TIME_STAMP.search(said), said
        label = read_label(said)
        if label and label.separator != LINE:  # a speaker's label read aloud ("MS. ROE: Good afternoon")
            assert not any(label_key(label.name) & key for key in speakers), said
        assert furniture_reason(said) is None or segment.kind == "disclosure", said
    texts = " ".join([*spoken[1:], *(segment.text for segment in script.segments[1:])])
    heard = [item for item in listed(expect.get("not_spoken", "")) if item in texts]
    assert not heard, f"spoken: {heard}"


# ---------------------------------------------------------------------------
# Nothing of the article is lost

_WORD = re.compile(r"[^\W\d_]{2,}")  # words, not numbers: time stamps and line numbers go with their labels


def _words(text: str) -> Counter[str]:
    return Counter(word.casefold() for word in _WORD.findall(text))


@pytest.mark.parametrize("article", OLD + WILD + REAL + SHARED_REAL_ITEMS, ids=lambda path: path.name)
def test_every_word_of_the_article_is_read_or_dropped_with_a_reason(article: Path):
    """Each word of the text as read (markup aside) is in a segment, in the dropped list, or in a speaker's
    label (a label stands for its speaker: "MS. ROE (Director, Water Board):" is not read, it is who speaks)."""
    loaded = load_article(article)
    script = parsed(article)
    paragraphs, _ = split_paragraphs(loaded.text)
    labels = [block.label for block in map(classify, _initials_as_labels(paragraphs)) if block.label]
    named = set(_words(" ".join(f"{label.text} {label.descriptor}" for label in labels)))
    named |= {word for person in script.people for word in _words(person.name)}
    accounted = _words(" ".join([script.title, script.byline or "", *(segment.text for segment in script.segments)]))
    for item in script.dropped:  # a comment's metadata is dropped with its markup
        accounted += _words(item.text) | _words(strip_markup(item.text))
    lost = {word: count for word, count in (_words(strip_markup(loaded.text)) - accounted).items() if word not in named}
    assert not lost, f"lost: {sorted(lost, key=lost.get, reverse=True)[:20]}"
