"""Interfaces the services depend on; adapters implement them, tests may fake them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from atende.domain.events import Event, StatusUpdate
from atende.domain.media import KeptMedia
from atende.domain.message import OutgoingMessage, SendError


class EventPublisher(Protocol):
    def publish_all(self, events: Sequence[Event]) -> None:
        """Publish every event and return only once all are confirmed; raise otherwise."""


class OutboundQueue(Protocol):
    def enqueue(self, message_id: str, ordering_key: str) -> None:
        """Hand a stored outgoing message to the outbound function."""

    def request_read(self, receipt: bytes) -> None:
        """Ask the outbound function (which holds the channel tokens) to send a read receipt."""


class MessageLedger(Protocol):
    """The steps of a stored message's life that outbound, statuses and media take (`Deliveries`)."""

    def claim_for_send(self, message_id: str, lease_s: float) -> OutgoingMessage | None:
        """Move a queued message to `sending`; None when it is already sent, failed or being sent."""

    def record_sent(self, message_id: str, provider_message_id: str, channel: str) -> None:
        """Mark sent and remember the provider id (statuses, echoes); apply statuses parked for it."""

    def record_failed(self, message_id: str, error: SendError) -> None: ...

    def record_unknown(self, message_id: str, error: SendError) -> None:
        """The platform may have taken it: `unknown`, settled by a status that names it, else by an agent."""

    def apply_status(self, update: StatusUpdate) -> str:
        """Apply a delivery status; returns 'applied', 'stale' or 'orphan' (message not known yet)."""

    def apply_watermark(self, update: StatusUpdate) -> int:
        """Apply a Messenger read/delivery watermark to the conversation's earlier outgoing messages."""

    def media_state(self, message_id: str) -> KeptMedia | None:
        """What became of the message's file; None when there is no such message or it has no file."""

    def set_media(self, message_id: str, media: KeptMedia) -> None: ...
