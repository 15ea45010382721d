"""`visitors/{siteKey}_{visitorId}` ⇄ `Visitor`."""

from __future__ import annotations

from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from atende.adapters.firestore.codec import seconds, ts
from atende.adapters.firestore.collections import VISITORS
from atende.domain.visitor import Visitor, VisitorClaims


def to_doc(visitor: Visitor) -> dict[str, Any]:
    claims = visitor.claims
    doc: dict[str, Any] = {
        "siteKey": claims.site,
        "visitorId": claims.visitor_id,
        "conversationId": claims.conversation_id,
        "verified": claims.verified,
        "lastSeenAt": ts(visitor.last_seen_at),
    }
    optional = {
        "identity": visitor.identity,
        "name": visitor.name,
        "email": visitor.email,
        "phone": visitor.phone,
        "locale": visitor.locale,
    }
    return doc | {k: v for k, v in optional.items() if v is not None}


def from_doc(doc: dict[str, Any]) -> Visitor:
    return Visitor(
        claims=VisitorClaims(
            site=doc["siteKey"], visitor_id=doc["visitorId"], verified=bool(doc.get("verified"))
        ),
        identity=doc.get("identity"),
        name=doc.get("name"),
        email=doc.get("email"),
        phone=doc.get("phone"),
        locale=doc.get("locale"),
        last_seen_at=seconds(doc.get("lastSeenAt")) or 0.0,
    )


class FirestoreVisitors:
    def __init__(self, client: firestore.Client) -> None:
        self._client = client

    def _ref(self, doc_id: str) -> firestore.DocumentReference:
        return self._client.collection(VISITORS).document(doc_id)

    def get(self, site: str, visitor_id: str) -> Visitor | None:
        snapshot = self._ref(f"{site}_{visitor_id}").get()
        return from_doc(snapshot.to_dict() or {}) if snapshot.exists else None

    def save(self, visitor: Visitor) -> None:
        """One write: created with `createdAt` the first time, else updated (a second device, a form)."""
        ref = self._ref(visitor.doc_id)
        doc = to_doc(visitor)
        try:
            ref.create({**doc, "createdAt": firestore.SERVER_TIMESTAMP})
        except gexc.AlreadyExists:
            ref.update(doc)
