"""Every Meta channel on the running stack: real emulators, real webhook functions, the Graph stand-in.

What a business would notice: a Messenger or Instagram customer gets answered on
the right platform, statuses land on the reply however late or out of order,
the business's own sends echoed back are not stored twice, photos are kept and
viewable, both forms of a Brazilian mobile are one conversation, each WhatsApp
number answers with its own token, and nothing goes out against the window.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from google.cloud.firestore import FieldFilter

from atende.adapters.firestore.unit_of_work import FirestoreUnitOfWork
from atende.dev.payloads import post_signed, whatsapp_envelope, whatsapp_text
from atende.dev.polling import wait_until
from atende.dev.simulator.payloads import DEMO_INSTAGRAM_ID, DEMO_PAGE_ID
from atende.dev.stack import DEV_SECRETS
from atende.domain.channels import ChannelConfig, ChannelRegistry
from atende.domain.events import InboundMessage, StatusUpdate
from atende.domain.model import Channel, conversation_doc_id, message_doc_id, stable_id
from atende.services.contacts import ContactService
from tests.meta_webhooks import FIXTURES, FOLDERS, PARSERS, PNG, SECRET

pytestmark = pytest.mark.integration


def post(stack, http, channel: str, payload: dict[str, Any]) -> dict[str, Any]:
    response = post_signed(http, f"{stack.functions_url}/webhook_{channel}", payload, SECRET)
    assert response.status_code == 200, response.text
    return response.json()


def doc(db, channel: str, provider_id: str) -> dict[str, Any]:
    return db.collection("messages").document(message_doc_id(channel, provider_id)).get().to_dict() or {}


def messenger_event(channel: str, psid: str, event: dict[str, Any], *, echo: bool = False) -> dict[str, Any]:
    account = DEMO_PAGE_ID if channel == "messenger" else DEMO_INSTAGRAM_ID
    now = int(time.time() * 1000)
    sender, recipient = (account, psid) if echo else (psid, account)
    item = {"sender": {"id": sender}, "recipient": {"id": recipient}, "timestamp": now, **event}
    return {
        "object": "page" if channel == "messenger" else "instagram",
        "entry": [{"id": account, "time": now, "messaging": [item]}],
    }


def sent_to(stack, recipient: str) -> list[dict[str, Any]]:
    """Sends to one customer: Messenger and Instagram name them in `recipient.id`, WhatsApp in `to`, or in
    `recipient` itself when it sends to a business-scoped user id."""

    def addressee(body: dict[str, Any]) -> Any:
        named = body.get("recipient")
        return named.get("id") if isinstance(named, dict) else named or body.get("to")

    return [s for s in stack.graph.sent if addressee(s["body"]) == recipient]


def reply_to(stack, db, channel: str, provider_id: str) -> tuple[str, dict[str, Any]]:
    reply_id = wait_until(lambda: doc(db, channel, provider_id).get("replyMessageId"), "a reply")
    ref = db.collection("messages").document(reply_id)
    provider = wait_until(lambda: (ref.get().to_dict() or {}).get("providerMessageId"), "the reply sent")
    return reply_id, next(s for s in stack.graph.sent if s["id"] == provider)


# --- every fixture through the running stack ---------------------------------------------------------


def test_every_fixture_file_reaches_firestore_or_is_ignored(stack, http, firestore_db):
    expected: dict[tuple[str, str], set[str]] = {}
    orphans: set[tuple[str, str]] = set()
    for path in sorted(FIXTURES.glob("*/*.json")):
        if path.name.startswith(("message-response", "send-message")):
            continue  # Graph request/response bodies, checked by tests/unit/test_outbound_payloads.py
        channel = FOLDERS[path.parent.name]
        payload = json.loads(path.read_bytes())
        result = PARSERS[channel](payload)
        answer = post(stack, http, channel, payload)
        assert answer == {"received": len(result.events), "ignored": len(result.ignored)}, path.name
        for event in result.events:
            if isinstance(event, InboundMessage):
                expected.setdefault((channel, event.provider_message_id), set()).add(str(event.kind))
            elif isinstance(event, StatusUpdate) and event.provider_message_id:
                orphans.add((channel, event.provider_message_id))
    for (channel, provider_id), kinds in expected.items():
        stored = wait_until(
            lambda c=channel, p=provider_id: doc(firestore_db, c, p), f"{channel} {provider_id}"
        )
        assert stored["kind"] in kinds and stored["channel"] == channel
        assert isinstance(stored["accountId"], str) and stored["conversationId"]
    # statuses for messages Atende never sent are parked on the provider id, not lost (a send may still
    # record it)
    for channel, provider_id in orphans:
        alias = firestore_db.collection("provider_message_ids").document(stable_id("p", channel, provider_id))
        parked = wait_until(
            lambda a=alias: (a.get().to_dict() or {}).get("statuses"), f"parked status {provider_id}"
        )
        assert parked[0]["status"] and "messageId" not in (alias.get().to_dict() or {})


# --- Messenger: answer, statuses in any order, echoes ------------------------------------------------


def test_items_that_can_never_be_processed_are_recorded_and_do_not_block_the_next(stack, http, firestore_db):
    """A message without an id and a text that is not valid unicode: 200 (Meta must not retry them),
    each recorded in omni_logs, and the customer's next message is answered as usual."""
    marker = uuid.uuid4().hex
    no_id = whatsapp_text(f"sem id {marker}", wa_id="5511955550101")
    del no_id["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    bad_unicode = whatsapp_text(f"oi \ud800 {marker}", wa_id="5511955550101")
    assert post(stack, http, "whatsapp", no_id) == {"received": 0, "ignored": 0, "rejected": 1}
    assert post(stack, http, "whatsapp", bad_unicode) == {"received": 0, "ignored": 0, "rejected": 1}

    def recorded() -> list[dict[str, Any]]:
        logs = [d.to_dict() for d in firestore_db.collection("omni_logs").stream()]
        mine = [d for d in logs if marker in d.get("payload", "") and d["source"] == "webhook_whatsapp"]
        return mine if len(mine) == 2 else []

    reasons = " | ".join(d["reason"] for d in wait_until(recorded, "both rejected items in omni_logs"))
    assert "without a usable id" in reasons and "unicode" in reasons
    good = whatsapp_text("preciso da segunda via do boleto", wa_id="5511955550101")
    assert post(stack, http, "whatsapp", good)["received"] == 1
    reply_to(stack, firestore_db, "whatsapp", good["entry"][0]["changes"][0]["value"]["messages"][0]["id"])


def test_messenger_customer_is_answered_and_statuses_never_move_back(stack, http, firestore_db):
    psid = str(uuid.uuid4().int)[:16]
    mid = f"m_{uuid.uuid4().hex}"
    post(
        stack, http, "messenger", messenger_event("messenger", psid, {"message": {"mid": mid, "text": "oi"}})
    )
    reply_id, sent = reply_to(stack, firestore_db, "messenger", mid)
    assert sent["account"] == DEMO_PAGE_ID and sent["token"] == DEV_SECRETS["MESSENGER_PAGE_TOKEN"]
    assert sent["body"]["recipient"] == {"id": psid} and sent["body"]["messaging_type"] == "RESPONSE"
    assert sent["body"]["message"]["text"]

    reply = firestore_db.collection("messages").document(reply_id)
    future = int(time.time() * 1000) + 60_000
    post(stack, http, "messenger", messenger_event("messenger", psid, {"read": {"watermark": future}}))
    wait_until(lambda: reply.get().get("status") == "read", "read by watermark")
    post(
        stack,
        http,
        "messenger",
        messenger_event("messenger", psid, {"delivery": {"mids": [sent["id"]], "watermark": future}}),
    )
    post(stack, http, "messenger", messenger_event("messenger", psid, {"read": {"watermark": future}}))
    time.sleep(1.0)  # let the late delivery be processed; it must not undo the read
    final = reply.get().to_dict()
    assert final["status"] == "read" and "delivered" in final["statusAt"]


def test_echo_of_our_own_send_is_not_stored_twice_but_a_page_inbox_reply_is(stack, http, firestore_db):
    psid = str(uuid.uuid4().int)[:16]
    mid = f"m_{uuid.uuid4().hex}"
    post(
        stack, http, "messenger", messenger_event("messenger", psid, {"message": {"mid": mid, "text": "olá"}})
    )
    _, sent = reply_to(stack, firestore_db, "messenger", mid)
    conversation = conversation_doc_id("messenger", DEMO_PAGE_ID, psid)

    def messages() -> list[dict[str, Any]]:
        query = firestore_db.collection("messages").where(
            filter=FieldFilter("conversationId", "==", conversation)
        )
        return [d.to_dict() for d in query.stream()]

    echo_text = sent["body"]["message"]["text"]
    post(
        stack,
        http,
        "messenger",
        messenger_event(
            "messenger", psid, {"message": {"mid": sent["id"], "text": echo_text, "is_echo": True}}, echo=True
        ),
    )
    inbox_mid = f"m_{uuid.uuid4().hex}"
    post(
        stack,
        http,
        "messenger",
        messenger_event(
            "messenger",
            psid,
            {
                "message": {
                    "mid": inbox_mid,
                    "text": "Aqui é a Carla, do suporte",
                    "is_echo": True,
                    "app_id": 263902037430900,
                }
            },
            echo=True,
        ),
    )
    agent = wait_until(lambda: doc(firestore_db, "messenger", inbox_mid), "the inbox reply stored")
    assert (agent["direction"], agent["senderType"], agent["status"]) == ("outbound", "agent", "sent")
    time.sleep(1.0)
    stored = messages()
    assert len(stored) == 3, [m.get("text") for m in stored]  # the customer's, our reply, the inbox reply
    assert len(sent_to(stack, psid)) == 1  # echoes are never answered
    conv = firestore_db.collection("conversations").document(conversation).get().to_dict()
    assert conv["lastMessageSender"] == "agent"
    assert conv["lastInboundAt"].timestamp() < agent["timestamp"].timestamp()  # an echo opens no window


# --- Instagram --------------------------------------------------------------------------------------


def test_instagram_story_reply_is_answered_on_instagram_and_seen_marks_read(stack, http, firestore_db):
    igsid = str(uuid.uuid4().int)[:16]
    mid = f"ig_{uuid.uuid4().hex}"
    story = {"url": "https://lookaside.example/story.jpg", "id": "18000000000000001"}
    post(
        stack,
        http,
        "instagram",
        messenger_event(
            "instagram",
            igsid,
            {"message": {"mid": mid, "text": "quanto custa?", "reply_to": {"story": story}}},
        ),
    )
    stored = wait_until(lambda: doc(firestore_db, "instagram", mid), "the story reply")
    assert stored["context"]["story_reply"] == story
    reply_id, sent = reply_to(stack, firestore_db, "instagram", mid)
    assert sent["account"] == DEMO_INSTAGRAM_ID and sent["token"] == DEV_SECRETS["INSTAGRAM_TOKEN"]
    post(stack, http, "instagram", messenger_event("instagram", igsid, {"read": {"mid": sent["id"]}}))
    reply = firestore_db.collection("messages").document(reply_id)
    wait_until(lambda: reply.get().get("status") == "read", "seen")


# --- media ------------------------------------------------------------------------------------------


def test_customer_photo_is_kept_and_viewable_and_failures_are_visible(stack, http, firestore_db):
    wa_id = "55119" + str(uuid.uuid4().int)[:8]
    photo_id = stack.graph.add_media(PNG, "image/png")
    big_sticker = stack.graph.add_media(b"\0" * (600 * 1024), "image/webp")
    messages = [
        {
            "id": f"wamid.{uuid.uuid4().hex}",
            "type": "image",
            "image": {"id": photo_id, "mime_type": "image/png"},
        },
        {"id": f"wamid.{uuid.uuid4().hex}", "type": "sticker", "sticker": {"id": big_sticker}},
        {"id": f"wamid.{uuid.uuid4().hex}", "type": "audio", "audio": {"id": "404404", "voice": True}},
    ]
    for m in messages:
        m |= {"from": wa_id, "timestamp": str(int(time.time()))}
    post(
        stack,
        http,
        "whatsapp",
        whatsapp_envelope(messages, contacts=[{"profile": {"name": "Bia"}, "wa_id": wa_id}]),
    )
    photo, sticker, audio = (m["id"] for m in messages)

    media = wait_until(
        lambda: (
            doc(firestore_db, "whatsapp", photo).get("media", {}).get("status") == "stored"
            and doc(firestore_db, "whatsapp", photo)["media"]
        ),
        "the photo stored",
    )
    assert (media["mimeType"], media["size"]) == ("image/png", len(PNG))
    viewed = http.get(media["url"])
    assert viewed.status_code == 200 and viewed.content == PNG
    assert http.get(media["url"].replace("signature=", "signature=0")).status_code == 403

    too_big = wait_until(
        lambda: (
            doc(firestore_db, "whatsapp", sticker).get("media", {}).get("status") == "failed"
            and doc(firestore_db, "whatsapp", sticker)["media"]
        ),
        "the sticker refused",
    )
    assert "limite" in too_big["reason"] and "500 KB" in too_big["reason"]
    missing = wait_until(
        lambda: (
            doc(firestore_db, "whatsapp", audio).get("media", {}).get("status") == "failed"
            and doc(firestore_db, "whatsapp", audio)["media"]
        ),
        "the audio failure",
    )
    assert missing["reason"]
    # the text path never waited: the photo was answered like any message
    reply_to(stack, firestore_db, "whatsapp", photo)


# --- contacts, numbers and windows ------------------------------------------------------------------


def test_both_forms_of_a_brazilian_mobile_are_one_conversation_and_contact(stack, http, firestore_db):
    eight = str(uuid.uuid4().int)[:7]
    with_nine, without_nine = f"55119{8}{eight}", f"5511{8}{eight}"
    first, second = f"wamid.{uuid.uuid4().hex}", f"wamid.{uuid.uuid4().hex}"
    for wa_id, mid in ((with_nine, first), (without_nine, second)):
        post(stack, http, "whatsapp", whatsapp_text("oi", wa_id=wa_id, name="Caio", message_id=mid))
    a = wait_until(lambda: doc(firestore_db, "whatsapp", first), "first")
    b = wait_until(lambda: doc(firestore_db, "whatsapp", second), "second")
    assert a["conversationId"] == b["conversationId"] == f"whatsapp_106540352242922_{with_nine}"
    assert a["contactId"] == b["contactId"]
    _, sent = reply_to(stack, firestore_db, "whatsapp", second)
    assert sent["body"]["to"] == f"+{with_nine}"


def test_each_whatsapp_number_answers_with_its_own_token_and_team(stack, http, firestore_db):
    wa_id = "55119" + str(uuid.uuid4().int)[:8]

    def reply_from(number: str) -> dict[str, Any]:
        mid = f"wamid.{uuid.uuid4().hex}"
        post(
            stack, http, "whatsapp", whatsapp_text("oi", wa_id=wa_id, message_id=mid, phone_number_id=number)
        )
        return reply_to(stack, firestore_db, "whatsapp", mid)[1]

    sent = reply_from("106540352242933")  # the "Suporte técnico" number of dev/channels.json
    assert sent["account"] == "106540352242933" and sent["token"] == DEV_SECRETS["WHATSAPP_TOKEN_SUPORTE"]
    conv = firestore_db.collection("conversations").document(f"whatsapp_106540352242933_{wa_id}").get()
    assert conv.get("team") == "support"
    # an unknown number still answers, on the default token (and the log says so)
    assert reply_from("999000111222333")["token"] == DEV_SECRETS["WHATSAPP_TOKEN"]


def test_nothing_goes_out_after_the_24_hour_window(stack, http, firestore_db):
    wa_id = "55119" + str(uuid.uuid4().int)[:8]
    mid = f"wamid.{uuid.uuid4().hex}"
    old = whatsapp_text("oi, ainda estão aí?", wa_id=wa_id, message_id=mid, timestamp=time.time() - 26 * 3600)
    post(stack, http, "whatsapp", old)
    reply_id = wait_until(lambda: doc(firestore_db, "whatsapp", mid).get("replyMessageId"), "a reply drafted")
    ref = firestore_db.collection("messages").document(reply_id)
    failed = wait_until(lambda: (d := ref.get().to_dict() or {}).get("status") == "failed" and d, "refusal")
    # outbound refuses it, or the sweeper (every 2 s here) finds the queued reply past its window first
    assert failed["error"]["message"] in (
        "Fora da janela de 24 horas: envie um modelo aprovado",
        "window_closed",
    )
    assert failed["error"]["source"] == "atende" and failed["error"]["retryable"] is False
    assert sent_to(stack, f"+{wa_id}") == []


def test_agent_continues_a_whatsapp_customer_on_messenger(stack, http, firestore_db):
    wa_id = "55119" + str(uuid.uuid4().int)[:8]
    mid = f"wamid.{uuid.uuid4().hex}"
    post(stack, http, "whatsapp", whatsapp_text("oi", wa_id=wa_id, message_id=mid))
    contact_id = wait_until(lambda: doc(firestore_db, "whatsapp", mid).get("contactId"), "the contact")

    def uow() -> FirestoreUnitOfWork:
        return FirestoreUnitOfWork(firestore_db)

    service = ContactService(uow, lambda: ChannelRegistry())
    assert service.continue_on(contact_id, "whatsapp").window.allowed  # the customer just wrote

    psid = str(uuid.uuid4().int)[:16]
    assert service.link_identity(contact_id, f"messenger:{psid}")
    registry = ChannelRegistry([ChannelConfig(Channel.MESSENGER, DEMO_PAGE_ID, "MESSENGER_PAGE_TOKEN")])
    moved = ContactService(uow, lambda: registry).continue_on(contact_id, "messenger")
    assert moved.created and moved.conversation.id == conversation_doc_id("messenger", DEMO_PAGE_ID, psid)
    assert not moved.window.allowed  # never wrote on Messenger: the agent is told before trying
    # when the customer does write there, it is the same conversation and the same person
    mid2 = f"m_{uuid.uuid4().hex}"
    post(
        stack, http, "messenger", messenger_event("messenger", psid, {"message": {"mid": mid2, "text": "oi"}})
    )
    stored = wait_until(lambda: doc(firestore_db, "messenger", mid2), "the Messenger message")
    assert stored["conversationId"] == moved.conversation.id and stored["contactId"] == contact_id
    again = ContactService(uow, lambda: registry).continue_on(contact_id, "messenger")
    assert not again.created and again.window.allowed
