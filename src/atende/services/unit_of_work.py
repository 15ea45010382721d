"""The unit of work: what the services read and write, as one atomic step with repositories per aggregate.

Reads inside a unit of work see the state the commit is checked against: if
anything read changed before the commit, nothing is written and `Conflict` is
raised, and the caller runs the whole step again on fresh state (`atomically`).
Adapters implement it over Firestore; tests use the in-memory fake.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Protocol, Self, TypeVar

from atende.domain.business_entity import BusinessEntity
from atende.domain.campaign import Campaign, Send
from atende.domain.channel_health import ChannelSignal
from atende.domain.contact import Contact
from atende.domain.conversation import Conversation
from atende.domain.dead_letter import StoredLetter
from atende.domain.events import StatusUpdate
from atende.domain.followups import FollowupRecord
from atende.domain.message import Message, Turn
from atende.domain.metrics import Tally
from atende.domain.staff import StaffMember
from atende.retrying import Backoff
from atende.services.ai_log import AiLogEntry
from atende.services.audit import AuditEntry
from atende.services.automation_log import AutomationLog
from atende.services.failures import FailureLog

T = TypeVar("T")
A = TypeVar("A")
CONFLICT_ATTEMPTS = 10  # then the push fails and Pub/Sub redelivers it


class Conflict(Exception):
    """Something this unit of work read was changed by someone else before it committed."""


class Repository(Protocol[A]):
    def get(self, item_id: str) -> A | None: ...

    def add(self, item: A) -> None:
        """Create; the commit fails with Conflict if it already exists."""

    def save(self, before: A, after: A) -> None:
        """Write what changed between the state read and the new one."""


class MessageRepository(Repository[Message], Protocol):
    def latest_turns(self, *, contact_id: str, limit: int) -> list[Turn]:
        """The contact's last messages on every channel, oldest first."""

    def latest(self, *, conversation_id: str, limit: int) -> list[Message]:
        """The conversation's last messages, newest first, read as part of this unit of work."""

    def remove(self, message: Message) -> None: ...

    def due_for_sweep(self, now: float, limit: int) -> list[Message]:
        """Outgoing messages whose `sweep_due_at` has come (oldest first): stalled or failed sends."""


class ConversationRepository(Repository[Conversation], Protocol):
    def waiting_in(self, team: str, limit: int) -> list[Conversation]:
        """The team's queue (status `waiting`), longest waiting first."""

    def due_to_wake(self, now: float, limit: int) -> list[Conversation]:
        """Snoozed conversations whose time has come."""

    def idle_with_bot(self, last_message_before: float, limit: int) -> list[Conversation]:
        """The bot's conversations (status `bot`) whose last message is older than that."""

    def of_contact(self, contact_id: str, limit: int) -> list[Conversation]:
        """The contact's conversations on every channel, most recent first."""

    def latest_of(self, contact_id: str, channel: str, account_id: str | None) -> Conversation | None:
        """The contact's conversation on that channel (and account) with the most recent customer message."""

    def awaiting_reply(self, since_before: float, statuses: list[str], limit: int) -> list[Conversation]:
        """Conversations in one of `statuses` whose customer has not answered our last message since at
        most `since_before` (oldest silence first): the 48 h follow-up's candidates."""


class IdentityIndex(Protocol):
    def owners(self, keys: Iterable[str]) -> dict[str, str]:
        """Which contact each known identity key belongs to."""

    def claim(self, key: str, contact_id: str) -> None:
        """Make the key point at the contact; the commit conflicts if another contact took it meanwhile."""


class ProviderIds(Protocol):
    """A platform's message id → our message id, for statuses and for recognising our own echoes."""

    def message_for(self, channel: str, provider_message_id: str) -> str | None: ...

    def remember(self, channel: str, provider_message_id: str, message_id: str) -> None:
        """Point the provider id at our message; conflicts with a status parked meanwhile."""

    def park(self, update: StatusUpdate) -> None:
        """Keep a status whose message is not known yet; conflicts with the send being recorded meanwhile."""

    def parked(self, channel: str, provider_message_id: str) -> list[StatusUpdate]: ...

    def parked_for(self, message_id: str) -> StatusUpdate | None:
        """A parked status that names our message (WhatsApp echoes our id): its send did go out."""


