"""Nothing hangs and nothing is sent twice on a guess: the sweeper's rules and the `unknown` outcome, on
in-memory fakes with a clock the test moves."""

from __future__ import annotations

import time

import httpx
import pytest

from atende.channels.meta.graph import GraphClient
from atende.channels.meta.senders import WhatsAppSender
from atende.domain.content import Text
from atende.domain.errors import SendFailed
from atende.domain.events import InboundMessage, Sender, StatusUpdate
from atende.domain.message import (
    NEVER_CLAIMED,
    RETRIES_EXHAUSTED,
    RETRY_DELAYS_S,
    UNKNOWN_OUTCOME_TEXT,
    WINDOW_CLOSED,
    Message,
    SendError,
    SendStep,
)
from atende.domain.model import Channel, MessageStatus
from atende.domain.window import STANDARD_WINDOW_S
from atende.retrying import Backoff
from atende.services.deliveries import Deliveries
from atende.services.outbound import LEASE_S, OutboundService
from atende.services.sweeper import SendSweeper
from tests.fakes import FakeOutbox, FakeSender, FakeUnitOfWork, RecordingSleep, Versioned

BUSY = SendFailed(
    SendError(
        message="Something went wrong",
        source="platform",
        retryable=True,
        code=131000,
        agent_text="Instabilidade temporária na Meta; tentaremos novamente",
    )
)
TIMED_OUT = SendFailed(
    SendError(
        message="no answer", source="platform", code="outcome_unknown", agent_text=UNKNOWN_OUTCOME_TEXT
    ),
    outcome_unknown=True,
)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Sends:
    """One queued bot reply, the outbound service, the sweeper and the outbound queue, on one clock."""

    def __init__(self, *outcomes: str | BaseException, window_age_s: float = 0.0) -> None:
        self.clock, self.uow, self.outbox = Clock(), FakeUnitOfWork(), FakeOutbox()
        self.sender = FakeSender(*outcomes)
        inbound = InboundMessage(
            channel=Channel.WHATSAPP,
            account_id="acc",
            provider_message_id=f"in.{time.monotonic_ns()}",
            sender=Sender(id="5511987654321", name="Maria", phone="+5511987654321"),
            timestamp=self.clock.now - window_age_s,
            content=Text(),
            text="oi",
        )
        reply = Message.bot_reply(
            inbound, contact_id="c", window_from=inbound.timestamp, text="Olá!", engine={}, now=self.clock.now
        )
        self.uow.store.messages[reply.id] = Versioned(reply, 1)
        self.id, self.conversation_id = reply.id, reply.conversation_id
        self.deliveries = Deliveries(self.uow, clock=self.clock)
        self.outbound = OutboundService(
            self.deliveries, {"whatsapp": self.sender}, Backoff(4, 0.5), sleep=RecordingSleep()
        )
        self.sweeper = SendSweeper(self.deliveries, self.outbox)

    @property
    def message(self) -> Message:
        return self.uow.store.message(self.id)

    def send(self) -> str:
        return self.outbound.send(self.id)

    def sweep_at(self, seconds_later: float) -> None:
        self.clock.advance(seconds_later)
        self.sweeper.sweep()

    def requeued(self) -> int:
        return len(self.outbox.queued)


def history(message: Message) -> list[tuple[str, str | None]]:
    return [(str(e.step), e.reason) for e in message.send_history]


# -- a worker that died while sending ----------------------------------------------------------------


def test_an_expired_lease_is_requeued_once_even_by_two_sweeps_and_then_sent():
    sends = Sends()
    assert sends.deliveries.claim_for_send(sends.id, LEASE_S)  # the worker claims it, then dies
    sends.sweep_at(LEASE_S - 1)
    assert sends.requeued() == 0 and sends.message.status == MessageStatus.SENDING
    sends.sweep_at(2)
    sends.sweeper.sweep()  # a second sweep (or a concurrent one) finds nothing due any more
    assert sends.outbox.queued == [(sends.id, sends.conversation_id)]
    assert sends.message.status == MessageStatus.QUEUED
    assert sends.send() == "sent" and len(sends.sender.sent) == 1
    assert history(sends.message) == [("requeued", "lease_expired"), ("sent", None)]


def test_a_second_expired_lease_is_not_resent_but_left_to_an_agent():
    sends = Sends()
    sends.deliveries.claim_for_send(sends.id, LEASE_S)
    sends.sweep_at(LEASE_S + 1)
    sends.deliveries.claim_for_send(sends.id, LEASE_S)  # the retry's worker dies too
    sends.sweep_at(LEASE_S + 1)
    assert sends.requeued() == 1 and sends.message.status == MessageStatus.UNKNOWN
    assert sends.message.error and sends.message.error.agent_text == UNKNOWN_OUTCOME_TEXT
    sends.sweep_at(3 * 3600)
    assert sends.requeued() == 1


