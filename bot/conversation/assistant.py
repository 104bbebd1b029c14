"""The resident's conversation: questions, answers, menus, language, feedback.

Every public method is one unit of work: it opens a database session, does its work and returns
the replies to show. Nothing here knows which messenger carries the conversation.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot import actions
from bot.config import Settings
from bot.conversation import render
from bot.conversation.replies import Button, MessageRef, Reply, UserRef
from bot.conversation.users import (
    get_or_create,
    record_feedback,
    record_unanswered,
    remember_question,
    with_state,
)
from bot.desk.service import Desk
from bot.desk.texts import load_staff_texts
from bot.engine import AnsweringEngine, MatchResult
from bot.i18n import Texts
from bot.intake.flow import IntakeFlow
from bot.knowledge import Entry
from bot.languages import CHOICES, LANGUAGES, NATIVE_NAMES, PLAIN_GERMAN, base_language
from bot.privacy.hold import Holding
from bot.privacy.intent import wants_erasure
from bot.privacy.sensitive import sensitive_kind
from bot.privacy.service import Forgotten, Privacy
from bot.storage import Database
from bot.storage.models import FormState, User

if TYPE_CHECKING:  # imported for types only: reminders import the conversation's replies
    from bot.intake.reminders import Reminders

MAX_MESSAGE_CHARS = 1500
APPOINTMENT_LINK = "appointment"
UNSUPPORTED_KINDS = ("sticker", "voice", "media", "location", "other")


class Assistant:
    def __init__(
        self,
        engine: AnsweringEngine,
        texts: Texts,
        db: Database,
        settings: Settings | None = None,
    ) -> None:
        self.engine = engine
        self.kb = engine.knowledge
        self.texts = texts
        self.db = db
        settings = settings or engine.settings  # the bot's; the engine's may be shared
        self.intake = IntakeFlow(texts, db, settings.consultation, settings.requests.retention_days)
        self.reminders: Reminders | None = None  # set while the bot runs
        self.default_language = settings.languages.default
        self.desk = Desk(
            texts, load_staff_texts(), db, self.kb, settings.desk,
            settings.telegram.staff_chat_id, self.language_of,
        )  # fmt: skip
        self.holding = Holding(texts, db)
        self.privacy = Privacy(
            texts, db, settings.privacy, settings.requests.retention_days,
            settings.desk.retention_days, self.language_of, settings.telegram.staff_chat_id,
        )  # fmt: skip

    # -- language -------------------------------------------------------------------------

    def language_of(self, user: User) -> str:
        """The chosen language (plain German speaks German), else the client's if supported,
        else the default."""
        if user.language in CHOICES:
            return base_language(user.language)
        client = (user.client_language or "").split("-")[0].lower()
        return client if client in LANGUAGES else self.default_language

    def user_language(self, who: UserRef) -> str:
        with self.db.session() as session:
            return self.language_of(get_or_create(session, who))

    def wants_plain(self, who: UserRef) -> bool:
        """Chose plain German: German answers in their plain version where one is written."""
        with self.db.session() as session:
            return get_or_create(session, who).language == PLAIN_GERMAN

    def t(self, language: str, key: str, /, **values: object) -> str:
        return self.texts.get(language, key, **values)

    # -- commands -------------------------------------------------------------------------

    def start(self, who: UserRef, payload: str | None = None) -> list[Reply]:
        """Greet, offer the language choice; a deep link opens its answer directly."""
        with self.db.session() as session:
            user = get_or_create(session, who)
            language = self.language_of(user)
            if user.language is None:
                user.language = language
        if payload and payload.strip() == APPOINTMENT_LINK:
            return self.appointment(who)
        if payload:
            return self._deep_link(payload.strip(), language, self.wants_plain(who))
        name = f", {escape(who.first_name)}" if who.first_name else ""
        greeting = Reply(self.t(language, "greeting", name=name), language=language)
        return [greeting, render.language_menu(language, self.texts)]

    def _deep_link(self, payload: str, language: str, plain: bool) -> list[Reply]:
        entry = self.kb.get(payload)
        if entry is None:
            return [
                Reply(
                    self.t(language, "start_unknown_link"),
                    (render.topics_button(language, self.texts),),
                    language=language,
                )
            ]
        return [self._entry_reply(entry, language, plain=plain)]

    def _entry_reply(
        self, entry: Entry, language: str, browsing: bool = False, plain: bool = False
    ) -> Reply:
        human = self.desk.button(language) if self.desk.available else None
        return render.answer(entry, language, self.texts, self.kb, browsing, human, plain)

    def choose_language(self, who: UserRef) -> Reply:
        return render.language_menu(self.user_language(who), self.texts)

    def set_language(self, who: UserRef, choice: str, mode: str = "edit") -> Reply:
        """An explicit choice (a language or plain German): also forgets earlier "keep my
        language" answers."""
        with self.db.session() as session:
            user = get_or_create(session, who)
            user.language, user.kept_languages = choice, None
        language = base_language(choice)
        key = "language_set_plain" if choice == PLAIN_GERMAN else "language_set"
        return Reply(self.t(language, key), mode=mode, language=language)  # type: ignore[arg-type]

    def help(self, who: UserRef) -> Reply:
        language = self.user_language(who)
        return Reply(
            self.t(language, "help"),
            (render.topics_button(language, self.texts),),
            language=language,
        )

    def privacy_notice(self, who: UserRef) -> Reply:
        """/privacy: what is stored, why, for how long; a button to delete it all."""
        return self.privacy.explain(self.user_language(who))

    def mydata(self, who: UserRef) -> Reply:
        """/mydata: a summary and a file of everything stored about the resident."""
        client = (who.client_language or "").split("-")[0].lower()
        return self.privacy.mydata(who, client if client in LANGUAGES else self.default_language)

    def forget(self, who: UserRef) -> Reply:
        """/forget: asks first; the confirmation button deletes (``forget_confirmed``)."""
        return self.privacy.ask_forget(self.user_language(who))

    def forget_confirmed(self, who: UserRef) -> Forgotten:
        return self.privacy.forget(who, self.user_language(who))

    def cancel(self, who: UserRef) -> Reply:
        language = self.user_language(who)
        if self.intake.cancel(who):
            return Reply(self.t(language, "intake.cancelled"), language=language)
        return Reply(self.t(language, "nothing_to_cancel"), language=language)

    def appointment(self, who: UserRef) -> list[Reply]:
        """Start the request form for an advice appointment."""
        return self.intake.tagged(who, self.intake.start(who, self.user_language(who)))

    def my_requests(self, who: UserRef) -> Reply:
        return self.intake.mine.listing(who, self.user_language(who))

    def staff_decision(
        self, request_id: int, revision: int, accept: bool, staff: str
    ) -> list[Reply]:
        on_accept = self.reminders.schedule if self.reminders is not None else None
        return self.intake.staff.decide(request_id, revision, accept, staff, on_accept)

    def human(self, who: UserRef) -> list[Reply]:
        """/human: hand the conversation to staff (after consent)."""
        return self.desk.request(who)

    def end(self, who: UserRef) -> list[Reply]:
        """/end: end the conversation with staff."""
        return self.desk.end(who)

    def topics(self, who: UserRef) -> Reply:
        return render.topics_menu(self.kb, self.user_language(who), self.texts)

    # -- messages -------------------------------------------------------------------------

    def ask(self, who: UserRef, text: str, ref: MessageRef | None = None) -> list[Reply]:
        """Answer a free-text message, take it as the answer to an open form's question, or,
        while the resident talks with staff, pass it on to them."""
        with self.db.session() as session:
            user, form_open, ticket_open = with_state(session, who)
            held = self._hold_if_sensitive(session, user, form_open, ticket_open, text, ref)
            if held is not None:
                return [held]
            if form_open:
                replies, route = None, "form"  # answered by the form, below
            elif ticket_open:
                replies, route = None, "desk"
            else:
                language = self.language_of(user)
                if wants_erasure(text):  # "delete my data": the /forget question
                    return [self.privacy.ask_forget(language)]
                result, replies = self._answer(session, user, text, language)
        if replies is None:
            if route == "desk":
                relayed = self.desk.resident_message(who, text, "text", ref)
                if relayed is not None:
                    return relayed
                return self.ask(who, text, ref)  # the ticket ended in the meantime
            return self.intake.tagged(who, self.intake.text(who, text))
        if result is not None and result.language != language and result.language_certain:
            replies.append(self._switch_offer(result.language, language))
        return replies

    def _hold_if_sensitive(
        self, session: Session, user: User, form_open: bool, ticket_open: bool, text: str,
        ref: MessageRef | None,
    ) -> Reply | None:  # fmt: skip
        """A message on its way to staff or into a request's description that looks like it
        holds an ID number, an IBAN or health details is held until the resident answers."""
        if form_open:
            form = session.get(FormState, user.id)
            if form is None or form.step != "description":
                return None
            route = "form"
        elif ticket_open:
            route = "desk"
        else:
            return None
        kind = sensitive_kind(text)
        if kind is None:
            return None
        return self.holding.hold(session, user, route, text, ref, kind, self.language_of(user))

    def _release(self, who: UserRef, token: str, send: bool, language: str) -> list[Reply]:
        """The answer to a sensitive-data warning: pass the held message on, or drop it."""
        released = self.holding.take(who, token, keep=send)
        if released is None:
            return [Reply(self.t(language, "button_expired"), mode="notice", language=language)]
        if not send:
            return [self.holding.answered(language, "rewritten")]
        done = self.holding.answered(language, "sent")
        if released.route == "form":
            return [done, *self.intake.text(who, released.text)]
        relayed = self.desk.resident_message(who, released.text, "text", released.ref)
        return [done, *(relayed if relayed is not None else self.ask(who, released.text))]

    def _answer(
        self, session: Session, user: User, text: str, language: str
    ) -> tuple[MatchResult | None, list[Reply]]:
        if len(text) > MAX_MESSAGE_CHARS:
            limit = MAX_MESSAGE_CHARS
            too_long = self.t(language, "too_long", length=len(text), limit=limit)
            return None, [Reply(too_long, language=language)]
        result = self.engine.ask(text, hint=language)
        if f"{language}>{result.language}" in (user.kept_languages or []):
            result = replace(result, language=language, language_certain=False)
        if result.kind == "smalltalk":  # not a question: nothing to remember or count
            return result, [self._smalltalk_reply(result)]
        self._remember(session, user, text, result)
        plain = user.language == PLAIN_GERMAN
        replies = self._replies_for(result, user.unanswered_streak or 0, plain)
        return result, replies

    def _replies_for(
        self, result: MatchResult, streak: int = 0, plain: bool = False
    ) -> list[Reply]:
        lang = result.language
        if result.status == "answer" and result.entry_id:
            entry = self.kb.get(result.entry_id)
            return [self._entry_reply(entry, lang, plain=plain)]  # type: ignore[arg-type]
        if result.status == "clarify":
            return [render.clarify(self.kb, result.choices, lang, self.texts)]
        return [self.not_found(lang, offer=streak >= self.desk.settings.offer_after_unanswered)]

    def _smalltalk_reply(self, result: MatchResult) -> Reply:
        """Greetings, thanks, "ok", an emoji: a friendly word on what the assistant does."""
        language = result.language
        text = self.t(language, f"smalltalk.{result.smalltalk or 'other'}")
        return Reply(text, (render.topics_button(language, self.texts),), language=language)

    def not_found(self, language: str, key: str = "not_found", offer: bool = False) -> Reply:
        """The honest "I don't know": topics to browse and, with the desk, a person."""
        rows: tuple[tuple[Button, ...], ...] = (render.topics_button(language, self.texts),)
        text = self.t(language, key)
        if self.desk.available:
            rows += ((self.desk.button(language),),)
            if offer:  # several misses in a row: say it, not only show the button
                text += "\n\n" + self.desk.offer_text(language)
        return Reply(text, rows, language=language)

    def _remember(self, session, user: User, text: str, result: MatchResult) -> None:  # type: ignore[no-untyped-def]
        remember_question(user, text, result.status, result.entry_id,
                          self.desk.settings.recent_questions)  # fmt: skip
        if result.status == "answer":
            user.unanswered_streak = 0
            return
        user.unanswered_streak = (user.unanswered_streak or 0) + (result.status == "none")
        candidates = [{"entry_id": c.entry_id, "score": c.score} for c in result.alternatives]
        if result.entry_id:
            candidates.insert(0, {"entry_id": result.entry_id, "score": result.score})
        record_unanswered(
            session, user, text, result.language, result.status, result.score, candidates
        )

    def _switch_offer(self, detected: str, current: str) -> Reply:
        name = NATIVE_NAMES[detected]
        buttons = (
            (
                Button(
                    self.t(detected, "switch_language_button", language=name),
                    actions.encode("switch", detected),
                ),
            ),
            (
                Button(
                    self.t(current, "keep_language_button", language=NATIVE_NAMES[current]),
                    actions.encode("keep", detected),
                ),
            ),
        )
        return Reply(
            self.t(detected, "switch_language_offer", language=name), buttons, language=detected
        )

    def unsupported(
        self, who: UserRef, kind: str, caption: str = "", ref: MessageRef | None = None
    ) -> list[Reply]:
        """Not text: passed on to staff while a ticket is open, else a clear reply."""
        relayed = self.desk.resident_message(who, caption, kind, ref)
        if relayed is not None:
            return relayed
        language = self.user_language(who)
        shown = {"photo": "media", "document": "media"}.get(kind, kind)
        key = f"unsupported_{shown if shown in UNSUPPORTED_KINDS else 'other'}"
        return [Reply(self.t(language, key), language=language)]

    def edited(self, who: UserRef) -> Reply:
        language = self.user_language(who)
        return Reply(self.t(language, "edited_message"), language=language)

    def error(self, language: str | None = None) -> Reply:
        return Reply(self.t(language or self.default_language, "error"))

    # -- buttons --------------------------------------------------------------------------

    def press(self, who: UserRef, data: str | None, message_ref: str = "") -> list[Reply]:
        """Handle a button press; forged or stale data changes nothing and says so."""
        action = actions.parse(data)
        language = self.user_language(who)
        if action is None or not self._valid(action):
            return [Reply(self.t(language, "button_expired"), mode="notice", language=language)]
        kind, args = action.kind, action.args
        if kind == "intake_start":
            return self.appointment(who)
        if kind.startswith("intake_"):
            return self.intake.tagged(who, self.intake.press(who, action, message_ref, language))
        if kind.startswith("request_") or kind == "proposal_accept":
            return self._my_request(who, action, language)
        if kind.startswith("staff_"):  # only valid in the staff chat, see handlers
            return [Reply(self.t(language, "button_expired"), mode="notice", language=language)]
        if kind in ("entry", "browse_entry"):
            entry = self.kb.get(args[0])
            assert entry is not None  # checked by _valid
            browsing = kind == "browse_entry"
            return [self._entry_reply(entry, language, browsing, self.wants_plain(who))]
        if kind in ("topics", "topics_new"):
            return [
                render.topics_menu(
                    self.kb, language, self.texts, "edit" if kind == "topics" else "send"
                )
            ]
        if kind == "topic":
            return [render.topic_menu(self.kb, args[0], language, self.texts)]
        if kind == "human":
            return self.desk.request(who)
        if kind == "desk_consent":
            return self.desk.consent(who, args[0] == "1")
        if kind in ("sensitive_send", "sensitive_rewrite"):
            return self._release(who, args[0], kind == "sensitive_send", language)
        if kind == "forget_ask":
            return [self.privacy.ask_forget(language)]
        if kind == "forget_no":
            return [self.privacy.keep(language)]
        if kind == "forget_yes":  # normally taken by the handler, which also tells staff
            return self.forget_confirmed(who).replies
        if kind == "desk_rate":
            return self.desk.rate(who, int(args[0]), int(args[1]))
        if kind == "feedback":
            return self._feedback(who, args[0], args[1] == "1", message_ref, language)
        if kind in ("language", "switch"):
            return [self.set_language(who, args[0])]
        if kind == "keep":
            if args:
                self._keep_language(who, language, args[0])
            return [Reply(self.t(language, "language_set"), mode="edit", language=language)]
        return [self._none_of_these(who, language)]

    def _my_request(self, who: UserRef, action: actions.Action, language: str) -> list[Reply]:
        """Buttons on a resident's own requests (/myrequests, a proposal, moving)."""
        mine, kind, args = self.intake.mine, action.kind, action.args
        if kind == "request_list":
            return [mine.listing(who, language, mode="edit")]
        rid = int(args[0])
        if kind == "request_cancel":
            return mine.ask_cancel(who, rid, language)
        if kind == "request_cancel_yes":
            return mine.cancel(who, rid, language)
        if kind == "proposal_accept":
            on_accept = self.reminders.schedule if self.reminders is not None else None
            return mine.accept_proposal(who, rid, language, on_accept)
        if kind == "request_move":
            return mine.move_choices(who, rid, language)
        if kind == "request_move_page":
            return mine.move_choices(who, rid, language, int(args[1]))
        return mine.move(who, rid, args[1], language)  # request_move_to

    def _keep_language(self, who: UserRef, language: str, written: str) -> None:
        """Remember "keep my language" for this pair: never offered again, answered in it."""
        with self.db.session() as session:
            user = get_or_create(session, who)
            kept = user.kept_languages or []
            pair = f"{language}>{written}"
            if pair not in kept and written != language:
                user.kept_languages = [*kept, pair]  # a new list, so that the ORM sees it
                if user.language is None:
                    user.language = language

    def _valid(self, action: actions.Action) -> bool:
        if action.kind in ("entry", "browse_entry", "feedback"):
            return action.args[0] in self.kb
        if action.kind == "topic":
            return self.kb.topic(action.args[0]) is not None
        return True

    def _feedback(
        self, who: UserRef, entry_id: str, helpful: bool, ref: str, language: str
    ) -> list[Reply]:
        with self.db.session() as session:
            user = get_or_create(session, who)
            record_feedback(session, user, entry_id, language, helpful, f"{entry_id}:{ref}"[:80])
        key = "feedback_thanks" if helpful else "feedback_sorry"
        return [Reply(self.t(language, key), mode="notice", language=language)]

    def _none_of_these(self, who: UserRef, language: str) -> Reply:
        with self.db.session() as session:
            user = get_or_create(session, who)
            user.unanswered_streak = (user.unanswered_streak or 0) + 1
        reply = self.not_found(language, "not_found_after_choice")  # streak offer: next miss
        return Reply(reply.text, reply.buttons, mode="edit", language=language)
