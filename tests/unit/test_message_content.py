"""Typed message content: the stored documents did not move, the Pub/Sub hop is lossless, bad shapes are kept.

tests/fixtures/content/expected-docs.json holds what the parsers wrote when content
was a plain dict (see its README); every fixture payload must still produce exactly
those Firestore maps and that Pub/Sub JSON.
"""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import pytest

from atende.channels.instagram.webhook import parse as parse_instagram
from atende.channels.messenger.webhook import parse as parse_messenger
from atende.channels.whatsapp.webhook import parse as parse_whatsapp
from atende.domain.content import (
    AnyContent,
    Button,
    Interactive,
    Location,
    MessageContext,
    PlatformError,
    Postback,
    Text,
    Unsupported,
    content_from_doc,
)
from atende.domain.events import InboundMessage, Sender, decode, encode
from atende.domain.model import Channel, MessageKind
from atende.engines.base import ReplyRequest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RECORDED = FIXTURES / "meta-restfb"
EXPECTED: dict[str, list[dict[str, Any]]] = json.loads((FIXTURES / "content/expected-docs.json").read_text())
EXTRA: dict[str, Any] = json.loads((FIXTURES / "content/extra-webhooks.json").read_text())
PARSERS = {
    "whatsapp": parse_whatsapp,
    "webhooks": parse_messenger,
    "messenger": parse_messenger,
    "instagram": parse_instagram,
}


def payload_of(source: str) -> Any:
    if source in EXTRA:
        return EXTRA[source]
    return json.loads((RECORDED / source).read_bytes())


def messages_of(source: str, payload: Any = None) -> list[InboundMessage]:
    parse = PARSERS[source.split("/")[0].split(":")[0]]
    events = parse(payload_of(source) if payload is None else payload).events
    return [e for e in events if isinstance(e, InboundMessage)]


def test_every_payload_that_makes_messages_has_its_expected_documents():
    recorded = [str(p.relative_to(RECORDED)) for p in RECORDED.glob("*/*.json")]
    sources = [s for s in recorded if not s.split("/")[1].startswith(("message-response", "send-message"))]
    assert {source for source in [*sources, *EXTRA] if messages_of(source)} == set(EXPECTED)


@pytest.mark.parametrize("source", sorted(EXPECTED))
def test_stored_documents_and_pubsub_json_are_what_they_were(source: str):
    messages = messages_of(source)
    assert len(messages) == len(EXPECTED[source])
    for message, expected in zip(messages, EXPECTED[source], strict=True):
        assert (str(message.kind), message.text) == (expected["kind"], expected["text"])
        assert message.content.to_doc() == expected["content"]
        assert message.context.to_doc() == expected["context"]
        assert [error.to_doc() for error in message.errors] == expected["errors"]
        wire = json.loads(encode(message))
        assert wire == expected["wire"]
        # Both directions of a deploy: old JSON decodes to the same message, which encodes back to it.
        assert decode(json.dumps(expected["wire"])) == message
        assert json.loads(encode(decode(encode(message)))) == wire
        # Firestore maps read back give the same content, with the same keys.
        again = content_from_doc(expected["kind"], expected["content"])
        assert again == message.content and again.to_doc() == expected["content"]
        assert MessageContext.from_doc(expected["context"]).to_doc() == expected["context"]
        assert [PlatformError.from_doc(e).to_doc() for e in expected["errors"]] == expected["errors"]


def test_every_kind_has_exactly_one_content_model():
    models = typing.get_args(typing.get_args(AnyContent)[0])
    kinds = [model.model_fields["kind"].default for model in models]
    assert sorted(kinds) == sorted(MessageKind)


def test_content_is_typed_and_frozen():
    [location] = messages_of("whatsapp/webhook-incoming-message-location.json")
    match location.content:
        case Location(latitude=float(lat), longitude=float(lng)):
            assert (round(lat, 3), round(lng, 3)) == (49.235, 6.999)
        case other:
            pytest.fail(f"a WhatsApp location is a Location, not {other!r}")
    with pytest.raises(ValueError):
        location.content.latitude = 0.0  # type: ignore[misc]


def test_messages_are_keyword_only():
    with pytest.raises(TypeError):
        InboundMessage(Channel.WHATSAPP, "1", "wamid.x", Sender(id="55"), 1.0, Text())  # type: ignore[misc]


