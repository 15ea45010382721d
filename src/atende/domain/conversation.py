"""The conversation: one person on one business account of one channel, and every rule about its state.

Reopening, the customer-service window, what a business echo may change, the
default team and persona, handoffs to a person and the moves between the queue
states are decided here and only here. Each rule returns the conversation as it
is after the event; the repository writes what changed, so a rule never depends
on how the document is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from atende.domain import window
from atende.domain.channels import ChannelConfig
from atende.domain.contacts import Address
from atende.domain.events import InboundMessage
from atende.domain.model import Channel, ConversationStatus, Priority, SenderType, conversation_doc_id
from atende.domain.session import Session

PREVIEW_CHARS = 200
HIGH_PRIORITY_SENTIMENTS = ("frustrated", "urgent")


@dataclass(frozen=True, kw_only=True)
class Handoff:
    """Why and when the bot passed the conversation to a person."""

    reason: str
    intent: str | None
    sentiment: str | None
    at: float


@dataclass(frozen=True, kw_only=True)
class Conversation:
    id: str
    channel: Channel
    account_id: str
    contact_id: str
    sender_id: str  # whom replies are addressed to on the channel (wa_id, PSID, IGSID)
    status: ConversationStatus = ConversationStatus.BOT
    persona: str = "cliente"  # stored as `userType`, the name the system we grew from used
    team: str | None = None
    queue: str | None = None
    priority: Priority | None = None
    assignee: str | None = None
    waiting_since: float | None = None
    handoff: Handoff | None = None
    last_message: str | None = None
    last_message_at: float | None = None
    last_message_sender: SenderType | None = None
    last_inbound_at: float | None = None  # the customer's last message: the 24 h window counts from it
    recipient_phone: str | None = None
    opened_by: str | None = None  # "agent" when a person started it on another channel of the contact
    session: Session = field(default_factory=Session)

    # -- creation -----------------------------------------------------------------------------------------

    @classmethod
    def start(
        cls, message: InboundMessage, *, contact_id: str, persona: str, channel: ChannelConfig
    ) -> Conversation:
        """A person's first message on this account opens the conversation with the channel's defaults."""
        return cls(
            id=message.conversation_id,
            channel=Channel(message.channel),
            account_id=message.account_id,
            contact_id=contact_id,
            sender_id=message.sender.id,
            persona=persona,
            team=channel.default_team,
        )

    @classmethod
    def opened_by_agent(
        cls, *, contact_id: str, channel: Channel, account_id: str, address: Address
    ) -> Conversation:
        """A person continues with the contact on a channel they have not written on through this account."""
        return cls(
            id=conversation_doc_id(channel, account_id, address.recipient_id),
            channel=channel,
            account_id=account_id,
            contact_id=contact_id,
            sender_id=address.recipient_id,
            recipient_phone=address.phone,
            status=ConversationStatus.IN_SERVICE,
            opened_by="agent",
        )

    # -- events -------------------------------------------------------------------------------------------

    def receive(self, message: InboundMessage) -> Conversation:
        """A message arrived on this conversation (possibly late, possibly the business's own echo).

        A customer's message reopens a resolved conversation and moves the window's start forward; an
        echo is the business writing from Meta's apps, so it neither reopens nor opens the window. The
        preview follows the newest message only, whatever order the platform delivered them in.
        """
        changed = replace(self, sender_id=message.sender.id)
        if not message.echo:
            if self.status == ConversationStatus.RESOLVED:
                changed = replace(changed, status=ConversationStatus.BOT)
            if (self.last_inbound_at or 0) < message.timestamp:
                changed = replace(changed, last_inbound_at=message.timestamp)
        if (self.last_message_at or 0) <= message.timestamp:
            changed = replace(
                changed,
                last_message=(message.text or f"[{message.kind}]")[:PREVIEW_CHARS],
                last_message_at=message.timestamp,
                last_message_sender=SenderType.AGENT if message.echo else SenderType.CONTACT,
            )
        return changed

    def bot_replied(self, text: str, at: float) -> Conversation:
        return replace(
            self, last_message=text[:PREVIEW_CHARS], last_message_at=at, last_message_sender=SenderType.BOT
        )

    def hand_off(
        self, *, team: str, reason: str, intent: str | None, sentiment: str | None, at: float
    ) -> Conversation:
        """Queue for a person of `team`; frustrated or urgent customers go first."""
        return replace(
            self,
            status=ConversationStatus.WAITING,
            queue=team,
            team=team,
            priority=Priority.HIGH if sentiment in HIGH_PRIORITY_SENTIMENTS else Priority.NORMAL,
            waiting_since=at,
            handoff=Handoff(reason=reason, intent=intent, sentiment=sentiment, at=at),
        )

    def remember(self, session: Session) -> Conversation:
        return replace(self, session=session)

    # -- questions ----------------------------------------------------------------------------------------

    def window(
        self, now: float, *, is_template: bool = False, by_human: bool = False
    ) -> window.WindowDecision:
        """May a message go to the customer now, and how (Meta's 24 h / 7-day rules)."""
        return window.decide(
            self.channel, self.last_inbound_at, now, is_template=is_template, by_human=by_human
        )
