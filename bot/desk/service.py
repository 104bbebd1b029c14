"""The staff desk's conversation: handoff with consent, relaying both ways, staff commands.

Like ``Assistant``, every public method is one unit of work that returns the replies to show;
nothing here knows Telegram. Replies for the staff chat carry their ticket (``Reply.ticket``) so
the channel puts them into that ticket's thread (a forum topic, or a reply chain); replies to a
resident carry the resident's chat. Both go through the outbox under a key derived from the
message that caused them, so a replayed update never sends anything twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from typing import Any

from rapidfuzz import process
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import actions
from bot.conversation import render
from bot.conversation.replies import Button, MessageRef, Reply, StaffRef, UserRef
from bot.conversation.users import get_or_create
from bot.desk import tickets
from bot.desk.hours import expected_answer_by, working_time_between
from bot.desk.settings import DeskSettings
from bot.desk.texts import StaffTexts, is_note
from bot.i18n import Texts
from bot.knowledge import KnowledgeBase
from bot.languages import PLAIN_GERMAN
from bot.storage import Database
from bot.storage.models import Ticket, TicketLink, User, as_utc, utcnow

RELAYED_KINDS = ("text", "photo", "document", "voice", "media")
SHOWN_QUESTION = 160
RECENT_KEYS = {"answer": "recent_answer", "clarify": "recent_clarify"}
# (ticket id, when to remind, the waiting_since it is about) -> schedules a reminder job
ScheduleReminder = Callable[[int, dt.datetime, str], None]


class Desk:
    def __init__(
        self,
        texts: Texts,
        staff_texts: StaffTexts,
        db: Database,
        kb: KnowledgeBase,
        settings: DeskSettings,
        staff_chat: int | None,
        language_of: Callable[[User], str],
    ) -> None:
        self.texts, self.staff, self.db, self.kb = texts, staff_texts, db, kb
        self.settings = settings
        self.available = settings.enabled and staff_chat is not None
        self.language_of = language_of
        self.schedule_reminder: ScheduleReminder | None = None  # set while the bot runs

    # -- resident side ----------------------------------------------------------------------

    def button(self, language: str) -> Button:
        return Button(self.texts.get(language, "desk.button"), actions.encode("human"))

    def offer_text(self, language: str) -> str:
        return self.texts.get(language, "desk.offer")

    def request(self, who: UserRef) -> list[Reply]:
        """/human, the button: ask for consent the first time, else open (or show) the ticket."""
        pending: list[tuple[int, dt.datetime, str]] = []
        with self.db.session() as session:
            user = get_or_create(session, who)
            language = self.language_of(user)
            if not self.available:
                return [self._say(language, "desk.unavailable")]
            ticket = tickets.open_ticket_of(session, user)
            if ticket is not None:
                return [self._say(language, "desk.already_open", ticket=ticket.id)]
            if user.handoff_consent_at is None:
                return [self._consent(language)]
            replies = self._open(session, user, language, pending)
        self._schedule(pending)
        return replies

    def consent(self, who: UserRef, agreed: bool) -> list[Reply]:
        pending: list[tuple[int, dt.datetime, str]] = []
        with self.db.session() as session:
            user = get_or_create(session, who)
            language = self.language_of(user)
            if not agreed:
                return [self._say(language, "desk.declined", mode="edit")]
            if not self.available:
                return [self._say(language, "desk.unavailable", mode="edit")]
            user.handoff_consent_at = user.handoff_consent_at or utcnow()
            ticket = tickets.open_ticket_of(session, user)
            if ticket is not None:  # a second tap on "yes"
                return [self._say(language, "desk.already_open", mode="edit", ticket=ticket.id)]
            replies = self._open(session, user, language, pending)
        self._schedule(pending)
        first = replies[0]
        return [Reply(first.text, mode="edit", language=first.language), *replies[1:]]

    def _consent(self, language: str) -> Reply:
        text = self.texts.get(language, "desk.consent", days=self.settings.retention_days)
        buttons = (
            (
                Button(
                    self.texts.get(language, "desk.consent_yes"),
                    actions.encode("desk_consent", "1"),
                ),
            ),
            (
                Button(
                    self.texts.get(language, "desk.consent_no"), actions.encode("desk_consent", "0")
                ),
            ),
        )
        return Reply(text, buttons, language=language)

    def _open(self, session: Session, user: User, language: str, pending: list[Any]) -> list[Reply]:
        recent = list(user.recent_questions or [])
        subject = recent[-1]["q"] if recent else "-"
        ticket, _ = tickets.open_ticket(session, user, subject, language)
        tickets.add_message(session, ticket, "bot", "handoff requested")
        when = self.expected_answer()
        self._plan_reminder(ticket, pending)
        header = Reply(
            self.header(ticket, user, recent, when),
            to_staff=True,
            ticket=ticket.id,
            key=f"desk:{ticket.id}:opened",
            language="de",
        )
        started = self._say(language, "desk.started", ticket=ticket.id, when=_short(when))
        return [started, header]

    def resident_message(
        self, who: UserRef, text: str, kind: str = "text", ref: MessageRef | None = None
    ) -> list[Reply] | None:
        """A resident's message while a ticket is open (None if no ticket is open)."""
        pending: list[tuple[int, dt.datetime, str]] = []
        with self.db.session() as session:
            user = get_or_create(session, who)
            ticket = tickets.open_ticket_of(session, user)
            if ticket is None:
                return None
            language = self.language_of(user)
            if kind not in RELAYED_KINDS:
                return [self._say(language, "desk.not_relayed")]
            was_waiting = ticket.waiting_since is not None
            tickets.add_message(session, ticket, "resident", text or f"[{kind}]")
            name = escape(user.first_name or "?")
            key = f"relay:{ref.chat_id}:{ref.message_id}" if ref else None
            if kind == "text":
                says = self.staff.get("resident_says", name=name, ticket=ticket.id)
                replies = [self._to_staff(ticket, f"{says}\n{escape(text)}", key)]
            else:  # a line saying who sent it, then the copy (with its own caption)
                sent = self.staff.get(f"kind_{kind}")
                line = self.staff.get("resident_sent", name=name, ticket=ticket.id, kind=sent)
                replies = [self._to_staff(ticket, line, key and f"{key}:head")]
                if ref is not None:
                    copy = Reply(
                        to_staff=True,
                        ticket=ticket.id,
                        key=key,
                        copy_of=(ref.chat_id, ref.message_id),
                    )
                    replies.append(copy)
            if not was_waiting:  # the clock starts again: say when to expect an answer
                self._plan_reminder(ticket, pending)
                when = _short(self.expected_answer())
                replies.append(self._say(language, "desk.forwarded", when=when))
        self._schedule(pending)
        return replies

    @staticmethod
    def _to_staff(ticket: Ticket, text: str, key: str | None) -> Reply:
        return Reply(text, to_staff=True, ticket=ticket.id, key=key, language="de")

    def end(self, who: UserRef) -> list[Reply]:
        """/end: the resident closes the ticket and is asked to rate it."""
        with self.db.session() as session:
            user = get_or_create(session, who)
            language = self.language_of(user)
            ticket = tickets.open_ticket_of(session, user)
            if ticket is None:
                return [self._say(language, "desk.not_open")]
            tickets.close(ticket)
            ticket.closed_by = "resident"
            tickets.add_message(session, ticket, "bot", "ended by the resident")
            note = self.staff.get(
                "ended_by_resident", name=escape(user.first_name or "?"), ticket=ticket.id
            )
            stamp = ticket.closed_at.isoformat() if ticket.closed_at else ""
            return [
                self._say(language, "desk.ended", ticket=ticket.id),
                self._rating_question(ticket, language),
                Reply(note, to_staff=True, ticket=ticket.id, key=f"desk:{ticket.id}:end:{stamp}"),
            ]

    def rate(self, who: UserRef, ticket_id: int, stars: int) -> list[Reply]:
        """A rating button: only the ticket's own resident, only once the ticket is closed."""
        with self.db.session() as session:
            user = get_or_create(session, who)
            language = self.language_of(user)
            ticket = session.get(Ticket, ticket_id)
            if ticket is None or ticket.user_id != user.id or ticket.status != "closed":
                return [self._say(language, "button_expired", mode="notice")]
            changed = ticket.rating != stars
            tickets.rate(ticket, stars)
            replies = [self._say(language, "desk.rated", mode="edit", stars=stars)]
            if changed:
                text = self.staff.get(
                    "rated", name=escape(user.first_name or "?"), ticket=ticket.id, stars=stars
                )
                key = f"desk:{ticket.id}:rated:{stars}"
                replies.append(Reply(text, to_staff=True, ticket=ticket.id, key=key))
            return replies

    def _rating_question(self, ticket: Ticket, language: str) -> Reply:
        row = tuple(
            Button(str(n), actions.encode("desk_rate", str(ticket.id), str(n))) for n in range(1, 6)
        )
        return Reply(self.texts.get(language, "desk.rate"), (row,), language=language)

    # -- staff side ----------------------------------------------------------------------

    def ticket_for_thread(self, thread_id: int) -> int | None:
        with self.db.session() as session:
            found: int | None = session.scalar(
                select(Ticket.id).where(Ticket.thread_id == thread_id).order_by(Ticket.id.desc())
            )
            return found

    def ticket_for_message(self, chat_id: int, message_id: int) -> int | None:
        with self.db.session() as session:
            found: int | None = session.scalar(
                select(TicketLink.ticket_id).where(
                    TicketLink.chat_id == chat_id, TicketLink.message_id == message_id
                )
            )
            return found

    def link(self, chat_id: int, message_id: int, ticket_id: int) -> None:
        """Remember that a message in the staff chat belongs to a ticket."""
        with self.db.session() as session:
            exists = session.scalar(
                select(TicketLink.id).where(
                    TicketLink.chat_id == chat_id, TicketLink.message_id == message_id
                )
            )
            if exists is None:
                session.add(TicketLink(chat_id=chat_id, message_id=message_id, ticket_id=ticket_id))

    def thread_of(self, ticket_id: int) -> tuple[int | None, int | None]:
        """The ticket's forum topic and header message in the staff chat, as far as known."""
        with self.db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                return None, None
            return ticket.thread_id, ticket.header_message_id

    def set_thread(self, ticket_id: int, thread_id: int | None, header_id: int | None) -> None:
        with self.db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is not None:
                ticket.thread_id, ticket.header_message_id = thread_id, header_id

    def topic_name(self, ticket_id: int) -> str:
        with self.db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                return f"#{ticket_id}"
            user = session.get(User, ticket.user_id)
            name = self.staff.get(
                "topic_name",
                ticket=ticket.id,
                name=(user.first_name if user else None) or "?",
                language=ticket.language.upper(),
                subject=ticket.subject,
            )
            return name[:128]

    def current_header(self, ticket_id: int, threaded: bool) -> str:
        """The header again, for a topic recreated after staff deleted it."""
        with self.db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            user = session.get(User, ticket.user_id) if ticket else None
            if ticket is None or user is None:
                return f"#{ticket_id}"
            recent = list(user.recent_questions or [])
            return self.header(ticket, user, recent, self.expected_answer(), threaded)

    def header(
        self,
        ticket: Ticket,
        user: User,
        recent: list[Any],
        when: dt.datetime,
        threaded: bool = True,
    ) -> str:
        s = self.staff
        lines = [
            s.get(
                "header",
                ticket=ticket.id,
                name=escape(user.first_name or "?"),
                language=ticket.language,
                language_name=s.language_name(ticket.language),
                subject=escape(ticket.subject),
                when=_short(when),
            ),
            "",
            s.get("header_recent"),
        ]
        shown = recent[-self.settings.recent_questions :] if self.settings.recent_questions else []
        for item in shown:
            question = escape(str(item.get("q", ""))[:SHOWN_QUESTION])
            entry = self.kb.get(item.get("entry") or "")
            title = escape(f"{entry.text('de').title} [{entry.id}]") if entry else ""
            status = item.get("status")
            key = RECENT_KEYS.get(status, "recent_none")
            lines.append(s.get(key, question=question, entry=title))
        if not shown:
            lines.append(s.get("header_no_recent"))
        help_key = "header_help" if threaded else "header_help_reply"
        lines += ["", s.get(help_key, prefix=escape(self.settings.note_prefix))]
        return "\n".join(lines)

    def staff_message(
        self, ticket_id: int, staff: StaffRef, text: str, kind: str, ref: MessageRef
    ) -> list[Reply]:
        """A staff message in a ticket's thread: a note, or relayed to the resident."""
        with self.db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                return [Reply(self.staff.get("no_ticket"), language="de")]
            if is_note(text, self.settings.note_prefix):
                tickets.add_message(session, ticket, "note", text, staff.name)
                return []
            if ticket.status != "open":
                return [Reply(self.staff.get("not_open", ticket=ticket.id), language="de")]
            user = session.get(User, ticket.user_id)
            if user is None or user.chat_id is None:
                return [Reply(self.staff.get("no_ticket"), language="de")]
            tickets.add_message(session, ticket, "staff", text or f"[{kind}]", staff.name)
            ticket.first_reply_at = ticket.first_reply_at or utcnow()
            language = ticket.language
            head = self.texts.get(language, "desk.staff_says", name=escape(staff.name))
            key = f"relay:{ref.chat_id}:{ref.message_id}"
            if kind == "text":
                body = f"{head}\n{escape(text)}"
                return [Reply(body, chat_id=user.chat_id, key=key, language=language)]
            copy_of = (ref.chat_id, ref.message_id)
            return [
                Reply(head, chat_id=user.chat_id, key=f"{key}:head", language=language),
                Reply(chat_id=user.chat_id, key=key, language=language, copy_of=copy_of),
            ]

    def claim(self, ticket_id: int, staff: StaffRef) -> list[Reply]:
        with self.db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                return [Reply(self.staff.get("no_ticket"))]
            if ticket.claimed_by and ticket.claimed_by != staff.name:
                holder = escape(ticket.claimed_by)
                return [Reply(self.staff.get("already_claimed", ticket=ticket.id, staff=holder))]
            if ticket.status != "open":
                return [Reply(self.staff.get("already_closed", ticket=ticket.id))]
            tickets.claim(ticket, staff.name)
            tickets.add_message(session, ticket, "note", f"claimed by {staff.name}", staff.name)
            return [Reply(self.staff.get("claimed", staff=escape(staff.name), ticket=ticket.id))]

    def send_entry(
        self, ticket_id: int, staff: StaffRef, entry_id: str, ref: MessageRef
    ) -> list[Reply]:
        """/kb <entry-id>: the knowledge base's answer, in the resident's language."""
        entry_id = entry_id.strip().lower()
        if not entry_id:
            example = self.kb.entries[0].id if self.kb.entries else "wir2-funding"
            return [Reply(self.staff.get("kb_usage", example=example))]
        entry = self.kb.get(entry_id)
        if entry is None:
            return [Reply(self._unknown_entry(entry_id))]
        with self.db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                return [Reply(self.staff.get("no_ticket"))]
            if ticket.status != "open":
                return [Reply(self.staff.get("not_open", ticket=ticket.id))]
            user = session.get(User, ticket.user_id)
            if user is None or user.chat_id is None:
                return [Reply(self.staff.get("no_ticket"))]
            language = ticket.language
            tickets.add_message(session, ticket, "staff", f"[kb:{entry.id}]", staff.name)
            ticket.first_reply_at = ticket.first_reply_at or utcnow()
            intro = self.texts.get(language, "desk.staff_sent_entry", name=escape(staff.name))
            plain = user.language == PLAIN_GERMAN  # the resident chose plain German
            answer = render.answer_text(entry, language, self.texts, "in_conversation", plain)
            body = f"{intro}\n\n{answer}"
            confirm = self.staff.get(
                "kb_sent",
                entry=entry.id,
                title=escape(entry.text("de").title),
                name=escape(user.first_name or "?"),
                language_name=self.staff.language_name(language),
            )
            key = f"relay:{ref.chat_id}:{ref.message_id}"
            return [
                Reply(  # with the buttons the answer may point to ("book below")
                    body,
                    render.entry_buttons(entry, language, self.texts),
                    chat_id=user.chat_id,
                    key=key,
                    language=language,
                ),
                Reply(confirm),
            ]

    def _unknown_entry(self, entry_id: str) -> str:
        choices = {e.id: f"{e.id} {e.text('de').title}" for e in self.kb.entries}
        found = process.extract(entry_id, choices, limit=3)
        text = self.staff.get("kb_unknown", entry=escape(entry_id))
        if found:
            names = ", ".join(key for _, _, key in found)
            text += " " + self.staff.get("kb_suggest", choices=escape(names))
        return text

    def close(self, ticket_id: int, staff: StaffRef, ref: MessageRef) -> list[Reply]:
        with self.db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                return [Reply(self.staff.get("no_ticket"))]
            if ticket.status != "open":
                return [Reply(self.staff.get("already_closed", ticket=ticket.id))]
            tickets.close(ticket)
            ticket.closed_by = staff.name
            tickets.add_message(session, ticket, "note", f"closed by {staff.name}", staff.name)
            user = session.get(User, ticket.user_id)
            replies = [Reply(self.staff.get("closed", ticket=ticket.id, staff=escape(staff.name)))]
            if user is not None and user.chat_id is not None:
                language = ticket.language
                told = self._say(language, "desk.closed", ticket=ticket.id)
                ask = self._rating_question(ticket, language)
                key = f"desk:{ref.chat_id}:{ref.message_id}"
                replies.append(
                    Reply(told.text, chat_id=user.chat_id, key=f"{key}:told", language=language)
                )
                replies.append(
                    Reply(
                        ask.text,
                        ask.buttons,
                        chat_id=user.chat_id,
                        key=f"{key}:rate",
                        language=language,
                    )
                )
            return replies

    def reopen(self, ticket_id: int, staff: StaffRef, ref: MessageRef) -> list[Reply]:
        pending: list[tuple[int, dt.datetime, str]] = []
        with self.db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                return [Reply(self.staff.get("no_ticket"))]
            if ticket.status == "open":
                return [Reply(self.staff.get("already_open", ticket=ticket.id))]
            try:
                tickets.reopen(session, ticket)
            except tickets.OtherTicketOpen as exc:
                return [Reply(self.staff.get("reopen_blocked", ticket=ticket.id, other=exc.other))]
            ticket.closed_by = None
            tickets.add_message(session, ticket, "note", f"reopened by {staff.name}", staff.name)
            user = session.get(User, ticket.user_id)
            replies = [
                Reply(self.staff.get("reopened", ticket=ticket.id, staff=escape(staff.name)))
            ]
            if user is not None and user.chat_id is not None:
                told = self._say(ticket.language, "desk.reopened", ticket=ticket.id)
                key = f"desk:{ref.chat_id}:{ref.message_id}:told"
                replies.append(
                    Reply(told.text, chat_id=user.chat_id, key=key, language=ticket.language)
                )
        self._schedule(pending)
        return replies

    def inbox(self, now: dt.datetime | None = None) -> Reply:
        now = now or utcnow()
        s = self.staff
        with self.db.session() as session:
            rows = tickets.inbox(session, now)
            if not rows:
                return Reply(s.get("inbox_empty"))
            lines = [s.get("inbox_heading", count=len(rows))]
            for row in rows:
                who = (
                    s.get("inbox_claimed", staff=escape(row.claimed_by))
                    if row.claimed_by
                    else s.get("inbox_unclaimed")
                )
                if row.waiting is None:
                    waiting = s.get("inbox_answered")
                else:
                    office = working_time_between(self.settings.hours, now - row.waiting, now)
                    since = _short((now - row.waiting).astimezone(self.settings.hours.zone))
                    waiting = s.get("inbox_waiting", since=since, hours=_hours(office))
                lines.append(
                    s.get(
                        "inbox_row",
                        ticket=row.ticket_id,
                        language=row.language,
                        subject=escape(row.subject[:60]),
                        who=who,
                        waiting=waiting,
                    )
                )
            return Reply("\n".join(lines))

    def stats(self) -> Reply:
        with self.db.session() as session:
            numbers = tickets.stats(session)
            replies = tickets.first_reply_times(session)
        office = sorted(working_time_between(self.settings.hours, a, b) for a, b in replies)
        none = self.staff.get("none_value")
        median = _hours(office[len(office) // 2]) + " Std." if office else none
        rating = numbers["average_rating"]
        return Reply(
            self.staff.get(
                "stats",
                open=numbers["open"],
                closed=numbers["closed"],
                rating=rating if rating is not None else self.staff.get("none_value"),
                rated=numbers["rated"],
                first_reply=median,
            )
        )

    def reminder(self, ticket_id: int, since: str) -> Reply | None:
        """The waiting reminder for the staff chat, if the ticket still waits since ``since``."""
        with self.db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None or ticket.status != "open" or ticket.waiting_since is None:
                return None
            if as_utc(ticket.waiting_since).isoformat() != since:
                return None
            user = session.get(User, ticket.user_id)
            start = as_utc(ticket.waiting_since)
            office = working_time_between(self.settings.hours, start, utcnow())
            text = self.staff.get(
                "waiting",
                ticket=ticket.id,
                name=escape((user.first_name if user else None) or "?"),
                since=_short(start.astimezone(self.settings.hours.zone)),
                hours=_hours(office),
            )
            return Reply(
                text, to_staff=True, ticket=ticket.id, key=f"desk:{ticket.id}:wait:{since}"
            )

    def undeliverable(self, chat_id: int, blocked: bool) -> Reply | None:
        """Telegram refuses messages to a resident's chat: tell the staff of the open ticket
        (once per ticket; the outbox keeps trying)."""
        with self.db.session() as session:
            user = session.scalar(select(User).where(User.chat_id == chat_id))
            ticket = tickets.open_ticket_of(session, user) if user is not None else None
            if user is None or ticket is None:
                return None
            reason = self.staff.get("undeliverable_blocked" if blocked else "undeliverable_other")
            text = self.staff.get(
                "undeliverable", name=escape(user.first_name or "?"), ticket=ticket.id,
                reason=reason,
            )  # fmt: skip
            return self._to_staff(ticket, text, f"desk:{ticket.id}:undeliverable")

    def purge(self, now: dt.datetime | None = None) -> int:
        """Delete closed tickets older than the retention period (the nightly job)."""
        before = (now or utcnow()) - dt.timedelta(days=self.settings.retention_days)
        with self.db.session() as session:
            return tickets.purge_closed(session, before)

    # -- helpers -------------------------------------------------------------------------

    def expected_answer(self, now: dt.datetime | None = None) -> dt.datetime:
        within = dt.timedelta(hours=self.settings.answer_within_hours)
        moment = expected_answer_by(self.settings.hours, now or utcnow(), within)
        past = dt.timedelta(minutes=moment.minute % 15, seconds=moment.second,
                            microseconds=moment.microsecond)  # fmt: skip
        return moment + (dt.timedelta(minutes=15) - past if past else dt.timedelta())

    def _plan_reminder(self, ticket: Ticket, pending: list[Any]) -> None:
        if ticket.waiting_since is None:
            return
        since = as_utc(ticket.waiting_since)
        after = dt.timedelta(hours=self.settings.remind_after_hours)
        when = expected_answer_by(self.settings.hours, since, after)
        pending.append((ticket.id, when, since.isoformat()))

    def _schedule(self, pending: list[tuple[int, dt.datetime, str]]) -> None:
        """Schedule reminders once the session has committed (the job store has its own)."""
        if self.schedule_reminder is None:
            return
        for ticket_id, when, since in pending:
            self.schedule_reminder(ticket_id, when, since)

    def _say(self, language: str, key: str, mode: str = "send", **values: object) -> Reply:
        return Reply(self.texts.get(language, key, **values), mode=mode, language=language)  # type: ignore[arg-type]


def _short(moment: dt.datetime) -> str:
    return moment.strftime("%d.%m. %H:%M")


def _hours(span: dt.timedelta) -> str:
    return f"{span.total_seconds() / 3600:.1f}".replace(".", ",")
