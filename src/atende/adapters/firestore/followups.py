"""Follow-up idempotency records (`followups/{rule}_{entity}_{window}`) and business entities
(`business_entities/{kind}_{externalId}`) as documents (docs/data-model.md)."""

from __future__ import annotations

from typing import Any

from atende.adapters.firestore.codec import seconds, ts
from atende.domain.business_entity import BusinessEntity, EntityContact, EntityKind
from atende.domain.followups import FollowupRecord, Outcome


def record_to_doc(record: FollowupRecord) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "rule": record.rule,
        "entity": record.entity,
        "window": record.window,
        "status": str(record.status),
        "at": ts(record.at),
    }
    optional = {
        "channel": record.channel,
        "reason": record.reason,
        "messageId": record.message_id,
        "providerId": record.provider_id,
    }
    return doc | {k: v for k, v in optional.items() if v is not None}


def record_from_doc(record_id: str, doc: dict[str, Any]) -> FollowupRecord:
    return FollowupRecord(
        id=record_id,
        rule=doc.get("rule", ""),
        entity=doc.get("entity", ""),
        window=doc.get("window", ""),
        status=Outcome(doc.get("status") or Outcome.SENT),
        at=seconds(doc.get("at")) or 0.0,
        channel=doc.get("channel"),
        reason=doc.get("reason"),
        message_id=doc.get("messageId"),
        provider_id=doc.get("providerId"),
    )


CONTACT_FIELDS = {
    "contactId": "contact_id",
    "name": "name",
    "phone": "phone",
    "email": "email",
    "persona": "persona",
    "channel": "channel",
}


def entity_to_doc(entity: BusinessEntity) -> dict[str, Any]:
    contact = {k: getattr(entity.contact, a) for k, a in CONTACT_FIELDS.items()}
    return {
        "kind": str(entity.kind),
        "externalId": entity.external_id,
        "status": entity.status,
        "since": ts(entity.since),
        "updatedAt": ts(entity.updated_at),
        "contact": {k: v for k, v in contact.items() if v is not None},
        "data": entity.data,
        "followupPending": entity.followup_pending,
    }


def entity_from_doc(entity_id: str, doc: dict[str, Any]) -> BusinessEntity:
    contact = doc.get("contact") or {}
    return BusinessEntity(
        kind=EntityKind(doc["kind"]),
        external_id=doc.get("externalId", entity_id),
        status=doc.get("status", ""),
        since=seconds(doc.get("since")) or 0.0,
        updated_at=seconds(doc.get("updatedAt")) or 0.0,
        contact=EntityContact(**{a: contact.get(k) for k, a in CONTACT_FIELDS.items()}),
        data=dict(doc.get("data") or {}),
        followup_pending=bool(doc.get("followupPending")),
    )
