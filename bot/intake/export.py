"""Requests as rows for the office (``consult-bot requests list|export``).

Every moment is written as ISO 8601 in the unit's local time with its offset
(``2026-12-08T09:00:00+01:00``), never as a bare UTC time: the office reads the rows as
wall-clock times, and SQLite hands back UTC timestamps without any zone at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.intake.requests import PRECHECK_QUESTIONS, all_requests
from bot.storage.models import ConsultationRequest, as_utc

PLAIN_FIELDS = (
    "reference", "status", "kind", "requester", "organisation", "contact_name",
    "contact_channel", "contact_value", "language",
)  # fmt: skip
TIME_FIELDS = (
    "slot_start", "cancelled_slot_start", "created_at", "decided_at", "cancelled_at",
)  # fmt: skip
FIELDS = (
    *PLAIN_FIELDS, *TIME_FIELDS, "decided_by",
    *(f"precheck_{q}" for q in PRECHECK_QUESTIONS), "description",
)  # fmt: skip


def local_iso(value: dt.datetime | None, zone: ZoneInfo) -> str | None:
    """A stored moment as local ISO 8601 with offset, e.g. 2026-07-09T13:00:00+02:00."""
    if value is None:
        return None
    return as_utc(value).astimezone(zone).isoformat()


def request_row(request: ConsultationRequest, zone: ZoneInfo) -> dict[str, Any]:
    row: dict[str, Any] = {f: getattr(request, f) for f in PLAIN_FIELDS}
    row.update({f: local_iso(getattr(request, f), zone) for f in TIME_FIELDS})
    row["decided_by"] = request.decided_by
    answers = request.precheck or {}
    row.update({f"precheck_{q}": answers.get(q) for q in PRECHECK_QUESTIONS})
    row["description"] = request.description
    return {f: row[f] for f in FIELDS}


def request_rows(session: Session, zone: ZoneInfo, status: str | None) -> list[dict[str, Any]]:
    return [request_row(r, zone) for r in all_requests(session, status)]
