"""/mydata, /forget and the confirmation button; after /forget, the staff chat is told in the
resident's ticket's topic (or reply chain) and the topic is closed."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.privacy.forget import OpenTicket
from handlers.resident import assistant, chat_id, staff_chat, who
from handlers.send import deliver

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE


async def mydata(update: Update, context: Context) -> None:
    """A summary and a JSON file of everything stored about the resident."""
    await deliver(context.bot, chat_id(update), [assistant(context).mydata(who(update))])


async def forget(update: Update, context: Context) -> None:
    """Ask whether to delete everything (nothing happens before the button is pressed)."""
    await deliver(context.bot, chat_id(update), [assistant(context).forget(who(update))])


async def forget_confirmed(update: Update, context: Context) -> None:
    """The confirmation button: delete, confirm, and close an open ticket in the staff chat."""
    forgotten = assistant(context).forget_confirmed(who(update))
    await deliver(context.bot, chat_id(update), forgotten.replies, query=update.callback_query)
    group = staff_chat(context)
    if forgotten.ticket is not None and group is not None:
        await close_in_staff_chat(context, group, forgotten.ticket)


async def close_in_staff_chat(context: Context, group: int, ticket: OpenTicket) -> None:
    """A neutral note, a neutral topic name (the old one held the first name), topic closed.
    Best effort: the data is already gone; a topic staff deleted needs nothing."""
    staff = assistant(context).desk.staff
    note = staff.get("forgotten", ticket=ticket.id)
    try:
        if ticket.thread_id is not None:
            await context.bot.send_message(group, note, message_thread_id=ticket.thread_id)
            name = staff.get("forgotten_topic", ticket=ticket.id)
            await context.bot.edit_forum_topic(group, ticket.thread_id, name=name)
            await context.bot.close_forum_topic(group, ticket.thread_id)
        else:
            await context.bot.send_message(
                group, note, reply_to_message_id=ticket.header_message_id
            )
    except TelegramError as exc:
        log.info("could not close ticket %s in the staff chat: %s", ticket.id, exc)
