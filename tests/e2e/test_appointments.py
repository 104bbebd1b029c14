"""Requests for advice appointments, through the emulator: form, staff decision, durability."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from icalendar import Calendar, Event
from sqlalchemy import select

from bot.config import Settings
from bot.storage.models import ConsultationRequest, OutboxMessage, SlotBooking, as_utc
from handlers.local import running_bot
from handlers.services import Services
from tests.helpers import last_message_becomes
from tests.rtl import unmarked
from tgemulator import BotApiEmulator

pytestmark = pytest.mark.database
STAFF_CHAT = -1001234567


@pytest.fixture
def staff_settings(bot_settings: Settings) -> Settings:
    telegram = bot_settings.telegram.model_copy(update={"staff_chat_id": STAFF_CHAT})
    return bot_settings.model_copy(update={"telegram": telegram})


@pytest.fixture
async def world(staff_settings: Settings, engine) -> AsyncIterator[tuple[BotApiEmulator, Services]]:  # type: ignore[no-untyped-def]
    services = Services.create(staff_settings, engine=engine)
    async with BotApiEmulator() as emu:
        yield emu, services
    services.db.dispose()


def t(services: Services, lang: str, key: str, **values: object) -> str:
    return services.texts.get(lang, f"intake.{key}", **values)


async def settle() -> None:
    await asyncio.sleep(0.3)


async def card_is_recorded(services: Services) -> None:
    """Wait until the staff card's message is known (the outbox delivered it)."""
    for _ in range(50):
        with services.db.session() as session:
            if session.scalars(select(ConsultationRequest.card_message_id)).first():
                return
        await asyncio.sleep(0.1)
    raise AssertionError("the staff card was not recorded")


async def message_becomes(emu: BotApiEmulator, chat_id: int, message_id: int, part: str):  # type: ignore[no-untyped-def]
    """A message once its (edited) text contains ``part``."""

    def edited():  # type: ignore[no-untyped-def]
        found = emu.world.get_message(chat_id, message_id)
        return found if found is not None and part in (found.text or "") else None

    return await emu.world.wait_until(edited, 5)


def sent_calendars(emu: BotApiEmulator, chat_id: int) -> list[tuple[Calendar, Event]]:
    """Every calendar file the bot sent to the chat, parsed (in order)."""
    parsed = []
    for message in emu.bot_messages(chat_id):
        if message.media_kind == "document":
            data = emu.file_bytes(message)
            assert data is not None
            calendar = Calendar.from_ical(data)
            parsed.append((calendar, calendar.walk("VEVENT")[0]))
    return parsed


async def fill_form_until_summary(emu: BotApiEmulator, services: Services, user) -> None:  # type: ignore[no-untyped-def]
    await user.send_command("appointment")
    await emu.wait_for_bot_message(user.chat_id)
    await user.press_button(t(services, "de", "kind_funding_application"))
    applicant = t(services, "de", "pc_applicant_question")
    await last_message_becomes(emu, user.chat_id, lambda text: text.endswith(applicant))
    # The funding pre-check: four questions, then the route that fits.
    steps = (
        ("pc_applicant_association", "pc_amount_question"),
        ("pc_amount_medium", "pc_field_question"),
        ("pc_field_culture", "pc_share_question"),
    )
    for label, next_question in steps:  # each answer edits the question into the next one
        await user.press_button(t(services, "de", label))
        expected = t(services, "de", next_question)
        await last_message_becomes(emu, user.chat_id, lambda text, e=expected: text == e)
    await user.press_button(t(services, "de", "pc_share_no"))
    organisation = t(services, "de", "organisation_question")
    await last_message_becomes(emu, user.chat_id, lambda text: text == organisation)
    history = emu.history(user.chat_id)
    result = history[-2].text
    assert t(services, "de", "pc_result_medium").lstrip("• ")[:30] in result
    assert t(services, "de", "pc_result_share_low").lstrip("• ")[:30] in result
    # "Verein oder Initiative" already says it is for an organisation: not asked again.
    assert history[-1].text == t(services, "de", "organisation_question")
    await user.send_text("Kulturverein Linden e.V.")
    await emu.wait_for_bot_message(
        user.chat_id, lambda m: m.text == t(services, "de", "name_question")
    )
    await user.send_text("Ayşe Yılmaz")
    await emu.wait_for_bot_message(
        user.chat_id, lambda m: m.text == t(services, "de", "channel_question")
    )
    await user.press_button(t(services, "de", "channel_email"))
    await settle()
    expected = t(services, "de", "email_question")
    await last_message_becomes(emu, user.chat_id, lambda text: text == expected)
    await user.send_text("kein-mail")
    await emu.wait_for_bot_message(
        user.chat_id, lambda m: m.text == t(services, "de", "email_invalid")
    )
    await user.send_text("verein@example.org")
    await emu.wait_for_bot_message(
        user.chat_id,
        lambda m: m.text.startswith(t(services, "de", "description_question", limit=1000)[:20]),
    )
    await user.send_text("Wir planen ein Sommerfest mit Nachbarn und brauchen Rat zum Antrag.")
    slots = await emu.wait_for_bot_message(
        user.chat_id, lambda m: m.text == t(services, "de", "slot_question")
    )
    weekday_first = re.compile(r"^(Mo|Di|Mi|Do|Fr|Sa|So) \d\d\.\d\d\.\d{4} \d\d:\d\d$")
    assert all(weekday_first.match(label) for label in slots.button_labels[:5])  # weekdays
    await user.press_button(slots.button_labels[0], message=slots)
    await settle()
    await user.press_button(t(services, "de", "consent_yes"))
    await settle()


