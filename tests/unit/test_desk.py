"""Staff desk core: tickets on a real database, and working-hours arithmetic."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.conversation.replies import UserRef
from bot.conversation.users import get_or_create
from bot.desk import tickets
from bot.desk.hours import expected_answer_by, working_time_between
from bot.intake.hours import ConsultationHours
from bot.storage import Database
from tests.e2e.conftest import fresh_database_url

BERLIN = ConsultationHours(weekly={d: ["09:00-16:00"] for d in ("mon", "tue", "wed", "thu", "fri")})


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    database = Database(fresh_database_url(tmp_path))
    database.migrate()
    yield database
    database.dispose()


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
    assert expected_answer_by(BERLIN, christmas_eve, dt.timedelta(hours=2)).date() == dt.date(2026, 12, 28)


def test_working_time_between_counts_office_hours_only() -> None:
    start = dt.datetime(2026, 12, 18, 15, 0, tzinfo=BERLIN.zone)  # Friday
    end = dt.datetime(2026, 12, 21, 10, 0, tzinfo=BERLIN.zone)  # Monday
    assert working_time_between(BERLIN, start, end) == dt.timedelta(hours=2)
