"""The staff desk through the emulator: residents handed to staff in a forum group and back."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.storage.models import OutboxMessage, Ticket, TicketMessage, User
from handlers.local import running_bot
from handlers.services import Services
from tests.helpers import last_message_becomes
from tests.rtl import problems, unmarked
from tgemulator import BotApiEmulator
from tgemulator.driver import SimChat, SimUser

pytestmark = pytest.mark.database
STAFF_CHAT = -1009876543
STAFF_ID_IN_CONFIG = 950
OUT_OF_SCOPE = {
    "ar": ("ما هي أفضل وصفة للفلافل؟", "من سيفوز بكأس العالم لكرة القدم؟"),
    "de": ("Wie backe ich einen Apfelkuchen?", "Wer gewinnt die Bundesliga?"),
    "uk": ("Як приготувати борщ?", "Яка погода завтра?"),
}


@dataclass
class Desk:
    emu: BotApiEmulator
    services: Services
    group: SimChat
    staff: SimUser

    def t(self, lang: str, key: str, **values: object) -> str:
        """A resident's text as Telegram shows it (HTML parsed away)."""
        return plain(self.services.texts.get(lang, key, **values))

    def s(self, key: str, **values: object) -> str:
        """A staff text as Telegram shows it."""
        return plain(self.services.assistant.desk.staff.get(key, **values))


def plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def desk_settings(bot_settings: Settings) -> Settings:
    telegram = bot_settings.telegram.model_copy(update={"staff_chat_id": STAFF_CHAT})
    desk = bot_settings.desk.model_copy(update={"staff_ids": (STAFF_ID_IN_CONFIG,)})
    return bot_settings.model_copy(update={"telegram": telegram, "desk": desk})


@pytest.fixture
async def world(bot_settings: Settings, engine) -> AsyncIterator[Desk]:  # type: ignore[no-untyped-def]
    services = Services.create(desk_settings(bot_settings), engine=engine)
    async with BotApiEmulator() as emu:
        staff = emu.user(900, "Anna", language_code="de")
        group = emu.group(
            "Team Einwanderung", chat_id=STAFF_CHAT, forum=True, members={staff: "administrator"}
        )
        yield Desk(emu, services, group, staff)
    services.db.dispose()


async def settle(seconds: float = 0.4) -> None:
    await asyncio.sleep(seconds)


async def hand_over(d: Desk, user: SimUser, lang: str) -> int:
    """Two questions the bot cannot answer, the offer, consent: the ticket's topic id."""
    first, second = OUT_OF_SCOPE[lang]
    await user.send_text(first)
    reply = await d.emu.wait_for_bot_message(user.chat_id)
    assert unmarked(reply.text).startswith(d.t(lang, "not_found")[:30])
    assert d.t(lang, "desk.button") in reply.button_labels  # the way to a person, at once
    assert d.t(lang, "desk.offer") not in reply.text
    await user.send_text(second)
    reply = await d.emu.wait_for_bot_message(user.chat_id)
    assert d.t(lang, "desk.offer") in reply.text  # two misses in a row: offered in words
    await user.press_button(d.t(lang, "desk.button"), message=reply)
    consent = await d.emu.wait_for_bot_message(user.chat_id)
    assert unmarked(consent.text).startswith(
        d.t(lang, "desk.consent", days=180).split("\n")[0][:20]
    )
    await user.press_button(d.t(lang, "desk.consent_yes"), message=consent)
    opening = d.t(lang, "desk.started", ticket=1, when="")[:25]
    await last_message_becomes(
        d.emu, user.chat_id, lambda text: unmarked(text).startswith(opening)
    )
    header = await d.emu.wait_for_bot_message(STAFF_CHAT, lambda m: "🎫" in (m.text or ""))
    assert header.thread_id is not None
    await settle()
    assert [m.text for m in d.emu.bot_messages(STAFF_CHAT, header.thread_id)] == [header.text]
    return header.thread_id


