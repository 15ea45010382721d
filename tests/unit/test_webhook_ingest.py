"""What the webhooks do with input Meta never sends: each case was seen to 5xx or to poison a consumer
(issue 8); now it is a 400, a clamped value, a hashed id, or an item rejected with a 200 and recorded."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from atende.channels.messenger.webhook import parse as parse_messenger
from atende.channels.signature import SIGNATURE_HEADER, sign
from atende.channels.whatsapp.webhook import parse as parse_whatsapp
from atende.dev.payloads import encode as encode_payload
from atende.dev.payloads import whatsapp_envelope, whatsapp_text
from atende.domain.contact import identity_keys
from atende.domain.events import InboundMessage, RejectedItem, StatusUpdate, decode, encode
from atende.domain.model import conversation_doc_id
from atende.services import failures
from atende.services.webhook import Reply, WebhookReceiver
from tests.fakes import FakePublisher, FakeUnitOfWork

SECRET = "s3cret"


def valid_doc_id(doc_id: str) -> bool:
    """Firestore's rules for a document id."""
    return (
        bool(doc_id)
        and "/" not in doc_id
        and len(doc_id.encode("utf-8", "surrogatepass")) <= 1500
        and doc_id not in (".", "..")
        and not (doc_id.startswith("__") and doc_id.endswith("__"))
    )


def post(body: bytes, parse: Any = parse_whatsapp, publisher: FakePublisher | None = None) -> Reply:
    rcv = WebhookReceiver("whatsapp", parse, publisher or FakePublisher(), SECRET, "verify-me")
    return rcv.handle("POST", {}, {SIGNATURE_HEADER: sign(body, SECRET)}, body)


def first_message(payload: dict[str, Any]) -> dict[str, Any]:
    return payload["entry"][0]["changes"][0]["value"]["messages"][0]


def received(payload: dict[str, Any] | bytes, parse: Any = parse_whatsapp) -> tuple[Reply, list[Any]]:
    publisher = FakePublisher()
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    reply = post(body, parse, publisher)
    return reply, publisher.published


def only(events: list[Any], kind: type) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


# --- text that is not a string ---------------------------------------------------------------------------


def test_whatsapp_text_body_that_is_a_number_is_stored_as_unsupported_with_the_reason():
    payload = whatsapp_text("x")
    first_message(payload)["text"] = {"body": 12345}
    reply, events = received(payload)
    assert reply.status == 200
    [message] = only(events, InboundMessage)
    assert message.text is None and message.kind == "unsupported"
    assert "Malformed" in (message.errors[0].title or "")
    assert decode(encode(message)) == message


def test_messenger_text_that_is_an_object_is_stored_as_unsupported():
    payload = {
        "object": "page",
        "entry": [
            {
                "id": "1",
                "time": 1457764198246,
                "messaging": [
                    {
                        "sender": {"id": "2"},
                        "recipient": {"id": "1"},
                        "timestamp": 1457764197627,
                        "message": {"mid": "m.1", "text": {"evil": True}},
                    }
                ],
            }
        ],
    }
    reply, events = received(payload, parse_messenger)
    assert reply.status == 200
    assert [m.kind for m in only(events, InboundMessage)] == ["unsupported"]


def test_numeric_formatted_name_of_a_shared_contact_is_read_as_text():
    message = {
        "from": "5511987654321",
        "id": "wamid.contacts",
        "timestamp": "1700000000",
        "type": "contacts",
        "contacts": [{"name": {"formatted_name": 123}}],
    }
    reply, events = received(whatsapp_envelope([message]))
    assert reply.status == 200 and only(events, InboundMessage)[0].text == "123"


# --- bodies that are not sane JSON -----------------------------------------------------------------------


def test_json_nested_thousands_deep_is_a_400_not_a_500():
    body = b'{"object":"whatsapp_business_account","entry":' + b"[" * 6000 + b"]" * 6000 + b"}"
    reply, events = received(body)
    assert reply.status == 400 and events == []


