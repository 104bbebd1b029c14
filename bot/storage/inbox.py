"""The inbox: incoming updates stored before processing, so none is lost to a crash.

``store`` is called as updates arrive, ``begin``/``finish`` around processing. Updates stored
but never finished are processed again on the next start (``pending``). An update finished
once is not processed again, even if the messenger delivers it twice. Plain SQL statements
(SQLAlchemy Core): this runs for every update, so it is kept to one short statement a step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage.database import Database
from bot.storage.models import InboxUpdate, utcnow

INBOX = cast(Table, InboxUpdate.__table__)
_SAME = and_(
    INBOX.c.channel == bindparam("b_channel"), INBOX.c.update_id == bindparam("b_update_id")
)
# Built once: these run for every update.
_ATTEMPT = (
    update(INBOX).where(_SAME, INBOX.c.processed_at.is_(None)).values(attempts=INBOX.c.attempts + 1)
)
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
            new = [
                {"channel": self.channel, "update_id": uid, "payload": payload,
                 "received_at": utcnow(), "attempts": 0}
                for uid, payload in rows.items()
                if uid not in known
            ]  # fmt: skip
            if new:
                conn.execute(insert(INBOX), new)

    def begin(self, update_id: int, payload: Callable[[], dict[str, Any]]) -> bool:
        """Record an attempt; False if this update was already processed. ``payload`` makes
        the update's content, needed only if it was not stored on arrival (webhooks)."""
        with self.db.engine.begin() as conn:
            if conn.execute(_ATTEMPT, self._key(update_id)).rowcount:
                return True
            if conn.scalar(_KNOWN, self._key(update_id)) is not None:
                return False  # stored and already processed
        try:  # not stored yet (webhook, or a test feeding updates directly)
            with self.db.engine.begin() as conn:
                conn.execute(
                    insert(INBOX).values(
                        channel=self.channel,
                        update_id=update_id,
                        payload=payload(),
                        received_at=utcnow(),
                        attempts=1,
                    )
                )
        except IntegrityError:  # stored concurrently by the receiving side
            return self.begin(update_id, payload)
        return True

    def finish(self, update_id: int, error: str | None = None) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(
                _FINISH, {**self._key(update_id), "b_processed_at": utcnow(), "b_error": error}
            )

    def pending(self) -> list[dict[str, Any]]:
        with self.db.engine.begin() as conn:
            rows = conn.execute(
                select(INBOX.c.payload)
                .where(INBOX.c.channel == self.channel, INBOX.c.processed_at.is_(None))
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
