"""The CRM webhook's edges: the HTTP POST (httpx), its records (`crm_deliveries`, `omni_logs`)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from google.cloud import firestore

from atende.adapters.firestore import omni_logs
from atende.adapters.firestore.codec import ts
from atende.adapters.firestore.collections import CRM_DELIVERIES, OMNI_LOGS
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
    def __init__(self, client: firestore.Client) -> None:
        self._db = client

    def record(self, delivery: CrmDelivery, failure: FailureLog | None) -> None:
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
        batch = self._db.batch()
        batch.set(self._db.collection(CRM_DELIVERIES).document(delivery.event.id), doc)
        if failure is not None:
            batch.set(self._db.collection(OMNI_LOGS).document(failure.id), omni_logs.to_doc(failure))
        batch.commit()
