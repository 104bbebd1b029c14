"""Right-to-left text that messengers show in the right order (Unicode bidi isolates and marks).

In an Arabic or Persian message, a left-to-right piece such as a command ("/human"), a citation
("§ 44 Abs. 4 AufenthG"), a phone number ("0511 54571952"), a URL or a German term is reordered
by the Unicode bidi algorithm: neutral characters between its parts take the surrounding
right-to-left direction, so "/human" shows as "human/" and "0511 54571952" as "54571952 0511".
A line that starts with Latin text turns left-to-right as a whole. ``right_to_left`` wraps every
such piece in LEFT-TO-RIGHT ISOLATE … POP DIRECTIONAL ISOLATE and starts every line with a
RIGHT-TO-LEFT MARK. It understands Telegram's HTML subset: marks never go inside a tag or an
entity, and applying it twice changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

RLM = "\u200f"
LRM = "\u200e"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
_OPENERS = (LRI, RLI, FSI)
_BRACKETS = {")": "(", "]": "[", "}": "{"}
# Characters that belong to the left-to-right piece they stand in front of ("/human",
# "§ 44", "+49 511", "@name", "€ 500").
_PREFIXES = frozenset("/§+@#€$")
_STOPS = frozenset({"R", "AL", "B", "ISO"})  # a left-to-right piece never reaches past these
_STRONG = frozenset({"L", "EN", "AN"})
_TOKEN = re.compile(r"<[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "nbsp": "\u00a0"}


@dataclass(frozen=True)
class _Unit:
    """One piece of the text: a character, an entity (one character shown), a tag (nothing
    shown) or an isolate that is already there (kept as it is)."""

    raw: str
    kind: str  # the bidi class of what is shown, "TAG" or "ISO"

    @property
    def shown(self) -> bool:
        return self.kind != "TAG"


def right_to_left(text: str, html: bool = True) -> str:
    """``text`` (Telegram HTML if ``html``) with its left-to-right pieces isolated and every
    line starting right-to-left. Idempotent."""
    if not text:
        return text
    units = _units(text, html)
    wrapped = _isolate_runs(units)
    return "".join(_mark_lines(wrapped))


def label(text: str) -> str:
    """A button label: marked only if it mixes both directions (a label in one script shows
    right as it is, and people and tests find it by its plain text)."""
    kinds = {_bidi_class(c) for c in text}
    if kinds & {"R", "AL"} and kinds & _STRONG:
        return right_to_left(text, html=False)
    return text


def as_written(text: str) -> str:
    """Each line of someone's own words (e.g. a staff member's message) isolated with its own
    direction (FIRST STRONG ISOLATE), so it keeps its order inside a right-to-left message."""
    return "\n".join(f"{FSI}{line}{PDI}" if line.strip() else line for line in text.split("\n"))


def _units(text: str, html: bool) -> list[_Unit]:
    units: list[_Unit] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in _OPENERS:
            end = _isolate_end(text, i)
            units.append(_Unit(text[i:end], "ISO"))
            i = end
            continue
        match = _TOKEN.match(text, i) if html and char in "<&" else None
        if match:
            token = match.group()
            kind = "TAG" if token.startswith("<") else _bidi_class(_entity_char(token))
            units.append(_Unit(token, kind))
            i = match.end()
            continue
        units.append(_Unit(char, _bidi_class(char)))
        i += 1
    return units


def _isolate_end(text: str, start: int) -> int:
    """Index after the PDI that closes the isolate opened at ``start`` (or the line's end)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] in _OPENERS:
            depth += 1
        elif text[i] == PDI:
            depth -= 1
            if depth == 0:
                return i + 1
        elif text[i] == "\n":
            return i
    return len(text)


def _entity_char(token: str) -> str:
    name = token[1:-1]
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    return _ENTITIES.get(name, "&")


def _bidi_class(char: str) -> str:
    if char == "\n":
        return "B"
    if char == LRM:  # a mark, not text: it neither starts nor ends a piece
        return "ON"
    return unicodedata.bidirectional(char) or "ON"


def _isolate_runs(units: list[_Unit]) -> list[_Unit]:
    out: list[_Unit] = []
    i = floor = 0
    while i < len(units):
        if _starts_run(units, i):
            end = _run_end(units, i)
            start = _run_start(units, i, end, floor)
            del out[len(out) - (i - start) :]
            out += [_Unit(LRI, "ISO"), *units[start:end], _Unit(PDI, "ISO")]
            i = floor = end
        else:
            out.append(units[i])
            i += 1
    return out


def _starts_run(units: list[_Unit], i: int) -> bool:
    if units[i].kind in _STRONG:
        return True
    if units[i].raw not in _PREFIXES:
        return False
    following = [u for u in units[i + 1 : i + 4] if u.shown and u.kind != "WS"]
    return bool(following) and following[0].kind in _STRONG


def _run_end(units: list[_Unit], start: int) -> int:
    """End (exclusive) of the piece starting at ``start``: through the last strong
    left-to-right character before a right-to-left one, plus what closes it (brackets opened
    inside, "%" or "€" after a number)."""
    last = start
    i = start
    while i < len(units) and units[i].kind not in _STOPS:
        if units[i].kind in _STRONG:
            last = i
        i += 1
    end = last + 1
    while end < len(units) and units[end].kind == "ET":
        end += 1
    if end < len(units) and units[end].raw == "." and _abbreviated(units[start:end]):
        end += 1  # "e.V.", "z.B."
    open_brackets = _unclosed(units[start:end])
    i = end
    while open_brackets and i < len(units) and units[i].kind not in _STOPS:
        if units[i].raw in _BRACKETS and _BRACKETS[units[i].raw] == open_brackets[-1]:
            open_brackets.pop()
            end = i + 1
        i += 1
    while end > start + 1 and not units[end - 1].shown:  # closing tags stay outside
        end -= 1
    return end


def _run_start(units: list[_Unit], start: int, end: int, floor: int) -> int:
    """Move the start back over an opening bracket whose closing one is inside the piece."""
    missing = _unopened(units[start:end])
    i = start - 1
    while missing and i >= floor and units[i].kind not in _STOPS:
        if units[i].raw == missing[0]:
            missing.pop(0)
            start = i
        i -= 1
    return start


def _abbreviated(units: list[_Unit]) -> bool:
    """The piece ends in an abbreviation with a dot inside ("e.V", "z.B")."""
    word = "".join(u.raw for u in units if u.shown).rsplit(" ", 1)[-1]
    return "." in word[1:-1] and len(word) <= 6


def _unclosed(units: list[_Unit]) -> list[str]:
    stack: list[str] = []
    for unit in units:
        if unit.raw in _BRACKETS.values():
            stack.append(unit.raw)
        elif unit.raw in _BRACKETS and stack and stack[-1] == _BRACKETS[unit.raw]:
            stack.pop()
    return stack


def _unopened(units: list[_Unit]) -> list[str]:
    """Opening brackets (innermost first) that closing brackets in ``units`` lack."""
    depth: dict[str, int] = {}
    missing: list[str] = []
    for unit in units:
        if unit.raw in _BRACKETS.values():
            depth[unit.raw] = depth.get(unit.raw, 0) + 1
        elif unit.raw in _BRACKETS:
            opener = _BRACKETS[unit.raw]
            if depth.get(opener, 0):
                depth[opener] -= 1
            else:
                missing.insert(0, opener)
    return missing


def _mark_lines(units: list[_Unit]) -> list[str]:
    """Every line with something to show starts with a right-to-left mark (once)."""
    parts: list[str] = []
    line_start = 0
    for i, unit in enumerate([*units, _Unit("\n", "B")]):
        if unit.raw == "\n":
            line = units[line_start:i]
            first = next((u for u in line if u.shown), None)
            if first is not None and first.raw != RLM:
                parts.append(RLM)
            parts += [u.raw for u in line]
            if i < len(units):
                parts.append(unit.raw)
            line_start = i + 1
    return parts
