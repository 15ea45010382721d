"""WhatsApp templates as `templates/<accountId>_<name>_<language>` documents, and the store sync writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from google.cloud import firestore

from atende.adapters.firestore.codec import seconds
from atende.adapters.firestore.collections import TEMPLATES
from atende.domain.templates import MessageTemplate

BATCH = 400


def template_from_doc(doc: Mapping[str, Any]) -> MessageTemplate:
    return MessageTemplate(
        account_id=str(doc.get("accountId") or ""),
        name=str(doc.get("name") or ""),
        language=str(doc.get("language") or ""),
        category=str(doc.get("category") or ""),
        status=str(doc.get("status") or ""),
        components=tuple(doc.get("components") or ()),
        meta_id=doc.get("metaId"),
        rejected_reason=doc.get("rejectedReason"),
        synced_at=seconds(doc.get("syncedAt")),
    )


def template_to_doc(t: MessageTemplate) -> dict[str, Any]:
    doc = {
        "accountId": t.account_id,
        "name": t.name,
        "language": t.language,
        "category": t.category,
        "status": t.status,
        # Meta's `example` holds arrays of arrays, which Firestore cannot store; nothing here reads it.
        "components": [{k: v for k, v in c.items() if k != "example"} for c in t.components],
        "syncedAt": firestore.SERVER_TIMESTAMP,
    }
    optional = {"metaId": t.meta_id, "rejectedReason": t.rejected_reason}
    return doc | {k: v for k, v in optional.items() if v is not None}


class FirestoreTemplateStore:
    """`templates/<accountId>_<name>_<language>`: the copy of Meta's catalog the inbox and campaigns read."""

    def __init__(self, client: firestore.Client) -> None:
        self._db = client

    def replace(self, account_id: str, templates: Sequence[MessageTemplate]) -> int:
        keep = {t.id for t in templates}
        gone = [t for t in self.list(account_id) if t.id not in keep and t.status != "DELETED"]
        writes = [(t.id, template_to_doc(t), False) for t in templates]
        writes += [(t.id, {"status": "DELETED", "syncedAt": firestore.SERVER_TIMESTAMP}, True) for t in gone]
        for start in range(0, len(writes), BATCH):
            batch = self._db.batch()
            for doc_id, doc, merge in writes[start : start + BATCH]:
                batch.set(self._db.collection(TEMPLATES).document(doc_id), doc, merge=merge)
            batch.commit()
        return len(gone)

    def put(self, template: MessageTemplate) -> None:
        """A template written here (created, or refused by Meta): no `syncedAt` until a sync copies Meta's."""
        doc = {k: v for k, v in template_to_doc(template).items() if k != "syncedAt"}
        self._db.collection(TEMPLATES).document(template.id).set(doc)

    def list(self, account_id: str | None) -> list[MessageTemplate]:
        query: Any = self._db.collection(TEMPLATES)
        if account_id:
            query = query.where(filter=firestore.FieldFilter("accountId", "==", account_id))
        return sorted((template_from_doc(s.to_dict() or {}) for s in query.stream()), key=lambda t: t.id)
