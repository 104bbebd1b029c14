"""``BotApiEmulator``: the public entry point (server, simulated world, test driver)."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import TracebackType
from typing import Any

from .driver import SimChat, SimUser
from .faults import Chaos, Fault, FaultInjector
from .models import ApiCall, CallbackQueryState, FaultRecord, RecordedMessage, UserInfo
from .server import ApiServer
from .updates import UpdateHub
from .world import World

JSON = dict[str, Any]
MessagePredicate = Callable[[RecordedMessage], bool]


class BotApiEmulator:
    """A local Telegram Bot API server with a simulated world, for tests and manual chats.

    Example::

        async with BotApiEmulator() as emu:
            app = ApplicationBuilder().token("1:T").base_url(emu.base_url) \\
                .base_file_url(emu.base_file_url).build()
            alice = emu.user(first_name="Alice")
            await alice.send_text("hi")
            reply = await emu.wait_for_bot_message(alice.chat_id)
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        token: str | None = None,
        bot_id: int = 7000000001,
        bot_username: str = "emulated_bot",
        bot_name: str = "Emulated Bot",
        privacy_mode: bool = False,
        webhook_retry_max: float = 1.0,
    ) -> None:
        """``token=None`` accepts any token; ``privacy_mode=True`` hides ordinary group
        messages from a bot that is not an administrator (as Telegram's privacy mode)."""
        self.host = host
        self._requested_port = port
        self._hub = UpdateHub(retry_max=webhook_retry_max)
        bot = UserInfo(id=bot_id, first_name=bot_name, is_bot=True, username=bot_username)
        self.world = World(bot, self._hub, privacy_mode=privacy_mode)
        self._faults = FaultInjector()
        self._server = ApiServer(self.world, self._faults, token=token)
        self._cursors: dict[tuple[int, int | None], int] = {}  # (chat, thread) -> index
        self._next_user_id = 1001
        self._started = False

    # -- lifecycle -------------------------------------------------------------------
    async def start(self) -> None:
        """Start listening and delivering updates."""
        if self._started:
            return
        await self._hub.start()
        await self._server.start(self.host, self._requested_port)
        self._started = True

    async def stop(self) -> None:
        """Release long polls, stop webhook delivery and close the server."""
        if not self._started:
            return
        self._started = False
        await self._hub.stop()
        await self._server.stop()

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The bound TCP port (after :meth:`start`)."""
        if self._server.port is None:
            raise RuntimeError("the emulator is not started")
        return self._server.port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def bot(self) -> UserInfo:
        """The bot's own user."""
        return self.world.bot

    # -- simulated world -------------------------------------------------------------
    def user(
        self,
        user_id: int | None = None,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        is_premium: bool | None = None,
    ) -> SimUser:
        """Create (or update) a user who has a private chat with the bot."""
        if user_id is None:
            while self._next_user_id in self.world.users:
                self._next_user_id += 1
            user_id = self._next_user_id
        existing = self.world.users.get(user_id)
        if existing is not None and existing.is_bot:
            raise ValueError(f"user id {user_id} is the bot's")
        if existing is not None:  # the same person, profile updated
            existing.first_name, existing.last_name = first_name, last_name
            existing.username, existing.language_code = username, language_code
            existing.is_premium = is_premium
            self.world.add_user(existing)
            return SimUser(self.world, existing)
        info = UserInfo(
            id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_premium=is_premium,
        )
        self.world.add_user(info)
        return SimUser(self.world, info)

    def group(
        self,
        title: str = "Group",
        *,
        supergroup: bool = True,
        forum: bool = False,
        chat_id: int | None = None,
        username: str | None = None,
        members: dict[SimUser, str] | None = None,
        bot_status: str = "administrator",
    ) -> SimChat:
        """Create a group (``supergroup=False``), a supergroup or a forum supergroup."""
        state = self.world.create_chat(
            "supergroup" if supergroup or forum else "group",
            title,
            chat_id=chat_id,
            username=username,
            is_forum=forum,
            bot_status=bot_status,
        )
        chat = SimChat(self.world, state)
        for member, status in (members or {}).items():
            chat.add_member(member, status)
        return chat

    # -- inspection ------------------------------------------------------------------
    @property
    def calls(self) -> list[ApiCall]:
        """Every Bot API call the bot made, in order (faulted and failed ones included)."""
        return list(self._server.calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        """Calls of one method (case-insensitive)."""
        return [c for c in self._server.calls if c.method.lower() == method.lower()]

    def history(self, chat_id: int) -> list[RecordedMessage]:
        """All messages of a chat from both sides, deleted ones included."""
        return list(self.world.history.get(chat_id, []))

    def bot_messages(
        self, chat_id: int, thread_id: int | None = None, *, include_deleted: bool = False
    ) -> list[RecordedMessage]:
        """Messages the bot sent to a chat (service messages excluded)."""
        return [
            m
            for m in self.world.history.get(chat_id, [])
            if m.from_bot
            and not m.is_service
            and (include_deleted or not m.deleted)
            and (thread_id is None or m.thread_id == thread_id)
        ]

    async def wait_for_bot_message(
        self,
        chat_id: int,
        predicate: MessagePredicate | None = None,
        timeout: float = 5.0,
        *,
        thread_id: int | None = None,
    ) -> RecordedMessage:
        """The next bot message in ``chat_id`` (matching ``predicate``/``thread_id``).

        Reads like a stream: each chat (and each forum thread, when ``thread_id`` is given)
        has a read cursor, so a message returned here, and the ones skipped on the way to
        it, are not returned again by the next call. Messages sent before the call count,
        so a reply that arrived early is not missed. Raises ``TimeoutError`` listing the
        chat's latest bot messages.
        """
        key = (chat_id, thread_id)

        def find() -> RecordedMessage | None:
            history = self.world.history.get(chat_id, [])
            for index in range(self._cursors.get(key, 0), len(history)):
                message = history[index]
                if (
                    message.from_bot
                    and not message.is_service
                    and (thread_id is None or message.thread_id == thread_id)
                    and (predicate is None or predicate(message))
                ):
                    self._cursors[key] = index + 1
                    return message
            return None

        try:
            return await self.world.wait_until(find, timeout)
        except TimeoutError:
            seen = [m.text for m in self.bot_messages(chat_id)[-5:]]
            raise TimeoutError(
                f"no matching bot message in chat {chat_id} within {timeout}s; "
                f"latest bot messages: {seen}"
            ) from None

    def skip_bot_messages(self, chat_id: int) -> None:
        """Move the chat's read cursors (all threads) past everything sent so far."""
        end = len(self.world.history.get(chat_id, []))
        threads = {m.thread_id for m in self.world.history.get(chat_id, [])} | {None}
        for thread_id in threads:
            self._cursors[(chat_id, thread_id)] = end

    def file_bytes(self, message: RecordedMessage) -> bytes | None:
        """Content of the file in a message (document, photo, voice...), if any."""
        media = message.data.get(message.media_kind or "")
        if isinstance(media, list):  # photo sizes
            media = media[-1] if media else None
        if not isinstance(media, dict) or "file_id" not in media:
            return None
        stored = self.world.files.get(media["file_id"])
        return stored.data if stored else None

    @property
    def callback_answers(self) -> list[JSON]:
        """answerCallbackQuery answers, in order."""
        return [
            e.answer
            for e in self.world.events
            if e.kind == "callback_answer" and e.answer is not None
        ]

    async def wait_for_callback_answer(
        self, query: CallbackQueryState, timeout: float = 5.0
    ) -> JSON:
        """Wait until the bot answered ``query``; return the answer."""
        try:
            return await self.world.wait_until(lambda: query.answer, timeout)
        except TimeoutError:
            raise TimeoutError(f"callback query {query.id} not answered in {timeout}s") from None

    async def wait_for_call(self, method: str, timeout: float = 5.0, *, count: int = 1) -> ApiCall:
        """Wait until the bot made ``count`` calls of ``method``; return the last one."""

        def find() -> ApiCall | None:
            calls = self.calls_to(method)
            return calls[count - 1] if len(calls) >= count else None

        try:
            return await self.world.wait_until(find, timeout)
        except TimeoutError:
            raise TimeoutError(f"{method} not called {count} time(s) in {timeout}s") from None

    @property
    def updates(self) -> list[JSON]:
        """Every update queued for the bot, in order."""
        return list(self._hub.created)

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot."""
        return self._hub.pending_count

    def webhook_info(self) -> JSON:
        """What getWebhookInfo would answer."""
        return self._hub.webhook_info()

    @property
    def webhook_attempts(self) -> list[tuple[int, int | None]]:
        """Webhook POSTs as ``(update_id, HTTP status or None on connection error)``."""
        return list(self._hub.webhook_attempts)

    @property
    def chat_actions(self) -> list[tuple[int, str, int | None]]:
        """sendChatAction calls as ``(chat_id, action, thread_id)``."""
        return list(self.world.chat_actions)

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands set with setMyCommands for a scope (default scope by default)."""
        key = json.dumps(scope or {"type": "default"}, sort_keys=True)
        return list(self.world.commands.get((key, language_code), []))

    # -- fault injection -------------------------------------------------------------
    def inject_fault(
        self,
        method: str,
        error_code: int | None = 429,
        retry_after: int = 1,
        times: int = 1,
        *,
        delay: float = 0.0,
        description: str | None = None,
    ) -> Fault:
        """Make the next ``times`` calls of ``method`` (``"*"``: any) fail or stall.

        ``error_code`` 429 answers ``Too Many Requests: retry after N`` with
        ``parameters.retry_after``; 500/502/... answer Telegram's generic descriptions
        (``Bad Gateway``); ``description`` overrides. ``delay`` waits that many seconds
        first; with ``error_code=None`` the call is then processed normally (a slow server:
        a client that timed out may still see its message delivered).
        """
        return self._faults.add(
            method,
            error_code=error_code,
            retry_after=retry_after,
            times=times,
            delay=delay,
            description=description,
        )

    def chaos(self, rate: float, *, seed: int = 0, stall: float = 3.0,
              spared: tuple[str, ...] = ()) -> None:  # fmt: skip
        """From now on every call fails with probability ``rate`` (0 stops it): a 429, a 5xx,
        a stall of ``stall`` seconds ending in 504, or a connection reset, always before the
        call takes effect. ``spared`` methods never fail. Deterministic for a ``seed``."""
        self._faults.chaos = (
            Chaos(rate, seed, stall, frozenset(m.lower() for m in spared)) if rate > 0 else None
        )

    def clear_faults(self) -> None:
        """Drop faults that were not used up (and stop random ones)."""
        self._faults.clear()
        self._faults.chaos = None

    @property
    def faults(self) -> list[FaultRecord]:
        """Faults applied so far."""
        return list(self._faults.applied)
