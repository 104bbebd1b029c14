"""Retention: what each kind of stored data is kept for, and the nightly purge that applies it.

Every kind is one rule: which rows, how old by which time stamp, and what happens to them
(deleted, or for requests anonymised). ``purge`` applies the rules; ``report`` counts what is
held, how old the oldest row is and what the next purge would remove, without changing anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, func, null, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot.privacy.forget import anonymise
from bot.privacy.settings import PrivacySettings
from bot.storage.models import (
    ConsultationRequest,
    Feedback,
    FormState,
    HeldMessage,
    InboxUpdate,
    OutboxMessage,
    SlotBooking,
    Ticket,
    TicketLink,
    TicketMessage,
    UnansweredQuestion,
    User,
    as_utc,
    utcnow,
)


@dataclass(frozen=True)
class Rule:
    name: str
    model: Any
    stamp: InstrumentedAttribute[Any] | ColumnElement[Any]  # the moment the period counts from
    days: int
    held: ColumnElement[bool]  # which rows count as held data of this kind


@dataclass(frozen=True)
class Line:
    name: str
    days: int
    held: int
    oldest_days: int | None
    due: int


_NOT_ANONYMISED = or_(
    ConsultationRequest.user_id.is_not(None), ConsultationRequest.contact_name != ""
)


def rules(privacy: PrivacySettings, request_days: int, ticket_days: int) -> list[Rule]:
    request_date = func.coalesce(ConsultationRequest.slot_start, ConsultationRequest.updated_at)
    return [
        Rule("inbox", InboxUpdate, InboxUpdate.processed_at, privacy.inbox_days,
             InboxUpdate.processed_at.is_not(None)),
        Rule("outbox", OutboxMessage, OutboxMessage.sent_at, privacy.outbox_days,
             OutboxMessage.sent_at.is_not(None)),
        Rule("held_messages", HeldMessage, HeldMessage.created_at, privacy.inbox_days,
             HeldMessage.id.is_not(None)),
        Rule("unanswered_questions", UnansweredQuestion, UnansweredQuestion.created_at,
             privacy.unanswered_days, UnansweredQuestion.id.is_not(None)),
        Rule("feedback", Feedback, Feedback.created_at, privacy.feedback_days,
             Feedback.id.is_not(None)),
        Rule("recent_questions", User, User.last_seen_at, privacy.recent_questions_days,
             User.recent_questions.is_not(None)),
        Rule("forms", FormState, FormState.updated_at, privacy.form_days,
             FormState.user_id.is_not(None)),
        Rule("requests", ConsultationRequest, request_date, request_days, _NOT_ANONYMISED),
        Rule("closed_tickets", Ticket, Ticket.closed_at, ticket_days, Ticket.status == "closed"),
    ]  # fmt: skip


def _due(rule: Rule, now: dt.datetime) -> ColumnElement[bool]:
    return rule.held & (rule.stamp < now - dt.timedelta(days=rule.days))


def report(session: Session, all_rules: list[Rule], now: dt.datetime | None = None) -> list[Line]:
    now = now or utcnow()
    lines = []
    for rule in all_rules:
        held, oldest = session.execute(
            select(func.count(), func.min(rule.stamp)).select_from(rule.model).where(rule.held)
        ).one()
        due = session.scalar(select(func.count()).select_from(rule.model).where(_due(rule, now)))
        age = (now - as_utc(oldest)).days if isinstance(oldest, dt.datetime) else None
        lines.append(Line(rule.name, rule.days, int(held), age, int(due or 0)))
    return lines


def purge(
    session: Session, all_rules: list[Rule], keep_requests: bool, now: dt.datetime | None = None
) -> dict[str, int]:
    """Apply every rule; how many rows of each kind were removed (or anonymised)."""
    now = now or utcnow()
    done: dict[str, int] = {}
    for rule in all_rules:
        done[rule.name] = _APPLY.get(rule.name, _delete)(
            session, rule, _due(rule, now), keep_requests
        )
    return done


def _delete(session: Session, rule: Rule, due: ColumnElement[bool], _keep: bool) -> int:
    result = session.execute(
        delete(rule.model).where(due).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _forget_recent(session: Session, rule: Rule, due: ColumnElement[bool], _keep: bool) -> int:
    result = session.execute(
        update(User).where(due).values(recent_questions=null())
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return int(getattr(result, "rowcount", 0) or 0)


def _old_requests(session: Session, rule: Rule, due: ColumnElement[bool], keep: bool) -> int:
    found = list(session.scalars(select(ConsultationRequest).where(due)))
    for request in found:
        if keep:
            anonymise(request)
        else:
            session.execute(delete(SlotBooking).where(SlotBooking.request_id == request.id))
            session.delete(request)
    return len(found)


def _closed_tickets(session: Session, rule: Rule, due: ColumnElement[bool], _keep: bool) -> int:
    ids = list(session.scalars(select(Ticket.id).where(due)))
    if ids:
        session.execute(delete(TicketLink).where(TicketLink.ticket_id.in_(ids)))
        session.execute(delete(TicketMessage).where(TicketMessage.ticket_id.in_(ids)))
        session.execute(delete(Ticket).where(Ticket.id.in_(ids)))
    return len(ids)


_APPLY: dict[str, Callable[[Session, Rule, ColumnElement[bool], bool], int]] = {
    "recent_questions": _forget_recent,
    "requests": _old_requests,
    "closed_tickets": _closed_tickets,
}
