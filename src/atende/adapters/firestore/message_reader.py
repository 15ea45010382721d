"""`messages/{id}` read by id, many at once, outside any unit of work (the web chat's `/links`)."""

from __future__ import annotations

from collections.abc import Sequence

from google.cloud import firestore

from atende.adapters.firestore.collections import MESSAGES
from atende.adapters.firestore.messages import from_doc
from atende.domain.message import Message


class FirestoreMessageReader:
    def __init__(self, client: firestore.Client) -> None:
        self._client = client

    def get_many(self, message_ids: Sequence[str]) -> list[Message]:
        if not message_ids:
            return []
        refs = [self._client.collection(MESSAGES).document(i) for i in dict.fromkeys(message_ids)]
        return [from_doc(snap.id, snap.to_dict() or {}) for snap in self._client.get_all(refs) if snap.exists]
