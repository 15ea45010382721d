"""End to end on the real emulators: signed webhook → stored once → answered once → sent to Graph."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from google.cloud.firestore import FieldFilter

from atende.adapters.firestore.messages import to_doc
from atende.dev.graph_standin import Fault
from atende.dev.payloads import (
    DEMO_PHONE_NUMBER_ID,
    encode,
    post_signed,
    signed_headers,
    whatsapp_envelope,
    whatsapp_text,
)
from atende.dev.polling import wait_until
from atende.dev.stack import DEV_SECRETS
from atende.domain.content import Text
from atende.domain.events import InboundMessage, Sender
from atende.domain.message import LOST_PUSH_S, Message
from atende.domain.model import Channel, message_doc_id

pytestmark = pytest.mark.integration
SECRET = DEV_SECRETS["META_APP_SECRET"]


def new_customer() -> str:
    return "55119" + str(uuid.uuid4().int)[:8]


def sends_to(stack, wa_id: str) -> list[dict]:
    return [s for s in stack.graph.sent if s["body"].get("to") == f"+{wa_id}"]


def field(snapshot, name: str):
    return (snapshot.to_dict() or {}).get(name)


def stored(db, provider_id: str):
    return db.collection("messages").document(message_doc_id("whatsapp", provider_id)).get()


def converse(stack, http, db, wa_id: str, text: str, message_id: str | None = None) -> dict:
    """Send one customer message and return the very reply to it that reached the Graph stand-in."""
    message_id = message_id or f"wamid.{uuid.uuid4().hex}"
    payload = whatsapp_text(text, wa_id=wa_id, message_id=message_id)
    response = post_signed(http, f"{stack.functions_url}/webhook_whatsapp", payload, SECRET)
    assert response.status_code == 200, response.text
    reply_id = wait_until(
        lambda: field(stored(db, message_id), "replyMessageId"), what=f"a reply to {text!r}"
    )
    provider_id = wait_until(
        lambda: field(db.collection("messages").document(reply_id).get(), "providerMessageId"),
        what="the reply to be sent",
    )
    return next(s for s in stack.graph.sent if s["id"] == provider_id)


def test_handshake(stack, http):
    ok = http.get(
        f"{stack.functions_url}/webhook_whatsapp",
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": DEV_SECRETS["META_VERIFY_TOKEN"],
            "hub.challenge": "42",
        },
    )
    assert (ok.status_code, ok.text) == (200, "42")
    bad = http.get(
        f"{stack.functions_url}/webhook_whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "42"},
    )
    assert bad.status_code == 403


def test_message_is_stored_answered_in_portuguese_and_sent(stack, http, firestore_db):
    wa_id = new_customer()
    message_id = f"wamid.{uuid.uuid4().hex}"
    sent = converse(stack, http, firestore_db, wa_id, "preciso da segunda via do boleto", message_id)

    assert sent["account"] == "106540352242922"
    assert sent["token"] == DEV_SECRETS["WHATSAPP_TOKEN"]
    assert sent["body"]["messaging_product"] == "whatsapp" and sent["body"]["type"] == "text"
    assert "CPF" in sent["body"]["text"]["body"]

    inbound = stored(firestore_db, message_id).to_dict()
    assert inbound["direction"] == "inbound" and inbound["text"] == "preciso da segunda via do boleto"
    reply = wait_until(
        lambda: (
            (d := firestore_db.collection("messages").document(inbound["replyMessageId"]).get().to_dict())
            and d["status"] == "sent"
            and d
        ),
        what="reply marked sent",
    )
    assert reply["providerMessageId"] == sent["id"]
    assert reply["direction"] == "outbound" and reply["senderType"] == "bot"
    conversation = (
        firestore_db.collection("conversations").document(inbound["conversationId"]).get().to_dict()
    )
    assert conversation["lastMessageSender"] == "bot"
    contact = firestore_db.collection("contacts").document(inbound["contactId"]).get().to_dict()
    assert contact["name"] == "Maria Silva" and f"+{wa_id}" in contact["phones"]


def test_redelivery_changes_nothing(stack, http, firestore_db):
    wa_id = new_customer()
    message_id = f"wamid.{uuid.uuid4().hex}"
    converse(stack, http, firestore_db, wa_id, "oi", message_id)
    # Meta redelivers the same message, twice, and the customer then writes again.
    for _ in range(2):
        again = post_signed(
            http,
            f"{stack.functions_url}/webhook_whatsapp",
            whatsapp_text("oi", wa_id=wa_id, message_id=message_id),
            SECRET,
        )
        assert again.status_code == 200
    converse(
        stack, http, firestore_db, wa_id, "obrigado"
    )  # same ordering key: processed after the redeliveries
    assert len(sends_to(stack, wa_id)) == 2
    conversation_id = stored(firestore_db, message_id).get("conversationId")
    same_conversation = (
        firestore_db.collection("messages")
        .where(filter=FieldFilter("conversationId", "==", conversation_id))
        .get()
    )
    assert len(same_conversation) == 4  # two inbound, two replies


def test_concurrent_duplicates_yield_one_message_and_one_reply(stack, http, firestore_db):
    wa_id = new_customer()
    payload = whatsapp_text("bom dia", wa_id=wa_id)
    body = encode(payload)
    with ThreadPoolExecutor(8) as pool:
        statuses = list(
            pool.map(
                lambda _: (
                    http.post(
                        f"{stack.functions_url}/webhook_whatsapp",
                        content=body,
                        headers=signed_headers(body, SECRET),
                    ).status_code
                ),
                range(8),
            )
        )
    assert statuses == [200] * 8
    converse(stack, http, firestore_db, wa_id, "obrigado")
    assert len(sends_to(stack, wa_id)) == 2


def test_forged_signature_stores_nothing(stack, http, firestore_db):
    wa_id = new_customer()
    message_id = f"wamid.{uuid.uuid4().hex}"
    body = encode(whatsapp_text("me responda", wa_id=wa_id, message_id=message_id))
    forged = http.post(
        f"{stack.functions_url}/webhook_whatsapp",
        content=body,
        headers=signed_headers(body, "not-the-app-secret"),
    )
    assert forged.status_code == 401
    converse(stack, http, firestore_db, wa_id, "oi")  # a genuine message after it is answered
    assert not stored(firestore_db, message_id).exists
    assert len(sends_to(stack, wa_id)) == 1


def test_malformed_body_is_rejected(stack, http):
    body = b'{"object": "whatsapp_business_account", "entry": ['
    assert (
        http.post(
            f"{stack.functions_url}/webhook_whatsapp", content=body, headers=signed_headers(body, SECRET)
        ).status_code
        == 400
    )


def test_batch_of_messages_each_answered(stack, http):
    customers = [new_customer() for _ in range(3)]
    messages = [
        {
            "from": c,
            "id": f"wamid.{uuid.uuid4().hex}",
            "timestamp": str(int(time.time())),
            "type": "text",
            "text": {"body": "oi"},
        }
        for c in customers
    ]
    payload = whatsapp_envelope(
        messages, contacts=[{"profile": {"name": "Cliente"}, "wa_id": c} for c in customers]
    )
    assert post_signed(http, f"{stack.functions_url}/webhook_whatsapp", payload, SECRET).status_code == 200
    for c in customers:
        wait_until(lambda c=c: sends_to(stack, c), what=f"reply to {c}")


def test_non_text_kinds_do_not_crash(stack, http, firestore_db):
    wa_id = new_customer()
    image = {
        "from": wa_id,
        "id": f"wamid.{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
        "type": "image",
        "image": {"id": "123", "mime_type": "image/jpeg", "sha256": "x"},
    }
    reaction = {
        "from": wa_id,
        "id": f"wamid.{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
        "type": "reaction",
        "reaction": {"message_id": "wamid.x", "emoji": "👍"},
    }
    payload = whatsapp_envelope([image, reaction], contacts=[{"profile": {"name": "Ana"}, "wa_id": wa_id}])
    assert post_signed(http, f"{stack.functions_url}/webhook_whatsapp", payload, SECRET).status_code == 200
    converse(stack, http, firestore_db, wa_id, "oi")
    assert stored(firestore_db, image["id"]).get("kind") == "image"
    assert stored(firestore_db, reaction["id"]).get("kind") == "reaction"
    bodies = [s["body"] for s in sends_to(stack, wa_id)]
    texts = [b["text"]["body"] if b["type"] == "text" else b["interactive"]["body"]["text"] for b in bodies]
    assert len(texts) == 2  # the image is acknowledged, the reaction is not answered, "oi" is (a menu)
    assert any("imagem" in t for t in texts)


def reply_of(firestore_db, stack, http, wa_id: str) -> tuple[str, dict]:
    message_id = f"wamid.{uuid.uuid4().hex}"
    sent = converse(stack, http, firestore_db, wa_id, "oi", message_id)
    reply_id = stored(firestore_db, message_id).get("replyMessageId")
    wait_until(
        lambda: firestore_db.collection("messages").document(reply_id).get().get("status") != "sending",
        what="send recorded",
    )
    return reply_id, sent


def post_status(
    stack, http, wamid: str, wa_id: str, status: str, errors: list | None = None, callback: str | None = None
) -> None:
    item = {"id": wamid, "status": status, "timestamp": str(int(time.time())), "recipient_id": wa_id}
    if errors:
        item["errors"] = errors
    if callback:  # what Atende sent as biz_opaque_callback_data: our message id
        item["biz_opaque_callback_data"] = callback
    response = post_signed(
        http, f"{stack.functions_url}/webhook_whatsapp", whatsapp_envelope(statuses=[item]), SECRET
    )
    assert response.status_code == 200


def test_statuses_only_move_forward(stack, http, firestore_db):
    wa_id = new_customer()
    reply_id, sent = reply_of(firestore_db, stack, http, wa_id)
    doc = firestore_db.collection("messages").document(reply_id)
    for status in ("read", "delivered", "sent", "read"):  # out of order and repeated
        post_status(stack, http, sent["id"], wa_id, status)
    wait_until(lambda: "delivered" in (field(doc.get(), "statusAt") or {}), what="late delivered applied")
    final = doc.get().to_dict()
    assert final["status"] == "read"


def test_transient_graph_errors_are_retried(stack, http, firestore_db):
    wa_id = new_customer()
    stack.graph.fail_next(
        Fault(500, {"error": {"message": "Internal", "code": 131000}}),
        Fault(429, {"error": {"message": "Throughput", "code": 130429}}),
    )
    reply_id, sent = reply_of(firestore_db, stack, http, wa_id)
    doc = firestore_db.collection("messages").document(reply_id).get().to_dict()
    assert doc["status"] == "sent" and doc["providerMessageId"] == sent["id"]


def reply_doc(stack, http, firestore_db, wa_id: str, message_id: str):
    """The customer says "oi"; the reply's document, once ai_reply has created it."""
    post_signed(
        http,
        f"{stack.functions_url}/webhook_whatsapp",
        whatsapp_text("oi", wa_id=wa_id, message_id=message_id),
        SECRET,
    )
    reply_id = wait_until(
        lambda: field(stored(firestore_db, message_id), "replyMessageId"), what="reply created"
    )
    return firestore_db.collection("messages").document(reply_id)


