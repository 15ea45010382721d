"""A stored message (the customer's, the bot's, an agent's) and the rules of its life: stored once, answered
at most once, claimed for sending by one worker at a time, statuses only moving forward.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from atende.domain import status as status_rules
from atende.domain.contacts import Address
from atende.domain.content import AnyContent, MessageContext, PlatformError, Text
from atende.domain.events import InboundMessage, StatusUpdate
from atende.domain.media import KeptMedia, fetchable
from atende.domain.model import (
    Channel,
    Direction,
    MessageKind,
    MessageStatus,
    SenderType,
    message_doc_id,
)
from atende.domain.routing import RoutingDecision
from atende.domain.triage import Triage
from atende.domain.window import WindowDecision

META_INBOX = "meta_inbox"  # the sender of an echo: someone wrote from Meta's own apps
BOT = "bot"


def reply_id_for(message_id: str) -> str:
    """The one reply an inbound message can ever have: a second attempt finds it instead of adding one."""
    return f"{message_id}_r"


@dataclass(frozen=True, kw_only=True)
class SendError:
    """Why a send did not go out, for the agent (pt-BR `agent_text`) and for a later retry."""

    message: str
    source: str  # "platform" (Meta said no) or "atende" (refused before calling Meta)
    retryable: bool = False
    code: int | str | None = None
    details: str | None = None
    http_status: int | None = None
    attempts: int | None = None
    agent_text: str | None = None


@dataclass(frozen=True, kw_only=True)
class Message:
    id: str
    conversation_id: str
    contact_id: str
    channel: Channel
    account_id: str
    direction: Direction
    sender_type: SenderType
    sender: str  # the platform id of the customer, "bot", or "meta_inbox" for an echo
    kind: MessageKind
    text: str | None
    timestamp: float
    status: MessageStatus
    status_at: dict[MessageStatus, float] = field(default_factory=dict)
    sender_name: str | None = None
    is_automation: bool = False
    echo: bool = False
    content: AnyContent = field(default_factory=Text)
    context: MessageContext = field(default_factory=MessageContext)
    errors: tuple[PlatformError, ...] = ()
    provider_message_id: str | None = None
    media: KeptMedia | None = None  # the kept file: pending, then stored (with a link) or failed
    recipient: Address | None = None
    reply_to: str | None = None
    window_from: float | None = None  # the conversation's lastInboundAt when the reply was written
    engine: dict[str, Any] | None = None
    # What the attendant made of an inbound message; set once, with the reply, by `decided`.
    handled: bool = False
    reply_message_id: str | None = None
    triage: Triage | None = None
    decision: RoutingDecision | None = None
    second_opinion: Triage | None = None
    # Sending (outgoing messages only).
    sending_until: float | None = None
    send_claim: str | None = None  # who holds the lease: a worker recognises its own claim on a re-read
    send_attempts: int = 0
    error: SendError | None = None
    # Read/delivery watermarks that arrived while the send was in flight, applied once it is recorded.
    parked: tuple[StatusUpdate, ...] = ()

    # -- creation -----------------------------------------------------------------------------------------

    @staticmethod
    def received_id(channel: Channel, provider_message_id: str) -> str:
        """Where a platform's message is stored: a redelivery lands on the same document."""
        return message_doc_id(channel, provider_message_id)

    @classmethod
    def received(cls, message: InboundMessage, *, contact_id: str) -> Message:
        """The customer's message as stored; an echo is the business's own message sent from Meta's apps."""
        echo = message.echo
        return cls(
            id=message.message_id,
            conversation_id=message.conversation_id,
            contact_id=contact_id,
            channel=Channel(message.channel),
            account_id=message.account_id,
            direction=Direction.OUTBOUND if echo else Direction.INBOUND,
            sender_type=SenderType.AGENT if echo else SenderType.CONTACT,
            sender=META_INBOX if echo else message.sender.id,
            sender_name=message.sender.name,
            echo=echo,
            kind=MessageKind(message.kind),
            text=message.text,
            content=message.content,
            context=message.context,
            errors=message.errors,
            provider_message_id=message.provider_message_id,
            media=KeptMedia.pending()
            if fetchable(str(message.channel), str(message.kind), message.content)
            else None,
            status=MessageStatus.SENT if echo else MessageStatus.RECEIVED,
            timestamp=message.timestamp,
        )

    @classmethod
    def bot_reply(
        cls,
        inbound: InboundMessage,
        *,
        contact_id: str,
        window_from: float | None,
        text: str,
        engine: dict[str, Any],
        now: float,
    ) -> Message:
        """The bot's answer, queued for outbound; it carries the window's start so outbound need not
        read the conversation to judge the 24 h rule."""
        return cls(
            id=reply_id_for(inbound.message_id),
            conversation_id=inbound.conversation_id,
            contact_id=contact_id,
            channel=Channel(inbound.channel),
            account_id=inbound.account_id,
            direction=Direction.OUTBOUND,
            sender_type=SenderType.BOT,
            sender=BOT,
            is_automation=True,
            kind=MessageKind.TEXT,
            text=text,
            recipient=Address(inbound.sender.id, inbound.sender.phone),
            reply_to=inbound.message_id,
            window_from=window_from,
            status=MessageStatus.QUEUED,
            status_at={MessageStatus.QUEUED: now},
            timestamp=now,
            engine=engine,
        )

    # -- the attendant ------------------------------------------------------------------------------------

    def decided(
        self,
        *,
        triage: Triage | None,
        decision: RoutingDecision | None,
        second_opinion: Triage | None = None,
        reply_id: str | None = None,
    ) -> Message:
        """Handled: a redelivery of this message must not reconsider it."""
        return replace(
            self,
            handled=True,
            triage=triage,
            decision=decision,
            second_opinion=second_opinion,
            reply_message_id=reply_id or self.reply_message_id,
        )

    # -- sending ------------------------------------------------------------------------------------------

    def claim(self, now: float, lease_s: float, token: str) -> Message | None:
        """queued (or sending whose worker's lease ran out) → sending; None when it is not ours to send.

        A claim whose write landed but whose answer was lost is re-read as `sending` with a live lease:
        the token says it is ours, so the reply is still sent instead of skipped by everyone.
        """
        if self.status == MessageStatus.SENDING and self.send_claim == token:
            return self
        lease_over = (self.sending_until or 0) < now
        if self.status != MessageStatus.QUEUED and not (self.status == MessageStatus.SENDING and lease_over):
            return None
        return replace(
            self,
            status=MessageStatus.SENDING,
            sending_until=now + lease_s,
            send_claim=token,
            send_attempts=self.send_attempts + 1,
            status_at={**self.status_at, MessageStatus.SENDING: now},
        )

    def sent(self, provider_message_id: str, now: float) -> Message:
        """Accepted by the platform; a watermark that came while the send was in flight covers it if it
        is no older than the send's start (the platform may have had it before we heard back)."""
        sent = replace(
            self,
            status=MessageStatus.SENT,
            provider_message_id=provider_message_id,
            status_at={**self.status_at, MessageStatus.SENT: now},
            sending_until=None,
            send_claim=None,
            error=None,
            parked=(),
        )
        started = self.status_at.get(MessageStatus.SENDING, self.timestamp)
        for update in self.parked:
            if (update.watermark or 0) >= started:
                sent = sent.delivery(update)
        return sent

    def failed(self, error: SendError, now: float) -> Message:
        return replace(
            self,
            status=MessageStatus.FAILED,
            error=error,
            status_at={**self.status_at, MessageStatus.FAILED: now},
            sending_until=None,
            send_claim=None,
        )

    def delivery(self, update: StatusUpdate) -> Message:
        """A platform status: the first time of each is kept; the status itself only moves forward.

        A watermark reaching a message still being sent waits on it for the send's outcome.
        """
        if update.watermark is not None and self.status in (MessageStatus.QUEUED, MessageStatus.SENDING):
            return replace(self, parked=(*self.parked, update))
        new = MessageStatus(update.status)
        moved = replace(self, status_at={new: update.timestamp, **self.status_at})
        if not status_rules.advances(self.status, new):
            return moved
        error = platform_error(update.errors) if new == MessageStatus.FAILED else moved.error
        return replace(moved, status=new, error=error)

    def covered_by(self, watermark: StatusUpdate) -> bool:
        """Messenger's "everything before T was delivered/read": our messages stamped no later than T."""
        return self.direction == Direction.OUTBOUND and self.timestamp <= (watermark.watermark or 0)

    def with_media(self, media: KeptMedia) -> Message:
        return replace(self, media=media)

    def outgoing(self, last_inbound_at: float | None) -> OutgoingMessage:
        recipient = self.recipient or Address("")
        return OutgoingMessage(
            id=self.id,
            conversation_id=self.conversation_id,
            channel=str(self.channel),
            account_id=self.account_id,
            recipient_id=recipient.recipient_id,
            recipient_phone=recipient.phone,
            kind=str(self.kind),
            text=self.text,
            content=self.content.to_doc(),
            status=str(self.status),
            sender_type=str(self.sender_type),
            last_inbound_at=last_inbound_at,
        )


