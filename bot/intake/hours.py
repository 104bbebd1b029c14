"""Consultation hours: the weekly plan, and the concrete appointment slots it yields.

Everything here is pure time arithmetic so that booking, reminders and staff views agree on what a
slot is. Slots are built from local wall-clock times per day (the plan says "Tuesday 09:00", not
"08:00 UTC"), so they stay correct across daylight saving changes. A slot is identified by its
start in UTC (``Slot.key``), which is stable whatever zone the reader is in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from holidays.countries.germany import Germany
from pydantic import BaseModel, ConfigDict, Field, field_validator

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_KEY_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def slot_key(start: datetime) -> str:
    """A slot's stable id: its start in UTC, e.g. "2026-12-01T08:00:00Z" (naive means UTC)."""
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    return start.astimezone(UTC).strftime(_KEY_FORMAT)


def _parse_range(text: str) -> tuple[time, time]:
    """Split "HH:MM-HH:MM" into two times; the caller has validated the format."""
    match = _RANGE.match(text)
    if match is None:
        raise ValueError(f"time range {text!r} is not of the form HH:MM-HH:MM")
    hour1, minute1, hour2, minute2 = (int(part) for part in match.groups())
    return time(hour1, minute1), time(hour2, minute2)


def _checked_ranges(day: str, ranges: list[str]) -> list[tuple[time, time]]:
    """One weekday's ranges, sorted; empty or overlapping ranges would double-book advisers."""
    parsed = sorted(_parse_range(text.strip()) for text in ranges)
    for start, end in parsed:
        if start >= end:
            raise ValueError(f"{day}: range {start:%H:%M}-{end:%H:%M} does not end after its start")
    for (_, end), (start, _) in pairwise(parsed):
        if start < end:
            raise ValueError(f"{day}: ranges overlap at {start:%H:%M}")
    return parsed


class ConsultationHours(BaseModel):
    """When advice appointments are offered; frozen so one object can be shared by all handlers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str = "Europe/Berlin"
    weekly: dict[str, list[str]] = Field(
        default_factory=lambda: {"tue": ["09:00-12:00"], "thu": ["13:00-16:00"]}
    )
    slot_minutes: int = Field(default=45, ge=15, le=240)
    advisers: int = Field(default=1, ge=1, le=20)
    lead_hours: int = Field(default=24, ge=0, le=720)
    horizon_days: int = Field(default=28, ge=1, le=180)
    closed: list[date] = Field(default_factory=list)
    holidays_subdivision: str = "NI"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        """Refuse unknown zones at load time rather than at the first booking."""
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("weekly")
    @classmethod
    def _valid_plan(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        """Normalise weekday names and sort ranges; a broken plan would silently lose slots."""
        plan: dict[str, list[str]] = {}
        for name, ranges in value.items():
            day = name.strip().lower()
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {name!r}; use one of {', '.join(WEEKDAYS)}")
            if day in plan:
                raise ValueError(f"weekday {day!r} is given twice")
            parsed = _checked_ranges(day, ranges)
            plan[day] = [f"{start:%H:%M}-{end:%H:%M}" for start, end in parsed]
        return plan

    @field_validator("holidays_subdivision")
    @classmethod
    def _known_subdivision(cls, value: str) -> str:
        """Only German states the holidays package knows; a typo would drop all holidays."""
        if value not in Germany.subdivisions:
            raise ValueError(f"unknown German subdivision {value!r}")
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The configured zone (ZoneInfo caches instances, so this is cheap)."""
        return ZoneInfo(self.timezone)

    def ranges_on(self, day: date) -> list[tuple[time, time]]:
        """The plan's local time ranges for this calendar day's weekday."""
        return [_parse_range(text) for text in self.weekly.get(WEEKDAYS[day.weekday()], [])]

    def is_closed(self, day: date) -> bool:
        """A public holiday of the subdivision or an extra closed day (team day etc.)."""
        return day in self.closed or day in _holiday_dates(self.holidays_subdivision, day.year)


@lru_cache(maxsize=64)
def _holiday_dates(subdivision: str, year: int) -> frozenset[date]:
    """Public holidays of one German state and year; cached because every slot asks."""
    return frozenset(Germany(subdiv=subdivision, years=year).keys())


