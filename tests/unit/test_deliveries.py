"""A stored message after the attendant, on in-memory fakes: claimed once, sent, statuses forward only."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from atende.domain.channels import ChannelConfig
from atende.domain.content import Text
from atende.domain.conversation import Conversation
from atende.domain.events import InboundMessage, Sender, StatusUpdate
from atende.domain.message import Message, SendError
from atende.domain.model import Channel, MessageStatus
from atende.services.deliveries import Deliveries
from tests.fakes import FakeUnitOfWork, Store, Versioned

ACCOUNT = "1234567890"
PSID = "PSID1"


def inbound(channel: Channel = Channel.WHATSAPP, at: float | None = None) -> InboundMessage:
    return InboundMessage(
        channel=channel,
        account_id=ACCOUNT,
        provider_message_id=f"in.{time.monotonic_ns()}",
        sender=Sender(id=PSID, name="Maria"),
        timestamp=at or time.time(),
        text="oi",
        content=Text(),
    )


def queued(store: Store, channel: Channel = Channel.WHATSAPP, created: float | None = None) -> Message:
    message = inbound(channel)
    reply = Message.bot_reply(
        message,
        contact_id="c",
        window_from=message.timestamp,
        text="Olá!",
        engine={},
        now=created or time.time(),
    )
    store.messages[reply.id] = Versioned(reply, 1)
    return reply


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def deliveries(uow) -> Deliveries:
    return Deliveries(uow)


def status(provider_id: str, state: str, channel: Channel = Channel.WHATSAPP) -> StatusUpdate:
    return StatusUpdate(
        channel=channel,
        account_id=ACCOUNT,
        provider_message_id=provider_id,
        status=state,
        timestamp=time.time(),
    )


def test_a_message_is_claimed_once_until_its_lease_runs_out(uow, deliveries):
    reply = queued(uow.store)
    claimed = deliveries.claim_for_send(reply.id, lease_s=60)
    assert claimed and claimed.text == "Olá!" and claimed.last_inbound_at == reply.window_from
    assert deliveries.claim_for_send(reply.id, lease_s=60) is None
    stuck = uow.store.message(reply.id)
    uow.store.messages[reply.id].value = replace(stuck, sending_until=time.time() - 1)
    assert deliveries.claim_for_send(reply.id, lease_s=60) is not None  # its worker died: take it over
    assert uow.store.message(reply.id).send_attempts == 2


def test_sent_then_statuses_only_move_forward_and_keep_their_first_time(uow, deliveries):
    reply = queued(uow.store)
    deliveries.claim_for_send(reply.id, 60)
    deliveries.record_sent(reply.id, "wamid.OUT", "whatsapp")
    assert deliveries.apply_status(status("wamid.OUT", "read")) == "applied"
    assert deliveries.apply_status(status("wamid.OUT", "delivered")) == "stale"
    assert deliveries.apply_status(status("wamid.OUT", "failed")) == "stale"  # never undoes a read
    stored = uow.store.message(reply.id)
    assert stored.status == MessageStatus.READ
    assert {MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ} <= set(stored.status_at)


def test_a_status_that_beats_the_send_record_is_parked_and_applied_when_the_send_is_recorded(uow, deliveries):
    reply = queued(uow.store)
    deliveries.claim_for_send(reply.id, 60)
    assert deliveries.apply_status(status("wamid.EARLY", "delivered")) == "orphan"
    deliveries.record_sent(reply.id, "wamid.EARLY", "whatsapp")
    assert uow.store.message(reply.id).status == MessageStatus.DELIVERED


def test_a_status_parked_while_the_send_is_being_recorded_makes_the_record_run_again(uow, deliveries):
    reply = queued(uow.store)
    deliveries.claim_for_send(reply.id, 60)
    uow.before_commit.append(
        lambda store: Deliveries(FakeUnitOfWork(store)).apply_status(status("wamid.R", "read"))
    )
    deliveries.record_sent(reply.id, "wamid.R", "whatsapp")
    assert uow.store.message(reply.id).status == MessageStatus.READ


def test_a_failed_status_explains_itself_to_the_agent(uow, deliveries):
    reply = queued(uow.store)
    deliveries.claim_for_send(reply.id, 60)
    deliveries.record_sent(reply.id, "wamid.F", "whatsapp")
    failed = status("wamid.F", "failed").model_copy(
        update={"errors": [{"code": 131026, "title": "Message undeliverable"}]}
    )
    assert deliveries.apply_status(failed) == "applied"
    error = uow.store.message(reply.id).error
    assert error and error.code == 131026 and error.message == "Message undeliverable" and not error.retryable


def test_a_send_failure_is_recorded_with_its_reason(uow, deliveries):
    reply = queued(uow.store)
    deliveries.claim_for_send(reply.id, 60)
    deliveries.record_failed(
        reply.id, SendError(message="Fora da janela", source="atende", code="outside_window")
    )
    stored = uow.store.message(reply.id)
    assert stored.status == MessageStatus.FAILED and stored.error and stored.error.code == "outside_window"
    assert stored.sending_until is None


def test_a_messenger_echo_that_raced_ahead_of_our_record_is_not_kept_as_a_second_copy(uow, deliveries):
    reply = queued(uow.store, Channel.MESSENGER)
    deliveries.claim_for_send(reply.id, 60)
    echo = Message.received(
        inbound(Channel.MESSENGER).model_copy(update={"provider_message_id": "m_OUT", "echo": True}),
        contact_id="c",
    )
    uow.store.messages[echo.id] = Versioned(echo, 1)
    deliveries.record_sent(reply.id, "m_OUT", "messenger")
    assert echo.id not in uow.store.messages and uow.store.message(reply.id).status == MessageStatus.SENT


def test_a_read_watermark_covers_what_was_sent_before_it_and_nothing_still_in_flight(uow, deliveries):
    earlier = queued(uow.store, Channel.MESSENGER, created=time.time() - 10)
    in_flight = queued(uow.store, Channel.MESSENGER, created=time.time() - 5)
    deliveries.claim_for_send(earlier.id, 60)
    deliveries.record_sent(earlier.id, "m_1", "messenger")
    deliveries.claim_for_send(in_flight.id, 60)
    conversation_id = earlier.conversation_id
    in_flight_same = replace(uow.store.message(in_flight.id), conversation_id=conversation_id)
    uow.store.messages[in_flight.id].value = in_flight_same
    watermark = _watermark()
    assert deliveries.apply_watermark(watermark) == 1
    assert uow.store.message(earlier.id).status == MessageStatus.READ
    assert uow.store.message(in_flight.id).status == MessageStatus.SENDING


def test_the_window_is_judged_from_the_conversation_when_the_replys_stamp_is_near_the_end(uow, deliveries):
    reply = queued(uow.store)
    old = reply.window_from - 23.5 * 3600  # type: ignore[operator]
    uow.store.messages[reply.id].value = replace(reply, window_from=old)
    message = inbound()
    channel = ChannelConfig(Channel.WHATSAPP, ACCOUNT, "WHATSAPP_TOKEN")
    conversation = Conversation.start(message, contact_id="c", persona="cliente", channel=channel)
    conversation = replace(conversation, id=reply.conversation_id, last_inbound_at=time.time() - 60)
    uow.store.conversations[conversation.id] = Versioned(conversation, 1)
    claimed = deliveries.claim_for_send(reply.id, 60)
    assert claimed and claimed.last_inbound_at == conversation.last_inbound_at


def _watermark(state: str = "read", at: float | None = None) -> StatusUpdate:
    return status("", state, Channel.MESSENGER).model_copy(
        update={"recipient_id": PSID, "watermark": at or time.time()}
    )


def _in_flight(uow: FakeUnitOfWork, deliveries: Deliveries) -> Message:
    reply = queued(uow.store, Channel.MESSENGER, created=time.time() - 5)
    deliveries.claim_for_send(reply.id, 60)
    return reply


def test_a_read_watermark_that_arrives_while_the_reply_is_being_sent_is_applied_once_it_is_sent(
    uow, deliveries
):
    """The Messenger reply once left at `delivered`: Meta had it and the customer read it, but the read
    watermark arrived before our own record of the send and was skipped for good."""
    reply = _in_flight(uow, deliveries)
    rewritten = replace(uow.store.message(reply.id), conversation_id=reply.conversation_id)
    uow.store.messages[reply.id].value = rewritten
    assert deliveries.apply_watermark(_watermark()) == 0  # nothing moved yet: it waits on the message
    assert uow.store.message(reply.id).parked
    deliveries.record_sent(reply.id, "m_OUT", "messenger")
    stored = uow.store.message(reply.id)
    assert stored.status == MessageStatus.READ and stored.parked == ()


def test_a_watermark_parked_between_the_send_records_read_and_commit_makes_it_run_again(uow, deliveries):
    reply = _in_flight(uow, deliveries)
    uow.before_commit.append(lambda store: Deliveries(FakeUnitOfWork(store)).apply_watermark(_watermark()))
    deliveries.record_sent(reply.id, "m_OUT", "messenger")
    assert uow.store.message(reply.id).status == MessageStatus.READ


def test_a_watermark_older_than_the_send_does_not_cover_it(uow, deliveries):
    reply = _in_flight(uow, deliveries)
    uow.store.messages[reply.id].value = replace(uow.store.message(reply.id), timestamp=time.time() - 100)
    deliveries.apply_watermark(_watermark(at=time.time() - 50))  # the platform's T is before we started
    deliveries.record_sent(reply.id, "m_OUT", "messenger")
    assert uow.store.message(reply.id).status == MessageStatus.SENT


def test_a_worker_recognises_its_own_claim_and_nobody_elses(uow):
    reply = queued(uow.store)
    claimed = reply.claim(time.time(), 60, token="mine")
    assert claimed is not None and claimed.send_claim == "mine"
    assert claimed.claim(time.time(), 60, token="mine") is claimed  # our write landed, its answer was lost
    assert claimed.claim(time.time(), 60, token="theirs") is None
