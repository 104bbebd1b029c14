"""In-memory simulated Telegram: users, chats, members, topics, messages and files."""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections.abc import Callable
from typing import Any, TypeVar

from . import errors
from .errors import bad_request
from .models import (
    BotEvent,
    CallbackQueryState,
    ChatState,
    RecordedMessage,
    StoredFile,
    Topic,
    UserInfo,
)
from .updates import UpdateHub

JSON = dict[str, Any]
_T = TypeVar("_T")

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)
_RESTRICTED_RIGHTS = (
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_send_messages",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_manage_topics",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_edit_tag",
    "can_react_to_messages",
)


class World:
    """The emulator's state. Bot API handlers and the test driver both work on it."""

    def __init__(self, bot: UserInfo, hub: UpdateHub, *, privacy_mode: bool = False) -> None:
        self.bot = bot
        self.hub = hub
        hub.on_change = self.touch
        self.privacy_mode = privacy_mode
        self.users: dict[int, UserInfo] = {bot.id: bot}
        self.chats: dict[int, ChatState] = {}
        self.history: dict[int, list[RecordedMessage]] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQueryState] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.bot_settings: dict[str, Any] = {}
        self.chat_actions: list[tuple[int, str, int | None]] = []
        self.events: list[BotEvent] = []
        self._subscribers: list[asyncio.Queue[BotEvent]] = []
        self._changed = asyncio.Event()
        self._ids = itertools.count(1)
        self._group_ids = itertools.count(1)

    # -- change notification ----------------------------------------------------------
    def emit(self, event: BotEvent) -> None:
        """Record a bot-side event and wake waiters and subscribers."""
        self.events.append(event)
        for queue in self._subscribers:
            queue.put_nowait(event)
        self.touch()

    def touch(self) -> None:
        """Wake everything waiting in :meth:`wait_until`."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(
        self, check: Callable[[], _T | None], timeout: float, poll: float = 0.05
    ) -> _T:
        """Wait until ``check()`` returns something truthy; return it (TimeoutError after).

        ``check`` runs on every change of the world and at least every ``poll`` seconds
        (so it may also look at state outside the emulator, like the bot's own data).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            result = check()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError
            try:
                await asyncio.wait_for(changed.wait(), min(remaining, poll))
            except TimeoutError:
                continue

    def subscribe(self) -> asyncio.Queue[BotEvent]:
        """A queue receiving every future :class:`BotEvent`."""
        queue: asyncio.Queue[BotEvent] = asyncio.Queue()
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[BotEvent]) -> None:
        """Stop feeding ``queue``."""
        if queue in self._subscribers:
            self._subscribers.remove(queue)

    def new_id(self) -> int:
        """A fresh number for generated identifiers."""
        return next(self._ids)

    # -- users and chats -------------------------------------------------------------
    def add_user(self, user: UserInfo) -> ChatState:
        """Register ``user`` (replacing its profile) and return its private chat."""
        self.users[user.id] = user
        chat = self.chats.get(user.id)
        if chat is None:
            chat = ChatState(id=user.id, type="private", private_user=user)
            chat.members = {user.id: "member", self.bot.id: "member"}
            self.chats[user.id] = chat
            self.history[user.id] = []
        chat.private_user = user
        return chat

    def create_chat(
        self,
        chat_type: str,
        title: str,
        *,
        chat_id: int | None = None,
        username: str | None = None,
        is_forum: bool = False,
        bot_status: str = "administrator",
    ) -> ChatState:
        """Create a group, supergroup (optionally a forum) or channel."""
        if chat_type not in ("group", "supergroup", "channel"):
            raise ValueError(f"unsupported chat type {chat_type!r}")
        if is_forum and chat_type != "supergroup":
            raise ValueError("only supergroups can be forums")
        if chat_id is None:
            serial = next(self._group_ids)
            chat_id = -serial if chat_type == "group" else -1001000000000 - serial
        # Message 1 is the chat's creation; in forums thread id 1 is the General topic.
        chat = ChatState(
            id=chat_id,
            type=chat_type,
            title=title,
            username=username,
            is_forum=is_forum,
            next_message_id=2,
        )
        chat.members[self.bot.id] = bot_status
        self.chats[chat_id] = chat
        self.history[chat_id] = []
        return chat

    def resolve_chat(self, chat_id: int | str) -> ChatState:
        """The chat for an id or ``@username``, else ``Bad Request: chat not found``."""
        if isinstance(chat_id, str):
            name = chat_id.lstrip("@").lower()
            for candidate in self.chats.values():
                if candidate.username and candidate.username.lower() == name:
                    return candidate
            raise bad_request(errors.CHAT_NOT_FOUND)
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request(errors.CHAT_NOT_FOUND)
        return chat

    def member_status(self, chat: ChatState, user_id: int) -> str:
        """Membership status of ``user_id`` in ``chat`` (``left`` if unknown)."""
        return chat.members.get(user_id, "left")

    def bot_is_admin(self, chat: ChatState) -> bool:
        """Whether the bot is an administrator (or creator) of ``chat``."""
        return chat.members.get(self.bot.id) in ("administrator", "creator")

    def member_json(self, chat: ChatState, user: UserInfo) -> JSON:
        """The Bot API ``ChatMember`` object of ``user`` in ``chat``."""
        status = self.member_status(chat, user.id)
        data: JSON = {"status": status, "user": user.to_api()}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            data.update({"can_be_edited": False, "is_anonymous": False})
            data.update({right: True for right in _ADMIN_RIGHTS})
        elif status == "restricted":
            data.update({right: False for right in _RESTRICTED_RIGHTS})
            data.update(is_member=True, until_date=0)
        elif status == "kicked":
            data["until_date"] = 0
        return data

    # -- topics ------------------------------------------------------------------------
    def topic(self, chat: ChatState, thread_id: int) -> Topic:
        """An existing, not deleted topic, else ``Bad Request: message thread not found``."""
        topic = chat.topics.get(thread_id)
        if topic is None or topic.deleted:
            raise bad_request(errors.THREAD_NOT_FOUND)
        return topic

    def create_topic(
        self,
        chat: ChatState,
        creator: UserInfo,
        name: str,
        *,
        icon_color: int = 7322096,
        icon_custom_emoji_id: str | None = None,
    ) -> tuple[Topic, RecordedMessage]:
        """Open a forum topic; its id is the id of the ``forum_topic_created`` message."""
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        topic = Topic(chat.next_message_id, name, icon_color, icon_custom_emoji_id)
        chat.topics[topic.thread_id] = topic
        created: JSON = {"name": name, "icon_color": icon_color}
        if icon_custom_emoji_id:
            created["icon_custom_emoji_id"] = icon_custom_emoji_id
        message = self.new_message(
            chat,
            creator,
            {"forum_topic_created": created},
            thread_id=topic.thread_id,
            quote_topic=False,
        )
        return topic, message

    # -- messages ----------------------------------------------------------------------
    def get_message(self, chat_id: int, message_id: int | None) -> RecordedMessage | None:
        """A message that exists and was not deleted."""
        for message in reversed(self.history.get(chat_id, [])):
            if message.message_id == message_id:
                return None if message.deleted else message
        return None

    def new_message(
        self,
        chat: ChatState,
        sender: UserInfo,
        content: JSON,
        *,
        thread_id: int | None = None,
        reply_to: RecordedMessage | None = None,
        quote_topic: bool = True,
        reply_keyboard: JSON | None = None,
    ) -> RecordedMessage:
        """Create, number and record a message; emits an event when the bot sent it.

        In forum topics, like Telegram, a message that replies to nothing carries the
        topic's creation message as ``reply_to_message`` (``quote_topic``).
        """
        if thread_id is None and reply_to is not None and chat.is_forum:
            thread_id = reply_to.thread_id
        if chat.is_forum and thread_id == 1:
            thread_id = None  # the General topic
        if chat.is_forum and thread_id is not None:
            self.topic(chat, thread_id)
            if reply_to is None and quote_topic:
                reply_to = self.get_message(chat.id, thread_id)
        data: JSON = {
            "message_id": chat.next_message_id,
            "date": int(time.time()),
            "chat": chat.to_api(),
            "from": sender.to_api(),
        }
        chat.next_message_id += 1
        if thread_id is not None:
            data["message_thread_id"] = thread_id
            if chat.is_forum:
                data["is_topic_message"] = True
        if reply_to is not None:
            quoted = reply_to.snapshot()
            quoted.pop("reply_to_message", None)
            data["reply_to_message"] = quoted
        data.update(content)
        message = RecordedMessage(
            data=data, from_bot=sender.id == self.bot.id, reply_keyboard=reply_keyboard
        )
        if reply_keyboard is not None:
            chat.reply_keyboard = None if reply_keyboard.get("remove_keyboard") else reply_keyboard
        self.history.setdefault(chat.id, []).append(message)
        if message.from_bot:
            self.emit(BotEvent("message", chat.id, message))
        else:
            self.touch()
        return message

    def bot_should_see(self, chat: ChatState, message: RecordedMessage) -> bool:
        """Privacy mode: in groups the bot only sees commands, replies and mentions."""
        if chat.type == "private" or not self.privacy_mode or self.bot_is_admin(chat):
            return True
        text = message.text or ""
        reply = message.data.get("reply_to_message") or {}
        mention = f"@{self.bot.username}" if self.bot.username else None
        return (
            text.startswith("/")
            or reply.get("from", {}).get("id") == self.bot.id
            or bool(mention and mention in text)
        )

    # -- files -------------------------------------------------------------------------
    def store_file(
        self, data: bytes, kind: str, *, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        """Keep file bytes and give them a file_id and a download path."""
        serial = self.new_id()
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=f"EMU{kind[:3].upper()}{serial}{secrets.token_hex(6)}",
            file_unique_id=f"U{serial}{secrets.token_hex(4)}",
            file_path=f"{kind}s/file_{serial}{suffix}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored
