"""The unit of work over Firestore: reads remember each document's update time, writes go in one batch
guarded by those times.

This is a transaction without its begin round trip and without locks: a document
read as existing is updated only if its update time is unchanged, one read as
missing is created only if it still is, and the batch commits all or nothing. A
failed guard is a `Conflict`; `atomically` re-runs the step on fresh state. One
inbound message thus costs one read round trip and one commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Generic, Self, TypeVar

from google.api_core import exceptions as gexc
from google.cloud import firestore

from atende.adapters.firestore import audit_logs as audit_doc
from atende.adapters.firestore import contacts as contact_doc
from atende.adapters.firestore import conversations as conversation_doc
from atende.adapters.firestore import dead_letters as letter_doc
from atende.adapters.firestore import followups as followup_doc
from atende.adapters.firestore import ia_logs as ai_log_doc
from atende.adapters.firestore import messages as message_doc
from atende.adapters.firestore import metrics as metrics_doc
from atende.adapters.firestore import omni_logs as failure_doc
from atende.adapters.firestore import users as user_doc
from atende.adapters.firestore.campaigns import FirestoreCampaignRecords
from atende.adapters.firestore.codec import changes, seconds, ts
from atende.adapters.firestore.collections import (
    AUDIT_LOGS,
    BUSINESS_ENTITIES,
    CHANNEL_HEALTH,
    CONTACTS,
    CONVERSATIONS,
    DEAD_LETTERS,
    FOLLOWUPS,
    HOURS,
    IA_LOGS,
    IDENTITIES,
    MESSAGES,
    METRICS,
    OMNI_LOGS,
    PROVIDER_IDS,
    USERS,
)
from atende.adapters.firestore.statuses import status_doc, status_from_doc
from atende.domain.business_entity import BusinessEntity
from atende.domain.channel_health import ChannelSignal, Signal
from atende.domain.contact import Contact
from atende.domain.conversation import Conversation
from atende.domain.dead_letter import StoredLetter
from atende.domain.events import StatusUpdate
from atende.domain.followups import FollowupRecord
from atende.domain.message import Message, Turn
from atende.domain.metrics import Tally
from atende.domain.model import ConversationStatus, stable_id
from atende.domain.staff import StaffMember
from atende.services.ai_log import AiLogEntry
from atende.services.audit import AuditEntry
from atende.services.automation_log import AutomationLog
from atende.services.failures import FailureLog
from atende.services.unit_of_work import Conflict

A = TypeVar("A", Contact, Conversation, Message, StaffMember, FollowupRecord, BusinessEntity, StoredLetter)
TOUCHED = (CONVERSATIONS, CONTACTS)  # collections whose documents carry updatedAt
CONFLICTS = (gexc.AlreadyExists, gexc.FailedPrecondition, gexc.Aborted, gexc.NotFound)


class FirestoreUnitOfWork:
    def __init__(self, client: firestore.Client) -> None:
        self._db = client
        self._snaps: dict[str, firestore.DocumentSnapshot] = {}
        self._writes: list[Callable[[firestore.WriteBatch], None]] = []
        self.messages = FirestoreMessages(self)
        self.conversations = FirestoreConversations(self)
        self.contacts = _Aggregates[Contact](self, CONTACTS, contact_doc.to_doc, contact_doc.from_doc)
        self.identities = FirestoreIdentities(self)
        self.provider_ids = FirestoreProviderIds(self)
        self.ia_logs = FirestoreAiLogs(self)
        self.omni_logs = FirestoreOmniLogs(self)
        self.staff = FirestoreStaff(self)
        self.audit_logs = FirestoreAuditLogs(self)
        self.followups = _Aggregates[FollowupRecord](
            self, FOLLOWUPS, followup_doc.record_to_doc, followup_doc.record_from_doc
        )
        self.entities = FirestoreEntities(self)
        self.campaigns = FirestoreCampaignRecords(self)
        self.metrics = FirestoreMetrics(self)
        self.dead_letters = _Aggregates[StoredLetter](
            self, DEAD_LETTERS, letter_doc.to_doc, letter_doc.from_doc
        )

    def __enter__(self) -> Self:
        self._snaps, self._writes = {}, []
        self.metrics.forget()
        return self

    def __exit__(self, *exc: object) -> None:
        self._snaps, self._writes = {}, []
        self.metrics.forget()

    @property
    def db(self) -> firestore.Client:
        return self._db

    def prefetch(
        self,
        *,
        messages: Iterable[str] = (),
        conversations: Iterable[str] = (),
        contacts: Iterable[str] = (),
        identities: Iterable[str] = (),
        provider_ids: Iterable[tuple[str, str]] = (),
    ) -> None:
        refs = [
            *(self.ref(MESSAGES, i) for i in messages),
            *(self.ref(CONVERSATIONS, i) for i in conversations),
            *(self.ref(CONTACTS, i) for i in contacts),
            *(self.ref(IDENTITIES, k) for k in identities),
            *(self.ref(PROVIDER_IDS, alias_id(c, p)) for c, p in provider_ids),
        ]
        wanted = [r for r in refs if r.path not in self._snaps]
        if wanted:
            for snap in self._db.get_all(wanted):
                self._snaps[snap.reference.path] = snap

    def commit(self) -> None:
        if not self._writes:
            return
        batch = self._db.batch()
        for write in self._writes:
            write(batch)
        try:
            batch.commit()
        except CONFLICTS as exc:
            raise Conflict(str(exc)) from exc
        finally:
            self._writes = []
            self.metrics.forget()

    # -- for the repositories ------------------------------------------------------------------------------

    def ref(self, collection: str, doc_id: str) -> firestore.DocumentReference:
        return self._db.collection(collection).document(doc_id)

    def remember(self, snaps: Iterable[firestore.DocumentSnapshot]) -> None:
        for snap in snaps:
            self._snaps[snap.reference.path] = snap

    def read(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        ref = self.ref(collection, doc_id)
        snap = self._snaps.get(ref.path)
        if snap is None:
            snap = self._snaps[ref.path] = ref.get()
        return (snap.to_dict() or {}) if snap.exists else None

    def create(self, collection: str, doc_id: str, doc: dict[str, Any]) -> None:
        ref = self.ref(collection, doc_id)
        stamp = {"createdAt": firestore.SERVER_TIMESTAMP}
        if collection in TOUCHED:
            stamp["updatedAt"] = firestore.SERVER_TIMESTAMP
        self._writes.append(lambda b: b.create(ref, {**doc, **stamp}))

    def update(self, collection: str, doc_id: str, fields: dict[str, Any]) -> None:
        """Guarded by the update time read in this unit of work, if it was read."""
        if not fields:
            return
        ref = self.ref(collection, doc_id)
        if collection in TOUCHED:
            fields = {**fields, "updatedAt": firestore.SERVER_TIMESTAMP}
        option = self._guard(ref)
        self._writes.append(lambda b: b.update(ref, fields, option=option))

    def _guard(self, ref: firestore.DocumentReference) -> Any:
        """The precondition a write to `ref` carries: unchanged since this unit of work read it."""
        snap = self._snaps.get(ref.path)
        if snap is None or not snap.exists:
            return None
        return self._db.write_option(last_update_time=snap.update_time)

    def was_read(self, collection: str, doc_id: str) -> bool:
        return self.ref(collection, doc_id).path in self._snaps

    def put(self, collection: str, doc_id: str, doc: dict[str, Any]) -> None:
        """Create or replace, unguarded: for documents only one writer ever produces (logs, aliases)."""
        ref = self.ref(collection, doc_id)
        self._writes.append(lambda b: b.set(ref, doc))

    def merge(self, collection: str, doc_id: str, fields: dict[str, Any]) -> None:
        """Unguarded and unread: for a copy whose order another guarded write in the batch settles."""
        ref = self.ref(collection, doc_id)
        self._writes.append(lambda b: b.set(ref, fields, merge=True))

    def increment(self, collection: str, doc_id: str, amounts: Mapping[str, int]) -> None:
        """Counters moved without reading them: increments never conflict with one another."""
        ref = self.ref(collection, doc_id)
        fields = {k: firestore.Increment(v) for k, v in amounts.items()}
        self._writes.append(lambda b: b.set(ref, fields, merge=True))

    def later(self, write: Callable[[firestore.WriteBatch], None]) -> None:
        """A write decided at commit time (counters gathered over the whole unit of work)."""
        self._writes.append(write)

    def delete(self, collection: str, doc_id: str) -> None:
        ref = self.ref(collection, doc_id)
        option = self._guard(ref)
        self._writes.append(lambda b: b.delete(ref, option=option))


class _Aggregates(Generic[A]):
    def __init__(
        self,
        uow: FirestoreUnitOfWork,
        collection: str,
        to_doc: Callable[[A], dict[str, Any]],
        from_doc: Callable[[str, dict[str, Any]], A],
    ) -> None:
        self._uow, self._collection = uow, collection
        self._to_doc, self._from_doc = to_doc, from_doc

    def get(self, item_id: str) -> A | None:
        doc = self._uow.read(self._collection, item_id)
        return None if doc is None else self._from_doc(item_id, doc)

    def add(self, item: A) -> None:
        self._uow.create(self._collection, item.id, self._to_doc(item))

    def save(self, before: A, after: A) -> None:
        self._uow.update(self._collection, after.id, changes(self._to_doc(before), self._to_doc(after)))


class FirestoreMessages(_Aggregates[Message]):
    def __init__(self, uow: FirestoreUnitOfWork) -> None:
        super().__init__(uow, MESSAGES, message_doc.to_doc, message_doc.from_doc)

    def latest_turns(self, *, contact_id: str, limit: int) -> list[Turn]:
        return [
            message_doc.turn_from_doc(s.to_dict() or {}) for s in self._latest("contactId", contact_id, limit)
        ][::-1]

    def latest(self, *, conversation_id: str, limit: int) -> list[Message]:
        """Newest first; each is read in this unit of work, so saving one is guarded like a get."""
        return [
            message_doc.from_doc(s.id, s.to_dict() or {})
            for s in self._latest("conversationId", conversation_id, limit)
        ]

    def remove(self, message: Message) -> None:
        self._uow.delete(MESSAGES, message.id)

    def due_for_sweep(self, now: float, limit: int) -> list[Message]:
        """One range on one field: Firestore's automatic single-field index serves it."""
        query = (
            self._uow.db.collection(MESSAGES)
            .where(filter=firestore.FieldFilter("sweepAt", "<=", ts(now)))
            .order_by("sweepAt")
            .limit(limit)
        )
        snaps = list(query.stream())
        self._uow.remember(snaps)
        return [message_doc.from_doc(s.id, s.to_dict() or {}) for s in snaps]

    def _latest(self, field: str, value: str, limit: int) -> list[firestore.DocumentSnapshot]:
        query = (
            self._uow.db.collection(MESSAGES)
            .where(filter=firestore.FieldFilter(field, "==", value))
            .order_by("timestamp", direction=firestore.Query.DESCENDING)
            .limit(limit)
        )
        snaps = list(query.stream())
        self._uow.remember(snaps)
        return snaps


class FirestoreConversations(_Aggregates[Conversation]):
    def __init__(self, uow: FirestoreUnitOfWork) -> None:
        super().__init__(uow, CONVERSATIONS, conversation_doc.to_doc, conversation_doc.from_doc)

    def add(self, item: Conversation) -> None:
        super().add(item)
        self._show_visitor(None, item)

    def save(self, before: Conversation, after: Conversation) -> None:
        super().save(before, after)
        self._show_visitor(before, after)

    def _show_visitor(self, before: Conversation | None, after: Conversation) -> None:
        """A web-chat conversation's public view moves in the same commit as the conversation, whoever
        changed it (the bot, a person, distribution, the tick)."""
        view = after.seen_by_visitor()
        if view is not None and (before is None or before.seen_by_visitor() != view):
            doc = conversation_doc.visitor_view_doc(view)
            self._uow.put(f"{CONVERSATIONS}/{after.id}/public", "state", doc)

    def waiting_in(self, team: str, limit: int) -> list[Conversation]:
        """Composite index (team, status, waitingSince): firestore.indexes.json."""
        return self._found(
            self._uow.db.collection(CONVERSATIONS)
            .where(filter=firestore.FieldFilter("team", "==", team))
            .where(filter=firestore.FieldFilter("status", "==", str(ConversationStatus.WAITING)))
            .order_by("waitingSince")
            .limit(limit)
        )

    def due_to_wake(self, now: float, limit: int) -> list[Conversation]:
        """Composite index (status, snoozedUntil)."""
        return self._found(
            self._uow.db.collection(CONVERSATIONS)
            .where(filter=firestore.FieldFilter("status", "==", str(ConversationStatus.SNOOZED)))
            .where(filter=firestore.FieldFilter("snoozedUntil", "<=", ts(now)))
            .order_by("snoozedUntil")
            .limit(limit)
        )

    def idle_with_bot(self, last_message_before: float, limit: int) -> list[Conversation]:
        """Composite index (status, lastMessageAt desc), the inbox's list by status."""
        return self._found(
            self._uow.db.collection(CONVERSATIONS)
            .where(filter=firestore.FieldFilter("status", "==", str(ConversationStatus.BOT)))
            .where(filter=firestore.FieldFilter("lastMessageAt", "<", ts(last_message_before)))
            .order_by("lastMessageAt", direction=firestore.Query.DESCENDING)
            .limit(limit)
        )

    def of_contact(self, contact_id: str, limit: int) -> list[Conversation]:
        """Composite index (contactId, lastMessageAt desc)."""
        return self._found(
            self._uow.db.collection(CONVERSATIONS)
            .where(filter=firestore.FieldFilter("contactId", "==", contact_id))
            .order_by("lastMessageAt", direction=firestore.Query.DESCENDING)
            .limit(limit)
        )

    def awaiting_reply(self, since_before: float, statuses: list[str], limit: int) -> list[Conversation]:
        """Composite index (status, awaitingReplySince): only the conversations due are read."""
        return self._found(
            self._uow.db.collection(CONVERSATIONS)
            .where(filter=firestore.FieldFilter("status", "in", statuses))
            .where(filter=firestore.FieldFilter("awaitingReplySince", "<=", ts(since_before)))
            .order_by("awaitingReplySince")
            .limit(limit)
        )

    def _found(self, query: Any) -> list[Conversation]:
        snaps = list(query.stream())
        self._uow.remember(snaps)
        return [conversation_doc.from_doc(s.id, s.to_dict() or {}) for s in snaps]

    def latest_of(self, contact_id: str, channel: str, account_id: str | None) -> Conversation | None:
        query = (
            self._uow.db.collection(CONVERSATIONS)
            .where(filter=firestore.FieldFilter("contactId", "==", contact_id))
            .where(filter=firestore.FieldFilter("channel", "==", channel))
        )
        found = [s for s in query.stream() if account_id is None or s.get("accountId") == account_id]
        if not found:
            return None
        snap = max(found, key=lambda s: seconds((s.to_dict() or {}).get("lastInboundAt")) or 0)
        return conversation_doc.from_doc(snap.id, snap.to_dict() or {})


