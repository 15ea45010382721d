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

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

# Brazil has had no daylight saving time since 2019: São Paulo is UTC-3 all year.
SAO_PAULO = timezone(timedelta(hours=-3), "America/Sao_Paulo")
WEEKDAYS = ("0", "1", "2", "3", "4", "5", "6")  # 0 = Monday, as datetime.weekday()
Clock = Annotated[str, Field(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")]  # "08:00"; "24:00" ends a day
Weekday = Literal["0", "1", "2", "3", "4", "5", "6"]


def _ordered(interval: tuple[str, str]) -> tuple[str, str]:
    if interval[0] >= interval[1]:
        raise ValueError(f"{interval[0]}–{interval[1]}: the end must come after the start")
    return interval


Interval = Annotated[tuple[Clock, Clock], AfterValidator(_ordered)]


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
            ordered = sorted(intervals)
            for (_, end), (start, _) in pairwise(ordered):
                if start < end:
                    raise ValueError(f"weekday {day}: intervals overlap at {start}")
        return self

    def is_open(self, at: datetime | float) -> bool:
        local = (datetime.fromtimestamp(at, SAO_PAULO) if isinstance(at, int | float) else at).astimezone(
            SAO_PAULO
        )
        if any(h.date == local.date() for h in self.holidays):
            return False
        clock = local.strftime("%H:%M")
        return any(start <= clock < end for start, end in self.weekdays.get(str(local.weekday()), []))

    @classmethod
    def from_business(cls, business: dict[str, Any]) -> OpeningHours:
        """The business profile's older form: one [open, close] per weekday, no holidays."""
        days = business.get("opening_hours") or {}
        return cls.model_validate({"weekdays": {day: [tuple(hours)] for day, hours in days.items() if hours}})
