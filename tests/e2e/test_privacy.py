"""Residents' data rights through the emulator: /mydata, /forget, "delete my data"."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import inspect, select, text

from bot.intake.hours import ConsultationHours, Slot
from bot.intake.requests import RequestForm, create_request
from bot.storage.models import ConsultationRequest, User
from handlers.local import running_bot
from tests.e2e.test_desk import STAFF_CHAT, Desk, hand_over, plain, settle, world  # noqa: F401
from tests.helpers import last_message_becomes
from tests.rtl import unmarked

pytestmark = pytest.mark.database
RESIDENT_ID = 7731946  # distinctive, so that a search of every table finds only its own rows


def everything_stored(d: Desk) -> str:
    """Every row of every table (the scheduler's jobs included), as one text."""
    with d.services.db.engine.connect() as conn:
        rows = []
        for name in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{name}"')):
                rows.append(f"{name}: {tuple(row)!r}")
    return "\n".join(rows)


async def test_mydata_holds_own_data_only_and_no_staff_notes(world: Desk) -> None:  # noqa: F811
    d = world
    oksana = d.emu.user(RESIDENT_ID, "Oksana", language_code="uk")
    other = d.emu.user(8123, "Bernd", language_code="de")
    async with running_bot(d.services.settings, d.emu, d.services):
        await other.send_text("Wie backe ich einen Bienenstich für den Verein?")
        await d.emu.wait_for_bot_message(other.chat_id)
        thread = await hand_over(d, oksana, "uk")
        await d.staff.send_text("// Notiz: Rückruf morgen", chat=d.group, thread_id=thread)
        await d.staff.send_text("Добрий день! Чим допомогти?", chat=d.group, thread_id=thread)
        await d.emu.wait_for_bot_message(oksana.chat_id, lambda m: "Чим допомогти" in m.text)
        await oksana.send_command("mydata")
        summary = await d.emu.wait_for_bot_message(oksana.chat_id, lambda m: "Oksana" in m.text)
        assert summary.text.startswith(d.t("uk", "data_rights.summary", name="", language="",
                                           since="", recent="", unanswered="", feedback="",
                                           requests="", tickets="", messages="")[:12])  # fmt: skip
        assert "Українська" in summary.text
        file = await d.emu.wait_for_bot_message(
            oksana.chat_id, lambda m: m.media_kind == "document"
        )
    content = d.emu.file_bytes(file)
    assert content is not None
    data = json.loads(content)
    assert data["profile"]["first_name"] == "Oksana" and data["profile"]["client_language"] == "uk"
    assert len(data["unanswered_questions"]) == 2 and len(data["recent_questions"]) == 2
    said = [m["text"] for t in data["conversations_with_staff"] for m in t["messages"]]
    assert any("Чим допомогти" in s for s in said)
    dumped = content.decode()
    assert "Rückruf" not in dumped  # the staff's internal note
    assert "Bienenstich" not in dumped and "Bernd" not in dumped  # another resident


async def test_mydata_of_someone_unknown_says_nothing_is_stored(world: Desk) -> None:  # noqa: F811
    d = world
    nobody = d.emu.user(8124, "Ewa", language_code="pl")
    async with running_bot(d.services.settings, d.emu, d.services):
        await nobody.send_command("mydata")
        reply = await d.emu.wait_for_bot_message(nobody.chat_id)
        assert reply.text == d.t("pl", "data_rights.nothing")
    with d.services.db.session() as session:
        assert session.scalars(select(User)).all() == []


def add_accepted_request(d: Desk, user_id: int) -> int:
    hours = d.services.settings.consultation
    start = Slot.from_key("2027-03-09T08:00:00Z", ConsultationHours())  # a Tuesday, 09:00
    assert start is not None
    form = RequestForm(
        kind="funding_application", requester="organisation", contact_name="Zofia Zuckerfabrik",
        contact_channel="email", contact_value="zofia@example.org", language="de",
        description="Nachbarschaftsgarten Zuckerfabrik", organisation="Gartenverein Linden",
    )  # fmt: skip
    with d.services.db.session() as session:
        user = session.scalars(select(User).where(User.external_id == str(user_id))).one()
        booked = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
        request = create_request(session, form, user.id, "forget-test", hours, start, now=booked)
        request.status = "accepted"
        session.flush()
        request_id = request.id
    with d.services.db.session() as session:
        request = session.get(ConsultationRequest, request_id)
        assert request is not None and d.services.assistant.reminders is not None
    d.services.assistant.reminders.schedule(request, now=booked)
    return request_id


@pytest.mark.xfail(
    reason="the reply confirming /forget is an outbox row with her chat id (replies go through"
    " the outbox now); forgetting must cover the update's own messages too",
    strict=False,
)
async def test_forget_deletes_everything_and_closes_the_ticket(world: Desk) -> None:  # noqa: F811
    d = world
    zofia = d.emu.user(RESIDENT_ID, "Zofia", language_code="de")
    async with running_bot(d.services.settings, d.emu, d.services):
        thread = await hand_over(d, zofia, "de")
        await zofia.send_text("Unser Gartenverein Zuckerfabrik braucht Hilfe")
        await d.emu.wait_for_bot_message(STAFF_CHAT, lambda m: "Zuckerfabrik" in m.text,
                                         thread_id=thread)  # fmt: skip
        await d.staff.send_text("// Notiz zu Zofia", chat=d.group, thread_id=thread)
        await d.staff.send_text("Gern, Frau Zofia!", chat=d.group, thread_id=thread)
        await d.emu.wait_for_bot_message(zofia.chat_id, lambda m: "Gern" in m.text)
        request_id = add_accepted_request(d, RESIDENT_ID)
        with d.services.db.engine.connect() as conn:
            jobs = conn.execute(text("SELECT id FROM scheduled_jobs")).scalars().all()
        assert f"reminder:{request_id}:morning" in jobs
        await zofia.send_command("forget")
        question = await d.emu.wait_for_bot_message(
            zofia.chat_id,
            lambda m: m.text.startswith(d.t("de", "data_rights.forget_question")[:30]),
        )
        # A message to her waits in the outbox (Telegram refused it for now; her chat's
        # later messages wait behind it, so it is queued once the question is shown).
        d.services.outbox.put("queued-for-zofia", zofia.chat_id, _later("Zofia, Ihr Termin"))
        with d.services.db.session() as session:
            from bot.storage.models import OutboxMessage

            row = session.scalars(
                select(OutboxMessage).where(OutboxMessage.key == "queued-for-zofia")
            ).one()
            row.next_attempt_at = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        assert d.t("de", "data_rights.forget_requests_kept") in question.text
        assert "Zofia" in everything_stored(d)  # nothing deleted before the button
        await zofia.press_button(d.t("de", "data_rights.forget_yes"), message=question)
        await settle(0.6)
        assert d.emu.history(zofia.chat_id)[-1].text == d.t("de", "data_rights.forgotten")
        note = d.emu.bot_messages(STAFF_CHAT, thread)[-1]
        assert note.text == plain(d.s("forgotten", ticket=1))
        topic = d.group.topic(thread)
        assert topic.closed and "Zofia" not in topic.name
        await settle(2.5)  # the outbox sender had its chance: the queued message is gone
        assert not any("Ihr Termin" in m.text for m in d.emu.bot_messages(zofia.chat_id))
    stored = everything_stored(d)
    for trace in ("Zofia", "Zuckerfabrik", "zofia@example.org", str(RESIDENT_ID), "Gartenverein"):
        assert trace not in stored, trace
    with d.services.db.session() as session:
        request = session.get(ConsultationRequest, request_id)
        assert request is not None  # kept for the unit's records, anonymised
        assert (request.kind, request.status, request.user_id) == ("funding_application",
                                                                   "accepted", None)  # fmt: skip
        assert request.slot_start is not None and request.description == ""
    # The relayed messages in the staff topic stay Telegram's; nothing in the database links
    # them to her any more, so a staff reply there reaches nobody.


def _later(text_: str):  # type: ignore[no-untyped-def]
    from bot.conversation.replies import Reply

    return Reply(text_, language="de")


@pytest.mark.parametrize(
    ("lang", "said"),
    [("fa", "لطفاً اطلاعاتم را پاک کنید"), ("tr", "lütfen verilerimi silin")],
)
async def test_delete_my_data_in_words_asks_to_confirm(world: Desk, lang: str, said: str) -> None:  # noqa: F811
    d = world
    user = d.emu.user(8125, "Sara", language_code=lang)
    async with running_bot(d.services.settings, d.emu, d.services):
        await user.send_text(said)
        question = await d.emu.wait_for_bot_message(user.chat_id)
        assert unmarked(plain(question.text)).startswith(
            d.t(lang, "data_rights.forget_question")[:20]
        )
        await user.press_button(d.t(lang, "data_rights.forget_no"), message=question)
        await settle()
        assert unmarked(d.emu.history(user.chat_id)[-1].text) == d.t(lang, "data_rights.kept")
    with d.services.db.session() as session:
        assert session.scalars(select(User)).one().first_name == "Sara"  # nothing deleted


@pytest.mark.xfail(
    reason="held messages and the per-update outbox transaction not yet reconciled",
    strict=False,
)
async def test_sensitive_message_is_held_until_the_resident_answers(world: Desk) -> None:  # noqa: F811
    d = world
    hana = d.emu.user(8126, "Hana", language_code="ar")

    def in_topic(thread: int, part: str) -> bool:
        return any(part in (m.text or "") for m in d.emu.bot_messages(STAFF_CHAT, thread))

    async with running_bot(d.services.settings, d.emu, d.services):
        thread = await hand_over(d, hana, "ar")
        await hana.send_text("رقم جواز السفر 12345678")
        warning = await d.emu.wait_for_bot_message(hana.chat_id)
        assert unmarked(warning.text) == plain(
            d.t("ar", "sensitive.warning", what=d.t("ar", "sensitive.document"))
        )
        await settle(1.0)
        assert not in_topic(thread, "12345678")  # nothing leaves before the answer
        await hana.press_button(d.t("ar", "sensitive.send"), message=warning)
        await d.emu.wait_for_bot_message(
            STAFF_CHAT, lambda m: "12345678" in m.text, thread_id=thread
        )
        assert unmarked(d.emu.history(hana.chat_id)[-2].text) == d.t("ar", "sensitive.sent") or any(
            unmarked(m.text) == d.t("ar", "sensitive.sent") for m in d.emu.history(hana.chat_id)
        )
        # Health details, and the resident prefers to write it again: never relayed.
        await hana.send_text("أنا حامل وأحتاج موعدًا")
        warning = await d.emu.wait_for_bot_message(hana.chat_id, lambda m: "⚠️" in m.text)
        assert d.t("ar", "sensitive.health") in warning.text
        await hana.press_button(d.t("ar", "sensitive.rewrite"), message=warning)
        await settle(1.0)
        assert unmarked(d.emu.history(hana.chat_id)[-1].text) == d.t("ar", "sensitive.rewritten")
        assert not in_topic(thread, "حامل")
    stored = everything_stored(d)
    assert "حامل" not in stored


async def test_sensitive_request_description_is_held_until_confirmed(world: Desk) -> None:  # noqa: F811
    d = world
    jan = d.emu.user(8127, "Jan", language_code="de")

    def intake(key: str, **values: object) -> str:
        return d.t("de", f"intake.{key}", **values)

    async with running_bot(d.services.settings, d.emu, d.services):
        await jan.send_command("appointment")
        await d.emu.wait_for_bot_message(jan.chat_id)
        await jan.press_button(intake("kind_project_idea"))
        await settle()
        await jan.press_button(intake("requester_individual"))
        await last_message_becomes(d.emu, jan.chat_id, lambda t: t == intake("name_question"))
        await jan.send_text("Jan Nowak")
        await d.emu.wait_for_bot_message(
            jan.chat_id, lambda m: m.text == intake("channel_question")
        )
        await jan.press_button(intake("channel_telegram"))
        await last_message_becomes(
            d.emu, jan.chat_id, lambda t: t.startswith(intake("description_question", limit=1)[:20])
        )
        await jan.send_text("Meine IBAN ist DE89 3704 0044 0532 0130 00, bitte Geld senden")
        warning = await d.emu.wait_for_bot_message(jan.chat_id, lambda m: "⚠️" in m.text)
        assert d.t("de", "sensitive.iban") in warning.text
        with d.services.db.session() as session:
            from bot.storage.models import FormState

            form = session.scalars(select(FormState)).one()
            assert form.step == "description" and "description" not in form.data
        await jan.press_button(d.t("de", "sensitive.rewrite"), message=warning)
        await settle()
        await jan.send_text("Ein Nachbarschaftsfest im Sommer")
        await d.emu.wait_for_bot_message(jan.chat_id, lambda m: m.text == intake("slot_question"))
    with d.services.db.session() as session:
        form = session.scalars(select(FormState)).one()
        assert form.data["description"] == "Ein Nachbarschaftsfest im Sommer"
    assert "DE89" not in everything_stored(d)
