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


async def test_a_german_term_in_arabic_gets_an_arabic_answer_without_an_offer(env: Env) -> None:
    user = env.emu.user(703, "Samir", language_code="ar")
    await user.send_text("كيف أقدم على Einbürgerung")
    answer = await env.emu.wait_for_bot_message(user.chat_id)
    assert answer.text.lstrip("\u200f").startswith(title(env, "naturalisation-apply", "ar"))
    await user.send_text("وين بلاقي Ausländerbehörde بهانوفر")
    await env.emu.wait_for_bot_message(user.chat_id)
    await asyncio.sleep(0.5)
    offer = texts(env, "de", "switch_language_offer", language="Deutsch")
    assert all(m.text != offer for m in env.emu.bot_messages(user.chat_id))
    assert len(env.emu.bot_messages(user.chat_id)) == 2


async def test_keep_my_language_is_remembered(env: Env) -> None:
    user = env.emu.user(704, "Rania", language_code="ar")
    await user.send_text("Wie beantrage ich die Einbürgerung?")
    answer = await env.emu.wait_for_bot_message(user.chat_id)
    assert answer.text.startswith(title(env, "naturalisation-apply", "de"))
    offer = await env.emu.wait_for_bot_message(user.chat_id)
    assert offer.text == texts(env, "de", "switch_language_offer", language="Deutsch")
    await user.press_button(texts(env, "ar", "keep_language_button", language="العربية"))
    await asyncio.sleep(0.3)
    # Again in German: answered in the kept language, and never offered again.
    await user.send_text("Was kostet der Einbürgerungstest?")
    answer = await env.emu.wait_for_bot_message(user.chat_id)
    assert answer.text.lstrip("\u200f").startswith(title(env, "naturalisation-test", "ar"))
    await asyncio.sleep(0.5)
    assert env.emu.bot_messages(user.chat_id)[-1].text == answer.text
    # An explicit choice of language starts afresh.
    await user.send_command("language")
    await env.emu.wait_for_bot_message(user.chat_id)
    await user.press_button("العربية")
    await asyncio.sleep(0.3)
    await user.send_text("Was kostet der Einbürgerungstest?")
    await env.emu.wait_for_bot_message(user.chat_id)
    offer = await env.emu.wait_for_bot_message(user.chat_id)
    assert offer.text == texts(env, "de", "switch_language_offer", language="Deutsch")


async def test_russian_in_latin_letters_is_answered_in_russian(env: Env) -> None:
    user = env.emu.user(705, "Dmitri", language_code="de")
    result = env.services.engine.ask("kak poluchit grazhdanstvo Germanii", hint="de")
    assert result.language == "ru" and result.language_certain
    await user.send_text("kak poluchit grazhdanstvo Germanii")
    first = await env.emu.wait_for_bot_message(user.chat_id)
    if result.status == "answer":
        assert first.text.startswith(title(env, result.entry_id, "ru"))
    elif result.status == "clarify":
        assert first.text == texts(env, "ru", "did_you_mean")
    else:
        assert first.text.startswith(texts(env, "ru", "not_found")[:40])
    offer = await env.emu.wait_for_bot_message(user.chat_id)
    assert offer.text == texts(env, "ru", "switch_language_offer", language="Русский")