async def test_request_with_slot_staff_accepts(world) -> None:  # type: ignore[no-untyped-def]
    emu, services = world
    staff = emu.user(900, "Frau Berater", language_code="de")
    emu.group("Beratung", chat_id=STAFF_CHAT, members={staff: "administrator"})
    user = emu.user(801, "Ayşe", language_code="de")
    async with running_bot(services.settings, emu, services):
        await fill_form_until_summary(emu, services, user)
        summary = await last_message_becomes(emu, user.chat_id, lambda text: "Kultur" in text)
        assert "Kulturverein Linden e.V." in summary.text and "verein@example.org" in summary.text
        await user.press_button(t(services, "de", "confirm"), message=summary)
        ics = await emu.wait_for_bot_message(user.chat_id, lambda m: m.media_kind == "document")
        assert emu.file_bytes(ics).startswith(b"BEGIN:VCALENDAR")
        done = emu.history(user.chat_id)
        assert any("WIR-2026-0001" in (m.text or "") for m in done)
        card = await emu.wait_for_bot_message(STAFF_CHAT)
        assert "WIR-2026-0001" in card.text and "Sommerfest" in card.text
        assert "Vorprüfung" in card.text and t(services, "de", "pc_field_culture") in card.text
        await staff.press_button("✅ Annehmen", message=card, chat=STAFF_CHAT)
        told = await emu.wait_for_bot_message(
            user.chat_id, lambda m: "WIR-2026-0001" in (m.text or "") and m.media_kind != "document"
        )
        assert told.text.startswith(
            t(services, "de", "accepted", reference="WIR-2026-0001", slot="")[:25]
        )
    with services.db.session() as session:
        request = session.scalars(select(ConsultationRequest)).one()
        assert (request.status, request.decided_by) == ("accepted", "Frau Berater")
        assert request.contact_value == "verein@example.org" and request.slot_start is not None