def test_a_slow_graph_answer_is_not_sent_twice_and_a_status_settles_it(stack, http, firestore_db):
    """Meta takes the message but answers after the client gave up (GRAPH_READ_TIMEOUT_S in conftest):
    the reply is `unknown`, not retried; WhatsApp's status, naming our message, then settles it."""
    wa_id = new_customer()
    message_id = f"wamid.{uuid.uuid4().hex}"
    read_timeout = float(stack.env["GRAPH_READ_TIMEOUT_S"])
    stack.graph.fail_next(Fault(0, {}, answer_delay_s=read_timeout + 2))
    doc = reply_doc(stack, http, firestore_db, wa_id, message_id)
    unknown = wait_until(
        lambda: (d := doc.get().to_dict())["status"] == "unknown" and d, what="the send's outcome unknown"
    )
    sent = sends_to(stack, wa_id)
    assert len(sent) == 1, "a send of unknown outcome was retried"
    assert unknown["error"]["agentMessage"] == "Não sabemos se a mensagem chegou; confira antes de reenviar"
    assert "sweepAt" not in unknown  # the sweeper leaves it to an agent
    post_status(stack, http, sent[0]["id"], wa_id, "delivered", callback=doc.id)
    settled = wait_until(
        lambda: (d := doc.get().to_dict())["status"] == "delivered" and d, what="the status settles it"
    )
    assert settled["providerMessageId"] == sent[0]["id"] and "error" not in settled
    assert [e["step"] for e in settled["sendHistory"]] == ["unknown", "sent"]
    assert len(sends_to(stack, wa_id)) == 1


