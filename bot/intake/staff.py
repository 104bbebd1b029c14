"""The staff side of a request: the card in the staff chat, proposing another time, deciding.

Staff read German (``bot/locales/staff/de.yaml``, keys ``request_*``); what the requester is
told comes from the resident texts in their language.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from bot import actions
from bot.conversation.replies import Button, Reply
from bot.desk.texts import StaffTexts, load_staff_texts
from bot.i18n import Texts
from bot.intake import requests as store
from bot.intake.hours import ConsultationHours, Slot
from bot.intake.timing import free_ahead, slot_of, when
from bot.storage import Database
from bot.storage.models import ConsultationRequest, User, utcnow


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

    def t(self, language: str, key: str, /, **values: object) -> str:
        """A resident text (what the requester is told)."""
        return self.texts.get(language, f"intake.{key}", **values)

    def s(self, key: str, /, **values: object) -> str:
        """A staff text."""
        return self.staff_texts.get(f"request_{key}", **values)

    def _gone(self) -> list[Reply]:
        return [Reply(self.s("gone"), mode="notice")]

    # -- what the staff chat shows ----------------------------------------------------------

    def card(self, request: ConsultationRequest, key: str | None = None) -> Reply:
        """The request with buttons to accept, decline or propose another time."""
        slot = slot_of(request, self.hours)
        lines = [
            f"<b>{request.reference}</b> · {escape(request.kind)} · {request.language}",
            escape(request.organisation or request.contact_name),
            f"{escape(request.contact_name)} · {escape(request.contact_channel)}"
            + (f": {escape(request.contact_value)}" if request.contact_value else ""),
            escape(request.description),
            self.s("card_slot", slot=when(slot, "de") if slot else "-"),
        ]
        if request.precheck:
            answers = ", ".join(
                self.t("de", "pc_unsure" if v == "unsure" else f"pc_{q}_{v}")
                for q, v in request.precheck.items()
            )
            lines.append(self.s("card_precheck", answers=escape(answers)))
        rid = str(request.id)
        accept = Button(self.s("accept"), actions.encode("staff_decide", rid, "1"))
        decline = Button(self.s("decline"), actions.encode("staff_decide", rid, "0"))
        propose = Button(self.s("propose"), actions.encode("staff_propose", rid))
        key = key or f"request:{request.reference}:staff"
        return Reply(
            "\n".join(lines), ((accept, decline), (propose,)), to_staff=True, language="de", key=key
        )

    def agreed(self, request: ConsultationRequest, slot: str) -> Reply:
        """The note that the requester agreed to the proposed time."""
        text = self.s("agreed", reference=request.reference, slot=slot)
        return Reply(text, to_staff=True, key=f"request:{request.id}:agreed:{slot}")

    # -- proposing another time -------------------------------------------------------------

    def propose_choices(self, request_id: int) -> list[Reply]:
        """The free times to propose instead (the card shows them as buttons)."""
        with self.db.session() as session:
            request = session.get(ConsultationRequest, request_id)
            if request is None or request.status not in store.OPEN:
                return self._gone()
            slots = free_ahead(session, self.hours)
            rows = tuple(
                (Button(when(s, "de"), actions.encode("staff_propose_at", str(request_id), s.key)),)
                for s in slots
            )
            text = (
                self.s("propose_heading", reference=request.reference)
                if slots
                else self.s("no_slots")
            )
            return [Reply(text, rows, mode="edit")]

    def propose(self, request_id: int, slot_key: str, staff: str) -> list[Reply]:
        """Move the request to the proposed time and ask the requester to agree."""
        with self.db.session() as session:
            request = session.get(ConsultationRequest, request_id)
            slot = Slot.from_key(slot_key, self.hours)
            if request is None or slot is None or request.status not in store.OPEN:
                return self._gone()
            try:
                with session.begin_nested():
                    store.reschedule(session, request, slot, self.hours)
            except (store.SlotTaken, store.NotBookable):
                return [Reply(self.s("slot_taken"), mode="notice")]
            request.status, request.decided_by = "proposed", staff
            lang, at = request.language, when(slot, request.language)
            card_text = self.s(
                "proposed", reference=request.reference, slot=at, staff=escape(staff)
            )
            card = Reply(card_text, mode="edit")
            user = session.get(User, request.user_id) if request.user_id else None
            if user is None or user.chat_id is None:
                return [card]
            ref, rid = request.reference, str(request.id)
            labels = (
                (self.t(lang, "proposal_accept"), "proposal_accept"),
                (self.t(lang, "move_request", reference=ref), "request_move"),
                (self.t(lang, "cancel_request", reference=ref), "request_cancel"),
            )
            rows = tuple((Button(label, actions.encode(kind, rid)),) for label, kind in labels)
            text = self.t(lang, "proposed", reference=ref, slot=at)
            key = f"request:{rid}:proposed:{slot.key}"
            return [card, Reply(text, rows, chat_id=user.chat_id, language=lang, key=key)]

    # -- deciding ---------------------------------------------------------------------------

    def decide(
        self,
        request_id: int,
        accept: bool,
        staff: str,
        on_accept: Callable[[ConsultationRequest], object] | None = None,
    ) -> list[Reply]:
        """A decision by staff: the card is updated, the requester told in their language."""
        with self.db.session() as session:
            request = session.get(ConsultationRequest, request_id)
            if request is None or request.status != "pending":
                return self._gone()
            request.status = "accepted" if accept else "declined"
            request.decided_by, request.decided_at = staff, utcnow()
            if not accept:
                store.release(session, request)
            user = session.get(User, request.user_id) if request.user_id else None
            lang, slot = request.language, slot_of(request, self.hours)
            verdict = self.s("accepted" if accept else "declined")
            card_text = self.s(
                "decided", reference=request.reference, verdict=verdict, staff=escape(staff)
            )
            if accept:
                key = "accepted" if slot else "accepted_no_slot"
                told = self.t(
                    lang, key, reference=request.reference, slot=when(slot, lang) if slot else ""
                )
            else:
                told = self.t(lang, "declined", reference=request.reference)
            replies = [Reply(card_text, mode="edit")]
            if user is not None and user.chat_id is not None:
                key = f"request:{request.id}:decision"
                replies.append(Reply(told, chat_id=user.chat_id, language=lang, key=key))
        # After the commit: the reminder job store writes through its own connection.
        if accept and on_accept is not None:
            on_accept(request)
        return replies
