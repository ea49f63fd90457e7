"""Furniture known by where it stands among the blocks, not by its own words.

A line printed on every page of a record, and a poll's question over its
answers' vote counts: each alone reads as text, together they are the page's.
"""

from __future__ import annotations

import re
from collections import Counter

from audiobuild.parse.layouts import Block
from audiobuild.parse.text import fold


def furniture_by_place(blocks: list[Block]) -> list[Block]:
    """`blocks` with repeated page lines and polls' questions made furniture."""
    return _poll_questions(_repeated_lines(blocks))


def _repeated_lines(blocks: list[Block]) -> list[Block]:
    """A line printed on every page (a court reporter's footer): furniture, wherever it is.

    Three times, or twice with a phone number or an address in it (a headline is often printed twice), or
    twice next to such a line (the rest of the page's header or footer).
    """
    # A label-shaped line too ("Official - Subject to Final Review"), when its "label" never says anything else.
    said: dict[str, set[str]] = {}
    for block in blocks:
        if block.tag == "label":
            said.setdefault(block.label.name, set()).add(fold(block.source))
    lines = [block.tag == "text" or (block.tag == "label" and len(said[block.label.name]) == 1) for block in blocks]
    counts = Counter(fold(block.source or block.text) for block, line in zip(blocks, lines) if line)

    def repeated(block: Block) -> bool:
        # A name alone on its line ("M. LE MAIRE") recurs because its person speaks again.
        line = block.tag == "text" or (block.tag == "label" and not block.label.own_line)
        count = counts[fold(block.source or block.text)] if line else 0
        contact = len(re.findall(r"\d", block.text)) >= 6 or re.search(
            r"\w\.(?:com|org|net|example)\b|www\.", block.text
        )
        text = block.source or block.text
        sentence = text.rstrip("*_")[-1:] in '.!?…"”»'
        return (count >= 3 or (count == 2 and bool(contact))) and len(text.split()) >= 3 and not sentence

    marked = {index for index, block in enumerate(blocks) if repeated(block)}
    beside = {index for index, block in enumerate(blocks)
              if counts[fold(block.source or block.text)] >= 2 and block.tag in ("text", "label")
              and marked & {index - 2, index - 1, index + 1, index + 2}}  # fmt: skip
    return [Block(block.line, "furniture", block.source or block.text, reason="repeated line")
            if index in marked | beside else block for index, block in enumerate(blocks)]  # fmt: skip


def _poll_questions(blocks: list[Block]) -> list[Block]:
    """A poll's question and its choices above its vote counts: "Have you visited the mill?", "• Not yet", "1,204
    votes"; or a line over two or more choices' counts ("Выбери самого крутого фудблогера!" over "%165 голосов").
    All of it is furniture, as its counts are."""
    polled: set[int] = set()
    for index, block in enumerate(blocks):
        if block.reason != "poll":
            continue
        choices = index
        while choices > 0 and blocks[choices - 1].tag == "item" and len(blocks[choices - 1].text.split()) <= 6:
            choices -= 1
        question = choices - 1
        if question >= 0 and blocks[question].tag in ("heading", "text", "bold"):
            if index - choices >= 2 and blocks[question].text.endswith("?"):
                polled |= set(range(question, index))  # the question and its choices
            elif index + 1 < len(blocks) and blocks[index + 1].reason == "poll" and choices == index:
                polled.add(question)  # a line over choices shown by their counts
    return [Block(block.line, "furniture", block.source or block.text, reason="poll") if index in polled else block
            for index, block in enumerate(blocks)]  # fmt: skip