async def test_half_filled_form_survives_a_restart_and_confirm_twice_stores_once(world) -> None:  # type: ignore[no-untyped-def]
    emu, services = world
    user = emu.user(802, "Olena", language_code="de")
    async with running_bot(services.settings, emu, services):
        await user.send_command("appointment")
        await emu.wait_for_bot_message(user.chat_id)
        await user.press_button(t(services, "de", "kind_project_idea"))
        await settle()
    async with running_bot(
        services.settings, emu, Services.create(services.settings, engine=services.engine)
    ):
        await user.press_button(t(services, "de", "requester_individual"))
        await settle()
        expected = t(services, "de", "name_question")
        await last_message_becomes(emu, user.chat_id, lambda text: text == expected)
        await user.send_text("Olena Petrenko")
        await emu.wait_for_bot_message(
            user.chat_id, lambda m: m.text == t(services, "de", "channel_question")
        )
        await user.press_button(t(services, "de", "channel_telegram"))
        await settle()
        await user.send_text("Ein Sprachcafé für Frauen aus der Ukraine")
        slots = await emu.wait_for_bot_message(
            user.chat_id, lambda m: m.text == t(services, "de", "slot_question")
        )
        await user.press_button(t(services, "de", "slot_none"), message=slots)
        await settle()
        await user.press_button(t(services, "de", "consent_yes"))
        await settle()
        summary = await last_message_becomes(emu, user.chat_id, lambda text: "Olena" in text)
        await user.press_button(t(services, "de", "confirm"), message=summary)
        await user.press_button(t(services, "de", "confirm"), message=summary)  # double tap
        await settle()
    with services.db.session() as session:
        stored = session.scalars(select(ConsultationRequest)).all()
        assert [(r.contact_name, r.kind, r.slot_start) for r in stored] == [
            ("Olena Petrenko", "project_idea", None)
        ]


async def test_resident_cancels_after_confirming_and_staff_see_it(world) -> None:  # type: ignore[no-untyped-def]
    emu, services = world
    staff = emu.user(906, "Herr Liste", language_code="de")
    emu.group("Beratung", chat_id=STAFF_CHAT, members={staff: "administrator"})
    user = emu.user(803, "Jan", language_code="de")
    async with running_bot(services.settings, emu, services):
        await fill_form_until_summary(emu, services, user)
        await user.press_button(t(services, "de", "confirm"))
        await emu.wait_for_bot_message(user.chat_id, lambda m: m.media_kind == "document")
        card = await emu.wait_for_bot_message(STAFF_CHAT, timeout=10)
        await card_is_recorded(services)
        await user.send_command("myrequests")
        listing = await emu.wait_for_bot_message(
            user.chat_id, lambda m: "WIR-2026-0001" in (m.text or "")
        )
        cancel = t(services, "de", "cancel_request", reference="WIR-2026-0001")
        await user.press_button(cancel, message=listing)
        question = t(services, "de", "cancel_confirm", reference="WIR-2026-0001")
        asked = await last_message_becomes(emu, user.chat_id, lambda text: text == question)
        await user.press_button(t(services, "de", "cancel_confirm_no"), message=asked)
        heading = t(services, "de", "myrequests_heading").removeprefix("<b>")[:10]
        await last_message_becomes(emu, user.chat_id, lambda text: text.startswith(heading))
        with services.db.session() as session:  # "no" kept it
            assert session.scalars(select(ConsultationRequest)).one().status == "pending"
        await user.press_button(cancel, message=listing)
        asked = await last_message_becomes(emu, user.chat_id, lambda text: text == question)
        await user.press_button(t(services, "de", "cancel_confirm_yes"), message=asked)
        done = t(services, "de", "request_cancelled", reference="WIR-2026-0001")
        await emu.wait_for_bot_message(user.chat_id, lambda m: m.media_kind == "document")
        assert any(m.text == done for m in emu.history(user.chat_id))
        notice = await emu.wait_for_bot_message(STAFF_CHAT, lambda m: "abgesagt" in (m.text or ""))
        assert "WIR-2026-0001" in notice.text and "wieder frei" in notice.text
        old = await message_becomes(emu, STAFF_CHAT, card.message_id, "veraltet")
        assert old.buttons == []
        calendars = sent_calendars(emu, user.chat_id)
        assert [(c["METHOD"], e["STATUS"], e["SEQUENCE"]) for c, e in calendars] == [
            ("PUBLISH", "TENTATIVE", 0),
            ("CANCEL", "CANCELLED", 1),
        ]
        assert len({e["UID"] for _, e in calendars}) == 1
    with services.db.session() as session:
        request = session.scalars(select(ConsultationRequest)).one()
        assert request.status == "cancelled" and request.cancelled_slot_start is not None
        assert session.scalars(select(SlotBooking)).all() == []


