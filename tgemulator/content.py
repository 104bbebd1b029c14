"""Validation and assembly shared by the message-sending Bot API methods."""

from __future__ import annotations

from typing import Any

from . import errors
from .errors import bad_request, forbidden
from .formatting import parse_text
from .models import ChatState, RecordedMessage
from .params import Params
from .world import World

JSON = dict[str, Any]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def formatted_text(p: Params, field: str, *, limit: int, required: bool) -> tuple[str, list[JSON]]:
    """Parse ``field`` with ``parse_mode`` (or explicit entities) and check its length."""
    raw = p.get_str(field)
    if raw is None or not raw.strip():
        if required:
            raise bad_request(errors.MESSAGE_TEXT_EMPTY)
        return "", []
    entities_field = "entities" if field == "text" else "caption_entities"
    explicit = p.get_json(entities_field)
    if explicit is not None:
        text, entities = raw, list(explicit)
    else:
        text, entities = parse_text(raw, p.get_str("parse_mode"))
    if not text.strip() and required:
        raise bad_request(errors.MESSAGE_TEXT_EMPTY)
    if len(text) > limit:
        raise bad_request(errors.MESSAGE_TOO_LONG if field == "text" else errors.CAPTION_TOO_LONG)
    return text, entities


def text_content(text: str, entities: list[JSON], *, caption: bool = False) -> JSON:
    """``{"text": ..., "entities": [...]}`` (or the caption variant)."""
    if not text:
        return {}
    key, entity_key = ("caption", "caption_entities") if caption else ("text", "entities")
    content: JSON = {key: text}
    if entities:
        content[entity_key] = entities
    return content


def validate_markup(markup: Any) -> tuple[JSON | None, JSON | None]:
    """Check ``reply_markup``; return ``(inline_markup, other_markup)``."""
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                _check_inline_button(button)
        return {"inline_keyboard": rows}, None
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays'
            )
        normalized = [[b if isinstance(b, dict) else {"text": str(b)} for b in row] for row in rows]
        return None, {**markup, "keyboard": normalized}
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return None, markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not str(button.get("text", "")).strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [key for key in _BUTTON_ACTIONS if key in button]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = str(button["callback_data"]).encode()
        if not 1 <= len(data) <= 64:
            raise bad_request(errors.BUTTON_DATA_INVALID)
    if "url" in button:
        url = str(button["url"])
        if not url.startswith(("http://", "https://", "tg://")):
            raise bad_request(
                f"inline keyboard button URL '{url}' is invalid: Unsupported URL protocol"
            )


def check_bot_can_send(world: World, chat: ChatState) -> None:
    """Refuse like Telegram when the bot was blocked or is not in the chat."""
    if chat.type == "private":
        user = chat.private_user
        if user is not None and user.blocked_bot:
            raise forbidden("bot was blocked by the user")
        return
    status = world.member_status(chat, world.bot.id)
    kind = "channel chat" if chat.type == "channel" else f"{chat.type} chat"
    if status == "kicked":
        raise forbidden(f"bot was kicked from the {kind}")
    if status == "left":
        raise forbidden(f"bot is not a member of the {kind}")


def resolve_reply(world: World, chat: ChatState, p: Params) -> RecordedMessage | None:
    """The message replied to, from ``reply_parameters`` or ``reply_to_message_id``."""
    reply_parameters = p.get_json("reply_parameters")
    allow_missing = p.get_bool("allow_sending_without_reply")
    message_id: int | None = p.get_int("reply_to_message_id")
    target_chat = chat
    if isinstance(reply_parameters, dict):
        message_id = reply_parameters.get("message_id")
        allow_missing = bool(reply_parameters.get("allow_sending_without_reply", allow_missing))
        if reply_parameters.get("chat_id") is not None:
            target_chat = world.resolve_chat(reply_parameters["chat_id"])
    if message_id is None:
        return None
    message = world.get_message(target_chat.id, int(message_id))
    if message is None and not allow_missing:
        raise bad_request(errors.REPLY_NOT_FOUND)
    return message


def send(world: World, p: Params, content: JSON) -> JSON:
    """Common path of every sendX method: validate, record and return the Message."""
    chat = world.resolve_chat(p.chat_id())
    check_bot_can_send(world, chat)
    inline, other = validate_markup(p.get_json("reply_markup"))
    thread_id = p.get_int("message_thread_id")
    if chat.is_forum and thread_id is not None and thread_id != 1:
        world.topic(chat, thread_id)
    reply_to = resolve_reply(world, chat, p)
    if inline is not None:
        content = {**content, "reply_markup": inline}
    link_preview = p.get_json("link_preview_options")
    if link_preview is not None and "text" in content:
        content = {**content, "link_preview_options": link_preview}
    if p.get_bool("protect_content"):
        content = {**content, "has_protected_content": True}
    message = world.new_message(
        chat, world.bot, content, thread_id=thread_id, reply_to=reply_to, reply_keyboard=other
    )
    return message.snapshot()
