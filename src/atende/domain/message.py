"""A stored message (the customer's, the bot's, an agent's) and the rules of its life: stored once, answered
at most once, claimed for sending by one worker at a time, statuses only moving forward, and a send that
stalled or failed for a while looked at again by the sweeper (`swept`), never re-sent when its outcome is
unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from atende.domain import status as status_rules
from atende.domain.contacts import Address
from atende.domain.content import AnyContent, Media, MessageContext, PlatformError, Text
from atende.domain.events import InboundMessage, StatusUpdate
from atende.domain.media import KeptMedia, MediaStatus, fetchable, visitor_upload_prefix
from atende.domain.model import (
    Channel,
    Direction,
    MessageKind,
    MessageStatus,
    SenderType,
    Visibility,
    conversation_doc_id,
    message_doc_id,
    stable_id,
)
from atende.domain.routing import RoutingDecision
from atende.domain.triage import Triage
from atende.domain.window import HUMAN_AGENT_WINDOW_S, STANDARD_WINDOW_S, WindowDecision

META_INBOX = "meta_inbox"  # the sender of an echo: someone wrote from Meta's own apps
BOT = "bot"

# The sweeper's rules (docs/architecture.md, "Sends that stall or fail").
RETRY_DELAYS_S = (60.0, 300.0, 1800.0, 7200.0)  # after each retryable failure; one more failure gives up
LOST_PUSH_S = 300.0  # queued this long and never claimed: its push to outbound was lost
MAX_LOST_PUSH_REQUEUES = 3
MAX_LEASE_REQUEUES = 1  # a second expired lease is no longer "the worker died before sending"

UNKNOWN_OUTCOME_TEXT = "Não sabemos se a mensagem chegou; confira antes de reenviar"


class SendStep(StrEnum):
    """One entry of a message's send timeline (`sendHistory`)."""

    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    REQUEUED = "requeued"
    GAVE_UP = "gave_up"


class Requeue(StrEnum):
    """Why the sweeper handed a message to outbound again."""

    LEASE_EXPIRED = "lease_expired"  # the worker sending it died before recording the outcome
    RETRY = "retry"  # a retryable failure, after its delay
    LOST_PUSH = "lost_push"  # queued, but outbound never claimed it


@dataclass(frozen=True)
class SendEvent:
    at: float
    step: SendStep
    reason: str | None = None  # the requeue reason, or the error code


@dataclass(frozen=True)
class GiveUp:
    code: str
    agent_text: str  # pt-BR


RETRIES_EXHAUSTED = GiveUp(
    "retries_exhausted",
    "A Meta seguiu instável e a mensagem não foi enviada depois de várias tentativas; reenvie se ainda "
    "fizer sentido",
)
WINDOW_CLOSED = GiveUp(
    "window_closed",
    "A janela de 24 horas terminou antes de conseguirmos enviar; para falar com o cliente, envie um "
    "modelo aprovado",
)
NEVER_CLAIMED = GiveUp(
    "never_claimed",
    "A mensagem ficou parada na fila de envio e não foi enviada; reenvie se ainda fizer sentido",
)


