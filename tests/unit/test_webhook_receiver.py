"""The webhook contract Meta relies on: handshake, signature, ack only after publish."""

from __future__ import annotations

import json

import pytest

from atende.channels.signature import SIGNATURE_HEADER, sign
from atende.channels.whatsapp.webhook import parse
from atende.dev.payloads import encode, whatsapp_text
from atende.domain.events import ForgedSignatures, InboundMessage
from atende.services.webhook import MAX_BODY_BYTES, WebhookReceiver
from tests.fakes import FakePublisher

SECRET = "s3cret"


def receiver(publisher: FakePublisher | None = None) -> WebhookReceiver:
    return WebhookReceiver("whatsapp", parse, publisher or FakePublisher(), SECRET, "verify-me")


def post(rcv: WebhookReceiver, body: bytes, signature: str | None = "auto"):
    headers = (
        {}
        if signature is None
        else {SIGNATURE_HEADER: sign(body, SECRET) if signature == "auto" else signature}
    )
    return rcv.handle("POST", {}, headers, body)


def test_handshake_echoes_the_challenge_as_plain_text():
    reply = receiver().handle(
        "GET",
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"},
        {},
        b"",
    )
    assert (reply.status, reply.body, reply.content_type) == (200, "1158201444", "text/plain")


@pytest.mark.parametrize(
    "args",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "x"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "verify-me", "hub.challenge": "x"},
        {},
    ],
)
def test_handshake_refuses_anything_else(args):
    assert receiver().handle("GET", args, {}, b"").status == 403


def test_signed_text_is_published_and_acknowledged():
    publisher = FakePublisher()
    reply = post(receiver(publisher), encode(whatsapp_text("Olá, tudo bem? ção")))
    assert reply.status == 200
    assert len(publisher.published) == 1
    event = publisher.published[0]
    assert isinstance(event, InboundMessage) and event.text == "Olá, tudo bem? ção"


def test_signature_is_checked_over_raw_bytes_with_meta_escapes():
    """Meta sends non-ASCII as \\uXXXX; re-serialising would change the bytes and break the check."""
    body = encode(whatsapp_text("não"))
    assert b"\\u00e3" in body
    assert post(receiver(), body).status == 200


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "sha1=abc", "garbage"])
def test_forged_or_missing_signature_publishes_only_a_count(signature):
    publisher = FakePublisher()
    reply = post(receiver(publisher), encode(whatsapp_text("oi")), signature)
    assert reply.status == 401
    (counted,) = publisher.published
    assert isinstance(counted, ForgedSignatures) and (counted.channel, counted.count) == ("whatsapp", 1)
    assert "oi" not in counted.model_dump_json()


def test_signature_of_another_body_is_rejected():
    publisher = FakePublisher()
    rcv = receiver(publisher)
    good = encode(whatsapp_text("oi"))
    tampered = good.replace(b"oi", b"ei")
    assert rcv.handle("POST", {}, {SIGNATURE_HEADER: sign(good, SECRET)}, tampered).status == 401
    assert [type(e) for e in publisher.published] == [ForgedSignatures]


def test_malformed_json_is_a_400():
    assert post(receiver(), b'{"object": "whatsapp_business_account", "entry": [').status == 400


def test_json_that_is_not_a_whatsapp_webhook_is_a_400():
    assert post(receiver(), json.dumps({"object": "page", "entry": []}).encode()).status == 400
    assert post(receiver(), b"[1, 2, 3]").status == 400


def test_huge_body_is_refused_before_parsing():
    publisher = FakePublisher()
    assert post(receiver(publisher), b" " * (MAX_BODY_BYTES + 1)).status == 413
    assert publisher.published == []


def test_failed_publish_answers_5xx_so_meta_retries():
    reply = post(receiver(FakePublisher(fail=True)), encode(whatsapp_text("oi")))
    assert reply.status == 503


def test_other_methods_are_refused():
    assert receiver().handle("PUT", {}, {}, b"").status == 405
