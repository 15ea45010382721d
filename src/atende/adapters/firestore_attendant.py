"""Firestore side of the attendant: conversation session, the contact's turns on every channel, ia_logs.

Kept apart from the spine's repository so the two evolve independently; the
collections are the same (`messages`, `conversations`, `contacts`) plus
`ia_logs`, one document per inbound message that reached the attendant.
"""

from __future__ import annotations

from typing import Any

from google.cloud import firestore

from atende.adapters.firestore_repo import latest_turns
from atende.domain.records import Turn

MESSAGES = "messages"
CONVERSATIONS = "conversations"
CONTACTS = "contacts"
IA_LOGS = "ia_logs"


class FirestoreAttendantStore:
    def __init__(self, client: firestore.Client) -> None:
        self._db = client

    def attendant_state(self, conversation_id: str) -> dict[str, Any] | None:
        snap = self._db.collection(CONVERSATIONS).document(conversation_id).get(field_paths=["attendant"])
        return snap.get("attendant") if snap.exists and (snap.to_dict() or {}).get("attendant") else None

    def contact_turns(self, contact_id: str, limit: int) -> list[Turn]:
        return latest_turns(self._db, "contactId", contact_id, limit)

    def finish_without_reply(
        self,
        message_id: str,
        conversation_id: str,
        inbound_fields: dict[str, Any],
        conversation_fields: dict[str, Any],
    ) -> None:
        batch = self._db.batch()
        batch.update(self._db.collection(MESSAGES).document(message_id), {"handled": True, **inbound_fields})
        if conversation_fields:
            batch.update(
                self._db.collection(CONVERSATIONS).document(conversation_id),
                {**conversation_fields, "updatedAt": firestore.SERVER_TIMESTAMP},
            )
        batch.commit()

    def link_customer(self, contact_id: str, fields: dict[str, Any]) -> None:
        self._db.collection(CONTACTS).document(contact_id).set(
            {**fields, "updatedAt": firestore.SERVER_TIMESTAMP}, merge=True
        )

    def write_ia_log(self, log_id: str, entry: dict[str, Any]) -> None:
        self._db.collection(IA_LOGS).document(log_id).set({**entry, "createdAt": firestore.SERVER_TIMESTAMP})
