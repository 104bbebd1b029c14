"""The inbox tells a repeated update from a new one that reuses an update id."""

from __future__ import annotations

from typing import Any

import pytest

from bot.storage import Database
from bot.storage.inbox import Inbox

pytestmark = pytest.mark.database


def message(update_id: int, date: int, text: str = "Hallo") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1, "date": date, "text": text,
            "chat": {"id": 5, "type": "private", "first_name": "A"},
            "from": {"id": 5, "is_bot": False, "first_name": "A"},
        },
    }  # fmt: skip


def process(inbox: Inbox, payload: dict[str, Any]) -> bool:
    """Store as polling does, then begin/finish as the application does."""
    inbox.store([payload])
    if not inbox.begin(payload["update_id"], lambda: payload):
        return False
    inbox.finish(payload["update_id"])
    return True


def test_the_same_update_delivered_twice_is_processed_once(db: Database) -> None:
    inbox = Inbox(db)
    assert process(inbox, message(1, 1_790_000_000))
    assert not process(inbox, message(1, 1_790_000_000))


def test_a_new_server_session_restarting_at_id_1_is_processed(db: Database) -> None:
    """The local emulator (or another Bot API server) numbers its updates from 1 again."""
    inbox = Inbox(db)
    assert process(inbox, message(1, 1_790_000_000))
    assert process(inbox, message(1, 1_790_000_100))
    assert inbox.pending() == []


def test_a_webhook_update_reusing_a_processed_id_is_processed(db: Database) -> None:
    inbox = Inbox(db)
    assert process(inbox, message(7, 1_790_000_000))
    new = message(7, 1_790_000_050, "Neu")
    assert inbox.begin(7, lambda: new)  # webhooks are not stored before begin
    inbox.finish(7)
    assert not inbox.begin(7, lambda: new)
