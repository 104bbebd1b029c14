"""The core services the handlers use, created once per application."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.conversation import Assistant
from bot.engine import AnsweringEngine, Progress
from bot.i18n import Texts, load_texts
from bot.storage import Database
from bot.storage.inbox import Inbox
from bot.storage.outbox import Outbox


@dataclass
class Services:
    settings: Settings
    db: Database
    engine: AnsweringEngine
    texts: Texts
    assistant: Assistant
    inbox: Inbox
    outbox: Outbox

    @classmethod
    def create(
        cls,
        settings: Settings,
        engine: AnsweringEngine | None = None,
        progress: Progress | None = None,
    ) -> Services:
        """Open the database (migrating it), load the knowledge base and the texts;
        ``progress`` hears how far a cold build of the search index is."""
        db = Database(settings.effective_database_url)
        db.migrate()
        engine = engine or AnsweringEngine.from_settings(settings, progress)
        texts = load_texts(fallback=settings.languages.default)
        assistant = Assistant(engine, texts, db, settings)
        return cls(settings, db, engine, texts, assistant, Inbox(db), Outbox(db))
