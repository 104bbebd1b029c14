"""Loose emulation of Telegram's ``parse_mode`` handling.

Formatted text is turned into plain text plus ``MessageEntity`` dicts, like Telegram does,
so the bot sees ``message.text`` without markup. Malformed markup is refused with
Telegram's ``Bad Request: can't parse entities: ...`` error. The parsers are deliberately
simpler than Telegram's but reject the common mistakes: unknown or unbalanced HTML tags
(``<br>``, ``<div>``, ``<b><i></b>``), and unescaped reserved characters in MarkdownV2.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import ApiError, bad_request

Entity = dict[str, Any]

HTML_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^>]*)?)\s*/?>")
_ATTR = re.compile(r"([a-zA-Z-]+)\s*(?:=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_CHARREF = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (Telegram's unit for entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def _entity_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Return ``(plain_text, entities)`` for ``text`` formatted with ``parse_mode``."""
    mode = (parse_mode or "").strip().lower()
    if not mode:
        return text, []
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown(text, v2=True)
    if mode == "markdown":
        return parse_markdown(text, v2=False)
    raise bad_request(f"unsupported parse_mode {parse_mode!r}")


def _attrs(raw: str) -> dict[str, str]:
    return {m.group(1).lower(): (m.group(2) or "").strip("\"'") for m in _ATTR.finditer(raw)}


def _decode_ref(ref: str) -> str:
    if ref in _NAMED:
        return _NAMED[ref]
    code = int(ref[2:], 16) if ref.startswith("#x") else int(ref[1:])
    return chr(code)


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Parse Telegram-flavoured HTML into plain text and entities."""
    out: list[str] = []
    length = 0  # UTF-16 length of ``out``
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[Entity] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        byte_offset = len(text[:pos].encode())
        if char == "<":
            match = _TAG.match(text, pos)
            if match is None:
                raise _entity_error(f"Unclosed start tag at byte offset {byte_offset}")
            closing, name, raw_attrs = match.group(1) == "/", match.group(2).lower(), match.group(3)
            if name not in HTML_TAGS:
                kind = "end" if closing else "start"
                raise _entity_error(f'Unsupported {kind} tag "{name}" at byte offset {byte_offset}')
            if not closing:
                attrs = _attrs(raw_attrs)
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    raise _entity_error(
                        f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset}'
                    )
                stack.append((name, length, attrs))
            else:
                if not stack:
                    raise _entity_error(f"Unexpected end tag at byte offset {byte_offset}")
                open_name, start, attrs = stack.pop()
                if open_name != name:
                    raise _entity_error(
                        f"Unmatched end tag at byte offset {byte_offset}, "
                        f'expected "</{open_name}>", found "</{name}>"'
                    )
                if length > start:
                    entities.append(_html_entity(open_name, start, length - start, attrs))
            pos = match.end()
            continue
        if char == "&":
            ref = _CHARREF.match(text, pos)
            if ref is not None:
                decoded = _decode_ref(ref.group(1))
                out.append(decoded)
                length += utf16_len(decoded)
                pos = ref.end()
                continue
        out.append(char)
        length += utf16_len(char)
        pos += 1
    if stack:
        raise _entity_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _html_entity(tag: str, offset: int, length: int, attrs: dict[str, str]) -> Entity:
    entity: Entity = {"type": HTML_TAGS[tag], "offset": offset, "length": length}
    if tag == "a":
        entity["url"] = attrs.get("href", "")
    elif tag == "pre" and attrs.get("class", "").startswith("language-"):
        entity["language"] = attrs["class"][len("language-") :]
    elif tag == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    return entity


_MD_MARKERS_V2 = {
    "*": "bold",
    "_": "italic",
    "__": "underline",
    "~": "strikethrough",
    "||": "spoiler",
}
_MD_MARKERS_V1 = {"*": "bold", "_": "italic"}


def parse_markdown(text: str, *, v2: bool) -> tuple[str, list[Entity]]:
    """Parse Markdown (``v2=False``) or MarkdownV2 into plain text and entities."""
    markers = _MD_MARKERS_V2 if v2 else _MD_MARKERS_V1
    out: list[str] = []
    length = 0
    stack: list[tuple[str, int, int]] = []  # (marker, utf16 start, byte offset)
    entities: list[Entity] = []
    pos = 0

    def emit(chunk: str) -> None:
        nonlocal length
        out.append(chunk)
        length += utf16_len(chunk)

    while pos < len(text):
        char = text[pos]
        byte_offset = len(text[:pos].encode())
        if char == "\\" and v2 and pos + 1 < len(text):
            emit(text[pos + 1])
            pos += 2
            continue
        if char == "`":
            fence = "```" if text.startswith("```", pos) else "`"
            end = _find_unescaped(text, fence, pos + len(fence), v2)
            if end < 0:
                raise _entity_error(
                    f"Can't find end of the entity starting at byte offset {byte_offset}"
                )
            body = text[pos + len(fence) : end]
            entity: Entity = {"type": "code" if fence == "`" else "pre", "offset": length}
            if fence == "```" and "\n" in body:
                first, rest = body.split("\n", 1)
                if first.strip() and " " not in first.strip():
                    entity["language"], body = first.strip(), rest
            body = re.sub(r"\\([`\\])", r"\1", body) if v2 else body
            emit(body)
            entity["length"] = length - entity["offset"]
            if entity["length"]:
                entities.append(entity)
            pos = end + len(fence)
            continue
        if char == "[":
            stack.append(("[", length, byte_offset))
            pos += 1
            continue
        if char == "]" and stack and stack[-1][0] == "[" and text.startswith("(", pos + 1):
            end = _find_unescaped(text, ")", pos + 2, v2)
            if end < 0:
                raise _entity_error(f"Can't find end of a URL at byte offset {byte_offset}")
            _, start, _ = stack.pop()
            url = text[pos + 2 : end].replace("\\)", ")").replace("\\\\", "\\")
            if length > start:
                entities.append(
                    {"type": "text_link", "offset": start, "length": length - start, "url": url}
                )
            pos = end + 1
            continue
        marker: str | None = next(
            (m for m in ("__", "||") if m in markers and text.startswith(m, pos)), None
        )
        marker = marker or (char if char in markers else None)
        if marker is not None:
            if stack and stack[-1][0] == marker:
                _, start, _ = stack.pop()
                if length > start:
                    entities.append(
                        {"type": markers[marker], "offset": start, "length": length - start}
                    )
            else:
                stack.append((marker, length, byte_offset))
            pos += len(marker)
            continue
        quote_mark = char == ">" and (pos == 0 or text[pos - 1] == "\n")
        if v2 and char in MDV2_RESERVED and not quote_mark:
            raise _entity_error(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        if v2 and quote_mark:
            pos += 1
            continue
        emit(char)
        pos += 1
    if stack:
        raise _entity_error(f"Can't find end of the entity starting at byte offset {stack[-1][2]}")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _find_unescaped(text: str, needle: str, start: int, v2: bool) -> int:
    pos = start
    while True:
        found = text.find(needle, pos)
        if found < 0 or not v2:
            return found
        backslashes = len(text[:found]) - len(text[:found].rstrip("\\"))
        if backslashes % 2 == 0:
            return found
        pos = found + 1


def strip_html(text: str) -> str:
    """Remove HTML tags and unescape character references (for display)."""
    without_tags = re.sub(r"<[^>]*>", "", text)
    return _CHARREF.sub(lambda m: _decode_ref(m.group(1)), without_tags)