def whatsapp_with(message: dict[str, Any]) -> dict[str, Any]:
    payload = json.loads(json.dumps(EXTRA["whatsapp:location-pin"]))
    payload["entry"][0]["changes"][0]["value"]["messages"] = [
        {"from": "5511987654321", "id": "wamid.BAD", "timestamp": "1", **message}
    ]
    return payload


@pytest.mark.parametrize(
    ("message", "what"),
    [
        ({"type": "location", "location": {"latitude": "perto de casa", "longitude": -46.6}}, "latitude"),
        ({"type": "contacts", "contacts": ["Maria"]}, "contacts.0"),
        ({"type": "reaction", "reaction": {"message_id": {"id": "x"}, "emoji": "👍"}}, "reacted_to"),
        ({"type": "text", "text": {"body": "oi"}, "referral": {"headline": ["a", "b"]}}, "referral.headline"),
    ],
)
def test_a_malformed_whatsapp_part_is_stored_as_unsupported_with_the_reason(
    message: dict[str, Any], what: str
):
    [stored] = messages_of("whatsapp:x", whatsapp_with(message))
    assert stored.kind == MessageKind.UNSUPPORTED and stored.content.to_doc() == {"type": message["type"]}
    assert stored.sender.id == "5511987654321" and stored.provider_message_id == "wamid.BAD"
    [error] = stored.errors
    assert error.error_data is not None and what in (error.error_data.details or "")
    assert "perto de casa" not in encode(stored).decode()  # the reason names fields, not what was in them
    assert decode(encode(stored)) == stored


def test_a_malformed_messenger_part_is_stored_as_unsupported_with_the_reason():
    payload = json.loads(json.dumps(EXTRA["messenger:postback-without-title"]))
    payload["entry"][0]["messaging"][0]["postback"]["payload"] = {"menu": 1}
    [stored] = messages_of("messenger:x", payload)
    assert stored.kind == MessageKind.UNSUPPORTED and stored.content == Unsupported(type="postback")
    assert "payload" in (stored.errors[0].error_data.details or "")  # type: ignore[union-attr]


def test_fields_meta_adds_later_are_kept():
    payload = json.loads(json.dumps(EXTRA["whatsapp:list-reply-description"]))
    reply = payload["entry"][0]["changes"][0]["value"]["messages"][0]["interactive"]["list_reply"]
    reply["new_field"] = {"nested": True}
    [message] = messages_of("whatsapp:x", payload)
    assert message.content.to_doc()["new_field"] == {"nested": True}
    assert decode(encode(message)).content.to_doc() == message.content.to_doc()


@pytest.mark.parametrize(
    ("source", "choice"),
    [
        ("whatsapp/webhook-incoming-message-interactive-list.json", "list_reply_id"),
        ("whatsapp/webhook-incoming-message-button.json", "No-Button-Payload"),
        ("webhooks/messaging-message-quickreply.json", "PAYLOAD_QUICK_REPLY"),
        ("webhooks/messaging-postback-basic.json", "USER_DEFINED_PAYLOAD"),
        ("whatsapp:flow-reply", None),
        ("whatsapp/webhook-incoming-message-text.json", None),
    ],
)
def test_the_tapped_option_is_read_from_typed_content(source: str, choice: str | None):
    [message] = messages_of(source)
    assert isinstance(message.content, Interactive | Button | Postback | Text)
    request = ReplyRequest(message=message, conversation=None, contact=None)  # type: ignore[arg-type]
    assert request.choice_id == choice


def test_the_json_form_with_kind_beside_the_content_builds_typed_content():
    message = InboundMessage.model_validate(
        {
            "channel": "whatsapp",
            "account_id": "1",
            "provider_message_id": "wamid.x",
            "sender": {"id": "55"},
            "timestamp": 1.0,
            "kind": "location",
            "content": {"latitude": -23.5, "longitude": -46.6},
        }
    )
    assert message.content == Location(latitude=-23.5, longitude=-46.6)
    without_content = {**message.model_dump(exclude={"content"}), "kind": "text"}
    assert InboundMessage.model_validate(without_content).content == Text()
    with pytest.raises(ValueError, match="does not match"):
        InboundMessage.model_validate({**without_content, "content": Location()})
