"""python-telegram-bot's ``AIORateLimiter``, except that a 429 holds only its own request.

The stock limiter keeps to Telegram's limits (about 30 messages a second, 20 a minute per
group) and retries a 429 after the ``retry_after`` Telegram names, but while it waits it stops
every other request of the bot too: one flooded chat (typically the busy staff group) would
hold every resident's answer. Telegram's limits are per chat, so here only the refused request
waits and is retried; the other chats go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)
JSONDict = dict[str, Any]


class PerChatRateLimiter(AIORateLimiter):
    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        chat_id = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        group = chat_id if (isinstance(chat_id, int) and chat_id < 0) or isinstance(
            chat_id, str) else False  # fmt: skip
        for attempt in range(retries + 1):
            try:
                # The stock limiter's throttling (its overall and per-group limits), once.
                return await self._run_request(
                    chat=chat_id is not None, group=group,
                    allow_paid_broadcast=bool(data.get("allow_paid_broadcast", False)),
                    callback=callback, args=args, kwargs=kwargs,
                )  # fmt: skip
            except RetryAfter as exc:
                if attempt == retries:
                    raise
                wait = _seconds(exc.retry_after) + 0.1
                log.info("429 on %s; this request waits %.1f s", endpoint, wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # the loop returns or raises


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]
