"""No text promises a button or contact that is not there; no two buttons lead to one place."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from handlers.local import running_bot
from handlers.services import Services
from tests.e2e.conftest import Env
from tests.e2e.test_desk import STAFF_CHAT, Desk, hand_over, plain, world  # noqa: F401
from tgemulator import BotApiEmulator

pytestmark = pytest.mark.database
CONTACT = "Wie erreiche ich das Sachgebiet?"  # the unit-contact entry


@pytest.fixture
async def no_desk(bot_settings: Settings, engine) -> AsyncIterator[Env]:  # type: ignore[no-untyped-def]
    desk = bot_settings.desk.model_copy(update={"enabled": False})
    settings = bot_settings.model_copy(update={"desk": desk})
    services = Services.create(settings, engine=engine)
    async with BotApiEmulator() as emu, running_bot(settings, emu, services):
        yield Env(emu, services, settings)
    services.db.dispose()


def destinations(message) -> list[str]:  # type: ignore[no-untyped-def]
    return [b["callback_data"] for row in message.buttons for b in row if "callback_data" in b]


async def test_without_the_desk_answers_say_how_to_reach_the_unit(no_desk: Env) -> None:
    env, texts = no_desk, no_desk.services.texts
    user = env.emu.user(1501, "Jana", language_code="de")
    await user.send_text(CONTACT)
    answer = await env.emu.wait_for_bot_message(user.chat_id)
    unavailable = plain(texts.get("de", "desk.unavailable"))
    assert "Über die Buttons unten sprechen Sie mit einer Person" not in answer.text
    assert unavailable in answer.text and "hannover.de" in unavailable
    assert texts.get("de", "desk.button") not in answer.button_labels
    assert texts.get("de", "intake.button") in answer.button_labels  # the appointment is there
    await user.send_command("human")
    reply = await env.emu.wait_for_bot_message(user.chat_id)
    assert reply.text == unavailable and "/topics" not in reply.text


async def test_the_contact_answer_has_one_button_per_destination(world: Desk) -> None:  # noqa: F811
    d = world
    user = d.emu.user(1502, "Jan", language_code="de")
    async with running_bot(d.services.settings, d.emu, d.services):
        await user.send_text(CONTACT)
        answer = await d.emu.wait_for_bot_message(user.chat_id)
    texts = d.services.texts
    kb = d.services.engine.knowledge
    labels = answer.button_labels
    assert labels.count(texts.get("de", "desk.button")) == 1
    assert labels.count(texts.get("de", "intake.button")) == 1
    for explainer in ("bot-human", "bot-appointment"):  # articles that only point to a button
        assert "→ " + kb.get(explainer).text("de").title not in labels
    assert len(destinations(answer)) == len(set(destinations(answer)))
    assert "Über die Buttons unten sprechen Sie mit einer Person" in answer.text  # and they are


async def test_kb_sends_the_button_the_answer_points_to(world: Desk) -> None:  # noqa: F811
    d = world
    ola = d.emu.user(1503, "Ola", language_code="de")
    async with running_bot(d.services.settings, d.emu, d.services):
        thread = await hand_over(d, ola, "de")
        await d.staff.send_command("kb", "funding-own-share", chat=d.group, thread_id=thread)
        sent = await d.emu.wait_for_bot_message(ola.chat_id, lambda m: "📚" in m.text)
    assert d.services.texts.get("de", "intake.button") in sent.button_labels