class AiLogs(Protocol):
    def add(self, entry: AiLogEntry) -> None: ...


class FailureLogs(Protocol):
    def add(self, entry: FailureLog) -> None:
        """Written under the entry's id: a redelivery's entry replaces the first, never adds a second."""

    def recorded(self, entry_id: str) -> bool:
        """An entry exists under this id (read in the unit of work: a concurrent writer is a conflict)."""

    def note(self, entry: AutomationLog) -> None:
        """What an automation did (a tick, a follow-up), in the same collection, under the entry's id."""


class EntityRepository(Repository[BusinessEntity], Protocol):
    def due(self, kind: str, statuses: list[str], counted_before: float, limit: int) -> list[BusinessEntity]:
        """Stored entities of `kind`, in `statuses`, since at most `counted_before`, still waiting for their
        follow-up (oldest first)."""


class StaffRepository(Repository[StaffMember], Protocol):
    def on_team(self, team: str) -> list[StaffMember]:
        """Everyone who works in `team`, whatever their availability."""

    def online(self) -> list[StaffMember]: ...


class AuditLogs(Protocol):
    def add(self, entry: AuditEntry) -> None: ...


class CampaignRecords(Protocol):
    """Campaigns and their send records, with the live counts kept in the same commit as each move."""

    def get(self, campaign_id: str) -> Campaign | None: ...

    def save(self, before: Campaign, after: Campaign) -> None: ...

    def send(self, campaign_id: str, contact_id: str) -> Send | None: ...

    def save_send(self, before: Send, after: Send) -> None:
        """Guarded like any save; the counts move from the old status to the new one."""

    def follow(self, before: Message, after: Message) -> None:
        """A campaign message changed status: its send record mirrors it (unguarded: the message's own
        guarded write orders these), and the counts move."""

    def replied(self, campaign_id: str, contact_id: str, at: float) -> None:
        """The customer answered the campaign's message (once: the conversation's mark is cleared)."""


class Metrics(Protocol):
    """Report counters (docs/reports.md), written by the commit of the change they count and only by it:
    blind increments, so they never make a commit conflict and a failed commit counts nothing."""

    def count(self, tallies: Iterable[Tally]) -> None: ...

    def signal(self, signal: ChannelSignal) -> None:
        """One more of this signal in its account's hourly channel-health bucket."""


class UnitOfWork(Protocol):
    messages: MessageRepository
    conversations: ConversationRepository
    contacts: Repository[Contact]
    identities: IdentityIndex
    provider_ids: ProviderIds
    ia_logs: AiLogs
    omni_logs: FailureLogs
    staff: StaffRepository
    audit_logs: AuditLogs
    followups: Repository[FollowupRecord]
    entities: EntityRepository
    campaigns: CampaignRecords
    metrics: Metrics
    dead_letters: Repository[StoredLetter]

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None:
        """Forget what was not committed."""

    def prefetch(
        self,
        *,
        messages: Iterable[str] = (),
        conversations: Iterable[str] = (),
        contacts: Iterable[str] = (),
        identities: Iterable[str] = (),
        provider_ids: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Read these in one round trip; later gets of them cost nothing."""

    def commit(self) -> None: ...


CONFLICT_RETRY = Backoff(max_attempts=CONFLICT_ATTEMPTS, base_delay_s=0.005, max_delay_s=0.2)


def atomically(new_uow: Callable[[], UnitOfWork], step: Callable[[UnitOfWork], T]) -> T:
    """Run `step` in a fresh unit of work until it commits without a conflict (bounded, jittered); the
    last Conflict fails the delivery, and Pub/Sub brings it back."""

    def once() -> T:
        with new_uow() as uow:
            return step(uow)

    retrying = CONFLICT_RETRY.retrying(
        lambda error: isinstance(error, Conflict), label="unit of work", log_level=logging.DEBUG
    )
    return retrying(once)
