"""The calendar files a requester gets as their request changes, in their language."""

from __future__ import annotations

from bot.i18n import Texts
from bot.intake.hours import ConsultationHours, Slot
from bot.intake.ics import Appointment, Status, calendar_file
from bot.intake.timing import slot_of
from bot.storage.models import ConsultationRequest

Document = tuple[str, bytes]


class CalendarFiles:
    def __init__(self, texts: Texts, hours: ConsultationHours) -> None:
        self.texts = texts
        self.hours = hours

    def tentative(self, request: ConsultationRequest) -> Document | None:
        """Requested (or moved), not yet confirmed by the unit."""
        return self._file(request, slot_of(request, self.hours), "TENTATIVE")

    def confirmed(self, request: ConsultationRequest) -> Document | None:
        return self._file(request, slot_of(request, self.hours), "CONFIRMED")

    def cancelled(self, request: ConsultationRequest, previous: Slot | None) -> Document | None:
        """Takes the event out of the calendar again (only if there was one)."""
        return self._file(request, previous, "CANCELLED")

    def _file(
        self, request: ConsultationRequest, slot: Slot | None, status: Status
    ) -> Document | None:
        if slot is None:
            return None
        lang, ref = request.language, request.reference
        appointment = Appointment(
            uid=f"{ref}@consult-bot", start=slot.start, end=slot.end,
            summary=self.texts.get(lang, "intake.calendar_summary", reference=ref),
            description=request.description,
            location=self.texts.get(lang, "intake.calendar_location"),
            sequence=request.revision or 0,
        )  # fmt: skip
        return f"{ref}.ics", calendar_file(appointment, status)
