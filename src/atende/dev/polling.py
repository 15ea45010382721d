"""Wait for an asynchronous outcome (a Pub/Sub push, a Firestore write) in tests and tools."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T], what: str = "condition", timeout_s: float = 25.0, interval_s: float = 0.05
) -> T:
    """The first truthy value of `predicate`, or an AssertionError naming what never happened."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval_s)
