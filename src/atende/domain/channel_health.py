"""Is each business account (a WhatsApp number, a Page, an Instagram account) working? The signals the
functions count per hour, and the rule that turns the last hour's into ok / degraded / offline
(docs/reports.md, "Channel health")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from enum import StrEnum

WEBHOOK = "webhook"  # the account of a signal that belongs to the channel's webhook, not to one account
CRM = "crm"  # the channel of the CRM webhook's deliveries (account WEBHOOK): sent and failed like a channel's
SYSTEM = "atende"  # the channel of a dead letter that names none (a tick, an unreadable payload)

# Thresholds of the state (docs/reports.md).
OFFLINE_FAILURES = 3  # this many send failures in the last hour and not one send accepted: offline
DEGRADED_ERROR_RATE = 0.10  # a tenth of the sends failing …
MIN_ERRORS = 2  # … and more than a one-off failure: degraded
FORGED_DEGRADED = 5  # this many forged signatures in the last hour (a wrong app secret, not a lone probe)


class Signal(StrEnum):
    RECEIVED = "received"  # a customer's message stored
    SENT = "sent"  # a send accepted by the platform
    FAILED = "failed"  # a send refused (by the platform or before calling it)
    UNKNOWN = "unknown"  # a send whose outcome we never heard (counts as an error)
    REJECTED = "rejected"  # a webhook item that could never be processed (malformed)
    FORGED = "forged"  # a webhook request refused for its signature (counted by the webhook, in batches)
    DEAD_LETTERS = "deadLetters"  # a Pub/Sub message a consumer failed five times (its dead-letter topic)


class State(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    OFFLINE = "offline"


@dataclass(frozen=True, kw_only=True)
class ChannelSignal:
    channel: str
    account_id: str
    signal: Signal
    at: float
    code: str | None = None  # the error code of a failed send
    count: int = 1  # how many happened (a webhook's forged signatures arrive counted)

    @property
    def key(self) -> str:
        return f"{self.channel}_{self.account_id}"


def hour_id(at: float) -> str:
    """The hourly bucket a signal falls in, UTC: `YYYYMMDDHH`."""
    return datetime.fromtimestamp(at, UTC).strftime("%Y%m%d%H")


@dataclass(frozen=True, kw_only=True)
class HourCounts:
    received: int = 0
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    rejected: int = 0
    forged: int = 0
    dead_letters: int = 0

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> HourCounts:
        """From counts keyed by signal (as the hourly document keeps them); other keys are ignored."""
        return cls(**{_FIELD[Signal(k)]: int(v or 0) for k, v in counts.items() if k in _SIGNALS})

    def by_signal(self) -> dict[str, int]:
        """The counts keyed by signal, as the hourly document and `reports_api` name them."""
        return {str(signal): getattr(self, name) for signal, name in _FIELD.items()}

    def __add__(self, other: HourCounts) -> HourCounts:
        return HourCounts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def errors(self) -> int:
        return self.failed + self.unknown

    @property
    def error_rate(self) -> float | None:
        tried = self.sent + self.errors
        return self.errors / tried if tried else None


@dataclass(frozen=True, kw_only=True)
class Health:
    channel: str
    account_id: str
    last_hour: HourCounts
    last_day: HourCounts  # the last 24 hours: dead letters wait there until someone looks
    last_received_at: float | None
    last_sent_at: float | None
    last_error: str | None

    @property
    def state(self) -> State:
        hour = self.last_hour
        if hour.errors >= OFFLINE_FAILURES and hour.sent == 0:
            return State.OFFLINE
        rate = hour.error_rate
        failing = rate is not None and rate >= DEGRADED_ERROR_RATE and hour.errors >= MIN_ERRORS
        if failing or hour.rejected or hour.forged >= FORGED_DEGRADED or self.last_day.dead_letters:
            return State.DEGRADED
        return State.OK


_FIELD = {signal: signal.value if signal != Signal.DEAD_LETTERS else "dead_letters" for signal in Signal}
_SIGNALS = {str(signal) for signal in Signal}
