"""Nothing a resident sends is lost: updates received before a crash are answered after it."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.storage.models import InboxUpdate
from handlers.local import running_bot
from handlers.services import Services
from tests.rtl import unmarked
from tgemulator import BotApiEmulator

pytestmark = pytest.mark.database


def message_update(update_id: int, user_id: int, text: str) -> dict:  # type: ignore[type-arg]
    return {
        "update_id": update_id,
        "message": {
            "message_id": 7,
            "date": 1_790_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": "Nour"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Nour", "language_code": "ar"},
            "text": text,
        },
    }


async def test_update_received_before_a_crash_is_answered_after_restart(
    bot_settings: Settings, engine
) -> None:  # type: ignore[no-untyped-def]
    services = Services.create(bot_settings, engine=engine)
    # The bot fetched this update (so Telegram will not send it again) and then crashed.
    services.inbox.store([message_update(424242, 701, "ما هي شروط التجنيس في ألمانيا؟")])
    async with BotApiEmulator() as emu:
        emu.user(701, "Nour", language_code="ar")
        async with running_bot(bot_settings, emu, services):
            answer = await emu.wait_for_bot_message(701, timeout=10)
            title = engine.knowledge.get("naturalisation-requirements").text("ar").title
            assert unmarked(answer.text).startswith(title)
            await asyncio.sleep(0.3)
    with services.db.session() as session:
        row = session.scalar(select(InboxUpdate).where(InboxUpdate.update_id == 424242))
        assert row is not None and row.processed_at is not None and row.attempts == 1
    # A second start does not answer it again.
    async with BotApiEmulator() as emu:
        emu.user(701, "Nour", language_code="ar")
        async with running_bot(bot_settings, emu, services):
            await asyncio.sleep(0.5)
            assert emu.bot_messages(701) == []
    services.db.dispose()


async def test_every_update_is_recorded_and_marked_processed(
    bot_settings: Settings, engine
) -> None:  # type: ignore[no-untyped-def]
    services = Services.create(bot_settings, engine=engine)
    async with BotApiEmulator() as emu, running_bot(bot_settings, emu, services):
        user = emu.user(702, "Sam", language_code="en")
        for text in ("hello", "How do I apply for funding?", "thanks"):
            await user.send_text(text)
            await emu.wait_for_bot_message(user.chat_id, timeout=10)
        await asyncio.sleep(0.3)
    with services.db.session() as session:
        rows = session.scalars(select(InboxUpdate)).all()
        assert len(rows) == 3
        assert all(r.processed_at is not None for r in rows)
    services.db.dispose()
