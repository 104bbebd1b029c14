"""Calendar files: RFC 5545 structure, CRLF, line length in octets, escaping, the lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.intake.ics import PRODID, Appointment, calendar_file

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN)
END = START + timedelta(minutes=45)
NOW = datetime(2026, 11, 20, 14, 30, 5, tzinfo=UTC)
ARABIC = (
    "موعد استشارة لدى وحدة سياسة الهجرة في مدينة هانوفر قبل تقديم طلب التمويل. "
    "يرجى إحضار جميع المستندات اللازمة، وشكراً لكم; نراكم قريباً\\"
) * 3


def make(status: str = "TENTATIVE", now: datetime | None = NOW, **overrides: object) -> bytes:
    arguments: dict[str, object] = {
        "uid": "booking-42@beratung.hannover.example",
        "start": START,
        "end": END,
        "summary": "Beratungstermin",
        "description": "Bitte Unterlagen mitbringen.",
        "location": "Trammplatz 2, 30159 Hannover",
    }
    arguments.update(overrides)
    return calendar_file(Appointment(**arguments), status, now)  # type: ignore[arg-type]


def physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def unfolded(data: bytes) -> list[str]:
    """Content lines as a calendar reader sees them (RFC 5545 3.1: CRLF + space is removed)."""
    return data.replace(b"\r\n ", b"").decode("utf-8").split("\r\n")[:-1]


def properties(data: bytes) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in unfolded(data):
        name, _, value = line.partition(":")
        found.setdefault(name, []).append(value)
    return found


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            nxt = next(chars)
            out.append("\n" if nxt in "nN" else nxt)
        else:
            out.append(char)
    return "".join(out)


def test_structure_is_balanced_and_ordered() -> None:
    stack: list[str] = []
    seen: list[str] = []
    for line in unfolded(make()):
        if line.startswith("BEGIN:"):
            stack.append(line[6:])
            seen.append(line[6:])
        elif line.startswith("END:"):
            assert stack.pop() == line[4:]
    assert stack == []
    assert seen == ["VCALENDAR", "VEVENT", "VALARM"]
    lines = unfolded(make())
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"


def test_required_properties() -> None:
    props = properties(make())
    assert props["PRODID"] == [PRODID]
    assert props["VERSION"] == ["2.0"]
    assert props["CALSCALE"] == ["GREGORIAN"]
    assert props["METHOD"] == ["PUBLISH"]
    assert props["UID"] == ["booking-42@beratung.hannover.example"]
    assert props["DTSTAMP"] == ["20261120T143005Z"]
    assert props["DTSTART"] == ["20261201T080000Z"]
    assert props["DTEND"] == ["20261201T084500Z"]
    assert props["SUMMARY"] == ["Beratungstermin"]
    assert props["LOCATION"] == ["Trammplatz 2\\, 30159 Hannover"]
    assert props["ACTION"] == ["DISPLAY"]
    assert props["TRIGGER"] == ["-P1D"]
    assert props["DESCRIPTION"] == ["Bitte Unterlagen mitbringen.", "Beratungstermin"]
    assert props["STATUS"] == ["TENTATIVE"] and props["SEQUENCE"] == ["0"]


def test_confirmed_and_cancelled_versions_of_one_event() -> None:
    confirmed = Calendar.from_ical(make("CONFIRMED", sequence=1))
    cancelled = Calendar.from_ical(make("CANCELLED", sequence=2))
    first, second = confirmed.walk("VEVENT")[0], cancelled.walk("VEVENT")[0]
    assert (confirmed["METHOD"], first["STATUS"], first["SEQUENCE"]) == ("PUBLISH", "CONFIRMED", 1)
    assert (cancelled["METHOD"], second["STATUS"], second["SEQUENCE"]) == ("CANCEL", "CANCELLED", 2)
    assert first["UID"] == second["UID"]
    assert cancelled.walk("VALARM") == []  # no reminder for a cancelled appointment


def test_summer_time_converts_to_utc() -> None:
    start = datetime(2026, 7, 7, 9, 0, tzinfo=BERLIN)
    props = properties(make(start=start, end=start + timedelta(hours=1)))
    assert props["DTSTART"] == ["20260707T070000Z"]


def test_crlf_only_and_line_length_in_octets() -> None:
    data = make(summary="Консультація " * 20, description=ARABIC, location="دفتر " * 30)
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    for line in physical_lines(data):
        assert len(line) <= 75
        line.decode("utf-8")  # no multi-byte character cut in half


def test_long_arabic_description_round_trips() -> None:
    data = make(description=ARABIC)
    raw = [line for line in physical_lines(data) if line.startswith(b" ")]
    assert len(raw) > 5  # it really was folded
    description = properties(data)["DESCRIPTION"][0]
    assert unescape(description) == ARABIC


def test_escaped_values_round_trip() -> None:
    summary = "Termin; Förderung, Antrag\\Frage\nZeile 2"
    data = make(summary=summary)
    assert properties(data)["SUMMARY"] == ["Termin\\; Förderung\\, Antrag\\\\Frage\\nZeile 2"]
    assert Calendar.from_ical(data).walk("VEVENT")[0]["SUMMARY"] == summary


def test_bad_times_are_refused() -> None:
    with pytest.raises(ValueError, match="end after"):
        make(end=START)
    with pytest.raises(ValueError, match="timezone-aware"):
        make(start=datetime(2026, 12, 1, 9), end=datetime(2026, 12, 1, 10))
    with pytest.raises(ValueError, match="timezone-aware"):
        make(end=datetime(2026, 12, 1, 10))


def test_default_stamp_is_now() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    stamp = properties(make(now=None))["DTSTAMP"][0]
    parsed = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert before <= parsed <= datetime.now(UTC)
