"""Update queue: long polling via getUpdates, or in-order webhook delivery."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import aiohttp

from .errors import polling_conflict, webhook_conflict

JSON = dict[str, Any]
_LOGGER = logging.getLogger(__name__)

UPDATE_TYPES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)
# Telegram's default when allowed_updates is empty: everything except these.
OPT_IN_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class WebhookConfig:
    """The webhook the bot registered with setWebhook."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
    extra: JSON = field(default_factory=dict)


class UpdateHub:
    """Numbers updates and hands them to the bot by getUpdates or webhook POSTs.

    As in Telegram, an update stays pending until confirmed: by a getUpdates call with a
    higher ``offset``, or by a 2xx answer of the webhook. Webhook delivery is sequential,
    in update order, retried with exponential back-off while the bot's server fails.
    """

    def __init__(
        self,
        *,
        retry_base: float = 0.05,
        retry_max: float = 1.0,
        webhook_timeout: float = 10.0,
        first_update_id: int = 1,
    ) -> None:
        self._next_id = first_update_id
        self._pending: list[JSON] = []
        self._allowed: frozenset[str] = frozenset(UPDATE_TYPES) - OPT_IN_TYPES
        self._event = asyncio.Event()  # set (and replaced) on every change
        self._hook_event = asyncio.Event()  # set (and replaced) when the webhook changes
        self._generation = 0
        self._closing = False
        self._retry_base = retry_base
        self._retry_max = retry_max
        self._webhook_timeout = webhook_timeout
        self._worker: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self.webhook: WebhookConfig | None = None
        self.created: list[JSON] = []  # every update ever queued, for assertions
        self.webhook_attempts: list[tuple[int, int | None]] = []  # (update_id, HTTP status)
        self.on_change: Callable[[], None] | None = None  # observer, e.g. World.touch

    # -- lifecycle -------------------------------------------------------------------
    async def start(self) -> None:
        """Start the webhook delivery worker."""
        self._closing = False
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self._webhook_timeout)
        )
        self._worker = asyncio.create_task(self._deliver_forever(), name="tgemulator-webhook")

    async def stop(self) -> None:
        """Stop delivery and release pending long polls (they answer with no updates)."""
        self._closing = True
        self._notify(webhook_changed=True)
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            self._worker = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _notify(self, *, webhook_changed: bool = False) -> None:
        self._event.set()
        self._event = asyncio.Event()
        if webhook_changed:
            self._hook_event.set()
            self._hook_event = asyncio.Event()
        if self.on_change is not None:
            self.on_change()

    # -- queueing --------------------------------------------------------------------
    def push(self, kind: str, payload: JSON) -> JSON | None:
        """Queue an update of type ``kind``; ``None`` if filtered by allowed_updates."""
        if kind not in self._allowed:
            return None
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._pending.append(update)
        self.created.append(update)
        self._notify()
        return update

    @property
    def pending_count(self) -> int:
        """Number of updates not yet confirmed by the bot."""
        return len(self._pending)

    def set_allowed_updates(self, allowed: list[str] | None) -> None:
        """Remember ``allowed_updates`` (``None`` keeps the previous setting)."""
        if allowed is None:
            return
        chosen = frozenset(allowed) if allowed else frozenset(UPDATE_TYPES) - OPT_IN_TYPES
        self._allowed = chosen

    @property
    def allowed_updates(self) -> list[str]:
        """The update types currently delivered."""
        return sorted(self._allowed)

    def drop_pending(self) -> None:
        """Forget all pending updates."""
        self._pending.clear()

    # -- long polling ----------------------------------------------------------------
    async def get_updates(
        self, offset: int | None, limit: int, timeout: float, allowed: list[str] | None
    ) -> list[JSON]:
        """Answer getUpdates; waits up to ``timeout`` seconds for an update."""
        if self.webhook is not None:
            raise webhook_conflict()
        self._generation += 1
        generation = self._generation
        self._notify()  # terminates an older long poll with a conflict
        if offset is not None and offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset is not None and offset < 0:
            self._pending = self._pending[offset:]
        self.set_allowed_updates(allowed)
        limit = max(1, min(limit, 100))
        deadline = asyncio.get_running_loop().time() + max(0.0, timeout)
        while True:
            if self._pending or self._closing:
                return list(self._pending[:limit])
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return []
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return []
            if generation != self._generation:
                raise polling_conflict()
            if self.webhook is not None:
                return []

    # -- webhooks --------------------------------------------------------------------
    def set_webhook(self, config: WebhookConfig, *, drop_pending: bool) -> None:
        """Register (or replace) the webhook; wakes the delivery worker."""
        if drop_pending:
            self.drop_pending()
        self.webhook = config
        self._notify(webhook_changed=True)

    def delete_webhook(self, *, drop_pending: bool) -> None:
        """Remove the webhook."""
        if drop_pending:
            self.drop_pending()
        self.webhook = None
        self._notify(webhook_changed=True)

    def webhook_info(self) -> JSON:
        """The Bot API ``WebhookInfo`` object."""
        hook = self.webhook
        info: JSON = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            info["allowed_updates"] = self.allowed_updates
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    async def _deliver_forever(self) -> None:
        delay = self._retry_base
        while not self._closing:
            hook, event = self.webhook, self._event
            if hook is None or not self._pending:
                await event.wait()
                delay = self._retry_base
                continue
            update, hook_event = self._pending[0], self._hook_event
            error = await self._post(hook, update)
            if self.on_change is not None:
                self.on_change()
            if error is None:
                if self._pending and self._pending[0] is update:
                    self._pending.pop(0)
                delay = self._retry_base
                continue
            hook.last_error_date, hook.last_error_message = int(time.time()), error
            try:  # back off, but retry at once when the webhook is set again
                await asyncio.wait_for(hook_event.wait(), delay)
                delay = self._retry_base
            except TimeoutError:
                delay = min(delay * 2, self._retry_max)

    async def _post(self, hook: WebhookConfig, update: JSON) -> str | None:
        """POST one update; return an error message like Telegram's, or ``None``."""
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        try:
            async with self._session.post(
                hook.url, data=json.dumps(update), headers=headers
            ) as response:
                await response.read()
                self.webhook_attempts.append((update["update_id"], response.status))
                if 200 <= response.status < 300:
                    return None
                try:
                    phrase = HTTPStatus(response.status).phrase
                except ValueError:
                    phrase = response.reason or ""
                return f"Wrong response from the webhook: {response.status} {phrase}"
        except TimeoutError:
            self.webhook_attempts.append((update["update_id"], None))
            return "Read timeout expired"
        except aiohttp.ClientError as exc:
            self.webhook_attempts.append((update["update_id"], None))
            _LOGGER.debug("webhook delivery failed: %r", exc)
            return "Connection refused"
