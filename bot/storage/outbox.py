"""The outbox: messages stored before they are sent, retried until the messenger takes them.

``put`` stores a message under a key (the same key twice is one message); ``due`` lists what
should be tried now; ``sent`` and ``failed`` record the outcome, ``failed`` with a back-off
(2 s, 4 s, ... at most 10 minutes, or the wait the messenger asked for).
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.conversation.replies import Button, Reply
from bot.storage.database import Database
from bot.storage.models import OutboxMessage, utcnow

MAX_BACKOFF = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Pending:
    id: int
    chat_id: int
    reply: Reply
    attempts: int
    key: str = ""


class Outbox:
    def __init__(self, db: Database) -> None:
        self.db = db

    def put(self, key: str, chat_id: int, reply: Reply) -> bool:
        """Queue ``reply`` for ``chat_id``; False if a message with this key exists already."""
        try:
            with self.db.session() as session:
                session.add(OutboxMessage(key=key[:120], chat_id=chat_id, payload=_dump(reply)))
        except IntegrityError:
            return False
        return True

    def due(self, now: dt.datetime | None = None, limit: int = 50) -> list[Pending]:
        now = now or utcnow()
        with self.db.session() as session:
            rows = session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
            return [
                Pending(r.id, r.chat_id, _load(r.payload, r.key), r.attempts, r.key) for r in rows
            ]

    def sent(self, message_id: int) -> None:
        with self.db.session() as session:
            row = session.get(OutboxMessage, message_id)
            if row is not None:
                row.sent_at = utcnow()
                row.attempts += 1

    def failed(self, message_id: int, error: str, retry_after: float | None = None) -> None:
        with self.db.session() as session:
            row = session.get(OutboxMessage, message_id)
            if row is None:
                return
            row.attempts += 1
            wait = dt.timedelta(seconds=retry_after or 2 ** min(row.attempts, 10))
            row.next_attempt_at = utcnow() + min(wait, MAX_BACKOFF)
            row.last_error = error[:2000]

    def unsent(self) -> int:
        with self.db.session() as session:
            return len(
                session.scalars(
                    select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None))
                ).all()
            )


def _dump(reply: Reply) -> dict[str, Any]:
    data: dict[str, Any] = {
        "text": reply.text,
        "buttons": [[[b.label, b.action] for b in row] for row in reply.buttons],
        "language": reply.language,
    }
    if reply.ticket is not None:
        data["ticket"] = reply.ticket
    if reply.copy_of is not None:
        data["copy_of"] = list(reply.copy_of)
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
    )  # fmt: skip
