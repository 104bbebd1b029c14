"""Settings of the request and reminder features (kept free of heavy imports)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class RequestSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Told to requesters in the consent text; the unit's retention rule for request data.
    retention_days: int = Field(default=180, ge=1, le=3650)


class ReminderSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    day_before_at: dt.time = dt.time(17, 0)  # local time, the day before
    morning_at: dt.time = dt.time(7, 30)  # local time, on the day
    # A reminder missed while the bot was down is still sent this long after its time.
    grace_minutes: int = Field(default=360, ge=1, le=1440)
