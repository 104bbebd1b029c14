"""Settings of the staff desk (kept free of heavy imports)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.intake.hours import ConsultationHours


def _office_hours() -> ConsultationHours:
    weekday = ["09:00-15:00"]
    return ConsultationHours(weekly={day: weekday for day in ("mon", "tue", "wed", "thu", "fri")})


class DeskSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Handing conversations to staff needs telegram.staff_chat_id as well.
    enabled: bool = True
    # Staff messages starting with this are internal notes: kept in the ticket, not relayed.
    note_prefix: str = Field(default="//", min_length=1, max_length=10)
    # Besides the staff group's members, these Telegram user ids may use staff commands.
    staff_ids: tuple[int, ...] = ()
    # Office hours (weekly plan, closed days, Lower Saxony holidays) for the answer-time promise.
    hours: ConsultationHours = Field(default_factory=_office_hours)
    # Residents are told to expect an answer within this much office time.
    answer_within_hours: float = Field(default=8.0, gt=0, le=200)
    # The staff group is reminded when a resident has waited this much office time.
    remind_after_hours: float = Field(default=4.0, gt=0, le=200)
    # After this many unanswered messages in a row the bot offers a person.
    offer_after_unanswered: int = Field(default=2, ge=1, le=10)
    # How many of the resident's last questions the ticket's header shows.
    recent_questions: int = Field(default=5, ge=0, le=20)
    # Told in the consent text: how long a ticket is kept after it ends.
    retention_days: int = Field(default=180, ge=1, le=3650)

    @field_validator("note_prefix")
    @classmethod
    def _no_command(cls, value: str) -> str:
        if value.startswith("/") and len(value) == 1:
            raise ValueError("'/' alone would turn every command into a note; use e.g. '//'")
        return value
