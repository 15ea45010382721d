"""What the services read back from storage: conversations, contacts, outgoing messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from atende.domain.model import ConversationStatus
from atende.domain.window import WindowDecision


@dataclass(frozen=True)
class Contact:
    id: str
    name: str | None = None
    persona: str = "cliente"
    profile: dict[str, Any] = field(default_factory=dict)  # tier, plan, preferences


@dataclass(frozen=True)
class Conversation:
    id: str
    channel: str
    account_id: str
    contact_id: str
    status: ConversationStatus = ConversationStatus.BOT
    last_inbound_at: float | None = None


@dataclass(frozen=True)
class Turn:
    """One earlier message of the conversation, as context for an answer."""

    direction: str
    sender_type: str
    text: str | None
    timestamp: float


@dataclass(frozen=True)
class InboundRecord:
    """The result of storing an inbound message: was it new, and where does it live."""

    created: bool
    conversation: Conversation
    contact: Contact
    handled: bool = False  # a previous delivery finished deciding about an answer
    reply_message_id: str | None = None


@dataclass(frozen=True)
class OutgoingMessage:
    id: str
    conversation_id: str
    channel: str
    account_id: str
    recipient_id: str
    recipient_phone: str | None
    kind: str
    text: str | None
    content: dict[str, Any] = field(default_factory=dict)
    status: str = "queued"
    sender_type: str = "bot"  # "agent" may use Messenger's HUMAN_AGENT tag after 24 h
    last_inbound_at: float | None = None  # the conversation's, read when the send is claimed
    window: WindowDecision | None = None  # set by the outbound service once the window allowed it
