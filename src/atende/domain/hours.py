"""When the business's people are at work: weekly intervals and holidays, in São Paulo time.

`config/hours` holds them (the console writes it); without that document the business profile's
`opening_hours` (one interval per weekday) answers, so a deployment that never opened the console
behaves as before. `is_open(at)` is what the rest asks: the handoff notice says when people are back,
and the web chat whether someone is available.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Brazil has had no daylight saving time since 2019: São Paulo is UTC-3 all year.
SAO_PAULO = timezone(timedelta(hours=-3), "America/Sao_Paulo")
WEEKDAYS = ("0", "1", "2", "3", "4", "5", "6")  # 0 = Monday, as datetime.weekday()
Clock = Annotated[str, Field(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")]  # "08:00"; "24:00" ends a day
Weekday = Literal["0", "1", "2", "3", "4", "5", "6"]


class Interval(BaseModel):
    """[open, close) in local time; a map rather than a pair because Firestore keeps no array in an array."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    open: Clock
    close: Clock

    @model_validator(mode="after")
    def _ordered(self) -> Interval:
        if self.open >= self.close:
            raise ValueError(f"{self.open}–{self.close}: the end must come after the start")
        return self


class Holiday(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    date: date
    name: str = Field("", max_length=80)


class OpeningHours(BaseModel):
    """Per weekday, the intervals people work ([start, end), local time); holidays are closed all day."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: Literal["America/Sao_Paulo"] = "America/Sao_Paulo"
    weekdays: dict[Weekday, list[Interval]] = Field(default_factory=dict)
    holidays: list[Holiday] = Field(default_factory=list, max_length=366)

    @model_validator(mode="after")
    def _no_overlaps(self) -> OpeningHours:
        for day, intervals in self.weekdays.items():
            ordered = sorted(intervals, key=lambda i: i.open)
            for earlier, later in pairwise(ordered):
                if later.open < earlier.close:
                    raise ValueError(f"weekday {day}: intervals overlap at {later.open}")
        return self

    def is_open(self, at: datetime | float) -> bool:
        local = (datetime.fromtimestamp(at, SAO_PAULO) if isinstance(at, int | float) else at).astimezone(
            SAO_PAULO
        )
        if any(h.date == local.date() for h in self.holidays):
            return False
        clock = local.strftime("%H:%M")
        return any(i.open <= clock < i.close for i in self.weekdays.get(str(local.weekday()), []))

    @classmethod
    def from_business(cls, business: dict[str, Any]) -> OpeningHours:
        """The business profile's older form: one [open, close] per weekday, no holidays."""
        days = business.get("opening_hours") or {}
        weekdays = {day: [{"open": hours[0], "close": hours[1]}] for day, hours in days.items() if hours}
        return cls.model_validate({"weekdays": weekdays})
