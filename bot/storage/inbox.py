"""The inbox: incoming updates stored before processing, so none is lost to a crash.

``store`` is called as updates arrive, ``begin`` before each attempt to process one, and
``finish`` (or ``mark_processed`` inside the update's own transaction) when it is done.
Updates stored but never finished are processed again on the next start (``pending``). An
update finished once is not processed again, even if the messenger delivers it twice. An update
that cannot be read, or whose processing fails every time, is set aside (``set_aside``: a dead
letter with the reason) and waits for the operator (``dead``, ``retry``, ``discard``).

An update id alone does not identify an update: a Bot API server numbers its updates itself
(another server, the local emulator's every new session, and Telegram after a week without
updates start elsewhere, often at ids already stored). So a stored update counts as the same
only if what it reports is the same too (``identity``: kind, message/query id, date, chat,
sender); a different update under a known id replaces the old row and is processed. Plain SQL
statements (SQLAlchemy Core): this runs for every update, so it is kept to one short statement
a step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.database import Database
from bot.storage.models import InboxUpdate, utcnow

INBOX = cast(Table, InboxUpdate.__table__)
_SAME = and_(
    INBOX.c.channel == bindparam("b_channel"), INBOX.c.update_id == bindparam("b_update_id")
)
# Built once: these run for every update.
_OPEN = and_(INBOX.c.processed_at.is_(None), INBOX.c.dead_at.is_(None))
_ATTEMPT = update(INBOX).where(_SAME, _OPEN).values(attempts=INBOX.c.attempts + 1)
_ATTEMPTS = select(INBOX.c.attempts).where(_SAME)
_KNOWN = select(INBOX.c.payload).where(_SAME)
_REPLACE = (
    update(INBOX)
    .where(_SAME)
    .values(
        payload=bindparam("b_payload"), received_at=bindparam("b_received_at"),
        processed_at=None, attempts=bindparam("b_attempts"), error=None, dead_at=None,
    )
)  # fmt: skip
_FINISH = (
    update(INBOX)
    .where(_SAME)
    .values(processed_at=bindparam("b_processed_at"), error=bindparam("b_error"))
)


def identity(payload: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What tells two updates with the same id apart: the same in the raw ``getUpdates`` JSON
    and in python-telegram-bot's ``to_dict`` (webhooks), unlike the full payload."""
    parts: list[tuple[Any, ...]] = []
    for kind in sorted(k for k in payload if k != "update_id"):
        inner = payload[kind]
        if not isinstance(inner, dict):
            parts.append((kind, inner))
            continue
        message: dict[str, Any] = inner.get("message") or {}
        parts.append((
            kind, inner.get("message_id"), inner.get("id"), inner.get("date"),
            (inner.get("chat") or {}).get("id"), (inner.get("from") or {}).get("id"),
            message.get("message_id"), message.get("date"),
        ))  # fmt: skip
    return parts


