"""Nothing a resident sends is lost: updates go to the inbox as they arrive.

- ``InboxRequest`` stores every batch ``getUpdates`` returns before python-telegram-bot sees it
  (polling confirms updates to Telegram before they are processed).
- ``DurableApplication`` stores webhook updates too, skips updates already processed, and marks
  each update processed when its handlers are done.
- On start, ``replay_pending`` queues what was stored but not processed before a crash.

Database calls run on the event loop on purpose: each takes well under a millisecond, and
keeping them on one thread avoids SQLite writers waiting on each other's locks.
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.storage.inbox import Inbox

log = logging.getLogger(__name__)
INBOX_KEY = "inbox"


class InboxRequest(HTTPXRequest):
    """The getUpdates transport: stores each batch before python-telegram-bot sees it."""

    def __init__(self, inbox: Inbox, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.inbox = inbox

    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        code, payload = await super().do_request(url, method, *args, **kwargs)
        if code == 200 and url.endswith("/getUpdates"):
            with contextlib.suppress(ValueError):
                result = json.loads(payload).get("result")
                if isinstance(result, list) and result:
                    self.inbox.store(result)
        return code, payload


class DurableApplication(Application):  # type: ignore[type-arg]
    async def process_update(self, update: object) -> None:
        inbox: Inbox | None = self.bot_data.get(INBOX_KEY)
        if inbox is None or not isinstance(update, Update):
            await super().process_update(update)
            return
        if not inbox.begin(update.update_id, update.to_dict):
            log.info("update %s was already processed; skipped", update.update_id)
            return
        try:
            await super().process_update(update)
        finally:
            inbox.finish(update.update_id)


async def replay_pending(application: Application) -> int:  # type: ignore[type-arg]
    """Queue updates that were received but not processed (before a crash or restart)."""
    inbox: Inbox | None = application.bot_data.get(INBOX_KEY)
    if inbox is None:
        return 0
    pending = inbox.pending()
    for payload in pending:
        update = Update.de_json(payload, application.bot)
        if update is not None:
            await application.update_queue.put(update)
    if pending:
        log.info("replaying %d update(s) received before the last stop", len(pending))
    return len(pending)
