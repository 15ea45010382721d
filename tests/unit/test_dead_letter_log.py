"""A dead-lettered message is logged where admins look and counted in channel health, once."""

from __future__ import annotations

import json

import pytest

from atende import topics
from atende.domain.channel_health import CRM, SYSTEM, WEBHOOK, Signal, State
from atende.domain.channels import ChannelConfig, ChannelRegistry
from atende.domain.content import Text
from atende.domain.crm import CrmEvent, CrmEventType
from atende.domain.events import InboundMessage, Sender, encode
from atende.domain.model import Channel
from atende.entrypoints import consumers
from atende.entrypoints.pubsub import Delivery
from atende.services.board import ChannelHealthPanel
from atende.services.failures import FailureKind
from atende.topology import CONSUMERS, DEAD_LETTER_CONSUMERS
from tests.fakes import FakeReportReader, FakeUnitOfWork
from tests.unit.test_report_figures import ADMIN

NOW = 1_800_000_000.0
ACCOUNT = "106540352242922"


def whatsapp_event() -> InboundMessage:
    return InboundMessage(
        channel=Channel.WHATSAPP,
        account_id=ACCOUNT,
        provider_message_id="wamid.1",
        sender=Sender(id="5511987654321"),
        timestamp=NOW,
        content=Text(),
        text="oi",
    )


class Services:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.unit_of_work = uow


def dead_letter(topic: str, data: bytes, pubsub_id: str = "991", attempts: str = "5") -> Delivery:
    consumer = next(c for c in CONSUMERS if c.topic == topic)
    return Delivery(
        id=pubsub_id,
        data=data,
        attributes={
            "CloudPubSubDeadLetterSourceSubscription": f"projects/p/subscriptions/{consumer.subscription}",
            "CloudPubSubDeadLetterSourceDeliveryCount": attempts,
        },
    )


def test_an_inbound_message_is_logged_with_its_consumer_attempts_and_account():
    uow = FakeUnitOfWork()
    event = whatsapp_event()
    consumers.dead_letters(dead_letter(topics.INBOUND, encode(event)), Services(uow))
    (entry,) = uow.store.omni_logs.values()
    assert (entry.kind, entry.source, entry.attempts) == (FailureKind.DEAD_LETTERED, "ai_reply", 5)
    assert (entry.channel, entry.account_id, entry.message_id) == (
        "whatsapp",
        event.account_id,
        event.message_id,
    )
    assert entry.conversation_id == event.conversation_id and "atende-inbound-ai-reply" in entry.reason
    (signal,) = uow.store.signals
    assert (signal.key, signal.signal) == (f"whatsapp_{event.account_id}", Signal.DEAD_LETTERS)


def test_a_redelivery_is_neither_logged_nor_counted_again():
    uow = FakeUnitOfWork()
    delivery = dead_letter(topics.INBOUND, encode(whatsapp_event()))
    consumers.dead_letters(delivery, Services(uow))
    consumers.dead_letters(delivery, Services(uow))
    assert len(uow.store.omni_logs) == 1 and len(uow.store.signals) == 1


@pytest.mark.parametrize(
    ("topic", "data", "row"),
    [
        (topics.AUTOMATION_TICK, b'{"kind": "send_sweep"}', (SYSTEM, WEBHOOK)),
        (topics.INBOUND, b"\xff not json", (SYSTEM, WEBHOOK)),
        (topics.OUTBOUND, b"m_unknown", (SYSTEM, WEBHOOK)),
        (
            topics.CRM,
            CrmEvent(type=CrmEventType.CONVERSATION_CREATED, subject="c1", at=NOW).body(),
            (CRM, WEBHOOK),
        ),
        (
            topics.MEDIA,
            json.dumps(
                {"message_id": "m1", "channel": "messenger", "account_id": "77", "kind": "image"}
            ).encode(),
            ("messenger", WEBHOOK),  # a job's own account is not trusted: its message is not stored
        ),
    ],
)
def test_what_names_no_account_counts_on_a_row_of_its_own(topic, data, row):
    uow = FakeUnitOfWork()
    consumers.dead_letters(dead_letter(topic, data), Services(uow))
    (signal,) = uow.store.signals
    assert (signal.channel, signal.account_id) == row
    (entry,) = uow.store.omni_logs.values()
    assert entry.payload == data.decode("utf-8", "replace")[:2048]


def test_a_dead_letter_makes_the_account_degraded_for_a_day(monkeypatch):
    uow = FakeUnitOfWork()
    monkeypatch.setattr("atende.entrypoints.consumers.time.time", lambda: NOW)
    consumers.dead_letters(dead_letter(topics.INBOUND, encode(whatsapp_event())), Services(uow))
    channels = ChannelRegistry([ChannelConfig(Channel.WHATSAPP, ACCOUNT, "WHATSAPP_TOKEN")])
    for hours_later, state in ((0, State.DEGRADED), (23, State.DEGRADED), (25, State.OK)):
        clock = lambda h=hours_later: NOW + h * 3600  # noqa: E731
        panel = ChannelHealthPanel(lambda: FakeReportReader(uow.store), lambda: channels, clock=clock)
        rows = {(h.channel, h.account_id): h for h in panel.panel(ADMIN)}
        assert rows[("whatsapp", ACCOUNT)].state == state, hours_later
        assert rows[("whatsapp", ACCOUNT)].last_day.dead_letters == (1 if state == State.DEGRADED else 0)
        assert (SYSTEM, WEBHOOK) not in rows  # shown only once something counts there


def test_every_dead_letter_topic_has_its_push_to_dead_letters():
    assert {c.topic for c in DEAD_LETTER_CONSUMERS} == {c.dead_letter_topic for c in CONSUMERS}
    assert {c.target for c in DEAD_LETTER_CONSUMERS} == {"dead_letters"}