@dataclass(frozen=True)
class Slot:
    """One appointment slot; start and end are aware datetimes in the configured zone."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("slot times must be timezone-aware")
        if self.start >= self.end:
            raise ValueError("slot must end after it starts")

    @property
    def key(self) -> str:
        """Start in UTC, e.g. "2026-12-01T08:00:00Z": stable id for button data and storage."""
        return slot_key(self.start)

    @classmethod
    def from_key(cls, key: str, hours: ConsultationHours) -> Slot | None:
        """The slot of the weekly plan with this key, or None for malformed or forged keys.

        Holidays and closed days are deliberately not checked here, so that a booking stays
        readable after its day is closed later; ``is_bookable`` refuses such slots for new bookings.
        """
        if not isinstance(key, str) or not _KEY.match(key):
            return None
        try:
            start = datetime.strptime(key, _KEY_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            return None
        local_day = start.astimezone(hours.zone).date()
        for slot in _plan_slots_on(hours, local_day):
            if slot.key == key:
                return slot
        return None


def _aware(moment: datetime, name: str) -> datetime:
    """Naive datetimes are ambiguous (server zone? UTC?), so they are refused outright."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment


def _exists(local: datetime, zone: ZoneInfo) -> bool:
    """False for wall-clock times skipped by a spring-forward change (e.g. 02:30 in March)."""
    round_trip = local.astimezone(UTC).astimezone(zone)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)


def _plan_slots_on(hours: ConsultationHours, day: date) -> Iterator[Slot]:
    """Slots of the weekly plan on one local day, ignoring holidays and closed days.

    Slots are laid out in wall-clock time. A slot whose start or end does not exist, or whose real
    length differs from ``slot_minutes`` because it spans a clock change, is skipped.
    """
    zone = hours.zone
    length = timedelta(minutes=hours.slot_minutes)
    for range_start, range_end in hours.ranges_on(day):
        cursor = datetime.combine(day, range_start)
        limit = datetime.combine(day, range_end)
        while cursor + length <= limit:
            start = cursor.replace(tzinfo=zone)
            end = (cursor + length).replace(tzinfo=zone)
            cursor += length
            if not (_exists(start, zone) and _exists(end, zone)):
                continue
            if end.astimezone(UTC) - start.astimezone(UTC) != length:
                continue
            yield Slot(start, end)


def _iter_slots(hours: ConsultationHours, start: datetime, end: datetime) -> Iterator[Slot]:
    """Open slots in [start, end) in time order, lazily so callers can stop early."""
    zone = hours.zone
    day = _aware(start, "start").astimezone(zone).date()
    last_day = _aware(end, "end").astimezone(zone).date()
    while day <= last_day:
        if not hours.is_closed(day):
            for slot in _plan_slots_on(hours, day):
                if start <= slot.start < end:
                    yield slot
        day += timedelta(days=1)


def slots_between(hours: ConsultationHours, start: datetime, end: datetime) -> list[Slot]:
    """Every slot starting in [start, end), without public holidays and closed days."""
    return list(_iter_slots(hours, start, end))


def _window(hours: ConsultationHours, now: datetime) -> tuple[datetime, datetime]:
    """Earliest and (exclusive) latest bookable start: staff need lead time to prepare."""
    _aware(now, "now")
    return now + timedelta(hours=hours.lead_hours), now + timedelta(days=hours.horizon_days)


def free_slots(
    hours: ConsultationHours, now: datetime, taken: Mapping[str, int], limit: int = 6
) -> list[Slot]:
    """The first ``limit`` bookable slots that still have a free adviser.

    ``taken`` maps slot keys to the number of bookings that occupy the slot.
    """
    if limit <= 0:
        return []
    earliest, latest = _window(hours, now)
    found: list[Slot] = []
    for slot in _iter_slots(hours, earliest, latest):
        if taken.get(slot.key, 0) < hours.advisers:
            found.append(slot)
            if len(found) >= limit:
                break
    return found


def is_bookable(hours: ConsultationHours, slot: Slot, now: datetime) -> bool:
    """True for a real slot of the plan, on an open day, inside lead time and horizon.

    Checked again when a booking is stored, because the offer may have been shown days earlier.
    """
    earliest, latest = _window(hours, now)
    if not earliest <= slot.start < latest:
        return False
    planned = Slot.from_key(slot.key, hours)
    if planned is None or planned.end != slot.end:
        return False
    return not hours.is_closed(planned.start.date())
