"""Tickets: a resident's conversation with the unit's staff, and everything said in it.

A resident has at most one open ticket; opening again returns it. Each function takes the
session of its unit of work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.storage.models import Ticket, TicketLink, TicketMessage, User, as_utc, utcnow

AUTHORS = ("resident", "staff", "note", "bot")
MAX_TEXT = 4000


class TicketClosed(Exception):
    """The ticket is closed; reopen it first."""


class OtherTicketOpen(ValueError):
    """The resident has another open ticket, so this one cannot be reopened."""

    def __init__(self, other: int) -> None:
        super().__init__(f"ticket {other} of this resident is open")
        self.other = other


def open_ticket(session: Session, user: User, subject: str, language: str) -> tuple[Ticket, bool]:
    """The resident's open ticket, or a new one; True if it was created now."""
    found = open_ticket_of(session, user)
    if found is not None:
        return found, False
    ticket = Ticket(
        user_id=user.id, language=language, subject=" ".join(subject.split())[:200] or "-",
        status="open", waiting_since=utcnow(),
    )  # fmt: skip
    session.add(ticket)
    session.flush()
    return ticket, True


def open_ticket_of(session: Session, user: User) -> Ticket | None:
    return session.scalar(select(Ticket).where(Ticket.user_id == user.id, Ticket.status == "open"))


def add_message(
    session: Session, ticket: Ticket, author: str, text: str, staff_name: str | None = None
) -> TicketMessage:
    """Record a message; a resident's message starts the waiting clock, staff's stops it."""
    if author not in AUTHORS:
        raise ValueError(f"unknown author {author!r}")
    if ticket.status != "open" and author in ("resident", "staff"):
        raise TicketClosed(str(ticket.id))
    message = TicketMessage(
        ticket_id=ticket.id, author=author, text=text[:MAX_TEXT], staff_name=staff_name
    )
    session.add(message)
    if author == "resident" and ticket.waiting_since is None:
        ticket.waiting_since = utcnow()
    elif author == "staff":
        ticket.waiting_since = None
    session.flush()
    return message


def claim(ticket: Ticket, staff_name: str) -> None:
    ticket.claimed_by = staff_name


def close(ticket: Ticket) -> None:
    ticket.status, ticket.closed_at, ticket.waiting_since = "closed", utcnow(), None


def reopen(session: Session, ticket: Ticket) -> None:
    """Reopen, unless the resident has opened another ticket in the meantime."""
    other = session.scalar(
        select(Ticket).where(
            Ticket.user_id == ticket.user_id, Ticket.status == "open", Ticket.id != ticket.id
        )
    )
    if other is not None:
        raise OtherTicketOpen(other.id)
    ticket.status, ticket.closed_at = "open", None


def rate(ticket: Ticket, stars: int) -> None:
    if not 1 <= stars <= 5:
        raise ValueError("a rating is 1 to 5")
    if ticket.status != "closed":
        raise ValueError("only a closed ticket is rated")
    ticket.rating = stars


@dataclass(frozen=True)
class InboxRow:
    ticket_id: int
    subject: str
    language: str
    claimed_by: str | None
    waiting: dt.timedelta | None  # since the resident's last unanswered message


def inbox(session: Session, now: dt.datetime | None = None) -> list[InboxRow]:
    """Open tickets: unclaimed first, then the longest waiting."""
    now = now or utcnow()
    rows = []
    for t in session.scalars(select(Ticket).where(Ticket.status == "open")):
        since = t.waiting_since
        waiting = now - as_utc(since) if since else None
        rows.append(InboxRow(t.id, t.subject, t.language, t.claimed_by, waiting))
    return sorted(
        rows,
        key=lambda r: (r.claimed_by is not None, -(r.waiting or dt.timedelta()).total_seconds()),
    )


def stats(session: Session) -> dict[str, float | int | None]:
    """Counts and the average rating, for /stats and the office."""
    count = func.count(Ticket.id)
    open_n = session.scalar(select(count).where(Ticket.status == "open")) or 0
    closed_n = session.scalar(select(count).where(Ticket.status == "closed")) or 0
    average = session.scalar(select(func.avg(Ticket.rating)).where(Ticket.rating.is_not(None)))
    rated = session.scalar(select(count).where(Ticket.rating.is_not(None))) or 0
    return {
        "open": int(open_n),
        "closed": int(closed_n),
        "rated": int(rated),
        "average_rating": round(float(average), 2) if average is not None else None,
    }


def first_reply_times(session: Session) -> list[tuple[dt.datetime, dt.datetime]]:
    """(opened, first staff reply) of every ticket that has had one."""
    rows = session.execute(
        select(Ticket.created_at, Ticket.first_reply_at).where(Ticket.first_reply_at.is_not(None))
    )
    return [(as_utc(a), as_utc(b)) for a, b in rows]


def purge_closed(session: Session, before: dt.datetime) -> int:
    """Delete tickets closed before ``before``, with their messages and links; how many."""
    old = select(Ticket.id).where(Ticket.status == "closed", Ticket.closed_at < before)
    ids = list(session.scalars(old))
    if ids:
        session.execute(delete(TicketLink).where(TicketLink.ticket_id.in_(ids)))
        session.execute(delete(TicketMessage).where(TicketMessage.ticket_id.in_(ids)))
        session.execute(delete(Ticket).where(Ticket.id.in_(ids)))
    return len(ids)