class FirestoreEntities(_Aggregates[BusinessEntity]):
    def __init__(self, uow: FirestoreUnitOfWork) -> None:
        super().__init__(uow, BUSINESS_ENTITIES, followup_doc.entity_to_doc, followup_doc.entity_from_doc)

    def due(self, kind: str, statuses: list[str], counted_before: float, limit: int) -> list[BusinessEntity]:
        """Composite index (kind, followupPending, status, since): only the entities due are read."""
        query = (
            self._uow.db.collection(BUSINESS_ENTITIES)
            .where(filter=firestore.FieldFilter("kind", "==", kind))
            .where(filter=firestore.FieldFilter("followupPending", "==", True))
            .where(filter=firestore.FieldFilter("status", "in", list(statuses)))
            .where(filter=firestore.FieldFilter("since", "<=", ts(counted_before)))
            .order_by("since")
            .limit(limit)
        )
        snaps = list(query.stream())
        self._uow.remember(snaps)
        return [followup_doc.entity_from_doc(s.id, s.to_dict() or {}) for s in snaps]


class FirestoreStaff(_Aggregates[StaffMember]):
    def __init__(self, uow: FirestoreUnitOfWork) -> None:
        super().__init__(uow, USERS, user_doc.to_doc, user_doc.from_doc)

    def on_team(self, team: str) -> list[StaffMember]:
        """array-contains on one field: served by the automatic single-field index."""
        snaps = list(
            self._uow.db.collection(USERS)
            .where(filter=firestore.FieldFilter("teams", "array_contains", team))
            .stream()
        )
        self._uow.remember(snaps)
        return [user_doc.from_doc(s.id, s.to_dict() or {}) for s in snaps]

    def online(self) -> list[StaffMember]:
        query = self._uow.db.collection(USERS).where(
            filter=firestore.FieldFilter("availability", "==", "online")
        )
        return [user_doc.from_doc(s.id, s.to_dict() or {}) for s in query.stream()]


