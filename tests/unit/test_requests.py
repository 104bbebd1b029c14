"""Consultation requests on a real database: references, bookings, races, double taps."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from bot.intake.hours import ConsultationHours, free_slots
from bot.intake.requests import (
    RequestForm,
    SlotTaken,
    cancel,
    create_request,
    reschedule,
    taken_seats,
)
from bot.storage import Database
from bot.storage.models import ConsultationRequest, SlotBooking

pytestmark = pytest.mark.database
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)  # a Monday
HOURS = ConsultationHours(weekly={"tue": ["09:00-12:00"]}, slot_minutes=60, advisers=1)


def form(name: str = "Ayşe Yılmaz") -> RequestForm:
    return RequestForm(
        kind="funding_application", requester="organisation", organisation="Kulturverein e.V.",
        contact_name=name, contact_channel="email", contact_value="verein@example.org",
        description="Sommerfest im Quartier", language="tr",
    )  # fmt: skip


def first_slot(db: Database, hours: ConsultationHours = HOURS):  # type: ignore[no-untyped-def]
    with db.session() as session:
        taken = taken_seats(session, NOW, NOW + dt.timedelta(days=30))
    return free_slots(hours, NOW, taken, limit=1)[0]


def test_references_count_up_per_year(db: Database) -> None:
    with db.session() as session:
        refs = [
            create_request(session, form(), None, f"k{i}", HOURS, now=NOW).reference
            for i in range(3)
        ]
        later = create_request(session, form(), None, "k9", HOURS, now=NOW.replace(year=2027))
    assert refs == ["WIR-2026-0001", "WIR-2026-0002", "WIR-2026-0003"]
    assert later.reference == "WIR-2027-0001"


def test_a_double_tap_on_confirm_creates_one_request(db: Database) -> None:
    slot = first_slot(db)
    for _ in range(2):
        with db.session() as session:
            create_request(session, form(), None, "same-confirmation", HOURS, slot, NOW)
    with db.session() as session:
        assert len(session.scalars(select(ConsultationRequest)).all()) == 1
        assert len(session.scalars(select(SlotBooking)).all()) == 1


def test_a_booked_slot_is_no_longer_offered_and_cannot_be_booked_again(db: Database) -> None:
    slot = first_slot(db)
    with db.session() as session:
        create_request(session, form(), None, "a", HOURS, slot, NOW)
    assert first_slot(db) != slot
    with pytest.raises(SlotTaken), db.session() as session:
        create_request(session, form("Olena"), None, "b", HOURS, slot, NOW)
    with db.session() as session:  # the failed booking left nothing behind
        assert [r.contact_name for r in session.scalars(select(ConsultationRequest))] == [
            "Ayşe Yılmaz"
        ]


def test_two_advisers_take_two_bookings_of_one_slot(db: Database) -> None:
    hours = HOURS.model_copy(update={"advisers": 2})
    slot = first_slot(db, hours)
    with db.session() as session:
        create_request(session, form("A"), None, "a", hours, slot, NOW)
        create_request(session, form("B"), None, "b", hours, slot, NOW)
    with pytest.raises(SlotTaken), db.session() as session:
        create_request(session, form("C"), None, "c", hours, slot, NOW)


def test_two_people_racing_for_the_last_seat(db: Database) -> None:
    slot = first_slot(db)
    barrier = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def attempt(name: str) -> None:
        barrier.wait()
        try:
            with db.session() as session:
                create_request(session, form(name), None, f"race-{name}", HOURS, slot, NOW)
            outcome[name] = "booked"
        except SlotTaken:
            outcome[name] = "taken"

    threads = [threading.Thread(target=attempt, args=(n,)) for n in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcome.values()) == ["booked", "taken"]
    with db.session() as session:
        assert len(session.scalars(select(SlotBooking)).all()) == 1


def test_cancel_frees_the_slot_and_reschedule_moves_it(db: Database) -> None:
    slot = first_slot(db)
    with db.session() as session:
        request = create_request(session, form(), None, "a", HOURS, slot, NOW)
        request_id = request.id
    later = free_slots(HOURS, NOW, {slot.key: 1}, limit=2)[1]
    with db.session() as session:
        request = session.get(ConsultationRequest, request_id)
        reschedule(session, request, later, HOURS, NOW)
    assert first_slot(db) == slot  # the old slot is free again
    with db.session() as session:
        request = session.get(ConsultationRequest, request_id)
        cancel(session, request)
        assert request.status == "cancelled" and request.slot_start is None
    with db.session() as session:
        assert session.scalars(select(SlotBooking)).all() == []


def test_a_forged_or_past_slot_is_refused(db: Database) -> None:
    from bot.intake.hours import Slot
    from bot.intake.requests import NotBookable

    past = Slot(NOW - dt.timedelta(days=6), NOW - dt.timedelta(days=6) + dt.timedelta(hours=1))
    with pytest.raises(NotBookable), db.session() as session:
        create_request(session, form(), None, "x", HOURS, past, NOW)


def test_staff_buttons_carry_the_revision_and_old_cards_count_as_revision_zero() -> None:
    from bot import actions

    assert actions.parse(actions.encode("staff_decide", "12", "3", "1")) == actions.Action(
        "staff_decide", ("12", "3", "1")
    )
    # A card posted before revisions existed: valid only while the request is unchanged.
    assert actions.parse("sd:12:0") == actions.Action("staff_decide", ("12", "", "0"))
    assert actions.parse("sq:5:2026-12-08T08:00:00Z") == actions.Action(
        "staff_propose_at", ("5", "", "2026-12-08T08:00:00Z")
    )
    assert actions.parse("sd:12:3:2") is None and actions.parse("sp:1:1234567") is None
