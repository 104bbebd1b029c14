"""The resident's data rights in the chat: /mydata, /forget (after a confirmation), /privacy's
button, and the nightly retention purge. Nothing here knows which messenger carries the chat."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from sqlalchemy import select

from bot import actions
from bot.conversation.replies import Button, Reply, UserRef
from bot.i18n import Texts
from bot.languages import NATIVE_NAMES
from bot.privacy import export, retention
from bot.privacy.fields import KINDS
from bot.privacy.forget import OpenTicket, erase
from bot.privacy.settings import PrivacySettings
from bot.storage import Database
from bot.storage.models import User, as_utc

EXPORT_NAME = "my-data.json"


@dataclass(frozen=True)
class Forgotten:
    """What /forget did: the replies to the (former) resident, and their open ticket."""

    replies: list[Reply]
    ticket: OpenTicket | None = None


@dataclass
class Privacy:
    texts: Texts
    db: Database
    settings: PrivacySettings
    request_days: int
    ticket_days: int
    language_of: Callable[[User], str]
    staff_chat: int | None = None
    rules: list[retention.Rule] = field(init=False)

    def __post_init__(self) -> None:
        self.rules = retention.rules(self.settings, self.request_days, self.ticket_days)

    def _say(self, language: str, key: str, /, **values: object) -> str:
        return self.texts.get(language, f"data_rights.{key}", **values)

    def explain(self, language: str) -> Reply:
        """/privacy: each kind of data, why and for how long, and the two rights in the chat."""
        days = {
            "transit_days": max(self.settings.inbox_days, self.settings.outbox_days),
            "unanswered_days": self.settings.unanswered_days, "form_days": self.settings.form_days,
            "feedback_days": self.settings.feedback_days, "request_days": self.request_days,
            "recent_days": self.settings.recent_questions_days, "ticket_days": self.ticket_days,
        }  # fmt: skip
        lines = [self.texts.get(language, "privacy.intro")]
        lines += [
            "• " + self.texts.get(language, f"privacy.items.{kind}", **days) for kind in KINDS
        ]
        lines += [self.texts.get(language, "privacy.rights"),
                  self.texts.get(language, "privacy.responsible")]  # fmt: skip
        button = Button(self._say(language, "button"), actions.encode("forget_ask"))
        return Reply("\n".join(lines), ((button,),), language=language)

    def mydata(self, who: UserRef, fallback: str) -> Reply:
        with self.db.session() as session:
            user = session.scalar(
                select(User).where(User.channel == who.channel, User.external_id == who.external_id)
            )
            language = self.language_of(user) if user else fallback
            if user is None:
                return Reply(self._say(language, "nothing"), language=language)
            data = export.collect(session, user)
        n = export.counts(data)
        profile = data["profile"]
        text = self._say(
            language, "summary", name=escape(profile["first_name"] or "–"),
            language=NATIVE_NAMES.get(profile["language"] or language, language),
            since=as_utc(dt.datetime.fromisoformat(profile["first_seen"])).strftime("%d.%m.%Y"),
            **n,
        )  # fmt: skip
        return Reply(text, language=language, document=(EXPORT_NAME, export.as_file(data)))

    def ask_forget(self, language: str, mode: str = "send") -> Reply:
        text = self._say(language, "forget_question")
        if self.settings.keep_requests_anonymised:
            text += "\n\n" + self._say(language, "forget_requests_kept")
        buttons = (
            (Button(self._say(language, "forget_yes"), actions.encode("forget_yes")),),
            (Button(self._say(language, "forget_no"), actions.encode("forget_no")),),
        )
        return Reply(text, buttons, mode=mode, language=language)  # type: ignore[arg-type]

    def keep(self, language: str) -> Reply:
        return Reply(self._say(language, "kept"), mode="edit", language=language)

    def forget(self, who: UserRef, language: str) -> Forgotten:
        """Delete everything about the resident (the confirmation was pressed)."""
        with self.db.session() as session:
            user = session.scalar(
                select(User).where(User.channel == who.channel, User.external_id == who.external_id)
            )
            ticket = None
            if user is not None:
                keep = self.settings.keep_requests_anonymised
                ticket = erase(session, user, keep, self.staff_chat)
        done = Reply(self._say(language, "forgotten"), mode="edit", language=language)
        return Forgotten([done], ticket)

    def purge(self, now: dt.datetime | None = None) -> dict[str, int]:
        with self.db.session() as session:
            return retention.purge(session, self.rules, self.settings.keep_requests_anonymised, now)

    def report(self, now: dt.datetime | None = None) -> list[retention.Line]:
        with self.db.session() as session:
            return retention.report(session, self.rules, now)
