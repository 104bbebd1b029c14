"""Fixtures: a started emulator and a real python-telegram-bot echo bot talking to it."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ["NO_PROXY"] = "127.0.0.1,localhost"
os.environ["no_proxy"] = "127.0.0.1,localhost"

from tgemulator import BotApiEmulator  # noqa: E402

TOKEN = "123456:TEST-TOKEN"
App = Application[Any, Any, Any, Any, Any, Any]


def free_port() -> int:
    """A TCP port that is free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def again_keyboard(text: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Again", callback_data=f"again:{text}"[:64]),
                InlineKeyboardButton("Docs", url="https://example.org/docs"),
            ]
        ]
    )


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    assert update.message is not None and user is not None
    await update.message.reply_text(
        f"Welcome, <b>{user.first_name}</b> &amp; friends! ({user.language_code})",
        parse_mode="HTML",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Ping", callback_data="ping")]]),
    )


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(
        f"Echo: {update.message.text}", reply_markup=again_keyboard(update.message.text)
    )


async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.edited_message is not None
    await update.edited_message.reply_text(f"Edited: {update.edited_message.text}")


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    assert message is not None
    if message.document:
        file = await message.document.get_file()
        data = await file.download_as_bytearray()
        await message.reply_text(
            f"Got {message.document.file_name}: {len(data)} bytes, starts {bytes(data[:5])!r}"
        )
    elif message.voice:
        with warnings.catch_warnings():  # PTB 22 warns that duration becomes a timedelta
            warnings.simplefilter("ignore", DeprecationWarning)
            duration = message.voice.duration
        await message.reply_text(f"Voice of {duration}s")
    elif message.sticker:
        await message.reply_text(f"Nice sticker {message.sticker.emoji}")
    elif message.photo:
        size = message.photo[-1]
        await message.reply_text(f"Photo {size.width}x{size.height}")
    elif message.location:
        await message.reply_text(
            f"Location {message.location.latitude},{message.location.longitude}"
        )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(f"Got {query.data}")
    await query.edit_message_text(f"You pressed {query.data}")


async def on_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_document(
        b"report body", filename="report.txt", caption="Your <i>report</i>", parse_mode="HTML"
    )


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.application.bot_data.setdefault("errors", []).append(context.error)


def build_echo_app(emu: BotApiEmulator, **options: Any) -> App:
    """The test bot: /start, echo with buttons, media, edits, callback queries."""
    builder = (
        ApplicationBuilder().token(TOKEN).base_url(emu.base_url).base_file_url(emu.base_file_url)
    )
    if options.get("rate_limiter") is not None:
        builder = builder.rate_limiter(options["rate_limiter"])
    if options.get("read_timeout") is not None:
        builder = builder.read_timeout(options["read_timeout"])
    app = builder.build()
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(CommandHandler("file", on_file))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edit))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(MessageHandler(filters.ATTACHMENT | filters.LOCATION | filters.PHOTO, on_media))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_error_handler(on_error)
    return app


class AppRunner:
    """Starts echo apps in polling or webhook mode and stops them all at teardown."""

    def __init__(self, emu: BotApiEmulator) -> None:
        self.emu = emu
        self._apps: list[App] = []

    async def polling(self, **options: Any) -> App:
        app = build_echo_app(self.emu, **options)
        await app.initialize()
        await app.start()
        self._apps.append(app)
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=2)
        return app

    async def webhook(self, secret: str, **options: Any) -> tuple[App, str]:
        app = build_echo_app(self.emu, **options)
        await app.initialize()
        await app.start()
        self._apps.append(app)
        port = free_port()
        url = f"http://127.0.0.1:{port}/hook"
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="hook", webhook_url=url, secret_token=secret
        )
        return app, url

    async def stop_all(self) -> None:
        # Let the bot confirm its last updates first: cancelling a getUpdates whose answer
        # is in flight can leave httpx's one-connection pool busy (a PoolTimeout on stop).
        with contextlib.suppress(TimeoutError):
            await self.emu.world.wait_until(lambda: self.emu.pending_updates == 0, 2)
        for app in reversed(self._apps):
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.shutdown()
        self._apps.clear()


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest_asyncio.fixture
async def apps(emu: BotApiEmulator) -> AsyncIterator[AppRunner]:
    runner = AppRunner(emu)
    try:
        yield runner
    finally:
        await runner.stop_all()


@pytest_asyncio.fixture
async def polling_app(apps: AppRunner) -> App:
    return await apps.polling()
