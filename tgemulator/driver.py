"""Test driver: simulated users and chats that talk to the bot through updates."""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from typing import Any

from .api_media import media_object
from .formatting import parse_text
from .models import MEMBER_STATUSES, CallbackQueryState, ChatState, RecordedMessage, Topic, UserInfo
from .world import World

JSON = dict[str, Any]
_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?")
# The smallest valid Ogg page header, enough for code that sniffs the format.
DEFAULT_VOICE = b"OggS\x00\x02" + bytes(22)
DEFAULT_PHOTO = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x00\xc0"
    b"\x08\x02\x00\x00\x00"
)  # a PNG header declaring 256x192


class SimChat:
    """A group, supergroup or forum supergroup seen from the test."""

    def __init__(self, world: World, state: ChatState) -> None:
        self._world = world
        self.state = state

    @property
    def id(self) -> int:
        """The chat id (negative for groups)."""
        return self.state.id

    def add_member(self, user: SimUser | int, status: str = "member") -> None:
        """Add a user with a status: creator, administrator, member, restricted, left, kicked."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown status {status!r}; use one of {MEMBER_STATUSES}")
        user_id = user.id if isinstance(user, SimUser) else user
        self.state.members[user_id] = status

    def set_bot_status(self, status: str) -> None:
        """Change the bot's own membership (e.g. ``member`` to drop admin rights)."""
        self.state.members[self._world.bot.id] = status

    async def create_topic(self, name: str, by: SimUser, icon_color: int = 7322096) -> int:
        """A member opens a forum topic; the bot gets the ``forum_topic_created`` message."""
        by.require_member(self.state)
        _, message = self._world.create_topic(self.state, by.info, name, icon_color=icon_color)
        by.deliver(self.state, message, "message")
        await asyncio.sleep(0)
        return _topic_id(message)

    def delete_topic(self, thread_id: int, by: SimUser) -> None:
        """An administrator deletes a topic with all its messages (the bot is not told)."""
        by.require_member(self.state)
        topic = self._world.topic(self.state, thread_id)
        topic.deleted = True
        for message in self._world.history.get(self.state.id, []):
            if message.thread_id == thread_id:
                message.deleted = True

    def topic(self, thread_id: int) -> Topic:
        """A topic by id (also deleted ones)."""
        return self.state.topics[thread_id]

    def messages(self, thread_id: int | None = None) -> list[RecordedMessage]:
        """Full history of the chat (optionally of one topic), deletions included."""
        history = self._world.history.get(self.id, [])
        return [m for m in history if thread_id is None or m.thread_id == thread_id]


def _topic_id(message: RecordedMessage) -> int:
    thread_id = message.thread_id
    assert thread_id is not None
    return thread_id


