"""The life of a message after it is stored: claimed for sending, sent or failed, delivered and read,
its media kept — each step one unit of work, with the rules in `Message`.

Statuses may arrive before we recorded the provider id they name (Meta's
webhook can beat our own bookkeeping); they are parked on the provider-id
alias, which `record_sent` creates, so whichever of the two commits second
sees the other and the parked statuses are applied, never lost.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from atende.domain.channel_health import ChannelSignal, Signal
from atende.domain.events import StatusUpdate
from atende.domain.media import KeptMedia
from atende.domain.message import Message, OutgoingMessage, SendError
from atende.domain.model import Channel, MessageKind, conversation_doc_id
from atende.domain.window import STANDARD_WINDOW_S
from atende.services.unit_of_work import UnitOfWork, atomically

log = logging.getLogger(__name__)

WATERMARK_SCAN = 50  # outgoing messages a read/delivery watermark may still move forward
WINDOW_HINT_MARGIN_S = 3600.0  # a reply's windowFrom this close to 24 h old: read the conversation
ECHO_CHANNELS = (Channel.MESSENGER, Channel.INSTAGRAM)


class Deliveries:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Callable[[], float] = time.time) -> None:
        self._uow = uow
        self._clock = clock
        # What this worker claimed and is sending: recording the send needs no read of it.
        self._in_flight: dict[str, Message] = {}

    # -- sending ------------------------------------------------------------------------------------------

    def claim_for_send(self, message_id: str, lease_s: float) -> OutgoingMessage | None:
        """queued → sending under a lease; None when it is already sent, failed or in another's hands.

        A message whose earlier worker died (lease expired) is first settled by a status parked for it, if
        one came: that send went out, and sending it again would be a duplicate.
        """

        token = uuid.uuid4().hex

        def step(uow: UnitOfWork) -> Message | None:
            message = uow.messages.get(message_id)
            if message is not None and self._settle_lost_send(uow, message):
                return None  # a lost worker's send did go out: not to be sent again
            claimed = message.claim(self._clock(), lease_s, token) if message else None
            if message is None or claimed is None:
                return None
            if claimed is not message:  # else our own claim, already written
                uow.messages.save(message, claimed)  # a campaign's send is `sending` already
                uow.commit()
            return claimed

        claimed = atomically(self._uow, step)
        if claimed is None:
            return None
        self._in_flight[message_id] = claimed
        return claimed.outgoing(self._window_start(claimed))

    def _window_start(self, message: Message) -> float | None:
        """lastInboundAt only moves forward: while the reply's windowFrom is well inside the 24 h window,
        every window decision comes out the same with it as with the conversation's current value."""
        hint = message.window_from
        if hint is not None and self._clock() - hint < STANDARD_WINDOW_S - WINDOW_HINT_MARGIN_S:
            return hint
        if message.channel == Channel.WHATSAPP and message.kind == MessageKind.TEMPLATE:
            return hint  # an approved template goes whatever the window: nothing to read
        with self._uow() as uow:
            conversation = uow.conversations.get(message.conversation_id)
        return conversation.last_inbound_at if conversation else None

    def record_sent(self, message_id: str, provider_message_id: str, channel: str) -> None:
        """Sent, and the provider id remembered so statuses (and Messenger's echo of it) find the message.

        Usually one unread write: the message as this worker claimed it (nobody else writes a message
        while it is ours: its statuses park on the alias), and the alias created. If a status was parked
        there first, or the channel echoes sends back, the alias and the echo are read and settled in the
        same commit.
        """
        claimed = self._in_flight.pop(message_id, None)
        echoes = Channel(channel) in ECHO_CHANNELS
        tries = 0

        def step(uow: UnitOfWork) -> None:
            nonlocal tries
            tries += 1
            fast = claimed is not None and tries == 1 and not echoes  # a conflict means: read this time
            if fast:
                message: Message | None = claimed
            else:
                echo_id = Message.received_id(Channel(channel), provider_message_id)
                uow.prefetch(messages=[message_id, echo_id], provider_ids=[(channel, provider_message_id)])
                message = uow.messages.get(message_id)
                echo = uow.messages.get(echo_id) if echoes else None
                if echo is not None and echo.echo:
                    uow.messages.remove(echo)  # the echo raced ahead of this record: not a second copy
            if message is None:
                return
            if message.provider_message_id is None:  # its first record: channel health counts the send
                _signal(uow, message, Signal.SENT, self._clock())
            sent = message.sent(provider_message_id, self._clock())
            if not fast:  # the fast path creates the alias unread: a parked status makes that conflict
                sent = _with_parked(uow, channel, provider_message_id, sent)
            uow.provider_ids.remember(channel, provider_message_id, message_id)
            _save(uow, message, sent)
            uow.commit()

        atomically(self._uow, step)

    def record_failed(self, message_id: str, error: SendError) -> None:
        self._in_flight.pop(message_id, None)

        def failed(uow: UnitOfWork, message: Message) -> Message:
            _signal(uow, message, Signal.FAILED, self._clock(), error)
            return message.failed(error, self._clock())

        self._change(message_id, failed)

    def record_unknown(self, message_id: str, error: SendError) -> None:
        """`unknown`; a status that named it while the send was in flight (parked) settles it at once."""
        self._in_flight.pop(message_id, None)

        def unknown(uow: UnitOfWork, message: Message) -> Message:
            _signal(uow, message, Signal.UNKNOWN, self._clock(), error)
            return settled(uow, message.outcome_unknown(error, self._clock()))

        self._change(message_id, unknown)

    def _change(self, message_id: str, change: Callable[[UnitOfWork, Message], Message]) -> None:
        """One message rewritten by a rule, in its own unit of work (nothing, if it is gone)."""

        def step(uow: UnitOfWork) -> None:
            message = uow.messages.get(message_id)
            if message is not None:
                _save(uow, message, change(uow, message))
                uow.commit()

        atomically(self._uow, step)

    def _settle_lost_send(self, uow: UnitOfWork, message: Message) -> Message | None:
        """A send whose worker died, settled (and committed) by a status parked for it, if one came."""
        if not message.awaits_outcome(self._clock()):
            return None
        found = settled(uow, message)
        if found is message:
            return None
        _save(uow, message, found)
        uow.commit()
        return found

    # -- delivery statuses --------------------------------------------------------------------------------

    def apply_status(self, update: StatusUpdate) -> str:
        """'applied', 'stale' (an older status arriving late), or 'orphan' (parked for the send)."""

        def step(uow: UnitOfWork) -> str:
            message = uow.messages.get(update.message_id) if update.message_id else None
            if message is None and update.channel == Channel.WEBCHAT:
                return "foreign"  # a visitor's browser names our ids: nothing is parked for one that is not
            if message is not None and not message.addressed_to(update):
                log.warning("status for %s from outside its conversation: ignored", message.id)
                return "foreign"
            if message is not None and update.watermark is None and message.awaits_outcome(self._clock()):
                # It named our message, whose send nobody will record: it went out, as this provider id.
                resolved = resolve(uow, message, update)
                _save(uow, message, resolved)
                uow.commit()
                return "applied"
            if message is None or message.provider_message_id != update.provider_message_id:
                # Not ours, or not recorded as sent yet: the alias says, or the status waits on it.
                message_id = uow.provider_ids.message_for(str(update.channel), update.provider_message_id)
                message = uow.messages.get(message_id) if message_id else None
            if message is not None and not message.addressed_to(update):
                log.warning("status for %s from outside its conversation: ignored", message.id)
                return "foreign"
            if message is None:
                uow.provider_ids.park(update)
                uow.commit()
                return "orphan"
            moved = message.delivery(update)
            if moved != message:  # a repeated status (our own `sent`, a redelivery) writes nothing
                _save(uow, message, moved)
                uow.commit()
            return "applied" if moved.status != message.status else "stale"

        return atomically(self._uow, step)

    def apply_watermark(self, update: StatusUpdate) -> int:
        """Everything we sent on the conversation before the watermark was delivered (or read).

        Messenger names no message here; the watermark is Meta's clock, and our messages are stamped
        when created, which is never later than Meta's, so nothing newer is touched.
        """
        conversation_id = conversation_doc_id(
            str(update.channel), update.account_id, update.recipient_id or ""
        )

        def step(uow: UnitOfWork) -> int:
            count = 0
            for message in uow.messages.latest(conversation_id=conversation_id, limit=WATERMARK_SCAN):
                if not message.covered_by(update):
                    continue
                moved = message.delivery(update)
                if moved != message:
                    _save(uow, message, moved)  # guarded: a send recorded meanwhile re-runs this
                    count += moved.status != message.status
            uow.commit()
            return count

        return atomically(self._uow, step)

    def mark_inbound_read(self, conversation_id: str) -> int:
        """A person opened a web-chat conversation: the visitor's recent messages become `read`."""

        def step(uow: UnitOfWork) -> int:
            now = self._clock()
            count = 0
            for message in uow.messages.latest(conversation_id=conversation_id, limit=WATERMARK_SCAN):
                moved = message.read_by_business(now)
                if moved != message:
                    uow.messages.save(message, moved)
                    count += 1
            if count:
                uow.commit()
            return count

        return atomically(self._uow, step)

    # -- the sweeper --------------------------------------------------------------------------------------

    def due_for_sweep(self, limit: int) -> list[str]:
        with self._uow() as uow:
            return [m.id for m in uow.messages.due_for_sweep(self._clock(), limit)]

    def sweep_one(self, message_id: str) -> Message | None:
        """The message as the sweeper left it (None: not due any more, e.g. a concurrent sweep took it);
        a send whose worker died is first settled by a status parked for it, if one came."""

        def step(uow: UnitOfWork) -> Message | None:
            message = uow.messages.get(message_id)
            if message is None:
                return None
            found = self._settle_lost_send(uow, message)
            if found is not None:
                return found
            swept = message.swept(self._clock())
            if swept is None:
                return None
            _save(uow, message, swept)
            uow.commit()
            return swept

        return atomically(self._uow, step)

    # -- media --------------------------------------------------------------------------------------------

    def media_state(self, message_id: str) -> KeptMedia | None:
        with self._uow() as uow:
            message = uow.messages.get(message_id)
        return message.media if message else None

    def set_media(self, message_id: str, media: KeptMedia) -> None:
        self._change(message_id, lambda uow, message: message.with_media(media))


