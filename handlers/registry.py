"""Every handler is registered here, in one place; groups are explicit where order matters."""

from __future__ import annotations

import logging

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import actions
from bot.languages import LANGUAGES
from handlers import desk, privacy, resident, staff_rights
from handlers.durability import current_run
from handlers.services import Services

log = logging.getLogger(__name__)
COMMANDS = (
    "start", "topics", "appointment", "myrequests", "human", "end", "language", "help",
    "privacy", "mydata", "forget", "cancel",
)  # fmt: skip
DESK_COMMANDS = ("human", "end")  # in the menu only when a staff chat is configured
STAFF_TICKET_COMMANDS = ("claim", "kb", "close", "reopen")
PRIVATE = filters.ChatType.PRIVATE
FORGET_YES = actions.encode("forget_yes")


def register(app: Application) -> None:  # type: ignore[type-arg]
    # Group 0: residents in private chats. Commands first, then text, then everything else.
    for name, callback in (
        ("start", resident.start),
        ("topics", resident.topics),
        ("appointment", resident.appointment),
        ("myrequests", resident.my_requests),
        ("language", resident.language),
        ("help", resident.help_),
        ("privacy", resident.privacy),
        ("mydata", privacy.mydata),
        ("forget", privacy.forget),
        ("cancel", resident.cancel),
        ("human", desk.human),
        ("end", desk.end),
        ("inbox", desk.inbox),
        ("stats", desk.stats),
        *((name, desk.private_staff_command) for name in STAFF_TICKET_COMMANDS),
    ):
        app.add_handler(
            CommandHandler(name, callback, filters=PRIVATE & filters.UpdateType.MESSAGE)
        )
    app.add_handler(CallbackQueryHandler(privacy.forget_confirmed, pattern=f"^{FORGET_YES}$"))
    app.add_handler(CallbackQueryHandler(resident.button))
    app.add_handler(MessageHandler(PRIVATE & filters.UpdateType.EDITED, resident.edited))
    app.add_handler(
        MessageHandler(
            PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND,
            resident.question,
        )
    )
    # Unknown commands are read as questions ("/visa?" helps nobody as an error).
    app.add_handler(
        MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & filters.COMMAND, resident.question)
    )
    app.add_handler(
        MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & ~filters.TEXT, resident.unsupported)
    )
    staff_chat = app.bot_data["services"].settings.telegram.staff_chat_id
    if staff_chat is not None:
        register_staff(app, staff_chat)
    app.add_error_handler(on_error)


def register_staff(app: Application, staff_chat: int) -> None:  # type: ignore[type-arg]
    """The staff group: ticket commands in topics (or replies), /inbox and /stats anywhere,
    every other message relayed to the ticket's resident (or kept as an internal note)."""
    in_staff = filters.Chat(staff_chat) & filters.UpdateType.MESSAGE
    # Before everything else (group -1): a member who left is refused at once.
    app.add_handler(
        ChatMemberHandler(staff_rights.membership_changed, ChatMemberHandler.CHAT_MEMBER,
                          chat_id=staff_chat), group=-1,
    )  # fmt: skip
    left = filters.Chat(staff_chat) & filters.StatusUpdate.LEFT_CHAT_MEMBER
    app.add_handler(MessageHandler(left, staff_rights.membership_changed), group=-1)
    for name, callback in (
        ("claim", desk.claim),
        ("kb", desk.kb),
        ("close", desk.close),
        ("reopen", desk.reopen),
        ("inbox", desk.inbox),
        ("stats", desk.stats),
    ):
        app.add_handler(CommandHandler(name, callback, filters=in_staff))
    app.add_handler(MessageHandler(in_staff & ~filters.COMMAND, desk.staff_message))


async def set_commands(app: Application) -> None:  # type: ignore[type-arg]
    """The command menu in every language, and the default language's for everyone else."""
    services: Services = app.bot_data["services"]
    texts = services.texts

    shown = [c for c in COMMANDS if services.assistant.desk.available or c not in DESK_COMMANDS]

    def commands(lang: str) -> list[BotCommand]:
        return [BotCommand(c, texts.get(lang, f"commands.{c}")) for c in shown]

    for lang in LANGUAGES:
        await app.bot.set_my_commands(commands(lang), language_code=lang)
    await app.bot.set_my_commands(commands(services.settings.languages.default))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A handler failed. For an update being processed, the error goes back to
    ``DurableApplication``, which tries the update again and finally sets it aside (the
    resident is then told something went wrong); anything else is logged, never a user's text."""
    error = context.error
    run = current_run()
    if run is not None and isinstance(update, Update) and update.update_id == run.update_id:
        run.error = error
        return
    # The traceback, never the update or the error's message (see bot/log_privacy.py).
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error outside the processing of an update (%s)", update_id, exc_info=error)
