"""Showing the core's replies in Telegram: HTML, inline keyboards, edits, splitting at 4,096."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot

from bot.conversation import Reply
from handlers.durability import current_run
from handlers.splitting import split_message

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label[:64], callback_data=b.action) for b in row]
            for row in reply.buttons
        ]
    )


async def deliver(
    bot: ExtBot,  # type: ignore[type-arg]
    chat_id: int,
    replies: Sequence[Reply],
    query: CallbackQuery | None = None,
    thread_id: int | None = None,
    staff_chat: int | None = None,
    outbox: Any = None,
) -> None:
    """Show ``replies``. While an update is processed (``handlers.durability``) every message
    (to this chat, the staff chat and other residents) is stored in the outbox in the update's
    transaction and sent by the outbox sender; only a button's short notice is answered here."""
    run = current_run()
    if run is None or run.sender is None:
        await _deliver_now(bot, chat_id, replies, query, thread_id, staff_chat, outbox)
        return
    notice = run.record(chat_id, replies, query, thread_id, staff_chat)
    if query is not None:
        await query.answer(notice[:200] if notice else None)


async def _deliver_now(
    bot: ExtBot,  # type: ignore[type-arg]
    chat_id: int,
    replies: Sequence[Reply],
    query: CallbackQuery | None,
    thread_id: int | None,
    staff_chat: int | None,
    outbox: Any,
) -> None:
    """Without the outbox sender (an application without background tasks): send at once."""
    answered = False
    for reply in replies:
        if reply.to_staff or (reply.chat_id is not None and reply.chat_id != chat_id):
            target = staff_chat if reply.to_staff else reply.chat_id
            if target is None:  # without a staff chat, requests are only stored
                continue
            if reply.edit_of is not None:
                await _edit_elsewhere(bot, target, reply.edit_of, reply)
            elif outbox is not None and (reply.key or reply.ticket is not None):
                outbox.queue(reply.key or f"once:{uuid.uuid4()}", target, reply)
            else:
                await send(bot, target, reply)
        elif reply.mode == "notice" and query is not None:
            await query.answer(reply.text[:200])
            answered = True
        elif reply.mode == "edit" and query is not None and query.message is not None:
            await edit_message(bot, chat_id, query.message.message_id, reply, thread_id=thread_id)
        else:
            await send(bot, chat_id, reply, thread_id)
    if query is not None and not answered:
        await query.answer()


async def send(
    bot: ExtBot,  # type: ignore[type-arg]
    chat_id: int,
    reply: Reply,
    thread_id: int | None = None,
    reply_to: int | None = None,
    skip: int = 0,
    on_part: Callable[[int], None] | None = None,
) -> list[int]:
    """Send one reply (split if long, or as a copy of another message); the new message ids.

    A reply is sent in parts (its text's chunks, then its file); ``skip`` leaves out the parts
    already taken before a failure and ``on_part`` hears how many are taken so far."""
    replying = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    if reply.copy_of is not None:
        copied = await bot.copy_message(
            chat_id, reply.copy_of[0], reply.copy_of[1],
            message_thread_id=thread_id, reply_parameters=replying,
        )  # fmt: skip
        return [copied.message_id]
    sent: list[int] = []
    chunks = split_message(reply.text) if reply.text.strip() else []
    for number, chunk in enumerate(chunks, start=1):
        if number <= skip:
            continue
        message = await bot.send_message(
            chat_id,
            chunk,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(reply) if number == len(chunks) else None,
            link_preview_options=NO_PREVIEW,
            message_thread_id=thread_id,
            reply_parameters=replying if number == 1 else None,
        )
        sent.append(message.message_id)
        if on_part is not None:
            on_part(number)
    if reply.document is not None and skip <= len(chunks):
        await _document(bot, chat_id, reply.document, thread_id)
    return sent


async def edit_message(
    bot: ExtBot,  # type: ignore[type-arg]
    chat_id: int,
    message_id: int,
    reply: Reply,
    skip: int = 0,
    on_part: Callable[[int], None] | None = None,
    thread_id: int | None = None,
) -> None:
    """Replace a message's text and buttons (the message a pressed button belongs to); what
    does not fit follows as new messages (the buttons go with the last piece), then the file,
    if any. Parts as in ``send``: the edit, each further piece, the file."""
    first, *rest = split_message(reply.text) or [reply.text]
    if skip < 1:
        try:
            await bot.edit_message_text(
                first, chat_id, message_id, parse_mode=ParseMode.HTML,
                reply_markup=None if rest else keyboard(reply), link_preview_options=NO_PREVIEW,
            )  # fmt: skip
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
        if on_part is not None:
            on_part(1)
    for number, piece in enumerate(rest, start=2):
        if number <= skip:
            continue
        await bot.send_message(
            chat_id, piece, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
            reply_markup=keyboard(reply) if number == len(rest) + 1 else None,
            message_thread_id=thread_id,
        )  # fmt: skip
        if on_part is not None:
            on_part(number)
    if reply.document is not None:
        await _document(bot, chat_id, reply.document, thread_id)


async def _document(
    bot: ExtBot,  # type: ignore[type-arg]
    chat_id: int,
    document: tuple[str, bytes],
    thread_id: int | None = None,
) -> None:
    name, content = document
    await bot.send_document(chat_id, InputFile(content, filename=name), message_thread_id=thread_id)


async def _edit_elsewhere(
    bot: ExtBot,  # type: ignore[type-arg]
    chat_id: int,
    message_id: int,
    reply: Reply,
) -> None:
    """Edit an earlier message (e.g. take the buttons off an outdated staff card). Best effort:
    a message that is gone or too old stays as it is, and its buttons are refused anyway."""
    try:
        await edit_message(bot, chat_id, message_id, reply)
    except TelegramError as exc:
        log.info("could not edit message %s in chat %s: %s", message_id, chat_id, exc)
