"""A web-chat message after the `webchat` function, on fakes: stored and answered like any channel, linked
to the contact only by what the site proved, handed to a person from the offline form, its reply "sent"
without a call, and the visitor's ticks moved only on their own conversation."""

from __future__ import annotations

import time
import uuid

import pytest

from atende.channels.webchat.inbound import KeptFile, Profile, VisitorMessage, normalize
from atende.channels.webchat.sender import WebChatSender
from atende.domain.events import StatusUpdate
from atende.domain.model import Channel, ConversationStatus, MessageKind, MessageStatus, Route
from atende.domain.visitor import VisitorClaims, anonymous_visitor_id
from atende.retrying import Backoff
from atende.services.deliveries import Deliveries
from atende.services.outbound import OutboundService
from atende.services.read_receipts import ReadReceipt, deliver
from tests.unit.test_inbound_service import Harness

SITE = "loja"


def visitor(verified: bool = False) -> VisitorClaims:
    vid = ("v-" + "a" * 22) if verified else anonymous_visitor_id()
    return VisitorClaims(site=SITE, visitor_id=vid, verified=verified)


def said(who: VisitorClaims, text: str | None = "oi", **kw) -> object:
    message = VisitorMessage(client_id=str(uuid.uuid4()), text=text, **kw.pop("message", {}))
    return normalize(who, message, time.time(), **kw)


@pytest.fixture
def h() -> Harness:
    return Harness()


def test_a_visitors_message_is_stored_public_and_answered_like_any_channels(h):
    who = visitor()
    message = said(who, "oi, bom dia", profile=Profile(name="Maria"))
    outcome = h.service.handle(message)
    stored = h.store.message(message.message_id)
    assert stored.channel == Channel.WEBCHAT and stored.sender == who.visitor_id
    assert stored.conversation_id == who.conversation_id and stored.sender_name == "Maria"
    assert outcome.decision and outcome.decision.route == Route.AUTO
    reply = h.store.message(outcome.reply_message_id or "")
    assert (
        reply.status == MessageStatus.QUEUED
        and reply.recipient
        and reply.recipient.recipient_id == who.visitor_id
    )
    assert h.outbox.queued == [(reply.id, who.conversation_id)]


def test_what_a_visitor_types_is_kept_on_the_contact_but_never_links_another_persons(h):
    customer = h.message("oi")  # a WhatsApp customer, whose phone is an identity
    h.service.handle(customer)
    whatsapp_contact = h.store.message(customer.message_id).contact_id
    typed = said(visitor(), profile=Profile(name="Impostor", email="x@exemplo.com", phone=f"+{h.wa_id}"))
    h.service.handle(typed)
    contact_id = h.store.message(typed.message_id).contact_id
    assert contact_id != whatsapp_contact
    contact = h.store.contacts[contact_id].value
    assert contact.phones == (f"+{h.wa_id}",) and contact.emails == ("x@exemplo.com",)
    assert not any(k.startswith(("phone:", "email:")) for k in contact.identities)


def test_an_identity_the_site_proved_joins_the_persons_contact_and_history(h):
    customer = h.message("oi")
    h.service.handle(customer)
    whatsapp_contact = h.store.message(customer.message_id).contact_id
    proven = said(visitor(verified=True), verified_identity=f"phone:+{h.wa_id}")
    h.service.handle(proven)
    assert h.store.message(proven.message_id).contact_id == whatsapp_contact
    assert f"webchat:{proven.sender.id}" in h.store.contacts[whatsapp_contact].value.identities


def test_a_proven_cpf_lets_the_bot_use_the_erp_without_asking_again(h):
    proven = said(
        visitor(verified=True), "quero a segunda via do boleto", verified_identity="cpf:11111111111"
    )
    h.service.handle(proven)
    session = h.store.conversation(proven.conversation_id).session
    assert session.customer_id == "1001" and session.verified_at is not None
    anonymous = said(visitor(), "quero a segunda via do boleto", verified_identity="cpf:11111111111")
    h.service.handle(anonymous)  # `normalize` drops an identity on an unverified visitor
    assert h.store.conversation(anonymous.conversation_id).session.customer_id is None


def test_a_message_from_the_offline_form_goes_to_a_persons_queue(h):
    message = said(visitor(), "oi, bom dia", message={"offline_form": True}, profile=Profile(name="Ana"))
    outcome = h.service.handle(message)
    assert outcome.decision and outcome.decision.route == Route.HUMAN
    assert outcome.decision.reason == "offline_form"
    assert h.store.conversation(message.conversation_id).status == ConversationStatus.WAITING
    assert "Recebemos sua mensagem" in (h.reply_text(message) or "")


