"""In-memory fakes of Atende's own ports, in one place (cosmicpython's FakeRepository/FakeUnitOfWork).

The fake unit of work keeps the production semantics that matter to the
services: nothing is visible before commit, a commit conflicts when something
read in the unit of work was changed meanwhile, `add` conflicts with an
existing item, and an uncommitted unit of work leaves no trace.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from atende.domain import campaign as campaign_rules
from atende.domain.business_entity import BusinessEntity
from atende.domain.campaign import Campaign, Recipient, Send
from atende.domain.channel_health import ChannelSignal
from atende.domain.contact import Contact
from atende.domain.conversation import Conversation
from atende.domain.dead_letter import StoredLetter
from atende.domain.errors import MediaTooLarge
from atende.domain.events import Event, StatusUpdate, encode
from atende.domain.followups import FollowupRecord
from atende.domain.message import Message, OutgoingMessage, Turn
from atende.domain.metrics import Tally
from atende.domain.model import ConversationStatus, Direction, stable_id
from atende.domain.rate_limits import Limit
from atende.domain.reports import Daily
from atende.domain.site import Site
from atende.domain.staff import StaffMember
from atende.domain.visitor import Visitor, VisitorClaims
from atende.domain.visitor import doc_id as visitor_doc_id
from atende.engines.base import EngineReply, ReplyRequest
from atende.services.ai_log import AiLogEntry
from atende.services.audit import AuditEntry
from atende.services.automation_log import AutomationLog
from atende.services.board import HealthHour
from atende.services.channel_ports import MediaFile
from atende.services.failures import FailureLog
from atende.services.unit_of_work import Conflict

if TYPE_CHECKING:
    from atende.services.inbound import InboundService

T = TypeVar("T")


@dataclass
class Versioned(Generic[T]):
    value: T
    version: int


@dataclass
class Store:
    """What a database would hold: every collection of items, each with a version per write."""

    messages: dict[str, Versioned[Message]] = field(default_factory=dict)
    conversations: dict[str, Versioned[Conversation]] = field(default_factory=dict)
    contacts: dict[str, Versioned[Contact]] = field(default_factory=dict)
    identities: dict[str, Versioned[str]] = field(default_factory=dict)
    aliases: dict[str, Versioned[dict[str, Any]]] = field(default_factory=dict)
    ia_logs: dict[str, AiLogEntry] = field(default_factory=dict)
    omni_logs: dict[str, FailureLog] = field(default_factory=dict)
    staff: dict[str, Versioned[StaffMember]] = field(default_factory=dict)
    audit_logs: dict[str, AuditEntry] = field(default_factory=dict)
    followups: dict[str, Versioned[FollowupRecord]] = field(default_factory=dict)
    entities: dict[str, Versioned[BusinessEntity]] = field(default_factory=dict)
    automation_logs: dict[str, AutomationLog] = field(default_factory=dict)
    campaigns: dict[str, Versioned[Campaign]] = field(default_factory=dict)
    sends: dict[str, Versioned[Send]] = field(default_factory=dict)  # "<campaign>/<contact>"
    counts: dict[str, Counter[str]] = field(default_factory=dict)  # campaign → per-status counts
    tallies: list[Tally] = field(default_factory=list)  # report counters, as committed
    signals: list[ChannelSignal] = field(default_factory=list)  # channel-health signals, as committed
    dead_letters: dict[str, Versioned[StoredLetter]] = field(default_factory=dict)
    commits: int = 0

    def send(self, campaign_id: str, contact_id: str) -> Send:
        return self.sends[f"{campaign_id}/{contact_id}"].value

    def member(self, uid: str) -> StaffMember:
        return self.staff[uid].value

    def message(self, message_id: str) -> Message:
        return self.messages[message_id].value

    def conversation(self, conversation_id: str) -> Conversation:
        return self.conversations[conversation_id].value

    def contact(self, contact_id: str) -> Contact:
        return self.contacts[contact_id].value


class _Table(Generic[T]):
    """One collection as seen through a unit of work: reads record versions, writes wait for commit."""

    def __init__(self, uow: FakeUnitOfWork, name: str) -> None:
        self._uow, self._name = uow, name

    @property
    def _data(self) -> dict[str, Versioned[T]]:
        return getattr(self._uow.store, self._name)

    def read(self, key: str) -> T | None:
        found = self._data.get(key)
        self._uow.seen.setdefault((self._name, key), found.version if found else None)
        return found.value if found else None

    def write(self, key: str, value: T, *, create: bool = False) -> None:
        self._uow.pending.append((self._name, key, value, create))


class _Aggregates(_Table[T]):
    def get(self, item_id: str) -> T | None:
        return self.read(item_id)

    def add(self, item: T) -> None:
        self.write(item.id, item, create=True)  # type: ignore[attr-defined]

    def save(self, before: T, after: T) -> None:
        self.write(after.id, after)  # type: ignore[attr-defined]


class FakeMessages(_Aggregates[Message]):
    def latest(self, *, conversation_id: str, limit: int) -> list[Message]:
        found = [m.value for m in self._data.values() if m.value.conversation_id == conversation_id]
        newest = sorted(found, key=lambda m: m.timestamp, reverse=True)[:limit]
        for message in newest:
            self.read(message.id)
        return newest

    def latest_turns(self, *, contact_id: str, limit: int) -> list[Turn]:
        self._uow.history_reads += 1
        found = sorted(
            (m.value for m in self._data.values() if m.value.contact_id == contact_id),
            key=lambda m: m.timestamp,
        )[-limit:]
        return [
            Turn(direction=m.direction, sender_type=m.sender_type, text=m.text, timestamp=m.timestamp)
            for m in found
        ]

    def remove(self, message: Message) -> None:
        self._uow.pending.append((self._name, message.id, None, False))

    def due_for_sweep(self, now: float, limit: int) -> list[Message]:
        due = [(m.value.sweep_due_at(), m.value) for m in self._data.values()]
        due = [(at, m) for at, m in due if at is not None and at <= now]
        found = [m for _, m in sorted(due, key=lambda pair: pair[0])[:limit]]
        for message in found:
            self.read(message.id)
        return found


class FakeConversations(_Aggregates[Conversation]):
    def _where(self, keep: Any, order: Any, limit: int, reverse: bool = False) -> list[Conversation]:
        found = sorted((c for c in self._all() if keep(c)), key=order, reverse=reverse)[:limit]
        for conversation in found:
            self.read(conversation.id)
        return found

    def _all(self) -> list[Conversation]:
        return [v.value for v in self._data.values()]

    def waiting_in(self, team: str, limit: int) -> list[Conversation]:
        return self._where(
            lambda c: c.team == team and c.status == ConversationStatus.WAITING,
            lambda c: c.waiting_since or 0.0,
            limit,
        )

    def due_to_wake(self, now: float, limit: int) -> list[Conversation]:
        return self._where(
            lambda c: c.status == ConversationStatus.SNOOZED and (c.snoozed_until or 0) <= now,
            lambda c: c.snoozed_until or 0.0,
            limit,
        )

    def idle_with_bot(self, last_message_before: float, limit: int) -> list[Conversation]:
        return self._where(
            lambda c: c.status == ConversationStatus.BOT and (c.last_message_at or 0) < last_message_before,
            lambda c: c.last_message_at or 0.0,
            limit,
            reverse=True,
        )

    def of_contact(self, contact_id: str, limit: int) -> list[Conversation]:
        return self._where(
            lambda c: c.contact_id == contact_id, lambda c: c.last_message_at or 0.0, limit, reverse=True
        )

    def latest_of(self, contact_id: str, channel: str, account_id: str | None) -> Conversation | None:
        found = [
            c.value
            for c in self._data.values()
            if c.value.contact_id == contact_id
            and c.value.channel == channel
            and account_id in (None, c.value.account_id)
        ]
        return max(found, key=lambda c: c.last_inbound_at or 0, default=None)

    def awaiting_reply(self, since_before: float, statuses: list[str], limit: int) -> list[Conversation]:
        return self._where(
            lambda c: (
                c.status in statuses
                and c.awaiting_reply_since is not None
                and c.awaiting_reply_since <= since_before
            ),
            lambda c: c.awaiting_reply_since or 0.0,
            limit,
        )


class FakeEntities(_Aggregates[BusinessEntity]):
    def due(self, kind: str, statuses: list[str], counted_before: float, limit: int) -> list[BusinessEntity]:
        found = sorted(
            (
                e.value
                for e in self._data.values()
                if e.value.kind == kind
                and e.value.followup_pending
                and e.value.status in statuses
                and e.value.since <= counted_before
            ),
            key=lambda e: e.since,
        )[:limit]
        for entity in found:
            self.read(entity.id)
        return found


class FakeIdentities(_Table[str]):
    def owners(self, keys: Iterable[str]) -> dict[str, str]:
        return {k: owner for k in keys if (owner := self.read(k)) is not None}

    def claim(self, key: str, contact_id: str) -> None:
        self.write(key, contact_id, create=self.read(key) is None)


class FakeProviderIds(_Table[dict[str, Any]]):
    def message_for(self, channel: str, provider_message_id: str) -> str | None:
        return (self.read(stable_id("p", channel, provider_message_id)) or {}).get("messageId")

    def remember(self, channel: str, provider_message_id: str, message_id: str) -> None:
        """Like Firestore's: created unless this unit of work read it (then updated under that read)."""
        key = stable_id("p", channel, provider_message_id)
        unread = (self._name, key) not in self._uow.seen
        self.write(key, {"messageId": message_id}, create=unread or self.read(key) is None)

    def park(self, update: StatusUpdate) -> None:
        key = stable_id("p", str(update.channel), update.provider_message_id)
        earlier = self.read(key)
        self.write(key, {"parked": [*(earlier or {}).get("parked", []), update]}, create=earlier is None)

    def parked(self, channel: str, provider_message_id: str) -> list[StatusUpdate]:
        return list((self.read(stable_id("p", channel, provider_message_id)) or {}).get("parked", []))

    def parked_for(self, message_id: str) -> StatusUpdate | None:
        for key, alias in list(self._data.items()):
            if "messageId" in alias.value:
                continue
            for update in alias.value.get("parked", []):
                if update.message_id == message_id:
                    self.read(key)
                    return update
        return None


