"""The shared retry policy: bounded, jittered, exponentially growing pauses that never pass the cap."""

from __future__ import annotations

import pytest

from atende.retrying import Backoff
from tests.fakes import RecordingSleep


class Conflict(Exception):
    pass


def test_pauses_grow_exponentially_within_the_cap_and_the_last_error_is_raised():
    calls, sleep = [], RecordingSleep()

    def always_conflicting() -> None:
        calls.append(1)
        raise Conflict(len(calls))

    retrying = Backoff(6, base_delay_s=0.5, max_delay_s=2.0).retrying(
        lambda e: isinstance(e, Conflict), sleep=sleep
    )
    with pytest.raises(Conflict) as raised:
        retrying(always_conflicting)
    assert raised.value.args == (6,) and retrying.statistics["attempt_number"] == 6
    bounds = [0.5, 1.0, 2.0, 2.0, 2.0]
    assert len(sleep.pauses) == 5 and all(0 <= p <= b for p, b in zip(sleep.pauses, bounds, strict=True))


def test_an_error_not_worth_retrying_is_raised_at_once():
    sleep = RecordingSleep()
    retrying = Backoff().retrying(lambda e: isinstance(e, Conflict), sleep=sleep)
    with pytest.raises(ValueError):
        retrying(int, "not a number")
    assert sleep.pauses == [] and retrying.statistics["attempt_number"] == 1