class SimUser:
    """A simulated person. Every ``send_*`` creates the message and queues the update."""

    def __init__(self, world: World, info: UserInfo) -> None:
        self._world = world
        self.info = info

    @property
    def id(self) -> int:
        """User id, also the id of the private chat with the bot."""
        return self.info.id

    @property
    def chat_id(self) -> int:
        """Id of the private chat with the bot."""
        return self.info.id

    def block_bot(self, blocked: bool = True) -> None:
        """Block (or unblock) the bot: its sends then fail with 403 Forbidden."""
        self.info.blocked_bot = blocked

    # -- plumbing --------------------------------------------------------------------
    def _chat(self, chat: SimChat | ChatState | int | None) -> ChatState:
        if chat is None:
            return self._world.chats[self.id]
        if isinstance(chat, SimChat):
            return chat.state
        if isinstance(chat, ChatState):
            return chat
        return self._world.resolve_chat(chat)

    def require_member(self, chat: ChatState) -> None:
        """Refuse to act in a group the user is not in."""
        status = self._world.member_status(chat, self.id)
        if chat.type != "private" and status in ("left", "kicked"):
            raise ValueError(f"user {self.id} is not a member of chat {chat.id}")

    def deliver(self, chat: ChatState, message: RecordedMessage, kind: str) -> None:
        """Queue the update for ``message`` if the bot can see it."""
        if self._world.bot_should_see(chat, message):
            self._world.hub.push(kind, message.snapshot())

    async def send(
        self,
        content: JSON,
        *,
        chat: SimChat | ChatState | int | None = None,
        thread_id: int | None = None,
        reply_to: RecordedMessage | int | None = None,
    ) -> RecordedMessage:
        """Send arbitrary message content (a Bot API ``Message`` fragment)."""
        state = self._chat(chat)
        self.require_member(state)
        target: RecordedMessage | None = None
        if isinstance(reply_to, RecordedMessage):
            target = reply_to
        elif isinstance(reply_to, int):
            target = self._world.get_message(state.id, reply_to)
            if target is None:
                raise ValueError(f"no message {reply_to} in chat {state.id}")
        if state.is_forum and thread_id not in (None, 1):
            topic = self._world.topic(state, thread_id)
            if topic.closed and self._world.member_status(state, self.id) not in (
                "creator",
                "administrator",
            ):
                raise ValueError(f"topic {thread_id} is closed")
        message = self._world.new_message(
            state, self.info, content, thread_id=thread_id, reply_to=target
        )
        self.deliver(state, message, "message")
        await asyncio.sleep(0)
        return message

    # -- what people do --------------------------------------------------------------
    async def send_text(
        self, text: str, *, parse_mode: str | None = None, **where: Any
    ) -> RecordedMessage:
        """Send text; a leading ``/command`` gets its ``bot_command`` entity like in Telegram.

        ``where`` takes ``chat`` (default: the private chat), ``thread_id`` and ``reply_to``.
        """
        plain, entities = parse_text(text, parse_mode)
        match = _COMMAND.match(plain)
        if match:
            entities.insert(0, {"type": "bot_command", "offset": 0, "length": match.end()})
        content: JSON = {"text": plain}
        if entities:
            content["entities"] = entities
        return await self.send(content, **where)

    async def send_command(self, command: str, args: str = "", **where: Any) -> RecordedMessage:
        """Send ``/command args`` (the slash is optional)."""
        text = "/" + command.lstrip("/")
        return await self.send_text(f"{text} {args}".strip(), **where)

    async def reply(self, message: RecordedMessage, text: str) -> RecordedMessage:
        """Reply to ``message`` in its chat (and forum topic)."""
        return await self.send_text(
            text, chat=message.chat_id, thread_id=message.thread_id, reply_to=message
        )

    async def send_sticker(self, emoji: str = "👍", **where: Any) -> RecordedMessage:
        """Send a static sticker."""
        stored = self._world.store_file(
            b"RIFF\x00\x00\x00\x00WEBP", "sticker", mime_type="image/webp"
        )
        return await self.send({"sticker": media_object("sticker", stored, emoji=emoji)}, **where)

    async def send_voice(
        self, data: bytes = DEFAULT_VOICE, duration: int = 2, **where: Any
    ) -> RecordedMessage:
        """Send a voice note (OGG bytes by default)."""
        stored = self._world.store_file(data, "voice", mime_type="audio/ogg")
        return await self.send({"voice": media_object("voice", stored, duration=duration)}, **where)

    async def send_photo(
        self, data: bytes = DEFAULT_PHOTO, caption: str | None = None, **where: Any
    ) -> RecordedMessage:
        """Send a photo (a tiny PNG by default)."""
        stored = self._world.store_file(data, "photo", mime_type="image/png")
        content: JSON = {"photo": media_object("photo", stored)}
        if caption:
            content["caption"] = caption
        return await self.send(content, **where)

    async def send_document(
        self,
        data: bytes,
        file_name: str = "document.txt",
        mime_type: str = "text/plain",
        caption: str | None = None,
        **where: Any,
    ) -> RecordedMessage:
        """Send a file; the bot can download it with getFile."""
        stored = self._world.store_file(data, "document", file_name=file_name, mime_type=mime_type)
        content: JSON = {"document": media_object("document", stored)}
        if caption:
            content["caption"] = caption
        return await self.send(content, **where)

    async def send_location(
        self, latitude: float, longitude: float, **where: Any
    ) -> RecordedMessage:
        """Share a location."""
        return await self.send(
            {"location": {"latitude": latitude, "longitude": longitude}}, **where
        )

    async def edit_message(self, message: RecordedMessage, text: str) -> RecordedMessage:
        """Edit one of the user's own text messages (the bot gets ``edited_message``)."""
        if message.data.get("from", {}).get("id") != self.id:
            raise ValueError("users can only edit their own messages")
        message.edits.append(message.snapshot())
        message.data["text"] = text
        message.data.pop("entities", None)
        match = _COMMAND.match(text)
        if match:
            message.data["entities"] = [{"type": "bot_command", "offset": 0, "length": match.end()}]
        message.data["edit_date"] = int(time.time())
        state = self._chat(message.chat_id)
        self.deliver(state, message, "edited_message")
        self._world.touch()
        await asyncio.sleep(0)
        return message

    async def press_button(
        self,
        label: str | None = None,
        *,
        data: str | None = None,
        message: RecordedMessage | int | None = None,
        chat: SimChat | ChatState | int | None = None,
    ) -> CallbackQueryState:
        """Press an inline button; the bot gets a ``callback_query``.

        The message defaults to the latest bot message with an inline keyboard in ``chat``.
        The button is found by ``label`` (or by ``data``); with ``data`` alone, a query
        with that data is sent even if no such button exists (a stale keyboard).
        """
        state = self._chat(chat)
        target = self._target_message(state, message)
        if label is not None:
            button = _find_button(target, label)
            if "callback_data" not in button:
                raise ValueError(f"button {label!r} has no callback_data: {button}")
            data = button["callback_data"]
        if data is None:
            raise ValueError("give a button label or callback data")
        query = CallbackQueryState(
            id=str(secrets.randbits(63)),
            user_id=self.id,
            chat_id=state.id,
            message_id=target.message_id,
            data=data,
        )
        self._world.callback_queries[query.id] = query
        self._world.hub.push(
            "callback_query",
            {
                "id": query.id,
                "from": self.info.to_api(),
                "message": target.snapshot(),
                "chat_instance": state.chat_instance,
                "data": data,
            },
        )
        await asyncio.sleep(0)
        return query

    async def press_reply_button(self, label: str, **where: Any) -> RecordedMessage:
        """Tap a button of the reply keyboard the bot shows (sends its text)."""
        keyboard = self._chat(where.get("chat")).reply_keyboard or {}
        labels = [b.get("text") for row in keyboard.get("keyboard", []) for b in row]
        if label not in labels:
            raise ValueError(f"no reply keyboard button {label!r}; shown: {labels}")
        return await self.send_text(label, **where)

    def _target_message(
        self, state: ChatState, message: RecordedMessage | int | None
    ) -> RecordedMessage:
        if isinstance(message, RecordedMessage):
            return message
        if isinstance(message, int):
            found = self._world.get_message(state.id, message)
            if found is None:
                raise ValueError(f"no message {message} in chat {state.id}")
            return found
        for candidate in reversed(self._world.history.get(state.id, [])):
            if candidate.from_bot and not candidate.deleted and candidate.buttons:
                return candidate
        raise ValueError(f"no bot message with an inline keyboard in chat {state.id}")


# Direction marks and isolates: part of a label's text, but nothing a person sees.
_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u2066\u2067\u2068\u2069"))


def _find_button(message: RecordedMessage, label: str) -> JSON:
    buttons = [button for row in message.buttons for button in row]
    for exact in (True, False):
        for button in buttons:
            text = str(button.get("text", ""))
            seen = text.translate(_INVISIBLE).strip()  # as a person reads it
            if text == label or (not exact and seen.casefold() == label.casefold()):
                return button
    raise ValueError(
        f"no button {label!r} on message {message.message_id}; buttons: {message.button_labels}"
    )
