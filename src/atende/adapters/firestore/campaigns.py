"""Campaigns in Firestore: `campaigns/{id}`, one `sends/{contactId}` per recipient and sharded counters.

The live counts are `campaigns/{id}/counters/{shard}` documents of per-status
numbers moved with `Increment` in the same commit as each send's move: a
campaign at 80 messages/s would otherwise write one document far more often
than Firestore sustains (about once a second), and increments never conflict.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

from google.cloud import firestore

from atende.adapters.firestore.audit_logs import to_doc as audit_doc
from atende.adapters.firestore.codec import changes, seconds, ts
from atende.adapters.firestore.collections import AUDIT_LOGS, CAMPAIGNS, CONTACTS, IDENTITIES, TEMPLATES
from atende.adapters.firestore.templates import template_from_doc
from atende.domain import campaign as rules
from atende.domain.campaign import Campaign, CampaignStatus, Recipient, Send, SendStatus, TemplateChoice
from atende.domain.contacts import address_on
from atende.domain.message import Message
from atende.domain.templates import MessageTemplate
from atende.services.audit import AuditEntry

if TYPE_CHECKING:
    from atende.adapters.firestore.unit_of_work import FirestoreUnitOfWork

BATCH = 400  # writes per commit when creating a campaign (Firestore allows 500)


def sends_of(campaign_id: str) -> str:
    return f"{CAMPAIGNS}/{campaign_id}/sends"


def counters_of(campaign_id: str) -> str:
    return f"{CAMPAIGNS}/{campaign_id}/counters"


def shard_of(contact_id: str) -> str:
    """Chosen from the contact id alone, so a status update knows its shard without reading the send."""
    return str(int(hashlib.sha256(contact_id.encode()).hexdigest()[:8], 16) % rules.COUNTER_SHARDS)


# -- mappers -------------------------------------------------------------------------------------------------


def to_doc(c: Campaign) -> dict[str, Any]:
    template: dict[str, Any] = {
        "name": c.template.name,
        "language": c.template.language,
        "params": list(c.template.params),
        "body": c.template.body,
    }
    if c.template.personalised is not None:
        template["personalised"] = c.template.personalised
    doc: dict[str, Any] = {
        "name": c.name,
        "accountId": c.account_id,
        "template": template,
        "audience": dict(c.audience),
        "ratePerSecond": c.rate_per_second,
        "status": str(c.status),
        "createdBy": c.created_by,
        "total": c.total,
        "generation": c.generation,
    }
    optional = {
        "scheduledAt": ts(c.scheduled_at),
        "startedAt": ts(c.started_at),
        "finishedAt": ts(c.finished_at),
    }
    return doc | {k: v for k, v in optional.items() if v is not None}


def from_doc(campaign_id: str, doc: Mapping[str, Any]) -> Campaign:
    t = doc.get("template") or {}
    return Campaign(
        id=campaign_id,
        name=str(doc.get("name") or ""),
        account_id=str(doc.get("accountId") or ""),
        template=TemplateChoice(
            name=str(t.get("name") or ""),
            language=str(t.get("language") or ""),
            params=tuple(str(p) for p in t.get("params") or ()),
            personalised=t.get("personalised"),
            body=str(t.get("body") or ""),
        ),
        audience=dict(doc.get("audience") or {}),
        rate_per_second=float(doc.get("ratePerSecond") or rules.DEFAULT_RATE_PER_SECOND),
        status=CampaignStatus(doc.get("status") or CampaignStatus.DRAFT),
        scheduled_at=seconds(doc.get("scheduledAt")),
        created_by=str(doc.get("createdBy") or ""),
        total=int(doc.get("total") or 0),
        generation=int(doc.get("generation") or 0),
        started_at=seconds(doc.get("startedAt")),
        finished_at=seconds(doc.get("finishedAt")),
    )


def send_to_doc(s: Send) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "contactId": s.contact_id,
        "waId": s.recipient.wa_id,
        "seq": s.seq,
        "status": str(s.status),
    }
    optional = {
        "name": s.recipient.name,
        "variables": dict(s.recipient.variables) or None,
        "messageId": s.message_id,
        "reason": s.reason,
        "repliedAt": ts(s.replied_at),
        "handedAt": ts(s.handed_at),
    }
    return doc | {k: v for k, v in optional.items() if v is not None}


def send_from_doc(campaign_id: str, contact_id: str, doc: Mapping[str, Any]) -> Send:
    return Send(
        campaign_id=campaign_id,
        recipient=Recipient(
            contact_id=contact_id,
            wa_id=str(doc.get("waId") or ""),
            name=doc.get("name"),
            variables=dict(doc.get("variables") or {}),
        ),
        seq=int(doc.get("seq") or 0),
        status=SendStatus(doc.get("status") or SendStatus.QUEUED),
        message_id=doc.get("messageId"),
        reason=doc.get("reason"),
        replied_at=seconds(doc.get("repliedAt")),
        handed_at=seconds(doc.get("handedAt")),
    )


# -- inside a unit of work -----------------------------------------------------------------------------------


class FirestoreCampaignRecords:
    def __init__(self, uow: FirestoreUnitOfWork) -> None:
        self._uow = uow

    def get(self, campaign_id: str) -> Campaign | None:
        doc = self._uow.read(CAMPAIGNS, campaign_id)
        return None if doc is None else from_doc(campaign_id, doc)

    def save(self, before: Campaign, after: Campaign) -> None:
        self._uow.update(CAMPAIGNS, after.id, _touched(changes(to_doc(before), to_doc(after))))

    def send(self, campaign_id: str, contact_id: str) -> Send | None:
        """Read with its campaign in one round trip (a task reads both)."""
        if not self._uow.was_read(sends_of(campaign_id), contact_id):
            refs = [self._uow.ref(CAMPAIGNS, campaign_id), self._uow.ref(sends_of(campaign_id), contact_id)]
            self._uow.remember(self._uow.db.get_all(refs))
        doc = self._uow.read(sends_of(campaign_id), contact_id)
        return None if doc is None else send_from_doc(campaign_id, contact_id, doc)

    def save_send(self, before: Send, after: Send) -> None:
        fields = changes(send_to_doc(before), send_to_doc(after))
        self._uow.update(sends_of(after.campaign_id), after.contact_id, _touched(fields))
        self._count(after.campaign_id, after.contact_id, rules.count_changes(before.status, after.status))

    def follow(self, before: Message, after: Message) -> None:
        if after.campaign_id is None:
            return
        old, new = rules.send_status_of(before.status), rules.send_status_of(after.status)
        if old == new:
            return
        fields: dict[str, Any] = {"status": str(new)}
        if after.error is not None and new in (SendStatus.FAILED, SendStatus.UNKNOWN):
            fields["reason"] = after.error.message[:500]
        self._uow.merge(sends_of(after.campaign_id), after.contact_id, _touched(fields))
        self._count(after.campaign_id, after.contact_id, rules.count_changes(old, new))

    def replied(self, campaign_id: str, contact_id: str, at: float) -> None:
        self._uow.merge(sends_of(campaign_id), contact_id, _touched({"repliedAt": ts(at)}))
        self._count(campaign_id, contact_id, {"replied": 1})

    def _count(self, campaign_id: str, contact_id: str, moves: Mapping[str, int]) -> None:
        if moves:
            self._uow.increment(counters_of(campaign_id), shard_of(contact_id), moves)


def _touched(fields: dict[str, Any]) -> dict[str, Any]:
    return {**fields, "updatedAt": firestore.SERVER_TIMESTAMP} if fields else fields


# -- outside: bulk writes and lists --------------------------------------------------------------------------


class FirestoreCampaignStore:
    def __init__(self, client: firestore.Client) -> None:
        self._db = client

    def create(self, campaign: Campaign, sends: Sequence[Send], audit: AuditEntry | None = None) -> None:
        counts: dict[str, Counter[str]] = {}
        for send in sends:
            counts.setdefault(shard_of(send.contact_id), Counter())[str(send.status)] += 1
        writes: list[tuple[firestore.DocumentReference, dict[str, Any]]] = [
            (self._db.collection(sends_of(campaign.id)).document(s.contact_id), send_to_doc(s)) for s in sends
        ]
        writes += [
            (self._db.collection(counters_of(campaign.id)).document(shard), dict(c))
            for shard, c in counts.items()
        ]
        for start in range(0, len(writes), BATCH):
            batch = self._db.batch()
            for ref, doc in writes[start : start + BATCH]:
                batch.set(ref, doc)
            batch.commit()
        now = firestore.SERVER_TIMESTAMP
        doc = {**to_doc(campaign), "createdAt": now, "updatedAt": now}
        last = self._db.batch()  # last: a draft always has its sends; a person's creation its audit entry
        last.set(self._db.collection(CAMPAIGNS).document(campaign.id), doc)
        if audit is not None:
            last.set(self._db.collection(AUDIT_LOGS).document(audit.id), audit_doc(audit))
        last.commit()

    def queued(self, campaign_id: str) -> list[Send]:
        query = self._db.collection(sends_of(campaign_id)).where(
            filter=firestore.FieldFilter("status", "==", str(SendStatus.QUEUED))
        )
        found = [send_from_doc(campaign_id, s.id, s.to_dict() or {}) for s in query.stream()]
        return sorted(found, key=lambda s: s.seq)

    def counts(self, campaign_id: str) -> dict[str, int]:
        total: Counter[str] = Counter()
        for snap in self._db.collection(counters_of(campaign_id)).stream():
            total.update({k: int(v) for k, v in (snap.to_dict() or {}).items() if isinstance(v, int | float)})
        return dict(total)

    def sends(self, campaign_id: str, limit: int) -> list[Send]:
        query = self._db.collection(sends_of(campaign_id)).order_by("seq").limit(limit)
        return [send_from_doc(campaign_id, s.id, s.to_dict() or {}) for s in query.stream()]

    def page(self, campaign_id: str, status: str | None, after_seq: int | None, limit: int) -> list[Send]:
        query: Any = self._db.collection(sends_of(campaign_id))
        if status:
            query = query.where(filter=firestore.FieldFilter("status", "==", status))
        query = query.order_by("seq")
        if after_seq is not None:
            query = query.start_after({"seq": after_seq})
        return [send_from_doc(campaign_id, s.id, s.to_dict() or {}) for s in query.limit(limit).stream()]

    def pending_count(self, campaign_id: str) -> int:
        statuses = [str(s) for s in rules.PENDING]
        query = self._db.collection(sends_of(campaign_id)).where(
            filter=firestore.FieldFilter("status", "in", statuses)
        )
        return _count(query)

    def handed_since(self, campaign_id: str, since: float) -> int:
        query = self._db.collection(sends_of(campaign_id)).where(
            filter=firestore.FieldFilter("handedAt", ">=", ts(since))
        )
        return _count(query)

    def all(self, limit: int) -> list[Campaign]:
        query = self._db.collection(CAMPAIGNS).order_by("createdAt", direction=firestore.Query.DESCENDING)
        return [from_doc(s.id, s.to_dict() or {}) for s in query.limit(limit).stream()]

    def contacts(
        self, where: Mapping[str, Any], account_id: str, limit: int | None = None
    ) -> list[Recipient]:
        query: Any = self._db.collection(CONTACTS)
        if where.get("persona"):
            query = query.where(filter=firestore.FieldFilter("persona", "==", str(where["persona"])))
        labels = list(where.get("labels") or [])
        if labels:
            query = query.where(filter=firestore.FieldFilter("labels", "array_contains_any", labels[:30]))
        return list(islice(_reachable(query.stream()), limit))  # a preview stops reading after a few

    def owners(self, keys: Sequence[str]) -> dict[str, str]:
        refs = [self._db.collection(IDENTITIES).document(k) for k in dict.fromkeys(keys)]
        found: dict[str, str] = {}
        for start in range(0, len(refs), 300):
            for snap in self._db.get_all(refs[start : start + 300]):
                doc = snap.to_dict() if snap.exists else None
                if doc and doc.get("contactId"):
                    found[snap.id] = str(doc["contactId"])
        return found

    def template(self, account_id: str, name: str, language: str) -> MessageTemplate | None:
        snap = self._db.collection(TEMPLATES).document(f"{account_id}_{name}_{language}").get()
        return template_from_doc(snap.to_dict() or {}) if snap.exists else None


def _count(query: Any) -> int:
    """A count() aggregation: billed one read per 1,000 index entries, no document read."""
    return int(query.count().get()[0][0].value)


def _reachable(snaps: Iterable[firestore.DocumentSnapshot]) -> Iterable[Recipient]:
    for snap in snaps:
        doc = snap.to_dict() or {}
        address = address_on("whatsapp", list(doc.get("identities") or []))
        if address is not None and address.recipient_id.isdigit():
            yield Recipient(contact_id=snap.id, wa_id=address.recipient_id, name=doc.get("name"))
