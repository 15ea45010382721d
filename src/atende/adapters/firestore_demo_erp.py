"""Where the demo ERP keeps what customers changed, so every function instance sees one back office."""

from __future__ import annotations

from collections.abc import Callable

from google.cloud import firestore

from atende.adapters.firestore.collections import ERP_DEMO as COLLECTION
from atende.erp.demo import State


class FirestoreDemoState:
    def __init__(self, client: firestore.Client) -> None:
        self._db = client

    def read(self, customer_id: str) -> State:
        snap = self._db.collection(COLLECTION).document(customer_id).get()
        return snap.to_dict() or {} if snap.exists else {}

    def mutate(self, customer_id: str, change: Callable[[State], State]) -> State:
        ref = self._db.collection(COLLECTION).document(customer_id)

        @firestore.transactional
        def apply(txn: firestore.Transaction) -> State:
            snap = ref.get(transaction=txn)
            new = change((snap.to_dict() or {}) if snap.exists else {})
            txn.set(ref, new)
            return new

        return apply(self._db.transaction())
