"""The console's settings documents and log views on Firestore.

A settings change is one transaction: the document read, changed, written, and its `audit_logs` entry
created, so there is never a change without its entry nor an entry for a change that did not happen.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.cloud import firestore

from atende.adapters.firestore import audit_logs as audit_doc
from atende.adapters.firestore.collections import AUDIT_LOGS
from atende.services.settings.logs import LogQuery
from atende.services.settings.store import Audit, Change, Doc

SCAN_LIMIT = 1000  # documents read at most for one page when a filter is judged while reading


class FirestoreSettingsStore:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db

    def get(self, collection: str, doc_id: str) -> Doc | None:
        snap = self.db.collection(collection).document(doc_id).get()
        return snap.to_dict() if snap.exists else None

    def all(self, collection: str) -> dict[str, Doc]:
        return {snap.id: snap.to_dict() or {} for snap in self.db.collection(collection).stream()}

    def change(
        self, collection: str, doc_id: str, change: Change, audit: Audit
    ) -> tuple[Doc | None, Doc | None]:
        ref = self.db.collection(collection).document(doc_id)

        @firestore.transactional
        def run(transaction: firestore.Transaction) -> tuple[Doc | None, Doc | None]:
            snap = ref.get(transaction=transaction)
            before = snap.to_dict() if snap.exists else None
            after = change(before)
            if after is None:
                transaction.delete(ref)
            else:
                transaction.set(ref, after)
            entry = audit(before, after)
            transaction.create(self.db.collection(AUDIT_LOGS).document(entry.id), audit_doc.to_doc(entry))
            return before, after

        return run(self.db.transaction())


class FirestoreLogReader:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db

    def one(self, collection: str, doc_id: str) -> Doc | None:
        snap = self.db.collection(collection).document(doc_id).get()
        return snap.to_dict() if snap.exists else None

    def page(self, query: LogQuery) -> tuple[list[tuple[str, Doc]], str | None]:
        q: Any = self.db.collection(query.collection)
        for field, value in query.equals:
            q = q.where(filter=firestore.FieldFilter(field, "==", value))
        for op, bound in ((">=", query.since), ("<", query.until)):
            if bound is not None:
                q = q.where(filter=firestore.FieldFilter(query.order, op, datetime.fromtimestamp(bound, UTC)))
        q = q.order_by(query.order, direction=firestore.Query.DESCENDING)
        last = None
        if query.after:
            last = self.db.collection(query.collection).document(query.after).get()
            if not last.exists:
                return [], None
        found: list[tuple[str, Doc]] = []
        scanned = 0
        batch = query.limit + 1 if query.at_most is None else max(query.limit, 100)
        while scanned < SCAN_LIMIT:
            snaps = list((q.start_after(last) if last is not None else q).limit(batch).stream())
            for snap in snaps:
                if len(found) == query.limit:
                    return found, found[-1][0]  # at least one more document to look at
                scanned += 1
                last = snap
                if _kept(snap.to_dict() or {}, query.at_most):
                    found.append((snap.id, snap.to_dict() or {}))
            if len(snaps) < batch:
                return found, None
        return found, last.id if last is not None else None  # read enough: the next page goes on


def _kept(doc: Doc, at_most: tuple[str, float] | None) -> bool:
    if at_most is None:
        return True
    value: Any = doc
    for part in at_most[0].split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return isinstance(value, int | float) and value <= at_most[1]
