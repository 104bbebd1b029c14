"""Shared fixtures: settings pointing at the project's knowledge base, one engine per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
os.environ.setdefault("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder for the session; the lemma cache is shared with the project's own."""
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def settings(data_dir: Path) -> Settings:
    base = load_settings(ROOT / "config.yaml", environ={})
    # The lemma cache depends only on the knowledge base, so tests reuse the project's cache.
    return base.model_copy(update={"data_dir": ROOT / "data"})


@pytest.fixture(scope="session")
def engine(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.engine import AnsweringEngine

    return AnsweringEngine.from_settings(settings)


@pytest.fixture(autouse=True)
def _drop_test_databases():  # type: ignore[no-untyped-def]
    """PostgreSQL databases a test created (tests/databases.py) are dropped when it ends."""
    yield
    from tests.databases import drop_created

    drop_created()
