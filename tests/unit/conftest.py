"""Fixtures of the unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage import Database
from tests.databases import fresh_database_url


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A migrated database of its own (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""
    database = Database(fresh_database_url(tmp_path))
    database.migrate()
    yield database
    database.dispose()
