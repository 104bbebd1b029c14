"""The application factory: a python-telegram-bot Application from the typed configuration.

Nothing connects at import time; tests build the application with their own settings and may
pass ready-made services (e.g. an engine shared by many tests).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from typing import Any

from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder
from telegram.request import HTTPXRequest

from bot import log_privacy
from bot.config import ConfigError, Settings
from bot.intake.reminders import Reminders
from handlers.boundary import CleanApplication
from handlers.durability import INBOX_KEY, SENDER_KEY, InboxQueue, InboxRequest, replay_pending
from handlers.ordering import PerChatUpdateProcessor
from handlers.outbox_sender import OutboxSender
from handlers.rate_limit import PerChatRateLimiter
from handlers.registry import register, set_commands
from handlers.services import Services
from handlers.staff_threads import StaffThreads

log = logging.getLogger(__name__)
POLL_TIMEOUT = 30


def build_application(settings: Settings, services: Services | None = None) -> Application:  # type: ignore[type-arg]
    tg = settings.telegram
    if not tg.token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set: put the bot's token into the environment")
    log_privacy.install([tg.token, tg.webhook_secret])
    services = services or Services.create(settings)
    builder = (
        ApplicationBuilder()
        .application_class(CleanApplication)
        .token(tg.token)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .request(
            HTTPXRequest(
                connection_pool_size=tg.connection_pool,
                read_timeout=tg.read_timeout,
                write_timeout=tg.read_timeout,
            )
        )
        .get_updates_request(InboxRequest(services.inbox, read_timeout=POLL_TIMEOUT + 10))
        .concurrent_updates(PerChatUpdateProcessor(tg.concurrent_updates))
        .update_queue(InboxQueue(services.inbox))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if tg.rate_limit:
        limiter: Any = PerChatRateLimiter(max_retries=tg.max_retries)
        builder = builder.rate_limiter(limiter)
    app = builder.build()
    app.bot_data["services"] = services
    app.bot_data[INBOX_KEY] = services.inbox
    register(app)
    return app


async def _post_init(app: Application) -> None:  # type: ignore[type-arg]
    await start_background(app)


async def _post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
    await stop_background(app)
    services: Services = app.bot_data["services"]
    services.db.dispose()


async def start_background(app: Application) -> None:  # type: ignore[type-arg]
    """Command menus, updates left over from before a crash, the outbox sender."""
    services: Services = app.bot_data["services"]
    try:
        await set_commands(app)
    except TelegramError as exc:  # the menu is a convenience: a refusal must not stop the start
        log.warning("could not set the command menu: %s", exc)
    threads = StaffThreads(
        app.bot, services.assistant.desk, services.settings.telegram.staff_chat_id
    )
    lanes = max(1, services.settings.telegram.connection_pool - 8)  # room for getUpdates etc.
    sender = OutboxSender(
        app, services.outbox, threads, concurrency=lanes,
        on_delivered=services.assistant.intake.staff.card_delivered,
    )  # fmt: skip
    app.bot_data[SENDER_KEY] = sender
    sender.start()
    await replay_pending(app)
    settings = services.settings
    reminders = Reminders(
        services.db, services.outbox, services.texts, settings.consultation,
        settings.reminders, wake=sender.wake,
    )  # fmt: skip
    reminders.desk, reminders.staff_chat = services.assistant.desk, settings.telegram.staff_chat_id
    reminders.purge = services.assistant.privacy.purge
    reminders.start()
    reminders.schedule_retention(settings.privacy.purge_at)
    services.assistant.reminders = reminders
    services.assistant.desk.schedule_reminder = reminders.schedule_desk


async def stop_background(app: Application) -> None:  # type: ignore[type-arg]
    services: Services = app.bot_data["services"]
    if services.assistant.reminders is not None:
        services.assistant.reminders.stop()
        services.assistant.reminders = None
        services.assistant.desk.schedule_reminder = None
    sender = app.bot_data.pop(SENDER_KEY, None)
    if sender is not None:
        await sender.stop()


class BotApiUnreachable(ConfigError):
    """The Bot API cannot be reached, or refuses the token, before the bot starts."""


RETRY_DELAYS = (2.0, 5.0, 10.0)


def check_bot_api(settings: Settings, delays: tuple[float, ...] = RETRY_DELAYS) -> None:
    """Ask the Bot API who we are, retrying a few times; one clear error instead of the
    pages of tracebacks python-telegram-bot would log while starting."""
    tg = settings.telegram
    for attempt, delay in enumerate((*delays, None), start=1):
        try:
            asyncio.run(_get_me(tg.token or "", tg.base_url))
            return
        except InvalidToken:
            raise BotApiUnreachable(
                f"the Bot API at {tg.base_url} refused the token in TELEGRAM_BOT_TOKEN: "
                "copy the token from @BotFather again"
            ) from None
        except NetworkError as exc:  # includes TimedOut
            if delay is None:
                raise BotApiUnreachable(
                    f"cannot reach the Bot API at {tg.base_url} ({exc.message}) after {attempt} "
                    "tries: check the network and proxy settings, or TELEGRAM_BASE_URL"
                ) from None
            print(
                f"Bot API at {tg.base_url} not reachable ({exc.message}); "
                f"trying again in {delay:g} s",
                file=sys.stderr,
            )
            time.sleep(delay)


async def _get_me(token: str, base_url: str) -> None:
    async with Bot(token, base_url=base_url) as bot:  # initialising calls getMe
        log.info("Bot API reachable as @%s", bot.username)


def run_polling(settings: Settings, services: Services | None = None) -> None:
    """Long polling (``consult-bot run`` checks the Bot API first with check_bot_api)."""
    app = build_application(settings, services)
    log.info("polling %s", settings.telegram.base_url)
    # bootstrap_retries=-1: a Bot API error while starting to poll is retried, not fatal.
    app.run_polling(allowed_updates=Update.ALL_TYPES, timeout=POLL_TIMEOUT, bootstrap_retries=-1)


def run_webhook(settings: Settings, services: Services | None = None) -> None:
    tg = settings.telegram
    if not tg.webhook_url:
        raise ConfigError("webhook mode needs telegram.webhook_url (or TELEGRAM_WEBHOOK_URL)")
    if not tg.webhook_secret:
        raise ConfigError("webhook mode needs telegram.webhook_secret (or TELEGRAM_WEBHOOK_SECRET)")
    app = build_application(settings, services)
    app.run_webhook(
        listen=tg.webhook_listen,
        port=tg.webhook_port,
        url_path=tg.webhook_path,
        webhook_url=tg.webhook_url.rstrip("/") + "/" + tg.webhook_path,
        secret_token=tg.webhook_secret,
        allowed_updates=Update.ALL_TYPES,
    )
