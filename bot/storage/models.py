"""Tables. Users are identified per channel (``telegram`` today) so other channels can follow."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored moment with its zone: SQLite returns UTC timestamps without one."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_users_channel_external"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), default="telegram")
    external_id: Mapped[str] = mapped_column(String(64))  # the channel's user id
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    first_name: Mapped[str | None] = mapped_column(String(128))
    language: Mapped[str | None] = mapped_column(String(8))  # chosen; None until chosen
    client_language: Mapped[str | None] = mapped_column(String(16))  # what the client reported
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    unanswered_streak: Mapped[int] = mapped_column(Integer, default=0)
    # When the resident agreed to what staff will see before a first hand-over.
    handoff_consent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The last few questions with the bot's outcome, shown to staff when a ticket opens.
    recent_questions: Mapped[list[Any] | None] = mapped_column(JSON)
    # "Keep my language" pressed: "ar>de" = answer in Arabic, without offering to switch,
    # when this resident writes German. Cleared when the resident chooses a language.
    kept_languages: Mapped[list[Any] | None] = mapped_column(JSON)

    feedback: Mapped[list[Feedback]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    questions: Mapped[list[UnansweredQuestion]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class Feedback(Base):
    """A 👍 or 👎 on an answer."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("user_id", "answer_key", name="uq_feedback_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[str] = mapped_column(String(60), index=True)
    language: Mapped[str] = mapped_column(String(8))
    helpful: Mapped[bool] = mapped_column(Boolean)
    answer_key: Mapped[str] = mapped_column(String(80))  # one vote per answer message
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(back_populates="feedback")


class UnansweredQuestion(Base):
    """A question the bot could not answer confidently, kept for the knowledge-base editors."""

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), index=True)
    status: Mapped[str] = mapped_column(String(16))  # none | clarify | not_helpful
    score: Mapped[float] = mapped_column(default=0.0)
    candidates: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    resolved_entry_id: Mapped[str | None] = mapped_column(String(60))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User | None] = relationship(back_populates="questions")


class InboxUpdate(Base):
    """Every incoming update, stored before it is processed and marked once it has been.

    After a crash or restart, updates that were received but not processed are processed again,
    so nothing a resident sent is lost.
    """

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("channel", "update_id", name="uq_inbox_update"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), default="telegram")
    update_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    processed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # Set aside (unparsable, or its handler failed every time): never processed automatically
    # again; ``error`` says why; ``consult-bot inbox retry|discard`` decides.
    dead_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ConsultationRequest(Base):
    """A request for advice, above all before a funding application."""

    __tablename__ = "consultation_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # e.g. WIR-2026-0042
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))  # funding_application | project_idea | ...
    requester: Mapped[str] = mapped_column(String(20))  # individual | organisation
    organisation: Mapped[str | None] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_channel: Mapped[str] = mapped_column(String(20))  # telegram | email | phone
    contact_value: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    precheck: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    slot_start: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    consent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Counts every change staff must see (move, cancellation, decision, proposal): staff buttons
    # carry it, so a press on an outdated card changes nothing; it is also the calendar SEQUENCE.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The staff card now in the staff chat (set once it is delivered), to mark it superseded.
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # What a cancellation freed, for the office's exports.
    cancelled_slot_start: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class SlotBooking(Base):
    """One seat of one consultation slot. The unique constraint is what makes double booking
    impossible, even for two people pressing at the same moment."""

    __tablename__ = "slot_bookings"
    __table_args__ = (UniqueConstraint("slot_start", "seat", name="uq_slot_seat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot_start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    seat: Mapped[int] = mapped_column(Integer)  # 0 .. advisers - 1
    request_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_requests.id", ondelete="CASCADE"), unique=True
    )


class ReferenceCounter(Base):
    """The last reference number given out per year (WIR-<year>-<number>)."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class FormState(Base):
    """A half-filled form, kept in the database so that a restart loses nothing."""

    __tablename__ = "form_states"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str] = mapped_column(String(30))
    step: Mapped[str] = mapped_column(String(30))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    token: Mapped[str] = mapped_column(String(40))  # this form's identity (double-tap safety)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class OutboxMessage(Base):
    """A message the bot sends: to the person who just wrote, to staff, to a requester told of
    a decision, a reminder. Stored in the transaction of the change it reports, sent with
    retries until Telegram takes it, in order per lane (a chat; in the staff chat, a ticket).
    One key per message: the same key twice is the same message, queued once."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # text, buttons, document (base64)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The ticket of a message in the staff chat: each ticket is its own lane there.
    ticket_id: Mapped[int | None] = mapped_column(Integer)
    # Parts already taken by Telegram (a long text is split; a file follows its text).
    parts_sent: Mapped[int] = mapped_column(Integer, default=0)
    # Given up: Telegram refused it for good (e.g. the message to copy is gone).
    failed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class Ticket(Base):
    """A conversation handed to the unit's staff. One open ticket per resident at a time."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)  # open | closed
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(200))
    thread_id: Mapped[int | None] = mapped_column(BigInteger)  # the staff group's forum topic
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    rating: Mapped[int | None] = mapped_column(Integer)  # 1-5, asked for after closing
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    waiting_since: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(128))  # staff name, or "resident"
    first_reply_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # In a staff group without topics: the ticket's header message, which copies reply to.
    header_message_id: Mapped[int | None] = mapped_column(BigInteger)


class TicketLink(Base):
    """A message in the staff chat that belongs to a ticket, so a reply to it reaches the
    ticket's resident (groups without topics) and a resident's message is copied once."""

    __tablename__ = "ticket_links"
    __table_args__ = (UniqueConstraint("chat_id", "message_id", name="uq_ticket_links_message"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)


class TicketMessage(Base):
    """Everything said in a ticket, in order: nothing a resident writes is lost."""

    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(10))  # resident | staff | note | bot
    text: Mapped[str] = mapped_column(Text)
    staff_name: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HeldMessage(Base):
    """A resident's message that looks like it holds sensitive data (an ID number, an IBAN,
    health details), held until the resident says to send it as it is or to write it again."""

    __tablename__ = "held_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(16), unique=True)  # what the buttons carry
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    route: Mapped[str] = mapped_column(String(10))  # desk | form: where it goes once confirmed
    text: Mapped[str] = mapped_column(Text)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)  # the message in the resident's chat
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
