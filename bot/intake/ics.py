"""Calendar files (RFC 5545) that follow one appointment through its life.

Every file of a request carries the same UID, so a calendar app replaces the event instead of
adding a second one, and a higher SEQUENCE each time it changes:

    submitted -> TENTATIVE  ·  confirmed -> CONFIRMED  ·  moved -> the new time
    cancelled or declined -> METHOD:CANCEL, STATUS:CANCELLED

Built with the icalendar library (escaping, folding long lines at 75 octets without splitting a
UTF-8 character, CRLF). Times are written in UTC, so no VTIMEZONE block is needed and Hannover's
summer and winter time cannot be misread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from icalendar import Alarm, Calendar, Event

PRODID = "-//Landeshauptstadt Hannover//Beratungsassistent//DE"
Status = Literal["TENTATIVE", "CONFIRMED", "CANCELLED"]


@dataclass(frozen=True)
class Appointment:
    """What a calendar event says about one request at one revision."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    description: str
    location: str
    sequence: int = 0


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment.astimezone(UTC)


def calendar_file(
    appointment: Appointment, status: Status = "TENTATIVE", now: datetime | None = None
) -> bytes:
    """One VEVENT in a VCALENDAR (UTF-8, CRLF); METHOD:CANCEL for a cancelled appointment.

    ``now`` fixes DTSTAMP (the time the file was made), which keeps tests reproducible.
    """
    start, end = _aware(appointment.start, "start"), _aware(appointment.end, "end")
    if end <= start:
        raise ValueError("the appointment must end after it starts")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if status == "CANCELLED" else "PUBLISH")
    event = Event()
    event.add("uid", appointment.uid)
    event.add("dtstamp", _aware(now if now is not None else datetime.now(UTC), "now"))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("sequence", appointment.sequence)
    event.add("status", status)
    event.add("summary", appointment.summary)
    event.add("description", appointment.description)
    event.add("location", appointment.location)
    if status != "CANCELLED":
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", timedelta(days=-1))
        alarm.add("description", appointment.summary)
        event.add_component(alarm)
    calendar.add_component(event)
    return bytes(calendar.to_ical())
