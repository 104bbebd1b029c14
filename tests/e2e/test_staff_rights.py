"""Staff rights, checked on every staff command, message and button, also inside the group."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.storage.models import Ticket, TicketMessage
from handlers.local import running_bot
from tests.e2e.test_appointments import t as intake_t
from tests.e2e.test_desk import STAFF_CHAT, Desk, hand_over, settle, world  # noqa: F401

pytestmark = pytest.mark.database


async def test_restricted_member_is_refused_and_never_relayed(world: Desk) -> None:  # noqa: F811
    d = world
    muted = d.emu.user(930, "Mara", language_code="de")
    d.group.add_member(muted, "restricted")
    resident = d.emu.user(931, "Hana", language_code="de")
    async with running_bot(d.services.settings, d.emu, d.services):
        thread = await hand_over(d, resident, "de")
        before = len(d.emu.bot_messages(resident.chat_id))
        await muted.send_text("Sie bekommen das Geld sicher!", chat=d.group, thread_id=thread)
        refused = await d.emu.wait_for_bot_message(
            STAFF_CHAT, thread_id=thread, predicate=lambda m: "🎫" not in m.text
        )
        assert refused.text == d.s("not_relayed_not_staff")
        for command in ("claim", "close", "inbox", "stats"):
            await muted.send_command(command, chat=d.group, thread_id=thread)
            answer = await d.emu.wait_for_bot_message(STAFF_CHAT, thread_id=thread)
            assert answer.text == d.s("staff_only")
        await muted.send_command("inbox")  # in a private chat too
        assert (await d.emu.wait_for_bot_message(muted.chat_id)).text == d.t(
            "de", "desk.staff_only"
        )
        await settle()
        assert len(d.emu.bot_messages(resident.chat_id)) == before
    with d.services.db.session() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert (ticket.status, ticket.claimed_by) == ("open", None)
        authors = session.scalars(select(TicketMessage.author)).all()
        assert "staff" not in authors


async def test_a_member_removed_before_their_message_is_handled_is_not_relayed(world: Desk) -> None:  # noqa: F811
    d = world
    leaving = d.emu.user(932, "Tim", language_code="de")
    d.group.add_member(leaving, "member")
    resident = d.emu.user(933, "Iva", language_code="de")
    async with running_bot(d.services.settings, d.emu, d.services):
        thread = await hand_over(d, resident, "de")
        before = len(d.emu.bot_messages(resident.chat_id))
    # While the bot is down, Tim writes in the topic and is then removed from the group.
    await leaving.send_text("Letzte Nachricht von Tim", chat=d.group, thread_id=thread)
    d.group.add_member(leaving, "kicked")
    async with running_bot(d.services.settings, d.emu, d.services):
        refused = await d.emu.wait_for_bot_message(
            STAFF_CHAT, thread_id=thread, predicate=lambda m: "🎫" not in m.text
        )
        assert refused.text == d.s("not_relayed_not_staff")
        await settle()
        assert len(d.emu.bot_messages(resident.chat_id)) == before


async def test_a_member_who_left_loses_inbox_within_the_cache_time(
    world: Desk,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from handlers import staff_rights

    monkeypatch.setattr(staff_rights, "MEMBERSHIP_TTL", 0.5)
    d = world
    helper = d.emu.user(934, "Jana", language_code="de")
    d.group.add_member(helper, "member")
    async with running_bot(d.services.settings, d.emu, d.services):
        await helper.send_command("inbox")
        assert (await d.emu.wait_for_bot_message(helper.chat_id)).text == d.s("inbox_empty")
        d.group.add_member(helper, "left")
        await settle(0.6)
        await helper.send_command("inbox")
        answer = await d.emu.wait_for_bot_message(helper.chat_id)
        assert answer.text == d.t("de", "desk.staff_only")
        d.group.add_member(helper, "member")  # back: admitted at once (refusals are not cached)
        await helper.send_command("inbox")
        assert (await d.emu.wait_for_bot_message(helper.chat_id)).text == d.s("inbox_empty")


async def test_claim_refused_on_a_closed_ticket(world: Desk) -> None:  # noqa: F811
    d = world
    resident = d.emu.user(935, "Omid", language_code="de")
    async with running_bot(d.services.settings, d.emu, d.services):
        thread = await hand_over(d, resident, "de")
        await d.staff.send_command("close", chat=d.group, thread_id=thread)
        await d.emu.wait_for_bot_message(
            STAFF_CHAT, thread_id=thread, predicate=lambda m: "✅" in m.text
        )
        await d.staff.send_command("claim", chat=d.group, thread_id=thread)
        refused = await d.emu.wait_for_bot_message(
            STAFF_CHAT, thread_id=thread, predicate=lambda m: "#1" in m.text
        )
        assert refused.text == d.s("already_closed", ticket=1)
    with d.services.db.session() as session:
        assert session.scalars(select(Ticket.claimed_by)).one() is None


@pytest.mark.parametrize(
    "note",
    [
        "  // nur für uns",
        "\u200b// nur für uns",
        "／／ nur für uns",
        "\ufeff\u3000//nur für uns",
        "/\u200b/ nur für uns",
    ],
)
async def test_note_prefix_variants_stay_with_staff(world: Desk, note: str) -> None:  # noqa: F811
    d = world
    resident = d.emu.user(936, "Lea", language_code="de")
    async with running_bot(d.services.settings, d.emu, d.services):
        thread = await hand_over(d, resident, "de")
        await d.staff.send_text(note, chat=d.group, thread_id=thread)
        await d.staff.send_text("Guten Tag, hier ist Anna.", chat=d.group, thread_id=thread)
        relayed = await d.emu.wait_for_bot_message(resident.chat_id, lambda m: "Anna" in m.text)
        assert "nur für uns" not in relayed.text
        await settle()
        assert not any("nur für uns" in m.text for m in d.emu.bot_messages(resident.chat_id))
    with d.services.db.session() as session:
        notes = session.scalars(select(TicketMessage).where(TicketMessage.author == "note")).all()
        assert any("nur für uns" in n.text for n in notes)


async def test_restricted_member_cannot_press_the_staff_card(world: Desk) -> None:  # noqa: F811
    d = world
    muted = d.emu.user(937, "Mara", language_code="de")
    d.group.add_member(muted, "restricted")
    resident = d.emu.user(938, "Ayla", language_code="de")
    services = d.services
    async with running_bot(services.settings, d.emu, services):
        kind = intake_t(services, "de", "kind_other")
        await resident.send_command("appointment")
        await d.emu.wait_for_bot_message(resident.chat_id, lambda m: kind in m.button_labels)
        await resident.press_button(kind)
        await settle()
        await resident.press_button(intake_t(services, "de", "requester_individual"))
        await settle()
        await resident.send_text("Ayla Demir")
        telegram = intake_t(services, "de", "channel_telegram")
        await d.emu.wait_for_bot_message(resident.chat_id, lambda m: telegram in m.button_labels)
        await resident.press_button(telegram)
        await settle()
        await resident.send_text("Frage zu einem Projekt im Stadtteil")
        slots = await d.emu.wait_for_bot_message(resident.chat_id, lambda m: len(m.buttons) > 1)
        await resident.press_button(slots.button_labels[0], message=slots)
        await settle()
        await resident.press_button(intake_t(services, "de", "consent_yes"))
        await settle()
        await resident.press_button(intake_t(services, "de", "confirm"))
        card = await d.emu.wait_for_bot_message(STAFF_CHAT, lambda m: "Ayla Demir" in m.text)
        accept = next(label for label in card.button_labels if "Annehmen" in label)
        query = await muted.press_button(accept, message=card, chat=STAFF_CHAT)
        answer = await d.emu.wait_for_callback_answer(query)
        assert answer.get("text") == d.s("staff_only")
        await d.staff.press_button(accept, message=card, chat=STAFF_CHAT)
        await d.emu.wait_for_bot_message(
            resident.chat_id, lambda m: "WIR-" in (m.text or "") and m.media_kind != "document"
        )


async def test_telegram_reporting_a_member_gone_refuses_them_at_once(world: Desk) -> None:  # noqa: F811
    d = world
    helper = d.emu.user(939, "Jonas", language_code="de")
    d.group.add_member(helper, "member")
    async with running_bot(d.services.settings, d.emu, d.services):
        await helper.send_command("inbox")
        assert (await d.emu.wait_for_bot_message(helper.chat_id)).text == d.s("inbox_empty")
        before = d.emu.world.member_json(d.group.state, helper.info)
        d.group.add_member(helper, "kicked")
        d.emu.world.hub.push(
            "chat_member",
            {"chat": d.group.state.to_api(), "from": d.staff.info.to_api(), "date": 0,
             "old_chat_member": before,
             "new_chat_member": d.emu.world.member_json(d.group.state, helper.info)},
        )  # fmt: skip
        await settle()
        await helper.send_command("inbox")  # well within the 30 s a membership is remembered
        answer = await d.emu.wait_for_bot_message(helper.chat_id)
        assert answer.text == d.t("de", "desk.staff_only")


async def test_a_failing_membership_check_does_not_lose_the_staff_reply(world: Desk) -> None:  # noqa: F811
    """Telegram failing for a moment while the bot checks who wrote is no refusal: the staff
    member's message is handled again and reaches the resident once."""
    d = world
    resident = d.emu.user(934, "Lina", language_code="de")
    async with running_bot(d.services.settings, d.emu, d.services):
        thread = await hand_over(d, resident, "de")
        d.emu.inject_fault("getChatMember", error_code=502, times=1)
        await d.staff.send_text("Wir melden uns morgen, Lina.", chat=d.group, thread_id=thread)
        relayed = await d.emu.wait_for_bot_message(
            resident.chat_id, lambda m: "Wir melden uns morgen" in m.text
        )
        assert relayed is not None
        await settle()
        staff_says = [m for m in d.emu.bot_messages(resident.chat_id)
                      if "Wir melden uns morgen" in m.text]  # fmt: skip
        assert len(staff_says) == 1
        refusals = [m for m in d.emu.bot_messages(STAFF_CHAT, thread)
                    if m.text == d.s("not_relayed_not_staff")]  # fmt: skip
        assert refusals == []
