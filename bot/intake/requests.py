"""Consultation requests: reference numbers, race-safe slot booking, cancelling, moving.

Every function takes the session of the unit of work it belongs to; nothing here knows about
Telegram. The database enforces the rules that matter under concurrency: a seat of a slot can be
booked once (unique constraint), a confirmation tapped twice creates one request (unique
idempotency key), and reference numbers come from a counter row updated in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.intake.hours import ConsultationHours, Slot, is_bookable, slot_key
from bot.storage.models import ConsultationRequest, ReferenceCounter, SlotBooking, utcnow

KINDS = ("funding_application", "project_idea", "reporting", "other")
REQUESTERS = ("individual", "organisation")
CHANNELS = ("telegram", "email", "phone")
OPEN = ("pending", "accepted", "proposed")
STATUSES = ("pending", "proposed", "accepted", "declined", "cancelled")
PRECHECK_QUESTIONS = ("applicant", "amount", "field", "share")


class SlotTaken(Exception):
    """Every seat of the slot is booked (someone else was faster)."""


class NotBookable(Exception):
    """The slot is not (or no longer) a bookable slot of the consultation hours."""


@dataclass(frozen=True)
class RequestForm:
    """What a requester entered, validated by the conversation before it gets here."""

    kind: str
    requester: str
    contact_name: str
    contact_channel: str
    description: str
    language: str
    organisation: str | None = None
    contact_value: str | None = None
    precheck: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS or self.requester not in REQUESTERS:
            raise ValueError("unknown kind of request or requester")
        if self.contact_channel not in CHANNELS:
            raise ValueError("unknown contact channel")


def taken_seats(session: Session, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """Booked seats per slot key between ``start`` and ``end`` (for ``free_slots``)."""
    rows = session.scalars(
        select(SlotBooking.slot_start).where(
            SlotBooking.slot_start >= start, SlotBooking.slot_start < end
        )
    )
    return dict(Counter(slot_key(s) for s in rows))


def create_request(
    session: Session,
    form: RequestForm,
    user_id: int | None,
    idempotency_key: str,
    hours: ConsultationHours,
    slot: Slot | None = None,
    now: dt.datetime | None = None,
) -> ConsultationRequest:
    """Store a confirmed request (and book its slot). Confirming twice returns the first."""
    existing = session.scalar(
        select(ConsultationRequest).where(ConsultationRequest.idempotency_key == idempotency_key)
    )
    if existing is not None:
        return existing
    now = now or utcnow()
    request = ConsultationRequest(
        reference=next_reference(session, now.year),
        user_id=user_id,
        kind=form.kind,
        requester=form.requester,
        organisation=form.organisation,
        contact_name=form.contact_name,
        contact_channel=form.contact_channel,
        contact_value=form.contact_value,
        description=form.description,
        language=form.language,
        precheck=form.precheck or {},
        consent_at=now,
        idempotency_key=idempotency_key,
        status="pending",
    )
    try:
        with session.begin_nested():
            session.add(request)
            session.flush()
    except IntegrityError:  # the same confirmation, stored concurrently
        found = session.scalar(
            select(ConsultationRequest).where(
                ConsultationRequest.idempotency_key == idempotency_key
            )
        )
        if found is None:
            raise
        return found
    if slot is not None:
        book(session, request, slot, hours, now)
    return request


def book(
    session: Session,
    request: ConsultationRequest,
    slot: Slot,
    hours: ConsultationHours,
    now: dt.datetime | None = None,
) -> None:
    """Give the request a seat in ``slot``; SlotTaken if all seats are gone."""
    if not is_bookable(hours, slot, now or utcnow()):
        raise NotBookable(slot.key)
    start = slot.start.astimezone(dt.UTC)
    for seat in range(hours.advisers):
        try:
            with session.begin_nested():
                session.add(SlotBooking(slot_start=start, seat=seat, request_id=request.id))
                session.flush()
        except IntegrityError:
            continue
        request.slot_start = start
        return
    raise SlotTaken(slot.key)


def release(session: Session, request: ConsultationRequest) -> None:
    """Free the request's seat, if it has one."""
    booking = session.scalar(select(SlotBooking).where(SlotBooking.request_id == request.id))
    if booking is not None:
        session.delete(booking)
        session.flush()
    request.slot_start = None


def touch(request: ConsultationRequest) -> None:
    """A change staff and calendars must see: older staff cards stop working."""
    request.revision = (request.revision or 0) + 1


def cancel(session: Session, request: ConsultationRequest, now: dt.datetime | None = None) -> None:
    """Cancel and free the seat; the slot it had is kept for the office's records."""
    request.cancelled_slot_start = request.slot_start
    request.cancelled_at = now or utcnow()
    release(session, request)
    request.status = "cancelled"


def reschedule(
    session: Session,
    request: ConsultationRequest,
    slot: Slot,
    hours: ConsultationHours,
    now: dt.datetime | None = None,
) -> None:
    """Move to another slot; the old seat is kept if the new one cannot be booked."""
    old = session.scalar(select(SlotBooking).where(SlotBooking.request_id == request.id))
    old_start = request.slot_start
    if old is not None:
        session.delete(old)
        session.flush()
    try:
        book(session, request, slot, hours, now)
    except (SlotTaken, NotBookable):
        if old is not None and old_start is not None:
            session.add(
                SlotBooking(slot_start=old.slot_start, seat=old.seat, request_id=request.id)
            )
            request.slot_start = old_start
            session.flush()
        raise


def next_reference(session: Session, year: int) -> str:
    """WIR-<year>-<number>, numbers counting up per year without gaps from concurrency."""
    bumped = session.execute(
        update(ReferenceCounter)
        .where(ReferenceCounter.year == year)
        .values(last=ReferenceCounter.last + 1)
        .returning(ReferenceCounter.last)
    ).scalar()
    if bumped is None:
        try:
            with session.begin_nested():
                session.add(ReferenceCounter(year=year, last=1))
                session.flush()
            bumped = 1
        except IntegrityError:  # created concurrently: count on from it
            return next_reference(session, year)
    return f"WIR-{year}-{bumped:04d}"


def requests_of(session: Session, user_id: int) -> list[ConsultationRequest]:
    return list(
        session.scalars(
            select(ConsultationRequest)
            .where(ConsultationRequest.user_id == user_id)
            .order_by(ConsultationRequest.created_at.desc())
        )
    )


def all_requests(session: Session, status: str | None = None) -> list[ConsultationRequest]:
    query = select(ConsultationRequest).order_by(ConsultationRequest.created_at)
    if status:
        query = query.where(ConsultationRequest.status == status)
    return list(session.scalars(query))
