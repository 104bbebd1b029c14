"""The PostgreSQL test runs use databases of their own and leave the named one alone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.databases import drop_created, fresh_database_url

URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not URL.startswith("postgresql"), reason="needs TEST_DATABASE_URL")


def databases() -> set[str]:
    engine = create_engine(make_url(URL).set(database="postgres"))
    with engine.connect() as conn:
        names = set(conn.scalars(text("select datname from pg_database")))
    engine.dispose()
    return names


def test_each_test_gets_a_new_database_that_is_dropped_afterwards(tmp_path: Path) -> None:
    before = databases()
    url = make_url(fresh_database_url(tmp_path))
    assert url.database not in before and url.database != make_url(URL).database
    assert url.database in databases()
    drop_created()
    assert databases() == before