def platform_error(errors: list[dict[str, Any]]) -> SendError:
    """A failed status from Meta, as an agent will read it on the message."""
    first = errors[0] if errors else {}
    data = first.get("error_data")
    return SendError(
        code=first.get("code"),
        message=first.get("title") or first.get("message") or "failed",
        details=data.get("details") if isinstance(data, dict) else None,
        retryable=False,
        source="platform",
    )


@dataclass(frozen=True, kw_only=True)
class Turn:
    """One earlier message of the conversation, as context for an answer."""

    direction: Direction
    sender_type: SenderType
    text: str | None
    timestamp: float


@dataclass(frozen=True, kw_only=True)
class OutgoingMessage:
    """What a channel sender needs to put one stored message on the wire."""

    id: str
    conversation_id: str
    channel: str
    account_id: str
    recipient_id: str
    recipient_phone: str | None
    kind: str
    text: str | None
    content: dict[str, Any] = field(default_factory=dict)
    status: str = str(MessageStatus.QUEUED)
    sender_type: str = str(SenderType.BOT)  # "agent" may use Messenger's HUMAN_AGENT tag after 24 h
    last_inbound_at: float | None = None  # the conversation's, read when the send is claimed
    window: WindowDecision | None = None  # set by the outbound service once the window allowed it
