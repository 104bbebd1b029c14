"""Text from outside is cleaned where it enters: NUL bytes, lone surrogates, control characters;
forged button data with impossible values; a summary longer than it looks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.storage.models import (
    ConsultationRequest,
    FormState,
    TicketMessage,
    UnansweredQuestion,
    User,
)
from handlers.local import running_bot
from handlers.services import Services
from tgemulator import BotApiEmulator

pytestmark = pytest.mark.database
STAFF_CHAT = -1007770001


@pytest.fixture
async def world(bot_settings: Settings, engine) -> AsyncIterator[tuple[BotApiEmulator, Services]]:  # type: ignore[no-untyped-def]
    telegram = bot_settings.telegram.model_copy(update={"staff_chat_id": STAFF_CHAT})
    services = Services.create(bot_settings.model_copy(update={"telegram": telegram}), engine)
    async with BotApiEmulator() as emu:
        yield emu, services
    services.db.dispose()


def t(services: Services, key: str, **values: object) -> str:
    return services.texts.get("de", key, **values)


async def settle() -> None:
    await asyncio.sleep(0.3)


async def test_nul_surrogates_and_control_characters_never_crash(world) -> None:  # type: ignore[no-untyped-def]
    emu, services = world
    user = emu.user(601, "Ay\x00şe\ud800", language_code="de")
    async with running_bot(services.settings, emu, services):
        await user.send_text("Was kostet\x00 der Einbürgerungstest?\x07\ud83d")
        answer = await emu.wait_for_bot_message(user.chat_id)
        entry = services.engine.knowledge.get("naturalisation-test")
        assert entry is not None and answer.text.startswith(entry.text("de").title)
        await user.send_text("\x00\x01\x02")  # nothing left: answered calmly, not an error
        calm = await emu.wait_for_bot_message(user.chat_id)
        assert calm.text != t(services, "error")
        await user.send_text("Wetter\x00 morgen in\ud800 Hannover?")  # stored for editors
        await emu.wait_for_bot_message(user.chat_id)
    with services.db.session() as session:
        assert session.scalars(select(User.first_name)).one() == "Ayşe"
        stored = session.scalars(select(UnansweredQuestion.text)).all()
        assert "Wetter morgen in Hannover?" in stored


async def test_form_with_a_surrogate_in_the_name_and_a_summary_full_of_ampersands(world) -> None:  # type: ignore[no-untyped-def]
    emu, services = world
    staff = emu.user(960, "Petra", language_code="de")
    emu.group("Team", chat_id=STAFF_CHAT, members={staff: "administrator"})
    user = emu.user(602, "Lena", language_code="de")
    description = "&<>" * 330  # 990 characters shown, about 4,000 written as HTML
    async with running_bot(services.settings, emu, services):
        kind = t(services, "intake.kind_project_idea")
        await user.send_command("appointment")
        await emu.wait_for_bot_message(user.chat_id, lambda m: kind in m.button_labels)
        await user.press_button(kind)
        await settle()
        await user.press_button(t(services, "intake.requester_individual"))
        await settle()
        await user.send_text("Lena\ud800 Krüger\x00")
        channel = t(services, "intake.channel_telegram")
        await emu.wait_for_bot_message(user.chat_id, lambda m: channel in m.button_labels)
        await user.press_button(t(services, "intake.channel_telegram"))
        await settle()
        await user.send_text(description)
        slots = await emu.wait_for_bot_message(user.chat_id, lambda m: len(m.buttons) > 1)
        await user.press_button(slots.button_labels[0], message=slots)
        await settle()
        await user.press_button(t(services, "intake.consent_yes"))
        await settle()
        summary = emu.history(user.chat_id)[-1]
        assert t(services, "intake.summary_slot") in summary.text  # the slot line is shown
        assert "Lena Krüger" in summary.text and description in summary.text
        await user.press_button(t(services, "intake.confirm"), message=summary)
        await emu.wait_for_bot_message(user.chat_id, lambda m: m.media_kind == "document")
        card = await emu.wait_for_bot_message(STAFF_CHAT)
        assert "Lena Krüger" in card.text
    with services.db.session() as session:
        request = session.scalars(select(ConsultationRequest)).one()
        assert request.contact_name == "Lena Krüger" and request.description == description


async def test_button_data_with_impossible_values_is_refused_cleanly(world) -> None:  # type: ignore[no-untyped-def]
    emu, services = world
    user = emu.user(603, "Eve", language_code="en")
    async with running_bot(services.settings, emu, services):
        await user.send_command("start")
        await emu.wait_for_bot_message(user.chat_id, lambda m: bool(m.buttons))
        forged = ("rt:1:9999-12-31T23:59:00Z", "rt:1:2026-02-30T08:00:00Z",
                  "is:0001-01-01T00:00:00Z", "sq:1:2026-99-99T99:99:00Z", "rt:1:\x00")  # fmt: skip
        for data in forged:
            query = await user.press_button(data=data)
            answer = await emu.wait_for_callback_answer(query)
            assert answer.get("text") == services.texts.get("en", "button_expired")
        await user.send_text("How do I apply for WIR2.0 funding?")
        reply = await emu.wait_for_bot_message(user.chat_id, lambda m: "WIR" in m.text)
        assert reply.text != services.texts.get("en", "error")
    with services.db.session() as session:
        assert session.scalars(select(TicketMessage)).all() == []


async def test_an_earlier_forms_button_is_refused_on_a_newer_form(world) -> None:  # type: ignore[no-untyped-def]
    emu, services = world
    user = emu.user(604, "Elif", language_code="tr")
    kind = services.texts.get("tr", "intake.kind_project_idea")
    async with running_bot(services.settings, emu, services):
        await user.send_command("appointment")
        old = await emu.wait_for_bot_message(user.chat_id, lambda m: kind in m.button_labels)
        await user.send_command("appointment")  # a new form
        new = await emu.wait_for_bot_message(user.chat_id, lambda m: kind in m.button_labels)
        query = await user.press_button(kind, message=old)
        answer = await emu.wait_for_callback_answer(query)
        assert answer.get("text") == services.texts.get("tr", "button_expired")
        await settle()
        assert emu.history(user.chat_id)[-1].text == new.text  # the new form did not move on
        with services.db.session() as session:
            assert session.scalars(select(FormState.step)).one() == "kind"
        await user.press_button(kind, message=new)  # the new form's own button works
        await settle()
        with services.db.session() as session:
            assert session.scalars(select(FormState.step)).one() == "requester"