def test_the_scheduled_sweep_sends_a_reply_whose_push_was_lost(stack, firestore_db):
    """A reply stored as queued whose Pub/Sub push never came: the stack's sweep tick re-queues it."""
    wa_id = new_customer()
    written = time.time() - LOST_PUSH_S - 1
    inbound = InboundMessage(
        channel=Channel.WHATSAPP,
        account_id=DEMO_PHONE_NUMBER_ID,
        provider_message_id=f"wamid.{uuid.uuid4().hex}",
        sender=Sender(id=wa_id, phone=f"+{wa_id}"),
        timestamp=written,
        text="oi",
        content=Text(),
    )
    reply = Message.bot_reply(
        inbound, contact_id="c_lost", window_from=written, text="Olá de novo", engine={}, now=written
    )
    doc = firestore_db.collection("messages").document(reply.id)
    doc.set(to_doc(reply))
    sent = wait_until(lambda: sends_to(stack, wa_id), what="the swept reply sent")
    assert [s["body"]["text"]["body"] for s in sent] == ["Olá de novo"]
    settled = wait_until(lambda: (d := doc.get().to_dict())["status"] == "sent" and d, what="send recorded")
    assert [(e["step"], e.get("reason")) for e in settled["sendHistory"]] == [
        ("requeued", "lost_push"),
        ("sent", None),
    ]
    assert "sweepAt" not in settled


