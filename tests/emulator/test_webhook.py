"""Webhook mode: PTB's own webhook server (tornado) receiving updates from the emulator."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from telegram.error import Conflict

from tgemulator import BotApiEmulator

pytestmark = pytest.mark.asyncio

SECRET = "s3cret-Token_1"


async def test_webhook_delivers_with_secret(emu: BotApiEmulator, apps: Any) -> None:
    app, url = await apps.webhook(SECRET)
    info = emu.webhook_info()
    assert info["url"] == url
    frank = emu.user(first_name="Frank")

    await frank.send_text("one")
    await frank.send_text("two")
    first = await emu.wait_for_bot_message(frank.chat_id)
    second = await emu.wait_for_bot_message(frank.chat_id)
    assert [first.text, second.text] == ["Echo: one", "Echo: two"]
    query = await frank.press_button("Again", message=second)
    assert (await emu.wait_for_callback_answer(query))["text"] == "Got again:two"

    ids = [update_id for update_id, status in emu.webhook_attempts if status == 200]
    assert ids == sorted(ids) and len(ids) == 3
    assert emu.pending_updates == 0

    # While the webhook is set, getUpdates is refused like Telegram does.
    with pytest.raises(Conflict, match=r"(?i)can't use getUpdates method while webhook is active"):
        await app.bot.get_updates()

    # PTB's webhook server refuses a wrong secret with 403.
    async with aiohttp.ClientSession() as session:
        body = json.dumps({"update_id": 999, "message": None})
        for headers in ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {}):
            headers["Content-Type"] = "application/json"
            async with session.post(url, data=body, headers=headers) as response:
                assert response.status == 403


async def test_wrong_secret_is_retried_until_fixed(emu: BotApiEmulator, apps: Any) -> None:
    app, url = await apps.webhook(SECRET)
    gina = emu.user(first_name="Gina")
    # Re-register the webhook with a secret the bot's server does not expect.
    assert await app.bot.set_webhook(url, secret_token="not-the-secret")
    await gina.send_text("lost?")
    await emu.world.wait_until(lambda: len(emu.webhook_attempts) >= 2, 5)
    info = emu.webhook_info()
    assert info["pending_update_count"] == 1
    assert info["last_error_message"] == "Wrong response from the webhook: 403 Forbidden"
    assert emu.bot_messages(gina.chat_id) == []

    assert await app.bot.set_webhook(url, secret_token=SECRET)
    assert (await emu.wait_for_bot_message(gina.chat_id)).text == "Echo: lost?"
    statuses = [status for _, status in emu.webhook_attempts]
    assert statuses[-1] == 200 and 403 in statuses and statuses.count(200) == 1

    # Back to polling: deleteWebhook, then updates queue for getUpdates.
    assert await app.bot.delete_webhook()
    await gina.send_text("polled")
    updates = await app.bot.get_updates(timeout=2)
    assert [u.message.text for u in updates if u.message] == ["polled"]
    assert await app.bot.get_updates(offset=updates[-1].update_id + 1) == ()
    assert emu.pending_updates == 0