class FakeAiLogs:
    """Not a table: log entries are only ever written."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def add(self, entry: AiLogEntry) -> None:
        self._uow.pending.append(("ia_logs", entry.message_id, entry, False))


class FakeOmniLogs:
    """Like the attendant's log: only ever written, under the entry's own id."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self._checked: set[str] = set()

    def add(self, entry: FailureLog) -> None:
        self._uow.pending.append(("omni_logs", entry.id, entry, entry.id in self._checked))

    def recorded(self, entry_id: str) -> bool:
        """As Firestore's: an entry found absent is then created, and a concurrent one conflicts."""
        self._checked.add(entry_id)
        return entry_id in self._uow.store.omni_logs

    def note(self, entry: AutomationLog) -> None:
        self._uow.pending.append(("automation_logs", entry.id, entry, False))


class FakeStaff(_Aggregates[StaffMember]):
    def on_team(self, team: str) -> list[StaffMember]:
        found = [v.value for v in self._data.values() if team in v.value.teams]
        for member in found:
            self.read(member.uid)
        return found

    def online(self) -> list[StaffMember]:
        return [v.value for v in self._data.values() if v.value.availability == "online"]


class FakeAuditLogs:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def add(self, entry: AuditEntry) -> None:
        self._uow.pending.append(("audit_logs", entry.id, entry, False))


