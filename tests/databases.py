"""Test databases of their own: nothing else on the server is touched.

Without TEST_DATABASE_URL each test uses a fresh SQLite file. With it (a PostgreSQL URL), the
URL names the server and the credentials only: each test gets a new database, named
``consult_test_<pid>_<random>``, created through the server's ``postgres`` database and dropped
when the test ends. The user needs the CREATEDB privilege.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

ENV = "TEST_DATABASE_URL"
_created: list[tuple[URL, str]] = []  # (maintenance URL, database name), dropped after the test


def fresh_database_url(tmp_path: Path) -> str:
    url = os.environ.get(ENV)
    if not url:
        return f"sqlite:///{tmp_path / 'bot.db'}"
    server = make_url(url)
    name = f"consult_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    maintenance = server.set(database="postgres")
    _run(maintenance, f'CREATE DATABASE "{name}"')
    _created.append((maintenance, name))
    return server.set(database=name).render_as_string(hide_password=False)


def drop_created() -> None:
    """Drop every database this process created (ending connections a test left open)."""
    while _created:
        maintenance, name = _created.pop()
        _run(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(url: URL, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()
