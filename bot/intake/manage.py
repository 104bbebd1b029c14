"""After a request is sent: the resident's list (/myrequests), moving, cancelling, agreeing to
a proposed time. Each change is told to staff (a new card, or a notice) and comes with a
calendar file that updates the one sent before."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from bot import actions
from bot.conversation.replies import Button, Mode, Reply, UserRef
from bot.conversation.users import get_or_create
from bot.i18n import Texts
from bot.intake import requests as store
from bot.intake.hours import ConsultationHours, Slot
from bot.intake.staff import StaffDecisions
from bot.intake.timing import free_page, slot_of, when
from bot.storage import Database
from bot.storage.models import ConsultationRequest, utcnow

Rows = tuple[tuple[Button, ...], ...]


class MyRequests:
    def __init__(
        self, texts: Texts, db: Database, hours: ConsultationHours, staff: StaffDecisions
    ) -> None:
        self.texts = texts
        self.db = db
        self.hours = hours
        self.staff = staff
        self.calendar = staff.calendar

    def t(self, language: str, key: str, /, **values: object) -> str:
        return self.texts.get(language, f"intake.{key}", **values)

    def listing(self, who: UserRef, language: str, mode: Mode = "send") -> Reply:
        with self.db.session() as session:
            user = get_or_create(session, who)
            found = store.requests_of(session, user.id)
            if not found:
                return Reply(self.t(language, "myrequests_empty"), language=language)
            lines, rows = [self.t(language, "myrequests_heading")], []
            for r in found:
                slot = slot_of(r, self.hours)
                at = self._when(slot, language)
                lines.append(f"{r.reference}: {self.t(language, 'status_' + r.status)}, {at}")
                if r.status in store.OPEN:
                    move = self.t(language, "move_request", reference=r.reference)
                    label = self.t(language, "cancel_request", reference=r.reference)
                    rows.append((Button(move, actions.encode("request_move", str(r.id))),))
                    rows.append((Button(label, actions.encode("request_cancel", str(r.id))),))
            return Reply("\n".join(lines), tuple(rows), mode=mode, language=language)

    def ask_cancel(self, who: UserRef, request_id: int, language: str) -> list[Reply]:
        """A cancellation cannot be undone (the time goes to someone else): ask first."""
        with self.db.session() as session:
            request = self._own_open(session, who, request_id)
            if request is None:
                return self._expired(language)
            yes = Button(self.t(language, "cancel_confirm_yes"),
                         actions.encode("request_cancel_yes", str(request_id)))  # fmt: skip
            no = Button(self.t(language, "cancel_confirm_no"), actions.encode("request_list"))
            text = self.t(language, "cancel_confirm", reference=request.reference)
            return [Reply(text, ((yes,), (no,)), mode="edit", language=language)]

    def cancel(self, who: UserRef, request_id: int, language: str) -> list[Reply]:
        with self.db.session() as session:
            request = self._own_open(session, who, request_id)
            if request is None:
                return self._expired(language)
            previous = slot_of(request, self.hours)
            store.cancel(session, request)
            to_staff = self.staff.cancelled(request, previous)
            text = self.t(language, "request_cancelled", reference=request.reference)
            document = self.calendar.cancelled(request, previous)
            told = Reply(text, mode="edit", language=language, document=document)
            return [told, *to_staff]

    def move_choices(
        self, who: UserRef, request_id: int, language: str, page: int = 0
    ) -> list[Reply]:
        """The free times a resident can move their request to, a page at a time."""
        with self.db.session() as session:
            request = self._own_open(session, who, request_id)
            if request is None:
                return self._expired(language)
            slots, more = free_page(session, self.hours, page)
            rid = str(request_id)
            rows: list[tuple[Button, ...]] = [
                (Button(self._when(s, language), actions.encode("request_move_to", rid, s.key)),)
                for s in slots
            ]
            rows += self.pager(language, page, more, lambda p: ("request_move_page", rid, str(p)))
            rows.append((Button(self.t(language, "back"), actions.encode("request_list")),))
            key = "move_question" if slots else "no_slots"
            text = self.t(language, key, reference=request.reference)
            return [Reply(text, tuple(rows), mode="edit", language=language)]

    def pager(
        self, language: str, page: int, more: bool, action: Callable[[int], tuple[str, ...]]
    ) -> list[tuple[Button, ...]]:
        row = []
        if page > 0:
            row.append(Button(self.t(language, "slots_earlier"), actions.encode(*action(page - 1))))
        if more:
            row.append(Button(self.t(language, "slots_later"), actions.encode(*action(page + 1))))
        return [tuple(row)] if row else []

    def move(self, who: UserRef, request_id: int, slot_key: str, language: str) -> list[Reply]:
        """Move to the chosen time; the unit confirms the new time again."""
        with self.db.session() as session:
            request = self._own_open(session, who, request_id)
            slot = Slot.from_key(slot_key, self.hours)
            if request is None or slot is None:
                return self._expired(language)
            previous = slot_of(request, self.hours)
            try:
                with session.begin_nested():
                    store.reschedule(session, request, slot, self.hours)
            except (store.SlotTaken, store.NotBookable):
                return [Reply(self.t(language, "slot_taken"), language=language)]
            request.status = "pending"
            to_staff = self.staff.moved(request, previous)
            at = when(slot, self.texts, language)
            text = self.t(language, "moved", reference=request.reference, slot=at)
            document = self.calendar.tentative(request)
            return [Reply(text, mode="edit", language=language, document=document), *to_staff]

    def accept_proposal(
        self,
        who: UserRef,
        request_id: int,
        language: str,
        on_accept: Callable[[ConsultationRequest], object] | None = None,
    ) -> list[Reply]:
        """The requester agrees to the proposed time: the appointment is confirmed."""
        with self.db.session() as session:
            request = self._own_open(session, who, request_id)
            if request is None or request.status != "proposed" or request.slot_start is None:
                return self._expired(language)
            request.status, request.decided_at = "accepted", utcnow()
            store.touch(request)
            slot = slot_of(request, self.hours)
            at = when(slot, self.texts, language)
            text = self.t(language, "accepted", reference=request.reference, slot=at)
            note = self.staff.agreed(request, self.staff.when(slot))
            card = self.staff.refreshed(request, note.text)
            document = self.calendar.confirmed(request)
        if on_accept is not None:
            on_accept(request)
        return [Reply(text, mode="edit", language=language, document=document), *card, note]

    def _when(self, slot: Slot | None, language: str) -> str:
        return when(slot, self.texts, language) if slot else self.t(language, "summary_no_slot")

    def _own_open(
        self, session: Session, who: UserRef, request_id: int
    ) -> ConsultationRequest | None:
        user = get_or_create(session, who)
        # Locked until the change commits: staff deciding at the same moment wait, then see the
        # new revision and are refused (PostgreSQL; SQLite writes one at a time anyway).
        request = session.get(ConsultationRequest, request_id, with_for_update=True)
        if request is None or request.user_id != user.id or request.status not in store.OPEN:
            return None
        return request

    def _expired(self, language: str) -> list[Reply]:
        return [Reply(self.texts.get(language, "button_expired"), mode="notice", language=language)]