class FakeCampaignRecords:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self._campaigns = _Aggregates[Campaign](uow, "campaigns")
        self._sends = _Table[Send](uow, "sends")

    def get(self, campaign_id: str) -> Campaign | None:
        return self._campaigns.get(campaign_id)

    def save(self, before: Campaign, after: Campaign) -> None:
        self._campaigns.save(before, after)

    def send(self, campaign_id: str, contact_id: str) -> Send | None:
        return self._sends.read(f"{campaign_id}/{contact_id}")

    def save_send(self, before: Send, after: Send) -> None:
        self._sends.write(f"{after.campaign_id}/{after.contact_id}", after)
        self._count(after.campaign_id, campaign_rules.count_changes(before.status, after.status))

    def follow(self, before: Message, after: Message) -> None:
        if after.campaign_id is None:
            return
        old, new = campaign_rules.send_status_of(before.status), campaign_rules.send_status_of(after.status)
        key = f"{after.campaign_id}/{after.contact_id}"
        current = self._uow.store.sends.get(key)
        if old != new and current is not None:  # unguarded, as in Firestore
            reason = after.error.message if after.error else current.value.reason
            self._uow.pending.append(("sends", key, replace(current.value, status=new, reason=reason), False))
            self._count(after.campaign_id, campaign_rules.count_changes(old, new))

    def replied(self, campaign_id: str, contact_id: str, at: float) -> None:
        key = f"{campaign_id}/{contact_id}"
        current = self._uow.store.sends.get(key)
        if current is not None:
            self._uow.pending.append(("sends", key, replace(current.value, replied_at=at), False))
        self._count(campaign_id, {"replied": 1})

    def _count(self, campaign_id: str, moves: Mapping[str, int]) -> None:
        if moves:
            self._uow.pending.append(("counts", campaign_id, dict(moves), False))


