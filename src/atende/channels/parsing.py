"""What a webhook normalizer returns, whatever the platform, and the checks every parser shares.

Meta is strict about a few things and the parsers are too: ids are strings (or JSON numbers) of
bounded length and timestamps are seconds or milliseconds since the epoch. Everything else is
tolerated (unknown fields and kinds are kept or ignored), so a new Meta field is never an error.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

from atende.domain.events import Event, Unpublishable, encode
from atende.domain.model import safe_part

# Meta's ids (wamids, mids, PSIDs, phone number ids) are well under this; longer is not Meta.
MAX_ID_CHARS = 512
# A copy of a rejected item is kept for whoever investigates, never the whole (up to 4 MB) body.
EXCERPT_CHARS = 2048
# Timestamps outside this range (Meta's are "now") become the time of receipt: they could not be
# stored (Firestore's timestamps end in year 9999) and would sort a conversation wrongly.
EARLIEST_S = 0.0
LATEST_S = 4102444800.0  # 2100-01-01


class MalformedPayload(ValueError):
    """The body is JSON but not a webhook of the expected platform: answered with 400."""


@dataclass(frozen=True)
class Ignored:
    """An item deliberately not turned into an event, kept so the log says why."""

    where: str
    reason: str


@dataclass(frozen=True)
class Rejected:
    """An item that can never be processed (no usable id, a shape Meta never sends): answered 200 so Meta
    does not retry it, and recorded with a truncated copy."""

    where: str
    reason: str
    excerpt: str


@dataclass
class ParseResult:
    events: list[Event] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    def emit(self, event: Event, where: str, raw: Any) -> None:
        """Keep an event only if its consumer can store it (see `events.encode`); else reject the item."""
        try:
            encode(event)
        except Unpublishable as exc:
            self.reject(where, f"cannot be stored: {exc}", raw)
        else:
            self.events.append(event)

    def reject(self, where: str, reason: str, raw: Any) -> None:
        self.rejected.append(Rejected(where, reason, excerpt(raw)))


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def ident(value: Any) -> str:
    """An id as Meta sends it (a string, some as JSON numbers) as a string; "" when there is no usable one
    (missing, another type, or longer than any Meta id)."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        # str() refuses ints of more than 4300 digits; no Meta id comes close to 2**1800.
        text = str(value) if value.bit_length() <= 1800 else ""
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, str):
        text = value
    else:
        return ""
    return text if len(text) <= MAX_ID_CHARS else ""


def plain_id(value: Any) -> str:
    """An id used as is as a Graph path segment or a document id (a media id, our own message id handed
    back): plain (`safe_part`), else "" rather than read as a path. Account and sender ids need not be:
    they reach Graph only through a configured channel, and ids derived from them are made safe."""
    text = ident(value)
    return text if text and safe_part(text) == text else ""


def epoch_seconds(value: Any, *, millis: bool = False) -> float:
    """Platform timestamps come as strings or numbers, in seconds or ms; one that is not a number, or not
    a plausible time, becomes 'now'."""
    try:
        number = float(value) / (1000.0 if millis else 1.0)
    except (TypeError, ValueError, OverflowError):
        return time.time()
    if not math.isfinite(number) or not EARLIEST_S <= number < LATEST_S:
        return time.time()
    return number


def excerpt(raw: Any) -> str:
    """At most EXCERPT_CHARS of an item as JSON, ASCII-escaped so that any input (lone surrogates
    included) can be logged and stored."""
    try:
        text = json.dumps(raw, ensure_ascii=True, default=repr)
    except (RecursionError, ValueError):
        text = "<not representable: nested too deeply>"
    return text[:EXCERPT_CHARS]
