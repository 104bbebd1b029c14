"""End to end: the real application polling the local Bot API emulator, on a real database.

The database is a fresh SQLite file per test, or a PostgreSQL database of its own when
TEST_DATABASE_URL names a server (scripts/test.sh does that when PostgreSQL answers; see
tests/databases.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config import Settings
from handlers.local import running_bot
from handlers.services import Services
from tests.databases import fresh_database_url
from tgemulator import BotApiEmulator

pytestmark = pytest.mark.database


@dataclass
class Env:
    emu: BotApiEmulator
    services: Services
    settings: Settings


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