class FakeCampaignStore:
    """The bulk side of campaigns over the same in-memory store as the fake unit of work."""

    def __init__(
        self, store: Store, templates: Iterable[Any] = (), contacts: Iterable[Recipient] = ()
    ) -> None:
        self.store = store
        self.templates = {(t.account_id, t.name, t.language): t for t in templates}
        self.recipients = list(contacts)

    def create(self, campaign: Campaign, sends: Sequence[Send], audit: AuditEntry | None = None) -> None:
        for send in sends:
            self.store.sends[f"{campaign.id}/{send.contact_id}"] = Versioned(send, 1)
        self.store.counts[campaign.id] = Counter(str(s.status) for s in sends)
        self.store.campaigns[campaign.id] = Versioned(campaign, 1)
        if audit is not None:
            self.store.audit_logs[audit.id] = audit

    def queued(self, campaign_id: str) -> list[Send]:
        found = [v.value for k, v in self.store.sends.items() if k.startswith(campaign_id + "/")]
        return sorted((s for s in found if s.status == "queued"), key=lambda s: s.seq)

    def counts(self, campaign_id: str) -> dict[str, int]:
        return dict(self.store.counts.get(campaign_id, Counter()))

    def sends(self, campaign_id: str, limit: int) -> list[Send]:
        found = [v.value for k, v in self.store.sends.items() if k.startswith(campaign_id + "/")]
        return sorted(found, key=lambda s: s.seq)[:limit]

    def all(self, limit: int) -> list[Campaign]:
        return [v.value for v in self.store.campaigns.values()][:limit]

    def page(self, campaign_id: str, status: str | None, after_seq: int | None, limit: int) -> list[Send]:
        found = [
            s
            for s in self.sends(campaign_id, len(self.store.sends))
            if (status is None or s.status == status) and (after_seq is None or s.seq > after_seq)
        ]
        return found[:limit]

    def pending_count(self, campaign_id: str) -> int:
        sends = self.sends(campaign_id, len(self.store.sends))
        return sum(1 for s in sends if s.status in campaign_rules.PENDING)

    def handed_since(self, campaign_id: str, since: float) -> int:
        sends = self.sends(campaign_id, len(self.store.sends))
        return sum(1 for s in sends if s.handed_at is not None and s.handed_at >= since)

    def contacts(
        self, where: Mapping[str, Any], account_id: str, limit: int | None = None
    ) -> list[Recipient]:
        return list(self.recipients)[:limit]

    def owners(self, keys: Sequence[str]) -> dict[str, str]:
        return {k: self.store.identities[k].value for k in keys if k in self.store.identities}

    def template(self, account_id: str, name: str, language: str) -> Any:
        return self.templates.get((account_id, name, language))


class FakeTaskQueue:
    def __init__(self) -> None:
        self.tasks: list[Any] = []
        self.names: set[str] = set()

    def enqueue_all(self, tasks: Sequence[Any]) -> None:
        for task in tasks:
            if task.name not in self.names:  # as Cloud Tasks: a name is created once
                self.names.add(task.name)
                self.tasks.append(task)

    def take(self) -> list[Any]:
        taken, self.tasks = self.tasks, []
        return taken


