"""Stage 1b: parse an article's text into speaker-tagged segments.

The parse goes zone by zone. Site furniture (menus, share buttons, banners,
view counters, time stamps, subscription notices...) is recognised line by
line and dropped; the layout is inferred over the whole text (`layouts`); the
headline is the line above the body that reads most like one (the page's
title when it has one, else the file's name), with the site's header above it
and its footer below the body dropped too. Then each paragraph goes to its
speaker:

* a turn's paragraph to the speaker its label names (`cast`), or to its side
  (a dash turn, a bold question and its answer);
* a paragraph without a marker to whoever spoke last;
* text before the first turn to the narrator's intro, a ``By ...`` line near
  the top to the byline, headings, stage directions in their own paragraph,
  editor's notes, credits and text after a separator to the narrator.

Stage directions such as ``(Laughter.)`` are listed as dropped, neither spoken
nor kept in a speaker's text (unless `read_stage_directions`). When label-like paragraphs were read as
text, a warning names them and the options that change the reading:
``--layout`` and ``--interviewer``.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections import Counter
from collections.abc import Mapping

from audiobuild.errors import InputError
from audiobuild.model import (
    DEFAULT_NAMES,
    INTERVIEWEE,
    INTERVIEWER,
    KINDS,
    NARRATOR,
    OPENING_KINDS,
    ROLES,
    Dropped,
    LayoutChoice,
    Script,
    Segment,
    Speaker,
)  # fmt: skip
from audiobuild.parse.boxes import furniture_by_place
from audiobuild.parse.cast import MAX_SPEAKERS, TURN_KINDS, Cast, Hints, Person, TooManySpeakers, _same, addressed
from audiobuild.parse.furniture import furniture_reason, parse_date, published_date
from audiobuild.parse.labels import INITIALS, LINE, Label
from audiobuild.parse.layouts import EXAMINATION, LAYOUTS, Block, Layout, classify, find_layout
from audiobuild.parse.names import display_name_of, interviewee_named, interviewer_named, names_in
from audiobuild.parse.narrator import byline_for, disclosure_for
from audiobuild.parse.text import (
    detect_language,
    directions_in,
    ends_sentence,
    fold,
    normalise_space,
    sentences_of,
    split_sentences,
    spoken_text,
    strip_markup,
)
from audiobuild.parse.zones import (
    HEADING,
    INTERVIEWER_BYLINE,
    PIECE_WORDS,
    Paragraph,
    byline_match,
    byline_name,
    headline_score,
    is_prose,
    is_short_line,
    split_paragraphs,
    title_from_source,
)
from audiobuild.read.sources import Article, check_text, read_article

__all__ = [
    "DEFAULT_NAMES", "INTERVIEWEE", "INTERVIEWER", "KINDS", "LAYOUTS", "NARRATOR", "OPENING_KINDS", "ROLES", "Article",
    "Dropped", "Script", "Segment", "Speaker", "detect_language", "furniture_reason", "parse", "parse_article",
    "parse_date", "read_article", "split_sentences", "spoken_text",
]  # fmt: skip

log = logging.getLogger("audiobuild")

_Item = tuple[Person, str | None, str, int]  # a paragraph read: speaker, kind (None: their role's), text, line

# Notes from the editor, not from the speaker whose turn they are in: the narrator reads them.
_EDITORS_NOTE = re.compile(
    r"^[*_\[(]*(?:editor'?s'? note|ed\.? note|note from the editor|anm\. d\. red|anmerkung der redaktion|"
    r"n\.?d\.?l\.?r|note de la rédaction|nota del editor|nota de la redacción|примечание редакции|от редакции)\b|"
    r"\b(?:this|the) (?:interview|conversation|transcript|exchange|q&a) (?:has been|was|is|have been) "
    r"(?:lightly )?(?:edited|condensed|shortened|translated|abridged)|"
    r"\b(?:das (?:interview|gespräch) wurde|cet entretien a été|esta entrevista (?:ha sido|fue)|"
    r"интервью (?:было )?(?:сокращено|отредактировано)|текст сокращён)|"
    r"^[*_]*(?:transcript exported from|lightly edited|transkript\b|расшифровка выпуска|transcript of the)",
    re.IGNORECASE,
)
# A record's field in the running text ("Citation: ...", "Note: ..."): the narrator's, not the last speaker's.
_RECORD_LINE = re.compile(
    r"^(?:note|notes|citation|rights|source|sources|credits?|reporting by|additional reporting|correction|"
    r"anmerkung|hinweis|quelle|remarque|fuente|примечание|источник)\s*:",
    re.IGNORECASE,
)


def parse_article(
    text: str, source: str = "<text>", disclosure: str | Mapping[str, str] | None = None, **options
) -> Script:
    """Parse article text into a Script; see `parse` (this is `parse` of an Article with no metadata)."""
    return parse(Article(source, text), disclosure, **options)


def parse(
    article: Article,
    disclosure: str | Mapping[str, str] | None = None,
    *,
    read_stage_directions: bool = False,
    layout: str | None = None,
    interviewer: str | None = None,
) -> Script:
    """Parse an article into a Script; text with nothing to read gives no segments.

    `disclosure`, when given, is what the narrator says right after the title
    and byline (Apple requires synthetic voices to be disclosed in the audio):
    a sentence, or podcast.toml's texts by language (``"*"``: for any other),
    completed by the narrator's tables (`narrator.disclosure_for`).
    `read_stage_directions` reads directions such as (Laughter.) aloud.
    `layout` (one of LAYOUTS) forces a layout; `interviewer` names who asks
    the questions (the `--layout` and `--interviewer` options).

    Raises InputError for text past the parser's bounds, which keep its work linear in the text's length: more
    than `MAX_ARTICLE_BYTES`, a word of over `MAX_WORD_CHARACTERS` (`read.sources.check_text`), more than
    `MAX_SPEAKERS` people named by labels.
    """
    check_text(article.text, article.source)
    try:
        return _parse(article, disclosure, read_stage_directions, layout, interviewer)
    except TooManySpeakers as label:
        raise InputError(article.source, f"names more than {MAX_SPEAKERS} speakers ({str(label)!r} is one more); "
                         "articles with more are refused") from None  # fmt: skip


def _parse(
    article: Article, disclosure: str | Mapping[str, str] | None, read_stage_directions: bool, layout: str | None,
    interviewer: str | None,
) -> Script:
    paragraphs, dropped = split_paragraphs(article.text)
    paragraphs = _initials_as_labels(paragraphs)
    blocks = furniture_by_place([classify(paragraph) for paragraph in paragraphs])
    title = normalise_space(article.title or "") or None
    blocks = _title_turn(blocks, title)
    language = detect_language(" ".join(spoken_text(block.text) for block in blocks if block.tag != "furniture"))
    found = find_layout(blocks, layout, interview=_called_interview(blocks, title))
    script = Script(source=article.source, title="", date=article.date, language=language, dropped=dropped)
    script.date_source = (article.date_source or "page metadata") if article.date else None
    body = _Body(found, script)
    body.zone(title, article)
    if not script.title:
        return script
    hints, cast = body.cast(article, interviewer)
    items = body.walk(cast)
    cast.settle(hints)
    script.interviewee = _interviewee(script, cast, hints, found)
    script.layout = LayoutChoice(found.name, found.score, *(found.runner_up or (None, 0.0)))
    _warn(script, found)
    narrator = cast.defaults[NARRATOR]
    opening = [(narrator, "title", script.title, 0)]
    if script.byline:
        opening.append((narrator, "byline", script.byline, 0))
    if disclosure:
        text = disclosure if isinstance(disclosure, str) else disclosure_for(language, disclosure)
        opening.append((narrator, "disclosure", text, 0))
    if not read_stage_directions:
        items = _without_directions(items, script.dropped)
    script.segments = [
        Segment(person.role, kind or TURN_KINDS[person.role], text, person.name, read_stage_directions,
                sentences_of(text, read_stage_directions))
        for person, kind, text, _ in opening + items
    ]  # fmt: skip
    script.dropped.sort(key=lambda item: item.line)
    return script


def _without_directions(items: list[_Item], dropped: list[Dropped]) -> list[_Item]:
    """The paragraphs without their stage directions ("(Laughter.)", "[PAUSE]"), each listed as dropped.

    A direction is what was heard, not what was said: it is neither read nor part of a speaker's text. A
    narrator's paragraph that is only directions goes whole; a speaker's turn that is only one ("Q
    (Inaudible.)") stays as it is, unread: someone took the floor.
    """
    kept = []
    for person, kind, text, line in items:
        directions = directions_in(text)
        readable = spoken_text(text) if directions else text
        if directions and (re.search(r"\w", readable) or person.role == NARRATOR):
            dropped += [Dropped(line, direction, "stage direction") for direction in directions]
            text = readable if re.search(r"\w", readable) else ""
        if text:
            kept.append((person, kind, text, line))
    return kept


# Initials, then a sentence's first word ("AD She was..."), not more capitals ("MS SMITH: ...").
_BARE_INITIALS = re.compile(rf"^(?P<initials>{INITIALS})\s+(?=[A-ZА-ЯЁ](?:[a-zа-яё]|\s)|[(\"“])")


def _initials_as_labels(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Paragraphs opening with a person's initials and no colon ("AD She was all in."), given their colon.

    Initials are a label when the text names someone with them (Ava DuVernay) and they open two paragraphs
    or more: "US troops..." opens one, and names no one.
    """
    opening = Counter(match["initials"] for paragraph in paragraphs if (match := _BARE_INITIALS.match(paragraph.text)))
    text = " ".join(paragraph.text for paragraph in paragraphs)
    people = {"".join(word[0] for word in name.split()) for name in names_in(text) if len(name.split()) <= 3}
    labels = {initials for initials, count in opening.items() if count >= 2 and initials in people}
    if not labels:
        return paragraphs
    return [Paragraph(paragraph.line, _BARE_INITIALS.sub(r"\g<initials>: ", paragraph.text, count=1), paragraph.raw)
            if (match := _BARE_INITIALS.match(paragraph.text)) and match["initials"] in labels else paragraph
            for paragraph in paragraphs]  # fmt: skip


def _title_turn(blocks: list[Block], title: str | None) -> list[Block]:
    """The headline, not a turn, when the page gives none: a first line "Jane Roe: A life in glass"; or, under the
    site's short header lines, "Lorenzo Pichler: «Il formaggio si fa con il tempo»" (a quotation alone) with no
    turn after it (the intro, a date line)."""
    content = [index for index, block in enumerate(blocks) if block.tag != "furniture"]
    first = next((index for index in content if blocks[index].tag == "label" and not blocks[index].label.own_line),
                 None)  # fmt: skip
    if title or first is None:
        return blocks
    rest = blocks[first].label.rest
    following = next((index for index in content if index > first), None)
    if first == content[0]:
        headline = bool(rest) and len(rest.split()) <= 15 and rest.rstrip("*_\"'”»")[-1:] not in ".!?…"
    else:
        header = all(not is_prose(blocks[index].text) for index in content if index < first)
        quoted = re.fullmatch(r"[«„“\"‚‹][^«»„“”\"]{2,200}[»“”\"‘›]\.?", rest.strip("*_ ")) is not None
        headline = header and quoted and following is not None and blocks[following].tag != "label"
    if headline and following is not None:
        blocks = list(blocks)
        blocks[first] = Block(blocks[first].line, "text", strip_markup(blocks[first].source),
                              source=blocks[first].source)  # fmt: skip
    return blocks


def _link_title(block: Block) -> bool:
    """A line that reads as a link's title: a few words, no full stop, no colon at its end."""
    text = block.source or block.text
    return 3 <= len(text.split()) <= 16 and text.rstrip("*_\"“”„«»")[-1:] not in ".!:;…,"


def _first_line_title(block: Block) -> bool:
    """A document's first line that can title it although it ends in a full stop: short, one sentence, no byline."""
    words = block.text.split()
    return (
        block.tag in ("text", "heading")
        and 2 <= len(words) <= 12
        and len(split_sentences(block.text)) == 1
        and not byline_match(block.text)
        and not is_prose(block.text)
    )


def _called_interview(blocks: list[Block], title: str | None) -> bool:
    """True when the title or the text's opening calls the piece an interview (or Q&A, conversation...)."""
    opening = " ".join([title or "", *(block.text for block in blocks[:12] if block.tag != "furniture")])
    return bool(re.search(r"\b(?:(?:asked|put|rivolto|posto|fait|hecho|gestellt)\s+(?:\w+\s+){0,2}"
                          r"(?:questions|domand[ae]|preguntas|fragen)\b|"
                          r"interview|q\s?&\s?a|talks? with|met (?:up )?with|in conversation|conversation with|"
                          r"oral history|entretien|entrevista|интервью|беседа|\w*gespräch)\w*", opening,
                          re.IGNORECASE))  # fmt: skip


class _Body:
    """The zones of one article and the walk through its blocks."""

    def __init__(self, layout: Layout, script: Script):
        self.layout = layout
        self.script = script
        self.blocks = layout.blocks
        self.turns = layout.turns
        self.skip: set[int] = set()  # blocks that are not read: furniture, header and footer lines, the byline
        self.intro: list[str] = []
        self.header: list[str] = []  # what the header said (names in credits and lists, for full names)
        self.byline_at: int | None = None

    def _drop(self, index: int, reason: str) -> None:
        block = self.blocks[index]
        self.script.dropped.append(Dropped(block.line, block.source or block.text, reason))
        self.header.append(block.source or block.text)
        self.skip.add(index)

    def zone(self, title: str | None, article: Article) -> None:
        """Set the title, byline and date; drop furniture, the site's header above the headline, and its footer."""
        blocks, script = self.blocks, self.script
        for index, block in enumerate(blocks):
            if block.tag == "furniture":
                self._drop(index, block.reason)
                if script.date is None and re.search(r"date|time|page info", block.reason):
                    script.date = published_date(block.text, day_first=script.language not in ("en", ""))
                    script.date_source = f"date line, line {block.line}" if script.date else None
        start = min(self.turns, default=None)
        if start is None:  # an article: the body starts with its first sentences
            start = next(
                (
                    index
                    for index, block in enumerate(blocks)
                    if block.tag == "text"
                    and (is_prose(block.text) or (ends_sentence(block.text) and len(block.text.split()) >= 2))
                ),
                len(blocks),
            )
        headline = None
        if title is None:
            headline = self._headline(start, article.site_name)
            if headline is not None:
                title = strip_markup(HEADING.sub("", blocks[headline].source or blocks[headline].text))
            else:
                title = title_from_source(article.source) or next(
                    (block.text for index, block in enumerate(blocks) if index not in self.skip), "")  # fmt: skip
        script.title = title
        for index, block in enumerate(blocks):
            if index not in self.skip and index != headline and fold(block.text) == fold(title) and fold(title):
                self._drop(index, "repeated title")
                headline = index if headline is None and index < start else headline
        if headline is not None:
            self.skip.add(headline)
            for index in range(headline):
                if index not in self.skip and not is_prose(blocks[index].text):
                    self._drop(index, "site header")
        self._opening(headline, start, article)
        self._teasers(start)
        self._footer()

    def _headline(self, start: int, site_name: str | None) -> int | None:
        """The block before the body that reads most like a headline (the earliest of equals), or None.

        A line followed by the byline or the date reads as one; a line after
        one that ends in a colon ("Witnesses:") is an item of a list.
        """
        blocks = self.blocks
        content = [index for index in range(start) if blocks[index].tag != "furniture"]
        best = None
        for position, index in enumerate(content):
            block = blocks[index]
            score = headline_score(block.source or block.text, site_name) if block.tag in ("text", "heading") else None
            if score is None and position == 0 and _first_line_title(block):
                score = 0.0  # "Questions d'actualité au Gouvernement.": a record's first line, stopped like a sentence
            if score is None:
                continue
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            if following is not None and following.reason in ("date stamp", "page info line"):
                score += 3
            if following is not None and following.tag != "furniture" and byline_match(following.text):
                # The byline is under the headline; but a name over "Interviewed by ..." is who was interviewed.
                named = INTERVIEWER_BYLINE.match(following.text) and names_in(block.text) == [block.text.strip()]
                score += 0 if named else 10
            if position and blocks[content[position - 1]].text.endswith(":"):
                score -= 5
            score -= 2 if block.text.count(",") >= 2 else 0
            if any(is_prose(blocks[earlier].text) for earlier in content[:position]) and not PIECE_WORDS.search(
                    block.text):  # fmt: skip
                score -= 6  # under the intro: a motto or a section, unless it names the piece ("Interview with ...")
            if best is None or score > best[0]:
                best = (score, index)
        return best[1] if best else None

    def _opening(self, headline: int | None, start: int, article: Article) -> None:
        """The byline among the lines before the body, and the header's short lines, dropped."""
        blocks, script = self.blocks, self.script
        if article.author:
            script.byline = byline_for(script.language, normalise_space(article.author))
        for index in range(0 if headline is None else headline + 1, start):
            block = blocks[index]
            if index in self.skip or block.tag not in ("text", "heading"):
                continue
            if byline_match(block.text) and not HEADING.match(block.source):
                if script.byline is None:
                    script.byline, self.byline_at = block.text.strip("*_ "), index
                    self.header.append(block.text)
                    self.skip.add(index)
                elif fold(block.text) == fold(script.byline) or byline_name(block.text) == article.author:
                    self._drop(index, "repeated byline")
                continue
            if block.tag == "text" and is_short_line(block.text):
                self._drop(index, "header line")

    def _teasers(self, start: int) -> None:
        """Before the dialogue, a run of four or more link titles (short, no sentence's end): a box of teasers.

        "Bedingungsloses Grundeinkommen Balsam für den sozialen Frieden", "Ethik-Kommission eingesetzt Welche
        Entscheidungen darf ...?": a kicker and a headline each, between the intro's sentences.
        """
        run: list[int] = []
        for index in [*range(start), start]:
            block = self.blocks[index] if index < start else None
            if block is not None and block.tag in ("text", "label", "heading") and _link_title(block):
                run.append(index)  # one already dropped as a header line still belongs to the run
                continue
            if block is not None and block.tag == "furniture":
                continue
            if len(run) >= 4:
                for teaser in run:
                    if teaser not in self.skip:
                        self._drop(teaser, "teaser")
            run = []

    def _footer(self) -> None:
        """After the body, from the first furniture on: furniture, short lines and link titles, up to some prose."""
        blocks = self.blocks
        sentences = [
            index for index, block in enumerate(blocks) if block.tag in ("text", "item") and ends_sentence(block.text)
        ]
        last = max([*self.turns, *sentences], default=-1)
        start = next((index for index in range(last + 1, len(blocks)) if blocks[index].tag == "furniture"), None)
        if start is None:
            return
        for index in range(start, len(blocks)):
            block = blocks[index]
            if block.tag == "furniture" or index in self.skip:
                continue
            if block.tag not in ("text", "heading") or ends_sentence(block.text) or block.text.endswith(("?", "!")):
                break
            self._drop(index, "site footer")

    def cast(self, article: Article, interviewer: str | None) -> tuple[Hints, Cast]:
        """What the title, byline, intro and credits say about who is who; the cast to fill."""
        script, blocks = self.script, self.blocks
        start = min(self.turns, default=len(blocks))
        self.intro = [block.text for index, block in enumerate(blocks[:start])
                      if index not in self.skip and block.tag in ("text", "aside")]  # fmt: skip
        credits = [block.source or block.text for index, block in enumerate(blocks)
                   if block.tag == "text" and index >= start and byline_match(block.text)]  # fmt: skip
        examination = next((EXAMINATION.match(block.text).group("name") for block in blocks
                            if block.reason == "examination line"), None)  # fmt: skip
        byline = script.byline or ""
        writer = None if INTERVIEWER_BYLINE.match(byline) else byline_name(byline) if byline_match(byline) else None
        writer = writer or (normalise_space(article.author) if article.author else None)
        context = " \n ".join([script.title, byline, *self.header, *self.intro, *credits,
                               *(block.text for block in blocks if block.tag != "furniture")])  # fmt: skip
        named = interviewer or interviewer_named([byline, article.author or "", *self.header, *self.intro, *credits])
        if examination and not named:
            named = display_name_of(examination, context, script.language)
        avoid = {name for name in (writer, named, article.site_name) if name}
        interviewee, outright = interviewee_named(script.title, self.intro, avoid)
        hints = Hints(interviewee, outright, named, bool(interviewer), writer, article.site_name, script.language,
                      context)  # fmt: skip
        return hints, Cast(dict(DEFAULT_NAMES))

    def _guest_headings(self) -> dict[int, Label]:
        """Headings that are only a person's name, each over unlabelled answers, when there are two or more: a
        round of guests ("## Андрей Рудьков", his answers; "## Олеся Куприн", hers). The name is the label of
        the answers under it. One such heading alone may be the subject of a section, not who speaks."""
        named = [index for index, block in enumerate(self.blocks)
                 if block.tag == "heading" and names_in(block.text) == [block.text]]  # fmt: skip
        answers = sorted(position for position, turn in self.turns.items()
                         if turn.label is None and turn.side == INTERVIEWEE)  # fmt: skip
        found: dict[int, Label] = {}
        for index, following in zip(named, [*named[1:], len(self.blocks)]):
            after = bisect.bisect_right(answers, index)  # the first unlabelled answer under the heading, if any
            if after < len(answers) and answers[after] < following:
                name = self.blocks[index].text
                found[index] = Label(name, name, "", LINE, "", own_line=True, shape="title")
        return found if len(found) >= 2 else {}

    def walk(self, cast: Cast) -> list[_Item]:
        """(speaker, kind or None for their role's kind, text, line) for each paragraph read after the title."""
        narrator = cast.defaults[NARRATOR]
        items: list[_Item] = []
        current: Person | None = None
        started = False
        guests = self._guest_headings()
        guest: Label | None = None
        for index, block in enumerate(self.blocks):
            if index in self.skip:
                if block.reason == "separator":
                    current = None  # after a separator, the piece's own voice: credits, a note
                continue
            turn = self.turns.get(index)
            if turn is not None:
                label = turn.label or (guest if turn.side == INTERVIEWEE else None)
                current = cast.person(label) if label else cast.defaults[turn.side or INTERVIEWER]
                started = True
                cast.start_turn(current, block.text)
                if block.text:
                    items.append((current, None, block.text, block.line))
            elif block.tag == "heading":
                current = None
                guest = guests.get(index, guest)
                items.append((narrator, "heading", block.text, block.line))
            elif block.tag == "direction":
                items.append((narrator, "direction", block.text, block.line))
            elif block.tag == "aside":
                items.append((narrator, "narration", block.text, block.line))
            elif _EDITORS_NOTE.search(block.text) or _RECORD_LINE.match(block.text):
                items.append((narrator, "intro" if not started and self.layout.name != "plain" else "narration",
                              block.text, block.line))  # fmt: skip
            elif started and byline_match(block.text):
                current = None
                items.append((narrator, "narration", block.text, block.line))
            elif current is not None and current.labels and addressed(current, block.text):
                current = cast.other_side(current)  # "Thank you, Friederike": the other side speaks to them
                cast.start_turn(current, block.text)
                items.append((current, None, block.text, block.line))
            elif current is not None:
                cast.continue_turn(current, block.text)
                items.append((current, "list" if block.tag == "item" else None, block.text, block.line))
            else:
                opening = not started and self.layout.name != "plain"
                kind = "list" if block.tag == "item" else "intro" if opening else "narration"
                items.append((narrator, kind, block.text, block.line))
        return items


def _interviewee(script: Script, cast: Cast, hints: Hints, layout: Layout) -> str | None:
    """The one person the piece is about, for the feed and the tags; None when there are several or none.

    Of several who answer, the one the headline names; else the one the intro names; else the only one.
    """
    if layout.name == "plain":
        from audiobuild.parse.names import _HEADLINE_NAME

        match = _HEADLINE_NAME.match(script.title)
        return match.group("name") if match and hints.interviewee == match.group("name") else None
    named = [person for person in cast.interviewees() if person is not cast.defaults[INTERVIEWEE]]
    if not named:
        return hints.interviewee if cast.defaults[INTERVIEWEE].turns else None
    title_words = [word.strip(",:;!?«»\"“”„'") for word in script.title.split()]
    in_title = [person for person in named
                if any(_same(person.name, word) for word in title_words if len(word) > 3)]  # fmt: skip
    if in_title:
        return in_title[0].name if len(in_title) == 1 else None
    if hints.interviewee and (hints.outright or len(named) == 1):
        matching = [person for person in named if _same(person.name, hints.interviewee)]
        if len(matching) == 1:
            return matching[0].name
    return named[0].name if len(named) == 1 and not cast.defaults[INTERVIEWEE].turns else None


def _warn(script: Script, layout: Layout) -> None:
    """Say so when the runner-up reading comes close, or when paragraphs that look like a speaker's turn were
    read as text, and what would change that."""
    if layout.doubts and layout.runner_up:
        name, score = layout.runner_up
        shown = ", ".join(f"line {line}" for line in layout.doubts[:6])
        more = f" and {len(layout.doubts) - 6} more" if len(layout.doubts) > 6 else ""
        log.warning("%s: read as %s (score %g), but %s comes close (%g); they differ on who speaks at %s%s; "
                    "if %s is right, try --layout %s", script.source, layout.name, layout.score, name, score, shown,
                    more, name, name)  # fmt: skip
    unread = layout.unread_labels
    first = min(layout.turns, default=None)
    lines = [block for block in unread if first is None or block.line > layout.blocks[first].line]
    if not lines:
        return
    shown = ", ".join(f"line {block.line} ({block.label.text})" for block in lines[:4])
    more = f" and {len(lines) - 4} more" if len(lines) > 4 else ""
    log.warning(
        "%s: %d paragraph%s start%s with what looks like a speaker label but %s read as %s: %s%s; "
        "if they are turns, try --layout labels (or another of %s) or --interviewer NAME",
        script.source, len(lines), "s" if len(lines) != 1 else "", "" if len(lines) != 1 else "s",
        "were" if len(lines) != 1 else "was", "narration" if layout.name == "plain" else "text", shown, more,
        ", ".join(LAYOUTS),
    )  # fmt: skip