async def test_arabic_resident_and_staff_talk_through_a_topic(world: Desk) -> None:
    d = world
    layla = d.emu.user(811, "Layla", language_code="ar")
    async with running_bot(d.services.settings, d.emu, d.services):
        thread = await hand_over(d, layla, "ar")
        topic = d.group.topic(thread)
        assert topic.name.startswith("#1 Layla · AR")
        header = d.emu.bot_messages(STAFF_CHAT, thread)[0].text
        assert "Arabisch (ar)" in header and OUT_OF_SCOPE["ar"][0] in header
        assert "keine Antwort" in header
        # The resident writes; it lands in the topic. A question the bot knows is not answered
        # by the bot while staff have the conversation.
        await layla.send_text("أحتاج مساعدة في طلب التمويل لجمعيتنا")
        copied = await d.emu.wait_for_bot_message(
            STAFF_CHAT, thread_id=thread, predicate=lambda m: "👤" in (m.text or "")
        )
        assert "أحتاج مساعدة في طلب التمويل لجمعيتنا" in copied.text
        await layla.send_text("ما هو برنامج WIR2.0؟")
        await d.emu.wait_for_bot_message(
            STAFF_CHAT, thread_id=thread, predicate=lambda m: "WIR2.0" in (m.text or "")
        )
        await settle()
        # No automatic answer: two "not found", the consent (now "connected") and nothing more.
        assert len(d.emu.bot_messages(layla.chat_id)) == 3
        # Staff answer in the topic; the resident gets it with the Arabic introduction.
        await d.staff.send_text(
            "مرحباً ليلى، يمكنك زيارتنا يوم الثلاثاء.", chat=d.group, thread_id=thread
        )
        answer = await d.emu.wait_for_bot_message(layla.chat_id)
        intro = d.t("ar", "desk.staff_says", name="Anna").split("<b>")[0]
        assert unmarked(answer.text).startswith(intro)
        assert not problems(answer.text, html=False)
        assert "Anna" in answer.text and "يوم الثلاثاء" in answer.text
        # A photo from the resident is copied into the topic after a line saying who sent it.
        await layla.send_photo(caption="الإيصال")
        photo = await d.emu.wait_for_bot_message(
            STAFF_CHAT, thread_id=thread, predicate=lambda m: m.media_kind == "photo"
        )
        assert photo.text == "الإيصال"
        # Staff had answered, so the waiting clock starts again: the resident is told when.
        forwarded = await d.emu.wait_for_bot_message(layla.chat_id)
        assert unmarked(forwarded.text).startswith(d.t("ar", "desk.forwarded", when="")[:15])
        await layla.send_voice()
        voice = await d.emu.wait_for_bot_message(
            STAFF_CHAT, thread_id=thread, predicate=lambda m: m.media_kind == "voice"
        )
        assert voice.thread_id == thread
    with d.services.db.session() as session:
        user = session.scalars(select(User).where(User.external_id == "811")).one()
        assert user.handoff_consent_at is not None
        authors = session.scalars(select(TicketMessage.author).order_by(TicketMessage.id)).all()
        assert authors.count("resident") == 4 and authors.count("staff") == 1


async def test_internal_note_stays_with_staff(world: Desk) -> None:
    d = world
    olga = d.emu.user(812, "Olga", language_code="de")
    async with running_bot(d.services.settings, d.emu, d.services):
        thread = await hand_over(d, olga, "de")
        before = len(d.emu.bot_messages(olga.chat_id))
        await d.staff.send_text(
            "// Frau K. kennt den Verein, bitte sie fragen", chat=d.group, thread_id=thread
        )
        await d.staff.send_text("Guten Tag! Wie heißt Ihr Verein?", chat=d.group, thread_id=thread)
        relayed = await d.emu.wait_for_bot_message(olga.chat_id, lambda m: "Verein" in m.text)
        assert "Frau K." not in relayed.text
        await settle()
        assert len(d.emu.bot_messages(olga.chat_id)) == before + 1
        # A document from staff reaches the resident as a copy, after a line saying who sends it.
        await d.staff.send_document(b"%PDF-1.4 Merkblatt", "merkblatt.pdf", chat=d.group,
                                    thread_id=thread)  # fmt: skip
        copy = await d.emu.wait_for_bot_message(olga.chat_id, lambda m: m.media_kind == "document")
        assert d.emu.file_bytes(copy) == b"%PDF-1.4 Merkblatt"
        assert "Anna" in d.emu.bot_messages(olga.chat_id)[-2].text
    with d.services.db.session() as session:
        note = session.scalars(select(TicketMessage).where(TicketMessage.author == "note")).one()
        assert note.text.startswith("// Frau K.") and note.staff_name == "Anna"


