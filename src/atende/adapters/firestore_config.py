"""Firestore as the source of the business's configuration documents (config/*, flows/*)."""

from __future__ import annotations

from typing import Any

from google.cloud import firestore


class FirestoreConfigSource:
    def __init__(self, client: firestore.Client) -> None:
        self._db = client

    def document(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        snap = self._db.collection(collection).document(doc_id).get()
        return snap.to_dict() if snap.exists else None

    def collection(self, name: str) -> dict[str, dict[str, Any]]:
        return {snap.id: snap.to_dict() or {} for snap in self._db.collection(name).stream()}
