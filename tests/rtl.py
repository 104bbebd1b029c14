"""Checks a right-to-left message the way a messenger lays it out (Unicode bidi algorithm)."""

from __future__ import annotations

import re
from html import unescape

from bidi import get_base_level, get_display

_ADDED = dict.fromkeys(map(ord, "\u200f\u2066\u2068\u2069"))
_TAG = re.compile(r"<[^>]*>")
_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u2066\u2067\u2068\u2069"))
# Pieces that must read left to right inside Arabic or Persian text.
_PIECES = {
    "command": re.compile(r"(?<![\w/])/[a-z_]+\b"),
    "citation": re.compile(r"§+ ?\d+[a-z]?(?: (?:Abs\.|Satz|Nr\.) ?\d+)*(?: [A-Z]\w*G\b)?"),
    "number": re.compile(r"\+?\d+(?:[ .:/-]\d+)+"),
    "url": re.compile(r"(?:https?://|www\.)[^\s<>()\"،]+[\w/]"),
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "latin": re.compile(r"[A-Za-zÄÖÜäöüß][\w.&'-]*(?: [A-Za-zÄÖÜäöüß0-9][\w.&'-]*)*\w"),
}


def visible(html: str) -> str:
    """What the messenger shows of Telegram HTML (tags gone, entities read)."""
    return unescape(_TAG.sub("", html))


def problems(text: str, html: bool = True) -> list[str]:
    """Lines that do not keep right-to-left direction, and left-to-right pieces shown out of
    order, in ``text`` as sent."""
    found = []
    for line in (visible(text) if html else text).split("\n"):
        if not line.translate(_MARKS).strip():
            continue
        if get_base_level(line) != 1:
            found.append(f"left-to-right line: {line.translate(_MARKS)!r}")
        shown = get_display(line).translate(_MARKS)
        logical = line.translate(_MARKS)
        for kind, pattern in _PIECES.items():
            for piece in pattern.findall(logical):
                if piece not in shown:
                    found.append(f"{kind} {piece!r} shown out of order")
    return found


def unmarked(text: str) -> str:
    """``text`` without the marks and isolates the bot adds (to compare with a stored text;
    left-to-right marks written into the texts stay)."""
    return text.translate(_ADDED)
