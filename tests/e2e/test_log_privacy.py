"""No token and nothing a resident or a member of staff wrote in the logs, at any level.

Every logger at DEBUG (python-telegram-bot logs whole updates and request parameters there,
httpx every URL with the token at INFO, SQLAlchemy rows at DEBUG) through a whole conversation:
a question, the appointment form with name, phone and e-mail, the staff's decision, a hand-over
to staff with messages both ways and an internal note, an error in a handler.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.config import Settings
from handlers import local
from handlers.local import running_bot
from handlers.services import Services
from tgemulator import BotApiEmulator
from tgemulator.driver import SimUser

pytestmark = pytest.mark.database
STAFF_CHAT = -1005550001
TOKEN = "7301234567:AAHq2JvN0xXbRkq9PzT5mWcLd3eYf8sUo1Q"  # a made-up token
SECRET_PART = TOKEN.split(":")[1]
# Everything the people in this test write: none of it may appear in a log line.
RESIDENT_FIRST_NAME = "Zeynepcan"
QUESTION = "Wie beantrage ich Fördergeld für unseren Quartiersverein Kleefeld?"
FORM_NAME = "Zeynep Kalkanoğlu-Brandt"
FORM_PHONE = "+49 511 7654321"
FORM_EMAIL = "zeynep.kb@beispiel-verein.de"
FORM_ORGANISATION = "Quartiersverein Kleefeld Süd"
FORM_DESCRIPTION = "Nachbarschaftsfest an der Gartenlaube mit Kinderprogramm"
TO_STAFF = "Ich brauche Hilfe mit dem Mietvertrag meiner Wohnung Lindenstraße"
FROM_STAFF = "Bitte bringen Sie Ihren Mietvertrag am Dienstag mit, Frau Kalkanoğlu"
NOTE = "// Vertraulich: Vorgang 4711 beim Jobcenter"
UNSEEN = (
    TOKEN, SECRET_PART, RESIDENT_FIRST_NAME, QUESTION, FORM_NAME, FORM_PHONE, FORM_EMAIL,
    FORM_ORGANISATION, FORM_DESCRIPTION, TO_STAFF, FROM_STAFF, NOTE, "Kalkanoğlu", "7654321",
    "zeynep.kb", "Mietvertrag", "Jobcenter", "Gartenlaube",
)  # fmt: skip


@pytest.fixture
def all_logs() -> Iterator[io.StringIO]:
    """Every record of every logger at DEBUG, formatted like the command line does."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    saved_root = root.level
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    saved = [(lg, lg.level, lg.propagate, lg.disabled) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.propagate, lg.disabled = True, False
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(saved_root)
        for lg, level, propagate, disabled in saved:
            lg.setLevel(level)
            lg.propagate, lg.disabled = propagate, disabled


@pytest.fixture
async def world(
    bot_settings: Settings,
    engine,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> AsyncIterator[tuple[BotApiEmulator, Services]]:
    monkeypatch.setattr(local, "LOCAL_TOKEN", TOKEN)
    telegram = bot_settings.telegram.model_copy(update={"staff_chat_id": STAFF_CHAT})
    services = Services.create(bot_settings.model_copy(update={"telegram": telegram}), engine)
    async with BotApiEmulator() as emu:
        yield emu, services
    services.db.dispose()


def t(services: Services, key: str, **values: object) -> str:
    return services.texts.get("de", key, **values)


async def settle() -> None:
    await asyncio.sleep(0.3)


async def appointment_form(emu: BotApiEmulator, services: Services, user: SimUser) -> None:
    kind = t(services, "intake.kind_project_idea")
    await user.send_command("appointment")
    await emu.wait_for_bot_message(user.chat_id, lambda m: kind in m.button_labels)
    await user.press_button(kind)
    await settle()
    await user.press_button(t(services, "intake.requester_organisation"))
    await settle()
    for text in (FORM_ORGANISATION, FORM_NAME):
        await user.send_text(text)
        await emu.wait_for_bot_message(user.chat_id)
    await user.press_button(t(services, "intake.channel_phone"))
    await settle()
    await user.send_text("0511 abc")  # refused: the phone number is asked again
    await emu.wait_for_bot_message(user.chat_id)
    await user.send_text(FORM_PHONE)
    await emu.wait_for_bot_message(user.chat_id)
    await user.send_text(FORM_DESCRIPTION)
    slots = await emu.wait_for_bot_message(user.chat_id)
    await user.press_button(slots.button_labels[0], message=slots)
    await settle()
    await user.press_button(t(services, "intake.consent_yes"))
    await settle()
    await user.press_button(t(services, "intake.confirm"))
    await emu.wait_for_bot_message(user.chat_id, lambda m: m.media_kind == "document")


async def test_debug_logs_hold_no_token_and_nothing_anyone_wrote(
    world: tuple[BotApiEmulator, Services], all_logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu, services = world
    staff = emu.user(970, "Birgit", language_code="de")
    group = emu.group("Team", chat_id=STAFF_CHAT, forum=True, members={staff: "administrator"})
    resident = emu.user(971, RESIDENT_FIRST_NAME, language_code="de", username="zeynep_kb")
    other = emu.user(972, "Jan", language_code="de")
    async with running_bot(services.settings, emu, services):
        await resident.send_command("start")
        await emu.wait_for_bot_message(resident.chat_id)
        await resident.send_text(QUESTION)
        await emu.wait_for_bot_message(resident.chat_id)
        await appointment_form(emu, services, resident)
        card = await emu.wait_for_bot_message(STAFF_CHAT, lambda m: FORM_PHONE in m.text)
        await staff.press_button("✅ Annehmen", message=card, chat=STAFF_CHAT)
        await emu.wait_for_bot_message(resident.chat_id, lambda m: "WIR-" in m.text)
        # An e-mail address typed as a question outside the form.
        await other.send_text(f"Meine Adresse ist {FORM_EMAIL}, bitte melden")
        await emu.wait_for_bot_message(other.chat_id)
        # Hand-over to staff, messages both ways, an internal note.
        await resident.send_command("human")
        consent = await emu.wait_for_bot_message(resident.chat_id, lambda m: bool(m.buttons))
        await resident.press_button(t(services, "desk.consent_yes"), message=consent)
        header = await emu.wait_for_bot_message(STAFF_CHAT, lambda m: "🎫" in m.text)
        await resident.send_text(TO_STAFF)
        await emu.wait_for_bot_message(
            STAFF_CHAT, lambda m: TO_STAFF in m.text, thread_id=header.thread_id
        )
        await staff.send_text(NOTE, chat=group, thread_id=header.thread_id)
        await staff.send_text(FROM_STAFF, chat=group, thread_id=header.thread_id)
        await emu.wait_for_bot_message(resident.chat_id, lambda m: FROM_STAFF in m.text)
        # A handler fails (its error quoting the resident): the update is set aside, the error
        # logged with its traceback, the resident's text not.
        def failing_end(who: object) -> None:
            raise ValueError(f"cannot end after {TO_STAFF}")

        monkeypatch.setattr(services.assistant, "end", failing_end)
        await resident.send_command("end")
        await emu.wait_for_bot_message(resident.chat_id, timeout=10)
        await settle()
    logs = all_logs.getvalue()
    assert "HTTP Request: POST" in logs and "/bot<token>/sendMessage" in logs  # httpx logged
    assert "Calling Bot API endpoint `sendMessage`" in logs  # python-telegram-bot at DEBUG
    assert "Processing update <Update" in logs
    assert "set aside after 3 attempts" in logs and "Traceback" in logs
    found = {text: logs.count(text) for text in UNSEEN if text in logs}
    assert found == {}, f"found in the logs: {found}"
