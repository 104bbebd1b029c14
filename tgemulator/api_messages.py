"""Bot API methods on text messages: send, edit, delete, copy, forward, callback answers."""

from __future__ import annotations

import time
from typing import Any

from . import errors
from .content import CAPTION_LIMIT, TEXT_LIMIT, formatted_text, send, text_content, validate_markup
from .errors import bad_request
from .models import BotEvent, RecordedMessage
from .params import Params
from .registry import api_method
from .world import World

JSON = dict[str, Any]
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
COPYABLE_KEYS = (
    "text",
    "entities",
    "link_preview_options",
    "caption",
    "caption_entities",
    "document",
    "photo",
    "voice",
    "audio",
    "video",
    "sticker",
    "location",
)


@api_method("sendMessage")
async def send_message(world: World, p: Params) -> JSON:
    """Send a text message (parse_mode, entities, keyboards, threads, replies)."""
    text, entities = formatted_text(p, "text", limit=TEXT_LIMIT, required=True)
    return send(world, p, text_content(text, entities))


def _own_message(world: World, p: Params) -> RecordedMessage:
    """The bot message addressed by ``chat_id`` + ``message_id`` for an edit."""
    if p.has("inline_message_id") and not p.has("chat_id"):
        raise bad_request(errors.EDIT_NOT_FOUND)
    chat = world.resolve_chat(p.chat_id())
    message = world.get_message(chat.id, p.get_int("message_id"))
    if message is None:
        raise bad_request(errors.EDIT_NOT_FOUND)
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


def _apply_edit(
    world: World, message: RecordedMessage, changes: JSON, drop: tuple[str, ...]
) -> JSON:
    """Store the new version of ``message`` (or refuse an edit that changes nothing)."""
    updated = message.snapshot()
    for key in drop:
        updated.pop(key, None)
    updated.update(changes)
    current = {k: v for k, v in message.data.items() if k != "edit_date"}
    if {k: v for k, v in updated.items() if k != "edit_date"} == current:
        raise bad_request(errors.NOT_MODIFIED)
    message.edits.append(message.snapshot())
    updated["edit_date"] = int(time.time())
    message.data = updated
    world.emit(BotEvent("edit", message.chat_id, message))
    return message.snapshot()


@api_method("editMessageText")
async def edit_message_text(world: World, p: Params) -> JSON:
    """Replace the text; the inline keyboard is removed unless sent again (as in Telegram)."""
    message = _own_message(world, p)
    if "text" not in message.data:
        raise bad_request("there is no text in the message to edit")
    text, entities = formatted_text(p, "text", limit=TEXT_LIMIT, required=True)
    inline, _ = validate_markup(p.get_json("reply_markup"))
    changes = text_content(text, entities)
    if inline is not None:
        changes["reply_markup"] = inline
    link_preview = p.get_json("link_preview_options")
    if link_preview is not None:
        changes["link_preview_options"] = link_preview
    return _apply_edit(world, message, changes, ("entities", "reply_markup"))


@api_method("editMessageCaption")
async def edit_message_caption(world: World, p: Params) -> JSON:
    """Replace the caption of a media message."""
    message = _own_message(world, p)
    if message.media_kind is None:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = formatted_text(p, "caption", limit=CAPTION_LIMIT, required=False)
    inline, _ = validate_markup(p.get_json("reply_markup"))
    changes = text_content(caption, entities, caption=True)
    if inline is not None:
        changes["reply_markup"] = inline
    return _apply_edit(world, message, changes, ("caption", "caption_entities", "reply_markup"))


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(world: World, p: Params) -> JSON:
    """Replace (or, without ``reply_markup``, remove) the inline keyboard."""
    message = _own_message(world, p)
    inline, _ = validate_markup(p.get_json("reply_markup"))
    changes = {"reply_markup": inline} if inline is not None else {}
    return _apply_edit(world, message, changes, ("reply_markup",))


def _delete(world: World, chat_id: int, message_id: int | None) -> None:
    chat = world.resolve_chat(chat_id)
    message = world.get_message(chat.id, message_id)
    if message is None:
        raise bad_request(errors.DELETE_NOT_FOUND)
    if not message.from_bot and chat.type != "private" and not world.bot_is_admin(chat):
        raise bad_request("message can't be deleted")
    message.deleted = True
    world.emit(BotEvent("delete", chat.id, message))


@api_method("deleteMessage")
async def delete_message(world: World, p: Params) -> bool:
    """Delete one message (the bot's own, or any if private chat / admin)."""
    _delete(world, world.resolve_chat(p.chat_id()).id, p.get_int("message_id"))
    return True


@api_method("deleteMessages")
async def delete_messages(world: World, p: Params) -> bool:
    """Delete several messages; missing ones are skipped like Telegram does."""
    chat = world.resolve_chat(p.chat_id())
    ids = p.get_json("message_ids") or []
    for message_id in ids:
        if world.get_message(chat.id, int(message_id)) is not None:
            _delete(world, chat.id, int(message_id))
    return True


def _source(world: World, p: Params, what: str, done: str) -> RecordedMessage:
    source_chat = world.resolve_chat(p.chat_id("from_chat_id"))
    message = world.get_message(source_chat.id, p.get_int("message_id"))
    if message is None:
        raise bad_request(f"message to {what} not found")
    if message.text is None and message.media_kind is None:
        raise bad_request(f"message can't be {done}")
    return message


@api_method("copyMessage")
async def copy_message(world: World, p: Params) -> JSON:
    """Send a copy without a link to the original; returns ``MessageId``."""
    source = _source(world, p, "copy", "copied")
    content = {k: v for k, v in source.data.items() if k in COPYABLE_KEYS}
    if p.has("caption") and source.media_kind is not None:
        caption, entities = formatted_text(p, "caption", limit=CAPTION_LIMIT, required=False)
        content.pop("caption", None)
        content.pop("caption_entities", None)
        content.update(text_content(caption, entities, caption=True))
    return {"message_id": send(world, p, content)["message_id"]}


@api_method("forwardMessage")
async def forward_message(world: World, p: Params) -> JSON:
    """Forward with a ``forward_origin`` pointing at the original sender."""
    source = _source(world, p, "forward", "forwarded")
    content = {k: v for k, v in source.data.items() if k in COPYABLE_KEYS}
    origin = source.data.get("forward_origin") or {
        "type": "user",
        "date": source.data["date"],
        "sender_user": source.data["from"],
    }
    content["forward_origin"] = origin
    return send(world, p, content)


@api_method("sendChatAction")
async def send_chat_action(world: World, p: Params) -> bool:
    """Record a chat action such as ``typing``."""
    chat = world.resolve_chat(p.chat_id())
    action = p.get_str("action") or ""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    world.chat_actions.append((chat.id, action, p.get_int("message_thread_id")))
    return True


@api_method("answerCallbackQuery")
async def answer_callback_query(world: World, p: Params) -> bool:
    """Answer a callback query once; the answer is kept for assertions."""
    query = world.callback_queries.get(p.get_str("callback_query_id") or "")
    if query is None or query.answer is not None:
        raise bad_request(errors.QUERY_INVALID)
    text = p.get_str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answer = {
        "callback_query_id": query.id,
        "text": text,
        "show_alert": p.get_bool("show_alert"),
        "url": p.get_str("url"),
        "cache_time": p.get_int("cache_time", 0),
    }
    world.emit(BotEvent("callback_answer", query.chat_id or query.user_id, answer=query.answer))
    return True
