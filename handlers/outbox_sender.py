"""Sends what waits in the outbox, one lane at a time per chat (per ticket in the staff chat).

Every lane is its own task: a chat that is slow, rate limited (429 with retry_after, the staff
group's per-minute limit) or stalled holds only itself, while other chats' messages go out at
once. Within a lane the order is the outbox's order, kept across back-off and restarts: a lane
sends its first unsent message and nothing behind it until that one is taken or given up.

Telegram's answers decide what happens next: 429 waits as long as Telegram asks; 5xx, timeouts
and network errors are tried again with a growing pause (at most ``TRANSIENT_CAP``); a blocked
chat is tried again every ten minutes (the staff are told once); any other refusal (400, e.g.
"message to copy not found", "chat not found") is tried ``REFUSED_TRIES`` times and then given
up: the staff are told once and the lane moves on.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import html
import logging
from collections.abc import Callable

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from bot.conversation import Reply
from bot.storage.models import utcnow
from bot.storage.outbox import Lane, Outbox, Pending
from handlers.send import edit_message, send
from handlers.staff_threads import StaffThreads

log = logging.getLogger(__name__)
IDLE_SECONDS = 1.0  # how often lanes in back-off are looked at without a wake-up
REFUSED_TRIES = 3
BLOCKED_RETRY = 600.0
TRANSIENT_CAP = dt.timedelta(seconds=60)


class OutboxSender:
    def __init__(
        self,
        app: Application,  # type: ignore[type-arg]
        outbox: Outbox,
        threads: StaffThreads | None = None,
        concurrency: int = 48,
        on_delivered: Callable[[str, list[int]], None] | None = None,
    ) -> None:
        self.app = app
        self.outbox = outbox
        self.threads = threads  # routes ticket messages in the staff chat
        # Told the key and message ids of what was delivered (e.g. where a staff card landed).
        self.on_delivered = on_delivered
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lanes: dict[Lane, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(concurrency)  # requests in flight (the HTTP pool)
        self._stopping = False

    def queue(self, key: str, chat_id: int, reply: Reply) -> None:
        self.outbox.put(key, chat_id, reply)
        self._wake.set()

    def wake(self, lanes: set[Lane] | None = None) -> None:
        """Something was queued: start these lanes now (others at the next look)."""
        if self._task is not None and not self._stopping:
            for lane in lanes or ():
                self._start_lane(lane)
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self, grace: float = 5.0) -> None:
        """Stop; a request in flight is waited for (up to ``grace`` seconds), as cancelling it
        could leave a message Telegram took unrecorded, to be sent again by the next start."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        lanes = list(self._lanes.values())
        if lanes:
            await asyncio.wait(lanes, timeout=grace)
        for task in lanes:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE_SECONDS)
            self._wake.clear()
            try:
                for lane in self.outbox.due_lanes():
                    self._start_lane(lane)
            except Exception:  # the loop must survive anything: it is what delivers later
                log.exception("outbox: could not look for due messages; will try again")

    def _start_lane(self, lane: Lane) -> None:
        if lane not in self._lanes:
            self._lanes[lane] = asyncio.create_task(self._lane(lane), name=f"outbox-lane-{lane}")

    async def _lane(self, lane: Lane) -> None:
        try:
            while not self._stopping and (pending := self.outbox.head(lane)) is not None:
                wait = _until(pending.next_attempt_at)
                if wait > IDLE_SECONDS:
                    return  # in back-off: the main loop starts the lane again when it is due
                if wait > 0:
                    await asyncio.sleep(wait)
                async with self._slots:
                    await self.attempt(pending)
        except Exception:
            log.exception("outbox lane failed; it is started again at the next look")
        finally:
            self._lanes.pop(lane, None)

    async def flush(self) -> int:
        """Try every due message once, lane by lane (tests and tools); the number delivered."""
        delivered = 0
        for lane in self.outbox.due_lanes():
            pending = self.outbox.head(lane)
            if pending is not None and await self.attempt(pending):
                delivered += 1
        return delivered

    async def attempt(self, pending: Pending) -> bool:
        """Send ``pending`` once and record the outcome; True if Telegram took it."""
        try:
            message_ids = await self._send(pending)
        except RetryAfter as exc:
            self.outbox.failed(pending.id, str(exc), _seconds(exc.retry_after))
        except Forbidden as exc:  # blocked or chat deleted: maybe unblocked later
            self.outbox.failed(pending.id, str(exc), BLOCKED_RETRY)
            if pending.reply.ticket is None:
                self._undeliverable(pending.chat_id, blocked=True)
        except BadRequest as exc:
            if pending.reply.edit_of is not None:
                self.outbox.give_up(pending.id, str(exc))  # a best-effort edit of an old card
            else:
                self._refused(pending, str(exc))
        except TelegramError as exc:  # 5xx, timeouts, network
            self.outbox.failed(pending.id, str(exc), cap=TRANSIENT_CAP)
        else:
            self.outbox.sent(pending.id)
            self._delivered(pending.reply.key or pending.key, message_ids)
            return True
        return False

    def _delivered(self, key: str, message_ids: list[int]) -> None:
        if self.on_delivered is None:
            return
        try:
            self.on_delivered(key, message_ids)
        except Exception:  # what was sent stays sent; only the bookkeeping is missing
            log.exception("after delivering outbox message %s", key)

    def _refused(self, pending: Pending, error: str) -> None:
        if pending.attempts + 1 < REFUSED_TRIES:
            self.outbox.failed(pending.id, error, cap=TRANSIENT_CAP)
            return
        self.outbox.give_up(pending.id, error)
        log.warning("outbox: message %s given up after %d tries: %s",
                    pending.id, pending.attempts + 1, error)  # fmt: skip
        if pending.key.startswith("notice:"):
            return  # a notice about a failure that failed itself: nobody left to tell
        if pending.reply.ticket is None and self._undeliverable(pending.chat_id, blocked=False):
            return
        self._tell_staff(pending, error)

    def _undeliverable(self, chat_id: int, blocked: bool) -> bool:
        """Tell the staff of the resident's open ticket (once per ticket)."""
        staff_chat = self.threads.staff_chat if self.threads is not None else None
        if self.threads is None or staff_chat is None:
            return False
        notice = self.threads.desk.undeliverable(chat_id, blocked)
        if notice is None or notice.key is None:
            return False
        if self.outbox.put(f"notice:{notice.key}", staff_chat, notice):
            self.wake({(staff_chat, notice.ticket)})
        return True

    def _tell_staff(self, pending: Pending, error: str) -> None:
        """A message given up outside any open ticket: one line in the staff chat."""
        staff_chat = self.threads.staff_chat if self.threads is not None else None
        if self.threads is None or staff_chat is None:
            return
        ticket, reason = pending.reply.ticket, _reason(error)
        staff = self.threads.desk.staff
        text = (
            staff.get("outbox_failed_ticket", ticket=ticket, reason=reason)
            if ticket is not None
            else staff.get("outbox_failed", reason=reason)
        )
        if self.outbox.put(f"notice:failed:{pending.id}", staff_chat, Reply(text)):
            self.wake({(staff_chat, None)})

    async def _send(self, pending: Pending) -> list[int]:
        reply = pending.reply
        if pending.edit_of is not None:
            await edit_message(
                self.app.bot, pending.chat_id, pending.edit_of, reply,
                skip=pending.parts_sent, on_part=self._progress(pending),
                thread_id=pending.thread_id,
            )  # fmt: skip
            return [pending.edit_of]
        if reply.ticket is not None and self.threads is not None:
            return await self.threads.send(pending.chat_id, reply)
        return await send(self.app.bot, pending.chat_id, reply, thread_id=pending.thread_id,
                          skip=pending.parts_sent, on_part=self._progress(pending))  # fmt: skip

    def _progress(self, pending: Pending) -> Callable[[int], None]:
        return lambda parts: self.outbox.progress(pending.id, parts)


def _until(moment: dt.datetime | None) -> float:
    return 0.0 if moment is None else (moment - utcnow()).total_seconds()


def _reason(error: str) -> str:
    """Telegram's own words without the 'Bad Request: ' prefix (they name no person)."""
    return html.escape(error.split(":", 1)[-1].strip()[:200])


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]