class Inbox:
    def __init__(self, db: Database, channel: str = "telegram") -> None:
        self.db = db
        self.channel = channel

    def _key(self, update_id: int) -> dict[str, Any]:
        return {"b_channel": self.channel, "b_update_id": update_id}

    def store(self, payloads: Iterable[dict[str, Any]]) -> None:
        rows = {p["update_id"]: p for p in payloads if isinstance(p.get("update_id"), int)}
        if not rows:
            return
        with self.db.engine.begin() as conn:
            known = {
                row.update_id: row.payload
                for row in conn.execute(
                    select(INBOX.c.update_id, INBOX.c.payload).where(
                        INBOX.c.channel == self.channel, INBOX.c.update_id.in_(list(rows))
                    )
                )
            }
            for uid, old in known.items():
                if identity(old) != identity(rows[uid]):  # a new update under a used id
                    self._replace(conn, uid, rows[uid], attempts=0)
            new = [self._row(uid, payload) for uid, payload in rows.items() if uid not in known]
            if new:
                conn.execute(insert(INBOX), new)

    def begin(self, update_id: int, payload: Callable[[], dict[str, Any]]) -> int:
        """Record an attempt; the number of attempts so far, 0 if this update was already
        processed or set aside. ``payload`` makes the update's content, needed only if it was
        not stored on arrival (webhooks, tests feeding updates directly)."""
        with self.db.engine.begin() as conn:
            if conn.execute(_ATTEMPT, self._key(update_id)).rowcount:
                return int(conn.scalar(_ATTEMPTS, self._key(update_id)) or 1)
            old = conn.scalar(_KNOWN, self._key(update_id))
            if old is not None:
                current = payload()
                if identity(old) == identity(current):
                    return 0  # stored and already processed (or set aside)
                self._replace(conn, update_id, current, attempts=1)  # a new update, same id
                return 1
        try:  # not stored yet (webhook, or a test feeding updates directly)
            with self.db.engine.begin() as conn:
                conn.execute(insert(INBOX).values(**self._row(update_id, payload(), attempts=1)))
        except IntegrityError:  # stored concurrently by the receiving side
            return self.begin(update_id, payload)
        return 1

    def _row(self, update_id: int, payload: dict[str, Any], **values: Any) -> dict[str, Any]:
        return {"channel": self.channel, "update_id": update_id, "payload": payload,
                "received_at": utcnow(), "attempts": 0, **values}  # fmt: skip

    def _replace(self, conn: Any, update_id: int, payload: dict[str, Any], attempts: int) -> None:
        conn.execute(
            _REPLACE,
            {**self._key(update_id), "b_payload": payload, "b_received_at": utcnow(),
             "b_attempts": attempts},
        )  # fmt: skip

    def finish(self, update_id: int, error: str | None = None) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(
                _FINISH, {**self._key(update_id), "b_processed_at": utcnow(), "b_error": error}
            )

    def mark_processed(self, session: Session, update_id: int) -> None:
        """Mark the update processed inside ``session``'s transaction (the update's own)."""
        session.execute(
            _FINISH, {**self._key(update_id), "b_processed_at": utcnow(), "b_error": None}
        )

    def is_processed(self, update_id: int) -> bool:
        query = select(INBOX.c.processed_at).where(_SAME)
        with self.db.engine.begin() as conn:
            return conn.scalar(query, self._key(update_id)) is not None

    def set_aside(self, update_id: int, reason: str, payload: dict[str, Any] | None = None) -> None:
        """Put the update aside as a dead letter, with the reason (no personal data)."""
        values: dict[str, Any] = {"dead_at": utcnow(), "error": reason[:2000]}
        if payload is not None:  # what arrived (an older row may carry the same id)
            values.update(payload=payload, processed_at=None)
        with self.db.engine.begin() as conn:
            found = conn.execute(update(INBOX).where(_SAME).values(**values), self._key(update_id))
            if found.rowcount:
                return
            values.pop("payload", None)
            conn.execute(insert(INBOX).values(**self._row(update_id, payload or {}, **values)))

    def dead(self) -> list[dict[str, Any]]:
        """The updates set aside, oldest first: id, update id, when, attempts, reason."""
        with self.db.engine.begin() as conn:
            rows = conn.execute(
                select(INBOX.c.id, INBOX.c.update_id, INBOX.c.received_at, INBOX.c.dead_at,
                       INBOX.c.attempts, INBOX.c.error)
                .where(INBOX.c.channel == self.channel, INBOX.c.dead_at.is_not(None))
                .order_by(INBOX.c.update_id)
            )  # fmt: skip
            return [dict(row._mapping) for row in rows]

    def retry(self, update_ids: Iterable[int]) -> int:
        """Give set-aside updates another chance: processed again on the next start."""
        return self._decide(update_ids, dead_at=None, attempts=0, error=None)

    def discard(self, update_ids: Iterable[int]) -> int:
        """Give up on set-aside updates for good (kept as processed, with their reason)."""
        return self._decide(update_ids, dead_at=None, processed_at=utcnow())

    def _decide(self, update_ids: Iterable[int], **values: Any) -> int:
        ids = list(update_ids)
        with self.db.engine.begin() as conn:
            result = conn.execute(
                update(INBOX)
                .where(INBOX.c.channel == self.channel, INBOX.c.dead_at.is_not(None),
                       INBOX.c.update_id.in_(ids))
                .values(**values)
            )  # fmt: skip
            return int(result.rowcount or 0)

    def pending(self) -> list[dict[str, Any]]:
        with self.db.engine.begin() as conn:
            rows = conn.execute(
                select(INBOX.c.payload)
                .where(INBOX.c.channel == self.channel, _OPEN)
                .order_by(INBOX.c.update_id)
            )
            return [row.payload for row in rows]

    def prune(self, older_than: dt.timedelta) -> int:
        """Delete processed updates older than ``older_than`` (retention)."""
        cutoff = utcnow() - older_than
        with self.db.engine.begin() as conn:
            result = conn.execute(
                delete(INBOX).where(
                    INBOX.c.processed_at.is_not(None), INBOX.c.processed_at < cutoff
                )
            )
            return int(result.rowcount or 0)
