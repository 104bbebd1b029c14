"""Test helpers: small knowledge bases written to a temporary folder; waiting for a message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.languages import LANGUAGES


def block(
    title: str, questions: list[str], answer: str, keywords: list[str] | None = None
) -> dict[str, Any]:
    return {"title": title, "questions": questions, "keywords": keywords or [], "answer": answer}


def entry(entry_id: str, topic: str = "general", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": entry_id,
        "topic": topic,
        "sources": [
            {"url": "https://www.hannover.de", "title": "hannover.de", "checked": "2026-11-25"}
        ],
        "related": [],
    }
    for lang in LANGUAGES:
        data[lang] = block(
            f"{entry_id} {lang}", [f"question about {entry_id}"], f"answer {entry_id}"
        )
    data.update(overrides)
    return data


def topics(*ids: str) -> dict[str, Any]:
    return {
        "topics": [{"id": t, "title": {lang: f"{t} {lang}" for lang in LANGUAGES}} for t in ids]
    }


def write_kb(
    root: Path,
    entries: dict[str, list[dict[str, Any]]] | None = None,
    topic_ids: tuple[str, ...] = ("general",),
) -> Path:
    (root / "entries").mkdir(parents=True, exist_ok=True)
    (root / "topics.yaml").write_text(
        yaml.safe_dump(topics(*topic_ids), allow_unicode=True), encoding="utf-8"
    )
    for name, items in (entries or {"main.yaml": [entry("first")]}).items():
        (root / "entries" / name).write_text(
            yaml.safe_dump({"entries": items}, allow_unicode=True), encoding="utf-8"
        )
    return root


async def last_message_becomes(emu: Any, chat_id: int, check):  # type: ignore[no-untyped-def]
    """The chat's latest message once its (possibly edited) text passes ``check``."""

    def latest():  # type: ignore[no-untyped-def]
        history = emu.history(chat_id)
        return history[-1] if history and check(history[-1].text or "") else None

    try:
        return await emu.world.wait_until(latest, 5)
    except TimeoutError:
        raise AssertionError(f"latest message stayed {emu.history(chat_id)[-1].text!r}") from None