class FirestoreIdentities:
    def __init__(self, uow: FirestoreUnitOfWork) -> None:
        self._uow = uow

    def owners(self, keys: Iterable[str]) -> dict[str, str]:
        found = {k: self._uow.read(IDENTITIES, k) for k in keys}
        return {k: doc["contactId"] for k, doc in found.items() if doc and doc.get("contactId")}

    def claim(self, key: str, contact_id: str) -> None:
        if self._uow.read(IDENTITIES, key) is None:
            self._uow.create(IDENTITIES, key, contact_doc.identity_doc(contact_id))
        else:
            self._uow.update(IDENTITIES, key, contact_doc.identity_doc(contact_id))


def alias_id(channel: str, provider_message_id: str) -> str:
    return stable_id("p", channel, provider_message_id)


class FirestoreProviderIds:
    """`provider_message_ids/{alias}`: the message a platform id names, or the statuses waiting for it."""

    def __init__(self, uow: FirestoreUnitOfWork) -> None:
        self._uow = uow

    def message_for(self, channel: str, provider_message_id: str) -> str | None:
        doc = self._uow.read(PROVIDER_IDS, alias_id(channel, provider_message_id))
        return doc.get("messageId") if doc else None

    def parked(self, channel: str, provider_message_id: str) -> list[StatusUpdate]:
        doc = self._uow.read(PROVIDER_IDS, alias_id(channel, provider_message_id)) or {}
        return [status_from_doc(channel, provider_message_id, s) for s in doc.get("statuses") or []]

    def remember(self, channel: str, provider_message_id: str, message_id: str) -> None:
        doc = {"messageId": message_id, "channel": channel, "at": firestore.SERVER_TIMESTAMP}
        self._write(alias_id(channel, provider_message_id), doc, parked=[])

    def park(self, update: StatusUpdate) -> None:
        channel = str(update.channel)
        key = alias_id(channel, update.provider_message_id)
        earlier = (self._uow.read(PROVIDER_IDS, key) or {}).get("statuses") or []
        doc = {
            "channel": channel,
            "providerMessageId": update.provider_message_id,
            "at": firestore.SERVER_TIMESTAMP,
        }
        if update.message_id:  # WhatsApp names our message: a send of unknown outcome is found by it
            doc["forMessage"] = update.message_id
        self._write(key, doc, parked=[*earlier, status_doc(update)])

    def parked_for(self, message_id: str) -> StatusUpdate | None:
        query = (
            self._uow.db.collection(PROVIDER_IDS)
            .where(filter=firestore.FieldFilter("forMessage", "==", message_id))
            .limit(1)
        )
        snaps = list(query.stream())
        self._uow.remember(snaps)
        for snap in snaps:
            doc = snap.to_dict() or {}
            statuses = doc.get("statuses") or []
            if statuses and not doc.get("messageId"):
                return status_from_doc(doc["channel"], doc["providerMessageId"], statuses[0])
        return None

    def _write(self, key: str, doc: dict[str, Any], parked: list[dict[str, Any]]) -> None:
        """Created if it was not there when read (or not read at all), else updated under the read's guard."""
        if self._uow.was_read(PROVIDER_IDS, key) and self._uow.read(PROVIDER_IDS, key) is not None:
            self._uow.update(PROVIDER_IDS, key, {**doc, "statuses": parked})
        else:
            self._uow.create(PROVIDER_IDS, key, {**doc, "statuses": parked})


