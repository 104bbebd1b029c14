"""Working hours for the staff desk: when a resident can expect an answer, how long a ticket
has waited in working time. Office hours use the same weekly plan and Lower Saxony holidays as
consultation hours (``ConsultationHours``)."""

from __future__ import annotations

import datetime as dt

from bot.intake.hours import ConsultationHours

STEP = dt.timedelta(minutes=15)
SEARCH_LIMIT = dt.timedelta(days=60)


def _open_at(hours: ConsultationHours, moment: dt.datetime) -> bool:
    local = moment.astimezone(hours.zone)
    if hours.is_closed(local.date()):
        return False
    return any(start <= local.time() < end for start, end in hours.ranges_on(local.date()))


def expected_answer_by(
    hours: ConsultationHours, now: dt.datetime, working: dt.timedelta
) -> dt.datetime:
    """The moment ``working`` office time after ``now`` has passed (in steps of 15 minutes)."""
    moment, left = now, working
    while left > dt.timedelta() and moment - now < SEARCH_LIMIT:
        if _open_at(hours, moment):
            left -= STEP
        moment += STEP
    return moment.astimezone(hours.zone)


def working_time_between(
    hours: ConsultationHours, start: dt.datetime, end: dt.datetime
) -> dt.timedelta:
    """Office time between two moments (15-minute resolution)."""
    total, moment = dt.timedelta(), start
    while moment < end and moment - start < SEARCH_LIMIT:
        if _open_at(hours, moment):
            total += STEP
        moment += STEP
    return total