def _save(uow: UnitOfWork, before: Message, after: Message) -> None:
    """A message's step; a campaign's send record follows it in the same commit (status and counts)."""
    uow.messages.save(before, after)
    if after.campaign_id is not None:
        uow.campaigns.follow(before, after)


def resolve(uow: UnitOfWork, message: Message, update: StatusUpdate) -> Message:
    """The send went out as `update`'s provider id: record the alias, with any status parked on it."""
    channel, provider_id = str(update.channel), update.provider_message_id
    resolved = _with_parked(uow, channel, provider_id, message.resolved(update))
    uow.provider_ids.remember(channel, provider_id, message.id)
    return resolved


def _with_parked(uow: UnitOfWork, channel: str, provider_message_id: str, message: Message) -> Message:
    """The statuses that arrived for this provider id before we knew its message, applied to it."""
    for update in uow.provider_ids.parked(channel, provider_message_id):
        if message.addressed_to(update):
            message = message.delivery(update)
    return message


def settled(uow: UnitOfWork, message: Message) -> Message:
    """A message awaiting its outcome, settled by a status that named it and was parked (WhatsApp)."""
    found = uow.provider_ids.parked_for(message.id)
    return resolve(uow, message, found) if found is not None else message


def _signal(
    uow: UnitOfWork, message: Message, signal: Signal, at: float, error: SendError | None = None
) -> None:
    """A send's outcome, for its account's channel health, in the commit that records it."""
    code = str(error.code) if error is not None and error.code is not None else None
    uow.metrics.signal(
        ChannelSignal(
            channel=str(message.channel), account_id=message.account_id, signal=signal, at=at, code=code
        )
    )