def test_a_number_of_thousands_of_digits_is_a_400():
    body = b'{"object":"whatsapp_business_account","entry":[' + b"9" * 5000 + b"]}"
    reply, events = received(body)
    assert reply.status == 400 and events == []


def test_lone_surrogate_in_a_text_is_rejected_and_recorded_not_a_503():
    reply, events = received(whatsapp_text("oi \ud800 tudo bem"))
    assert reply.status == 200 and json.loads(reply.body)["rejected"] == 1
    assert only(events, InboundMessage) == []
    [rejected] = only(events, RejectedItem)
    assert "unicode" in rejected.reason and rejected.where == "entry[0].changes[0].messages[0]"
    assert "\\ud800" in rejected.excerpt and rejected.excerpt.isascii()
    assert decode(encode(rejected)) == rejected


def test_other_messages_of_the_batch_are_published_beside_a_rejected_one():
    good = first_message(whatsapp_text("bom dia", message_id="wamid.good"))
    bad = first_message(whatsapp_text("\udfff", message_id="wamid.bad"))
    reply, events = received(whatsapp_envelope([bad, good]))
    assert reply.status == 200
    assert [m.provider_message_id for m in only(events, InboundMessage)] == ["wamid.good"]
    assert len(only(events, RejectedItem)) == 1


def test_an_item_nested_deeper_than_firestore_stores_is_rejected():
    deep: Any = "fundo"
    for _ in range(30):
        deep = {"x": deep}
    payload = whatsapp_text("olá")
    first_message(payload)["referral"] = {"source_url": "https://x", "extra": deep}
    reply, events = received(payload)
    assert reply.status == 200 and only(events, InboundMessage) == []
    assert "nested" in only(events, RejectedItem)[0].reason


@pytest.mark.parametrize("where", ["pricing", "order"])
def test_an_integer_beyond_64_bits_is_rejected(where: str):
    if where == "pricing":
        status = {
            "id": "wamid.s",
            "status": "sent",
            "timestamp": "1700000000",
            "recipient_id": "5511987654321",
        }
        payload = whatsapp_envelope(statuses=[{**status, "pricing": {"billable": 10**30}}])
    else:
        message = {
            "from": "5511987654321",
            "id": "wamid.order",
            "timestamp": "1700000000",
            "type": "order",
            "order": {"catalog_id": "c", "product_items": [{"quantity": 10**30}]},
        }
        payload = whatsapp_envelope([message])
    reply, events = received(payload)
    assert reply.status == 200
    assert only(events, InboundMessage) == only(events, StatusUpdate) == []
    assert "64 bits" in only(events, RejectedItem)[0].reason


def test_a_parser_that_fails_on_a_signed_body_records_it_and_answers_200():
    def broken(payload: Any) -> Any:
        raise TypeError("a shape nobody foresaw")

    reply, events = received(whatsapp_text("oi"), broken)
    assert reply.status == 200
    [rejected] = only(events, RejectedItem)
    assert rejected.where == "body" and "TypeError" in rejected.reason


def test_rejected_items_are_part_of_the_publish_that_must_succeed():
    publisher = FakePublisher(fail=True)
    assert post(encode_payload(whatsapp_text("\ud800")), publisher=publisher).status == 503


# --- the handshake -----------------------------------------------------------------------------------------


def test_handshake_with_the_right_token_and_no_challenge_is_a_400():
    rcv = WebhookReceiver("whatsapp", parse_whatsapp, FakePublisher(), SECRET, "verify-me")
    reply = rcv.handle("GET", {"hub.mode": "subscribe", "hub.verify_token": "verify-me"}, {}, b"")
    assert reply.status == 400


# --- ids ---------------------------------------------------------------------------------------------------


def test_plain_ids_stay_readable():
    assert conversation_doc_id("whatsapp", "106540352242922", "5511987654321") == (
        "whatsapp_106540352242922_5511987654321"
    )
    assert (
        conversation_doc_id("whatsapp", "1", "BR.13491208655302741918")
        == "whatsapp_1_BR.13491208655302741918"
    )
    _, events = received(whatsapp_text("oi", wa_id="5511987654321"))
    assert identity_keys(only(events, InboundMessage)[0]) == [
        "whatsapp:5511987654321",
        "phone:+5511987654321",
    ]


