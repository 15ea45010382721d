"""Is each business account (a WhatsApp number, a Page, an Instagram account) working? The signals the
functions count per hour, and the rule that turns the last hour's into ok / degraded / offline
(docs/reports.md, "Channel health")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

WEBHOOK = "webhook"  # the account of a signal that belongs to the channel's webhook, not to one account

# Thresholds of the state (docs/reports.md).
OFFLINE_FAILURES = 3  # this many send failures in the last hour and not one send accepted: offline
DEGRADED_ERROR_RATE = 0.10  # a tenth of the sends failing …
MIN_ERRORS = 2  # … and more than a one-off failure: degraded


class Signal(StrEnum):
    RECEIVED = "received"  # a customer's message stored
    SENT = "sent"  # a send accepted by the platform
    FAILED = "failed"  # a send refused (by the platform or before calling it)
    UNKNOWN = "unknown"  # a send whose outcome we never heard (counts as an error)
    REJECTED = "rejected"  # a webhook item that could never be processed (malformed)


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

    def __add__(self, other: HourCounts) -> HourCounts:
        return HourCounts(
            received=self.received + other.received,
            sent=self.sent + other.sent,
            failed=self.failed + other.failed,
            unknown=self.unknown + other.unknown,
            rejected=self.rejected + other.rejected,
        )

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
        if failing or hour.rejected:
            return State.DEGRADED
        return State.OK