class FirestoreAiLogs:
    def __init__(self, uow: FirestoreUnitOfWork) -> None:
        self._uow = uow

    def add(self, entry: AiLogEntry) -> None:
        doc = {**ai_log_doc.to_doc(entry), "createdAt": firestore.SERVER_TIMESTAMP}
        self._uow.put(IA_LOGS, entry.message_id, doc)


class FirestoreOmniLogs:
    def __init__(self, uow: FirestoreUnitOfWork) -> None:
        self._uow = uow

    def add(self, entry: FailureLog) -> None:
        doc = failure_doc.to_doc(entry)
        if not self._uow.was_read(OMNI_LOGS, entry.id):
            self._uow.put(OMNI_LOGS, entry.id, doc)
            return
        # Found absent by `recorded`: created, so a concurrent writer of the same entry is a conflict.
        ref = self._uow.ref(OMNI_LOGS, entry.id)
        self._uow.later(lambda batch: batch.create(ref, doc))

    def recorded(self, entry_id: str) -> bool:
        return self._uow.read(OMNI_LOGS, entry_id) is not None

    def note(self, entry: AutomationLog) -> None:
        self._uow.put(OMNI_LOGS, entry.id, failure_doc.automation_doc(entry))


class FirestoreAuditLogs:
    def __init__(self, uow: FirestoreUnitOfWork) -> None:
        self._uow = uow

    def add(self, entry: AuditEntry) -> None:
        self._uow.put(AUDIT_LOGS, entry.id, audit_doc.to_doc(entry))


