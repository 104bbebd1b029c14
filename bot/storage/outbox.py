"""The outbox: messages stored before they are sent, retried until the messenger takes them.

``put`` stores a message under a key (the same key twice is one message), inside the caller's
transaction when there is one (``Database.scope``). Messages form lanes: one per chat, and in
the staff chat one per ticket; a lane is sent strictly in order (``head``), lanes independently
(``due_lanes``). ``sent``, ``progress``, ``failed`` and ``give_up`` record the outcome:
``failed`` with a back-off (the wait the messenger asked for, else doubling up to a cap),
``give_up`` for a message the messenger will never take.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError

from bot.conversation.replies import Button, Reply
from bot.storage.database import Database
from bot.storage.models import OutboxMessage, as_utc, utcnow

MAX_BACKOFF = dt.timedelta(minutes=10)
Lane = tuple[int, int | None]  # chat, ticket (in the staff chat)
_UNSENT = and_(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))


@dataclass(frozen=True)
class Pending:
    id: int
    chat_id: int
    reply: Reply
    attempts: int
    key: str = ""
    thread_id: int | None = None  # a forum topic to send into (a staff command's answer)
    edit_of: int | None = None  # edit this message of the chat instead of sending
    parts_sent: int = 0
    next_attempt_at: dt.datetime | None = None

    @property
    def lane(self) -> Lane:
        return (self.chat_id, self.reply.ticket)


class Outbox:
    def __init__(self, db: Database) -> None:
        self.db = db

    def put(
        self,
        key: str,
        chat_id: int,
        reply: Reply,
        thread_id: int | None = None,
        edit_of: int | None = None,
    ) -> bool:
        """Queue ``reply`` for ``chat_id``; False if a message with this key exists already."""
        payload = _dump(reply, thread_id, edit_of)
        row = OutboxMessage(
            key=key[:120], chat_id=chat_id, payload=payload, ticket_id=reply.ticket,
            next_attempt_at=utcnow(), parts_sent=0, attempts=0,
        )  # fmt: skip
        try:
            with self.db.session() as session:
                session.add(row)
        except IntegrityError:
            return False
        return True

    def due_lanes(self, now: dt.datetime | None = None) -> list[Lane]:
        """Lanes whose first unsent message may be tried now."""
        now = now or utcnow()
        heads = (
            select(func.min(OutboxMessage.id))
            .where(_UNSENT)
            .group_by(OutboxMessage.chat_id, OutboxMessage.ticket_id)
        )
        with self.db.session() as session:
            rows = session.execute(
                select(OutboxMessage.chat_id, OutboxMessage.ticket_id)
                .where(OutboxMessage.id.in_(heads), OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.id)
            )
            return [(row.chat_id, row.ticket_id) for row in rows]

    def head(self, lane: Lane) -> Pending | None:
        """The first message of ``lane`` not yet sent nor given up."""
        chat_id, ticket = lane
        column = OutboxMessage.ticket_id
        same_ticket = column.is_(None) if ticket is None else column == ticket
        with self.db.session() as session:
            row = session.scalar(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == chat_id, same_ticket, _UNSENT)
                .order_by(OutboxMessage.id)
                .limit(1)
            )
            return _pending(row) if row is not None else None

    def due(self, now: dt.datetime | None = None, limit: int = 50) -> list[Pending]:
        """Messages that may be tried now, oldest first (for tools and tests)."""
        now = now or utcnow()
        with self.db.session() as session:
            rows = session.scalars(
                select(OutboxMessage)
                .where(_UNSENT, OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
            return [_pending(r) for r in rows]

    def sent(self, message_id: int) -> None:
        self._set(message_id, sent_at=utcnow(), attempts=OutboxMessage.attempts + 1)

    def progress(self, message_id: int, parts_sent: int) -> None:
        """``parts_sent`` parts of a message were taken: a retry starts after them."""
        self._set(message_id, parts_sent=parts_sent)

    def failed(
        self, message_id: int, error: str, retry_after: float | None = None,
        cap: dt.timedelta = MAX_BACKOFF,
    ) -> int:  # fmt: skip
        """Try again later; returns the number of attempts so far."""
        with self.db.session() as session:
            row = session.get(OutboxMessage, message_id)
            if row is None:
                return 0
            row.attempts += 1
            wait = dt.timedelta(seconds=retry_after or 2 ** min(row.attempts - 1, 12))
            row.next_attempt_at = utcnow() + min(wait, cap)
            row.last_error = error[:2000]
            return row.attempts

    def give_up(self, message_id: int, error: str) -> None:
        """The messenger will never take this message: the lane moves on without it."""
        self._set(
            message_id, failed_at=utcnow(), last_error=error[:2000],
            attempts=OutboxMessage.attempts + 1,
        )  # fmt: skip

    def _set(self, message_id: int, **values: Any) -> None:
        with self.db.session() as session:
            session.execute(
                update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
            )

    def unsent(self) -> int:
        """Messages neither sent nor given up."""
        with self.db.session() as session:
            count = session.scalar(
                select(func.count(OutboxMessage.id)).where(_UNSENT)
            )
            return int(count or 0)


def _pending(row: OutboxMessage) -> Pending:
    payload = row.payload
    return Pending(
        row.id, row.chat_id, _load(payload, payload.get("key", row.key)), row.attempts, row.key,
        thread_id=payload.get("thread"), edit_of=payload.get("edit_of"),
        parts_sent=row.parts_sent or 0, next_attempt_at=as_utc(row.next_attempt_at),
    )  # fmt: skip


def _dump(reply: Reply, thread_id: int | None = None, edit_of: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "text": reply.text,
        "buttons": [[[b.label, b.action] for b in row] for row in reply.buttons],
        "language": reply.language,
    }
    optional = {
        "ticket": reply.ticket, "key": reply.key, "thread": thread_id, "edit_of": edit_of,
        "copy_of": list(reply.copy_of) if reply.copy_of is not None else None,
    }  # fmt: skip
    data.update({name: value for name, value in optional.items() if value is not None})
    if reply.edit_of is not None:  # an earlier message, edited as a courtesy (best effort)
        data.update(edit_of=reply.edit_of, best_effort=True)
    if reply.document is not None:
        data["document"] = [reply.document[0], base64.b64encode(reply.document[1]).decode()]
    return data


def _load(data: dict[str, Any], key: str | None = None) -> Reply:
    document = None
    if data.get("document"):
        name, content = data["document"]
        document = (name, base64.b64decode(content))
    buttons = tuple(
        tuple(Button(label, action) for label, action in row) for row in data["buttons"]
    )
    copy_of = data.get("copy_of")
    return Reply(
        data["text"], buttons, language=data.get("language", "de"), document=document, key=key,
        ticket=data.get("ticket"), copy_of=(int(copy_of[0]), int(copy_of[1])) if copy_of else None,
        mode="edit" if data.get("edit_of") else "send",
        edit_of=data.get("edit_of") if data.get("best_effort") else None,
    )  # fmt: skip
