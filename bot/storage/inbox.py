"""The inbox: incoming updates stored before processing, so none is lost to a crash.

``store`` is called as updates arrive, ``begin``/``finish`` around processing. Updates stored
but never finished are processed again on the next start (``pending``). An update finished
once is not processed again, even if the messenger delivers it twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage.database import Database
from bot.storage.models import InboxUpdate, utcnow


class Inbox:
    def __init__(self, db: Database, channel: str = "telegram") -> None:
        self.db = db
        self.channel = channel

    def store(self, payloads: Iterable[dict[str, Any]]) -> None:
        payloads = [p for p in payloads if isinstance(p.get("update_id"), int)]
        if not payloads:
            return
        ids = [p["update_id"] for p in payloads]
        with self.db.session() as session:
            known = set(
                session.scalars(
                    select(InboxUpdate.update_id).where(
                        InboxUpdate.channel == self.channel, InboxUpdate.update_id.in_(ids)
                    )
                )
            )
            for payload in payloads:
                if payload["update_id"] not in known:
                    known.add(payload["update_id"])
                    session.add(
                        InboxUpdate(
                            channel=self.channel, update_id=payload["update_id"], payload=payload
                        )
                    )

    def begin(self, payload: dict[str, Any]) -> bool:
        """Record an attempt; False if this update was already processed."""
        update_id = payload["update_id"]
        for _ in range(2):
            try:
                with self.db.session() as session:
                    row = session.scalar(self._select(update_id))
                    if row is None:
                        row = InboxUpdate(
                            channel=self.channel, update_id=update_id, payload=payload
                        )
                        session.add(row)
                    if row.processed_at is not None:
                        return False
                    row.attempts = (row.attempts or 0) + 1
                    return True
            except IntegrityError:  # stored concurrently by the receiving side: read it again
                continue
        return True

    def finish(self, update_id: int, error: str | None = None) -> None:
        with self.db.session() as session:
            session.execute(
                update(InboxUpdate)
                .where(InboxUpdate.channel == self.channel, InboxUpdate.update_id == update_id)
                .values(processed_at=utcnow(), error=error)
            )

    def pending(self) -> list[dict[str, Any]]:
        with self.db.session() as session:
            rows = session.scalars(
                select(InboxUpdate)
                .where(InboxUpdate.channel == self.channel, InboxUpdate.processed_at.is_(None))
                .order_by(InboxUpdate.update_id)
            )
            return [row.payload for row in rows]

    def prune(self, older_than: dt.timedelta) -> int:
        """Delete processed updates older than ``older_than`` (retention)."""
        cutoff = utcnow() - older_than
        with self.db.session() as session:
            result = session.execute(
                delete(InboxUpdate).where(
                    InboxUpdate.processed_at.is_not(None), InboxUpdate.processed_at < cutoff
                )
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def _select(self, update_id: int):  # type: ignore[no-untyped-def]
        return select(InboxUpdate).where(
            InboxUpdate.channel == self.channel, InboxUpdate.update_id == update_id
        )
