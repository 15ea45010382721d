"""The conversation's and the contact's rules, with no storage at all."""

from __future__ import annotations

from dataclasses import replace

from atende.domain.channels import ChannelConfig
from atende.domain.contact import Contact, contact_id_for, identity_keys
from atende.domain.content import Text
from atende.domain.conversation import Conversation
from atende.domain.events import InboundMessage, Sender
from atende.domain.model import Channel, ConversationStatus, Priority, SenderType, stable_id
from atende.domain.session import Session

ACCOUNT = "106540352242922"
CHANNEL = ChannelConfig(Channel.WHATSAPP, ACCOUNT, "WHATSAPP_TOKEN", default_team="support_sp")


def inbound(
    text: str = "oi", at: float = 1000.0, *, echo: bool = False, mid: str = "wamid.1"
) -> InboundMessage:
    return InboundMessage(
        channel=Channel.WHATSAPP,
        account_id=ACCOUNT,
        provider_message_id=mid,
        sender=Sender(id="5511987654321", name="Maria", phone="+5511987654321"),
        timestamp=at,
        text=text,
        content=Text(),
        echo=echo,
    )


def started(message: InboundMessage | None = None) -> Conversation:
    message = message or inbound()
    return Conversation.start(message, contact_id="c1", persona="prestador", channel=CHANNEL).receive(message)


def test_a_first_message_opens_a_bot_conversation_with_the_channels_team_and_the_contacts_persona():
    conv = started()
    assert conv.status == ConversationStatus.BOT and conv.team == "support_sp" and conv.persona == "prestador"
    assert conv.last_inbound_at == 1000.0 and conv.last_message == "oi"
    assert conv.last_message_sender == SenderType.CONTACT


def test_a_customer_message_reopens_a_resolved_conversation_but_an_echo_does_not():
    resolved = replace(started(), status=ConversationStatus.RESOLVED)
    assert resolved.receive(inbound(echo=True, at=2000)).status == ConversationStatus.RESOLVED
    assert resolved.receive(inbound(at=2000)).status == ConversationStatus.BOT


def test_a_reopened_conversation_hears_the_bots_introduction_again_but_one_that_goes_on_does_not():
    introduced = started().remember(Session(introduced=True))
    assert introduced.receive(inbound("de novo", at=2000, mid="m2")).session.introduced
    resolved = replace(introduced, status=ConversationStatus.RESOLVED)
    assert not resolved.receive(inbound("voltei", at=90000, mid="m3")).session.introduced


def test_an_echo_neither_opens_the_window_nor_counts_as_the_customer():
    conv = started().receive(inbound("já resolvemos", at=5000, echo=True, mid="m2"))
    assert conv.last_inbound_at == 1000.0
    assert conv.last_message == "já resolvemos" and conv.last_message_sender == SenderType.AGENT


def test_a_late_message_moves_nothing_back():
    conv = started(inbound("segunda", at=2000)).receive(inbound("primeira", at=1500, mid="m0"))
    assert conv.last_inbound_at == 2000 and conv.last_message == "segunda"


def test_the_window_closes_24h_after_the_customers_last_message():
    conv = started()
    assert conv.window(1000 + 23 * 3600).allowed
    closed = conv.window(1000 + 25 * 3600)
    assert not closed.allowed and closed.reason and "modelo aprovado" in closed.reason
    assert conv.window(1000 + 25 * 3600, is_template=True).allowed


def test_a_handoff_queues_the_conversation_and_puts_frustrated_customers_first():
    queued = started().hand_off(
        team="billing", reason="cancellation", intent="cancellation", sentiment="frustrated", at=7.0
    )
    assert (
        queued.status == ConversationStatus.WAITING and queued.queue == "billing" and queued.team == "billing"
    )
    assert queued.priority == Priority.HIGH and queued.waiting_since == 7.0
    assert queued.handoff and queued.handoff.reason == "cancellation"
    calm = started().hand_off(
        team="sales", reason="below_threshold", intent="commercial", sentiment="neutral", at=7.0
    )
    assert calm.priority == Priority.NORMAL


def test_a_contact_collects_identities_and_phones_and_keeps_its_first_name():
    message = inbound()
    contact = Contact.new("c1", persona=None).seen(message)
    assert contact.persona == "cliente" and contact.name == "Maria"
    assert contact.identities == ("whatsapp:5511987654321", "phone:+5511987654321")
    renamed = message.model_copy(update={"sender": message.sender.model_copy(update={"name": "Maria S."})})
    assert contact.seen(renamed).name == "Maria" and contact.seen(renamed).identities == contact.identities


def test_a_message_belongs_to_its_conversations_contact_then_to_an_identitys_owner_then_to_a_new_one():
    keys = identity_keys(inbound())
    assert contact_id_for(keys, {"phone:+5511987654321": "known"}, "from-conv") == "from-conv"
    assert contact_id_for(keys, {"phone:+5511987654321": "known"}, None) == "known"
    assert contact_id_for(keys, {}, None) == stable_id("c", keys[0])
