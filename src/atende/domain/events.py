"""Normalized events that cross Pub/Sub between the functions.

The webhook functions turn each platform's payload into these; everything
downstream speaks only this vocabulary. They serialise to compact JSON so a
Pub/Sub message stays far below the 512 KB event limit.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from atende.domain.model import Channel, MessageKind, conversation_doc_id, message_doc_id


@dataclass(frozen=True)
class Sender:
    """Who wrote: every identity the platform gave us for this person."""

    id: str  # the id the platform addresses replies to (wa_id, BSUID, PSID, IGSID)
    name: str | None = None
    phone: str | None = None  # E.164 with '+', when the platform shares it
    user_id: str | None = None  # WhatsApp business-scoped user id (usernames era)
    username: str | None = None


@dataclass(frozen=True)
class InboundMessage:
    channel: Channel
    account_id: str  # phone_number_id, Page id or Instagram account id
    provider_message_id: str
    sender: Sender
    kind: MessageKind
    timestamp: float  # seconds since the epoch, as the platform stamped it
    text: str | None = None  # what a person would read: body, caption, button title
    content: dict[str, Any] = field(default_factory=dict)  # kind-specific details (media id, coordinates…)
    context: dict[str, Any] = field(default_factory=dict)  # reply-to, forwarded, referral
    errors: list[dict[str, Any]] = field(default_factory=list)
    echo: bool = False  # sent by the business from Meta's own apps

    @property
    def message_id(self) -> str:
        return message_doc_id(self.channel, self.provider_message_id)

    @property
    def conversation_id(self) -> str:
        return conversation_doc_id(self.channel, self.account_id, self.sender.id)

    @property
    def ordering_key(self) -> str:
        return self.conversation_id


@dataclass(frozen=True)
class StatusUpdate:
    channel: Channel
    account_id: str
    provider_message_id: str
    status: str
    timestamp: float
    recipient_id: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    pricing: dict[str, Any] = field(default_factory=dict)
    # Messenger reads and deliveries may name no message, only "everything sent before this time"
    # (seconds); provider_message_id is then empty and recipient_id names the conversation.
    watermark: float | None = None

    @property
    def ordering_key(self) -> str:
        return f"{self.channel}:{self.account_id}:{self.recipient_id or self.provider_message_id}"


Event = InboundMessage | StatusUpdate

_TYPES: dict[str, type] = {"inbound_message": InboundMessage, "status_update": StatusUpdate}
_NAMES = {cls: name for name, cls in _TYPES.items()}


def encode(event: Event) -> bytes:
    return json.dumps(
        {"type": _NAMES[type(event)], **asdict(event)}, ensure_ascii=False, separators=(",", ":")
    ).encode()


def decode(data: bytes | str) -> Event:
    """Rebuild an event; raises ValueError on anything that is not one of ours."""
    try:
        raw = json.loads(data)
        cls = _TYPES[raw.pop("type")]
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not an Atende event: {exc}") from exc
    raw["channel"] = Channel(raw["channel"])
    if cls is InboundMessage:
        raw["sender"] = Sender(**raw["sender"])
        raw["kind"] = MessageKind(raw["kind"])
    return cls(**raw)
