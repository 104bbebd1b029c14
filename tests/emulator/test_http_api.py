"""The HTTP surface without PTB: encodings, envelope, long polling semantics."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import pytest

from tgemulator import BotApiEmulator

pytestmark = pytest.mark.asyncio


async def call(
    emu: BotApiEmulator, method: str, *, token: str = "1:T", form: Any = None, body: Any = None
) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session:
        url = f"{emu.base_url}{token}/{method}"
        async with session.post(url, data=form, json=body) as response:
            return response.status, await response.json()


async def test_encodings_and_envelope(emu: BotApiEmulator) -> None:
    user = emu.user(first_name="Raw")
    status, answer = await call(emu, "getme")
    assert status == 200 and answer["ok"] and answer["result"]["is_bot"] is True

    keyboard = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    status, answer = await call(
        emu,
        "SENDMESSAGE",
        form={"chat_id": str(user.chat_id), "text": "form", "reply_markup": json.dumps(keyboard)},
    )
    assert status == 200 and answer["result"]["reply_markup"] == keyboard
    status, answer = await call(
        emu, "sendMessage", body={"chat_id": user.chat_id, "text": "json", "reply_markup": keyboard}
    )
    assert answer["result"]["text"] == "json" and answer["result"]["from"]["is_bot"]
    assert isinstance(answer["result"]["date"], int) and answer["result"]["date"] < 2**32
    assert [c.method for c in emu.calls] == ["getMe", "sendMessage", "sendMessage"]
    assert emu.calls[1].params["chat_id"] == str(user.chat_id)

    status, answer = await call(emu, "noSuchMethod")
    assert (status, answer) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    status, answer = await call(emu, "sendMessage", form={"chat_id": "1", "text": "x"})
    assert answer["description"] == "Bad Request: chat not found"
    status, answer = await call(emu, "answerCallbackQuery", form={"callback_query_id": "1"})
    assert status == 400 and "query ID is invalid" in answer["description"]

    emu.inject_fault("getMe", 429, retry_after=3)
    status, answer = await call(emu, "getMe")
    assert status == 429 and answer["parameters"] == {"retry_after": 3}


async def test_token_restriction() -> None:
    async with BotApiEmulator(token="1:RIGHT") as emu:
        assert (await call(emu, "getMe", token="1:RIGHT"))[0] == 200
        status, answer = await call(emu, "getMe", token="1:WRONG")
        assert (status, answer["description"]) == (401, "Unauthorized")


async def test_long_polling_offsets_and_filters(emu: BotApiEmulator) -> None:
    user = emu.user(first_name="Poll")
    started = time.monotonic()
    poll = asyncio.create_task(call(emu, "getUpdates", form={"timeout": "5"}))
    await asyncio.sleep(0.2)
    assert not poll.done()
    await user.send_text("wake up")
    _, answer = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 2
    [update] = answer["result"]
    assert update["message"]["text"] == "wake up"

    # Not confirmed yet: delivered again; confirmed by a higher offset.
    await user.send_text("second")
    _, answer = await call(emu, "getUpdates", form={"limit": "1"})
    assert [u["update_id"] for u in answer["result"]] == [update["update_id"]]
    _, answer = await call(emu, "getUpdates", form={"offset": str(update["update_id"] + 1)})
    assert [u["message"]["text"] for u in answer["result"]] == ["second"]
    _, answer = await call(emu, "getUpdates", form={"offset": "-1"})
    assert len(answer["result"]) == 1

    # allowed_updates persists and filters new updates.
    await call(
        emu,
        "getUpdates",
        form={
            "offset": str(answer["result"][0]["update_id"] + 1),
            "allowed_updates": json.dumps(["callback_query"]),
        },
    )
    await user.send_text("filtered out")
    _, answer = await call(emu, "getUpdates")
    assert answer["result"] == []

    # A newer getUpdates terminates an older one with 409.
    older = asyncio.create_task(call(emu, "getUpdates", form={"timeout": "5"}))
    await asyncio.sleep(0.1)
    await call(emu, "getUpdates", form={"timeout": "0"})
    status, answer = await asyncio.wait_for(older, 2)
    assert status == 409 and "terminated by other getUpdates request" in answer["description"]


async def test_webhook_management_and_conflict(emu: BotApiEmulator) -> None:
    status, answer = await call(
        emu, "setWebhook", form={"url": "http://127.0.0.1:9/unused", "secret_token": "bad secret!"}
    )
    assert status == 400
    await call(
        emu,
        "setWebhook",
        form={"url": "http://127.0.0.1:9/hook", "secret_token": "ok_1", "max_connections": "5"},
    )
    _, answer = await call(emu, "getWebhookInfo")
    assert answer["result"]["url"] == "http://127.0.0.1:9/hook"
    assert answer["result"]["max_connections"] == 5
    status, answer = await call(emu, "getUpdates")
    assert status == 409 and answer["description"] == (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )
    await emu.user().send_text("undeliverable")
    await emu.world.wait_until(lambda: emu.webhook_info().get("last_error_message"), 3)
    assert emu.webhook_info()["last_error_message"] == "Connection refused"
    await call(emu, "deleteWebhook", form={"drop_pending_updates": "true"})
    assert emu.pending_updates == 0 and emu.webhook_info()["url"] == ""
