"""``consult-bot chat``: the real bot against an in-process Bot API emulator, in the terminal.

Same application, same database and knowledge base as in production; only the Bot API is
local. No Telegram account or token is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from typing import TextIO

from telegram import Update

from bot.config import Settings
from bot.engine import Progress
from handlers.app import build_application, start_background, stop_background
from handlers.services import Services
from tgemulator import BotApiEmulator, run_terminal_chat

LOCAL_TOKEN = "100000:local-chat"  # noqa: S105 - the local emulator accepts any token
log = logging.getLogger(__name__)


def local_settings(settings: Settings, emu: BotApiEmulator) -> Settings:
    telegram = settings.telegram.model_copy(
        update={
            "token": LOCAL_TOKEN,
            "base_url": emu.base_url,
            "base_file_url": emu.base_file_url,
        }
    )
    return settings.model_copy(update={"telegram": telegram})


@contextlib.asynccontextmanager
async def running_bot(settings: Settings, emu: BotApiEmulator, services: Services | None = None):  # type: ignore[no-untyped-def]
    """The bot polling the emulator for as long as the block runs."""
    app = build_application(local_settings(settings, emu), services)
    async with app:
        await start_background(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES
        )
        try:
            yield app
        finally:
            # Let a getUpdates answer in flight arrive before stopping (avoids a pool timeout).
            with contextlib.suppress(TimeoutError):
                await emu.world.wait_until(lambda: emu.pending_updates == 0, 2)
            await app.updater.stop()
            await app.stop()
            await stop_background(app)


LOCAL_STAFF_CHAT = -1000000000001  # the local chat's staff group (a forum)


async def chat(
    settings: Settings,
    language: str | None,
    stdin: TextIO,
    stdout: TextIO,
    progress: Progress | None = None,
) -> None:
    if settings.telegram.staff_chat_id is None:  # a local staff group, so /human works too
        telegram = settings.telegram.model_copy(update={"staff_chat_id": LOCAL_STAFF_CHAT})
        settings = settings.model_copy(update={"telegram": telegram})
    services = Services.create(settings, progress=progress)
    async with BotApiEmulator() as emu:
        staff = emu.user(2001, "Staff", language_code="de")
        group = emu.group("Staff desk (local)", chat_id=settings.telegram.staff_chat_id,
                          forum=True, members={staff: "administrator"})  # fmt: skip
        async with running_bot(settings, emu, services):
            stdout.write(
                "Local chat with the consultation assistant (no Telegram needed).\n"
                "Type a question, /start, /topics or /help; a number presses a button;\n"
                "after /human, ':staff <text>' answers as a member of staff; ':press N'\n"
                "presses button N in the staff group (accept, decline, ...); :quit ends.\n\n"
            )
            stdout.flush()
            await run_terminal_chat(
                emu, user_id=1001, first_name="Resident", language_code=language,
                stdin=stdin, stdout=stdout, staff=(staff, group),
            )  # fmt: skip


def run_chat(settings: Settings, language: str | None, progress: Progress | None = None) -> None:
    asyncio.run(chat(settings, language, sys.stdin, sys.stdout, progress))
