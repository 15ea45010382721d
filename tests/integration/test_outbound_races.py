"""Claims and delivery statuses racing each other on the real Firestore emulator.

The claim and the usual status write are guarded single-document writes (the
update time read is the write's precondition) rather than transactions; these
races are what a transaction used to settle, so they are run here for real:
many threads, one document, and the invariants at the end.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from google.cloud import firestore

from atende.adapters.firestore.unit_of_work import FirestoreUnitOfWork
from atende.domain.channels import ChannelConfig
from atende.domain.content import Text
from atende.domain.conversation import Conversation
from atende.domain.events import InboundMessage, Sender, StatusUpdate
from atende.domain.message import Message
from atende.domain.model import Channel
from atende.domain.window import STANDARD_WINDOW_S
from atende.services.deliveries import Deliveries

pytestmark = pytest.mark.integration
ACCOUNT = "106540352242922"
HOUR = 3600.0


@pytest.fixture(scope="module")
def db(stack) -> firestore.Client:
    return firestore.Client(project=f"demo-atende-races-{uuid.uuid4().hex[:6]}")


@pytest.fixture(scope="module")
def repo(db) -> Deliveries:
    return Deliveries(lambda: FirestoreUnitOfWork(db))


def queued_reply(repo: Deliveries, wrote_hours_ago: float = 0.0) -> str:
    """A customer's conversation as ai_reply leaves it, and our reply to it waiting in the outbox."""
    wa_id = "55119" + str(uuid.uuid4().int)[:8]
    message = InboundMessage(
        channel=Channel.WHATSAPP,
        account_id=ACCOUNT,
        provider_message_id=f"wamid.{uuid.uuid4().hex}",
        sender=Sender(id=wa_id, name="Maria", phone=f"+{wa_id}"),
        timestamp=time.time() - wrote_hours_ago * HOUR,
        content=Text(),
        text="oi",
    )
    channel = ChannelConfig(Channel.WHATSAPP, ACCOUNT, "WHATSAPP_TOKEN")
    conversation = Conversation.start(message, contact_id="c", persona="cliente", channel=channel).receive(
        message
    )
    reply = Message.bot_reply(
        message,
        contact_id="c",
        window_from=conversation.last_inbound_at,
        text="Olá!",
        engine={"engine": "test"},
        now=time.time(),
    )
    with repo_uow(repo) as uow:
        uow.conversations.add(conversation)
        uow.messages.add(reply)
        uow.commit()
    return reply.id


def repo_uow(repo: Deliveries) -> FirestoreUnitOfWork:
    return repo._uow()  # type: ignore[return-value]


def sent_reply(repo: Deliveries) -> tuple[str, str]:
    reply_id = queued_reply(repo)
    assert repo.claim_for_send(reply_id, 60) is not None
    provider_id = f"wamid.SENT{uuid.uuid4().hex}"
    repo.record_sent(reply_id, provider_id, "whatsapp")
    return reply_id, provider_id


def status(provider_id: str, state: str) -> StatusUpdate:
    return StatusUpdate(
        channel=Channel.WHATSAPP,
        account_id=ACCOUNT,
        provider_message_id=provider_id,
        status=state,
        timestamp=time.time(),
        recipient_id="x",
    )


def stored(repo: Deliveries, message_id: str) -> dict:
    return repo_uow(repo).db.collection("messages").document(message_id).get().to_dict() or {}


def test_concurrent_claims_let_exactly_one_through(repo):
    reply_id = queued_reply(repo)
    with ThreadPoolExecutor(12) as pool:
        claims = list(pool.map(lambda _: repo.claim_for_send(reply_id, 60), range(12)))
    assert sum(c is not None for c in claims) == 1
    doc = stored(repo, reply_id)
    assert doc["status"] == "sending" and doc["sendAttempts"] == 1


def test_racing_statuses_end_at_the_furthest_and_keep_every_time(repo):
    for _ in range(3):
        reply_id, provider_id = sent_reply(repo)
        states = ["read", "delivered", "sent", "delivered", "read", "sent"] * 2
        with ThreadPoolExecutor(len(states)) as pool:
            results = list(pool.map(lambda s, p=provider_id: repo.apply_status(status(p, s)), states))
        assert "orphan" not in results and "applied" in results
        doc = stored(repo, reply_id)
        assert doc["status"] == "read"
        assert {"sent", "delivered", "read"} <= set(doc["statusAt"])


def test_a_status_racing_the_send_record_is_never_lost(repo):
    """The status may find no alias yet (parked) or the alias (applied): either way it lands."""
    replies = [queued_reply(repo) for _ in range(6)]
    for reply_id in replies:
        assert repo.claim_for_send(reply_id, 60) is not None

    def send(reply_id: str, provider_id: str) -> None:
        repo.record_sent(reply_id, provider_id, "whatsapp")

    with ThreadPoolExecutor(12) as pool:
        futures = []
        for reply_id in replies:
            provider_id = f"wamid.RACE{uuid.uuid4().hex}"
            futures.append(pool.submit(repo.apply_status, status(provider_id, "delivered")))
            futures.append(pool.submit(send, reply_id, provider_id))
        for future in futures:
            future.result()
    assert [stored(repo, r)["status"] for r in replies] == ["delivered"] * len(replies)


def test_a_reply_judges_the_window_from_its_own_stamp_unless_near_the_end(repo):
    fresh = repo.claim_for_send(queued_reply(repo, wrote_hours_ago=1), 60)
    assert fresh is not None and fresh.last_inbound_at is not None
    assert time.time() - fresh.last_inbound_at < 1.1 * HOUR

    # Stamped 23.5 h ago, but the customer wrote again since: the conversation has the last word.
    reply_id = queued_reply(repo, wrote_hours_ago=23.5)
    conversation_id = stored(repo, reply_id)["conversationId"]
    wrote_again = time.time() - 60
    repo_uow(repo).db.collection("conversations").document(conversation_id).update(
        {"lastInboundAt": firestore.SERVER_TIMESTAMP}
    )
    claimed = repo.claim_for_send(reply_id, 60)
    assert claimed is not None and claimed.last_inbound_at is not None
    assert claimed.last_inbound_at > wrote_again
    assert time.time() - claimed.last_inbound_at < STANDARD_WINDOW_S
