"""Every message an update produces is stored with the change it reports and delivered once:
a refused send never drops a message to someone else; a second message of the same kind
(a decision after a move, a move back) is delivered too."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.storage.models import InboxUpdate, OutboxMessage
from handlers.local import running_bot
from tests.e2e.test_appointments import STAFF_CHAT as REQUESTS_CHAT
from tests.e2e.test_appointments import fill_form_until_summary, t
from tests.e2e.test_appointments import staff_settings as staff_settings
from tests.e2e.test_appointments import world as requests_world  # noqa: F401 - fixture
from tests.e2e.test_desk import STAFF_CHAT, Desk, hand_over, settle
from tests.e2e.test_desk import world as world
from tests.helpers import last_message_becomes

pytestmark = pytest.mark.database


async def test_a_502_while_closing_loses_neither_side(world: Desk) -> None:
    d = world
    ali = d.emu.user(861, "Ali", language_code="de")
    async with running_bot(d.services.settings, d.emu, d.services):
        thread = await hand_over(d, ali, "de")
        d.emu.inject_fault("sendMessage", error_code=502, times=1)
        await d.staff.send_command("close", chat=d.group, thread_id=thread)
        told = await d.emu.wait_for_bot_message(
            ali.chat_id, lambda m: m.text.startswith(d.t("de", "desk.closed", ticket=1)[:30]),
            timeout=10,
        )  # fmt: skip
        rate = await d.emu.wait_for_bot_message(
            ali.chat_id, lambda m: m.button_labels == ["1", "2", "3", "4", "5"], timeout=10
        )
        closed = await d.emu.wait_for_bot_message(
            STAFF_CHAT, thread_id=thread, predicate=lambda m: "✅" in m.text, timeout=10
        )
        await settle(1.5)
        assert [m.text for m in d.emu.bot_messages(ali.chat_id)].count(told.text) == 1
        assert [m.text for m in d.emu.bot_messages(ali.chat_id)].count(rate.text) == 1
        assert [m.text for m in d.emu.bot_messages(STAFF_CHAT)].count(closed.text) == 1
        assert d.emu.faults and d.emu.faults[0].error_code == 502
    with d.services.db.session() as session:
        assert session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))) \
            .all() == []  # fmt: skip
        assert all(r.processed_at for r in session.scalars(select(InboxUpdate)))


async def test_decline_after_accept_and_moves_back_and_forth_all_arrive(
    requests_world,  # noqa: F811
) -> None:  # type: ignore[no-untyped-def]
    emu, services = requests_world
    staff = emu.user(905, "Frau Berater", language_code="de")
    emu.group("Beratung", chat_id=REQUESTS_CHAT, members={staff: "administrator"})
    user = emu.user(862, "Lea", language_code="de")
    ref = "WIR-2026-0001"

    def cards() -> list[str]:
        return [m.text for m in emu.bot_messages(REQUESTS_CHAT) if ref in (m.text or "")]

    async def move(to: int) -> None:
        await user.send_command("myrequests")
        listing = await emu.wait_for_bot_message(user.chat_id, lambda m: ref in (m.text or ""))
        await user.press_button(t(services, "de", "move_request", reference=ref), message=listing)
        question = t(services, "de", "move_question", reference=ref)
        choices = await last_message_becomes(emu, user.chat_id, lambda text: text == question)
        slots = [label for label in choices.button_labels if label[:3] in ("Di ", "Do ")]
        await user.press_button(slots[to], message=choices)
        moved = t(services, "de", "moved", reference=ref, slot="")[:30]
        await last_message_becomes(emu, user.chat_id, lambda text: text.startswith(moved))

    async with running_bot(services.settings, emu, services):
        await fill_form_until_summary(emu, services, user)
        await user.press_button(t(services, "de", "confirm"))
        card = await emu.wait_for_bot_message(REQUESTS_CHAT, timeout=10)
        await staff.press_button("✅ Annehmen", message=card, chat=REQUESTS_CHAT)
        accepted = t(services, "de", "accepted", reference=ref, slot="")[:25]
        await emu.wait_for_bot_message(user.chat_id, lambda m: (m.text or "").startswith(accepted))
        for moves, slot in enumerate((1, 0, 1), start=1):  # X -> Y -> X: a card for each
            await move(slot)
            await emu.world.wait_until(lambda n=moves: len(cards()) == 1 + n or None, 10)
        last_card = [m for m in emu.bot_messages(REQUESTS_CHAT) if ref in (m.text or "")][-1]
        await staff.press_button("❌ Ablehnen", message=last_card, chat=REQUESTS_CHAT)
        declined = t(services, "de", "declined", reference=ref)
        told = await emu.wait_for_bot_message(
            user.chat_id, lambda m: m.text == declined, timeout=10
        )
        assert told is not None
        await asyncio.sleep(1.0)
        assert len(cards()) == 4  # the first card and one per move, each once
