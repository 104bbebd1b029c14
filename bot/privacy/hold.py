"""Holding a message that looks sensitive until the resident answers the warning.

The message is stored (so a restart loses nothing) under a random token that the two buttons
carry; "send as it is" takes it out and passes it on, "write it again" deletes it. Nothing is
passed on before one of them is pressed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot import actions
from bot.conversation.replies import Button, MessageRef, Reply, UserRef
from bot.i18n import Texts
from bot.storage import Database
from bot.storage.models import HeldMessage, InboxUpdate, User


@dataclass(frozen=True)
class Released:
    route: str  # desk | form
    text: str
    ref: MessageRef | None


class Holding:
    def __init__(self, texts: Texts, db: Database) -> None:
        self.texts = texts
        self.db = db

    def _t(self, language: str, key: str, /, **values: object) -> str:
        return self.texts.get(language, f"sensitive.{key}", **values)

    def hold(
        self, session: Session, user: User, route: str, text: str, ref: MessageRef | None,
        kind: str, language: str,
    ) -> Reply:  # fmt: skip
        """Keep ``text`` back and ask the resident what to do with it."""
        token = secrets.token_hex(4)
        session.add(HeldMessage(
            token=token, user_id=user.id, route=route, text=text,
            chat_id=ref.chat_id if ref else None, message_id=ref.message_id if ref else None,
        ))  # fmt: skip
        buttons = (
            (Button(self._t(language, "send"), actions.encode("sensitive_send", token)),),
            (Button(self._t(language, "rewrite"), actions.encode("sensitive_rewrite", token)),),
        )
        what = self._t(language, kind)
        return Reply(self._t(language, "warning", what=what), buttons, language=language)

    def take(self, who: UserRef, token: str, keep: bool = True) -> Released | None:
        """The held message of this resident under ``token``, removed; None if there is none
        (already answered, or someone else's button). Not ``keep``: the resident will write it
        again, so the stored incoming update that carried it goes too."""
        with self.db.session() as session:
            held = session.scalar(
                select(HeldMessage)
                .join(User, User.id == HeldMessage.user_id)
                .where(HeldMessage.token == token, User.channel == who.channel,
                       User.external_id == who.external_id)
            )  # fmt: skip
            if held is None:
                return None
            ref = None
            if held.chat_id is not None and held.message_id is not None:
                ref = MessageRef(held.chat_id, held.message_id)
            released = Released(held.route, held.text, ref)
            session.delete(held)
            if not keep and ref is not None:
                _forget_update(session, ref)
            return released

    def answered(self, language: str, key: str) -> Reply:
        return Reply(self._t(language, key), mode="edit", language=language)


def _forget_update(session: Session, ref: MessageRef) -> None:
    for row in session.execute(select(InboxUpdate.id, InboxUpdate.payload)):
        message = (row.payload or {}).get("message") or {}
        chat = (message.get("chat") or {}).get("id")
        if chat == ref.chat_id and message.get("message_id") == ref.message_id:
            session.execute(delete(InboxUpdate).where(InboxUpdate.id == row.id))