def test_permanent_graph_error_is_visible_on_the_message(stack, http, firestore_db):
    wa_id = new_customer()
    message_id = f"wamid.{uuid.uuid4().hex}"
    stack.graph.fail_next(
        Fault(
            400,
            {
                "error": {
                    "message": "Receiver is incapable of receiving this message",
                    "code": 131026,
                    "error_data": {"details": "Undeliverable"},
                }
            },
        )
    )
    doc = reply_doc(stack, http, firestore_db, wa_id, message_id)
    failed = wait_until(
        lambda: (d := doc.get().to_dict())["status"] == "failed" and d, what="failure recorded"
    )
    assert failed["error"]["code"] == 131026 and failed["error"]["retryable"] is False
    assert sends_to(stack, wa_id) == []


def test_delivery_failure_reported_by_status_webhook(stack, http, firestore_db):
    wa_id = new_customer()
    reply_id, sent = reply_of(firestore_db, stack, http, wa_id)
    post_status(
        stack,
        http,
        sent["id"],
        wa_id,
        "failed",
        [{"code": 131026, "title": "Undeliverable", "error_data": {"details": "Message Undeliverable."}}],
    )
    doc = firestore_db.collection("messages").document(reply_id)
    failed = wait_until(lambda: (d := doc.get().to_dict())["status"] == "failed" and d, what="failed status")
    assert failed["error"]["code"] == 131026