async def test_kb_sends_the_ukrainian_answer(world: Desk) -> None:
    d = world
    oksana = d.emu.user(813, "Oksana", language_code="uk")
    entry = d.services.engine.knowledge.get("naturalisation-test")
    assert entry is not None
    async with running_bot(d.services.settings, d.emu, d.services):
        thread = await hand_over(d, oksana, "uk")
        await d.staff.send_command("kb", "naturalisation-tset", chat=d.group, thread_id=thread)
        unknown = await d.emu.wait_for_bot_message(
            STAFF_CHAT, thread_id=thread, predicate=lambda m: "gibt es nicht" in m.text
        )
        assert "naturalisation-test" in unknown.text  # the close match is suggested
        await d.staff.send_command("kb", "naturalisation-test", chat=d.group, thread_id=thread)
        sent = await d.emu.wait_for_bot_message(oksana.chat_id, lambda m: "📚" in m.text)
        assert entry.text("uk").title in sent.text
        assert entry.text("uk").answer.split("\n")[0][:40] in sent.text
        assert entry.text("de").title not in sent.text
        confirm = await d.emu.wait_for_bot_message(
            STAFF_CHAT, thread_id=thread, predicate=lambda m: "📚" in m.text
        )
        assert "Ukrainisch" in confirm.text and "naturalisation-test" in confirm.text


async def test_claim_close_and_rating_and_forged_rating_refused(world: Desk) -> None:
    d = world
    ali = d.emu.user(814, "Ali", language_code="de")
    mallory = d.emu.user(815, "Mallory", language_code="de")
    async with running_bot(d.services.settings, d.emu, d.services):
        thread = await hand_over(d, ali, "de")
        await d.staff.send_command("claim", chat=d.group, thread_id=thread)
        claimed = await d.emu.wait_for_bot_message(
            STAFF_CHAT, thread_id=thread, predicate=lambda m: "✋" in m.text
        )
        assert claimed.text == d.s("claimed", staff="Anna", ticket=1)
        await d.staff.send_command("inbox", chat=d.group)
        inbox = await d.emu.wait_for_bot_message(STAFF_CHAT, lambda m: "Offene" in m.text)
        assert "#1" in inbox.text and "bei Anna" in inbox.text
        await d.staff.send_command("close", chat=d.group, thread_id=thread)
        told = await d.emu.wait_for_bot_message(
            ali.chat_id, lambda m: m.text.startswith(d.t("de", "desk.closed", ticket=1)[:30])
        )
        assert told is not None
        rate = await d.emu.wait_for_bot_message(
            ali.chat_id, lambda m: m.button_labels == ["1", "2", "3", "4", "5"]
        )
        # Another resident forging the rating button changes nothing.
        await mallory.send_text("/start")
        menu = await d.emu.wait_for_bot_message(mallory.chat_id, lambda m: bool(m.button_labels))
        await mallory.press_button(data=rate.buttons[0][4]["callback_data"], message=menu)
        await settle()
        with d.services.db.session() as session:
            assert session.scalars(select(Ticket.rating)).one() is None
        await ali.press_button("4", message=rate)
        rated = d.t("de", "desk.rated", stars=4)
        await last_message_becomes(d.emu, ali.chat_id, lambda text: text == rated)
        shown = await d.emu.wait_for_bot_message(
            STAFF_CHAT, thread_id=thread, predicate=lambda m: "⭐" in m.text
        )
        assert "4 von 5" in shown.text
        # After closing, the bot answers the resident itself again.
        await ali.send_text("Wie lange dauert der Einbürgerungstest?")
        answer = await d.emu.wait_for_bot_message(ali.chat_id, lambda m: "📚" not in m.text)
        title = d.services.engine.knowledge.get("naturalisation-test").text("de").title  # type: ignore[union-attr]
        assert answer.text.startswith(title)
        await d.staff.send_command("stats", chat=d.group)
        stats = await d.emu.wait_for_bot_message(STAFF_CHAT, lambda m: "Gespräche" in m.text)
        assert "abgeschlossen: 1" in stats.text and "4.0" in stats.text
    with d.services.db.session() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert (ticket.status, ticket.claimed_by, ticket.rating) == ("closed", "Anna", 4)
        assert ticket.closed_by == "Anna"


