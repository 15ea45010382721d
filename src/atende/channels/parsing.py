"""What a webhook normalizer returns, whatever the platform."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from atende.domain.events import Event


class MalformedPayload(ValueError):
    """The body is JSON but not a webhook of the expected platform: answered with 400."""


@dataclass(frozen=True)
class Ignored:
    """An item deliberately not turned into an event, kept so the log says why."""

    where: str
    reason: str


@dataclass
class ParseResult:
    events: list[Event] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def epoch_seconds(value: Any, *, millis: bool = False) -> float:
    """Platform timestamps come as strings or numbers, in seconds or ms; a bad one becomes 'now'."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return time.time()
    return number / 1000.0 if millis else number
