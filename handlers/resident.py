"""Residents' private chat with the bot: commands, questions, buttons, everything else."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot import actions
from bot.conversation import Assistant, Reply, UserRef
from bot.conversation.replies import MessageRef
from handlers.durability import SENDER_KEY
from handlers.send import deliver
from handlers.services import Services
from handlers.staff_rights import is_staff

Context = ContextTypes.DEFAULT_TYPE


def services(context: Context) -> Services:
    found: Services = context.application.bot_data["services"]
    return found


def assistant(context: Context) -> Assistant:
    return services(context).assistant


def chat_id(update: Update) -> int:
    """The chat to answer in (every update these handlers receive has one)."""
    if update.effective_chat is None:
        raise ValueError(f"update {update.update_id} has no chat")
    return update.effective_chat.id


def who(update: Update) -> UserRef:
    user = update.effective_user
    chat = update.effective_chat
    return UserRef(
        channel="telegram",
        external_id=str(user.id if user else chat.id if chat else 0),
        chat_id=chat.id if chat else None,
        first_name=user.first_name if user else None,
        client_language=user.language_code if user else None,
    )


async def start(update: Update, context: Context) -> None:
    """Greet and offer the language choice; `/start <entry-id>` opens that answer."""
    payload = context.args[0] if context.args else None
    await deliver(context.bot, chat_id(update), assistant(context).start(who(update), payload))


async def language(update: Update, context: Context) -> None:
    """Offer the language choice."""
    await deliver(context.bot, chat_id(update), [assistant(context).choose_language(who(update))])


async def help_(update: Update, context: Context) -> None:
    """Explain what the bot does."""
    await deliver(context.bot, chat_id(update), [assistant(context).help(who(update))])


async def privacy(update: Update, context: Context) -> None:
    """Say what is stored, why and for how long, with a button to delete it."""
    await deliver(context.bot, chat_id(update), [assistant(context).privacy_notice(who(update))])


async def cancel(update: Update, context: Context) -> None:
    """Stop the current step (outside a form there is nothing to stop)."""
    await deliver(context.bot, chat_id(update), [assistant(context).cancel(who(update))])


async def appointment(update: Update, context: Context) -> None:
    """Start a request for an advice appointment."""
    await deliver(context.bot, chat_id(update), assistant(context).appointment(who(update)),
                  staff_chat=staff_chat(context))  # fmt: skip


async def my_requests(update: Update, context: Context) -> None:
    """List the resident's requests with cancel buttons."""
    await deliver(context.bot, chat_id(update), [assistant(context).my_requests(who(update))])


def staff_chat(context: Context) -> int | None:
    return services(context).settings.telegram.staff_chat_id


def outbox(context: Context) -> Any:
    return context.application.bot_data.get(SENDER_KEY)


async def topics(update: Update, context: Context) -> None:
    """Show the topics to browse."""
    await deliver(context.bot, chat_id(update), [assistant(context).topics(who(update))])


async def question(update: Update, context: Context) -> None:
    """Answer a free-text message."""
    message = update.effective_message
    text = message.text or "" if message else ""
    ref = MessageRef(chat_id(update), message.message_id) if message else None
    await deliver(context.bot, chat_id(update), assistant(context).ask(who(update), text, ref),
                  staff_chat=staff_chat(context), outbox=outbox(context))  # fmt: skip


async def button(update: Update, context: Context) -> None:
    """Handle an inline button press."""
    query = update.callback_query
    message_ref = str(query.message.message_id) if query and query.message else ""
    data = query.data if query else None
    action = actions.parse(data)
    if action is not None and action.kind.startswith("staff_"):
        user = update.effective_user
        in_staff_chat = chat_id(update) == staff_chat(context)
        if in_staff_chat and (user is None or not await is_staff(context, user.id)):
            text = services(context).assistant.desk.staff.get("staff_only")
            replies = [Reply(text, mode="notice", language="de")]
        else:
            replies = staff_decision(update, context, action)
    else:
        replies = assistant(context).press(who(update), data, message_ref)
    await deliver(
        context.bot, chat_id(update), replies, query=query,
        staff_chat=staff_chat(context), outbox=outbox(context),
    )  # fmt: skip


def staff_decision(update: Update, context: Context, action: actions.Action) -> list[Reply]:
    """Accept or decline a request: only from a button in the staff chat (anywhere else it is
    refused in the presser's language)."""
    if staff_chat(context) is None or chat_id(update) != staff_chat(context):
        language = assistant(context).user_language(who(update))
        expired = assistant(context).t(language, "button_expired")
        return [Reply(expired, mode="notice", language=language)]
    user = update.effective_user
    name = (user.full_name or user.username or str(user.id)) if user else "staff"
    staff = assistant(context).intake.staff
    request_id, revision = int(action.args[0]), int(action.args[1] or 0)
    if action.kind == "staff_propose":
        return staff.propose_choices(request_id, revision)
    if action.kind == "staff_propose_page":
        return staff.propose_choices(request_id, revision, int(action.args[2]))
    if action.kind == "staff_card":
        return staff.show_card(request_id, revision)
    if action.kind == "staff_propose_at":
        return staff.propose(request_id, revision, action.args[2], name)
    return assistant(context).staff_decision(request_id, revision, action.args[2] == "1", name)


def content_kind(message: Message | None) -> str:
    """What a non-text message carries (photos and documents are passed on to staff)."""
    if message is None:
        return "other"
    if message.sticker:
        return "sticker"
    if message.voice or message.video_note or message.audio:
        return "voice"
    if message.photo:
        return "photo"
    if message.document:
        return "document"
    if message.video or message.animation:
        return "media"
    if message.location or message.venue:
        return "location"
    return "other"


async def unsupported(update: Update, context: Context) -> None:
    """Anything that is not text: passed on to staff during a conversation with them,
    otherwise a clear reply in the user's language."""
    message = update.effective_message
    kind = content_kind(message)
    caption = (message.caption or "") if message else ""
    ref = MessageRef(chat_id(update), message.message_id) if message else None
    replies = assistant(context).unsupported(who(update), kind, caption, ref)
    await deliver(context.bot, chat_id(update), replies,
                  staff_chat=staff_chat(context), outbox=outbox(context))  # fmt: skip


async def edited(update: Update, context: Context) -> None:
    """An edited message: say that only new messages are answered."""
    await deliver(context.bot, chat_id(update), [assistant(context).edited(who(update))])
