"""Text cleaned where it enters the bot: no NUL, no other control characters, no lone surrogates.

A NUL byte cannot be stored in PostgreSQL text, a lone surrogate cannot be encoded to UTF-8 (the
form summary holding one could never be sent, so the form could never be confirmed), and other
control characters only confuse the matching and the staff's display. Newline and tab are kept;
a carriage return becomes a line break. Format characters (direction marks, zero-width joiners)
are kept: Persian and Arabic writing needs them; the matching removes them itself.

``clean_payload`` cleans every string of an update as JSON and moves the entities of a text
(offsets in UTF-16 code units, as Telegram counts) so they still mark the same characters.
"""

from __future__ import annotations

import re
from typing import Any

_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_ENTITIES = {"text": "entities", "caption": "caption_entities"}


def clean_text(text: str) -> str:
    """``text`` without control characters (except newline and tab) and lone surrogates."""
    return _clean(text)[0]


def _units(text: str) -> int:
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def _clean(text: str) -> tuple[str, dict[int, int] | None]:
    """The cleaned text and, if anything changed, old UTF-16 offset -> new UTF-16 offset."""
    if _UNWANTED.search(text) is None:
        return text, None
    kept: list[str] = []
    offsets: dict[int, int] = {}
    old = new = 0
    for index, ch in enumerate(text):
        offsets[old] = new
        if ch == "\r":
            replacement = "" if text[index + 1 : index + 2] == "\n" else "\n"
        else:
            replacement = "" if _UNWANTED.match(ch) else ch
        kept.append(replacement)
        old += 2 if ord(ch) > 0xFFFF else 1
        new += _units(replacement)
    offsets[old] = new
    return "".join(kept), offsets


def clean_payload(value: Any) -> Any:
    """Every string in ``value`` (an update as JSON) cleaned; entities moved along."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_payload(item) for item in value]
    if not isinstance(value, dict):
        return value
    cleaned = {key: clean_payload(item) for key, item in value.items() if key not in _moved(value)}
    for text_key, entities_key in _ENTITIES.items():
        text = value.get(text_key)
        if not isinstance(text, str):
            continue
        cleaned[text_key], offsets = _clean(text)
        entities = value.get(entities_key)
        if isinstance(entities, list):
            cleaned[entities_key] = _move(clean_payload(entities), offsets)
    return cleaned


def _moved(value: dict[str, Any]) -> set[str]:
    """Keys cleaned together with their text (not one by one)."""
    return {k for t, e in _ENTITIES.items() if isinstance(value.get(t), str) for k in (t, e)}


def _move(entities: list[Any], offsets: dict[int, int] | None) -> list[Any]:
    if offsets is None:
        return entities
    moved = []
    for entity in entities:
        if not isinstance(entity, dict):
            continue
        start, length = entity.get("offset"), entity.get("length")
        if not isinstance(start, int) or not isinstance(length, int):
            continue
        new_start, new_end = offsets.get(start), offsets.get(start + length)
        if new_start is not None and new_end is not None and new_end > new_start:
            moved.append({**entity, "offset": new_start, "length": new_end - new_start})
    return moved
