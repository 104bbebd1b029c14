"""Engine, sessions and migrations.

One ``Session`` per unit of work (a job, a command), opened with ``db.session()`` and committed
or rolled back as a whole. An incoming update is one unit of work however many ``db.session()``
blocks the core opens for it: inside ``db.scope()`` they share one transaction (each block a
savepoint), committed by ``Scope.commit`` together with the messages the update produces and
the mark that it was processed (see handlers/durability.py). Work that must not run inside that
transaction (another connection's writes, e.g. the scheduler's job store) is deferred with
``db.after_commit``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Scope:
    """One incoming update's transaction, opened by its first ``db.session()``."""

    def __init__(self, db: Database, before_commit: Callable[[Session], None] | None) -> None:
        self.db = db
        self.before_commit = before_commit
        self.session: Session | None = None
        self.committed = False
        self.wrote = False
        self._after: list[Callable[[], None]] = []
        self._task = _current_task()

    def active(self, db: Database) -> bool:
        return db is self.db and self._task is _current_task()

    def open(self) -> Session:
        """The scope's session; it notes its first write (``wrote``)."""
        if self.session is None:
            self.session = self.db.new_session()
            event.listen(self.session, "after_flush", self._note_write)
            event.listen(self.session, "do_orm_execute", self._note_statement)
        return self.session

    def _note_write(self, *_: object) -> None:
        self.wrote = True

    def _note_statement(self, state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            self.wrote = True

    def commit(self) -> None:
        """Commit what the update changed (``before_commit`` adds to it first), then run the
        deferred work. A scope commits at most once; later sessions are units of their own."""
        session = self.session or self.db.new_session()
        try:
            if self.before_commit is not None and not self.committed:
                self.before_commit(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            self.session = None
        self.committed = True
        after, self._after = self._after, []
        for work in after:
            work()

    def defer(self, work: Callable[[], None]) -> None:
        self._after.append(work)

    def rollback(self) -> None:
        if self.session is not None:
            self.session.rollback()
            self.session.close()
            self.session = None
        self._after.clear()


_SCOPE: ContextVar[Scope | None] = ContextVar("database_scope", default=None)


def _current_task() -> object:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no event loop: a plain thread
        return None


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _create_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose changes are committed when the block ends without an error (inside
        an open ``scope``: a savepoint of the scope's transaction)."""
        scope = _SCOPE.get()
        if scope is not None and not scope.committed and scope.active(self):
            session = scope.open()
            if self.url.startswith("sqlite"):
                _begin_sqlite(session)
            with session.begin_nested():
                yield session
            if not scope.wrote:  # only read so far: hold no snapshot (a handler may await)
                session.commit()
            return
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def new_session(self) -> Session:
        return self._sessions()

    @contextmanager
    def scope(self, before_commit: Callable[[Session], None] | None = None) -> Iterator[Scope]:
        """Make every ``session()`` in this block (and this task) part of one transaction that
        ``Scope.commit`` commits; whatever is not committed when the block ends is rolled back."""
        scope = Scope(self, before_commit)
        token = _SCOPE.set(scope)
        try:
            yield scope
        finally:
            _SCOPE.reset(token)
            scope.rollback()

    def after_commit(self, work: Callable[[], None]) -> None:
        """Run ``work`` once the current scope has committed (at once outside a scope)."""
        scope = _SCOPE.get()
        if scope is not None and not scope.committed and scope.active(self):
            scope.defer(work)
        else:
            work()

    def migrate(self) -> None:
        """Bring the schema up to the newest migration (idempotent)."""
        with self.engine.begin() as connection:
            config = alembic_config(self.url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _create_engine(url: str) -> Engine:
    # hide_parameters: an error (and SQL logging) shows the statement, never a resident's text.
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _sqlite_pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_sqlite(session: Session) -> None:
    """Open the scope's transaction on SQLite explicitly. The sqlite3 module begins one only
    at the first write, so a savepoint before it would be a transaction of its own and its
    release a commit. IMMEDIATE: the scope writes soon, without waiting in between."""
    connection = session.connection()
    if not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN IMMEDIATE")
