"""The CRM webhook: each event POSTed, signed, to the business's URL, retried, behind a circuit breaker.

Events reach this sender through the `atende-crm` topic (`crm_webhook`
consumes it), so the functions where things happen only publish: a slow or
failing CRM never slows an answer to a customer. Each delivery is recorded in
`crm_deliveries/{eventId}` (delivered, failed, or not tried while the circuit
was open); a failure is also an `omni_logs` entry, and every outcome a signal
of the `crm` row of channel health (sent, or failed with its reason), which is
where admins see a CRM that stopped taking events.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from atende.domain.campaign import Campaign
from atende.domain.channel_health import CRM, WEBHOOK, ChannelSignal, Signal
from atende.domain.conversation import Conversation
from atende.domain.crm import CircuitBreaker, CrmEvent, CrmEventType, signed_headers
from atende.retrying import Backoff
from atende.services.failures import FailureKind, FailureLog

log = logging.getLogger(__name__)

ATTEMPTS = Backoff(max_attempts=5, base_delay_s=1.0, max_delay_s=16.0)


class CrmFailed(Exception):
    def __init__(self, reason: str, *, transient: bool, http_status: int | None = None) -> None:
        super().__init__(reason)
        self.transient = transient
        self.http_status = http_status


class CrmPoster(Protocol):
    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """The HTTP status; raises CrmFailed (transient) when no answer came."""


@dataclass(frozen=True, kw_only=True)
class CrmDelivery:
    event: CrmEvent
    status: str  # delivered, failed, circuit_open
    attempts: int
    at: float
    http_status: int | None = None
    error: str | None = None


class CrmRecords(Protocol):
    def record(self, delivery: CrmDelivery, failure: FailureLog | None, signal: ChannelSignal) -> None:
        """In one commit: the delivery, its failure in `omni_logs` if any, its count in channel health."""


class CrmEventPublisher(Protocol):
    def publish_crm(self, event: CrmEvent) -> None: ...


def tell(publisher: CrmEventPublisher | None, event: CrmEvent) -> None:
    """Best effort: a lost publish loses the event, never what happened (the customer's message, the
    resolution)."""
    if publisher is None:
        return
    try:
        publisher.publish_crm(event)
    except Exception as exc:
        log.warning("crm event %s for %s not published: %s", event.type, event.subject, exc)


def resolved(conversation: Conversation) -> CrmEvent:
    """`conversation.resolved`: by a person (their uid) or closed idle by the tick (`bot`)."""
    data = {
        "channel": str(conversation.channel),
        "team": conversation.team,
        "resolvedBy": conversation.resolved_by,
    }
    return CrmEvent(
        type=CrmEventType.CONVERSATION_RESOLVED,
        subject=conversation.id,
        at=conversation.resolved_at or time.time(),
        data=data,
    )


class CampaignsToCrm:
    """A campaign's end (finished, or cancelled) as a CRM event."""

    def __init__(self, publisher: CrmEventPublisher, clock: Callable[[], float] = time.time) -> None:
        self._publisher, self._clock = publisher, clock

    def campaign_finished(self, campaign: Campaign, counts: Mapping[str, int]) -> None:
        data = {
            "name": campaign.name,
            "status": str(campaign.status),
            "total": campaign.total,
            "counts": dict(counts),
        }
        self._publisher.publish_crm(
            CrmEvent(type=CrmEventType.CAMPAIGN_FINISHED, subject=campaign.id, at=self._clock(), data=data)
        )


class CrmWebhook:
    def __init__(
        self,
        *,
        url: str,
        secret: str,
        poster: CrmPoster,
        records: CrmRecords,
        breaker: CircuitBreaker | None = None,
        retry: Backoff = ATTEMPTS,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._url, self._secret = url, secret
        self._poster, self._records = poster, records
        self._breaker = breaker or CircuitBreaker()
        self._retry, self._clock, self._sleep = retry, clock, sleep

    def deliver(self, event: CrmEvent) -> str:
        if not self._url:
            return "not_configured"
        if not self._breaker.allow(self._clock()):
            return self._record(event, "circuit_open", 0, "the CRM failed repeatedly; not called for now")
        body = event.body()

        def attempt() -> int:
            status = self._poster.post(
                self._url, body, signed_headers(self._secret, int(self._clock()), body)
            )
            if status >= 500 or status in (408, 429):
                raise CrmFailed(f"HTTP {status}", transient=True, http_status=status)
            if status >= 300:
                raise CrmFailed(f"HTTP {status}", transient=False, http_status=status)
            return status

        retrying = self._retry.retrying(
            lambda e: isinstance(e, CrmFailed) and e.transient, sleep=self._sleep, label=f"crm {event.id}"
        )
        try:
            status = retrying(attempt)
        except CrmFailed as failure:
            self._breaker.failed(self._clock())
            attempts = retrying.statistics.get("attempt_number", 1)
            return self._record(event, "failed", attempts, str(failure), failure.http_status)
        self._breaker.succeeded()
        return self._record(event, "delivered", retrying.statistics.get("attempt_number", 1), None, status)

    def _record(
        self, event: CrmEvent, status: str, attempts: int, error: str | None, http_status: int | None = None
    ) -> str:
        now = self._clock()
        delivery = CrmDelivery(
            event=event, status=status, attempts=attempts, at=now, http_status=http_status, error=error
        )
        failure = None
        if status != "delivered":
            log.warning(
                "crm event %s (%s): %s after %d attempts: %s", event.id, event.type, status, attempts, error
            )
            failure = FailureLog.of(
                id=f"crm_{event.id}",
                source="crm_webhook",
                kind=FailureKind.FAILED,
                reason=f"CRM webhook {status}: {error}",
                payload=event.body(),
                at=now,
            )
        signal = ChannelSignal(
            channel=CRM,
            account_id=WEBHOOK,
            signal=Signal.SENT if failure is None else Signal.FAILED,
            at=now,
            code=None if failure is None else (error if status == "failed" and error else status),
        )
        self._records.record(delivery, failure, signal)
        return status
