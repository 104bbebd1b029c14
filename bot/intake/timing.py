"""Slot times as the form and the staff cards show them, and the free slots ahead."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.intake import requests as store
from bot.intake.hours import ConsultationHours, Slot, free_slots
from bot.storage.models import ConsultationRequest, as_utc, utcnow


def horizon(hours: ConsultationHours) -> dt.timedelta:
    return dt.timedelta(days=hours.horizon_days + 1)


def free_ahead(session: Session | None, hours: ConsultationHours, limit: int = 6) -> list[Slot]:
    """The next free slots (without a session, as if none were taken)."""
    now = utcnow()
    taken = store.taken_seats(session, now, now + horizon(hours)) if session else {}
    return free_slots(hours, now, taken, limit=limit)


def slot_of(request: ConsultationRequest, hours: ConsultationHours) -> Slot | None:
    if request.slot_start is None:
        return None
    start = as_utc(request.slot_start).astimezone(hours.zone)
    return Slot(start, start + dt.timedelta(minutes=hours.slot_minutes))


def when(slot: Slot | None, lang: str) -> str:
    """A slot as residents read it: 01.12.2026 09:00 (Hannover time)."""
    if slot is None:
        return ""
    return slot.start.strftime("%d.%m.%Y %H:%M")
