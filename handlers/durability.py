"""Nothing lost, nothing twice: updates go to the inbox as they arrive; an update counts as
processed only in the transaction that stores what it changed and every message it produces.

- ``InboxRequest`` stores every batch ``getUpdates`` returns before python-telegram-bot sees it
  (polling confirms updates to Telegram before they are processed). An update that cannot be
  read (e.g. a shape an older or self-hosted Bot API server sends) is set aside at once and
  handed on as an empty update, so polling goes on and the offset moves past it.
- ``InboxQueue`` stores webhook updates before the webhook answers 200.
- ``DurableApplication`` runs each update in one database scope (``Database.scope``): the
  core's changes, the outbox messages (``UpdateRun.record``, called by ``handlers.send``) and
  the processed mark commit together. A handler that fails is tried again (``MAX_ATTEMPTS``,
  in all, across restarts too); then the update is set aside with the reason, logged once
  without personal data, and the resident is told that something went wrong.
- On start, ``replay_pending`` queues what was stored but not processed before a crash; what
  cannot be read is set aside instead of stopping the start.

Database calls run on the event loop on purpose: each takes well under a millisecond, and
keeping them on one thread avoids SQLite writers waiting on each other's locks. The update's
transaction is committed before the first await that follows its changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import traceback
import uuid
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import CallbackQuery, Update
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.conversation import Reply, UserRef
from bot.storage.database import Scope
from bot.storage.inbox import Inbox

log = logging.getLogger(__name__)
INBOX_KEY = "inbox"
SENDER_KEY = "outbox_sender"
MAX_ATTEMPTS = 3
RETRY_PAUSE = 0.25  # seconds, times the attempt number


@dataclass
class UpdateRun:
    """The update being processed in this task: its transaction and its messages."""

    update_id: int
    scope: Scope
    sender: Any  # handlers.outbox_sender.OutboxSender (imported there: it sends through us)
    error: BaseException | None = None
    messages: int = field(default=0)
    # Keys must be unique, not repeatable: a replay happens only if nothing was committed.
    # (An update id alone is not unique: a new Bot API session numbers from 1 again.)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    def record(
        self, chat_id: int, replies: Sequence[Reply], query: CallbackQuery | None,
        thread_id: int | None, staff_chat: int | None,
    ) -> str | None:  # fmt: skip
        """Store every message of ``replies`` in the outbox and commit the update; the text of
        a button's short notice, which is answered at once (it cannot wait)."""
        notice = None
        lanes: set[tuple[int, int | None]] = set()
        for reply in replies:
            if reply.mode == "notice" and query is not None:
                notice = reply.text
                continue
            thread, edit_of = None, reply.edit_of
            if reply.to_staff or (reply.chat_id is not None and reply.chat_id != chat_id):
                target = staff_chat if reply.to_staff else reply.chat_id
            elif reply.mode == "edit" and query is not None and query.message is not None:
                target, edit_of, thread = chat_id, query.message.message_id, thread_id
            else:
                target, thread = chat_id, thread_id
            if target is None:  # without a staff chat, requests are only stored
                continue
            self.messages += 1
            key = f"u:{self.update_id}:{self.run_id}:{self.messages}"
            self.sender.outbox.put(key, target, reply, thread_id=thread, edit_of=edit_of)
            lanes.add((target, reply.ticket))
        if not self.scope.committed:
            self.scope.commit()
        self.sender.wake(lanes)
        return notice


_RUN: ContextVar[UpdateRun | None] = ContextVar("update_run", default=None)


def current_run() -> UpdateRun | None:
    return _RUN.get()


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
            with contextlib.suppress(ValueError, AttributeError):
                body = json.loads(payload)
                result = body.get("result")
                if isinstance(result, list) and result:
                    readable = self._screen(result)
                    self.inbox.store(readable)
                    if len(readable) != len(result):
                        payload = json.dumps({**body, "result": self._stubbed(result)}).encode()
        return code, payload

    def _screen(self, result: list[Any]) -> list[dict[str, Any]]:
        readable = []
        for item in result:
            reason = unreadable(item)
            if reason is None:
                readable.append(item)
            elif isinstance(item, dict) and isinstance(item.get("update_id"), int):
                self.inbox.set_aside(item["update_id"], reason, item)
                log.error("update %s cannot be read and was set aside: %s",
                          item["update_id"], reason)  # fmt: skip
            else:
                log.error("an update without an update id was dropped: %s", reason)
        return readable

    @staticmethod
    def _stubbed(result: list[Any]) -> list[dict[str, Any]]:
        """The batch with each unreadable update replaced by an empty one of the same id
        (python-telegram-bot then confirms it to Telegram; the inbox knows it is set aside)."""
        return [
            item if unreadable(item) is None else {"update_id": item["update_id"]}
            for item in result
            if isinstance(item, dict) and isinstance(item.get("update_id"), int)
        ]


