"""What the assistant says, as data: text (Telegram's HTML subset) and rows of buttons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class UserRef:
    """Who is writing, as the channel knows them."""

    channel: str
    external_id: str
    chat_id: int | None = None
    first_name: str | None = None
    client_language: str | None = None  # e.g. Telegram's language_code


Mode = Literal["send", "edit", "notice"]


LABEL_LIMIT = 64  # longer button labels are cut by messengers; we shorten them ourselves


def short_label(text: str, limit: int = LABEL_LIMIT) -> str:
    """``text`` cut at the last word boundary that fits, with "…" (never mid-word)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut.strip():
        cut = cut[: cut.rstrip().rindex(" ")]
    return cut.rstrip(" ,;:–-") + "…"


@dataclass(frozen=True)
class Button:
    label: str
    action: str  # an encoded bot.actions string

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", short_label(self.label))


@dataclass(frozen=True)
class Reply:
    text: str = ""
    buttons: tuple[tuple[Button, ...], ...] = ()
    # send: a new message; edit: replace the message the pressed button belongs to;
    # notice: a short confirmation shown to the person who pressed a button.
    mode: Mode = "send"
    language: str = "de"
    rtl: bool = False
    # A file to send with the text (name, content), e.g. an .ics calendar file.
    document: tuple[str, bytes] | None = None
    # Where to send it, if not to the person who wrote: another user's chat, or the staff chat.
    chat_id: int | None = None
    to_staff: bool = False
    # Messages to other chats go through the outbox under this key (one message per key).
    key: str | None = None
    # For the staff chat: the ticket whose thread (forum topic, or reply chain) it belongs to.
    ticket: int | None = None
    # Copy this message (chat id, message id) instead of sending text; ``text`` becomes its caption.
    copy_of: tuple[int, int] | None = None
    # Edit this earlier message of the target chat instead of sending a new one (best effort:
    # e.g. to take the buttons off a staff card that no longer matches its request).
    edit_of: int | None = None


@dataclass(frozen=True)
class MessageRef:
    """A message as the channel knows it (chat and message number)."""

    chat_id: int
    message_id: int


@dataclass(frozen=True)
class StaffRef:
    """A member of staff acting in the staff chat."""

    user_id: int
    name: str
