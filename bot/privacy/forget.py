"""/forget: delete everything about one resident in one transaction.

Requests the unit keeps for its records are anonymised instead (``anonymise``): kind, dates
and outcome stay, name, contact, organisation, description and answers go. Stored incoming
updates and queued or sent outgoing messages that concern the resident go too, and so do the
reminder jobs of their appointments and of their waiting ticket.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import column, delete, inspect, select, table
from sqlalchemy.orm import Session

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
)

JOB_TABLE = "scheduled_jobs"  # bot.intake.reminders.JOB_TABLE (not imported: no cycle)


@dataclass(frozen=True)
class OpenTicket:
    """The resident's open ticket as the staff chat knows it, to leave a note and close it."""

    id: int
    thread_id: int | None
    header_message_id: int | None


def anonymise(request: ConsultationRequest) -> None:
    request.user_id = None
    request.contact_name = ""
    request.organisation = None
    request.contact_value = None
    request.description = ""
    request.precheck = {}


def erase(
    session: Session, user: User, keep_requests: bool, staff_chat: int | None
) -> OpenTicket | None:
    """Delete the resident ``user`` and everything about them; their open ticket, if any."""
    tickets = list(session.scalars(select(Ticket).where(Ticket.user_id == user.id)))
    ticket_ids = [t.id for t in tickets]
    opened = next((t for t in tickets if t.status == "open"), None)
    found = OpenTicket(opened.id, opened.thread_id, opened.header_message_id) if opened else None
    linked = set(session.scalars(select(TicketLink.message_id).where(
        TicketLink.ticket_id.in_(ticket_ids)))) if ticket_ids else set()  # fmt: skip
    threads = {t.thread_id for t in tickets if t.thread_id is not None}
    requests = list(session.scalars(
        select(ConsultationRequest).where(ConsultationRequest.user_id == user.id)))  # fmt: skip
    request_ids = [r.id for r in requests]
    _drop_outbox(session, user, ticket_ids, request_ids)
    _drop_inbox(session, _Mentions(user, staff_chat, threads, linked))
    _drop_jobs(session, request_ids, ticket_ids)
    if ticket_ids:
        session.execute(delete(TicketLink).where(TicketLink.ticket_id.in_(ticket_ids)))
        session.execute(delete(TicketMessage).where(TicketMessage.ticket_id.in_(ticket_ids)))
        session.execute(delete(Ticket).where(Ticket.id.in_(ticket_ids)))
    for request in requests:
        if keep_requests:
            anonymise(request)
        else:
            session.execute(delete(SlotBooking).where(SlotBooking.request_id == request.id))
            session.delete(request)
    session.execute(delete(Feedback).where(Feedback.user_id == user.id))
    session.execute(delete(UnansweredQuestion).where(UnansweredQuestion.user_id == user.id))
    session.execute(delete(FormState).where(FormState.user_id == user.id))
    session.execute(delete(HeldMessage).where(HeldMessage.user_id == user.id))
    session.flush()
    session.execute(delete(User).where(User.id == user.id))
    session.expunge(user)
    return found


def _drop_outbox(session: Session, user: User, tickets: list[int], requests: list[int]) -> None:
    """Messages to the resident, and staff-chat messages about their tickets and requests."""
    prefixes = tuple(f"request:{r}:" for r in requests) + tuple(f"reminder:{r}:" for r in requests)
    relay = f"relay:{user.chat_id}:"
    doomed = [
        row.id
        for row in session.execute(
            select(
                OutboxMessage.id, OutboxMessage.chat_id, OutboxMessage.key, OutboxMessage.payload
            )
        )
        if row.chat_id == user.chat_id
        or (row.payload or {}).get("ticket") in tickets
        # the core's own key (in the payload when the row's key names the update)
        or ((row.payload or {}).get("key") or row.key).startswith((*prefixes, relay))
    ]
    for chunk in _chunks(doomed):
        session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(chunk)))


class _Mentions:
    """Whether a stored update is from or to the resident, or said in their ticket's thread."""

    def __init__(self, user: User, staff_chat: int | None, threads: set[int], linked: set[int]):
        self.user_id = int(user.external_id) if user.external_id.lstrip("-").isdigit() else None
        self.chat_id, self.staff_chat = user.chat_id, staff_chat
        self.threads, self.linked = threads, linked

    def __call__(self, node: Any) -> bool:
        if isinstance(node, list):
            return any(self(item) for item in node)
        if not isinstance(node, dict):
            return False
        chat = (node.get("chat") or {}).get("id") if isinstance(node.get("chat"), dict) else None
        sender = (node.get("from") or {}).get("id") if isinstance(node.get("from"), dict) else None
        if sender is not None and sender == self.user_id:
            return True
        if chat is not None and chat == self.chat_id:
            return True
        if (
            chat is not None
            and chat == self.staff_chat
            and (
                node.get("message_thread_id") in self.threads
                or node.get("message_id") in self.linked
            )
        ):
            return True
        return any(self(value) for value in node.values() if isinstance(value, dict | list))


def _drop_inbox(session: Session, mentions: _Mentions) -> None:
    doomed = [
        row.id
        for row in session.execute(select(InboxUpdate.id, InboxUpdate.payload))
        if mentions(row.payload)
    ]
    for chunk in _chunks(doomed):
        session.execute(delete(InboxUpdate).where(InboxUpdate.id.in_(chunk)))


def _drop_jobs(session: Session, requests: list[int], tickets: list[int]) -> None:
    """Reminder jobs of the resident's appointments and of their waiting ticket."""
    if not inspect(session.connection()).has_table(JOB_TABLE):
        return
    ids = [f"reminder:{r}:{kind}" for r in requests for kind in ("day_before", "morning")]
    ids += [f"desk-waiting:{t}" for t in tickets]
    jobs = table(JOB_TABLE, column("id"))
    for chunk in _chunks(ids):
        session.execute(delete(jobs).where(jobs.c.id.in_(chunk)))


def _chunks(items: Iterable[Any], size: int = 500) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
