"""Consultation hours: plan expansion, holidays, DST, lead time, capacity and slot keys."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.intake.hours import ConsultationHours, Slot, free_slots, is_bookable, slots_between

BERLIN = ZoneInfo("Europe/Berlin")
EVERY_DAY = {day: ["10:00-11:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


def days_of(slots: list[Slot]) -> list[date]:
    return sorted({slot.start.date() for slot in slots})


# --- weekly plan -------------------------------------------------------------------------------


def test_default_plan_expands_to_consecutive_slots() -> None:
    slots = slots_between(ConsultationHours(), local(2026, 11, 30), local(2026, 12, 7))
    starts = [slot.start.strftime("%a %H:%M") for slot in slots]
    assert starts == [
        "Tue 09:00", "Tue 09:45", "Tue 10:30", "Tue 11:15",
        "Thu 13:00", "Thu 13:45", "Thu 14:30", "Thu 15:15",
    ]  # fmt: skip
    assert all(slot.end - slot.start == timedelta(minutes=45) for slot in slots)
    assert all(slot.start.tzinfo == BERLIN for slot in slots)
    assert slots[0].key == "2026-12-01T08:00:00Z"


def test_slot_that_would_overrun_the_range_is_dropped() -> None:
    hours = ConsultationHours(weekly={"tue": ["09:00-10:00", "13:00-14:30"]})
    slots = slots_between(hours, local(2026, 12, 1), local(2026, 12, 2))
    assert [slot.start.strftime("%H:%M") for slot in slots] == ["09:00", "13:00", "13:45"]


def test_interval_is_half_open() -> None:
    hours = ConsultationHours()
    slots = slots_between(hours, local(2026, 12, 1, 9, 45), local(2026, 12, 1, 11, 15))
    assert [slot.start.strftime("%H:%M") for slot in slots] == ["09:45", "10:30"]


def test_bounds_in_another_zone_are_respected() -> None:
    hours = ConsultationHours()
    start = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    slots = slots_between(hours, start, start + timedelta(minutes=1))
    assert [slot.key for slot in slots] == ["2026-12-01T08:00:00Z"]


# --- holidays and closed days ------------------------------------------------------------------


def test_christmas_gives_no_slots() -> None:
    hours = ConsultationHours(weekly=EVERY_DAY, slot_minutes=60)
    slots = slots_between(hours, local(2026, 12, 24), local(2026, 12, 29))
    assert days_of(slots) == [date(2026, 12, 24), date(2026, 12, 27), date(2026, 12, 28)]


def test_reformation_day_is_a_holiday_in_lower_saxony_only() -> None:
    start, end = local(2026, 10, 30), local(2026, 11, 2)
    lower_saxony = ConsultationHours(weekly=EVERY_DAY, slot_minutes=60)
    bavaria = ConsultationHours(weekly=EVERY_DAY, slot_minutes=60, holidays_subdivision="BY")
    assert date(2026, 10, 31) not in days_of(slots_between(lower_saxony, start, end))
    assert date(2026, 10, 31) in days_of(slots_between(bavaria, start, end))


def test_closed_day_gives_no_slots() -> None:
    hours = ConsultationHours(closed=[date(2026, 12, 1)])
    slots = slots_between(hours, local(2026, 11, 30), local(2026, 12, 7))
    assert days_of(slots) == [date(2026, 12, 3)]


# --- daylight saving time ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2026, 3, 24), 8),  # CET, before the change on 29 March
        (date(2026, 3, 31), 7),  # CEST
        (date(2026, 10, 20), 7),  # CEST, before the change on 25 October
        (date(2026, 10, 27), 8),  # CET
    ],
)
def test_local_times_stay_fixed_across_dst(day: date, utc_hour: int) -> None:
    start = local(day.year, day.month, day.day)
    slots = slots_between(ConsultationHours(), start, start + timedelta(days=1))
    assert [slot.start.strftime("%H:%M") for slot in slots] == ["09:00", "09:45", "10:30", "11:15"]
    assert slots[0].start.astimezone(UTC).hour == utc_hour
    assert slots[0].key == f"{day.isoformat()}T{utc_hour:02d}:00:00Z"


def test_slots_in_the_skipped_hour_are_left_out() -> None:
    hours = ConsultationHours(weekly={"sun": ["01:00-04:00"]})
    slots = slots_between(hours, local(2026, 3, 29), local(2026, 3, 30))
    assert [slot.start.strftime("%H:%M") for slot in slots] == ["01:00", "03:15"]
    assert all(slot.end - slot.start == timedelta(minutes=45) for slot in slots)


def test_slots_over_the_repeated_hour_keep_their_real_length() -> None:
    hours = ConsultationHours(weekly={"sun": ["01:00-04:00"]})
    slots = slots_between(hours, local(2026, 10, 25), local(2026, 10, 26))
    assert [slot.start.strftime("%H:%M") for slot in slots] == ["01:00", "01:45", "03:15"]
    lengths = {slot.end.astimezone(UTC) - slot.start.astimezone(UTC) for slot in slots}
    assert lengths == {timedelta(minutes=45)}
    assert len({slot.key for slot in slots}) == len(slots)


# --- lead time, horizon, capacity --------------------------------------------------------------


def test_lead_time_and_horizon() -> None:
    hours = ConsultationHours(lead_hours=24, horizon_days=3)
    now = local(2026, 11, 30, 10, 0)
    free = free_slots(hours, now, {})
    assert [slot.start.strftime("%d %H:%M") for slot in free] == ["01 10:30", "01 11:15"]
    assert not is_bookable(hours, Slot.from_key("2026-12-01T08:45:00Z", hours), now)  # type: ignore[arg-type]
    assert is_bookable(hours, free[0], now)
    thursday = Slot.from_key("2026-12-03T12:00:00Z", hours)
    assert thursday is not None
    assert not is_bookable(hours, thursday, now)
    assert is_bookable(hours, thursday, now + timedelta(days=1))


def test_free_slots_respects_limit() -> None:
    hours = ConsultationHours()
    now = local(2026, 11, 1, 8, 0)
    assert len(free_slots(hours, now, {})) == 6
    assert len(free_slots(hours, now, {}, limit=2)) == 2
    assert free_slots(hours, now, {}, limit=0) == []
    assert len(free_slots(hours, now, {}, limit=100)) == 32  # 4 weeks x 2 days x 4 slots


def test_taken_slot_is_hidden_with_one_adviser() -> None:
    hours = ConsultationHours()
    now = local(2026, 11, 29, 8, 0)
    first = free_slots(hours, now, {})[0]
    assert first.key == "2026-12-01T08:00:00Z"
    assert free_slots(hours, now, {first.key: 1})[0].key == "2026-12-01T08:45:00Z"


def test_two_advisers_allow_two_bookings_of_one_slot() -> None:
    hours = ConsultationHours(advisers=2)
    now = local(2026, 11, 29, 8, 0)
    key = "2026-12-01T08:00:00Z"
    assert free_slots(hours, now, {key: 1})[0].key == key
    assert free_slots(hours, now, {key: 2})[0].key != key


def test_holiday_slot_is_not_bookable() -> None:
    hours = ConsultationHours(weekly=EVERY_DAY, slot_minutes=60)
    now = local(2026, 12, 20, 8, 0)
    christmas = Slot.from_key("2026-12-25T09:00:00Z", hours)
    assert christmas is not None  # still a slot of the plan, so old bookings stay readable
    assert not is_bookable(hours, christmas, now)
    assert is_bookable(hours, Slot.from_key("2026-12-24T09:00:00Z", hours), now)  # type: ignore[arg-type]


def test_made_up_slot_is_not_bookable() -> None:
    hours = ConsultationHours()
    now = local(2026, 11, 20)
    assert not is_bookable(hours, Slot(local(2026, 12, 1, 9, 1), local(2026, 12, 1, 9, 46)), now)
    assert not is_bookable(hours, Slot(local(2026, 12, 1, 9, 0), local(2026, 12, 1, 11, 0)), now)
    assert is_bookable(hours, Slot(local(2026, 12, 1, 9, 0), local(2026, 12, 1, 9, 45)), now)


def test_naive_datetimes_are_refused() -> None:
    hours = ConsultationHours()
    with pytest.raises(ValueError, match="timezone-aware"):
        free_slots(hours, datetime(2026, 12, 1), {})
    with pytest.raises(ValueError, match="timezone-aware"):
        slots_between(hours, datetime(2026, 12, 1), local(2026, 12, 2))
    with pytest.raises(ValueError, match="timezone-aware"):
        Slot(datetime(2026, 12, 1, 9), datetime(2026, 12, 1, 10))


# --- slot keys ---------------------------------------------------------------------------------


def test_key_round_trip_over_a_year() -> None:
    hours = ConsultationHours()
    slots = slots_between(hours, local(2026, 1, 1), local(2027, 1, 1))
    assert len(slots) > 300
    for slot in slots:
        assert Slot.from_key(slot.key, hours) == slot


@pytest.mark.parametrize(
    "key",
    [
        "2026-12-01T08:01:00Z",  # off the grid
        "2026-12-01T08:00:00",  # no zone marker
        "2026-12-01T08:00:00+00:00",
        "2026-12-06T08:00:00Z",  # a Sunday
        "2026-12-01T11:00:00Z",  # after the range (12:00 local)
        "2026-13-01T08:00:00Z",  # no such month
        "garbage",
        "",
    ],
)
def test_forged_keys_are_refused(key: str) -> None:
    assert Slot.from_key(key, ConsultationHours()) is None


# --- configuration -----------------------------------------------------------------------------


def test_plan_is_normalised() -> None:
    hours = ConsultationHours(weekly={" TUE ": ["13:00-14:00", "09:00-10:00", "10:00-11:00"]})
    assert hours.weekly == {"tue": ["09:00-10:00", "10:00-11:00", "13:00-14:00"]}


@pytest.mark.parametrize(
    "overrides",
    [
        {"weekly": {"monday": ["09:00-12:00"]}},
        {"weekly": {"mon": ["9-12"]}},
        {"weekly": {"mon": ["09:00-24:00"]}},
        {"weekly": {"mon": ["12:00-09:00"]}},
        {"weekly": {"mon": ["09:00-09:00"]}},
        {"weekly": {"mon": ["09:00-11:00", "10:30-12:00"]}},
        {"weekly": {"mon": ["09:00-10:00"], "MON": ["11:00-12:00"]}},
        {"slot_minutes": 10},
        {"slot_minutes": 241},
        {"advisers": 0},
        {"advisers": 21},
        {"lead_hours": -1},
        {"horizon_days": 0},
        {"timezone": "Europe/Hanover"},
        {"timezone": "../etc/passwd"},
        {"holidays_subdivision": "XX"},
        {"closed": ["not a date"]},
        {"unknown_field": 1},
    ],
)
def test_bad_configuration_is_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ConsultationHours.model_validate(overrides)


def test_hours_are_frozen() -> None:
    hours = ConsultationHours()
    with pytest.raises(ValidationError):
        hours.slot_minutes = 30  # type: ignore[misc]
