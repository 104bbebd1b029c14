"""What a resident writes decides the kind of reply: small talk, danger now, a question."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlalchemy import func, select

from bot.storage.models import UnansweredQuestion
from tests.e2e.conftest import Env

pytestmark = pytest.mark.database


def title(env: Env, entry_id: str, lang: str) -> str:
    return env.services.engine.knowledge.get(entry_id).text(lang).title


def texts(env: Env, lang: str, key: str, **values: object) -> str:
    return env.services.texts.get(lang, key, **values)


def buttons(message) -> list[str]:  # type: ignore[no-untyped-def]
    markup = message.data.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_hallo_gets_a_friendly_word_and_the_topics(env: Env) -> None:
    user = env.emu.user(701, "Jana", language_code="de")
    await user.send_text("Hallo")
    reply = await env.emu.wait_for_bot_message(user.chat_id)
    assert reply.text == texts(env, "de", "smalltalk.greeting")
    assert buttons(reply) == [texts(env, "de", "browse_topics")]
    await user.send_text("danke!!")
    reply = await env.emu.wait_for_bot_message(user.chat_id)
    assert reply.text == texts(env, "de", "smalltalk.thanks")
    await user.press_button(texts(env, "de", "browse_topics"))
    await asyncio.sleep(0.3)
    shown = env.emu.history(user.chat_id)[-1].text
    assert shown == re.sub(r"</?b>", "", texts(env, "de", "topics_heading"))
    with env.services.db.session() as session:  # small talk is not an unanswered question
        assert session.scalar(select(func.count()).select_from(UnansweredQuestion)) == 0


async def test_danger_in_latin_letters_gets_the_emergency_numbers(env: Env) -> None:
    user = env.emu.user(702, "Olga", language_code="ru")
    await user.send_text("muzh menya byot pomogite")
    answer = await env.emu.wait_for_bot_message(user.chat_id)
    assert answer.text.startswith(title(env, "emergency", "ru"))
    assert "110" in answer.text and "112" in answer.text
