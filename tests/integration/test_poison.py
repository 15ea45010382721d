"""One bad message never stops the next good one, on the running stack (real emulators, real pushes).

Each kind of poison that crashed a consumer is published straight to its topic, on the same ordering
key as a customer's conversation where the topic is ordered; the customer's next message, and another
customer's, must then be answered within seconds — not after five redeliveries and a dead-letter —
and the poison must end visibly: in `omni_logs`, or on its message. A message that fails every time
is dead-lettered after five pushes, and the stack goes on delivering.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from google.cloud import pubsub_v1

from atende import topics
from atende.dev.payloads import DEMO_PHONE_NUMBER_ID, post_signed, whatsapp_envelope
from atende.dev.polling import wait_until
from atende.domain.model import conversation_doc_id, message_doc_id, stable_id
from tests.integration.test_spine import SECRET, converse, new_customer, stored

pytestmark = pytest.mark.integration
SOON_S = 12.0  # well under the five pushes with backoff (about 20 s) a retried poison would hold a key for


@pytest.fixture(scope="module")
def publisher(stack) -> pubsub_v1.PublisherClient:
    options = pubsub_v1.types.PublisherOptions(enable_message_ordering=True)
    return pubsub_v1.PublisherClient(publisher_options=options)


def publish(stack, publisher, topic: str, data: bytes, ordering_key: str = "") -> str:
    """Publish as another service would; the Pub/Sub message id names the failure record."""
    path = publisher.topic_path(stack.config.project, topic)
    return publisher.publish(path, data, ordering_key=ordering_key).result(timeout=30)


def failure(db, source: str, pubsub_id: str) -> dict[str, Any]:
    return db.collection("omni_logs").document(stable_id("f", source, pubsub_id)).get().to_dict() or {}


def media_status(db, provider_id: str) -> str | None:
    return ((stored(db, provider_id).to_dict() or {}).get("media") or {}).get("status")


def inbound_event(wa_id: str, **changes: Any) -> dict[str, Any]:
    """An inbound event as the webhook publishes it; `changes` make it one the parsers never would."""
    return {
        "type": "inbound_message",
        "channel": "whatsapp",
        "account_id": DEMO_PHONE_NUMBER_ID,
        "provider_message_id": f"wamid.{uuid.uuid4().hex}",
        "sender": {"id": wa_id},
        "timestamp": time.time(),
        "kind": "text",
        "content": {},
        "text": "oi",
        **changes,
    }


def answered_soon(stack, http, db, *customers: str) -> None:
    for wa_id in customers:
        started = time.monotonic()
        converse(stack, http, db, wa_id, "oi")
        assert time.monotonic() - started < SOON_S


def test_poison_on_the_inbound_topic_is_recorded_and_the_next_messages_are_answered(
    stack, http, firestore_db, publisher
):
    wa_id, other = new_customer(), new_customer()
    key = conversation_doc_id("whatsapp", DEMO_PHONE_NUMBER_ID, wa_id)
    rejected = {
        "not JSON": b"\xff\xfenot json",
        "not an event": b'{"type": "inbound_message"}',
        "a field of the wrong type": json.dumps(inbound_event(wa_id, text={"body": 12345})).encode(),
        "a status on the inbound topic": json.dumps(
            {
                "type": "status_update",
                "channel": "whatsapp",
                "account_id": DEMO_PHONE_NUMBER_ID,
                "provider_message_id": "wamid.x",
                "status": "read",
                "timestamp": time.time(),
            }
        ).encode(),
    }
    # Valid JSON the parsers never produce, which the attendant's store cannot hold (a time far out of
    # range): rejected when decoded, or a permanent failure when processed; never retried.
    unprocessable = [inbound_event(wa_id, timestamp=1e30), inbound_event(wa_id, timestamp=float("nan"))]
    ids = {name: publish(stack, publisher, topics.INBOUND, data, key) for name, data in rejected.items()}
    unprocessable_ids = [
        publish(stack, publisher, topics.INBOUND, json.dumps(e).encode(), key) for e in unprocessable
    ]

    answered_soon(stack, http, firestore_db, wa_id, other)

    for name, pubsub_id in ids.items():
        entry = wait_until(lambda i=pubsub_id: failure(firestore_db, "ai_reply", i), what=f"{name} recorded")
        assert entry["kind"] == "rejected" and entry["reason"], name
        assert len(entry["payload"].encode()) <= 2048
    for event, pubsub_id in zip(unprocessable, unprocessable_ids, strict=True):
        message_id = message_doc_id("whatsapp", event["provider_message_id"])
        entry = wait_until(
            lambda i=pubsub_id, m=message_id: (
                failure(firestore_db, "ai_reply", i) or stored(firestore_db, m).exists
            ),
            what="the unprocessable event recorded",
        )
        if entry is not True:
            assert entry["kind"] in ("rejected", "failed") and entry["reason"]


def test_a_garbage_status_never_stops_statuses(stack, http, firestore_db, publisher):
    wa_id = new_customer()
    message_id = f"wamid.{uuid.uuid4().hex}"
    sent = converse(stack, http, firestore_db, wa_id, "oi", message_id)
    garbage = {
        "binary": b"\x00\x01garbage",
        "a status naming an impossible message id": json.dumps(
            {
                "type": "status_update",
                "channel": "whatsapp",
                "account_id": DEMO_PHONE_NUMBER_ID,
                "provider_message_id": sent["id"],
                "status": "delivered",
                "timestamp": time.time(),
                "message_id": "a/b",
            }
        ).encode(),
    }
    ids = {name: publish(stack, publisher, topics.STATUS, data) for name, data in garbage.items()}
    item = {"id": sent["id"], "status": "read", "timestamp": str(int(time.time())), "recipient_id": wa_id}
    response = post_signed(
        http, f"{stack.functions_url}/webhook_whatsapp", whatsapp_envelope(statuses=[item]), SECRET
    )
    assert response.status_code == 200
    reply_id = stored(firestore_db, message_id).get("replyMessageId")
    reply = firestore_db.collection("messages").document(reply_id)
    wait_until(lambda: reply.get().get("status") == "read", what="the real status applied", timeout_s=SOON_S)
    for name, pubsub_id in ids.items():
        entry = wait_until(lambda i=pubsub_id: failure(firestore_db, "message_status", i), what=name)
        assert entry["reason"], name


def test_bad_media_jobs_and_send_requests_never_stop_the_next_ones(stack, http, firestore_db, publisher):
    wa_id = new_customer()
    text_id = f"wamid.{uuid.uuid4().hex}"
    converse(stack, http, firestore_db, wa_id, "oi", text_id)
    text_message = message_doc_id("whatsapp", text_id)
    no_media_job = {
        "message_id": text_message,
        "channel": "whatsapp",
        "account_id": DEMO_PHONE_NUMBER_ID,
        "kind": "image",
        "media_id": "123",
    }
    media_ids = {
        "a job for a message without media": publish(
            stack, publisher, topics.MEDIA, json.dumps(no_media_job).encode()
        ),
        "a job of the wrong shape": publish(stack, publisher, topics.MEDIA, b'{"message_id": 5}'),
    }
    send_ids = {
        "a blank request": publish(stack, publisher, topics.OUTBOUND, b"  \n"),
        "a path, not an id": publish(stack, publisher, topics.OUTBOUND, b"messages/x/y"),
        "an id too long for Firestore": publish(stack, publisher, topics.OUTBOUND, b"m" * 2000),
    }

    # The next photo is kept, and the next messages are answered, at once.
    media_id = stack.graph.add_media(b"\x89PNG fake", "image/png")
    photo = {
        "from": wa_id,
        "id": f"wamid.{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
        "type": "image",
        "image": {"id": media_id, "mime_type": "image/png", "sha256": "x"},
    }
    payload = whatsapp_envelope([photo], contacts=[{"profile": {"name": "Ana"}, "wa_id": wa_id}])
    assert post_signed(http, f"{stack.functions_url}/webhook_whatsapp", payload, SECRET).status_code == 200
    wait_until(
        lambda: media_status(firestore_db, photo["id"]) == "stored",
        what="the next photo kept",
        timeout_s=SOON_S,
    )
    answered_soon(stack, http, firestore_db, wa_id, new_customer())

    # Each bad job and request is in omni_logs, and attached nothing to the message it named.
    for name, pubsub_id in media_ids.items():
        entry = wait_until(lambda i=pubsub_id: failure(firestore_db, "media_fetch", i), what=name)
        assert entry["kind"] == "rejected", name
    assert media_status(firestore_db, text_id) is None
    for name, pubsub_id in send_ids.items():
        entry = wait_until(lambda i=pubsub_id: failure(firestore_db, "outbound", i), what=name)
        assert entry["kind"] == "rejected", name


def unkeepable_media_job(stack, http, db) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(customer, their photo, a media job for it that fails on every push): the job downloads, then
    cannot be kept however often it is tried: its folder name is longer than any file system allows (an
    OSError, which is retried)."""
    wa_id = new_customer()
    # A photo whose file Meta never had: its media ends `failed`, so a later job for it downloads again.
    photo_id = f"wamid.{uuid.uuid4().hex}"
    photo = {
        "from": wa_id,
        "id": photo_id,
        "timestamp": str(int(time.time())),
        "type": "image",
        "image": {"id": "404404", "mime_type": "image/png", "sha256": "x"},
    }
    payload = whatsapp_envelope([photo], contacts=[{"profile": {"name": "Ana"}, "wa_id": wa_id}])
    assert post_signed(http, f"{stack.functions_url}/webhook_whatsapp", payload, SECRET).status_code == 200
    wait_until(lambda: media_status(db, photo_id) == "failed", what="the first fetch failed")
    job = {
        "message_id": message_doc_id("whatsapp", photo_id),
        "channel": "whatsapp",
        "account_id": "9" * 300,
        "kind": "image",
        "media_id": stack.graph.add_media(b"\x89PNG fake", "image/png"),
    }
    return wa_id, photo, job