def agent_message_id(author_id: str, client_id: str) -> str:
    return stable_id("a", author_id, client_id)


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
    send_history: tuple[SendEvent, ...] = ()  # each outcome of a send and each sweeper decision, in order
    # Read/delivery watermarks that arrived while the send was in flight, applied once it is recorded.
    parked: tuple[StatusUpdate, ...] = ()
    # The people's side: who wrote it in the inbox, whether the customer may ever see it, what happened.
    author_id: str | None = None
    author_name: str | None = None
    visibility: Visibility = Visibility.PUBLIC
    event: dict[str, Any] | None = None  # a timeline event: type, by, byName, before, after
    followup_rule: str | None = None  # the follow-up rule that sent it (proactive messages)
    campaign_id: str | None = None  # the campaign that sent it (issue 12)
    campaign_name: str | None = None  # its name then, for the timeline (agents never read `campaigns`)

    @property
    def file_path(self) -> str | None:
        """Where the file this message shows is kept, so a fresh link can be made when the one written on it
        has expired: the file `media_fetch` or the inbox kept (`media`, stored), or a web-chat visitor's
        upload, which is only ever under that visitor's own folder. None: no file of ours to show."""
        if self.media is not None and self.media.status == MediaStatus.STORED and self.media.path:
            return self.media.path
        if self.channel == Channel.WEBCHAT and self.direction == Direction.INBOUND:
            path = self.content.media_id if isinstance(self.content, Media) else None
            if path and path.startswith(visitor_upload_prefix(self.account_id, self.sender)):
                return path
        return None

    @property
    def from_platform(self) -> bool:
        """Brought by a webhook (the customer's message, or the business's echo), not written by Atende."""
        return self.direction == Direction.INBOUND or self.echo

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
        content: Text | None = None,
    ) -> Message:
        """The bot's answer, queued for outbound; it carries the window's start so outbound need not
        read the conversation to judge the 24 h rule. `content`: options to tap (domain/menus.py)."""
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
            content=content or Text(),
            text=text,
            recipient=Address(inbound.sender.id, inbound.sender.phone),
            reply_to=inbound.message_id,
            window_from=window_from,
            status=MessageStatus.QUEUED,
            status_at={MessageStatus.QUEUED: now},
            timestamp=now,
            engine=engine,
        )

    @classmethod
    def by_agent(
        cls,
        *,
        client_id: str,
        author_id: str,
        author_name: str | None,
        conversation_id: str,
        contact_id: str,
        channel: Channel,
        account_id: str,
        recipient: Address,
        window_from: float | None,
        content: AnyContent,
        text: str | None,
        now: float,
        media: KeptMedia | None = None,
    ) -> Message:
        """A person's message, queued for outbound like the bot's. Its id comes from the author and the
        browser's `client_id`, so a resubmitted form finds the first message instead of sending twice.
        `media`: the file attached, as kept in the media store (its path outlives the link)."""
        return cls._written_by_person(
            client_id=client_id,
            author_id=author_id,
            author_name=author_name,
            conversation_id=conversation_id,
            contact_id=contact_id,
            channel=channel,
            account_id=account_id,
            now=now,
            direction=Direction.OUTBOUND,
            kind=content.kind,
            text=text,
            content=content,
            media=media,
            recipient=recipient,
            window_from=window_from,
            status=MessageStatus.QUEUED,
            status_at={MessageStatus.QUEUED: now},
        )

    @classmethod
    def for_campaign(
        cls,
        *,
        message_id: str,
        campaign_id: str,
        campaign_name: str,
        conversation_id: str,
        contact_id: str,
        account_id: str,
        recipient: Address,
        window_from: float | None,
        content: AnyContent,
        text: str,
        now: float,
    ) -> Message:
        """A campaign's approved template, queued for outbound like any reply; its id comes from the
        campaign and the recipient, so a task run twice finds it instead of sending it again."""
        return replace(
            cls.followup(
                message_id=message_id,
                rule=None,
                conversation_id=conversation_id,
                contact_id=contact_id,
                channel=Channel.WHATSAPP,
                account_id=account_id,
                recipient=recipient,
                window_from=window_from,
                content=content,
                text=text,
                now=now,
            ),
            campaign_id=campaign_id,
            campaign_name=campaign_name,
        )

    @classmethod
    def note(
        cls,
        *,
        client_id: str,
        author_id: str,
        author_name: str | None,
        conversation_id: str,
        contact_id: str,
        channel: Channel,
        account_id: str,
        text: str,
        now: float,
    ) -> Message:
        """A private note: for colleagues only, never sent, never shown to a web-chat visitor."""
        return cls._written_by_person(
            client_id=client_id,
            author_id=author_id,
            author_name=author_name,
            conversation_id=conversation_id,
            contact_id=contact_id,
            channel=channel,
            account_id=account_id,
            now=now,
            direction=Direction.INTERNAL,
            visibility=Visibility.INTERNAL,
            kind=MessageKind.TEXT,
            text=text,
            status=MessageStatus.NOTED,
        )

    @classmethod
    def _written_by_person(
        cls,
        *,
        client_id: str,
        author_id: str,
        author_name: str | None,
        conversation_id: str,
        contact_id: str,
        channel: Channel,
        account_id: str,
        now: float,
        **what: Any,
    ) -> Message:
        """Who wrote it and where, the same for a reply and a note; `what` says which of the two it is."""
        return cls(
            id=agent_message_id(author_id, client_id),
            conversation_id=conversation_id,
            contact_id=contact_id,
            channel=channel,
            account_id=account_id,
            sender_type=SenderType.AGENT,
            sender=author_id,
            author_id=author_id,
            author_name=author_name,
            timestamp=now,
            **what,
        )

    @classmethod
    def followup(
        cls,
        *,
        message_id: str,
        rule: str | None,
        conversation_id: str,
        contact_id: str,
        channel: Channel,
        account_id: str,
        recipient: Address,
        window_from: float | None,
        content: AnyContent,
        text: str | None,
        now: float,
    ) -> Message:
        """A proactive message (a follow-up rule's, the satisfaction question, a campaign's), queued for
        outbound like a reply; its id is derived from what sent it (`services/followups.py`: the rule, the
        entity and the window), so the same one can never be stored twice."""
        return cls(
            id=message_id,
            conversation_id=conversation_id,
            contact_id=contact_id,
            channel=channel,
            account_id=account_id,
            direction=Direction.OUTBOUND,
            sender_type=SenderType.BOT,
            sender=BOT,
            is_automation=True,
            kind=content.kind,
            text=text,
            content=content,
            recipient=recipient,
            window_from=window_from,
            status=MessageStatus.QUEUED,
            status_at={MessageStatus.QUEUED: now},
            timestamp=now,
            followup_rule=rule,
        )

    @classmethod
    def timeline_event(
        cls,
        *,
        event_id: str,
        conversation_id: str,
        contact_id: str,
        channel: Channel,
        account_id: str,
        event: dict[str, Any],
        text: str,
        now: float,
    ) -> Message:
        """What a person (or distribution) did to the conversation, as a line of its timeline."""
        return cls(
            id=event_id,
            conversation_id=conversation_id,
            contact_id=contact_id,
            channel=channel,
            account_id=account_id,
            direction=Direction.INTERNAL,
            sender_type=SenderType.SYSTEM,
            sender=str(event.get("by") or "system"),
            visibility=Visibility.INTERNAL,
            kind=MessageKind.SYSTEM,
            text=text,
            event=event,
            status=MessageStatus.NOTED,
            timestamp=now,
        )

    def queued_again(self, now: float, by: str) -> Message:
        """A person asked to send a failed (or unknown-outcome) message again: their decision, recorded."""
        if self.sender_type != SenderType.AGENT or self.status not in (
            MessageStatus.FAILED,
            MessageStatus.UNKNOWN,
        ):
            raise ValueError("only a failed or unknown agent message can be sent again")
        return replace(
            self,
            status=MessageStatus.QUEUED,
            error=None,
            status_at={**self.status_at, MessageStatus.QUEUED: now},
            send_history=(*self.send_history, SendEvent(now, SendStep.REQUEUED, f"agent:{by}")),
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
            send_history=(*self.send_history, SendEvent(now, SendStep.SENT)),
        )
        started = self.status_at.get(MessageStatus.SENDING, self.timestamp)
        for update in self.parked:
            if (update.watermark or 0) >= started:
                sent = sent.delivery(update)
        return sent

    def failed(self, error: SendError, now: float) -> Message:
        return self._ended(MessageStatus.FAILED, error, now, SendStep.FAILED)

    def outcome_unknown(self, error: SendError, now: float) -> Message:
        """The request may have reached the platform (a timeout after it left, a dropped answer): an agent
        decides whether to resend, unless a status for it arrives and settles it (`resolved`)."""
        return self._ended(MessageStatus.UNKNOWN, error, now, SendStep.UNKNOWN)

    def _ended(self, status: MessageStatus, error: SendError, now: float, step: SendStep) -> Message:
        return replace(
            self,
            status=status,
            error=error,
            status_at={**self.status_at, status: now},
            sending_until=None,
            send_claim=None,
            send_history=(*self.send_history, SendEvent(now, step, _code(error))),
        )

    def awaits_outcome(self, now: float) -> bool:
        """Sent or not, nobody will say: its outcome is unknown, the worker holding it is gone, or it was
        re-queued after that; a platform status naming it settles it (`resolved`)."""
        if self.provider_message_id is not None:
            return False
        lease_over = self.status == MessageStatus.SENDING and (self.sending_until or 0) < now
        after_lost_worker = self.status == MessageStatus.QUEUED and self.requeues(Requeue.LEASE_EXPIRED) > 0
        return self.status == MessageStatus.UNKNOWN or lease_over or after_lost_worker

    def resolved(self, update: StatusUpdate) -> Message:
        """A platform status naming this message (WhatsApp echoes our id): it did go out, as `update`'s
        provider id; the status then applies as to any sent message."""
        return self.sent(update.provider_message_id, update.timestamp).delivery(update)

    # -- the sweeper --------------------------------------------------------------------------------------

    def requeues(self, reason: Requeue) -> int:
        return sum(1 for e in self.send_history if e.step == SendStep.REQUEUED and e.reason == reason)

    def window_end(self) -> float | None:
        """When this message can no longer be sent (replies carry the window they were written in): never
        for an approved template; 7 days for a person's reply on Messenger/Instagram (HUMAN_AGENT); else
        24 hours after the customer's last message."""
        if self.window_from is None or self.kind == MessageKind.TEMPLATE:
            return None
        if self.sender_type == SenderType.AGENT and self.channel in (Channel.MESSENGER, Channel.INSTAGRAM):
            return self.window_from + HUMAN_AGENT_WINDOW_S
        return self.window_from + STANDARD_WINDOW_S

    def sweep_due_at(self) -> float | None:
        """When the sweeper must look at this message again; None when nothing can be left hanging."""
        due = self._due()
        end = self.window_end()
        return due if due is None or end is None else min(due, end)

    def _due(self) -> float | None:
        if self.direction != Direction.OUTBOUND or self.echo:
            return None
        if self.status == MessageStatus.QUEUED:
            return self.status_at.get(MessageStatus.QUEUED, self.timestamp) + LOST_PUSH_S
        if self.status == MessageStatus.SENDING:
            return self.sending_until or self.status_at.get(MessageStatus.SENDING, self.timestamp)
        if self.status == MessageStatus.FAILED and self.error is not None and self.error.retryable:
            failed_at = self.status_at.get(MessageStatus.FAILED, self.timestamp)
            done = self.requeues(Requeue.RETRY)
            return failed_at + RETRY_DELAYS_S[done] if done < len(RETRY_DELAYS_S) else failed_at
        return None

    def swept(self, now: float) -> Message | None:
        """What the sweeper makes of it now: re-queued (to be published to outbound), failed for good,
        or of unknown outcome; None when it is not due."""
        due = self.sweep_due_at()
        if due is None or due > now:
            return None
        end = self.window_end()
        if self.status == MessageStatus.SENDING:
            if self.requeues(Requeue.LEASE_EXPIRED) >= MAX_LEASE_REQUEUES or (end is not None and now >= end):
                lost = SendError(
                    message="the worker sending it stopped before recording the outcome",
                    source="atende",
                    code="lease_expired",
                    agent_text=UNKNOWN_OUTCOME_TEXT,
                )
                return self.outcome_unknown(lost, now)
            return self.requeued(now, Requeue.LEASE_EXPIRED)
        if end is not None and now >= end:
            return self.gave_up(WINDOW_CLOSED, now)
        if self.status == MessageStatus.FAILED:
            if self.requeues(Requeue.RETRY) >= len(RETRY_DELAYS_S):
                return self.gave_up(RETRIES_EXHAUSTED, now)
            return self.requeued(now, Requeue.RETRY)
        if self.requeues(Requeue.LOST_PUSH) >= MAX_LOST_PUSH_REQUEUES:
            return self.gave_up(NEVER_CLAIMED, now)
        return self.requeued(now, Requeue.LOST_PUSH)

    def requeued(self, now: float, reason: Requeue) -> Message:
        """Back to `queued` for outbound to claim; the last error stays visible until the send succeeds."""
        return replace(
            self,
            status=MessageStatus.QUEUED,
            status_at={**self.status_at, MessageStatus.QUEUED: now},
            sending_until=None,
            send_claim=None,
            send_history=(*self.send_history, SendEvent(now, SendStep.REQUEUED, str(reason))),
        )

    def gave_up(self, why: GiveUp, now: float) -> Message:
        last = self.error
        error = SendError(
            message=why.code,
            source="atende",
            code=why.code,
            details=last.message if last else None,
            http_status=last.http_status if last else None,
            attempts=self.send_attempts,
            agent_text=why.agent_text,
        )
        return self._ended(MessageStatus.FAILED, error, now, SendStep.GAVE_UP)

    def delivery(self, update: StatusUpdate) -> Message:
        """A platform status: the first time of each is kept; the status itself only moves forward.

        A watermark reaching a message still being sent waits on it for the send's outcome.
        """
        if update.watermark is not None and self.status in (MessageStatus.QUEUED, MessageStatus.SENDING):
            return replace(self, parked=(*self.parked, update))
        if update.watermark is not None and self.status == MessageStatus.UNKNOWN:
            return self  # "everything before T" does not say that this very send reached the platform
        new = MessageStatus(update.status)
        moved = replace(self, status_at={new: update.timestamp, **self.status_at})
        if not status_rules.advances(self.status, new):
            return moved
        error = platform_error(update.errors) if new == MessageStatus.FAILED else moved.error
        return replace(moved, status=new, error=error)

    def read_by_business(self, at: float) -> Message:
        """A person opened the conversation: the customer's messages show as read (web chat's blue ticks,
        where the receipt is this write rather than a platform call)."""
        if self.direction != Direction.INBOUND or not status_rules.advances(self.status, MessageStatus.READ):
            return self
        return replace(self, status=MessageStatus.READ, status_at={**self.status_at, MessageStatus.READ: at})

    def addressed_to(self, update: StatusUpdate) -> bool:
        """A web-chat status comes from the visitor's browser: it may only touch their own conversation."""
        if update.channel != Channel.WEBCHAT:
            return True
        return self.conversation_id == conversation_doc_id(
            Channel.WEBCHAT, update.account_id, update.recipient_id or ""
        )

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


def _code(error: SendError) -> str | None:
    return None if error.code is None else str(error.code)


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