@pytest.mark.parametrize("sender", ["a/b/c", "..", "__x__", "x" * 400, "olá mundo", "a" * 201])
def test_sender_ids_that_are_not_plain_give_valid_document_ids(sender: str):
    payload = whatsapp_text("oi", wa_id=sender)
    _, events = received(payload)
    [message] = only(events, InboundMessage)
    ids = [message.conversation_id, message.message_id, *identity_keys(message)]
    assert all(valid_doc_id(i) for i in ids), ids
    assert len(message.ordering_key.encode()) <= 1024  # Pub/Sub's limit for an ordering key


def test_sender_or_message_ids_longer_than_any_meta_id_are_rejected():
    payload = whatsapp_text("oi", wa_id="7" * 5000, message_id="w" * 5000)
    reply, events = received(payload)
    assert reply.status == 200 and only(events, InboundMessage) == []
    assert "usable id" in only(events, RejectedItem)[0].reason


@pytest.mark.parametrize("ours", ["messages/x", "a/b", "..", {"id": 1}, "m_" + "f" * 2000])
def test_a_status_naming_a_message_id_that_cannot_be_ours_finds_it_by_provider_id_instead(ours: Any):
    status = {
        "id": "wamid.s",
        "status": "delivered",
        "timestamp": "1700000000",
        "biz_opaque_callback_data": ours,
    }
    _, events = received(whatsapp_envelope(statuses=[status]))
    [update] = only(events, StatusUpdate)
    assert update.message_id is None and update.provider_message_id == "wamid.s"


def test_a_media_id_that_is_not_meta_s_is_not_kept_as_a_graph_path():
    message = {"from": "5511987654321", "id": "wamid.img", "timestamp": "1700000000", "type": "image"}
    image = {**message, "image": {"id": "../me/accounts", "mime_type": "image/jpeg"}}
    _, events = received(whatsapp_envelope([image]))
    [stored] = only(events, InboundMessage)
    assert stored.kind == "image" and stored.content.media_id is None


# --- timestamps --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stamp", ["17536000000000", 10**30, "1e400", "nan", "-inf", -5, {"t": 1}])
def test_timestamps_out_of_range_become_the_time_of_receipt(stamp: Any):
    payload = whatsapp_text("oi")
    first_message(payload)["timestamp"] = stamp
    before = time.time()
    _, events = received(payload)
    assert before - 1 <= only(events, InboundMessage)[0].timestamp <= time.time() + 1


def test_messenger_millisecond_timestamps_out_of_range_are_clamped_too():
    item = {
        "sender": {"id": "2"},
        "recipient": {"id": "1"},
        "timestamp": 10**25,
        "message": {"mid": "m.2", "text": "oi"},
    }
    payload = {"object": "page", "entry": [{"id": "1", "time": "soon", "messaging": [item]}]}
    _, events = received(payload, parse_messenger)
    assert abs(only(events, InboundMessage)[0].timestamp - time.time()) < 5


# --- recording -------------------------------------------------------------------------------------------


def test_a_rejected_item_is_recorded_once_in_omni_logs():
    item = RejectedItem(channel="whatsapp", where="entry[0]", reason="r", excerpt="{}", received_at=1.7e9)
    uow = FakeUnitOfWork()
    failures.record(uow, failures.rejected_at_ingest(item))
    redelivered = item.model_copy(update={"received_at": 1.8e9})  # Meta's redelivery of the body
    failures.record(uow, failures.rejected_at_ingest(redelivered))
    assert list(uow.store.omni_logs) == [item.log_id] and valid_doc_id(item.log_id)
    entry = uow.store.omni_logs[item.log_id]
    assert entry.source == "webhook_whatsapp" and entry.kind == failures.FailureKind.REJECTED
    assert entry.reason == "entry[0]: r" and entry.payload == "{}"