class FakeMetrics:
    """Counted only by a commit that goes through, like the Firestore increments in the same batch."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def count(self, tallies: Iterable[Tally]) -> None:
        self._uow.pending.extend(("tallies", "", t, False) for t in tallies)

    def signal(self, signal: ChannelSignal) -> None:
        self._uow.pending.append(("signals", "", signal, False))


class FakeUnitOfWork:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()
        self.seen: dict[tuple[str, str], int | None] = {}
        self.pending: list[tuple[str, str, Any, bool]] = []
        self.history_reads = 0
        self.prefetched: list[dict[str, list[Any]]] = []
        self.before_commit: list[Any] = []  # callables run once at the next commit: a concurrent writer
        self.messages = FakeMessages(self, "messages")
        self.conversations = FakeConversations(self, "conversations")
        self.contacts = _Aggregates[Contact](self, "contacts")
        self.identities = FakeIdentities(self, "identities")
        self.provider_ids = FakeProviderIds(self, "aliases")
        self.ia_logs = FakeAiLogs(self)
        self.omni_logs = FakeOmniLogs(self)
        self.staff = FakeStaff(self, "staff")
        self.audit_logs = FakeAuditLogs(self)
        self.followups = _Aggregates[FollowupRecord](self, "followups")
        self.entities = FakeEntities(self, "entities")
        self.campaigns = FakeCampaignRecords(self)
        self.metrics = FakeMetrics(self)
        self.dead_letters = _Aggregates[StoredLetter](self, "dead_letters")

    def __call__(self) -> Self:
        """The factory services are given: the same fake, so tests can look at what it did."""
        return self

    def __enter__(self) -> Self:
        self.seen, self.pending = {}, []
        return self

    def __exit__(self, *exc: object) -> None:
        self.seen, self.pending = {}, []

    def prefetch(self, **ids: Iterable[Any]) -> None:
        """Everything is in memory already; what was asked is kept, one entry per round trip."""
        self.prefetched.append({kind: list(wanted) for kind, wanted in ids.items()})

    def commit(self) -> None:
        while self.before_commit:
            self.before_commit.pop(0)(self.store)
        for (table, key), version in self.seen.items():
            current = getattr(self.store, table).get(key)
            if (current.version if current else None) != version:
                raise Conflict(f"{table}/{key} changed")
        for table, key, _, create in self.pending:
            if create and key in getattr(self.store, table, {}):
                raise Conflict(f"{table}/{key} exists")
        for table, key, value, _ in self.pending:
            if table in ("tallies", "signals"):
                getattr(self.store, table).append(value)
                continue
            if table in ("ia_logs", "omni_logs", "audit_logs", "automation_logs"):
                getattr(self.store, table)[key] = value
                continue
            if table == "counts":
                self.store.counts.setdefault(key, Counter()).update(value)
                continue
            data = getattr(self.store, table)
            if value is None:
                data.pop(key, None)
            else:
                data[key] = Versioned(value, data[key].version + 1 if key in data else 1)
        self.pending = []
        self.store.commits += 1


def outbound_messages(store: Store) -> list[Message]:
    return [m.value for m in store.messages.values() if m.value.direction == Direction.OUTBOUND]


class FakePublisher:
    """Pub/Sub as the webhooks see it: every event confirmed, or the whole publish failing."""

    def __init__(self, fail: bool = False) -> None:
        self.published: list[Event] = []
        self.fail = fail

    def publish_all(self, events: Sequence[Event]) -> None:
        if self.fail:
            raise TimeoutError("pubsub unavailable")
        for event in events:
            encode(event)  # what the real publisher sends: an event that cannot be encoded fails the publish
        self.published.extend(events)


class FakeOutbox:
    """The outbound queue: what was handed to the outbound function, in order."""

    def __init__(self) -> None:
        self.queued: list[tuple[str, str]] = []
        self.receipts: list[bytes] = []

    def enqueue(self, message_id: str, ordering_key: str) -> None:
        self.queued.append((message_id, ordering_key))

    def request_read(self, receipt: bytes) -> None:
        self.receipts.append(receipt)


class FakeConfigSource:
    """Firestore's `config/*` and `flows/*` documents, as the attendant configuration reads them."""

    def __init__(self, docs: dict[str, dict[str, dict[str, Any]]] | None = None) -> None:
        self.docs = docs or {}

    def document(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        return self.docs.get(collection, {}).get(doc_id)

    def collection(self, name: str) -> dict[str, dict[str, Any]]:
        return dict(self.docs.get(name, {}))


# -- channel fakes --


class FakeSender:
    """A ChannelSender that plays a script: each send takes the next outcome (an id, or an error to raise).

    Once the script is used up every send succeeds with `mid.<n>`.
    """

    def __init__(self, *outcomes: str | BaseException) -> None:
        self._outcomes = list(outcomes)
        self.sent: list[OutgoingMessage] = []

    def send(self, message: OutgoingMessage) -> str:
        self.sent.append(message)
        outcome = self._outcomes.pop(0) if self._outcomes else f"mid.{len(self.sent)}"
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


class FakeMediaSource:
    """A MediaSource that plays a script of errors, then serves `file` (unless it is over `max_bytes`)."""

    def __init__(self, file: MediaFile | None = None, fail: Iterable[BaseException] = ()) -> None:
        self.file = file or MediaFile(b"data", "image/jpeg")
        self._fail = list(fail)
        self.calls: list[dict[str, Any]] = []

    def download(
        self, channel: str, account_id: str, *, media_id: str | None, url: str | None, max_bytes: int
    ) -> MediaFile:
        self.calls.append(
            {"channel": channel, "account_id": account_id, "media_id": media_id, "url": url, "max": max_bytes}
        )
        if self._fail:
            raise self._fail.pop(0)
        if len(self.file.data) > max_bytes:
            raise MediaTooLarge(f"{len(self.file.data)} bytes")
        return self.file


class RecordingSleep:
    """Stands in for time.sleep: remembers each pause instead of taking it."""

    def __init__(self) -> None:
        self.pauses: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)


