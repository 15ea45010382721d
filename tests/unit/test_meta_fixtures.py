"""Every Meta fixture file goes through its webhook receiver: what becomes an event, what is ignored and why.

The files are real payloads recorded by RestFB (tests/fixtures/meta-restfb). The
table names, per file, the events a customer-service inbox would show and, for
files that carry nothing to show, the reason logged for dropping them. Files
that are Graph send requests/responses are checked against the senders instead
(tests/unit/test_outbound_payloads.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from atende.channels.instagram.webhook import parse as parse_instagram
from atende.channels.messenger.webhook import parse as parse_messenger
from atende.channels.signature import SIGNATURE_HEADER, sign
from atende.channels.whatsapp.webhook import parse as parse_whatsapp
from atende.dev.payloads import encode
from atende.domain.content import (
    Audio,
    Image,
    Interactive,
    Location,
    MessageContext,
    Postback,
    Reaction,
    Sticker,
    StoryMention,
    StoryReply,
)
from atende.domain.events import Event, InboundMessage, StatusUpdate, decode
from atende.domain.events import encode as encode_event
from atende.services.webhook import WebhookReceiver

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "meta-restfb"
SECRET = "fixture-secret"
PARSERS = {"whatsapp": parse_whatsapp, "webhooks": parse_messenger, "instagram": parse_instagram}
CHANNELS = {"whatsapp": "whatsapp", "webhooks": "messenger", "instagram": "instagram"}
GRAPH_CALLS = {"message-response", "send-message"}  # request/response bodies, not webhooks

# file -> (events as (what, kind/status, customer id or provider id, text), reason logged if ignored)
EXPECTED: dict[str, tuple[list[tuple[Any, ...]], str | None]] = {
    "instagram/messaging-attachment-unsupported.json": (
        [("msg", "unsupported", "5614879045272581", None)],
        None,
    ),
    "instagram/messaging-seen.json": ([("status", "read", "MESSAGE-ID")], None),
    "instagram/wh-comments-2021.json": ([], "not direct messages"),
    "instagram/wh-comments.json": ([], "not direct messages"),
    "instagram/wh-livecomments.json": ([], "not direct messages"),
    "instagram/wh-mentions.json": ([], "not direct messages"),
    "instagram/wh-story_insights.json": ([], "metrics"),
    "webhooks/messaging-accountlinking-linked.json": ([], "account linking"),
    "webhooks/messaging-accountlinking-unlinked.json": ([], "account linking"),
    "webhooks/messaging-airline-itinerary-template.json": (
        [("msg", "template", "987654321432", "Here's your flight itinerary.")],
        None,
    ),
    "webhooks/messaging-approles.json": ([], "handover"),
    "webhooks/messaging-button-template.json": ([("msg", "template", "987654321432", None)], None),
    "webhooks/messaging-checkoutupdate-shipping.json": ([], "payments"),
    "webhooks/messaging-delivery-basic.json": (
        [("status", "delivered", "mid.1458668856218:ed81099e15d3")],
        None,
    ),
    "webhooks/messaging-message-basic-echo.json": ([("echo", "text", "987654321432", "hello, world!")], None),
    "webhooks/messaging-message-basic.json": ([("msg", "text", "987654321432", "hello, world!")], None),
    "webhooks/messaging-message-edits.json": ([], "edits"),
    "webhooks/messaging-message-fallback-attachment.json": (
        [("msg", "text", "987654321432", "Legacy Attachment")],
        None,
    ),
    "webhooks/messaging-message-isdeleted.json": ([], "deleted"),
    "webhooks/messaging-message-isunsupported.json": ([("msg", "unsupported", "987654321432", None)], None),
    "webhooks/messaging-message-location-attachment.json": (
        [("msg", "location", "987654321432", None)],
        None,
    ),
    "webhooks/messaging-message-media-attachment.json": ([("msg", "image", "987654321432", None)], None),
    "webhooks/messaging-message-prior.json": (
        [("msg", "text", "987654321432", "Thanks for messaging me!")],
        None,
    ),
    "webhooks/messaging-message-product-template-2.json": (
        [("msg", "template", "send id", "text sent along with the product")],
        None,
    ),
    "webhooks/messaging-message-product-template.json": (
        [("msg", "template", "<PSID>", "Some product title")],
        None,
    ),
    "webhooks/messaging-message-quickreply.json": (
        [("msg", "interactive", "987654321432", "quick reply text")],
        None,
    ),
    "webhooks/messaging-message-reply-1.json": ([("msg", "text", "987654321432", "hello, world!")], None),
    "webhooks/messaging-message-reply-2.json": ([("msg", "text", "987654321432", "hello, world!")], None),
    "webhooks/messaging-message-sticker-thumbup.json": ([("msg", "sticker", "987654321432", None)], None),
    "webhooks/messaging-message-sticker.json": ([("msg", "sticker", "987654321432", None)], None),
    "webhooks/messaging-optin-basic.json": ([], "opt-in"),
    "webhooks/messaging-optin-userref.json": ([], "opt-in"),
    "webhooks/messaging-pass-thread-control.json": ([], "handover"),
    "webhooks/messaging-payment.json": ([], "payments"),
    "webhooks/messaging-policy-callback-block.json": ([], "policy enforcement: block"),
    "webhooks/messaging-policy-callback-unblock.json": ([], "policy enforcement: unblock"),
    "webhooks/messaging-postback-basic.json": (
        [("msg", "postback", "987654321432", "USER_DEFINED_PAYLOAD")],
        None,
    ),
    "webhooks/messaging-postback-chat.json": ([], "user_ref"),
    "webhooks/messaging-postback-referral.json": (
        [("msg", "postback", "987654321432", "USER_DEFINED_PAYLOAD")],
        None,
    ),
    "webhooks/messaging-reaction-1.json": ([("msg", "reaction", "USER_ID", "😢")], None),
    "webhooks/messaging-reaction-2.json": ([("msg", "reaction", "USER_ID", None)], None),
    "webhooks/messaging-read-basic.json": ([("status", "read", "watermark")], None),
    "webhooks/messaging-referral-basic.json": ([], "referral without a message"),
    "webhooks/messaging-request-thread-control.json": ([], "handover"),
    "webhooks/messaging-take-thread-control.json": ([], "handover"),
    "webhooks/standby-message-basic-echo.json": ([("echo", "text", "987654321432", "hello, world!")], None),
    "whatsapp/webhook-accountReviewUpdate.json": ([], "is not a message"),
    "whatsapp/webhook-accountUpdate-banned.json": ([], "is not a message"),
    "whatsapp/webhook-accountUpdate-verified.json": ([], "is not a message"),
    "whatsapp/webhook-businessUsernameUpdate-approved.json": ([], "is not a message"),
    "whatsapp/webhook-group-participants-update.json": ([], "is not a message"),
    "whatsapp/webhook-incoming-message-ads.json": ([("msg", "text", "491234567890", "Test")], None),
    "whatsapp/webhook-incoming-message-audio.json": ([("msg", "audio", "491234567890", None)], None),
    "whatsapp/webhook-incoming-message-button.json": ([("msg", "button", "491234567890", "No")], None),
    "whatsapp/webhook-incoming-message-contacts-request-bsuid.json": (
        [("msg", "contacts", "US.13491208655302741918", None)],
        None,
    ),
    "whatsapp/webhook-incoming-message-contacts.json": ([("msg", "contacts", "333333333333", "j_doe")], None),
    "whatsapp/webhook-incoming-message-contacts2.json": (
        [("msg", "contacts", "REDACTED", "REDACTED, REDACTED")],
        None,
    ),
    "whatsapp/webhook-incoming-message-document.json": (
        [("msg", "document", "491234567890", "RESTFB ANNIVERSARY")],
        None,
    ),
    "whatsapp/webhook-incoming-message-emoji.json": ([("msg", "reaction", "491234567890", "👍🏻")], None),
    "whatsapp/webhook-incoming-message-error.json": ([("msg", "unsupported", "491234567890", None)], None),
    "whatsapp/webhook-incoming-message-image.json": (
        [("msg", "image", "491234567890", "Some awesome image")],
        None,
    ),
    "whatsapp/webhook-incoming-message-interactive-btn.json": (
        [("msg", "interactive", "491234567890", "button-text")],
        None,
    ),
    "whatsapp/webhook-incoming-message-interactive-list.json": (
        [("msg", "interactive", "491234567890", "list_reply_title")],
        None,
    ),
    "whatsapp/webhook-incoming-message-location.json": (
        [("msg", "location", "491234567890", "Saarbr\\u00fccken, Saarbr\\u00fccken")],
        None,
    ),
    "whatsapp/webhook-incoming-message-status-bsuid.json": (
        [("status", "delivered", "wamid.HBgLMTY1MDM4Nzk0MzkVAgAS")],
        None,
    ),
    "whatsapp/webhook-incoming-message-status-errors.json": (
        [("status", "failed", "wamid.HBgLMzI0NzY3NTUzNzYVAgAR")],
        None,
    ),
    "whatsapp/webhook-incoming-message-status-group-bsuid.json": (
        [("status", "read", "wamid.HBgLMTY1MDM4Nzk0MzkVAgAS")],
        None,
    ),
    "whatsapp/webhook-incoming-message-status-ui.json": ([("status", "sent", "wamid.ID")], None),
    "whatsapp/webhook-incoming-message-sticker.json": ([("msg", "sticker", "491234567890", None)], None),
    "whatsapp/webhook-incoming-message-system-bsuid.json": (
        [
            (
                "msg",
                "system",
                "US.13491208655302741918",
                "User Sheena Nelson changed from US.10101010101010101010 to US.13491208655302741918",
            )
        ],
        None,
    ),
    "whatsapp/webhook-incoming-message-system.json": (
        [("msg", "system", "491234567890", "NAME changed from PHONE_NUMBER to PHONE_NUMBER")],
        None,
    ),
    "whatsapp/webhook-incoming-message-text-bsuid.json": (
        [("msg", "text", "US.13491208655302741918", "Does it come in another color?")],
        None,
    ),
    "whatsapp/webhook-incoming-message-text.json": ([("msg", "text", "491234567890", "Test")], None),
    "whatsapp/webhook-incoming-message-unsupported.json": (
        [("msg", "unsupported", "333333333333", None)],
        None,
    ),
    "whatsapp/webhook-incoming-message-video.json": ([("msg", "video", "491234567890", "Video")], None),
    "whatsapp/webhook-messageTemplateStatusUpdate-approved.json": ([], "is not a message"),
    "whatsapp/webhook-messageTemplateStatusUpdate-disabling.json": ([], "is not a message"),
    "whatsapp/webhook-phoneNumberNameUpdate.json": ([], "is not a message"),
    "whatsapp/webhook-phoneNumberQualityUpdate.json": ([], "is not a message"),
    "whatsapp/webhook-userIdUpdate.json": ([], "is not a message"),
}


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def publish_all(self, events: Sequence[Event]) -> None:
        self.events.extend(events)


def webhook_files() -> list[str]:
    return sorted(
        str(p.relative_to(ROOT))
        for p in ROOT.glob("*/*.json")
        if not any(p.name.startswith(prefix) for prefix in GRAPH_CALLS)
    )


def receive(rel: str) -> tuple[Any, Recorder]:
    folder = rel.split("/")[0]
    recorder = Recorder()
    receiver = WebhookReceiver(CHANNELS[folder], PARSERS[folder], recorder, SECRET, "verify")
    body = encode(json.loads((ROOT / rel).read_bytes()))
    reply = receiver.handle("POST", {}, {SIGNATURE_HEADER: sign(body, SECRET)}, body)
    return reply, recorder


def summary(event: Event) -> tuple[Any, ...]:
    if isinstance(event, InboundMessage):
        return ("echo" if event.echo else "msg", str(event.kind), event.sender.id, event.text)
    return ("status", event.status, event.provider_message_id[:30] or "watermark")


def test_the_table_covers_every_webhook_fixture():
    assert sorted(EXPECTED) == webhook_files()


@pytest.mark.parametrize("rel", webhook_files())
def test_fixture_is_normalized_as_expected(rel: str, caplog: pytest.LogCaptureFixture):
    events, reason = EXPECTED[rel]
    caplog.set_level("INFO")
    reply, recorder = receive(rel)
    assert reply.status == 200
    assert [summary(e) for e in recorder.events] == events
    assert json.loads(reply.body) == {"received": len(events), "ignored": 0 if reason is None else 1}
    if reason is not None:
        assert reason in caplog.text, f"the log must say why {rel} was ignored"
    for event in recorder.events:  # every event survives the Pub/Sub hop unchanged
        assert decode(encode_event(event)) == event
        assert all(isinstance(v, str) for v in (event.account_id, event.provider_message_id))
        assert event.channel == CHANNELS[rel.split("/")[0]]


def events_of(rel: str) -> list[Event]:
    return receive(rel)[1].events


def only_message(rel: str) -> InboundMessage:
    [event] = events_of(rel)
    assert isinstance(event, InboundMessage)
    return event


def test_numeric_messenger_ids_become_strings():
    message = only_message("webhooks/messaging-message-basic.json")
    assert message.account_id == "12345654332" and message.sender.id == "987654321432"
    assert message.conversation_id == "messenger_12345654332_987654321432"
    assert message.timestamp == pytest.approx(1457764197.627)


def test_messenger_media_location_sticker_and_quick_reply_keep_what_a_viewer_needs():
    image = only_message("webhooks/messaging-message-media-attachment.json").content
    assert isinstance(image, Image) and image.url == "IMAGE_URL"
    location = only_message("webhooks/messaging-message-location-attachment.json").content
    assert isinstance(location, Location) and (location.latitude, location.longitude) == (12.34, 43.21)
    sticker = only_message("webhooks/messaging-message-sticker-thumbup.json").content
    assert isinstance(sticker, Sticker) and sticker.sticker_id == "369239263222822"
    assert sticker.url and sticker.url.startswith("https://")
    quick = only_message("webhooks/messaging-message-quickreply.json")
    assert quick.content == Interactive(
        type="quick_reply", payload="PAYLOAD_QUICK_REPLY", title="quick reply text"
    )


def test_replies_story_replies_and_referrals_are_context():
    assert only_message("webhooks/messaging-message-reply-1.json").context == MessageContext(
        reply_to="very_long_id_representing_the_original_message"
    )
    assert only_message("webhooks/messaging-message-reply-2.json").context == MessageContext(
        story_reply=StoryReply(url="EXAMPLE_URL", id="STORY_ID")
    )
    postback = only_message("webhooks/messaging-postback-referral.json")
    assert postback.context.referral and postback.context.referral.source == "SHORTLINK"
    assert postback.content == Postback(payload="USER_DEFINED_PAYLOAD", title=None)


def test_reactions_and_their_removal():
    added = only_message("webhooks/messaging-reaction-1.json")
    assert added.content == Reaction(
        reacted_to="original_message_id", emoji="😢", reaction="sad", removed=False
    )
    removed = only_message("webhooks/messaging-reaction-2.json")
    assert removed.content == Reaction(reacted_to="original_message_id", emoji="", removed=True)
    assert added.provider_message_id != removed.provider_message_id  # both are kept


def test_echo_belongs_to_the_customer_conversation_and_carries_the_app():
    echo = only_message("webhooks/messaging-message-basic-echo.json")
    assert echo.echo and echo.conversation_id == "messenger_12345654332_987654321432"
    assert echo.context.app_id == "1517776481860111"


def test_reads_and_deliveries_become_statuses():
    [read] = events_of("webhooks/messaging-read-basic.json")
    assert isinstance(read, StatusUpdate)
    assert (read.status, read.provider_message_id, read.recipient_id) == ("read", "", "987654321432")
    assert read.watermark == pytest.approx(1458668856.253)
    [delivered] = events_of("webhooks/messaging-delivery-basic.json")
    assert isinstance(delivered, StatusUpdate)
    assert delivered.provider_message_id == "mid.1458668856218:ed81099e15d3f4f233"
    [seen] = events_of("instagram/messaging-seen.json")
    assert isinstance(seen, StatusUpdate) and (seen.status, seen.provider_message_id) == (
        "read",
        "MESSAGE-ID",
    )


def test_instagram_test_payloads_in_changes_shape_are_accepted():
    payload = {
        "object": "instagram",
        "entry": [
            {
                "id": "17841400000000001",
                "time": 1700000000000,
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "sender": {"id": "123"},
                            "recipient": {"id": "17841400000000001"},
                            "timestamp": "1700000000000",
                            "message": {"mid": "m1", "text": "oi"},
                        },
                    }
                ],
            }
        ],
    }
    [message] = parse_instagram(payload).events
    assert isinstance(message, InboundMessage) and message.text == "oi" and message.sender.id == "123"


def test_instagram_story_mention_and_shares():
    payload = {
        "object": "instagram",
        "entry": [
            {
                "id": "17841400000000001",
                "time": 1700000000000,
                "messaging": [
                    {
                        "sender": {"id": "55"},
                        "recipient": {"id": "17841400000000001"},
                        "timestamp": 1700000000000,
                        "message": {
                            "mid": "m-story",
                            "attachments": [{"type": "story_mention", "payload": {"url": "https://cdn/x"}}],
                        },
                    },
                    {
                        "sender": {"id": "55"},
                        "recipient": {"id": "17841400000000001"},
                        "timestamp": 1700000000001,
                        "message": {
                            "mid": "m-reel",
                            "attachments": [{"type": "ig_reel", "payload": {"url": "https://cdn/r"}}],
                        },
                    },
                ],
            }
        ],
    }
    story, reel = parse_instagram(payload).events
    assert (
        isinstance(story, InboundMessage)
        and story.kind == "story_mention"
        and isinstance(story.content, StoryMention)
        and story.content.url == "https://cdn/x"
    )
    assert isinstance(reel, InboundMessage) and reel.kind == "share"


def test_standby_customer_messages_are_not_answered():
    payload = {
        "object": "page",
        "entry": [
            {
                "id": 1,
                "time": 1,
                "standby": [
                    {
                        "sender": {"id": 2},
                        "recipient": {"id": 1},
                        "timestamp": 5,
                        "message": {"mid": "m", "text": "oi"},
                    }
                ],
            }
        ],
    }
    result = parse_messenger(payload)
    assert result.events == [] and "standby" in result.ignored[0].reason


def test_whatsapp_media_and_referral_details():
    image = only_message("whatsapp/webhook-incoming-message-image.json").content
    assert isinstance(image, Image) and image.media_id
    assert image.mime_type and image.mime_type.startswith("image")  # RestFB escapes the /
    audio = only_message("whatsapp/webhook-incoming-message-audio.json").content
    assert isinstance(audio, Audio) and audio.media_id
    ad = only_message("whatsapp/webhook-incoming-message-ads.json")
    assert ad.context.referral and ad.context.referral.source_type


def test_other_objects_are_refused_with_400():
    body = encode({"object": "page", "entry": []})
    receiver = WebhookReceiver("instagram", parse_instagram, Recorder(), SECRET, "verify")
    assert receiver.handle("POST", {}, {SIGNATURE_HEADER: sign(body, SECRET)}, body).status == 400
