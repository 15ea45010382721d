"""Opening hours (`config/hours`): what an admin may write, and whether people are at work at a moment."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from atende.domain.hours import SAO_PAULO, OpeningHours
from atende.services.attendant_config import AttendantConfig
from tests.fakes import FakeConfigSource

HOURS = {
    "weekdays": {
        "0": [{"open": "08:00", "close": "12:00"}, {"open": "13:00", "close": "18:00"}],
        "5": [{"open": "09:00", "close": "13:00"}],
    },
    "holidays": [{"date": "2026-12-25", "name": "Natal"}],
}


def sp(*args: int) -> datetime:
    return datetime(*args, tzinfo=SAO_PAULO)


def test_open_inside_an_interval_of_the_day_closed_at_lunch_on_sundays_and_on_holidays():
    hours = OpeningHours.model_validate(HOURS)
    assert hours.is_open(sp(2026, 11, 30, 8, 0))  # a Monday
    assert not hours.is_open(sp(2026, 11, 30, 12, 30))
    assert not hours.is_open(sp(2026, 11, 30, 18, 0))  # the end is not included
    assert hours.is_open(sp(2026, 11, 28, 12, 59))  # a Saturday
    assert not hours.is_open(sp(2026, 11, 29, 10, 0))  # a Sunday
    assert not hours.is_open(sp(2026, 12, 25, 10, 0))  # Christmas is a Friday without hours anyway
    christmas_monday = OpeningHours.model_validate({**HOURS, "holidays": [{"date": "2026-11-30"}]})
    assert not christmas_monday.is_open(sp(2026, 11, 30, 9, 0))


def test_times_are_judged_in_sao_paulo_whatever_zone_they_come_in():
    hours = OpeningHours.model_validate(HOURS)
    assert hours.is_open(datetime(2026, 11, 30, 11, 0, tzinfo=UTC))  # 08:00 in São Paulo
    assert not hours.is_open(datetime(2026, 11, 30, 10, 59, tzinfo=UTC).timestamp())


@pytest.mark.parametrize(
    "document",
    [
        {"weekdays": {"0": [{"open": "18:00", "close": "08:00"}]}},  # ends before it starts
        {
            "weekdays": {"0": [{"open": "08:00", "close": "12:00"}, {"open": "11:00", "close": "14:00"}]}
        },  # overlap
        {"weekdays": {"7": [{"open": "08:00", "close": "12:00"}]}},  # no such weekday
        {"weekdays": {"0": [{"open": "8h", "close": "12:00"}]}},
        {"holidays": [{"date": "25/12/2026"}]},
        {"timezone": "UTC"},
        {"weekdays": {}, "openOnSundays": True},  # an unknown key
    ],
)
def test_what_cannot_be_opening_hours_is_refused(document):
    with pytest.raises(ValidationError):
        OpeningHours.model_validate(document)


def test_the_functions_read_config_hours_and_without_it_the_business_profile():
    with_hours = AttendantConfig(FakeConfigSource({"config": {"hours": HOURS}}))
    assert not with_hours.hours().is_open(sp(2026, 11, 30, 12, 30))
    profile_only = AttendantConfig(FakeConfigSource({}))
    assert profile_only.hours().is_open(sp(2026, 11, 30, 12, 30))  # the profile's 08:00–20:00


def test_a_broken_config_hours_is_ignored_and_the_profile_answers(caplog):
    broken = {"weekdays": {"0": [{"open": "18:00", "close": "08:00"}]}}
    config = AttendantConfig(FakeConfigSource({"config": {"hours": broken}}))
    assert config.hours().is_open(sp(2026, 11, 30, 12, 30))
    assert "weekdays.0.0" in caplog.text
