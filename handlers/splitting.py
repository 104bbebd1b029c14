"""Splitting a long HTML message into Telegram-sized pieces that each parse on their own.

A cut never falls inside a tag (``<a href=...>``) or an entity (``&amp;``); tags open at a
cut are closed at the end of one piece and opened again at the start of the next. Cuts go
at a line break if there is one in the second half of the piece, else at a space, else
anywhere between characters. Telegram's limit counts the text after parsing (a tag counts
nothing, ``&amp;`` one character), in UTF-16 code units; so does this.
"""

from __future__ import annotations

import html
import re

from telegram.constants import MessageLimit

_ATOM = re.compile(r"<[^<>]*>|&#?\w+;|.", re.DOTALL)
_TAG_NAME = re.compile(r"</?\s*([A-Za-z0-9-]+)")
Stack = tuple[tuple[str, str], ...]  # open tags: (name, the opening tag as written)


def split_message(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, each valid HTML by itself."""
    if len(text.encode("utf-16-le")) // 2 <= limit:  # the HTML is never shorter than it shows
        return [text]
    atoms = _ATOM.findall(text)
    stacks = _stacks(atoms)
    pieces: list[str] = []
    start = 0
    while start < len(atoms):
        end, resume = _cut(atoms, stacks, start, limit)
        opening = "".join(tag for _, tag in stacks[start])
        closing = "".join(f"</{name}>" for name, _ in reversed(stacks[end]))
        pieces.append(opening + "".join(atoms[start:end]) + closing)
        start = resume
    return [p for p in pieces if _visible(p).strip()]


def _stacks(atoms: list[str]) -> list[Stack]:
    """The tags open before each atom (and after the last one)."""
    stacks: list[Stack] = [()]
    current: Stack = ()
    for atom in atoms:
        if atom.startswith("<") and atom.endswith(">") and (match := _TAG_NAME.match(atom)):
            name = match.group(1).lower()
            if atom.startswith("</"):
                names = [n for n, _ in current]
                if name in names:
                    current = current[: len(names) - 1 - names[::-1].index(name)]
            else:
                current = (*current, (name, atom))
        stacks.append(current)
    return stacks


def _cut(atoms: list[str], stacks: list[Stack], start: int, limit: int) -> tuple[int, int]:
    """Where this piece ends and where the next one starts (a separator at the cut is left
    out)."""
    used, end = 0, start
    while end < len(atoms) and used + _cost(atoms[end]) <= limit:
        used += _cost(atoms[end])
        end += 1
    if end == len(atoms):
        return end, end
    end = max(end, start + 1)  # a single atom longer than the limit still moves on
    half = start + (end - start) // 2
    for separator in ("\n", " "):
        for cut in range(end, half, -1):
            if atoms[cut - 1] == separator:
                return cut - 1, _skip_blank(atoms, cut)
    return end, end


def _cost(atom: str) -> int:
    """What an atom counts towards Telegram's limit."""
    if len(atom) == 1:
        return 2 if ord(atom) > 0xFFFF else 1
    return 0 if atom.startswith("<") else 1


def _skip_blank(atoms: list[str], index: int) -> int:
    while index < len(atoms) and atoms[index] in (" ", "\n"):
        index += 1
    return index


def _visible(piece: str) -> str:
    return html.unescape(re.sub(r"<[^<>]*>", "", piece))
