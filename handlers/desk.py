"""The staff desk in Telegram: /human and /end for residents; the staff group's messages and
commands (/claim, /kb, /close, /reopen, /inbox, /stats).

Who may act as staff (handlers/staff_rights.py) is checked for every staff command and every
message in the staff group, also there: a restricted member, or one who left before their
message was handled, is refused and nothing is relayed. Staff commands only act on the ticket
of the topic (or of the replied-to message) they are sent in.
"""

from __future__ import annotations

import logging

from telegram import Message, Update

from bot.conversation import Reply
from bot.conversation.replies import MessageRef, StaffRef
from bot.desk.service import Desk
from handlers.resident import Context, assistant, chat_id, outbox, staff_chat, who
from handlers.send import deliver
from handlers.staff_rights import is_staff

log = logging.getLogger(__name__)


def desk(context: Context) -> Desk:
    return assistant(context).desk


def message_ref(update: Update) -> MessageRef | None:
    message = update.effective_message
    if message is None or update.effective_chat is None:
        return None
    return MessageRef(update.effective_chat.id, message.message_id)


# -- residents --------------------------------------------------------------------------------


async def human(update: Update, context: Context) -> None:
    """Talk to a person: consent first, then a ticket for the staff."""
    await _resident(update, context, assistant(context).human(who(update)))


async def end(update: Update, context: Context) -> None:
    """End the conversation with staff."""
    await _resident(update, context, assistant(context).end(who(update)))


async def _resident(update: Update, context: Context, replies: list[Reply]) -> None:
    await deliver(context.bot, chat_id(update), replies, staff_chat=staff_chat(context),
                  outbox=outbox(context))  # fmt: skip


# -- staff ------------------------------------------------------------------------------------


def staff_of(update: Update) -> StaffRef:
    user = update.effective_user
    if user is None:
        return StaffRef(0, "?")
    return StaffRef(user.id, user.first_name or user.full_name or str(user.id))


def ticket_here(update: Update, context: Context) -> int | None:
    """The ticket a staff message belongs to: its forum topic, else the message it replies to."""
    message = update.effective_message
    if message is None:
        return None
    found = None
    if message.is_topic_message and message.message_thread_id:
        found = desk(context).ticket_for_thread(message.message_thread_id)
    reply_to = message.reply_to_message
    if found is None and reply_to is not None and not reply_to.forum_topic_created:
        found = desk(context).ticket_for_message(reply_to.chat.id, reply_to.message_id)
    return found


async def staff_message(update: Update, context: Context) -> None:
    """A message in the staff group: relayed to the ticket's resident unless it is a note."""
    message = update.effective_message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return
    ticket = ticket_here(update, context)
    if ticket is None:
        return  # staff talking among themselves outside any ticket
    if await _refused(update, context, relay=True):
        return
    ref = message_ref(update)
    assert ref is not None
    text = message.text or message.caption or ""
    kind = staff_content_kind(message)
    if kind is None:
        return  # e.g. a service message
    replies = desk(context).staff_message(ticket, staff_of(update), text, kind, ref)
    await _in_thread(update, context, replies)


async def claim(update: Update, context: Context) -> None:
    """/claim: take the ticket of this topic."""
    await _ticket_command(update, context, "claim")


async def kb(update: Update, context: Context) -> None:
    """/kb <entry-id>: send a knowledge-base answer in the resident's language."""
    await _ticket_command(update, context, "kb")


async def close(update: Update, context: Context) -> None:
    """/close: close the ticket; the resident is asked for a rating."""
    await _ticket_command(update, context, "close")


async def reopen(update: Update, context: Context) -> None:
    """/reopen: open a closed ticket again."""
    await _ticket_command(update, context, "reopen")


async def _ticket_command(update: Update, context: Context, command: str) -> None:
    if await _refused(update, context):
        return
    the_desk = desk(context)
    ticket = ticket_here(update, context)
    ref = message_ref(update)
    if ticket is None or ref is None:
        await _in_thread(update, context, [Reply(the_desk.staff.get("no_ticket"))])
        return
    staff = staff_of(update)
    if command == "claim":
        replies = the_desk.claim(ticket, staff)
    elif command == "kb":
        entry_id = " ".join(context.args or [])
        replies = the_desk.send_entry(ticket, staff, entry_id, ref)
    elif command == "close":
        replies = the_desk.close(ticket, staff, ref)
    else:
        replies = the_desk.reopen(ticket, staff, ref)
    await _in_thread(update, context, replies)


async def inbox(update: Update, context: Context) -> None:
    """/inbox: open tickets, unclaimed first, with their waiting time."""
    if await _refused(update, context):
        return
    await _in_thread(update, context, [desk(context).inbox()])


async def stats(update: Update, context: Context) -> None:
    """/stats: counts, ratings, time to the first answer."""
    if await _refused(update, context):
        return
    await _in_thread(update, context, [desk(context).stats()])


async def private_staff_command(update: Update, context: Context) -> None:
    """A ticket command in a private chat: staff are sent to the topic, others refused."""
    if await _refused(update, context):
        return
    await _in_thread(update, context, [Reply(desk(context).staff.get("no_ticket"))])


async def _refused(update: Update, context: Context, relay: bool = False) -> bool:
    """True (and the sender told so) if the sender is not staff: in the staff group in German
    in the topic, elsewhere in the sender's language."""
    user = update.effective_user
    if user is not None and not user.is_bot and await is_staff(context, user.id):
        return False
    if update.effective_chat is not None and update.effective_chat.id == staff_chat(context):
        key = "not_relayed_not_staff" if relay else "staff_only"
        await _in_thread(update, context, [Reply(desk(context).staff.get(key), language="de")])
        return True
    language = assistant(context).user_language(who(update))
    text = assistant(context).t(language, "desk.staff_only")
    await deliver(context.bot, chat_id(update), [Reply(text, language=language)])
    return True


async def _in_thread(update: Update, context: Context, replies: list[Reply]) -> None:
    message = update.effective_message
    thread_id = message.message_thread_id if message and message.is_topic_message else None
    await deliver(context.bot, chat_id(update), replies, thread_id=thread_id,
                  staff_chat=staff_chat(context), outbox=outbox(context))  # fmt: skip


def staff_content_kind(message: Message) -> str | None:
    """What a message carries, as the desk relays it (None: nothing to relay)."""
    if message.text:
        return "text"
    if message.photo:
        return "photo"
    if message.document:
        return "document"
    if message.voice or message.audio or message.video_note:
        return "voice"
    if message.video or message.animation or message.sticker:
        return "media"
    if message.location or message.venue or message.contact:
        return "media"
    return None
