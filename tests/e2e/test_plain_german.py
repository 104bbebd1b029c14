"""Plain German: chosen under /language, German questions get the entry's plain answer."""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.languages import PLAIN_GERMAN_NAME
from tests.e2e.conftest import Env

pytestmark = pytest.mark.database

QUESTION = "Welche Sprachen sprichst du?"  # one of bot-languages' questions


def first_line(text: str) -> str:
    return text.replace("[person]", "").strip().splitlines()[0]


async def test_plain_german_choice_answers_with_the_plain_text(env: Env) -> None:
    entry = env.services.engine.knowledge.get("bot-languages")
    assert entry is not None and entry.de.plain is not None
    user = env.emu.user(741, "Emine", language_code="en")
    await user.send_command("language")
    await env.emu.wait_for_bot_message(user.chat_id)
    await user.press_button(PLAIN_GERMAN_NAME)
    await asyncio.sleep(0.3)
    confirm = env.emu.history(user.chat_id)[-1].text
    assert confirm == env.services.texts.get("de", "language_set_plain")
    await user.send_text(QUESTION)
    answer = await env.emu.wait_for_bot_message(user.chat_id)
    assert answer.text.startswith(entry.de.title)  # the German title, matched as German
    assert first_line(entry.de.plain) in answer.text
    assert first_line(entry.de.answer) not in answer.text
    await user.send_command("help")  # the interface stays German
    help_text = await env.emu.wait_for_bot_message(user.chat_id)
    german_help = re.sub(r"<[^>]+>", "", env.services.texts.get("de", "help"))
    assert help_text.text.startswith(german_help[:30])


async def test_german_choice_keeps_the_normal_answer(env: Env) -> None:
    entry = env.services.engine.knowledge.get("bot-languages")
    assert entry is not None and entry.de.plain is not None
    user = env.emu.user(742, "Jonas", language_code="de")
    await user.send_command("language")
    await env.emu.wait_for_bot_message(user.chat_id)
    await user.press_button("Deutsch")
    await asyncio.sleep(0.3)
    await user.send_text(QUESTION)
    answer = await env.emu.wait_for_bot_message(user.chat_id)
    assert first_line(entry.de.answer) in answer.text
    assert first_line(entry.de.plain) not in answer.text