async def test_non_staff_refused_and_configured_staff_admitted(world: Desk) -> None:
    d = world
    resident = d.emu.user(816, "Pavel", language_code="uk")
    office = d.emu.user(STAFF_ID_IN_CONFIG, "Jonas", language_code="de")
    async with running_bot(d.services.settings, d.emu, d.services):
        for command in ("inbox", "stats", "close", "claim"):
            await resident.send_command(command)
            refused = await d.emu.wait_for_bot_message(resident.chat_id)
            assert refused.text == d.t("uk", "desk.staff_only")
        with pytest.raises(ValueError):  # not a member: cannot even post in the group
            await resident.send_text("/inbox", chat=d.group)
        await office.send_command("inbox")
        listed = await d.emu.wait_for_bot_message(office.chat_id)
        assert listed.text == d.s("inbox_empty")
        # A member of the staff group may use /stats in a private chat too.
        await d.staff.send_command("stats")
        stats = await d.emu.wait_for_bot_message(d.staff.chat_id)
        assert "Gespräche" in stats.text


async def test_restart_in_the_middle_of_a_ticket(world: Desk) -> None:
    d = world
    sara = d.emu.user(817, "Sara", language_code="de")
    async with running_bot(d.services.settings, d.emu, d.services):
        thread = await hand_over(d, sara, "de")
    async with running_bot(d.services.settings, d.emu, d.services):
        await sara.send_text("Sind Sie noch da?")
        copied = await d.emu.wait_for_bot_message(
            STAFF_CHAT, thread_id=thread, predicate=lambda m: "noch da" in m.text
        )
        assert copied.thread_id == thread
        await d.staff.send_text("Ja, hier ist Anna.", chat=d.group, thread_id=thread)
        answer = await d.emu.wait_for_bot_message(sara.chat_id, lambda m: "hier ist Anna" in m.text)
        assert answer is not None


async def test_a_429_during_a_relay_is_delivered_later_exactly_once(world: Desk) -> None:
    d = world
    emre = d.emu.user(818, "Emre", language_code="de")
    async with running_bot(d.services.settings, d.emu, d.services):
        thread = await hand_over(d, emre, "de")
        # More 429s than the rate limiter retries: the outbox has to try again later.
        d.emu.inject_fault("sendMessage", error_code=429, retry_after=1, times=5)
        await d.staff.send_text("Ihre Unterlagen sind vollständig.", chat=d.group, thread_id=thread)
        relayed = await d.emu.wait_for_bot_message(
            emre.chat_id, lambda m: "vollständig" in m.text, timeout=20
        )
        assert relayed is not None
        await settle(2.5)
        copies = [m for m in d.emu.bot_messages(emre.chat_id) if "vollständig" in m.text]
        assert len(copies) == 1
    with d.services.db.session() as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == emre.chat_id)
        ).all()
        [row] = [r for r in rows if "vollständig" in r.payload["text"]]
        assert (
            row.sent_at is not None
            and row.attempts >= 2
            and "retry" in (row.last_error or "").lower()
        )


