"""The follow-ups' sources behind their ports: business entities stored by the `events` function, the
demo ERP's own entities read through, and the approved WhatsApp templates."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from google.cloud import firestore

from atende.adapters.firestore.collections import TEMPLATES
from atende.domain.business_entity import BusinessEntity
from atende.services.unit_of_work import UnitOfWork

APPROVED = "APPROVED"


class StoredEntities:
    """`business_entities`, through one indexed query per rule (firestore.indexes.json)."""

    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    def due(
        self, kind: str, statuses: Sequence[str], counted_before: float, limit: int
    ) -> list[BusinessEntity]:
        with self._uow() as uow:
            return uow.entities.due(kind, list(statuses), counted_before, limit)


class ErpEntities:
    """An ERP that lists its entities (the demo ERP): filtered here, since it holds a handful. Nothing is
    written back to the ERP: each follow-up's record is what keeps it from being sent twice."""

    def __init__(self, listing: Callable[[], list[BusinessEntity]]) -> None:
        self._listing = listing

    def due(
        self, kind: str, statuses: Sequence[str], counted_before: float, limit: int
    ) -> list[BusinessEntity]:
        found = [
            e
            for e in self._listing()
            if e.kind == kind and e.status in statuses and e.since <= counted_before
        ]
        return sorted(found, key=lambda e: e.since)[:limit]


class FirestoreTemplates:
    """`templates/<accountId>_<name>_<language>` (synced from Meta, or seeded by `make dev`)."""

    def __init__(self, client: firestore.Client) -> None:
        self._db = client

    def approved(self, account_id: str, name: str, language: str) -> bool:
        snap = self._db.collection(TEMPLATES).document(f"{account_id}_{name}_{language}").get()
        return snap.exists and (snap.to_dict() or {}).get("status") == APPROVED