def unreadable(item: object) -> str | None:
    """Why python-telegram-bot cannot read this update (None: it can)."""
    if not isinstance(item, dict) or not isinstance(item.get("update_id"), int):
        return "not an update (no update_id)"
    try:
        Update.de_json(item, None)
    except Exception as exc:  # any way a foreign shape breaks the parser
        return f"unreadable: {describe(exc)}"
    return None


def stand_in(update: Update) -> bool:
    """The empty update ``InboxRequest`` hands on in place of an unreadable one."""
    return update.to_dict() == {"update_id": update.update_id}


class InboxQueue(asyncio.Queue[object]):
    """The update queue: stores each update before it is queued, so a webhook answers 200
    (python-telegram-bot does once ``put`` returns) only for an update that is stored.
    Polled updates are stored already; storing them again changes nothing."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and not stand_in(item):
            self.inbox.store([item.to_dict()])
        await super().put(item)


class DurableApplication(Application):  # type: ignore[type-arg]
    async def process_update(self, update: object) -> None:
        inbox: Inbox | None = self.bot_data.get(INBOX_KEY)
        if inbox is None or not isinstance(update, Update):
            await super().process_update(update)
            return
        if stand_in(update):
            return  # an unreadable update, set aside on arrival
        failure: BaseException | None = None
        while (attempts := inbox.begin(update.update_id, update.to_dict)) <= MAX_ATTEMPTS:
            if attempts == 0:
                log.debug("update %s was already processed; skipped", update.update_id)
                return
            failure = await self._attempt(update, inbox)
            if failure is None:
                if attempts > 1:
                    log.warning("update %s processed at attempt %d", update.update_id, attempts)
                return
            log.debug("update %s failed (attempt %d): %s", update.update_id, attempts,
                      describe(failure))  # fmt: skip
            await asyncio.sleep(RETRY_PAUSE * attempts)
        reason = describe(failure) if failure else "processing stopped every time (restarts)"
        self._set_aside(update, inbox, reason, failure)

    async def _attempt(self, update: Update, inbox: Inbox) -> BaseException | None:
        """Process once; the error if the handler failed before its transaction committed."""
        update_id = update.update_id
        with inbox.db.scope(lambda session: inbox.mark_processed(session, update_id)) as scope:
            run = UpdateRun(update_id, scope, self.bot_data.get(SENDER_KEY))
            token = _RUN.set(run)
            try:
                await super().process_update(update)
            finally:
                _RUN.reset(token)
            if run.error is None and not scope.committed:
                scope.commit()
        if run.error is not None and scope.committed:  # its messages are stored: done
            log.warning("update %s: error after its messages were stored: %s",
                        update_id, describe(run.error))  # fmt: skip
            return None
        return run.error

    def _set_aside(
        self, update: Update, inbox: Inbox, reason: str, failure: BaseException | None
    ) -> None:
        inbox.set_aside(update.update_id, reason)
        # With the traceback; bot/log_privacy.py keeps the error's message out of the log.
        log.error("update %s set aside after %d attempts: %s", update.update_id, MAX_ATTEMPTS,
                  reason, exc_info=failure)  # fmt: skip
        chat = update.effective_chat
        sender = self.bot_data.get(SENDER_KEY)
        if chat is None or chat.type != "private" or sender is None:
            return
        try:
            services = self.bot_data["services"]
            user = update.effective_user
            who = UserRef("telegram", str(user.id if user else chat.id), chat.id,
                          user.first_name if user else None, user.language_code if user else None)
            language = services.assistant.user_language(who)
            sender.outbox.put(f"dead:{update.update_id}:{uuid.uuid4().hex[:12]}", chat.id,
                              services.assistant.error(language))  # fmt: skip
            sender.wake({(chat.id, None)})
        except Exception as exc:  # telling the resident is a courtesy; the update is safe
            log.error("could not tell chat %s about update %s: %s", chat.id, update.update_id,
                      describe(exc))  # fmt: skip


def describe(error: BaseException) -> str:
    """The error's type and where it was raised; never its message (it may quote a user)."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return type(error).__name__
    last = frames[-1]
    return f"{type(error).__name__} at {Path(last.filename).name}:{last.lineno} in {last.name}"


async def replay_pending(application: Application) -> int:  # type: ignore[type-arg]
    """Queue updates that were received but not processed (before a crash or restart); an
    update that cannot be read is set aside, never a reason not to start."""
    inbox: Inbox | None = application.bot_data.get(INBOX_KEY)
    if inbox is None:
        return 0
    pending = inbox.pending()
    for payload in pending:
        reason = unreadable(payload)
        if reason is not None:
            if isinstance(payload.get("update_id"), int):
                inbox.set_aside(payload["update_id"], reason)
            log.error("a stored update cannot be read and was set aside: %s", reason)
            continue
        update = Update.de_json(payload, application.bot)
        if update is not None:
            await application.update_queue.put(update)
    if pending:
        log.info("replaying %d update(s) received before the last stop", len(pending))
    return len(pending)