class ScriptedEngine:
    """An engine that answers what it is told to (or fails), and remembers what it was asked."""

    name = "scripted"

    def __init__(self, *replies: EngineReply | Exception) -> None:
        self.replies = list(replies)
        self.requests: list[ReplyRequest] = []

    def claim(self, request: ReplyRequest) -> str | None:
        return None

    def reply(self, request: ReplyRequest) -> EngineReply:
        self.requests.append(request)
        answer = self.replies.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class FakeMediaQueue:
    """The media topic: every job handed to `media_fetch`, encoded."""

    def __init__(self) -> None:
        self.jobs: list[bytes] = []

    def request_media(self, job: bytes) -> None:
        self.jobs.append(job)


class FakeMediaStore:
    """Cloud Storage as the media service sees it: files by path, and a URL for each."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}

    def put(self, path: str, data: bytes, content_type: str) -> None:
        self.files[path] = (data, content_type)

    def url(self, path: str, ttl_s: int) -> str:
        return f"https://storage.test/{path}?ttl={ttl_s}"


@dataclass
class FakeAuthAccounts:
    """Firebase Auth for StaffAccounts: accounts by e-mail, their claims, disabled flags, revocations."""

    by_email: dict[str, str] = field(default_factory=dict)
    claims: dict[str, dict[str, Any]] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)
    revoked: list[str] = field(default_factory=list)

    def create(self, email: str, password: str, display_name: str) -> str:
        uid = f"uid-{len(self.by_email) + 1}"
        self.by_email[email] = uid
        return uid

    def uid_for(self, email: str) -> str | None:
        return self.by_email.get(email)

    def set_claims(self, uid: str, role: str, teams: tuple[str, ...]) -> None:
        self.claims[uid] = {"role": role, "teams": list(teams)}

    def disable(self, uid: str) -> None:
        self.disabled.add(uid)

    def revoke_tokens(self, uid: str) -> None:
        self.revoked.append(uid)

    def password_reset_link(self, email: str) -> str:
        return f"https://auth.test/reset?email={email}"


@dataclass
class FakeStaffDirectory:
    """The `users` collection for StaffAccounts."""

    profiles: dict[str, StaffMember] = field(default_factory=dict)

    def add(self, profile: StaffMember) -> None:
        self.profiles[profile.uid] = profile

    def get(self, uid: str) -> StaffMember | None:
        return self.profiles.get(uid)

    def change(
        self,
        uid: str,
        *,
        role: str | None = None,
        teams: tuple[str, ...] | None = None,
        disabled: bool | None = None,
        capacity: int | None = None,
    ) -> None:
        current = self.profiles[uid]
        self.profiles[uid] = replace(
            current,
            role=current.role if role is None else role,
            teams=current.teams if teams is None else teams,
            disabled=current.disabled if disabled is None else disabled,
            capacity=current.capacity if capacity is None else capacity,
        )

    def all(self) -> list[StaffMember]:
        return list(self.profiles.values())


class FakeCrmPublisher:
    """Keeps the CRM events published; `fail` makes every publish raise, as Pub/Sub down would."""

    def __init__(self, fail: bool = False) -> None:
        self.events: list[Any] = []
        self.fail = fail

    def publish_crm(self, event: Any) -> None:
        if self.fail:
            raise OSError("pubsub unavailable")
        self.events.append(event)


class FakeRepublisher:
    """Pub/Sub as a dead letter's replay sees it: what was published to which topic; `fail` raises."""

    def __init__(self, fail: bool = False) -> None:
        self.published: list[tuple[str, bytes, dict[str, str]]] = []
        self.fail = fail

    def republish(self, topic: str, data: bytes, attributes: Mapping[str, str]) -> None:
        if self.fail:
            raise OSError("pubsub unavailable")
        self.published.append((topic, data, dict(attributes)))


@dataclass
class FakeLetterReader:
    """The kept dead letters of a store, paged newest first as the Firestore reader pages them."""

    store: Store

    def page(
        self, *, consumer: str | None, state: str | None, limit: int, after: str | None
    ) -> tuple[list[StoredLetter], str | None]:
        letters = sorted((v.value for v in self.store.dead_letters.values()), key=lambda x: -x.first_seen_at)
        letters = [x for x in letters if consumer in (None, x.consumer) and state in (None, str(x.state))]
        start = next((n + 1 for n, x in enumerate(letters) if x.id == after), 0) if after else 0
        page = letters[start : start + limit]
        return page, page[-1].id if page and start + limit < len(letters) else None