async def test_deleted_topic_is_recreated_and_end_by_resident(world: Desk) -> None:
    d = world
    mia = d.emu.user(819, "Mia", language_code="de")
    async with running_bot(d.services.settings, d.emu, d.services):
        thread = await hand_over(d, mia, "de")
        d.group.delete_topic(thread, by=d.staff)
        await mia.send_text("Hallo, ich habe noch eine Frage.")
        header = await d.emu.wait_for_bot_message(
            STAFF_CHAT, lambda m: "🎫" in m.text and m.thread_id != thread
        )
        new_thread = header.thread_id
        assert new_thread is not None and new_thread != thread
        copied = await d.emu.wait_for_bot_message(
            STAFF_CHAT, thread_id=new_thread, predicate=lambda m: "noch eine Frage" in m.text
        )
        assert copied is not None
        await mia.send_command("end")
        ended = await d.emu.wait_for_bot_message(
            mia.chat_id, lambda m: m.text.startswith(d.t("de", "desk.ended", ticket=1)[:30])
        )
        assert ended is not None
        note = await d.emu.wait_for_bot_message(
            STAFF_CHAT, thread_id=new_thread, predicate=lambda m: "🚪" in m.text
        )
        assert "Mia" in note.text
        await d.staff.send_text("Noch da?", chat=d.group, thread_id=new_thread)
        refused = await d.emu.wait_for_bot_message(
            STAFF_CHAT, thread_id=new_thread, predicate=lambda m: "abgeschlossen" in m.text
        )
        assert refused.text == d.s("not_open", ticket=1)
    with d.services.db.session() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert ticket.thread_id == new_thread and ticket.closed_by == "resident"


async def test_group_without_topics_staff_reply_to_the_copied_message(
    bot_settings: Settings,
    engine,  # type: ignore[no-untyped-def]
) -> None:
    services = Services.create(desk_settings(bot_settings), engine=engine)
    async with BotApiEmulator() as emu:
        staff = emu.user(901, "Berk", language_code="de")
        group = emu.group("Team", chat_id=STAFF_CHAT, forum=False, members={staff: "member"})
        d = Desk(emu, services, group, staff)
        kemal = emu.user(820, "Kemal", language_code="tr")
        async with running_bot(services.settings, emu, services):
            await kemal.send_command("human")
            consent = await emu.wait_for_bot_message(kemal.chat_id)
            await kemal.press_button(d.t("tr", "desk.consent_yes"), message=consent)
            header = await emu.wait_for_bot_message(STAFF_CHAT, lambda m: "🎫" in m.text)
            assert "Antworten" in header.text  # explains replying instead of topics
            await kemal.send_text("Merhaba, dernek başvurusu için yardım lazım")
            copied = await emu.wait_for_bot_message(STAFF_CHAT, lambda m: "dernek" in m.text)
            assert copied.data["reply_to_message"]["message_id"] == header.message_id
            await staff.send_text("Ohne Antworten-Funktion geht es nicht weiter", chat=group)
            await staff.reply(copied, "Merhaba Kemal, salı günü gelebilirsiniz.")
            answer = await emu.wait_for_bot_message(kemal.chat_id, lambda m: "salı" in m.text)
            assert "Berk" in answer.text
            await settle()
            assert not any("Ohne Antworten" in (m.text or "") for m in emu.history(kemal.chat_id))
    services.db.dispose()


async def test_staff_learn_when_the_resident_blocked_the_bot(world: Desk) -> None:
    d = world
    nina = d.emu.user(821, "Nina", language_code="de")
    async with running_bot(d.services.settings, d.emu, d.services):
        thread = await hand_over(d, nina, "de")
        nina.block_bot()
        await d.staff.send_text("Hallo Nina, hier ist Anna.", chat=d.group, thread_id=thread)
        await d.staff.send_text("Sind Sie noch da?", chat=d.group, thread_id=thread)
        notice = await d.emu.wait_for_bot_message(
            STAFF_CHAT, thread_id=thread, predicate=lambda m: "⚠️" in m.text, timeout=10
        )
        assert "Nina (#1)" in notice.text and "blockiert" in notice.text
        await settle(2.5)
        warnings = [m for m in d.emu.bot_messages(STAFF_CHAT, thread) if "⚠️" in m.text]
        assert len(warnings) == 1  # once per ticket, not per message
    with d.services.db.session() as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == nina.chat_id)
        ).all()
        kept = [m for m in rows if "Anna" in m.payload["text"] or "noch da" in m.payload["text"]]
        assert len(kept) == 2 and all(m.sent_at is None for m in kept)  # tried again later
