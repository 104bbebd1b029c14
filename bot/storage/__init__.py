"""Persistence: SQLAlchemy 2 models, migrations (Alembic) and repositories.

SQLite is the embedded default; PostgreSQL through ``DATABASE_URL``. Alembic owns the schema and
migrations are applied on start.
"""

from bot.storage.database import Database

__all__ = ["Database"]
