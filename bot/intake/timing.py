"""Slot times as the form and the staff cards show them, and the free slots ahead."""

from __future__ import annotations

import contextlib
import datetime as dt

from sqlalchemy.orm import Session

from bot.desk.texts import StaffTexts
from bot.i18n import Texts
from bot.intake import requests as store
from bot.intake.hours import ConsultationHours, Slot, free_slots
from bot.storage.models import ConsultationRequest, as_utc, utcnow

PAGE_SIZE = 6  # slots offered at once; "later" shows the next ones


def horizon(hours: ConsultationHours) -> dt.timedelta:
    return dt.timedelta(days=hours.horizon_days + 1)


def free_ahead(
    session: Session | None, hours: ConsultationHours, limit: int = PAGE_SIZE
) -> list[Slot]:
    """The next free slots (without a session, as if none were taken)."""
    now = utcnow()
    taken = store.taken_seats(session, now, now + horizon(hours)) if session else {}
    return free_slots(hours, now, taken, limit=limit)


def free_page(
    session: Session | None, hours: ConsultationHours, page: int
) -> tuple[list[Slot], bool]:
    """One page of free slots (page 0 is the soonest) and whether later ones exist."""
    found = free_ahead(session, hours, limit=(page + 1) * PAGE_SIZE + 1)
    return found[page * PAGE_SIZE : (page + 1) * PAGE_SIZE], len(found) > (page + 1) * PAGE_SIZE


def slot_of(request: ConsultationRequest, hours: ConsultationHours) -> Slot | None:
    return slot_at(request.slot_start, hours)


def slot_at(start: dt.datetime | None, hours: ConsultationHours) -> Slot | None:
    """The slot starting at a stored moment (naive means UTC, as SQLite returns it)."""
    if start is None:
        return None
    local = as_utc(start).astimezone(hours.zone)
    return Slot(local, local + dt.timedelta(minutes=hours.slot_minutes))


def when(slot: Slot | None, texts: Texts, lang: str) -> str:
    """A slot as residents read it, with the weekday in their language: Di 01.12.2026 09:00
    (Hannover time, which every text around it says)."""
    if slot is None:
        return ""
    weekday = texts.get(lang, "intake.weekdays").split()[slot.start.weekday()]
    return f"{weekday} {slot.start:%d.%m.%Y %H:%M}"


def staff_when(slot: Slot | None, texts: StaffTexts) -> str:
    """A slot as staff read it: weekday, local time and zone (Di 01.12.2026, 09:00 Uhr (MEZ)),
    so nobody has to guess whether a time is UTC or summer time."""
    if slot is None:
        return texts.get("request_no_slot")
    start = slot.start
    zone = start.tzname() or ""
    with contextlib.suppress(KeyError):  # another configured zone: its own abbreviation
        zone = texts.get(f"request_zone_{zone}")
    weekday = texts.get("request_weekdays").split()[start.weekday()]
    return texts.get(
        "request_time", weekday=weekday, date=f"{start:%d.%m.%Y}", time=f"{start:%H:%M}", zone=zone
    )
