"""Fault injection against a real PTB bot: 429 retried, 5xx surfaced, slow server."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter, Application

from tgemulator import BotApiEmulator

App = Application[Any, Any, Any, Any, Any, Any]

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


@pytest.mark.asyncio
async def test_429_is_retried_by_rate_limiter_and_sent_once(emu: BotApiEmulator, apps: Any) -> None:
    await apps.polling(rate_limiter=AIORateLimiter(max_retries=3))
    hana = emu.user(first_name="Hana")
    emu.inject_fault("sendMessage", error_code=429, retry_after=1)

    await hana.send_text("hi")
    reply = await emu.wait_for_bot_message(hana.chat_id, timeout=5)
    assert reply.text == "Echo: hi"
    assert len(emu.bot_messages(hana.chat_id)) == 1
    calls = emu.calls_to("sendMessage")
    assert [c.ok for c in calls] == [False, True]
    assert calls[0].error == "Too Many Requests: retry after 1"
    assert calls[1].time - calls[0].time >= 1.0
    assert [(f.method, f.error_code) for f in emu.faults] == [("sendMessage", 429)]


@pytest.mark.asyncio
async def test_429_without_rate_limiter_raises_retry_after(
    emu: BotApiEmulator, polling_app: App
) -> None:
    user = emu.user()
    emu.inject_fault("SENDMESSAGE", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await polling_app.bot.send_message(user.chat_id, "x")
    retry_after = caught.value.retry_after
    assert (retry_after if isinstance(retry_after, int) else retry_after.total_seconds()) == 7


@pytest.mark.asyncio
async def test_502_is_surfaced_to_the_error_handler(emu: BotApiEmulator, polling_app: App) -> None:
    ivan = emu.user(first_name="Ivan")
    emu.inject_fault("sendMessage", error_code=502, times=1)
    await ivan.send_text("hello")
    await emu.wait_for_call("sendMessage")
    await emu.world.wait_until(lambda: polling_app.bot_data.get("errors"), 5)
    error = polling_app.bot_data["errors"][0]
    assert isinstance(error, NetworkError) and "Bad Gateway" in str(error)
    assert emu.bot_messages(ivan.chat_id) == []
    assert emu.calls_to("sendMessage")[0].error == "Bad Gateway"
    # The next message goes through again.
    await ivan.send_text("again")
    assert (await emu.wait_for_bot_message(ivan.chat_id)).text == "Echo: again"


@pytest.mark.asyncio
async def test_polling_survives_get_updates_5xx(emu: BotApiEmulator, polling_app: App) -> None:
    emu.inject_fault("getUpdates", error_code=500, times=1)
    jan = emu.user(first_name="Jan")
    await jan.send_text("still here")
    assert (await emu.wait_for_bot_message(jan.chat_id)).text == "Echo: still here"
    assert any(f.method == "getUpdates" and f.error_code == 500 for f in emu.faults)


@pytest.mark.asyncio
async def test_delay_times_out_client_but_message_is_delivered(
    emu: BotApiEmulator, apps: Any
) -> None:
    app = await apps.polling(read_timeout=0.3)
    kim = emu.user(first_name="Kim")
    emu.inject_fault("sendMessage", error_code=None, delay=0.8)
    with pytest.raises(TimedOut):
        await app.bot.send_message(kim.chat_id, "slow")
    late = await emu.wait_for_bot_message(kim.chat_id, timeout=3)
    assert late.text == "slow"
    assert emu.faults[0].delay == 0.8 and emu.faults[0].error_code is None


def test_fault_validation() -> None:
    emu = BotApiEmulator()
    with pytest.raises(ValueError):
        emu.inject_fault("sendMessage", error_code=None)
    with pytest.raises(ValueError):
        emu.inject_fault("sendMessage", times=0)
