"""The staff side of a request: the card in the staff chat, proposing another time, deciding.

Staff read German (``bot/locales/staff/de.yaml``, keys ``request_*``); what the requester is
told comes from the resident texts in their language. A card always shows the request as it is
now: every change staff must see raises the request's revision, staff buttons carry the revision
they were made for, and a press on an older card changes nothing. When a resident moves or
cancels, the delivered card is marked superseded (its buttons removed) and staff get a new card
or a short notice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from sqlalchemy.orm import Session

from bot import actions
from bot.conversation.replies import Button, Reply
from bot.desk.texts import StaffTexts, load_staff_texts
from bot.i18n import Texts
from bot.intake import requests as store
from bot.intake.calendar import CalendarFiles
from bot.intake.hours import ConsultationHours, Slot
from bot.intake.timing import free_page, slot_of, staff_when, when
from bot.storage import Database
from bot.storage.models import ConsultationRequest, User, utcnow

CARD_KEY = re.compile(r"request:(\d+):card:(\d+)")


class StaffDecisions:
    def __init__(
        self,
        texts: Texts,
        db: Database,
        hours: ConsultationHours,
        staff_texts: StaffTexts | None = None,
    ) -> None:
        self.texts = texts
        self.db = db
        self.hours = hours
        self.staff_texts = staff_texts if staff_texts is not None else load_staff_texts()
        self.calendar = CalendarFiles(texts, hours)

    def t(self, language: str, key: str, /, **values: object) -> str:
        """A resident text (what the requester is told)."""
        return self.texts.get(language, f"intake.{key}", **values)

    def s(self, key: str, /, **values: object) -> str:
        """A staff text."""
        return self.staff_texts.get(f"request_{key}", **values)

    def when(self, slot: Slot | None) -> str:
        return staff_when(slot, self.staff_texts)

    def _gone(self) -> list[Reply]:
        return [Reply(self.s("gone"), mode="notice")]

    # -- what the staff chat shows ----------------------------------------------------------

    def card_text(self, request: ConsultationRequest, footer: str = "") -> str:
        """The request in German, without internal codes; ``footer`` says what happened."""
        value = escape(request.contact_value or "")
        channel = self.s(f"channel_{request.contact_channel}", value=value)
        lines = [
            self.s("card_heading", reference=request.reference, kind=self.s(f"kind_{request.kind}"),
                   language=self.staff_texts.language_name(request.language)),
            self.s("card_requester", who=escape(request.organisation or request.contact_name),
                   requester=self.s(f"requester_{request.requester}")),
            self.s("card_contact", name=escape(request.contact_name), channel=channel),
            self.s("card_description", description=escape(request.description)),
            self.s("card_slot", slot=staff_when(slot_of(request, self.hours), self.staff_texts)),
        ]  # fmt: skip
        if request.precheck:
            answers = " · ".join(
                f"{self.s('pc_' + q)}: "
                + self.t("de", "pc_unsure" if v == "unsure" else f"pc_{q}_{v}")
                for q, v in request.precheck.items()
                if q in store.PRECHECK_QUESTIONS
            )
            lines.append(self.s("card_precheck", answers=escape(answers)))
        if footer:
            lines.append(footer)
        return "\n".join(lines)

    def card(self, request: ConsultationRequest, footer: str = "") -> Reply:
        """The request with buttons to accept, decline or propose another time."""
        rid, rev = str(request.id), str(request.revision)
        accept = Button(self.s("accept"), actions.encode("staff_decide", rid, rev, "1"))
        decline = Button(self.s("decline"), actions.encode("staff_decide", rid, rev, "0"))
        propose = Button(self.s("propose"), actions.encode("staff_propose", rid, rev))
        return Reply(
            self.card_text(request, footer), ((accept, decline), (propose,)), to_staff=True,
            language="de", key=f"request:{rid}:card:{rev}",
        )  # fmt: skip

    def card_delivered(self, key: str, message_ids: list[int]) -> None:
        """Remember which staff-chat message shows a card, to mark it superseded later."""
        match = CARD_KEY.fullmatch(key)
        if match is None or not message_ids:
            return
        with self.db.session() as session:
            request = session.get(ConsultationRequest, int(match.group(1)))
            if request is not None and request.revision == int(match.group(2)):
                request.card_message_id = message_ids[-1]

    def superseded(self, request: ConsultationRequest, reason: str) -> list[Reply]:
        """Mark the delivered card as outdated and take its buttons away."""
        if request.card_message_id is None:
            return []  # not delivered yet: its buttons are refused by the revision anyway
        text = self.s("superseded", reference=request.reference, reason=reason)
        edit = Reply(text, to_staff=True, language="de", edit_of=request.card_message_id)
        request.card_message_id = None
        return [edit]

    def refreshed(self, request: ConsultationRequest, footer: str) -> list[Reply]:
        """The delivered card, rewritten to show the request as it is now (no buttons left)."""
        if request.card_message_id is None:
            return []
        text = self.card_text(request, footer)
        return [Reply(text, to_staff=True, language="de", edit_of=request.card_message_id)]

    def moved(self, request: ConsultationRequest, previous: Slot | None) -> list[Reply]:
        """A resident moved the request: the old card is superseded, a new one asks again."""
        store.touch(request)
        at = staff_when(slot_of(request, self.hours), self.staff_texts)
        replies = self.superseded(request, self.s("superseded_moved", slot=at))
        footer = self.s("card_moved", previous=staff_when(previous, self.staff_texts))
        return [*replies, self.card(request, footer)]

    def cancelled(self, request: ConsultationRequest, previous: Slot | None) -> list[Reply]:
        """A resident cancelled: the card is superseded and staff get a short notice."""
        store.touch(request)
        replies = self.superseded(request, self.s("superseded_cancelled"))
        text = (
            self.s("cancelled_notice", reference=request.reference,
                   slot=staff_when(previous, self.staff_texts))
            if previous is not None
            else self.s("cancelled_notice_no_slot", reference=request.reference)
        )  # fmt: skip
        notice = Reply(text, to_staff=True, language="de", key=f"request:{request.id}:cancelled")
        return [*replies, notice]

    def agreed(self, request: ConsultationRequest, slot: str) -> Reply:
        """The note that the requester agreed to the proposed time."""
        text = self.s("agreed", reference=request.reference, slot=slot)
        return Reply(text, to_staff=True, key=f"request:{request.id}:agreed:{request.revision}")

    def _current(
        self, session: Session, request_id: int, revision: int
    ) -> tuple[ConsultationRequest | None, list[Reply]]:
        """The request, if the pressed card still shows it; otherwise why not."""
        request = session.get(ConsultationRequest, request_id, with_for_update=True)
        if request is None:
            return None, self._gone()
        if request.revision != revision:
            outdated = self.s("superseded", reference=request.reference, reason=self.s("changed"))
            return None, [Reply(outdated, mode="edit"), Reply(self.s("changed"), mode="notice")]
        if request.status not in store.OPEN:
            return None, self._gone()
        return request, []

    # -- proposing another time -------------------------------------------------------------

    def propose_choices(self, request_id: int, revision: int, page: int = 0) -> list[Reply]:
        """The free times to propose instead (the card shows them as buttons, a page at a
        time, with earlier / later and a way back to the card)."""
        with self.db.session() as session:
            request, refused = self._current(session, request_id, revision)
            if request is None:
                return refused
            rid, rev = str(request_id), str(revision)
            slots, more = free_page(session, self.hours, page)
            rows: list[tuple[Button, ...]] = [
                (Button(staff_when(s, self.staff_texts),
                        actions.encode("staff_propose_at", rid, rev, s.key)),)
                for s in slots
            ]  # fmt: skip
            text = (
                self.s("propose_heading", reference=request.reference)
                if rows
                else self.s("no_slots")
            )
            pager = [
                Button(self.s(label), actions.encode("staff_propose_page", rid, rev, str(to)))
                for label, to, shown in (("earlier", page - 1, page > 0), ("later", page + 1, more))
                if shown
            ]
            if pager:
                rows.append(tuple(pager))
            rows.append((Button(self.s("back"), actions.encode("staff_card", rid, rev)),))
            return [Reply(text, tuple(rows), mode="edit")]

    def show_card(self, request_id: int, revision: int) -> list[Reply]:
        """Back from the proposal choices to the card itself."""
        with self.db.session() as session:
            request, refused = self._current(session, request_id, revision)
            if request is None:
                return refused
            card = self.card(request)
            return [Reply(card.text, card.buttons, mode="edit")]

    def propose(self, request_id: int, revision: int, slot_key: str, staff: str) -> list[Reply]:
        """Move the request to the proposed time and ask the requester to agree."""
        with self.db.session() as session:
            request, refused = self._current(session, request_id, revision)
            slot = Slot.from_key(slot_key, self.hours)
            if request is None or slot is None:
                return refused or self._gone()
            try:
                with session.begin_nested():
                    store.reschedule(session, request, slot, self.hours)
            except (store.SlotTaken, store.NotBookable):
                return [Reply(self.s("slot_taken"), mode="notice")]
            request.status, request.decided_by = "proposed", staff
            store.touch(request)
            footer = self.s(
                "proposed", reference=request.reference,
                slot=staff_when(slot, self.staff_texts), staff=escape(staff),
            )  # fmt: skip
            card = Reply(self.card_text(request, footer), mode="edit")
            user = session.get(User, request.user_id) if request.user_id else None
            if user is None or user.chat_id is None:
                return [card]
            lang, ref, rid = request.language, request.reference, str(request.id)
            labels = (
                (self.t(lang, "proposal_accept"), "proposal_accept"),
                (self.t(lang, "move_request", reference=ref), "request_move"),
                (self.t(lang, "cancel_request", reference=ref), "request_cancel"),
            )
            rows = tuple((Button(label, actions.encode(kind, rid)),) for label, kind in labels)
            text = self.t(lang, "proposed", reference=ref, slot=when(slot, self.texts, lang))
            key = f"request:{rid}:proposed:{request.revision}"
            return [card, Reply(text, rows, chat_id=user.chat_id, language=lang, key=key)]

    # -- deciding ---------------------------------------------------------------------------

    def decide(
        self,
        request_id: int,
        revision: int,
        accept: bool,
        staff: str,
        on_accept: Callable[[ConsultationRequest], object] | None = None,
    ) -> list[Reply]:
        """A decision by staff: the card is updated, the requester told in their language
        (with the calendar file confirmed, or cancelled)."""
        with self.db.session() as session:
            request, refused = self._current(session, request_id, revision)
            if request is None:
                return refused
            if request.status != "pending":
                return self._gone()
            previous = slot_of(request, self.hours)
            request.status = "accepted" if accept else "declined"
            request.decided_by, request.decided_at = staff, utcnow()
            store.touch(request)
            if not accept:
                store.release(session, request)
            user = session.get(User, request.user_id) if request.user_id else None
            verdict = self.s("accepted" if accept else "declined")
            footer = self.s(
                "decided", reference=request.reference, verdict=verdict, staff=escape(staff)
            )
            replies = [Reply(self.card_text(request, footer), mode="edit")]
            if user is not None and user.chat_id is not None:
                replies.append(self._told(request, user.chat_id, previous, accept))
        # After the commit: the reminder job store writes through its own connection.
        if accept and on_accept is not None:
            on_accept(request)
        return replies

    def _told(
        self, request: ConsultationRequest, chat_id: int, previous: Slot | None, accept: bool
    ) -> Reply:
        lang, ref = request.language, request.reference
        if not accept:
            told = self.t(lang, "declined", reference=ref)
            document = self.calendar.cancelled(request, previous)
        elif previous is not None:
            told = self.t(lang, "accepted", reference=ref, slot=when(previous, self.texts, lang))
            document = self.calendar.confirmed(request)
        else:
            told = self.t(lang, "accepted_no_slot", reference=ref)
            document = None
        key = f"request:{request.id}:decision"
        return Reply(told, chat_id=chat_id, language=lang, key=key, document=document)