def test_a_worker_that_died_after_meta_took_the_message_is_settled_by_the_parked_status():
    sends = Sends()
    sends.deliveries.claim_for_send(sends.id, LEASE_S)
    delivered = whatsapp_status("wamid.GONE", "delivered", message_id=sends.id, at=sends.clock.now)
    assert sends.deliveries.apply_status(delivered) == "orphan"  # the lease is live: parked for the worker
    sends.sweep_at(LEASE_S + 1)
    assert sends.requeued() == 0
    assert sends.message.status == MessageStatus.DELIVERED
    assert sends.message.provider_message_id == "wamid.GONE"


def test_a_status_for_the_lost_workers_send_that_comes_after_the_requeue_stops_the_resend():
    sends = Sends()
    sends.deliveries.claim_for_send(sends.id, LEASE_S)
    sends.sweep_at(LEASE_S + 1)
    assert sends.requeued() == 1
    late = whatsapp_status("wamid.LATE", "sent", message_id=sends.id, at=sends.clock.now)
    assert sends.deliveries.apply_status(late) == "applied"
    assert sends.send() == "skipped" and sends.sender.sent == []
    assert sends.message.status == MessageStatus.SENT and sends.message.provider_message_id == "wamid.LATE"


def test_the_requeued_send_checks_for_a_status_parked_while_it_was_being_resent():
    sends = Sends()
    sends.deliveries.claim_for_send(sends.id, LEASE_S)
    sends.sweep_at(LEASE_S + 1)
    # the status was parked by a racing path (e.g. under an earlier alias read) before the claim
    parked = whatsapp_status("wamid.FIRST", "delivered", message_id=sends.id, at=sends.clock.now)
    with sends.uow:
        sends.uow.provider_ids.park(parked)
        sends.uow.commit()
    assert sends.send() == "skipped" and sends.sender.sent == []
    assert sends.message.status == MessageStatus.DELIVERED


# -- Meta down for a while ---------------------------------------------------------------------------


def test_a_retryable_failure_is_retried_after_growing_delays_then_given_up():
    sends = Sends(*[BUSY] * 100)
    assert sends.send() == "failed" and sends.message.error and sends.message.error.retryable
    waited = []
    for delay in RETRY_DELAYS_S:
        sends.sweep_at(delay - 1)
        assert sends.requeued() == len(waited), "re-queued before its delay"
        sends.sweep_at(1)
        assert sends.requeued() == len(waited) + 1
        waited.append(delay)
        assert sends.send() == "failed"
    assert waited == [60, 300, 1800, 7200]
    sends.sweep_at(0)
    final = sends.message
    assert final.status == MessageStatus.FAILED and sends.requeued() == len(RETRY_DELAYS_S)
    assert final.error and final.error.retryable is False and final.error.code == RETRIES_EXHAUSTED.code
    assert final.error.agent_text == RETRIES_EXHAUSTED.agent_text
    assert final.sweep_due_at() is None
    steps = [step for step, _ in history(final)]
    assert steps == ["failed", "requeued"] * 4 + ["failed", "gave_up"]


def test_meta_back_within_the_delays_sends_the_reply():
    sends = Sends(*[BUSY] * 4, "wamid.BACK")
    sends.send()
    sends.sweep_at(RETRY_DELAYS_S[0])
    assert sends.send() == "sent" and sends.message.provider_message_id == "wamid.BACK"
    assert sends.message.error is None and sends.message.sweep_due_at() is None


def test_no_retry_past_the_24_hour_window():
    left = 6000.0  # the window closes 1 h 40 min after the first failure: before the 2 h retry
    sends = Sends(*[BUSY] * 100, window_age_s=STANDARD_WINDOW_S - left)
    sends.send()
    for delay in RETRY_DELAYS_S[:3]:
        sends.sweep_at(delay)
        assert sends.send() == "failed"
    sends.sweep_at(left - sum(RETRY_DELAYS_S[:3]) - 1)
    assert sends.requeued() == 3 and sends.message.error and sends.message.error.retryable
    sends.sweep_at(1)  # the window's end, not the retry's due time, ends it
    assert sends.requeued() == 3
    assert sends.message.status == MessageStatus.FAILED
    assert sends.message.error and sends.message.error.code == WINDOW_CLOSED.code
    assert "janela de 24 horas" in (sends.message.error.agent_text or "")


# -- a push that never reached outbound ------------------------------------------------------------


