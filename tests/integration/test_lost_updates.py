"""Replies never lost when every push answered 200, and watermarks never skipped, on the real emulator.

Two failures once seen in the pipeline benchmark, each forced here:

- A commit that Firestore applied but whose answer was lost: the client sends it again, and the second
  copy meets the first (the inbound commit's creates exist; the claim's update-time guard has moved).
  The inbound step re-runs, finds the message handled and hands the reply on; the claim is re-read as
  `sending` under a live lease, and its token says it is this worker's, so the reply is still sent
  (before, it was "skipped" by everyone and never sent).
- A Messenger read watermark that arrives while our reply is still being sent: it waits on the message
  and is applied when the send is recorded (before, it was skipped and the reply stayed `delivered`).
  If the watermark lands between the send record's read and its commit, the record's guarded write fails
  and it runs again on the message that now carries the watermark.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest
from google.cloud import firestore

from atende.adapters.firestore.unit_of_work import FirestoreUnitOfWork
from atende.domain.content import Text
from atende.domain.events import InboundMessage, Sender, StatusUpdate
from atende.domain.message import OutgoingMessage
from atende.domain.model import Channel
from atende.engines.local import LocalEngine
from atende.erp.demo import DemoErp
from atende.retrying import Backoff
from atende.services.attendant_config import AttendantConfig
from atende.services.deliveries import Deliveries
from atende.services.inbound import InboundService
from atende.services.outbound import OutboundService
from tests.fakes import FakeOutbox

pytestmark = pytest.mark.integration
PAGE = "1234567890"


@pytest.fixture(scope="module")
def db(stack) -> firestore.Client:
    return firestore.Client(project=f"demo-atende-lost-{uuid.uuid4().hex[:6]}")


def uow_factory(db: firestore.Client) -> Callable[[], FirestoreUnitOfWork]:
    return lambda: FirestoreUnitOfWork(db)


def customer_says(channel: Channel = Channel.WHATSAPP, text: str = "oi, bom dia") -> InboundMessage:
    sender_id = "55119" + str(uuid.uuid4().int)[:8]
    return InboundMessage(
        channel=channel,
        account_id=PAGE,
        provider_message_id=f"mid.{uuid.uuid4().hex}",
        sender=Sender(id=sender_id, name="Maria Silva"),
        timestamp=time.time(),
        text=text,
        content=Text(),
    )


def inbound_service(db: firestore.Client, outbox: FakeOutbox) -> InboundService:
    config = AttendantConfig(None, ttl_s=0)
    return InboundService(
        uow=uow_factory(db), engine=LocalEngine(config.flows), outbound=outbox, config=config, erp=DemoErp()
    )


def lose_the_next_commits_answer(db: firestore.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next commit is applied and its answer lost (UNAVAILABLE): the client sends it again."""
    api = db._firestore_api
    commit = api.commit

    def applied_then_resent(*args, **kwargs):
        monkeypatch.setattr(api, "commit", commit)
        commit(*args, **kwargs)
        return commit(*args, **kwargs)

    monkeypatch.setattr(api, "commit", applied_then_resent)


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: OutgoingMessage) -> str:
        self.sent.append(message.id)
        return f"mid.SENT{uuid.uuid4().hex}"


def test_an_inbound_commit_applied_although_its_answer_was_lost_hands_the_reply_on(db, monkeypatch):
    outbox = FakeOutbox()
    message = customer_says()
    lose_the_next_commits_answer(db, monkeypatch)
    outcome = inbound_service(db, outbox).handle(message)
    assert outcome.reply_message_id == f"{message.message_id}_r"
    assert [q[0] for q in outbox.queued] == [outcome.reply_message_id]
    stored = db.collection("messages").document(message.message_id).get().to_dict() or {}
    assert stored["handled"] and stored["replyMessageId"] == outcome.reply_message_id


def test_a_send_claim_applied_although_its_answer_was_lost_still_sends(db, monkeypatch):
    reply_id = inbound_service(db, FakeOutbox()).handle(customer_says()).reply_message_id
    assert reply_id is not None
    sender = RecordingSender()
    outbound = OutboundService(Deliveries(uow_factory(db)), {"whatsapp": sender}, Backoff())
    lose_the_next_commits_answer(db, monkeypatch)  # the claim's guarded write
    assert outbound.send(reply_id) == "sent"
    assert sender.sent == [reply_id]
    doc = db.collection("messages").document(reply_id).get().to_dict() or {}
    assert doc["status"] == "sent" and doc["sendAttempts"] == 1 and "sendClaim" not in doc
    assert outbound.send(reply_id) == "skipped"  # a redelivery still sends nothing twice
    assert sender.sent == [reply_id]


def watermark(message: InboundMessage, state: str = "read") -> StatusUpdate:
    return StatusUpdate(
        channel=message.channel,
        account_id=message.account_id,
        provider_message_id="",
        status=state,
        timestamp=time.time(),
        recipient_id=message.sender.id,
        watermark=time.time(),
    )


def test_a_read_watermark_during_the_send_is_applied_when_the_send_is_recorded(db):
    message = customer_says(Channel.MESSENGER)
    reply_id = inbound_service(db, FakeOutbox()).handle(message).reply_message_id
    assert reply_id is not None
    deliveries = Deliveries(uow_factory(db))
    assert deliveries.claim_for_send(reply_id, 60) is not None
    deliveries.apply_status(  # Messenger's delivery names the message: parked on the alias
        StatusUpdate(
            channel=Channel.MESSENGER,
            account_id=PAGE,
            provider_message_id="m_OUT1",
            status="delivered",
            timestamp=time.time(),
        )
    )
    assert deliveries.apply_watermark(watermark(message)) == 0  # the read waits on the message
    deliveries.record_sent(reply_id, "m_OUT1", "messenger")
    doc = db.collection("messages").document(reply_id).get().to_dict() or {}
    assert doc["status"] == "read" and "parkedStatuses" not in doc
    assert {"sent", "delivered", "read"} <= set(doc["statusAt"])


def test_a_watermark_landing_between_the_send_records_read_and_commit_is_not_lost(db, monkeypatch):
    message = customer_says(Channel.MESSENGER)
    reply_id = inbound_service(db, FakeOutbox()).handle(message).reply_message_id
    assert reply_id is not None
    deliveries = Deliveries(uow_factory(db))
    assert deliveries.claim_for_send(reply_id, 60) is not None
    commit = FirestoreUnitOfWork.commit
    landed: list[int] = []

    def watermark_first(self: FirestoreUnitOfWork) -> None:
        monkeypatch.setattr(FirestoreUnitOfWork, "commit", commit)
        # the record has read the message; the watermark commits before it does
        landed.append(Deliveries(uow_factory(db)).apply_watermark(watermark(message)))
        commit(self)

    monkeypatch.setattr(FirestoreUnitOfWork, "commit", watermark_first)
    deliveries.record_sent(reply_id, "m_OUT2", "messenger")
    doc = db.collection("messages").document(reply_id).get().to_dict() or {}
    assert landed == [0] and doc["status"] == "read"
