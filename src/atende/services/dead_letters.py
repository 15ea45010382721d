"""A message a consumer failed five times, taken off its dead-letter topic and put where admins look.

Pub/Sub (or, in the dev stack, `atende.dev.dead_letters`) moves a message that
failed `MAX_DELIVERY_ATTEMPTS` pushes to its topic's `-dlq` topic; the
`dead_letters` function is pushed every one of them. It writes one `omni_logs`
entry (kind `dead_lettered`: which consumer, how many attempts, the channel and
account when the payload names them, a truncated payload) and counts a
`deadLetters` signal in channel health, and keeps the whole message in
`dead_letters` for the console to show and send back (`dead_letter_console`),
all in one commit and once per Pub/Sub message however often it is
redelivered. The `-dlq-inspect` pull subscriptions still keep the message
itself for a week (the fallback for a letter too big to keep).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from atende import topics
from atende.domain import events
from atende.domain.channel_health import CRM, SYSTEM, WEBHOOK, ChannelSignal, Signal
from atende.domain.crm import CrmEvent
from atende.domain.dead_letter import StoredLetter
from atende.domain.model import stable_id
from atende.services.failures import FailureKind, FailureLog
from atende.services.media import MediaJob
from atende.services.read_receipts import ReadReceipt
from atende.topology import CONSUMERS

if TYPE_CHECKING:
    from atende.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# Attributes Pub/Sub adds to a dead-lettered message (the dev stack's stand-in adds the same).
SOURCE_SUBSCRIPTION = "CloudPubSubDeadLetterSourceSubscription"
DELIVERY_COUNT = "CloudPubSubDeadLetterSourceDeliveryCount"


@dataclass(frozen=True, kw_only=True)
class DeadLetter:
    pubsub_id: str  # the dead-letter topic's message id: the same on every redelivery
    attributes: Mapping[str, str]
    data: bytes
    at: float

    @property
    def subscription(self) -> str:
        """The source subscription's short name (Pub/Sub may give it as a full path)."""
        return self.attributes.get(SOURCE_SUBSCRIPTION, "").rsplit("/", 1)[-1]

    @property
    def consumer(self) -> str:
        """The function that gave up, from its subscription (`<topic>-<target>`)."""
        found = next((c for c in CONSUMERS if c.subscription == self.subscription), None)
        return found.target if found else self.subscription or "unknown"

    @property
    def topic(self) -> str | None:
        return next((c.topic for c in CONSUMERS if c.subscription == self.subscription), None)

    @property
    def attempts(self) -> int | None:
        count = self.attributes.get(DELIVERY_COUNT, "")
        return int(count) if count.isdigit() else None

    @property
    def log_id(self) -> str:
        return stable_id("d", self.pubsub_id)


@dataclass(frozen=True, kw_only=True)
class Named:
    """What a dead letter's payload says it was about, when it says."""

    channel: str | None = None
    account_id: str | None = None
    message_id: str | None = None
    conversation_id: str | None = None


MessageLookup = Callable[[str], Named]  # a stored message's id → its channel and account (a read)


def named(topic: str | None, data: bytes, message: MessageLookup) -> Named:
    """Decodes the payload as its topic's consumer would; anything unreadable names nothing."""
    try:
        if topic in (topics.INBOUND, topics.STATUS):
            return _event(events.decode(data))
        if topic == topics.MEDIA:  # the stored message says where it is, whatever the job claims
            job = MediaJob.decode(data)
            stored = message(job.message_id)
            return stored if stored.channel else Named(channel=job.channel, message_id=job.message_id)
        if topic == topics.OUTBOUND:
            if ReadReceipt.is_one(data):
                receipt = ReadReceipt.decode(data)
                return Named(channel=receipt.channel, account_id=receipt.account_id)
            return message(data.decode().strip())
        if topic == topics.CRM:
            return Named(channel=CRM, account_id=WEBHOOK, conversation_id=CrmEvent.from_body(data).subject)
    except (ValueError, TypeError, AttributeError, KeyError, RecursionError):
        pass
    return Named()


def _event(event: events.Event) -> Named:
    match event:
        case events.InboundMessage():
            return Named(
                channel=str(event.channel),
                account_id=event.account_id,
                message_id=event.message_id,
                conversation_id=event.conversation_id,
            )
        case events.StatusUpdate():
            return Named(channel=str(event.channel), account_id=event.account_id, message_id=event.message_id)
        case _:  # a rejected item or a forged count: the channel's webhook
            return Named(channel=str(event.channel), account_id=WEBHOOK)


def record(uow: Callable[[], UnitOfWork], letter: DeadLetter) -> bool:
    """Logs, keeps and counts the dead letter once; False when a redelivery found it already recorded."""
    with uow() as work:
        if work.omni_logs.recorded(letter.log_id):
            return False
        about = named(letter.topic, letter.data, lambda message_id: _message(work, message_id))
        attempts = letter.attempts
        entry = FailureLog.of(
            id=letter.log_id,
            source=letter.consumer,
            kind=FailureKind.DEAD_LETTERED,
            reason=(
                f"{letter.consumer} failed it {attempts or 'too many'} times; Pub/Sub moved it from "
                f"{letter.subscription or 'an unknown subscription'} to the dead-letter topic"
            ),
            payload=letter.data,
            at=letter.at,
            message_id=about.message_id,
            conversation_id=about.conversation_id,
            attempts=attempts,
            channel=about.channel,
            account_id=about.account_id,
        )
        log.error("dead letter %s: %s", letter.pubsub_id, entry.reason)
        work.omni_logs.add(entry)
        work.dead_letters.add(
            StoredLetter.kept(
                id=letter.log_id,
                pubsub_id=letter.pubsub_id,
                topic=letter.topic,
                subscription=letter.subscription,
                consumer=letter.consumer,
                attempts=attempts,
                data=letter.data,
                attributes=letter.attributes,
                at=letter.at,
                channel=about.channel,
                account_id=about.account_id,
            )
        )
        work.metrics.signal(
            ChannelSignal(
                channel=about.channel or SYSTEM,
                account_id=about.account_id or WEBHOOK,
                signal=Signal.DEAD_LETTERS,
                at=letter.at,
            )
        )
        work.commit()
    return True


def _message(work: UnitOfWork, message_id: str) -> Named:
    found = work.messages.get(message_id) if message_id and "/" not in message_id else None
    if found is None:
        return Named(message_id=message_id or None)
    return Named(
        channel=str(found.channel),
        account_id=found.account_id,
        message_id=found.id,
        conversation_id=found.conversation_id,
    )
