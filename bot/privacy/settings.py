"""How long each kind of data is kept (``privacy:`` in config.yaml; told to residents)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class PrivacySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Requests the unit must keep for its records lose name, contact and description instead
    # of being deleted (after retention, and on /forget); only kind, date and outcome remain.
    keep_requests_anonymised: bool = True
    # Processed incoming updates and delivered outgoing messages (kept for crash recovery).
    inbox_days: int = Field(default=7, ge=1, le=365)
    outbox_days: int = Field(default=7, ge=1, le=365)
    # Questions the bot could not answer, and 👍/👎 ratings (for the knowledge-base editors).
    unanswered_days: int = Field(default=180, ge=1, le=3650)
    feedback_days: int = Field(default=180, ge=1, le=3650)
    # The last questions shown to staff when a ticket opens: forgotten this many days after
    # the resident's last message (a ticket opened later would not need them).
    recent_questions_days: int = Field(default=2, ge=1, le=90)
    # A request form started and left: deleted this many days after the last answer.
    form_days: int = Field(default=30, ge=1, le=365)
    # When the nightly purge runs (local time of the consultation hours' zone).
    purge_at: dt.time = dt.time(3, 30)
