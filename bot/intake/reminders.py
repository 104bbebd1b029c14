"""Reminders of accepted appointments: the day before and on the morning of the appointment.

Jobs live in APScheduler's SQLAlchemy job store in the bot's own database, so they survive
restarts. Each job only names the request and the kind of reminder; when it runs it checks that
the appointment is still accepted and still at that time, then puts the reminder into the outbox
under a key of request, kind and time, so a reminder can never be sent twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.conversation.replies import Reply
from bot.i18n import Texts
from bot.intake import timing
from bot.intake.hours import ConsultationHours
from bot.intake.settings import ReminderSettings
from bot.storage import Database
from bot.storage.models import ConsultationRequest, User, as_utc, utcnow
from bot.storage.outbox import Outbox

if TYPE_CHECKING:  # the desk imports the conversation, which imports this module's users
    from bot.desk.service import Desk

log = logging.getLogger(__name__)
JOB_TABLE = "scheduled_jobs"
_active: Reminders | None = None  # the running instance, for jobs loaded from the store


class Reminders:
    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        texts: Texts,
        hours: ConsultationHours,
        settings: ReminderSettings,
        wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.db, self.outbox, self.texts = db, outbox, texts
        self.hours, self.settings, self.wake = hours, settings, wake
        self.desk: Desk | None = None  # set while the bot runs with a staff chat
        # The nightly retention purge (bot.privacy): what it removed, by kind of data.
        self.purge: Callable[[], dict[str, int]] | None = None
        self.staff_chat: int | None = None
        self.scheduler = AsyncIOScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=db.url, tablename=JOB_TABLE)},
            job_defaults={"misfire_grace_time": settings.grace_minutes * 60, "coalesce": True},
            timezone=hours.timezone,
        )

    def start(self) -> None:
        global _active
        _active = self
        self.scheduler.start()

    def stop(self) -> None:
        global _active
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        _active = None

    def schedule(self, request: ConsultationRequest, now: dt.datetime | None = None) -> list[str]:
        """(Re)schedule the reminders of an accepted request; returns the job ids."""
        if not self.settings.enabled or request.slot_start is None:
            return []
        now = now or utcnow()
        start = as_utc(request.slot_start).astimezone(self.hours.zone)
        times = {
            "day_before": dt.datetime.combine(
                start.date() - dt.timedelta(days=1), self.settings.day_before_at, self.hours.zone
            ),
            "morning": dt.datetime.combine(start.date(), self.settings.morning_at, self.hours.zone),
        }
        today = now.astimezone(self.hours.zone).date()
        ids = []
        for kind, when in times.items():
            if when >= start or start <= now:
                continue  # a "reminder" after the appointment helps nobody
            if kind == "day_before" and start.date() <= today:
                continue  # booked for today: "tomorrow" would be wrong
            job_id = f"reminder:{request.id}:{kind}"
            self._add_job(
                deliver_reminder, run_date=max(when, now), id=job_id,
                args=[request.id, kind, start.isoformat()],
            )  # fmt: skip
            ids.append(job_id)
        return ids

    def send(self, request_id: int, kind: str, planned_start: str) -> bool:
        """Queue the reminder if the appointment still stands as planned."""
        with self.db.session() as session:
            request = session.get(ConsultationRequest, request_id)
            if request is None or request.status != "accepted" or request.slot_start is None:
                return False
            start = as_utc(request.slot_start).astimezone(self.hours.zone)
            if start.isoformat() != planned_start:
                return False  # moved: the new time has its own reminders
            user = session.get(User, request.user_id) if request.user_id else None
            if user is None or user.chat_id is None:
                return False
            lang = request.language
            text = self.texts.get(
                lang, f"intake.reminder_{kind}", reference=request.reference,
                slot=timing.when(timing.slot_of(request, self.hours), self.texts, lang),
            )  # fmt: skip
            key = f"reminder:{request.id}:{kind}:{planned_start}"
            queued = self.outbox.put(key, user.chat_id, Reply(text, language=lang))
        self.wake()
        return queued

    # -- the staff desk: a ticket waiting too long ------------------------------------------

    def schedule_desk(self, ticket_id: int, when: dt.datetime, since: str) -> None:
        """Remind the staff chat at ``when`` if the ticket still waits since ``since``."""
        self._add_job(
            deliver_desk_reminder, run_date=max(when, utcnow()),
            id=f"desk-waiting:{ticket_id}", args=[ticket_id, since],
        )  # fmt: skip

    def _add_job(self, job: Callable[..., object], **options: Any) -> None:
        """A one-off job, added once the update's transaction has committed: the job store
        writes through its own connection, which must not wait for that transaction."""
        self.db.after_commit(
            lambda: self.scheduler.add_job(job, "date", replace_existing=True, **options)
        )

    def send_desk(self, ticket_id: int, since: str) -> bool:
        if self.desk is None or self.staff_chat is None:
            return False
        reply = self.desk.reminder(ticket_id, since)
        if reply is None or reply.key is None:
            return False
        queued = self.outbox.put(reply.key, self.staff_chat, reply)
        self.wake()
        return queued

    def schedule_retention(self, at: dt.time = dt.time(3, 15)) -> None:
        """Every night at ``at`` (local time): the retention purge (see bot/privacy)."""
        self.scheduler.add_job(
            purge_tickets, "cron", hour=at.hour, minute=at.minute, id="desk-retention",
            replace_existing=True,
        )  # fmt: skip


def purge_tickets() -> None:
    """The nightly retention job (its name is kept: stored jobs refer to it)."""
    if _active is None:
        return
    if _active.purge is not None:
        removed = _active.purge()
        log.info("retention purge: %s", ", ".join(f"{k} {v}" for k, v in removed.items()))
    elif _active.desk is not None:
        log.info("deleted %d closed tickets past their retention period", _active.desk.purge())


def deliver_desk_reminder(ticket_id: int, since: str) -> None:
    """The job function of a waiting ticket's reminder."""
    if _active is None:
        log.warning("desk reminder for ticket %s ran without a running bot", ticket_id)
        return
    _active.send_desk(ticket_id, since)


def deliver_reminder(request_id: int, kind: str, planned_start: str) -> None:
    """The job function (module level, so the job store can name it)."""
    if _active is None:
        log.warning("reminder %s/%s ran without a running bot", request_id, kind)
        return
    _active.send(request_id, kind, planned_start)


__all__: list[Any] = ["ReminderSettings", "Reminders", "deliver_desk_reminder", "deliver_reminder"]
