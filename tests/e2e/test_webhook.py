"""Webhook mode: updates arrive by POST with Telegram's secret header; a wrong secret is refused."""

from __future__ import annotations

import json
import socket

import httpx
import pytest
from sqlalchemy import select
from telegram import Update

from bot.config import Settings
from bot.storage.models import InboxUpdate
from handlers.app import build_application
from handlers.local import local_settings
from handlers.services import Services
from tgemulator import BotApiEmulator

pytestmark = pytest.mark.database
SECRET = "s3cret-token_for-tests"


def stored(services: Services, update_id: int) -> bool:
    with services.db.session() as session:
        return (
            session.scalar(select(InboxUpdate.id).where(InboxUpdate.update_id == update_id))
            is not None
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_delivers_with_secret_and_refuses_without(
    bot_settings: Settings, engine
) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    async with BotApiEmulator() as emu:
        services = Services.create(bot_settings, engine=engine)
        app = build_application(local_settings(bot_settings, emu), services)
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_webhook(
                listen="127.0.0.1",
                port=port,
                url_path="telegram",
                webhook_url=url,
                secret_token=SECRET,
                allowed_updates=Update.ALL_TYPES,
            )
            try:
                assert emu.webhook_info()["url"] == url
                user = emu.user(601, "Dana", language_code="de")
                await user.send_text("Wie beantrage ich Geld im Zuwendungsportal?")
                answer = await emu.wait_for_bot_message(user.chat_id, timeout=10)
                assert answer.text.startswith(
                    engine.knowledge.get("funding-apply").text("de").title
                )

                forged = {
                    "update_id": 999999,
                    "message": {
                        "message_id": 1,
                        "date": 0,
                        "chat": {"id": 601, "type": "private"},
                        "from": {"id": 601, "is_bot": False, "first_name": "Mallory"},
                        "text": "/start",
                    },
                }
                async with httpx.AsyncClient() as client:
                    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                        response = await client.post(
                            url,
                            content=json.dumps(forged),
                            headers={"Content-Type": "application/json", **headers},
                        )
                        assert response.status_code == 403
                assert len(emu.bot_messages(user.chat_id)) == 1

            finally:
                await app.updater.stop()
                await app.stop()
        services.db.dispose()


async def test_webhook_answers_200_only_for_a_stored_update(bot_settings: Settings, engine) -> None:  # type: ignore[no-untyped-def]
    """Nothing processes updates here (the application is not started): a 200 must mean that
    the update is in the inbox, or a crash right after it would lose the update."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    async with BotApiEmulator() as emu:
        services = Services.create(bot_settings, engine=engine)
        app = build_application(local_settings(bot_settings, emu), services)
        async with app:
            assert app.updater is not None
            await app.updater.start_webhook(
                listen="127.0.0.1", port=port, url_path="telegram", webhook_url=url,
                secret_token=SECRET, allowed_updates=Update.ALL_TYPES,
            )  # fmt: skip
            try:
                async with httpx.AsyncClient() as client:
                    for n in range(5):
                        response = await client.post(
                            url, content=json.dumps(message_update(500000 + n, n)),
                            headers={"Content-Type": "application/json",
                                     "X-Telegram-Bot-Api-Secret-Token": SECRET},
                        )  # fmt: skip
                        assert response.status_code == 200
                        assert stored(services, 500000 + n)
            finally:
                await app.updater.stop()
        services.db.dispose()


def message_update(update_id: int, n: int) -> dict:  # type: ignore[type-arg]
    return {
        "update_id": update_id,
        "message": {
            "message_id": 100 + n, "date": 1_790_000_000 + n,
            "chat": {"id": 601, "type": "private"},
            "from": {"id": 601, "is_bot": False, "first_name": "Dana"},
            "text": f"Frage {n}",
        },
    }  # fmt: skip
