"""Interfaces the services depend on; adapters implement them, tests may fake them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from atende.domain.events import Event, InboundMessage, StatusUpdate
from atende.domain.records import InboundRecord, OutgoingMessage, Turn


class EventPublisher(Protocol):
    def publish_all(self, events: Sequence[Event]) -> None:
        """Publish every event and return only once all are confirmed; raise otherwise."""


class OutboundQueue(Protocol):
    def enqueue(self, message_id: str, ordering_key: str) -> None:
        """Hand a stored outgoing message to the outbound function."""


class Repository(Protocol):
    """Persistence the inbound, outbound and status services need."""

    def record_inbound(self, message: InboundMessage) -> InboundRecord:
        """Store the message once (keyed by its provider id) and update contact and conversation."""

    def recent_turns(self, conversation_id: str, limit: int) -> list[Turn]: ...

    def create_reply(
        self,
        inbound: InboundMessage,
        record: InboundRecord,
        reply_id: str,
        text: str,
        meta: dict[str, Any],
        inbound_fields: dict[str, Any] | None = None,
        conversation_fields: dict[str, Any] | None = None,
    ) -> bool:
        """Create the bot's reply under a derived id and mark the inbound handled; False if it exists.

        The extra fields land on the inbound message and the conversation in the same write."""

    def mark_handled(self, message_id: str) -> None:
        """Record that the message needed no answer, so a redelivery does not reconsider it."""

    def claim_for_send(self, message_id: str, lease_s: float) -> OutgoingMessage | None:
        """Move a queued message to `sending`; None when it is already sent, failed or being sent."""

    def record_sent(self, message_id: str, provider_message_id: str, channel: str | None = None) -> None:
        """Mark sent; on channels that echo sends back, also remember the mid so the echo is no copy."""

    def apply_watermark(self, update: StatusUpdate) -> int:
        """Apply a Messenger read/delivery watermark to the conversation's earlier outgoing messages."""

    def record_failed(self, message_id: str, error: dict[str, Any]) -> None: ...

    def apply_status(self, update: StatusUpdate) -> str:
        """Apply a delivery status; returns 'applied', 'stale' or 'orphan' (message not known yet)."""

    def take_orphan_statuses(self, channel: str, provider_message_id: str) -> list[StatusUpdate]: ...