# -- the console's settings --


@dataclass
class FakeSettingsStore:
    """Settings documents by collection and id; each change and its audit entry land together or not at
    all (a change that raises writes nothing)."""

    docs: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    audits: list[AuditEntry] = field(default_factory=list)

    def get(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        doc = self.docs.get(collection, {}).get(doc_id)
        return copy.deepcopy(doc)

    def all(self, collection: str) -> dict[str, dict[str, Any]]:
        return copy.deepcopy(self.docs.get(collection, {}))

    def change(self, collection: str, doc_id: str, change: Any, audit: Any) -> tuple[Any, Any]:
        before = self.get(collection, doc_id)
        after = change(copy.deepcopy(before))
        entry = audit(before, after)
        if after is None:
            self.docs.get(collection, {}).pop(doc_id, None)
        else:
            self.docs.setdefault(collection, {})[doc_id] = copy.deepcopy(after)
        self.audits.append(entry)
        return before, after


@dataclass
class FakeLogReader:
    """Log documents by collection, read as the Firestore reader pages them (newest first by `order`,
    times as epoch seconds in the fake)."""

    docs: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def one(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        return self.docs.get(collection, {}).get(doc_id)

    def page(self, query: Any) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
        def value(doc: dict[str, Any], path: str) -> Any:
            for part in path.split("."):
                doc = doc.get(part) if isinstance(doc, dict) else None
            return doc

        rows = sorted(self.docs.get(query.collection, {}).items(), key=lambda kv: -kv[1][query.order])
        rows = [
            (i, d)
            for i, d in rows
            if all(value(d, f) == v for f, v in query.equals)
            and (query.since is None or d[query.order] >= query.since)
            and (query.until is None or d[query.order] < query.until)
            and (query.at_most is None or (value(d, query.at_most[0]) or 0) <= query.at_most[1])
        ]
        start = next((n + 1 for n, (i, _) in enumerate(rows) if i == query.after), 0) if query.after else 0
        page = rows[start : start + query.limit]
        more = start + query.limit < len(rows)
        return page, page[-1][0] if more and page else None


@dataclass
class FakeSecretStore:
    values: dict[str, str] = field(default_factory=dict)

    def put(self, name: str, value: str) -> None:
        self.values[name] = value

    def has(self, name: str) -> bool:
        return name in self.values


class FakeReportReader:
    """The metrics documents the committed tallies make (the mapper's own `deltas`), read back as the
    Firestore reader would; and the board's and health panel's reads from the store."""

    def __init__(self, store: Store, levels: dict[str, Any] | None = None) -> None:
        self._store = store
        self._levels = levels or {}
        self.documents_read = 0

    def daily(
        self, *, dimension: str, first_day: str, last_day: str, teams: Sequence[str] | None
    ) -> list[Daily]:
        from atende.adapters.firestore import metrics as metrics_doc

        docs = [metrics_doc.from_doc(d) for d in metrics_doc.deltas(self._store.tallies).values()]
        found = [
            d
            for d in docs
            if d.dimension == dimension
            and first_day <= d.day <= last_day
            and (teams is None or d.team in teams)
        ]
        self.documents_read += len(found)
        return found

    def teams(self) -> dict[str, Any]:
        return dict(self._levels)

    def open_conversations(self, teams: Sequence[str]) -> list[Conversation]:
        return [
            v.value
            for v in self._store.conversations.values()
            if v.value.team in teams and v.value.status in ("waiting", "in_service")
        ]

    def people(self, teams: Sequence[str]) -> list[StaffMember]:
        return [v.value for v in self._store.staff.values() if set(v.value.teams) & set(teams)]

    def latest_hours(self, key: str, limit: int) -> list[HealthHour]:
        from atende.domain.channel_health import HourCounts, hour_id

        hours: dict[str, dict[str, Any]] = {}
        for s in self._store.signals:
            if s.key != key:
                continue
            h = hours.setdefault(hour_id(s.at), {"counts": HourCounts(), "last": {}})
            h["counts"] = h["counts"] + HourCounts.of({str(s.signal): s.count})
            h["last"][str(s.signal)] = max(s.at, h["last"].get(str(s.signal), 0))
            if s.code:
                h["code"] = s.code
        return [
            HealthHour(
                hour=hour,
                counts=h["counts"],
                last_received_at=h["last"].get("received"),
                last_sent_at=h["last"].get("sent"),
                last_error=h.get("code"),
            )
            for hour, h in sorted(hours.items(), reverse=True)
        ][:limit]


# -- web chat --------------------------------------------------------------------------------------------


@dataclass
class FakeSites:
    """`sites/{key}`, as the webchat function reads them."""

    sites: dict[str, Site] = field(default_factory=dict)

    def get(self, key: str) -> Site | None:
        return self.sites.get(key)


@dataclass
class FakeVisitors:
    """`visitors/{site}_{visitorId}`: what was saved, and how many times."""

    visitors: dict[str, Visitor] = field(default_factory=dict)
    saves: int = 0

    def get(self, site: str, visitor_id: str) -> Visitor | None:
        return self.visitors.get(visitor_doc_id(site, visitor_id))

    def save(self, visitor: Visitor) -> None:
        self.saves += 1
        self.visitors[visitor.doc_id] = visitor


@dataclass
class FakeRateCounter:
    """Fixed-window counters like the Firestore ones: one count per key, window length and window start."""

    counts: dict[tuple[str, int, int], int] = field(default_factory=dict)

    def count(self, limits: Sequence[Limit], now: float) -> dict[Limit, int]:
        found: dict[Limit, int] = {}
        for limit in limits:
            key = (limit.key, limit.window_s, limit.window_start(now))
            self.counts[key] = self.counts.get(key, 0) + 1
            found[limit] = self.counts[key]
        return found


@dataclass
class FakeVisitorTokens:
    """firebase-admin for visitors: a custom token is `custom:<uid>`, and an ID token is the visitor's uid
    with its claims kept here (what signInWithCustomToken would give the widget)."""

    minted: list[VisitorClaims] = field(default_factory=list)

    def mint_visitor(self, visitor: VisitorClaims) -> str:
        self.minted.append(visitor)
        return f"custom:{visitor.uid}"

    def verify_visitor(self, authorization: str | None) -> VisitorClaims:
        from atende.adapters.firebase_auth import Unauthenticated

        scheme, _, token = (authorization or "").partition(" ")
        found = next((v for v in self.minted if token == v.uid), None) if scheme == "Bearer" else None
        if found is None:
            raise Unauthenticated("Sessão de visitante inválida: recarregue a página")
        return found


class FakeTemplateStore:
    """`templates` as the template service sees it: Meta's catalog copied per number."""

    def __init__(self, templates: Iterable[Any] = ()) -> None:
        self.templates = {t.id: t for t in templates}

    def replace(self, account_id: str, templates: Sequence[Any]) -> int:
        keep = {t.id for t in templates}
        gone = [t for t in self.list(account_id) if t.id not in keep and t.status != "DELETED"]
        self.templates.update({t.id: t for t in templates})
        self.templates.update({t.id: replace(t, status="DELETED") for t in gone})
        return len(gone)

    def put(self, template: Any) -> None:
        self.templates[template.id] = template

    def list(self, account_id: str | None) -> list[Any]:
        found = [t for t in self.templates.values() if account_id in (None, t.account_id)]
        return sorted(found, key=lambda t: t.id)


@dataclass
class StoredObject:
    data: bytes
    content_type: str
    cache_control: str


@dataclass
class FakeObjectStore:
    """Cloud Storage for `atende deploy web`: buckets of named objects, and the order they were written in."""

    buckets: dict[str, dict[str, StoredObject]] = field(default_factory=dict)
    written: list[tuple[str, str]] = field(default_factory=list)  # (bucket, name), in order

    def upload(self, bucket: str, item: Any) -> None:
        stored = StoredObject(item.path.read_bytes(), item.content_type, item.cache_control)
        self.buckets.setdefault(bucket, {})[item.name] = stored
        self.written.append((bucket, item.name))


def local_attendant(uow: FakeUnitOfWork, **parts: Any) -> InboundService:
    """The inbound use case as `ai_reply` wires it without a Gemini key (the local engine's flows over
    the demo ERP), on in-memory fakes; `parts` replace any of its ports (erp, classify, clock…)."""
    from atende.engines.local import LocalEngine
    from atende.erp.demo import DemoErp
    from atende.services.attendant_config import AttendantConfig
    from atende.services.inbound import InboundService

    config = AttendantConfig(FakeConfigSource(), ttl_s=0)
    wired = {"engine": LocalEngine(config.flows), "outbound": FakeOutbox(), "config": config}
    return InboundService(uow=uow, **{**wired, "erp": DemoErp(), **parts})