def test_a_message_that_always_fails_is_dead_lettered_and_the_stack_goes_on(
    stack, http, firestore_db, publisher
):
    """The emulator's own dead-lettering kills its push loop; the dev stack dead-letters for it."""
    wa_id, photo, job = unkeepable_media_job(stack, http, firestore_db)
    subscriber = pubsub_v1.SubscriberClient()
    dead_letter_topic = topics.MEDIA + topics.DEAD_LETTER_SUFFIX
    inspect = subscriber.subscription_path(stack.config.project, dead_letter_topic + "-inspect")
    pubsub_id = publish(stack, publisher, topics.MEDIA, json.dumps(job).encode())

    def dead_lettered() -> list:
        pulled = subscriber.pull(request={"subscription": inspect, "max_messages": 10}, timeout=5)
        if pulled.received_messages:
            subscriber.acknowledge(
                request={"subscription": inspect, "ack_ids": [m.ack_id for m in pulled.received_messages]}
            )
        return [m.message for m in pulled.received_messages if json.loads(m.message.data) == job]

    (letter,) = wait_until(dead_lettered, what="the job in the dead-letter topic", timeout_s=90)
    assert letter.attributes["CloudPubSubDeadLetterSourceDeliveryCount"] == "5"
    assert not failure(firestore_db, "media_fetch", pubsub_id)  # retried, not given up on as permanent

    # Pushes go on: a new photo is kept and customers are answered.
    media_id = stack.graph.add_media(b"\x89PNG fake", "image/png")
    photo = {**photo, "id": f"wamid.{uuid.uuid4().hex}", "image": {"id": media_id, "mime_type": "image/png"}}
    payload = whatsapp_envelope([photo], contacts=[{"profile": {"name": "Ana"}, "wa_id": wa_id}])
    assert post_signed(http, f"{stack.functions_url}/webhook_whatsapp", payload, SECRET).status_code == 200
    wait_until(
        lambda: media_status(firestore_db, photo["id"]) == "stored",
        what="a photo after the dead letter kept",
        timeout_s=SOON_S,
    )
    answered_soon(stack, http, firestore_db, wa_id, new_customer())
