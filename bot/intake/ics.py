"""A calendar file (RFC 5545) for one appointment, to send along with a confirmation.

Written by hand because one event needs only a few lines; the subtle parts are text escaping and
folding long lines without cutting a UTF-8 character in half (texts may be Arabic, Persian,
Ukrainian ...), which calendar apps otherwise show as garbage.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

PRODID = "-//Landeshauptstadt Hannover//Beratungsassistent//DE"
MAX_OCTETS = 75
CRLF = "\r\n"
# Control characters are not allowed in TEXT values (RFC 5545 3.3.11), except HTAB.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash first, so the later escapes are not doubled."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\n", "\\n")
    return _CONTROL.sub("", value)


def fold_line(line: str) -> str:
    """Fold one content line into chunks of at most 75 octets, joined by CRLF and a space.

    The limit counts octets, not characters; the leading space of a continuation counts too.
    Splitting happens only between characters, so every physical line is valid UTF-8.
    """
    chunks: list[str] = []
    current = ""
    size = 0
    budget = MAX_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > budget:
            chunks.append(current)
            current, size, budget = "", 0, MAX_OCTETS - 1
        current += char
        size += octets
    chunks.append(current)
    return (CRLF + " ").join(chunks)


def _utc(moment: datetime, name: str) -> str:
    """A DATE-TIME in UTC form ("20261201T080000Z"), so no VTIMEZONE block is needed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_file(
    uid: str,
    start: datetime,
    end: datetime,
    summary: str,
    description: str,
    location: str,
    now: datetime | None = None,
) -> bytes:
    """One VEVENT in a VCALENDAR, UTF-8 with CRLF line endings, with a reminder one day before.

    ``now`` fixes DTSTAMP (the time the file was made), which keeps tests reproducible.
    """
    dtstart, dtend = _utc(start, "start"), _utc(end, "end")
    if end <= start:
        raise ValueError("the appointment must end after it starts")
    stamp = _utc(now if now is not None else datetime.now(UTC), "now")
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{escape_text(uid)}",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{dtstart}",
        f"DTEND:{dtend}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"LOCATION:{escape_text(location)}",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "TRIGGER:-P1D",
        f"DESCRIPTION:{escape_text(summary)}",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold_line(line) + CRLF for line in lines).encode("utf-8")