def test_a_tapped_option_and_a_file_are_normalized_like_whatsapps():
    who = visitor()
    tap = said(who, "Segunda via", message={"reply_id": "boleto"})
    assert tap.kind == MessageKind.INTERACTIVE and tap.content.id == "boleto"
    file = KeptFile(
        path=f"webchat/{SITE}/{who.visitor_id}/{'a' * 32}.pdf", mime_type="application/pdf", url="u"
    )
    doc = said(who, None, message={"attachment": file})
    assert doc.kind == MessageKind.DOCUMENT and doc.content.media_id == file.path and doc.text is None


def _sent_reply(h: Harness) -> tuple[object, str]:
    who = visitor()
    message = said(who, "oi")
    outcome = h.service.handle(message)
    deliveries = Deliveries(h.uow)
    sender = WebChatSender(deliveries)
    outbound = OutboundService(deliveries, {"webchat": sender}, Backoff(1, 0))
    assert outbound.send(outcome.reply_message_id or "") == "sent"
    return who, outcome.reply_message_id or ""


def test_the_reply_is_sent_by_recording_it_with_its_own_id(h):
    _, reply_id = _sent_reply(h)
    reply = h.store.message(reply_id)
    assert reply.status == MessageStatus.SENT and reply.provider_message_id == reply_id


def test_the_visitors_receipts_move_their_replies_and_nobody_elses(h):
    who, reply_id = _sent_reply(h)
    deliveries = Deliveries(h.uow)

    def receipt(by: VisitorClaims, status: str) -> str:
        update = StatusUpdate(
            channel=Channel.WEBCHAT,
            account_id=SITE,
            provider_message_id=reply_id,
            message_id=reply_id,
            status=status,
            timestamp=time.time(),
            recipient_id=by.visitor_id,
        )
        return deliveries.apply_status(update)

    assert receipt(visitor(), "read") == "foreign"
    assert h.store.message(reply_id).status == MessageStatus.SENT
    assert receipt(who, "delivered") == "applied"
    assert receipt(who, "read") == "applied"
    assert h.store.message(reply_id).status == MessageStatus.READ


def test_a_person_opening_the_conversation_marks_the_visitors_messages_read(h):
    who = visitor()
    first, second = said(who, "oi"), said(who, "alguém aí?")
    for message in (first, second):
        h.service.handle(message)
    receipt = ReadReceipt(
        channel="webchat",
        account_id=SITE,
        recipient_id=who.visitor_id,
        provider_message_id=second.provider_message_id,
    )
    deliver(ReadReceipt.decode(receipt.encode()), {"webchat": WebChatSender(Deliveries(h.uow))})
    for message in (first, second):
        stored = h.store.message(message.message_id)
        assert stored.status == MessageStatus.READ and MessageStatus.READ in stored.status_at
    bot_replies = [m.value for m in h.store.messages.values() if m.value.sender == "bot"]
    assert bot_replies and all(m.status == MessageStatus.QUEUED for m in bot_replies)  # only the visitor's


def test_a_receipt_before_the_send_waits_for_it_and_one_for_no_message_leaves_nothing(h):
    who = visitor()
    message = said(who, "oi")
    reply_id = h.service.handle(message).reply_message_id or ""
    deliveries = Deliveries(h.uow)

    def receipt(message_id: str) -> str:
        update = StatusUpdate(
            channel=Channel.WEBCHAT,
            account_id=SITE,
            provider_message_id=message_id,
            message_id=message_id,
            status="delivered",
            timestamp=time.time(),
            recipient_id=who.visitor_id,
        )
        return deliveries.apply_status(update)

    aliases = len(h.store.aliases)
    assert receipt("m_" + "0" * 32 + "_r") == "foreign" and len(h.store.aliases) == aliases
    assert receipt(reply_id) == "orphan"  # shown by the widget before outbound recorded it sent
    assert h.store.message(reply_id).status == MessageStatus.QUEUED
    outbound = OutboundService(deliveries, {"webchat": WebChatSender(deliveries)}, Backoff(1, 0))
    assert outbound.send(reply_id) == "sent"
    assert h.store.message(reply_id).status == MessageStatus.DELIVERED
