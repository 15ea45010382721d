"""The conversation: one person on one business account of one channel, and every rule about its state.

Reopening, the customer-service window, what a business echo may change, the
default team and persona, handoffs to a person and the moves between the queue
states are decided here and only here. Each rule returns the conversation as it
is after the event; the repository writes what changed, so a rule never depends
on how the document is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from atende.domain import csat, window
from atende.domain.channels import ChannelConfig
from atende.domain.contacts import Address, address_on
from atende.domain.errors import WorkflowRefused
from atende.domain.events import InboundMessage
from atende.domain.model import Channel, ConversationStatus, Priority, SenderType, conversation_doc_id
from atende.domain.phone import to_e164
from atende.domain.session import Session

PREVIEW_CHARS = 200
HIGH_PRIORITY_SENTIMENTS = ("frustrated", "urgent")
# The bot's conversation, silent this long, is closed by the tick (docs/reports.md). Longer than the
# 48-hour follow-up waits ("still active": status bot) plus a day for the customer to answer it.
BOT_IDLE_CLOSE_S = 72 * 3600
BOT = "bot"  # `resolved_by` when nobody but the bot served it

TYPING_SHOWN_S = 6.0  # how long one 'is typing' from the inbox keeps the indicator on


@dataclass(frozen=True)
class VisitorView:
    answered_by: str  # "bot", "queue", "person" or "closed"
    typing_until: float | None = None
    typing_by: str | None = None


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
    # The people's side (docs/inbox.md): who has it, since when, and how it ended.
    assigned_at: float | None = None
    labels: tuple[str, ...] = ()
    snoozed_until: float | None = None
    first_response_at: float | None = None  # a person's first message since the handoff
    resolved_at: float | None = None
    resolved_by: str | None = None
    opened_at: float | None = None  # this episode's start: created, or reopened (reports' resolution time)
    unread_count: int = 0  # customer messages since a person last opened it
    contact_name: str | None = None  # the name the platform gave, for the inbox's list (contacts are private)
    csat_asked_at: float | None = None  # the satisfaction question went out after this resolution
    csat_score: int | None = None  # the customer's 1–5 answer (domain/csat.py)
    csat_at: float | None = None
    typing_until: float | None = None  # a person is writing to the customer (web chat shows it)
    typing_by: str | None = None  # their display name
    # Our message was the last and the customer has not answered since: when that silence began. The
    # 48 h follow-up reads it (cleared by the customer's next message and by the follow-up itself).
    awaiting_reply_since: float | None = None
    last_campaign_id: str | None = None  # the campaign whose message awaits the customer's reply

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
            opened_at=message.timestamp,
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

    @classmethod
    def opened_for_campaign(
        cls, *, contact_id: str, account_id: str, address: Address, persona: str, team: str | None
    ) -> Conversation:
        """A campaign writes first: the conversation the customer's reply will continue, with the bot."""
        return cls(
            id=conversation_doc_id(Channel.WHATSAPP, account_id, address.recipient_id),
            channel=Channel.WHATSAPP,
            account_id=account_id,
            contact_id=contact_id,
            sender_id=address.recipient_id,
            recipient_phone=address.phone,
            persona=persona,
            team=team,
            opened_by="campaign",
        )

    def campaign_sent(self, preview: str, at: float, campaign_id: str) -> Conversation:
        """A campaign's message went into it; the customer's next message is that campaign's reply."""
        return replace(self.bot_replied(preview, at), last_campaign_id=campaign_id)

    def campaign_replied(self) -> Conversation:
        return replace(self, last_campaign_id=None)

    # -- events -------------------------------------------------------------------------------------------

    def receive(self, message: InboundMessage) -> Conversation:
        """A message arrived on this conversation (possibly late, possibly the business's own echo).

        A customer's message reopens a resolved conversation and moves the window's start forward; an
        echo is the business writing from Meta's apps, so it neither reopens nor opens the window. The
        preview follows the newest message only, whatever order the platform delivered them in.
        """
        changed = replace(self, sender_id=message.sender.id)
        if not message.echo and message.sender.name:
            changed = replace(changed, contact_name=message.sender.name)
        if not message.echo:
            changed = replace(changed, unread_count=self.unread_count + 1, awaiting_reply_since=None)
            if self.status == ConversationStatus.RESOLVED:
                changed = replace(
                    changed,
                    status=ConversationStatus.BOT,
                    assignee=None,
                    assigned_at=None,
                    resolved_at=None,
                    resolved_by=None,
                    first_response_at=None,
                    opened_at=message.timestamp,
                    session=replace(self.session, introduced=False),  # a new episode: introduce again
                )
            elif self.status == ConversationStatus.SNOOZED:
                changed = changed._awake(message.timestamp)
            if (self.last_inbound_at or 0) < message.timestamp:
                changed = replace(changed, last_inbound_at=message.timestamp)
        if (self.last_message_at or 0) <= message.timestamp:
            changed = replace(
                changed,
                last_message=(message.text or f"[{message.kind}]")[:PREVIEW_CHARS],
                last_message_at=message.timestamp,
                last_message_sender=SenderType.AGENT if message.echo else SenderType.CONTACT,
            )
            if message.echo:
                changed = replace(changed, awaiting_reply_since=message.timestamp)
        return changed

    def bot_replied(self, text: str, at: float) -> Conversation:
        return replace(
            self,
            last_message=text[:PREVIEW_CHARS],
            last_message_at=at,
            last_message_sender=SenderType.BOT,
            awaiting_reply_since=at,
        )

    def followed_up(self, preview: str, at: float) -> Conversation:
        """A follow-up went out: the preview moves, and the silence it answered is closed, so the same
        silence never earns a second one."""
        return replace(
            self,
            last_message=preview[:PREVIEW_CHARS],
            last_message_at=at,
            last_message_sender=SenderType.BOT,
            awaiting_reply_since=None,
        )

    def silence_closed(self) -> Conversation:
        """The 48 h follow-up was decided (skipped: opted out, outside the window): not looked at again
        until our next message."""
        return replace(self, awaiting_reply_since=None)

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
            first_response_at=None,  # a person's first answer after this handoff is the one reports time
        )

    def remember(self, session: Session) -> Conversation:
        return replace(self, session=session)

    # -- the people's workflow (docs/inbox.md) --------------------------------------------------------------

    def assign(self, agent_id: str, at: float, *, team: str | None = None) -> Conversation:
        """A person has it now; the bot falls silent. `team` moves it to that team's queue as well."""
        if self.status == ConversationStatus.RESOLVED:
            raise WorkflowRefused("Conversa encerrada: reabra antes de atribuir")
        if (
            self.assignee == agent_id
            and self.status == ConversationStatus.IN_SERVICE
            and team in (None, self.team)
        ):
            raise WorkflowRefused("A conversa já está com essa pessoa")
        return replace(
            self,
            status=ConversationStatus.IN_SERVICE,
            assignee=agent_id,
            assigned_at=at,
            team=team or self.team,
            queue=team or self.queue or self.team,
            snoozed_until=None,
        )

    def continued_by(self, agent_id: str, at: float, *, team: str | None) -> Conversation:
        """A person continues with the contact here from another channel: whatever it was (the bot's, in a
        queue, resolved long ago), it is theirs now, in `team` if it had none."""
        return replace(
            self,
            status=ConversationStatus.IN_SERVICE,
            assignee=agent_id,
            assigned_at=at,
            team=self.team or team,
            queue=self.queue or self.team or team,
            snoozed_until=None,
            resolved_at=None,
            resolved_by=None,
            opened_at=at if self.status == ConversationStatus.RESOLVED else self.opened_at,
        )

    def to_team(self, team: str, at: float) -> Conversation:
        """Back in the queue, of `team`: whoever of it is free next takes it."""
        if self.status == ConversationStatus.RESOLVED:
            raise WorkflowRefused("Conversa encerrada: reabra antes de transferir")
        if team == self.team and self.status == ConversationStatus.WAITING and self.assignee is None:
            raise WorkflowRefused("A conversa já está na fila dessa equipe")
        return replace(
            self,
            status=ConversationStatus.WAITING,
            team=team,
            queue=team,
            assignee=None,
            assigned_at=None,
            waiting_since=at,
            snoozed_until=None,
        )

    def snooze(self, until: float, at: float) -> Conversation:
        if self.status in (ConversationStatus.RESOLVED, ConversationStatus.BOT):
            raise WorkflowRefused("Só conversas com uma pessoa podem ser adiadas")
        if until <= at:
            raise WorkflowRefused("Escolha um horário no futuro para retomar a conversa")
        return replace(self, status=ConversationStatus.SNOOZED, snoozed_until=until)

    def wake(self, now: float) -> Conversation:
        """The snooze's time came (the sweep tick asks): back to its person, or to the queue."""
        if self.status != ConversationStatus.SNOOZED or (self.snoozed_until or 0) > now:
            return self
        return self._awake(now)

    def _awake(self, now: float) -> Conversation:
        if self.assignee:
            return replace(self, status=ConversationStatus.IN_SERVICE, snoozed_until=None)
        return replace(self, status=ConversationStatus.WAITING, snoozed_until=None, waiting_since=now)

    def resolve(self, by: str, at: float) -> Conversation:
        if self.status == ConversationStatus.RESOLVED:
            raise WorkflowRefused("A conversa já está encerrada")
        return replace(
            self, status=ConversationStatus.RESOLVED, resolved_at=at, resolved_by=by, snoozed_until=None
        )

    def reopen(self, at: float) -> Conversation:
        if self.status != ConversationStatus.RESOLVED:
            raise WorkflowRefused("Só conversas encerradas podem ser reabertas")
        if self.assignee:
            return replace(
                self, status=ConversationStatus.IN_SERVICE, resolved_at=None, resolved_by=None, opened_at=at
            )
        return replace(
            self,
            status=ConversationStatus.WAITING,
            resolved_at=None,
            resolved_by=None,
            waiting_since=at,
            opened_at=at,
        )

    def close_idle(self, now: float) -> Conversation:
        """The bot's conversation nobody wrote on for `BOT_IDLE_CLOSE_S` is over: resolved by the bot, so
        an episode no person touched ends (reports' automatic resolution); the next message reopens it."""
        if self.status != ConversationStatus.BOT or (self.last_message_at or now) > now - BOT_IDLE_CLOSE_S:
            return self
        return replace(self, status=ConversationStatus.RESOLVED, resolved_at=now, resolved_by=BOT)

    def back_to_bot(self) -> Conversation:
        if self.status == ConversationStatus.BOT:
            raise WorkflowRefused("O robô já atende esta conversa")
        return replace(
            self,
            status=ConversationStatus.BOT,
            assignee=None,
            assigned_at=None,
            queue=None,
            waiting_since=None,
            snoozed_until=None,
            session=replace(self.session, flow=None, awaiting_input=False, sentiments=()),
        )

    def relabel(self, add: Iterable[str], remove: Iterable[str]) -> Conversation:
        removed = set(remove)
        labels = [label for label in self.labels if label not in removed]
        labels += [label for label in dict.fromkeys(add) if label not in labels and label not in removed]
        return replace(self, labels=tuple(labels))

    def prioritised(self, priority: Priority) -> Conversation:
        return replace(self, priority=priority)

    def read(self) -> Conversation:
        return replace(self, unread_count=0)

    def agent_replied(self, preview: str, at: float) -> Conversation:
        """A person's message: the preview moves; the first one since the handoff is the first response."""
        return replace(
            self,
            last_message=preview[:PREVIEW_CHARS],
            last_message_at=at,
            last_message_sender=SenderType.AGENT,
            first_response_at=self.first_response_at or at,
            typing_until=None,
            awaiting_reply_since=at,
        )

    def address(self, identities: Iterable[str]) -> Address:
        """Where a proactive message to this customer goes: their identity on the channel, else whom the
        conversation already answers."""
        found = address_on(self.channel, list(identities))
        if found is not None:
            return found
        phone = self.recipient_phone
        if phone is None and self.channel == Channel.WHATSAPP:
            phone = to_e164(self.sender_id)
        return Address(self.sender_id, phone)

    def csat_asked(self, now: float) -> Conversation:
        return replace(self, csat_asked_at=now, csat_score=None, csat_at=None)

    def awaits_csat(self, now: float) -> bool:
        """Resolved, asked, not yet answered, and asked recently enough that a lone digit is an answer."""
        return (
            self.status == ConversationStatus.RESOLVED
            and self.csat_asked_at is not None
            and self.csat_score is None
            and now - self.csat_asked_at <= csat.ANSWERABLE_S
        )

    def rated(self, score: int, message_at: float, now: float) -> Conversation:
        """The answer scores the episode that ended; the conversation stays resolved (no new episode)."""
        return replace(self, csat_score=score, csat_at=now, last_inbound_at=message_at)

    def typing(self, name: str, now: float) -> Conversation:
        """The composer says so every few seconds while its person writes; the indicator lapses by itself
        when they stop, close the tab or lose the connection."""
        return replace(self, typing_until=now + TYPING_SHOWN_S, typing_by=name)

    def seen_by_visitor(self) -> VisitorView | None:
        """What a web-chat visitor may know of their conversation: whether the bot, the queue or a person
        answers, and whether that person is typing. Nothing else (labels, priority, who exactly, the bot's
        memory) leaves the staff's side."""
        if self.channel != Channel.WEBCHAT:
            return None
        answered_by = {
            ConversationStatus.BOT: "bot",
            ConversationStatus.WAITING: "queue",
            ConversationStatus.RESOLVED: "closed",
        }.get(self.status, "person")
        return VisitorView(answered_by=answered_by, typing_until=self.typing_until, typing_by=self.typing_by)

    def workflow_state(self) -> dict[str, object]:
        """What a person's action may change: the before/after of its timeline event and audit entry."""
        return {
            "status": str(self.status),
            "assignee": self.assignee,
            "team": self.team,
            "priority": str(self.priority) if self.priority else None,
            "labels": list(self.labels),
            "snoozedUntil": self.snoozed_until,
        }

    @property
    def is_open(self) -> bool:
        """Counts against its person's capacity."""
        return self.assignee is not None and self.status in (
            ConversationStatus.IN_SERVICE,
            ConversationStatus.SNOOZED,
        )

    # -- questions ----------------------------------------------------------------------------------------

    def window(
        self, now: float, *, is_template: bool = False, by_human: bool = False
    ) -> window.WindowDecision:
        """May a message go to the customer now, and how (Meta's 24 h / 7-day rules)."""
        return window.decide(
            self.channel, self.last_inbound_at, now, is_template=is_template, by_human=by_human
        )
