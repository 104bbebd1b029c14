"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.storage import Database
from bot.storage.models import Base
from tests.databases import fresh_database_url


@pytest.mark.database
def test_migrations_match_the_models(tmp_path: Path) -> None:
    db = Database(fresh_database_url(tmp_path))
    db.migrate()
    try:
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        db.dispose()
    # A model changed without a migration (or the other way round) shows up here.
    assert differences == []