class FirestoreMetrics:
    """Counters gathered over the unit of work and written once per document at its commit, as merged
    increments: unguarded, so they never conflict, and part of the batch, so a failed commit counts
    nothing."""

    def __init__(self, uow: FirestoreUnitOfWork) -> None:
        self._uow = uow
        self.forget()

    def forget(self) -> None:
        self._tallies: list[Tally] = []
        self._signals: list[ChannelSignal] = []
        self._registered = False

    def count(self, tallies: Iterable[Tally]) -> None:
        added = list(tallies)
        if added:
            self._register()
            self._tallies.extend(added)

    def signal(self, signal: ChannelSignal) -> None:
        self._register()
        self._signals.append(signal)

    def _register(self) -> None:
        if not self._registered:
            self._registered = True
            self._uow.later(self._write)

    def _write(self, batch: firestore.WriteBatch) -> None:
        for doc_id, delta in metrics_doc.deltas(self._tallies).items():
            batch.set(self._uow.ref(METRICS, doc_id), _increments(delta), merge=True)
        hours: dict[tuple[str, str], dict[str, Any]] = {}
        for signal in self._signals:
            key, hour, delta = metrics_doc.health_delta(signal)
            doc = hours.setdefault((key, hour), _health_doc(signal, hour))
            for name, n in delta.items():
                doc[name] = doc.get(name, 0) + n
            doc.update(_last_times(signal))
        for (key, hour), doc in hours.items():
            ref = self._uow.ref(CHANNEL_HEALTH, key).collection(HOURS).document(hour)
            batch.set(ref, _increments(doc), merge=True)


NAMING = ("day", "team", "dimension", "value", "channel", "accountId", "hour", "expireAt", "lastError")


def _increments(doc: dict[str, Any]) -> dict[str, Any]:
    """Numbers become increments; the keys naming the document, times and texts are written as they are."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if isinstance(value, dict):
            out[key] = _increments(value)
        elif isinstance(value, int | float) and not isinstance(value, bool) and key not in NAMING:
            out[key] = firestore.Increment(value)
        else:
            out[key] = value
    return out


def _health_doc(signal: ChannelSignal, hour: str) -> dict[str, Any]:
    start = datetime.strptime(hour, "%Y%m%d%H").replace(tzinfo=UTC)
    return {
        "channel": signal.channel,
        "accountId": signal.account_id,
        "hour": start,
        "expireAt": ts(start.timestamp() + metrics_doc.HEALTH_TTL_S),
    }


def _last_times(signal: ChannelSignal) -> dict[str, Any]:
    """The newest signal of each kind in this hour (the panel's "last received", "last sent")."""
    if signal.signal == Signal.RECEIVED:
        return {"lastReceivedAt": ts(signal.at)}
    if signal.signal == Signal.SENT:
        return {"lastSentAt": ts(signal.at)}
    if signal.signal in (Signal.FAILED, Signal.UNKNOWN):
        return {"lastErrorAt": ts(signal.at), "lastError": signal.code or str(signal.signal)}
    return {}