def test_a_queued_reply_whose_push_was_lost_is_requeued_with_its_conversation_key():
    sends = Sends()
    sends.sweep_at(60)
    assert sends.requeued() == 0  # a fresh reply is outbound's, not the sweeper's
    sends.sweep_at(300)
    assert sends.outbox.queued == [(sends.id, sends.conversation_id)]
    for _ in range(3):
        sends.sweep_at(301)
    assert sends.requeued() == 3 and sends.message.status == MessageStatus.FAILED
    assert sends.message.error and sends.message.error.code == NEVER_CLAIMED.code


# -- at most once: the outcome is unknown ----------------------------------------------------------


def test_a_send_of_unknown_outcome_is_not_retried_and_never_requeued():
    sends = Sends(TIMED_OUT, "wamid.SECOND")
    assert sends.send() == "unknown" and len(sends.sender.sent) == 1
    message = sends.message
    assert message.status == MessageStatus.UNKNOWN
    assert message.error and message.error.agent_text == UNKNOWN_OUTCOME_TEXT
    assert history(message) == [("unknown", "outcome_unknown")]
    sends.sweep_at(STANDARD_WINDOW_S * 2)
    assert sends.send() == "skipped"
    assert sends.requeued() == 0 and len(sends.sender.sent) == 1


def test_a_status_naming_an_unknown_send_settles_it():
    sends = Sends(TIMED_OUT)
    sends.send()
    sent = whatsapp_status("wamid.LATE", "sent", message_id=sends.id, at=sends.clock.now + 1)
    assert sends.deliveries.apply_status(sent) == "applied"
    assert sends.message.status == MessageStatus.SENT
    assert sends.message.provider_message_id == "wamid.LATE" and sends.message.error is None
    # later statuses find it by the provider id like any sent message
    sends.deliveries.apply_status(whatsapp_status("wamid.LATE", "read", at=sends.clock.now + 5))
    assert sends.message.status == MessageStatus.READ
    assert [step for step, _ in history(sends.message)] == [str(SendStep.UNKNOWN), str(SendStep.SENT)]


def test_a_status_that_came_while_the_send_timed_out_settles_it_at_once():
    sends = Sends()
    sends.deliveries.claim_for_send(sends.id, LEASE_S)
    early = whatsapp_status("wamid.EARLY", "delivered", message_id=sends.id, at=sends.clock.now)
    assert sends.deliveries.apply_status(early) == "orphan"
    sends.deliveries.record_unknown(sends.id, TIMED_OUT.error)
    assert sends.message.status == MessageStatus.DELIVERED
    assert sends.message.provider_message_id == "wamid.EARLY"


def test_a_failed_status_for_an_unknown_send_shows_meta_s_reason():
    sends = Sends(TIMED_OUT)
    sends.send()
    failed = whatsapp_status("wamid.F", "failed", message_id=sends.id, at=sends.clock.now)
    failed = failed.model_copy(update={"errors": [{"code": 131026, "title": "Message undeliverable"}]})
    sends.deliveries.apply_status(failed)
    assert sends.message.status == MessageStatus.FAILED
    assert sends.message.error and sends.message.error.code == 131026


# -- which Graph failures leave the outcome unknown --------------------------------------------------


@pytest.mark.parametrize(
    ("raised", "unknown"),
    [
        (httpx.ReadTimeout("slow"), True),
        (httpx.RemoteProtocolError("dropped"), True),
        (httpx.ReadError("reset"), True),
        (httpx.ConnectTimeout("unreachable"), False),
        (httpx.ConnectError("refused"), False),
        (httpx.PoolTimeout("busy"), False),
    ],
)
def test_only_a_failure_after_the_request_left_is_of_unknown_outcome(raised, unknown):
    def handler(request: httpx.Request) -> httpx.Response:
        raise raised

    http = httpx.Client(transport=httpx.MockTransport(handler))
    graph = GraphClient("https://graph.test", "v25.0", http=http)
    sends = Sends()
    outgoing = sends.deliveries.claim_for_send(sends.id, LEASE_S)
    with pytest.raises(SendFailed) as caught:
        WhatsAppSender(graph, "t").send(outgoing)
    assert caught.value.outcome_unknown is unknown
    assert caught.value.transient is (not unknown)


def whatsapp_status(
    provider_id: str, state: str, *, at: float, message_id: str | None = None
) -> StatusUpdate:
    return StatusUpdate(
        channel=Channel.WHATSAPP,
        account_id="acc",
        provider_message_id=provider_id,
        status=state,
        timestamp=at,
        recipient_id="5511987654321",
        message_id=message_id,
    )