async def test_stale_buttons_are_refused_in_each_residents_language(world) -> None:  # type: ignore[no-untyped-def]
    emu, services = world
    async with running_bot(services.settings, emu, services):
        for number, lang in enumerate(("de", "en", "tr", "ar", "uk", "ru", "fa", "pl")):
            user = emu.user(820 + number, f"User {lang}", language_code=lang)
            expired = services.texts.get(lang, "button_expired")
            await user.send_command("appointment")
            form = await emu.wait_for_bot_message(user.chat_id)
            assert unmarked(form.text) == t(services, lang, "start")
            await user.send_command("cancel")
            await emu.wait_for_bot_message(
                user.chat_id,
                lambda m, lang=lang: unmarked(m.text) == t(services, lang, "cancelled"),
            )
            query = await user.press_button(t(services, lang, "kind_other"), message=form)
            assert unmarked((await emu.wait_for_callback_answer(query)).get("text")) == expired
            query = await user.press_button(data="sd:1:0:1", message=form)  # staff-only button
            assert unmarked((await emu.wait_for_callback_answer(query)).get("text")) == expired
            query = await user.press_button(data="iz:1", message=form)  # not their request
            assert unmarked((await emu.wait_for_callback_answer(query)).get("text")) == expired
    with services.db.session() as session:
        assert session.scalars(select(ConsultationRequest)).all() == []


async def test_forged_staff_buttons_and_cancel(world) -> None:  # type: ignore[no-untyped-def]
    emu, services = world
    user = emu.user(804, "Mallory", language_code="de")
    async with running_bot(services.settings, emu, services):
        await user.send_command("appointment")
        await emu.wait_for_bot_message(user.chat_id)
        query = await user.press_button(data="sd:1:0:1")  # a staff button, forged in a private chat
        answer = await emu.wait_for_callback_answer(query)
        assert answer.get("text") == services.texts.get("de", "button_expired")
        await user.send_command("cancel")
        reply = await emu.wait_for_bot_message(
            user.chat_id, lambda m: m.text == t(services, "de", "cancelled")
        )
        assert reply is not None
    with services.db.session() as session:
        assert session.scalars(select(ConsultationRequest)).all() == []


async def test_staff_card_refused_for_a_while_arrives_once(world) -> None:  # type: ignore[no-untyped-def]
    emu, services = world
    staff = emu.user(901, "Herr Team", language_code="de")
    emu.group("Beratung", chat_id=STAFF_CHAT, members={staff: "administrator"})
    user = emu.user(805, "Reza", language_code="de")
    async with running_bot(services.settings, emu, services):
        await fill_form_until_summary(emu, services, user)
        # Telegram refuses every sendMessage five times: more than the rate limiter retries.
        emu.inject_fault("sendMessage", error_code=429, retry_after=1, times=5)
        await user.press_button(t(services, "de", "confirm"))
        card = await emu.wait_for_bot_message(STAFF_CHAT, timeout=20)
        assert "WIR-2026-0001" in card.text
        await asyncio.sleep(2.5)  # no second copy arrives later
        assert len(emu.bot_messages(STAFF_CHAT)) == 1
    assert services.outbox.unsent() == 0


async def test_a_queued_message_is_delivered_after_a_restart(world) -> None:  # type: ignore[no-untyped-def]
    from bot.conversation import Reply

    emu, services = world
    user = emu.user(806, "Nour", language_code="ar")
    services.outbox.put(
        "test:restart", user.chat_id, Reply("رسالة محفوظة")
    )  # queued, then the bot stopped
    async with running_bot(services.settings, emu, services):
        message = await emu.wait_for_bot_message(user.chat_id, timeout=10)
        assert message.text == "رسالة محفوظة"
        assert services.outbox.put("test:restart", user.chat_id, Reply("again")) is False
    assert services.outbox.unsent() == 0


