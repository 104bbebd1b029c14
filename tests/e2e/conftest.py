"""End to end: the real application polling the local Bot API emulator, on a real database.

The database is a fresh SQLite file per test, or PostgreSQL when TEST_DATABASE_URL is set
(scripts/test.sh does that when PostgreSQL answers).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.config import Settings
from bot.storage import Database
from handlers.local import running_bot
from handlers.services import Services
from tgemulator import BotApiEmulator

pytestmark = pytest.mark.database


@dataclass
class Env:
    emu: BotApiEmulator
    services: Services
    settings: Settings


def fresh_database_url(tmp_path: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'bot.db'}"
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.dispose()
    return url


@pytest.fixture
def bot_settings(settings: Settings, tmp_path: Path) -> Settings:
    telegram = settings.telegram.model_copy(update={"rate_limit": True, "max_retries": 3})
    return settings.model_copy(
        update={"database_url": fresh_database_url(tmp_path), "telegram": telegram}
    )


@pytest.fixture
async def env(bot_settings: Settings, engine) -> AsyncIterator[Env]:  # type: ignore[no-untyped-def]
    services = Services.create(bot_settings, engine=engine)
    async with BotApiEmulator() as emu, running_bot(bot_settings, emu, services):
        yield Env(emu, services, bot_settings)
    services.db.dispose()
