"""Retention periods with the clock moved forward, the "delete my data" rule in eight
languages, and the documented list of stored data against the models and the texts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.conversation.replies import UserRef
from bot.conversation.users import get_or_create
from bot.desk import tickets
from bot.i18n import load_texts
from bot.intake.hours import ConsultationHours, Slot
from bot.intake.requests import RequestForm, create_request
from bot.languages import LANGUAGES
from bot.privacy import retention
from bot.privacy.fields import KINDS, TECHNICAL, documented_columns
from bot.privacy.intent import wants_erasure
from bot.privacy.service import Privacy
from bot.privacy.settings import PrivacySettings
from bot.storage import Database
from bot.storage.models import (
    Base,
    ConsultationRequest,
    Feedback,
    FormState,
    HeldMessage,
    InboxUpdate,
    OutboxMessage,
    Ticket,
    UnansweredQuestion,
    User,
    utcnow,
)

SETTINGS = PrivacySettings()
REQUEST_DAYS, TICKET_DAYS = 180, 180


def _user(session: Session, name: str) -> User:
    return get_or_create(session, UserRef("telegram", name, chat_id=abs(hash(name)) % 10**6))


def _inbox(session: Session, n: int, at: dt.datetime) -> None:
    session.add(InboxUpdate(update_id=n, payload={"update_id": n}, received_at=at, processed_at=at))


def _outbox(session: Session, n: int, at: dt.datetime) -> None:
    session.add(OutboxMessage(key=f"k{n}", chat_id=1, payload={"text": "x", "buttons": []},
                              sent_at=at, created_at=at))  # fmt: skip


def _held_message(session: Session, n: int, at: dt.datetime) -> None:
    session.add(HeldMessage(token=f"tok{n}", user_id=_user(session, f"h{n}").id, route="desk",
                            text="Pass C01X00T47", created_at=at))  # fmt: skip


def _unanswered(session: Session, n: int, at: dt.datetime) -> None:
    session.add(UnansweredQuestion(user_id=_user(session, f"u{n}").id, text="?", language="de",
                                   status="none", created_at=at))  # fmt: skip


def _feedback(session: Session, n: int, at: dt.datetime) -> None:
    session.add(Feedback(user_id=_user(session, f"f{n}").id, entry_id="e", language="de",
                         helpful=True, answer_key=f"a{n}", created_at=at))  # fmt: skip


def _recent(session: Session, n: int, at: dt.datetime) -> None:
    user = _user(session, f"r{n}")
    user.recent_questions = [{"q": "Wohngeld?", "status": "none", "entry": None}]
    user.last_seen_at = at


def _form(session: Session, n: int, at: dt.datetime) -> None:
    session.add(FormState(user_id=_user(session, f"s{n}").id, flow="request", step="kind",
                          data={}, token=f"t{n}", updated_at=at))  # fmt: skip


def _request(session: Session, n: int, at: dt.datetime) -> None:
    hours = ConsultationHours()
    slot = Slot.from_key(f"2026-12-{8 + 7 * n:02d}T08:00:00Z", hours)  # Tuesdays, 09:00
    form = RequestForm(kind="project_idea", requester="individual", contact_name="Mira Kaya",
                       contact_channel="phone", contact_value="0511 123", description="Idee",
                       language="tr")  # fmt: skip
    request = create_request(session, form, _user(session, f"q{n}").id, f"idem{n}", hours, slot,
                             now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))  # fmt: skip
    request.slot_start = at


def _ticket(session: Session, n: int, at: dt.datetime) -> None:
    ticket, _ = tickets.open_ticket(session, _user(session, f"t{n}"), "Frage", "de")
    tickets.add_message(session, ticket, "resident", "Hallo")
    tickets.close(ticket)
    ticket.closed_at = at


def _held(session: Session, kind: str) -> int:
    rule = next(r for r in retention.rules(SETTINGS, REQUEST_DAYS, TICKET_DAYS) if r.name == kind)
    return int(session.scalar(select(func.count()).select_from(rule.model).where(rule.held)) or 0)


MAKERS: dict[str, tuple[Callable[[Session, int, dt.datetime], None], int]] = {
    "inbox": (_inbox, SETTINGS.inbox_days),
    "outbox": (_outbox, SETTINGS.outbox_days),
    "held_messages": (_held_message, SETTINGS.inbox_days),
    "unanswered_questions": (_unanswered, SETTINGS.unanswered_days),
    "feedback": (_feedback, SETTINGS.feedback_days),
    "recent_questions": (_recent, SETTINGS.recent_questions_days),
    "forms": (_form, SETTINGS.form_days),
    "requests": (_request, REQUEST_DAYS),
    "closed_tickets": (_ticket, TICKET_DAYS),
}


@pytest.mark.database
@pytest.mark.parametrize("kind", list(MAKERS))
def test_each_period_removes_what_is_older_and_nothing_younger(
    db: Database, settings: Settings, kind: str
) -> None:
    make, days = MAKERS[kind]
    now = utcnow()
    with db.session() as session:
        make(session, 1, now)  # old by the time the clock has moved
        make(session, 2, now + dt.timedelta(days=2))  # two days younger
    privacy = Privacy(load_texts(), db, SETTINGS, REQUEST_DAYS, TICKET_DAYS, lambda u: "de")
    with db.session() as session:
        assert _held(session, kind) == 2
    assert privacy.purge(now + dt.timedelta(days=days - 1))[kind] == 0  # not yet
    moved = now + dt.timedelta(days=days, hours=1)
    report = {line.name: line for line in privacy.report(moved)}
    assert (report[kind].held, report[kind].due) == (2, 1)
    assert privacy.purge(moved)[kind] == 1
    with db.session() as session:
        assert _held(session, kind) == 1
        if kind == "requests":  # kept for the records, without the person
            old = session.scalars(
                select(ConsultationRequest).order_by(ConsultationRequest.id)
            ).first()
            assert old is not None and (old.contact_name, old.contact_value, old.user_id) == (
                "",
                None,
                None,
            )
            assert old.description == "" and old.kind == "project_idea"
        if kind == "closed_tickets":
            assert session.scalar(select(func.count()).select_from(Ticket)) == 1


@pytest.mark.database
def test_requests_are_deleted_when_the_unit_keeps_none(db: Database) -> None:
    now = utcnow()
    with db.session() as session:
        _request(session, 1, now)
    settings = PrivacySettings(keep_requests_anonymised=False)
    privacy = Privacy(load_texts(), db, settings, REQUEST_DAYS, TICKET_DAYS, lambda u: "de")
    assert privacy.purge(now + dt.timedelta(days=REQUEST_DAYS + 1))["requests"] == 1
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(ConsultationRequest)) == 0


DELETE_MY_DATA = {
    "de": ["Bitte löschen Sie meine Daten", "lösch alle meine daten", "meine daten loeschen"],
    "en": ["Please delete my data", "erase all my personal information"],
    "tr": ["Verilerimi silin lütfen", "bilgilerimi silebilir misiniz"],
    "ar": ["احذف بياناتي من فضلك", "أريد حذف بياناتي"],
    "uk": ["Видаліть мої дані", "видали мої особисті дані будь ласка"],
    "ru": ["Удалите мои данные", "сотрите мои личные данные"],
    "fa": ["لطفاً اطلاعاتم را پاک کنید", "داده‌هایم را حذف کن"],
    "pl": ["Usuń moje dane", "proszę usunąć moje dane osobowe"],
}
NOT_DELETE = [
    "Wie beantrage ich Wohngeld?", "Which data do I need for the application?",
    "Kann ich einen Termin löschen lassen?", "Verilerim güvende mi?",
    "Где хранятся мои данные?", "Czy moje dane są bezpieczne?",
]  # fmt: skip


@pytest.mark.parametrize("lang", LANGUAGES)
def test_delete_my_data_is_understood_in_every_language(lang: str) -> None:
    for said in DELETE_MY_DATA[lang]:
        assert wants_erasure(said), said


def test_other_messages_are_not_taken_as_deletion() -> None:
    for said in NOT_DELETE:
        assert not wants_erasure(said), said


def test_every_stored_column_is_documented() -> None:
    """A new column without a line in bot/privacy/fields.py (and so in the texts) fails."""
    actual = {f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns
              if t.name not in TECHNICAL}  # fmt: skip
    assert actual - documented_columns() == set(), "columns not named in the privacy texts"
    assert documented_columns() - actual == set(), "documented columns that do not exist"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_privacy_text_names_each_kind_its_period_and_the_rights(lang: str) -> None:
    texts = load_texts()
    privacy = Privacy(texts, None, SETTINGS, 123, 321, lambda u: lang)  # type: ignore[arg-type]
    shown = privacy.explain(lang).text
    for kind in KINDS:
        line = texts.get(lang, f"privacy.items.{kind}", **_DAYS)
        assert line in shown, kind
    for days in (123, 321, SETTINGS.unanswered_days, SETTINGS.recent_questions_days):
        assert str(days) in shown
    assert "/mydata" in shown and "/forget" in shown
    assert privacy.explain(lang).buttons[0][0].label == texts.get(lang, "data_rights.button")


_DAYS: dict[str, Any] = {
    "transit_days": 7, "unanswered_days": 180, "form_days": 30, "feedback_days": 180,
    "request_days": 123, "recent_days": 2, "ticket_days": 321,
}  # fmt: skip


SENSITIVE = [
    ("Meine IBAN: DE89 3704 0044 0532 0130 00", "iban"),
    ("my iban is GB82WEST12345698765432", "iban"),
    ("Passnummer C01X00T47", "document"),
    ("Aktenzeichen 12/3456-78, bitte prüfen", "document"),
    ("pasaport numaram U12345678", "document"),
    ("رقم جواز السفر 12345678", "document"),
    ("мій паспорт FE 123456", "document"),
    ("номер вида на жительство 7701234567", "document"),
    ("شماره پرونده من 4455667", "document"),
    ("numer karty pobytu RP1234567", "document"),
    ("Ich bin schwanger, was nun?", "health"),
    ("I have cancer and cannot come", "health"),
    ("У меня диабет и болезнь сердца", "health"),
    ("Mam depresję", "health"),
]
NOT_SENSITIVE = [
    "Wie viel Geld gibt es für ein Projekt mit 25000 Euro?", "Wo beantrage ich einen Pass?",
    "Ich habe eine Frage zu meinem Aufenthaltstitel", "Unser Verein hat 12 Mitglieder",
    "DE89 3704 0044 0532 0130 01",  # an IBAN-like number with a wrong check number
]  # fmt: skip


def test_sensitive_data_is_recognised_in_the_languages() -> None:
    from bot.privacy.sensitive import sensitive_kind

    assert [sensitive_kind(said) for said, _ in SENSITIVE] == [kind for _, kind in SENSITIVE]
    assert [sensitive_kind(said) for said in NOT_SENSITIVE] == [None] * len(NOT_SENSITIVE)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_privacy_entry_names_the_configured_periods_and_the_rights(
    lang: str, settings: Settings, engine: Any
) -> None:
    """The knowledge base's bot-privacy answer gives config.yaml's periods (the answer is
    static text: a changed period without a changed answer fails) and names /mydata, /forget."""
    privacy = settings.privacy
    periods = {
        max(privacy.inbox_days, privacy.outbox_days), privacy.unanswered_days,
        privacy.feedback_days, privacy.form_days, privacy.recent_questions_days,
        settings.requests.retention_days, settings.desk.retention_days,
    }  # fmt: skip
    answer = engine.knowledge.get("bot-privacy").text(lang).answer
    said = {int(n) for n in re.findall(r"\b\d+\b", answer)}
    assert said - {5} == periods  # 5: the last five questions
    for command in ("/mydata", "/forget", "/privacy"):
        assert command in answer
