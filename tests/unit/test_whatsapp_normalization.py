"""Every real WhatsApp webhook payload in the fixtures normalizes without loss or crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atende.channels.parsing import MalformedPayload
from atende.channels.whatsapp.webhook import parse
from atende.domain import events as ev
from atende.domain.content import Audio, Image, Reaction, Unsupported
from atende.domain.model import MessageKind

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "meta-restfb" / "whatsapp"
WEBHOOKS = sorted(p for p in FIXTURES.glob("webhook-*.json"))

# file -> (kind of the one inbound message, text a person would read) ; statuses and ignored below
MESSAGES: dict[str, tuple[MessageKind, str | None]] = {
    "webhook-incoming-message-text.json": (MessageKind.TEXT, "Test"),
    "webhook-incoming-message-text-bsuid.json": (MessageKind.TEXT, "Does it come in another color?"),
    "webhook-incoming-message-ads.json": (MessageKind.TEXT, None),
    "webhook-incoming-message-audio.json": (MessageKind.AUDIO, None),
    "webhook-incoming-message-button.json": (MessageKind.BUTTON, None),
    "webhook-incoming-message-contacts.json": (MessageKind.CONTACTS, None),
    "webhook-incoming-message-contacts2.json": (MessageKind.CONTACTS, None),
    "webhook-incoming-message-contacts-request-bsuid.json": (MessageKind.CONTACTS, None),
    "webhook-incoming-message-document.json": (MessageKind.DOCUMENT, None),
    "webhook-incoming-message-emoji.json": (MessageKind.REACTION, None),
    "webhook-incoming-message-error.json": (MessageKind.UNSUPPORTED, None),
    "webhook-incoming-message-image.json": (MessageKind.IMAGE, "Some awesome image"),
    "webhook-incoming-message-interactive-btn.json": (MessageKind.INTERACTIVE, None),
    "webhook-incoming-message-interactive-list.json": (MessageKind.INTERACTIVE, None),
    "webhook-incoming-message-location.json": (MessageKind.LOCATION, None),
    "webhook-incoming-message-sticker.json": (MessageKind.STICKER, None),
    "webhook-incoming-message-system.json": (MessageKind.SYSTEM, None),
    "webhook-incoming-message-system-bsuid.json": (MessageKind.SYSTEM, None),
    "webhook-incoming-message-unsupported.json": (MessageKind.UNSUPPORTED, None),
    "webhook-incoming-message-video.json": (MessageKind.VIDEO, None),
}
STATUSES: dict[str, str] = {
    "webhook-incoming-message-status-bsuid.json": "delivered",
    "webhook-incoming-message-status-errors.json": "failed",
    "webhook-incoming-message-status-group-bsuid.json": "read",
    "webhook-incoming-message-status-ui.json": "sent",
}


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_bytes())


def test_every_webhook_fixture_has_an_expectation():
    listed = set(MESSAGES) | set(STATUSES)
    ignored = {p.name for p in WEBHOOKS if p.name not in listed}
    # The rest are account/template/number notifications, not conversation traffic.
    assert all("incoming-message" not in name for name in ignored), ignored


@pytest.mark.parametrize("path", WEBHOOKS, ids=lambda p: p.name)
def test_fixture_normalizes(path: Path):
    result = parse(load(path.name))
    if path.name in MESSAGES:
        kind, text = MESSAGES[path.name]
        [event] = result.events
        assert isinstance(event, ev.InboundMessage)
        assert event.kind == kind
        if text is not None:
            assert event.text == text
        assert event.provider_message_id.startswith("wamid.")
        assert event.sender.id and event.account_id
        assert ev.decode(ev.encode(event)) == event  # survives the trip through Pub/Sub
    elif path.name in STATUSES:
        [event] = result.events
        assert isinstance(event, ev.StatusUpdate)
        assert event.status == STATUSES[path.name]
        assert ev.decode(ev.encode(event)) == event
    else:
        assert result.events == []
        assert result.ignored and all("is not a message" in i.reason for i in result.ignored)


def test_media_message_keeps_what_is_needed_to_fetch_it():
    [event] = parse(load("webhook-incoming-message-image.json")).events
    assert isinstance(event.content, Image)
    assert event.content.media_id == "400962571939895"
    assert event.content.mime_type


def test_voice_note_is_flagged():
    [event] = parse(load("webhook-incoming-message-audio.json")).events
    assert isinstance(event.content, Audio) and event.content.voice is True


def test_reaction_points_at_the_reacted_message():
    [event] = parse(load("webhook-incoming-message-emoji.json")).events
    assert isinstance(event.content, Reaction)
    assert event.content.reacted_to and event.content.reacted_to.startswith("wamid.")
    assert event.content.removed is (not event.content.emoji)


def test_username_era_sender_without_phone():
    [event] = parse(load("webhook-incoming-message-text-bsuid.json")).events
    assert event.sender.phone is None
    assert event.sender.id == event.sender.user_id == "US.13491208655302741918"
    assert event.sender.username == "@realsheenanelson"


def test_ad_click_keeps_its_referral():
    [event] = parse(load("webhook-incoming-message-ads.json")).events
    assert event.context.referral and event.context.referral.source_type == "ad"


def test_failed_status_carries_the_platform_error():
    [event] = parse(load("webhook-incoming-message-status-errors.json")).events
    assert event.errors[0]["code"] == 131026


def test_brazilian_number_without_ninth_digit_is_canonicalised():
    payload = load("webhook-incoming-message-text.json")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message["from"] = "551187654321"
    [event] = parse(payload).events
    assert event.sender.phone == "+5511987654321"


def test_unknown_future_kind_is_kept_not_crashed():
    payload = load("webhook-incoming-message-text.json")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message["type"] = "hologram"
    message["hologram"] = {"id": "1"}
    [event] = parse(payload).events
    assert event.kind == MessageKind.UNSUPPORTED and event.content == Unsupported(type="hologram")


def test_batch_of_many_entries_yields_every_item():
    text = load("webhook-incoming-message-text.json")
    status = load("webhook-incoming-message-status-ui.json")
    batch = {"object": text["object"], "entry": text["entry"] + status["entry"] + text["entry"]}
    assert [type(e).__name__ for e in parse(batch).events] == [
        "InboundMessage",
        "StatusUpdate",
        "InboundMessage",
    ]


@pytest.mark.parametrize(
    "payload", [{"object": "page"}, [], "x", {"object": "whatsapp_business_account", "entry": "nope"}]
)
def test_hostile_shapes(payload):
    if isinstance(payload, dict) and payload.get("object") == "whatsapp_business_account":
        assert parse(payload).events == []
    else:
        with pytest.raises(MalformedPayload):
            parse(payload)


def test_message_missing_id_is_rejected_with_reason_and_a_copy():
    payload = load("webhook-incoming-message-text.json")
    del payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    result = parse(payload)
    assert result.events == [] and "without a usable id" in result.rejected[0].reason
    assert result.rejected[0].where == "entry[0].changes[0].messages[0]"
    assert '"type": "text"' in result.rejected[0].excerpt
