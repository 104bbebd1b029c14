"""Users and what is stored about their use of the assistant."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from bot.conversation.replies import UserRef
from bot.storage.models import (
    Feedback,
    FormState,
    Ticket,
    UnansweredQuestion,
    User,
    as_utc,
    utcnow,
)

MAX_STORED_QUESTION = 2000
SEEN_RESOLUTION = dt.timedelta(minutes=1)  # last_seen_at is kept to the minute


# Built once: constructing SQLAlchemy expressions costs more than running them on SQLite.
_BY_ID = select(User).where(
    User.channel == bindparam("channel"), User.external_id == bindparam("external_id")
)
_WITH_STATE = select(
    User,
    exists().where(FormState.user_id == User.id),
    exists().where(Ticket.user_id == User.id, Ticket.status == "open"),
).where(User.channel == bindparam("channel"), User.external_id == bindparam("external_id"))


def get_or_create(session: Session, who: UserRef) -> User:
    key = {"channel": who.channel, "external_id": who.external_id}
    return _refreshed(session, session.scalar(_BY_ID, key), who)


def with_state(session: Session, who: UserRef) -> tuple[User, bool, bool]:
    """The user, whether a form is open and whether a ticket with staff is open: one query
    for what every message needs to know."""
    key = {"channel": who.channel, "external_id": who.external_id}
    row = session.execute(_WITH_STATE, key).first()
    if row is None:
        return _refreshed(session, None, who), False, False
    user, has_form, has_ticket = row
    return _refreshed(session, user, who), bool(has_form), bool(has_ticket)


def _refreshed(session: Session, user: User | None, who: UserRef) -> User:
    if user is None:
        user = User(channel=who.channel, external_id=who.external_id)
        session.add(user)
    # Assign only what changed: an unchanged row is not written again for every message.
    for field, value in (
        ("chat_id", who.chat_id),
        ("first_name", who.first_name),
        ("client_language", who.client_language),
    ):
        if value is not None and getattr(user, field) != value:
            setattr(user, field, value)
    now = utcnow()
    seen = user.last_seen_at
    if seen is None or now - as_utc(seen) > SEEN_RESOLUTION:
        user.last_seen_at = now
    if user.id is None:
        session.flush()  # a new user needs its id at once
    return user


def record_feedback(
    session: Session, user: User, entry_id: str, language: str, helpful: bool, answer_key: str
) -> None:
    """One vote per answer message; pressing the other thumb changes it."""
    existing = session.scalar(
        select(Feedback).where(Feedback.user_id == user.id, Feedback.answer_key == answer_key)
    )
    if existing is None:
        session.add(
            Feedback(
                user_id=user.id,
                entry_id=entry_id,
                language=language,
                helpful=helpful,
                answer_key=answer_key,
            )
        )
    else:
        existing.helpful = helpful
        existing.created_at = utcnow()


def record_unanswered(
    session: Session,
    user: User | None,
    text: str,
    language: str,
    status: str,
    score: float,
    candidates: list[dict[str, Any]],
) -> None:
    session.add(
        UnansweredQuestion(
            user_id=user.id if user else None,
            text=text[:MAX_STORED_QUESTION],
            language=language,
            status=status,
            score=score,
            candidates=candidates,
        )
    )


def remember_question(user: User, text: str, status: str, entry_id: str | None, keep: int) -> None:
    """Keep the last ``keep`` questions with the bot's outcome (context for staff)."""
    if keep <= 0:
        return
    item = {"q": " ".join(text.split())[:300], "status": status, "entry": entry_id}
    # A new list, so that the ORM sees the change.
    kept = (user.recent_questions or [])[-(keep - 1) :] if keep > 1 else []
    user.recent_questions = [*kept, item]