async def test_reminder_fires_once_and_future_ones_survive_a_restart(
    staff_settings, engine
) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from bot.intake.hours import ConsultationHours
    from bot.intake.reminders import Reminders
    from bot.intake.settings import ReminderSettings

    every_day = {d: ["00:00-23:59"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    hours = ConsultationHours(
        weekly=every_day, lead_hours=0, slot_minutes=30, holidays_subdivision="NI"
    )
    settings = staff_settings.model_copy(update={
        "consultation": hours,
        "reminders": ReminderSettings(day_before_at=dt.time(0, 0), morning_at=dt.time(0, 0)),
    })  # fmt: skip
    services = Services.create(settings, engine=engine)
    staff = None
    async with BotApiEmulator() as emu:
        staff = emu.user(902, "Frau Team", language_code="de")
        emu.group("Beratung", chat_id=STAFF_CHAT, members={staff: "administrator"})
        user = emu.user(807, "Piotr", language_code="de")
        async with running_bot(settings, emu, services):
            await fill_form_until_summary(emu, services, user)
            await user.press_button(t(services, "de", "confirm"))
            card = await emu.wait_for_bot_message(STAFF_CHAT, timeout=10)
            await staff.press_button("✅ Annehmen", message=card, chat=STAFF_CHAT)
            reminder = await emu.wait_for_bot_message(
                user.chat_id, lambda m: (m.text or "").startswith("Erinnerung"), timeout=15
            )
            assert "WIR-2026-0001" in reminder.text
            with services.db.session() as session:
                request = session.scalars(select(ConsultationRequest)).one()
            start = request.slot_start.replace(tzinfo=dt.UTC).astimezone(hours.zone)
            from bot.intake.timing import slot_of, when

            assert when(slot_of(request, hours), services.texts, "de") in reminder.text  # weekday
            with services.db.session() as session:
                keys = session.scalars(
                    select(OutboxMessage.key).where(OutboxMessage.key.like("reminder:%"))
                ).all()
            sent_kinds = {key.split(":")[2] for key in keys}  # day_before and/or morning
            assert sent_kinds
            for kind in sent_kinds:  # the same reminder is never queued twice
                assert (
                    services.assistant.reminders.send(request.id, kind, start.isoformat()) is False
                )
            await asyncio.sleep(1)
            assert (
                sum((m.text or "").startswith("Erinnerung") for m in emu.bot_messages(user.chat_id))
                <= 2
            )
            # A request three days ahead: its reminders are stored jobs, not timers in memory.
            later = services.assistant.reminders
            request.slot_start = (start + dt.timedelta(days=3)).astimezone(dt.UTC)
            request.status = "accepted"
            ids = later.schedule(request)
            assert len(ids) == 2
    restarted = Reminders(services.db, services.outbox, services.texts, hours, settings.reminders)
    restarted.scheduler.start(paused=True)
    try:
        assert {job.id for job in restarted.scheduler.get_jobs()} >= set(ids)
    finally:
        restarted.scheduler.shutdown(wait=False)
    services.db.dispose()


async def test_move_supersedes_the_card_and_a_stale_accept_changes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    emu, services = world
    staff = emu.user(905, "Frau Karte", language_code="de")
    emu.group("Beratung", chat_id=STAFF_CHAT, members={staff: "administrator"})
    user = emu.user(808, "Lea", language_code="de")
    async with running_bot(services.settings, emu, services):
        await fill_form_until_summary(emu, services, user)
        await user.press_button(t(services, "de", "confirm"))
        await emu.wait_for_bot_message(user.chat_id, lambda m: m.media_kind == "document")
        old = await emu.wait_for_bot_message(STAFF_CHAT, timeout=10)
        assert "Förderantrag" in old.text and re.search(
            r"Termin: \w\w \d\d\.\d\d\.\d{4}, "
            r"\d\d:\d\d Uhr \((MEZ|MESZ)\)",
            old.text,
        )
        assert "funding_application" not in old.text and "Slot:" not in old.text
        stale_accept = next(
            b["callback_data"] for row in old.buttons for b in row if b["text"] == "✅ Annehmen"
        )
        await card_is_recorded(services)
        with services.db.session() as session:
            before = session.scalars(select(ConsultationRequest)).one().slot_start
        await user.send_command("myrequests")
        listing = await emu.wait_for_bot_message(
            user.chat_id, lambda m: "WIR-2026-0001" in (m.text or "")
        )
        await user.press_button(
            t(services, "de", "move_request", reference="WIR-2026-0001"), message=listing
        )
        question = t(services, "de", "move_question", reference="WIR-2026-0001")
        first = await last_message_becomes(emu, user.chat_id, lambda text: text == question)
        await user.press_button(t(services, "de", "back"), message=first)  # changed their mind
        heading = t(services, "de", "myrequests_heading").removeprefix("<b>")[:10]
        await last_message_becomes(emu, user.chat_id, lambda text: text.startswith(heading))
        await user.press_button(
            t(services, "de", "move_request", reference="WIR-2026-0001"), message=listing
        )
        first = await last_message_becomes(emu, user.chat_id, lambda text: text == question)
        soonest = [label for label in first.button_labels if label[:3] in ("Di ", "Do ")]
        assert len(soonest) == 6 and t(services, "de", "back") in first.button_labels
        await user.press_button(t(services, "de", "slots_later"), message=first)
        earlier = t(services, "de", "slots_earlier")
        later = await last_message_becomes(
            emu, user.chat_id, lambda _: earlier in emu.history(user.chat_id)[-1].button_labels
        )
        later_slots = [label for label in later.button_labels if label[:3] in ("Di ", "Do ")]
        assert later_slots and not set(later_slots) & set(soonest)
        await user.press_button(later_slots[0], message=later)
        moved = t(services, "de", "moved", reference="WIR-2026-0001", slot=later_slots[0])
        await last_message_becomes(emu, user.chat_id, lambda text: text == moved)
        new = await emu.wait_for_bot_message(STAFF_CHAT, lambda m: "verschoben" in (m.text or ""))
        assert "Bitte neu entscheiden" in new.text and "vorher:" in new.text
        superseded = await message_becomes(emu, STAFF_CHAT, old.message_id, "veraltet")
        assert superseded.buttons == []
        # Someone whose app still shows the old card presses "accept": refused, nothing changes.
        query = await staff.press_button(data=stale_accept, message=old, chat=STAFF_CHAT)
        answer = await emu.wait_for_callback_answer(query)
        assert answer.get("text") == "Diese Anfrage hat sich geändert, siehe neue Karte."
        await settle()
        with services.db.session() as session:
            request = session.scalars(select(ConsultationRequest)).one()
            assert request.status == "pending" and request.slot_start != before
        accepted = t(services, "de", "accepted", reference="WIR-2026-0001", slot=later_slots[0])
        assert all(m.text != accepted for m in emu.bot_messages(user.chat_id))
        await staff.press_button("✅ Annehmen", message=new, chat=STAFF_CHAT)
        await emu.wait_for_bot_message(user.chat_id, lambda m: m.text == accepted)
        await emu.wait_for_bot_message(user.chat_id, lambda m: m.media_kind == "document")
        calendars = sent_calendars(emu, user.chat_id)
        assert [(e["STATUS"], e["SEQUENCE"]) for _, e in calendars] == [
            ("TENTATIVE", 0), ("TENTATIVE", 1), ("CONFIRMED", 2),
        ]  # fmt: skip
        assert len({e["UID"] for _, e in calendars}) == 1
        starts = [e.decoded("DTSTART") for _, e in calendars]
        with services.db.session() as session:
            request = session.scalars(select(ConsultationRequest)).one()
            assert request.status == "accepted" and request.decided_by == "Frau Karte"
            assert starts[0] == as_utc(before)
            assert starts[1] == starts[2] == as_utc(request.slot_start)
            assert len(session.scalars(select(SlotBooking)).all()) == 1


async def test_staff_proposes_another_time_and_the_resident_agrees(world) -> None:  # type: ignore[no-untyped-def]
    emu, services = world
    staff = emu.user(903, "Frau Plan", language_code="de")
    emu.group("Beratung", chat_id=STAFF_CHAT, members={staff: "administrator"})
    user = emu.user(809, "Ali", language_code="de")
    async with running_bot(services.settings, emu, services):
        await fill_form_until_summary(emu, services, user)
        await user.press_button(t(services, "de", "confirm"))
        card = await emu.wait_for_bot_message(STAFF_CHAT, timeout=10)
        await staff.press_button("🕑 Anderen Termin vorschlagen", message=card, chat=STAFF_CHAT)
        back = await message_becomes(emu, STAFF_CHAT, card.message_id, "welchen Termin")
        await staff.press_button("↩ Zurück zur Karte", message=back, chat=STAFF_CHAT)
        await message_becomes(emu, STAFF_CHAT, card.message_id, "Anliegen:")
        await staff.press_button("🕑 Anderen Termin vorschlagen", message=card, chat=STAFF_CHAT)
        await message_becomes(emu, STAFF_CHAT, card.message_id, "welchen Termin")
        soonest = emu.history(STAFF_CHAT)[-1].button_labels
        await staff.press_button("Spätere Termine ▶", message=card, chat=STAFF_CHAT)
        options = await message_becomes(emu, STAFF_CHAT, card.message_id, "welchen Termin")
        await emu.world.wait_until(lambda: "◀ Frühere Termine" in card.button_labels, 5)
        assert "welchen Termin" in options.text
        chosen = options.button_labels[0]  # from the next week(s)
        assert chosen not in soonest and chosen.endswith(("Uhr (MEZ)", "Uhr (MESZ)"))
        await staff.press_button(chosen, message=options, chat=STAFF_CHAT)
        proposal = await emu.wait_for_bot_message(
            user.chat_id,
            lambda m: (m.text or "").startswith(
                t(services, "de", "proposed", reference="WIR-2026-0001", slot="")[:30]
            ),
        )
        assert chosen.split(",")[0].split()[1] in proposal.text  # the same date
        await user.press_button(t(services, "de", "proposal_accept"), message=proposal)
        note = await emu.wait_for_bot_message(
            STAFF_CHAT, lambda m: "bestätigt" in (m.text or ""), timeout=10
        )
        assert "WIR-2026-0001" in note.text
        # The card itself now says so too, and the calendar file is confirmed for the new time.
        await message_becomes(emu, STAFF_CHAT, card.message_id, "bestätigt")
        await emu.wait_for_bot_message(user.chat_id, lambda m: m.media_kind == "document")
        calendars = sent_calendars(emu, user.chat_id)
        assert [(e["STATUS"], e["SEQUENCE"]) for _, e in calendars] == [
            ("TENTATIVE", 0), ("CONFIRMED", 2),
        ]  # fmt: skip
    with services.db.session() as session:
        assert session.scalars(select(ConsultationRequest)).one().status == "accepted"


async def test_two_residents_race_for_one_slot_then_a_decline_frees_it(world) -> None:  # type: ignore[no-untyped-def]
    emu, services = world
    staff = emu.user(904, "Herr Plan", language_code="de")
    emu.group("Beratung", chat_id=STAFF_CHAT, members={staff: "administrator"})
    first, second = (
        emu.user(810, "Mia", language_code="de"),
        emu.user(811, "Can", language_code="de"),
    )
    async with running_bot(services.settings, emu, services):
        for user in (first, second):  # both choose the same, first free slot
            await fill_form_until_summary(emu, services, user)
        await asyncio.gather(  # and confirm at the same moment
            first.press_button(t(services, "de", "confirm")),
            second.press_button(t(services, "de", "confirm")),
        )
        await settle()
        await asyncio.sleep(0.5)
        texts = [m.text or "" for u in (first, second) for m in emu.bot_messages(u.chat_id)]
        assert sum("WIR-2026-0001" in x for x in texts) >= 1
        assert any(x == t(services, "de", "slot_taken") for x in texts)  # the slower one is told
        card = await emu.wait_for_bot_message(STAFF_CHAT, timeout=10)
        await staff.press_button("❌ Ablehnen", message=card, chat=STAFF_CHAT)
        winner = next(u for u in (first, second) if sent_calendars(emu, u.chat_id))
        declined = t(services, "de", "declined", reference="WIR-2026-0001")
        await emu.wait_for_bot_message(winner.chat_id, lambda m: m.text == declined, timeout=10)
        await emu.wait_for_bot_message(winner.chat_id, lambda m: m.media_kind == "document")
        calendars = sent_calendars(emu, winner.chat_id)  # the event leaves their calendar
        assert [(c["METHOD"], e["STATUS"]) for c, e in calendars] == [
            ("PUBLISH", "TENTATIVE"), ("CANCEL", "CANCELLED"),
        ]  # fmt: skip
    with services.db.session() as session:
        requests = session.scalars(select(ConsultationRequest)).all()
        assert [r.status for r in requests] == ["declined"]
        assert session.scalars(select(SlotBooking)).all() == []  # the slot is free again
