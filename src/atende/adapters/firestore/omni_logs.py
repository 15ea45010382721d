"""Rejected webhook items as `omni_logs/{log id}` documents (admins only; docs/data-model.md)."""

from __future__ import annotations

from typing import Any

from google.cloud import firestore

from atende.adapters.firestore.codec import ts
from atende.adapters.firestore.collections import OMNI_LOGS
from atende.domain.events import RejectedItem

KIND_REJECTED = "webhook_rejected"


def to_doc(item: RejectedItem) -> dict[str, Any]:
    return {
        "kind": KIND_REJECTED,
        "channel": str(item.channel),
        "where": item.where,
        "reason": item.reason,
        "excerpt": item.excerpt,
        "at": ts(item.received_at),
    }


class FirestoreRejectedLog:
    def __init__(self, client: firestore.Client) -> None:
        self._client = client

    def record(self, item: RejectedItem) -> None:
        # set(), not create(): a redelivered Pub/Sub message writes the same document again.
        self._client.collection(OMNI_LOGS).document(item.log_id).set(to_doc(item))
