"""The request form in the chat: kind, requester, contact, description, slot, consent, summary.

The form's state lives in the database (``form_states``), so a restart in the middle loses
nothing. Every step is validated; a button from an old form or a forged one changes nothing.

    kind -> [funding pre-check] -> [requester] -> [organisation] -> name -> channel -> [contact]
         -> description -> slot (paged) -> consent -> summary -> confirm (stored, reference
         number, tentative .ics) | start again

The requester step is skipped when the pre-check already said who applies (an association or a
migrant organisation applies as an organisation, a private person for themselves).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from html import escape
from typing import Any

from sqlalchemy.orm import Session

from bot import actions
from bot.conversation.replies import Button, Mode, Reply, UserRef
from bot.conversation.users import get_or_create
from bot.i18n import Texts
from bot.intake import requests as store
from bot.intake.hours import ConsultationHours, Slot
from bot.intake.manage import MyRequests
from bot.intake.staff import StaffDecisions
from bot.intake.timing import free_page, horizon, slot_of, when
from bot.storage import Database
from bot.storage.models import ConsultationRequest, FormState, utcnow

FLOW = "appointment"
DESCRIPTION_LIMIT = 1000
FIELD_LIMIT = 200
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[a-zA-Z]{2,24}$")
PHONE = re.compile(r"^\+?[0-9][0-9 /()-]{5,24}[0-9]$")
# The funding pre-check: question -> possible answers (each also "unsure").
PRECHECK: dict[str, tuple[str, ...]] = {
    "applicant": ("association", "migrant_org", "individual", "city"),
    "amount": ("small", "medium", "large"),
    "field": ("education", "social", "democracy", "culture", "economy", "administration"),
    "share": ("yes", "no"),
}
# Pre-check answers that already say for whom the request is (not asked again).
REQUESTER_FROM_APPLICANT = {"association": "organisation", "migrant_org": "organisation",
                            "individual": "individual"}  # fmt: skip
TEXT_STEPS = {"organisation": FIELD_LIMIT, "name": FIELD_LIMIT, "contact": FIELD_LIMIT,
              "description": DESCRIPTION_LIMIT}  # fmt: skip


class IntakeFlow:
    def __init__(
        self, texts: Texts, db: Database, hours: ConsultationHours, retention_days: int = 180
    ) -> None:
        self.texts = texts
        self.db = db
        self.hours = hours
        self.retention_days = retention_days  # said in the consent text
        self.staff = StaffDecisions(texts, db, hours)  # the card, proposals, decisions
        self.mine = MyRequests(texts, db, hours, self.staff)  # after sending: list, move, cancel

    def t(self, language: str, key: str, /, **values: object) -> str:
        return self.texts.get(language, f"intake.{key}", **values)

    # -- entering and leaving ----------------------------------------------------------------

    def start(self, who: UserRef, language: str) -> list[Reply]:
        with self.db.session() as session:
            user = get_or_create(session, who)
            state = session.get(FormState, user.id) or FormState(user_id=user.id)
            state.flow, state.step, state.data = FLOW, "kind", {"language": language}
            state.token = secrets.token_hex(8)
            session.merge(state)
        return [self._ask_kind(language)]

    def active(self, who: UserRef) -> bool:
        with self.db.session() as session:
            return self._state(session, who) is not None

    def cancel(self, who: UserRef) -> bool:
        """Leave the form; True if there was one."""
        with self.db.session() as session:
            state = self._state(session, who)
            if state is None:
                return False
            session.delete(state)
            return True

    # -- answers ----------------------------------------------------------------------------

    def text(self, who: UserRef, text: str) -> list[Reply]:
        """A typed answer to the current step (steps that want a button ask again)."""
        with self.db.session() as session:
            state = self._state(session, who)
            assert state is not None
            lang = state.data["language"]
            limit = TEXT_STEPS.get(state.step)
            if limit is None:
                return [self._question(state)]
            value = " ".join(text.split())
            if not value:
                return [Reply(self.t(lang, "text_empty"), language=lang), self._question(state)]
            if len(value) > limit:
                too_long = self.t(lang, "text_too_long", length=len(value), limit=limit)
                return [Reply(too_long, language=lang)]
            if state.step == "contact" and not self._valid_contact(state.data["channel"], value):
                return [Reply(self.t(lang, f"{state.data['channel']}_invalid"), language=lang)]
            state.data = {**state.data, state.step: value}
            state.step = self._after(state.step, state.data)
            return [self._question(state, session)]

    def press(
        self, who: UserRef, action: actions.Action, message_ref: str, language: str
    ) -> list[Reply]:
        """A button of the form; stale ones (from another step or form, or after /cancel) are
        refused in the resident's language."""
        with self.db.session() as session:
            state = self._state(session, who)
            if state is None:
                return self._expired(language)
            lang = state.data["language"]
            if action.form != state.token[:8]:  # another (earlier) form's button
                return self._expired(lang)
            if action.kind == "intake_precheck":
                return self._precheck_answer(session, state, action)
            if action.kind == "intake_slot_page":
                if state.step != "slot":
                    return self._expired(lang)
                return [self._ask_slot(lang, session, "edit", int(action.args[0]))]
            expected = {"intake_kind": "kind", "intake_requester": "requester",
                        "intake_channel": "channel", "intake_slot": "slot",
                        "intake_consent": "consent", "intake_confirm": "summary",
                        "intake_restart": "summary"}  # fmt: skip
            if expected.get(action.kind) != state.step:
                return self._expired(lang)
            if action.kind == "intake_restart":
                session.delete(state)
                session.flush()
                return self.start(who, lang)
            if action.kind == "intake_confirm":
                return self._confirm(session, state, who)
            if action.kind == "intake_consent" and action.args[0] == "0":
                session.delete(state)
                return [Reply(self.t(lang, "consent_refused"), mode="edit", language=lang)]
            if action.kind == "intake_slot" and action.args[0] != "none":
                slot = Slot.from_key(action.args[0], self.hours)
                taken = store.taken_seats(session, utcnow(), utcnow() + horizon(self.hours))
                if slot is None or taken.get(slot.key, 0) >= self.hours.advisers:
                    return [
                        Reply(self.t(lang, "slot_taken"), language=lang),
                        self._question(state, session),
                    ]
            field = {"intake_kind": "kind", "intake_requester": "requester",
                     "intake_channel": "channel", "intake_slot": "slot",
                     "intake_consent": "consent"}[action.kind]  # fmt: skip
            state.data = {**state.data, field: action.args[0]}
            state.step = self._after(state.step, state.data)
            return [self._question(state, session, mode="edit")]

    # -- steps ------------------------------------------------------------------------------

    @staticmethod
    def _after(step: str, data: dict[str, Any]) -> str:
        order = ["kind", *(f"pc_{q}" for q in PRECHECK), "requester", "organisation", "name",
                 "channel", "contact", "description", "slot", "consent", "summary"]  # fmt: skip
        nxt = order[order.index(step) + 1]
        if nxt.startswith("pc_") and data.get("kind") != "funding_application":
            nxt = "requester"
        if nxt == "requester" and data.get("requester"):  # the pre-check said so
            nxt = "organisation"
        if nxt == "organisation" and data.get("requester") != "organisation":
            nxt = "name"
        if nxt == "contact" and data.get("channel") == "telegram":
            nxt = "description"
        return nxt

    def _question(
        self, state: FormState, session: Session | None = None, mode: Mode = "send"
    ) -> Reply:
        lang = state.data["language"]
        step = state.step
        if step == "kind":
            return self._ask_kind(lang)
        if step.startswith("pc_"):
            return self._ask_precheck(lang, step[3:], mode)
        if step == "requester":
            return self._choice(lang, "requester_question", "intake_requester",
                                ("individual", "organisation"), "requester_", mode)  # fmt: skip
        if step == "channel":
            return self._choice(lang, "channel_question", "intake_channel",
                                ("telegram", "email", "phone"), "channel_", mode)  # fmt: skip
        if step == "slot":
            return self._ask_slot(lang, session, mode)
        if step == "consent":
            yes = Button(self.t(lang, "consent_yes"), actions.encode("intake_consent", "1"))
            no = Button(self.t(lang, "consent_no"), actions.encode("intake_consent", "0"))
            text = self.t(lang, "consent", days=self.retention_days)
            return Reply(text, ((yes,), (no,)), mode=mode, language=lang)
        if step == "summary":
            return self._summary(state, mode)
        key = {"organisation": "organisation_question", "name": "name_question",
               "description": "description_question"}.get(step)  # fmt: skip
        if step == "contact":
            key = f"{state.data['channel']}_question"
        text = (
            self.t(lang, key or "text_empty", limit=DESCRIPTION_LIMIT)
            if step == "description"
            else self.t(lang, key or "text_empty")
        )
        return Reply(text, mode=mode, language=lang)

    def _ask_precheck(self, lang: str, question: str, mode: Mode) -> Reply:
        values = (*PRECHECK[question], "unsure")
        rows = tuple(
            (Button(self.t(lang, "pc_unsure" if v == "unsure" else f"pc_{question}_{v}"),
                    actions.encode("intake_precheck", question, v)),)
            for v in values
        )  # fmt: skip
        text = self.t(lang, f"pc_{question}_question")
        if question == "applicant":
            text = self.t(lang, "pc_intro") + "\n\n" + text
        return Reply(text, rows, mode=mode, language=lang)

    def _precheck_answer(
        self, session: Session, state: FormState, action: actions.Action
    ) -> list[Reply]:
        lang = state.data["language"]
        question, value = action.args
        if state.step != f"pc_{question}" or value not in (*PRECHECK[question], "unsure"):
            return self._expired(lang)
        answers = {**state.data.get("precheck", {}), question: value}
        state.data = {**state.data, "precheck": answers}
        if question == "applicant" and value in REQUESTER_FROM_APPLICANT:
            state.data = {**state.data, "requester": REQUESTER_FROM_APPLICANT[value]}
        state.step = self._after(state.step, state.data)
        if state.step.startswith("pc_"):
            return [self._question(state, session, mode="edit")]
        result = Reply(precheck_result(self, lang, answers), mode="edit", language=lang)
        return [result, self._question(state, session)]

    def _ask_kind(self, lang: str) -> Reply:
        rows = tuple((Button(self.t(lang, f"kind_{k}"), actions.encode("intake_kind", k)),)
                     for k in store.KINDS)  # fmt: skip
        return Reply(self.t(lang, "start"), rows, language=lang)

    def _choice(
        self, lang: str, question: str, kind: str, values: tuple[str, ...], prefix: str, mode: Mode
    ) -> Reply:
        rows = tuple((Button(self.t(lang, prefix + v), actions.encode(kind, v)),) for v in values)
        return Reply(self.t(lang, question), rows, mode=mode, language=lang)

    def _ask_slot(self, lang: str, session: Session | None, mode: Mode, page: int = 0) -> Reply:
        slots, more = free_page(session, self.hours, page)
        rows: list[tuple[Button, ...]] = [
            (Button(when(s, self.texts, lang), actions.encode("intake_slot", s.key)),)
            for s in slots
        ]
        rows.extend(self.mine.pager(lang, page, more, lambda p: ("intake_slot_page", str(p))))
        rows.append((Button(self.t(lang, "slot_none"), actions.encode("intake_slot", "none")),))
        text = self.t(lang, "slot_question") if slots else self.t(lang, "no_slots")
        return Reply(text, tuple(rows), mode=mode, language=lang)

    def _summary(self, state: FormState, mode: Mode) -> Reply:
        d, lang = state.data, state.data["language"]
        slot = Slot.from_key(d.get("slot", ""), self.hours)
        contact = (
            self.t(lang, "channel_telegram") if d["channel"] == "telegram" else d.get("contact", "")
        )
        at = when(slot, self.texts, lang) if slot else self.t(lang, "summary_no_slot")
        lines = [
            self.t(lang, "summary"),
            f"{self.t(lang, 'summary_kind')}: {escape(self.t(lang, 'kind_' + d['kind']))}",
            f"{self.t(lang, 'summary_requester')}: {escape(d.get('organisation') or d['name'])}",
            f"{self.t(lang, 'summary_contact')}: {escape(d['name'])}, {escape(contact)}",
            f"{self.t(lang, 'summary_description')}: {escape(d['description'])}",
            f"{self.t(lang, 'summary_slot')}: {at}",
        ]
        buttons = ((Button(self.t(lang, "confirm"), actions.encode("intake_confirm")),),
                   (Button(self.t(lang, "edit"), actions.encode("intake_restart")),))  # fmt: skip
        return Reply("\n".join(lines), buttons, mode=mode, language=lang)

    # -- confirming -------------------------------------------------------------------------

    def _confirm(self, session: Session, state: FormState, who: UserRef) -> list[Reply]:
        d, lang = state.data, state.data["language"]
        slot = Slot.from_key(d.get("slot", ""), self.hours)
        form = store.RequestForm(
            kind=d["kind"], requester=d["requester"], organisation=d.get("organisation"),
            contact_name=d["name"], contact_channel=d["channel"], contact_value=d.get("contact"),
            description=d["description"], language=lang, precheck=d.get("precheck"),
        )  # fmt: skip
        try:
            with session.begin_nested():
                request = store.create_request(
                    session, form, state.user_id, state.token, self.hours, slot
                )
        except (store.SlotTaken, store.NotBookable):
            state.step = "slot"
            return [
                Reply(self.t(lang, "slot_taken"), language=lang),
                self._question(state, session),
            ]
        session.delete(state)
        return [self._confirmation(request, lang), self.staff.card(request)]

    def _confirmation(self, request: ConsultationRequest, lang: str) -> Reply:
        """The reference number, and a calendar file marked tentative until the unit confirms."""
        if slot_of(request, self.hours) is None:
            text = self.t(lang, "done_no_slot", reference=request.reference)
            return Reply(text, mode="edit", language=lang)
        document = self.staff.calendar.tentative(request)
        text = self.t(lang, "done", reference=request.reference)
        return Reply(text, mode="edit", language=lang, document=document)

    # -- helpers ----------------------------------------------------------------------------

    def tagged(self, who: UserRef, replies: list[Reply]) -> list[Reply]:
        """``replies`` with the buttons of the form marked as the resident's current form's."""
        with self.db.session() as session:
            state = self._state(session, who)
            token = state.token if state is not None else None
        if token is None:
            return replies
        return [_tag_buttons(reply, token) for reply in replies]

    def _expired(self, language: str) -> list[Reply]:
        return [Reply(self.texts.get(language, "button_expired"), mode="notice", language=language)]

    def _state(self, session: Session, who: UserRef) -> FormState | None:
        user = get_or_create(session, who)
        state = session.get(FormState, user.id)
        return state if state is not None and state.flow == FLOW else None

    @staticmethod
    def _valid_contact(channel: str, value: str) -> bool:
        return bool(EMAIL.match(value)) if channel == "email" else bool(PHONE.match(value))


def precheck_result(flow: IntakeFlow, lang: str, answers: dict[str, str]) -> str:
    """The route that fits, from the programme's rules (hedged as in the knowledge base)."""
    lines = [flow.t(lang, "pc_result_heading")]
    if answers.get("applicant") == "city":
        lines.append(flow.t(lang, "pc_result_city"))
    amount = answers.get("amount", "unsure")
    lines.append(
        flow.t(lang, f"pc_result_{amount}" if amount != "unsure" else "pc_result_unsure_amount")
    )
    if answers.get("share") == "no":
        lines.append(flow.t(lang, "pc_result_share_low"))
    lines.append(flow.t(lang, "pc_result_rules"))
    return "\n".join(lines)


def _tag_buttons(reply: Reply, token: str) -> Reply:
    if not reply.buttons:
        return reply
    rows = tuple(
        tuple(Button(b.label, actions.tag(b.action, token)) if _of_form(b.action) else b
              for b in row)
        for row in reply.buttons
    )  # fmt: skip
    return replace(reply, buttons=rows)


def _of_form(data: str) -> bool:
    action = actions.parse(data)
    return (
        action is not None and action.kind.startswith("intake_") and action.kind != "intake_start"
    )
