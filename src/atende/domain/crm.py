"""Events for the business's CRM: what happened, signed so the CRM can trust it and refuse a replay.

Each POST carries `X-Atende-Timestamp` (Unix seconds) and `X-Atende-Signature`
= `sha256=` + hex HMAC-SHA256, with the shared secret, of `<timestamp>.<body>`.
A receiver recomputes it over the raw body, compares in constant time, and
refuses a timestamp more than 5 minutes from its clock: a captured request
replayed later fails, and the event id lets it drop a repeat (docs/crm-webhook.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from atende.domain.model import stable_id

SIGNATURE_HEADER = "X-Atende-Signature"
TIMESTAMP_HEADER = "X-Atende-Timestamp"
TOLERANCE_S = 300


class CrmEventType(StrEnum):
    CONVERSATION_CREATED = "conversation.created"
    CONVERSATION_HANDED_OFF = "conversation.handed_off"
    CONVERSATION_RESOLVED = "conversation.resolved"
    TICKET_CREATED = "ticket.created"
    CAMPAIGN_FINISHED = "campaign.finished"


@dataclass(frozen=True, kw_only=True)
class CrmEvent:
    type: CrmEventType
    subject: str  # the conversation, ticket or campaign id
    at: float
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The same happening always has the same id: the CRM can drop a repeat."""
        return stable_id("ev", str(self.type), self.subject, repr(round(self.at, 3)))

    def body(self) -> bytes:
        return json.dumps(
            {
                "id": self.id,
                "type": str(self.type),
                "subject": self.subject,
                "at": self.at,
                "data": dict(self.data),
            },
            ensure_ascii=False,
            sort_keys=True,
        ).encode()

    @classmethod
    def from_body(cls, body: bytes) -> CrmEvent:
        raw = json.loads(body)
        return cls(
            type=CrmEventType(raw["type"]),
            subject=str(raw["subject"]),
            at=float(raw["at"]),
            data=raw.get("data") or {},
        )


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(
    secret: str, headers: Mapping[str, str], body: bytes, now: float, tolerance_s: int = TOLERANCE_S
) -> bool:
    """What a receiver does: the signature over this very body and timestamp, and a fresh timestamp."""
    try:
        timestamp = int(headers.get(TIMESTAMP_HEADER, ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), headers.get(SIGNATURE_HEADER, ""))


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Stop calling a CRM that keeps failing; after `reset_s`, one trial call decides whether to resume.

    Kept per function instance (no shared state): each instance learns on its own, within a few calls.
    """

    def __init__(self, failures_to_open: int = 5, reset_s: float = 60.0) -> None:
        self._limit = failures_to_open
        self._reset_s = reset_s
        self._failures = 0
        self._opened_at: float | None = None
        self._trial = False

    def state(self, now: float) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        return BreakerState.HALF_OPEN if now - self._opened_at >= self._reset_s else BreakerState.OPEN

    def allow(self, now: float) -> bool:
        state = self.state(now)
        if state == BreakerState.CLOSED:
            return True
        if state == BreakerState.HALF_OPEN and not self._trial:
            self._trial = True  # one call goes through to test the CRM
            return True
        return False

    def succeeded(self) -> None:
        self._failures, self._opened_at, self._trial = 0, None, False

    def failed(self, now: float) -> None:
        self._failures += 1
        if self._trial or self._failures >= self._limit:
            self._opened_at, self._trial = now, False
