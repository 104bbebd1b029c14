"""Staff desk core: tickets on a real database, and working-hours arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.conversation.replies import UserRef
from bot.conversation.users import get_or_create
from bot.desk import tickets
from bot.desk.hours import expected_answer_by, working_time_between
from bot.intake.hours import ConsultationHours
from bot.storage import Database

BERLIN = ConsultationHours(weekly={d: ["09:00-16:00"] for d in ("mon", "tue", "wed", "thu", "fri")})


@pytest.mark.database
def test_one_open_ticket_per_resident_and_its_lifecycle(db: Database) -> None:
    with db.session() as session:
        user = get_or_create(session, UserRef("telegram", "42", 42, "Nour", "ar"))
        ticket, created = tickets.open_ticket(session, user, "سؤال عن التجنيس", "ar")
        again, created_again = tickets.open_ticket(session, user, "another", "ar")
        assert created and not created_again and again.id == ticket.id
        tickets.add_message(session, ticket, "resident", "مرحبا")
        tickets.add_message(session, ticket, "note", "internal", staff_name="Anna")
        tickets.claim(ticket, "Anna")
        tickets.add_message(session, ticket, "staff", "Hallo!", staff_name="Anna")
        assert ticket.waiting_since is None  # answered
        tickets.close(ticket)
        with pytest.raises(tickets.TicketClosed):
            tickets.add_message(session, ticket, "resident", "late")
        tickets.rate(ticket, 5)
        with pytest.raises(ValueError):
            tickets.rate(ticket, 9)
        tickets.reopen(session, ticket)
        assert ticket.status == "open"
        assert tickets.stats(session) == {"open": 1, "closed": 0, "rated": 1, "average_rating": 5.0}


@pytest.mark.database
def test_inbox_lists_unclaimed_first_then_longest_waiting(db: Database) -> None:
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    with db.session() as session:
        made = []
        for n, (claimed, waited) in enumerate([(None, 10), ("Anna", 90), (None, 60)]):
            user = get_or_create(session, UserRef("telegram", str(n), n, f"U{n}", "de"))
            ticket, _ = tickets.open_ticket(session, user, f"T{n}", "de")
            ticket.claimed_by = claimed
            ticket.waiting_since = now - dt.timedelta(minutes=waited)
            made.append(ticket.id)
        rows = tickets.inbox(session, now)
    assert [r.ticket_id for r in rows] == [made[2], made[0], made[1]]
    assert rows[0].waiting == dt.timedelta(minutes=60)


def test_expected_answer_skips_nights_weekends_and_holidays() -> None:
    friday_evening = dt.datetime(2026, 12, 18, 15, 0, tzinfo=BERLIN.zone)
    # one hour left on Friday, then the weekend: 8 working hours end on Monday at 16:00
    assert expected_answer_by(BERLIN, friday_evening, dt.timedelta(hours=8)) == dt.datetime(
        2026, 12, 21, 16, 0, tzinfo=BERLIN.zone
    )
    christmas_eve = dt.datetime(2026, 12, 24, 15, 0, tzinfo=BERLIN.zone)
    # 25 and 26 December are Lower Saxony holidays (and 26/27 a weekend)
    assert expected_answer_by(BERLIN, christmas_eve, dt.timedelta(hours=2)).date() == dt.date(
        2026, 12, 28
    )


def test_working_time_between_counts_office_hours_only() -> None:
    start = dt.datetime(2026, 12, 18, 15, 0, tzinfo=BERLIN.zone)  # Friday
    end = dt.datetime(2026, 12, 21, 10, 0, tzinfo=BERLIN.zone)  # Monday
    assert working_time_between(BERLIN, start, end) == dt.timedelta(hours=2)


def make_desk(db: Database, kb, staff_chat: int | None = -100):  # type: ignore[no-untyped-def]
    from bot.desk.service import Desk
    from bot.desk.settings import DeskSettings
    from bot.desk.texts import load_staff_texts
    from bot.i18n import load_texts

    settings = DeskSettings(hours=BERLIN, remind_after_hours=2)
    return Desk(load_texts(), load_staff_texts(), db, kb, settings, staff_chat, lambda u: "de")


RESIDENT = UserRef("telegram", "77", chat_id=77, first_name="Dana")


@pytest.mark.database
def test_waiting_reminder_is_planned_and_only_sent_while_still_waiting(
    db: Database, engine
) -> None:  # type: ignore[no-untyped-def]
    from bot.conversation.replies import MessageRef, StaffRef
    from bot.storage.models import Ticket

    desk = make_desk(db, engine.knowledge)
    planned: list[tuple[int, dt.datetime, str]] = []
    desk.schedule_reminder = lambda *job: planned.append(job)
    consent = desk.request(RESIDENT)
    assert consent[0].buttons and not planned  # consent first, nothing opened yet
    started, header = desk.consent(RESIDENT, True)
    assert started.mode == "edit" and header.to_staff and header.ticket == 1
    assert "Dana" in header.text and "(keine früheren Fragen gespeichert)" in header.text
    ((ticket_id, when, since),) = planned
    assert when - dt.datetime.fromisoformat(since) >= dt.timedelta(hours=2)  # office time
    assert working_time_between(BERLIN, dt.datetime.fromisoformat(since), when) >= dt.timedelta(
        hours=2
    )
    reminder = desk.reminder(ticket_id, since)
    assert reminder is not None and "⏰" in reminder.text and reminder.ticket == ticket_id
    assert desk.reminder(ticket_id, "2020-01-01T00:00:00+00:00") is None  # another wait
    desk.staff_message(ticket_id, StaffRef(5, "Anna"), "Hallo!", "text", MessageRef(-100, 9))
    assert desk.reminder(ticket_id, since) is None  # answered in the meantime
    # The resident writes again: a new wait, a new reminder, and the answer time is told.
    replies = desk.resident_message(RESIDENT, "Danke, noch eine Frage", "text", MessageRef(77, 3))
    assert replies is not None and len(replies) == 2 and len(planned) == 2
    with db.session() as session:
        assert session.get(Ticket, ticket_id).waiting_since is not None  # type: ignore[union-attr]


@pytest.mark.database
def test_without_staff_chat_or_consent_nothing_is_opened(db: Database, engine) -> None:  # type: ignore[no-untyped-def]
    from bot.storage.models import Ticket

    off = make_desk(db, engine.knowledge, staff_chat=None)
    assert not off.available
    (reply,) = off.request(RESIDENT)
    assert "nicht möglich" in reply.text
    on = make_desk(db, engine.knowledge)
    on.request(RESIDENT)
    (declined,) = on.consent(RESIDENT, False)
    assert declined.mode == "edit" and "nichts weitergegeben" in declined.text
    assert on.resident_message(RESIDENT, "Hallo") is None  # no ticket: the bot answers itself
    with db.session() as session:
        assert session.query(Ticket).count() == 0
        assert get_or_create(session, RESIDENT).handoff_consent_at is None


def test_recent_questions_keep_the_last_few() -> None:
    from bot.conversation.users import remember_question
    from bot.storage.models import User

    user = User()
    for n in range(8):
        remember_question(user, f"  Frage   {n} ", "none", None, keep=5)
    assert [q["q"] for q in user.recent_questions or []] == [f"Frage {n}" for n in range(3, 8)]
    remember_question(user, "x", "answer", "wir2-funding", keep=0)  # switched off: unchanged
    assert len(user.recent_questions or []) == 5


@pytest.mark.database
def test_closed_tickets_are_deleted_after_the_retention_period(db: Database, engine) -> None:  # type: ignore[no-untyped-def]
    from bot.storage.models import Ticket, TicketMessage, utcnow

    desk = make_desk(db, engine.knowledge)  # retention_days: 180
    now = utcnow()
    with db.session() as session:
        for n, (closed_days_ago, status) in enumerate(
            ((200, "closed"), (10, "closed"), (400, "open"))
        ):
            user = get_or_create(session, UserRef("telegram", f"r{n}"))
            ticket, _ = tickets.open_ticket(session, user, "Frage", "de")
            tickets.add_message(session, ticket, "resident", "Hallo")
            if status == "closed":
                tickets.close(ticket)
                ticket.closed_at = now - dt.timedelta(days=closed_days_ago)
            ticket.created_at = now - dt.timedelta(days=closed_days_ago + 1)
    assert desk.purge(now) == 1
    with db.session() as session:
        left = session.query(Ticket).order_by(Ticket.id).all()
        aware = [t.closed_at.replace(tzinfo=dt.UTC) if t.closed_at else None for t in left]
        assert [(t.status, (now - c).days if c else None) for t, c in zip(left, aware)] == [
            ("closed", 10),
            ("open", None),
        ]
        assert session.query(TicketMessage).count() == 2


def test_talk_to_a_person_leads_where_the_entry_names_a_person(engine) -> None:  # type: ignore[no-untyped-def]
    from bot import actions
    from bot.conversation import render
    from bot.conversation.replies import Button
    from bot.i18n import load_texts

    kb, texts = engine.knowledge, load_texts()
    human = Button(texts.get("de", "desk.button"), actions.encode("human"))
    person = next(e for e in kb.entries if "human" in e.actions and e.related)
    other = next(e for e in kb.entries if "human" not in e.actions and e.related)
    assert render.answer(person, "de", texts, kb, human=human).buttons[0] == (human,)
    rows = render.answer(other, "de", texts, kb, human=human).buttons
    assert rows[0] != (human,) and (human,) in rows
    assert (human,) not in render.answer(other, "de", texts, kb).buttons  # no desk, no button
