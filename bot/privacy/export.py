"""/mydata: everything stored about one resident, as JSON and as a short summary.

Only rows linked to the resident are read; internal staff notes (ticket messages by "note")
are the staff's working notes and not part of the resident's conversation, so they are left out.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import (
    ConsultationRequest,
    Feedback,
    FormState,
    HeldMessage,
    Ticket,
    TicketMessage,
    UnansweredQuestion,
    User,
)

SHOWN_AUTHORS = ("resident", "staff", "bot")  # never "note"


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def collect(session: Session, user: User) -> dict[str, Any]:
    """The resident's data as plain JSON-ready values."""
    return {
        "profile": {
            "channel": user.channel,
            "user_id": user.external_id,
            "chat_id": user.chat_id,
            "first_name": user.first_name,
            "language": user.language,
            "client_language": user.client_language,
            "kept_languages": user.kept_languages,
            "first_seen": _when(user.created_at),
            "last_seen": _when(user.last_seen_at),
            "unanswered_in_a_row": user.unanswered_streak,
            "handoff_consent": _when(user.handoff_consent_at),
        },
        "recent_questions": list(user.recent_questions or []),
        "unanswered_questions": [
            {"text": q.text, "language": q.language, "status": q.status, "at": _when(q.created_at)}
            for q in session.scalars(
                select(UnansweredQuestion)
                .where(UnansweredQuestion.user_id == user.id)
                .order_by(UnansweredQuestion.id)
            )
        ],
        "feedback": [
            {"answer": f.entry_id, "helpful": f.helpful, "at": _when(f.created_at)}
            for f in session.scalars(
                select(Feedback).where(Feedback.user_id == user.id).order_by(Feedback.id)
            )
        ],
        "requests": [
            _request(r)
            for r in session.scalars(
                select(ConsultationRequest)
                .where(ConsultationRequest.user_id == user.id)
                .order_by(ConsultationRequest.id)
            )
        ],
        "open_form": _form(session.get(FormState, user.id)),
        "held_messages": [
            {"text": h.text, "at": _when(h.created_at)}
            for h in session.scalars(select(HeldMessage).where(HeldMessage.user_id == user.id))
        ],
        "conversations_with_staff": [
            _ticket(session, t)
            for t in session.scalars(
                select(Ticket).where(Ticket.user_id == user.id).order_by(Ticket.id)
            )
        ],
    }


def _request(r: ConsultationRequest) -> dict[str, Any]:
    return {
        "reference": r.reference, "kind": r.kind, "requester": r.requester,
        "organisation": r.organisation, "contact_name": r.contact_name,
        "contact_channel": r.contact_channel, "contact": r.contact_value,
        "description": r.description, "language": r.language, "precheck": r.precheck,
        "appointment": _when(r.slot_start), "status": r.status, "consent": _when(r.consent_at),
        "created": _when(r.created_at), "decided": _when(r.decided_at),
    }  # fmt: skip


def _form(form: FormState | None) -> dict[str, Any] | None:
    if form is None:
        return None
    return {"form": form.flow, "step": form.step, "answers": form.data,
            "updated": _when(form.updated_at)}  # fmt: skip


def _ticket(session: Session, t: Ticket) -> dict[str, Any]:
    messages = session.scalars(
        select(TicketMessage)
        .where(TicketMessage.ticket_id == t.id, TicketMessage.author.in_(SHOWN_AUTHORS))
        .order_by(TicketMessage.id)
    )
    return {
        "ticket": t.id, "status": t.status, "subject": t.subject, "language": t.language,
        "opened": _when(t.created_at), "closed": _when(t.closed_at), "rating": t.rating,
        "messages": [
            {"from": m.author, "staff": m.staff_name if m.author == "staff" else None,
             "text": m.text, "at": _when(m.created_at)}
            for m in messages
        ],
    }  # fmt: skip


def as_file(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def counts(data: dict[str, Any]) -> dict[str, int]:
    """What the summary names: how many of each kind."""
    tickets = data["conversations_with_staff"]
    return {
        "recent": len(data["recent_questions"]),
        "unanswered": len(data["unanswered_questions"]),
        "feedback": len(data["feedback"]),
        "requests": len(data["requests"]),
        "tickets": len(tickets),
        "messages": sum(len(t["messages"]) for t in tickets),
    }
