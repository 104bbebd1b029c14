"""Sends what waits in the outbox: at once when something is queued, retried with back-off when
Telegram refuses (429 with its retry_after, 5xx, timeouts), until delivered; once only."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from bot.conversation import Reply
from bot.storage.outbox import Outbox
from handlers.send import send
from handlers.staff_threads import StaffThreads

log = logging.getLogger(__name__)
SENDER_KEY = "outbox_sender"
IDLE_SECONDS = 2.0


class OutboxSender:
    def __init__(
        self,
        app: Application,  # type: ignore[type-arg]
        outbox: Outbox,
        threads: StaffThreads | None = None,
        on_delivered: Callable[[str, list[int]], None] | None = None,
    ) -> None:
        self.app = app
        self.outbox = outbox
        self.threads = threads  # routes ticket messages in the staff chat
        # Told the key and message ids of what was delivered (e.g. where a staff card landed).
        self.on_delivered = on_delivered
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def queue(self, key: str, chat_id: int, reply: Reply) -> None:
        self.outbox.put(key, chat_id, reply)
        self._wake.set()

    def wake(self) -> None:
        """Something was queued elsewhere (e.g. by a reminder job): look now."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE_SECONDS)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:  # the loop must survive anything: it is what delivers later
                log.exception("outbox flush failed; will try again")

    async def flush(self) -> int:
        delivered = 0
        held: set[tuple[int, int | None]] = set()  # a failed message holds back its chat's next
        for pending in self.outbox.due():
            lane = (pending.chat_id, pending.reply.ticket)
            if lane in held:
                continue
            try:
                message_ids = await self._send(pending.chat_id, pending.reply)
            except RetryAfter as exc:
                self.outbox.failed(pending.id, str(exc), _seconds(exc.retry_after))
                held.add(lane)
            except (BadRequest, Forbidden) as exc:  # e.g. blocked: try again much later
                self.outbox.failed(pending.id, str(exc), 600)
                held.add(lane)
                if pending.reply.ticket is None:  # to a resident: staff may need to know
                    self._undeliverable(pending.chat_id, isinstance(exc, Forbidden))
            except TelegramError as exc:  # 5xx, timeouts, network
                self.outbox.failed(pending.id, str(exc))
                held.add(lane)
            else:
                self.outbox.sent(pending.id)
                delivered += 1
                self._delivered(pending.key, message_ids)
        return delivered

    def _delivered(self, key: str, message_ids: list[int]) -> None:
        if self.on_delivered is None:
            return
        try:
            self.on_delivered(key, message_ids)
        except Exception:  # what was sent stays sent; only the bookkeeping is missing
            log.exception("after delivering %s", key)

    def _undeliverable(self, chat_id: int, blocked: bool) -> None:
        staff_chat = self.threads.staff_chat if self.threads is not None else None
        if self.threads is None or staff_chat is None:
            return
        notice = self.threads.desk.undeliverable(chat_id, blocked)
        if notice is not None and notice.key is not None:
            self.outbox.put(notice.key, staff_chat, notice)  # sent in the next round
            self._wake.set()

    async def _send(self, chat_id: int, reply: Reply) -> list[int]:
        if reply.ticket is not None and self.threads is not None:
            return await self.threads.send(chat_id, reply)
        return await send(self.app.bot, chat_id, reply)


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]
