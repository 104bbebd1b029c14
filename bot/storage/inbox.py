"""The inbox: incoming updates stored before processing, so none is lost to a crash.

``store`` is called as updates arrive, ``begin`` before each attempt to process one, and
``finish`` (or ``mark_processed`` inside the update's own transaction) when it is done.
Updates stored but never finished are processed again on the next start (``pending``). An
update finished once is not processed again, even if the messenger delivers it twice. An update
that cannot be read, or whose processing fails every time, is set aside (``set_aside``: a dead
letter with the reason) and waits for the operator (``dead``, ``retry``, ``discard``). Plain SQL
statements (SQLAlchemy Core): this runs for every update, so it is kept to short statements.
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
_KNOWN = select(INBOX.c.id).where(_SAME)
_FINISH = (
    update(INBOX)
    .where(_SAME)
    .values(processed_at=bindparam("b_processed_at"), error=bindparam("b_error"))
)


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
            known = set(
                conn.scalars(
                    select(INBOX.c.update_id).where(
                        INBOX.c.channel == self.channel, INBOX.c.update_id.in_(list(rows))
                    )
                )
            )
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
            if conn.scalar(_KNOWN, self._key(update_id)) is not None:
                return 0  # stored and already processed (or set aside)
        try:
            with self.db.engine.begin() as conn:
                conn.execute(insert(INBOX).values(**self._row(update_id, payload(), attempts=1)))
        except IntegrityError:  # stored concurrently by the receiving side
            return self.begin(update_id, payload)
        return 1

    def _row(self, update_id: int, payload: dict[str, Any], **values: Any) -> dict[str, Any]:
        return {"channel": self.channel, "update_id": update_id, "payload": payload,
                "received_at": utcnow(), "attempts": 0, **values}  # fmt: skip

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
        values = {"dead_at": utcnow(), "error": reason[:2000]}
        with self.db.engine.begin() as conn:
            found = conn.execute(update(INBOX).where(_SAME).values(**values), self._key(update_id))
            if found.rowcount:
                return
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

    def finish(self, update_id: int, error: str | None = None) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(
                _FINISH, {**self._key(update_id), "b_processed_at": utcnow(), "b_error": error}
            )

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
