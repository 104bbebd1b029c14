"""Data classes of the simulated world and of the recorded history."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")


@dataclass
class UserInfo:
    """A simulated Telegram user (or the bot itself)."""

    id: int
    first_name: str
    is_bot: bool = False
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_premium: bool | None = None
    blocked_bot: bool = False

    def to_api(self) -> JSON:
        """The Bot API ``User`` object."""
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code", "is_premium"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}".strip() if self.last_name else self.first_name


@dataclass
class Topic:
    """A forum topic of a forum supergroup."""

    thread_id: int
    name: str
    icon_color: int = 7322096
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    deleted: bool = False

    def to_api(self) -> JSON:
        """The Bot API ``ForumTopic`` object."""
        data: JSON = {
            "message_thread_id": self.thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            data["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return data


@dataclass
class ChatState:
    """A chat: ``private`` (id = user id), ``group``, ``supergroup`` or ``channel``."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    is_forum: bool = False
    members: dict[int, str] = field(default_factory=dict)  # user id -> status
    topics: dict[int, Topic] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: JSON | None = None  # last reply keyboard the bot showed
    menu_button: JSON | None = None
    private_user: UserInfo | None = None

    @property
    def chat_instance(self) -> str:
        """A stable ``chat_instance`` for callback queries from this chat."""
        return str(int(hashlib.blake2b(str(self.id).encode(), digest_size=8).hexdigest()[:15], 16))

    def to_api(self) -> JSON:
        """The short Bot API ``Chat`` object embedded in messages."""
        data: JSON = {"id": self.id, "type": self.type}
        if self.type == "private" and self.private_user is not None:
            user = self.private_user
            data["first_name"] = user.first_name
            if user.last_name:
                data["last_name"] = user.last_name
            if user.username:
                data["username"] = user.username
        else:
            data["title"] = self.title or ""
            if self.username:
                data["username"] = self.username
            if self.is_forum:
                data["is_forum"] = True
        return data

    def to_full_api(self) -> JSON:
        """The Bot API ``ChatFullInfo`` object returned by getChat."""
        data = self.to_api()
        data.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        if self.type in ("group", "supergroup"):
            data["permissions"] = {
                "can_send_messages": True,
                "can_send_photos": True,
                "can_send_documents": True,
                "can_invite_users": True,
            }
        return data


@dataclass
class StoredFile:
    """A file known to the emulator (uploaded by the bot or sent by a user)."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None

    def to_api(self) -> JSON:
        """The Bot API ``File`` object returned by getFile."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class RecordedMessage:
    """One message in a chat's history, as the Bot API ``Message`` dict plus bookkeeping."""

    data: JSON
    from_bot: bool
    deleted: bool = False
    edits: list[JSON] = field(default_factory=list)  # earlier versions, oldest first
    reply_keyboard: JSON | None = None  # reply keyboard / remove / force_reply sent with it

    @property
    def message_id(self) -> int:
        """Message id within its chat."""
        return int(self.data["message_id"])

    @property
    def chat_id(self) -> int:
        """Id of the chat the message belongs to."""
        return int(self.data["chat"]["id"])

    @property
    def thread_id(self) -> int | None:
        """Forum topic / thread id, if any."""
        value = self.data.get("message_thread_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str | None:
        """Plain text (markup already parsed away) or the caption of a media message."""
        return self.data.get("text", self.data.get("caption"))

    @property
    def entities(self) -> list[JSON]:
        """Text or caption entities."""
        entities = self.data.get("entities", self.data.get("caption_entities"))
        return list(entities) if entities else []

    @property
    def reply_markup(self) -> JSON | None:
        """The inline keyboard markup, if any."""
        return self.data.get("reply_markup")

    @property
    def buttons(self) -> list[list[JSON]]:
        """Inline keyboard rows (empty when there is no inline keyboard)."""
        markup = self.reply_markup or {}
        return [list(row) for row in markup.get("inline_keyboard", [])]

    @property
    def button_labels(self) -> list[str]:
        """Texts of all inline buttons, row by row."""
        return [button["text"] for row in self.buttons for button in row]

    @property
    def media_kind(self) -> str | None:
        """``document``, ``photo``, ``voice``... or ``None`` for text/service messages."""
        for kind in ("document", "photo", "voice", "audio", "video", "sticker", "location"):
            if kind in self.data:
                return kind
        return None

    @property
    def is_service(self) -> bool:
        """Whether this is a service message (topic created/closed/..., no content)."""
        return self.text is None and self.media_kind is None

    @property
    def edited(self) -> bool:
        """Whether the message was edited."""
        return bool(self.edits)

    def snapshot(self) -> JSON:
        """A deep copy of the current ``Message`` dict."""
        return copy.deepcopy(self.data)


@dataclass
class ApiCall:
    """A Bot API call made by the bot, with its outcome once answered."""

    method: str
    params: JSON
    time: float
    token: str
    ok: bool | None = None  # None while the call is still being processed
    error: str | None = None  # Telegram's description when it failed


@dataclass(frozen=True)
class FaultRecord:
    """A fault that was applied to a call."""

    method: str
    error_code: int | None
    description: str | None
    delay: float
    time: float


@dataclass
class CallbackQueryState:
    """A callback query sent to the bot, and the bot's answer once it came."""

    id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    data: str | None
    answer: JSON | None = None


@dataclass(frozen=True)
class BotEvent:
    """Something the bot did in a chat: ``message``, ``edit``, ``delete`` or ``callback_answer``."""

    kind: str
    chat_id: int
    message: RecordedMessage | None = None
    answer: JSON | None = None
