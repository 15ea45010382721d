"""The CRM webhook's edges: the HTTP POST (httpx), its records (`crm_deliveries`, `omni_logs`, channel
health)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import httpx

from atende.adapters.firestore.codec import ts
from atende.adapters.firestore.collections import CRM_DELIVERIES
from atende.adapters.firestore.unit_of_work import FirestoreUnitOfWork
from atende.domain.channel_health import ChannelSignal
from atende.services.crm import CrmDelivery, CrmFailed
from atende.services.failures import FailureLog

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class HttpCrmPoster:
    def __init__(self, client: httpx.Client | None = None) -> None:
        self._http = client or httpx.Client(timeout=TIMEOUT)

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            return self._http.post(url, content=body, headers=dict(headers)).status_code
        except httpx.HTTPError as exc:
            raise CrmFailed(f"no answer: {type(exc).__name__}: {exc}", transient=True) from exc


class FirestoreCrmRecords:
    def __init__(self, uow: Callable[[], FirestoreUnitOfWork]) -> None:
        self._uow = uow

    def record(self, delivery: CrmDelivery, failure: FailureLog | None, signal: ChannelSignal) -> None:
        """Under the event's id: a redelivered event's record replaces the first, never adds one."""
        doc = {
            "type": str(delivery.event.type),
            "subject": delivery.event.subject,
            "status": delivery.status,
            "attempts": delivery.attempts,
            "at": ts(delivery.at),
        }
        if delivery.http_status is not None:
            doc["httpStatus"] = delivery.http_status
        if delivery.error:
            doc["error"] = delivery.error[:500]
        with self._uow() as work:
            work.put(CRM_DELIVERIES, delivery.event.id, doc)
            if failure is not None:
                work.omni_logs.add(failure)
            work.metrics.signal(signal)
            work.commit()
