"""Follow-up rules over in-memory fakes: each trigger once, at the right time, in the send window, never
to someone who said stop, and the same follow-up never twice."""

from __future__ import annotations

import base64
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from cloudevents.http import CloudEvent

from atende.adapters.firestore_entities import StoredEntities
from atende.domain.business_entity import BusinessEntity, EntityContact, EntityKind, Upsert
from atende.domain.contact import Contact
from atende.domain.conversation import Conversation
from atende.domain.followups import FollowupPolicy, Outcome
from atende.domain.model import Channel, ConversationStatus, MessageKind
from atende.domain.opt_out import Command, command_in
from atende.entrypoints import consumers
from atende.entrypoints.pubsub import consume
from atende.services.attendant_config import AttendantConfig
from atende.services.deliveries import Deliveries
from atende.services.distribution import Distribution
from atende.services.followups import Followups, Mail
from atende.services.idle_close import IdleCloser
from atende.services.sweeper import SendSweeper
from tests.fakes import FakeConfigSource, FakeOutbox, FakeUnitOfWork

SP = ZoneInfo("America/Sao_Paulo")
HOUR = 3600.0
# Tuesday 10 March 2026, 10:00 in São Paulo: inside the send window
MONDAY_10H = datetime(2026, 3, 9, 10, 0, tzinfo=SP).timestamp()
TUESDAY_10H = MONDAY_10H + 24 * HOUR
WA = "106540352242922"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Templates:
    def __init__(self, *approved: str) -> None:
        self._approved = set(approved)

    def approved(self, account_id: str, name: str, language: str) -> bool:
        return name in self._approved


class Mailer:
    def __init__(self) -> None:
        self.sent: list[Mail] = []

    def send(self, mail: Mail) -> str:
        self.sent.append(mail)
        return f"sg-{len(self.sent)}"


def seed(uow: FakeUnitOfWork, *items: object) -> None:
    with uow:
        for item in items:
            repo = {
                Contact: uow.contacts,
                Conversation: uow.conversations,
                BusinessEntity: uow.entities,
            }[type(item)]
            repo.add(item)
        uow.commit()


def maria(**changes: object) -> Contact:
    base = {
        "id": "c_maria",
        "name": "Maria Silva",
        "identities": ("whatsapp:5511987654321", "phone:+5511987654321", "email:maria@example.com"),
        "phones": ("+5511987654321",),
    }
    return Contact(**(base | changes))  # type: ignore[arg-type]


def quiet_conversation(since: float, **changes: object) -> Conversation:
    base = {
        "id": f"whatsapp_{WA}_5511987654321",
        "channel": Channel.WHATSAPP,
        "account_id": WA,
        "contact_id": "c_maria",
        "sender_id": "5511987654321",
        "last_inbound_at": since - 60,
        "last_message_at": since,
        "awaiting_reply_since": since,
        "contact_name": "Maria Silva",
    }
    return Conversation(**(base | changes))  # type: ignore[arg-type]


def followups(uow: FakeUnitOfWork, clock: Clock, outbox: FakeOutbox, **kw: object) -> Followups:
    return Followups(
        uow=uow,
        policy=FollowupPolicy.defaults,
        sources=[StoredEntities(uow)],
        outbound=outbox,
        templates=Templates("retomar_atendimento", "lembrete_pagamento"),
        clock=clock,
        **kw,  # type: ignore[arg-type]
    )


def sent(uow: FakeUnitOfWork) -> list:
    return [m.value for m in uow.store.messages.values() if m.value.followup_rule]


def test_48h_fires_once_after_48_hours_not_before_with_a_template_outside_the_window():
    uow, outbox = FakeUnitOfWork(), FakeOutbox()
    seed(uow, maria(), quiet_conversation(MONDAY_10H - 47 * HOUR))
    clock = Clock(MONDAY_10H)
    service = followups(uow, clock, outbox)

    assert service.run() == {} and sent(uow) == []
    clock.now += 1.5 * HOUR  # 48 h 30 min of silence
    service.run()
    service.run()

    [message] = sent(uow)
    assert message.followup_rule == "followup_48h"
    assert message.kind == MessageKind.TEMPLATE  # the 24 h window closed long ago
    assert message.content.name == "retomar_atendimento" and message.content.params == ("Maria",)
    assert [m for m, _ in outbox.queued] == [message.id]
    conversation = uow.store.conversation(f"whatsapp_{WA}_5511987654321")
    assert conversation.awaiting_reply_since is None
    events = [m.value for m in uow.store.messages.values() if m.value.event]
    assert events[0].event["type"] == "followup" and events[0].event["rule"] == "followup_48h"
    assert [r.value.status for r in uow.store.followups.values()] == [Outcome.SENT]


def test_free_text_inside_the_window_in_the_brief_s_words():
    uow, outbox = FakeUnitOfWork(), FakeOutbox()
    policy = FollowupPolicy.with_overrides({"rules": {"followup_48h": {"delay_hours": 2}}})
    seed(uow, maria(), quiet_conversation(MONDAY_10H - 3 * HOUR))
    service = followups(uow, Clock(MONDAY_10H), outbox)
    service._policy = lambda: policy  # an admin's override
    service.run()
    [message] = sent(uow)
    assert message.text == "Olá! Vi que você não respondeu há alguns dias. Ainda posso ajudar com algo? 😊"


def test_a_customer_waiting_for_a_person_or_a_resolved_conversation_gets_no_nudge():
    uow = FakeUnitOfWork()
    seed(
        uow,
        maria(),
        quiet_conversation(MONDAY_10H - 50 * HOUR, status=ConversationStatus.WAITING),
        quiet_conversation(MONDAY_10H - 50 * HOUR, id="x", status=ConversationStatus.RESOLVED),
    )
    followups(uow, Clock(MONDAY_10H), FakeOutbox()).run()
    assert sent(uow) == []


def test_quiet_hours_and_holidays_defer_until_the_window_opens():
    uow, outbox = FakeUnitOfWork(), FakeOutbox()
    seed(uow, maria(), quiet_conversation(MONDAY_10H - 60 * HOUR))
    late = datetime(2026, 3, 9, 21, 30, tzinfo=SP).timestamp()
    clock = Clock(late)
    service = followups(uow, clock, outbox)
    service.run()
    assert sent(uow) == []
    clock.now = datetime(2026, 4, 21, 10, tzinfo=SP).timestamp()  # Tiradentes, a holiday
    service.run()
    assert sent(uow) == []
    clock.now = datetime(2026, 3, 10, 8, 0, tzinfo=SP).timestamp()
    service.run()
    assert len(sent(uow)) == 1


def test_a_contact_who_said_stop_gets_no_entity_follow_up_and_the_decision_is_recorded():
    uow = FakeUnitOfWork()
    stopped = maria().commanded(Command.OUT, "sair", MONDAY_10H - 10 * HOUR)
    payment = BusinessEntity(
        kind=EntityKind.PAYMENT,
        external_id="pix-8",
        status="pending",
        since=MONDAY_10H - 13 * HOUR,
        updated_at=MONDAY_10H - 13 * HOUR,
        contact=EntityContact(contact_id="c_maria"),
        data={"amount": "10"},
    )
    seed(uow, stopped, quiet_conversation(MONDAY_10H - HOUR, awaiting_reply_since=None), payment)
    service = followups(uow, Clock(MONDAY_10H), FakeOutbox())
    service.run()
    service.run()
    assert sent(uow) == []
    [record] = [r.value for r in uow.store.followups.values()]
    assert (record.status, record.reason) == (Outcome.SKIPPED, "opted_out")
    assert uow.store.entities[payment.id].value.followup_pending is False


def test_payment_pending_for_12_hours_nudges_once_with_the_amount_in_reais():
    uow, outbox = FakeUnitOfWork(), FakeOutbox()
    payment = BusinessEntity(
        kind=EntityKind.PAYMENT,
        external_id="pix-77",
        status="pending",
        since=MONDAY_10H - 11 * HOUR,
        updated_at=MONDAY_10H - 11 * HOUR,
        contact=EntityContact(phone="+5511987654321"),
        data={"amount": "1234.5"},
    )
    conversation = quiet_conversation(
        MONDAY_10H - HOUR, awaiting_reply_since=None, last_inbound_at=MONDAY_10H
    )
    seed(uow, maria(), conversation, payment)
    with uow:
        uow.identities.claim("phone:+5511987654321", "c_maria")
        uow.commit()
    clock = Clock(MONDAY_10H)
    service = followups(uow, clock, outbox)
    service.run()
    assert sent(uow) == []
    clock.now += 2 * HOUR
    service.run()
    service.run()
    [message] = sent(uow)
    assert (
        message.text
        == "Olá! Percebi que há um pagamento pendente de R$ 1.234,50. Posso ajudar a concluir? 💳"
    )
    assert message.followup_rule == "followup_pagamento"
    assert uow.store.entities[payment.id].value.followup_pending is False


def test_prospect_gets_an_email_with_a_working_unsubscribe_link_once():
    uow, outbox, mailer = FakeUnitOfWork(), FakeOutbox(), Mailer()
    prospect = BusinessEntity(
        kind=EntityKind.PROSPECT,
        external_id="lead-9",
        status="contacted",
        since=MONDAY_10H - 73 * HOUR,
        updated_at=MONDAY_10H - 73 * HOUR,
        contact=EntityContact(name="Carlos Lima", email="Carlos@Example.com", persona="prospector"),
    )
    seed(uow, prospect)
    service = followups(
        uow, Clock(MONDAY_10H), outbox, mailer=lambda: mailer, unsubscribe_url=lambda e: f"https://u/{e}"
    )
    service.run()
    service.run()
    [mail] = mailer.sent
    assert mail.to == "carlos@example.com" and mail.subject.startswith("Carlos,")
    assert "https://u/carlos@example.com" in mail.text and "https://u/carlos@example.com" in mail.html
    [record] = [r.value for r in uow.store.followups.values()]
    assert (record.status, record.provider_id) == (Outcome.SENT, "sg-1")


def test_entity_updates_out_of_order_keep_the_newest_and_a_new_status_reopens_the_follow_up():
    first = BusinessEntity(
        kind=EntityKind.PROPOSAL, external_id="p1", status="sent", since=10.0, updated_at=10.0
    ).followed_up()
    older = BusinessEntity(
        kind=EntityKind.PROPOSAL, external_id="p1", status="draft", since=5.0, updated_at=5.0
    )
    assert first.upserted(older) == (first, Upsert.STALE)
    assert first.upserted(first) == (first, Upsert.UNCHANGED)
    same_state = BusinessEntity(
        kind=EntityKind.PROPOSAL, external_id="p1", status="sent", since=10.0, updated_at=11.0, data={"a": 1}
    )
    assert first.upserted(same_state)[0].followup_pending is False
    resent = BusinessEntity(
        kind=EntityKind.PROPOSAL, external_id="p1", status="sent", since=20.0, updated_at=20.0
    )
    assert first.upserted(resent) == (resent, Upsert.UPDATED) and resent.followup_pending


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("SAIR", Command.OUT),
        (" parar! ", Command.OUT),
        ("Stop", Command.OUT),
        ("CANCELAR", Command.OUT),
        ("voltar", Command.IN),
        ("quero cancelar meu plano", None),
        ("sair de casa", None),
        (None, None),
    ],
)
def test_opt_out_words_count_only_as_the_whole_message(text, command):
    assert command_in(text) == command


def test_an_admin_s_broken_rules_are_refused_naming_the_field():
    with pytest.raises(ValueError, match="delay_hours"):
        FollowupPolicy.with_overrides({"rules": {"followup_48h": {"delay_hours": -1}}})
    with pytest.raises(ValueError, match="unknown"):
        FollowupPolicy.with_overrides({"quiet": True})


class TickServices:
    """What automation_tick uses, recording whether the follow-ups ran."""

    def __init__(self) -> None:
        self.uow = FakeUnitOfWork()
        self.runs: list[str] = []
        outer = self

        class Recorder:
            def run(self, tick_id: str | None = None) -> dict:
                outer.runs.append(tick_id or "")
                return {}

        self._followups = Recorder()

    def unit_of_work(self) -> FakeUnitOfWork:
        return self.uow

    def send_sweeper(self) -> SendSweeper:
        return SendSweeper(Deliveries(self.uow), FakeOutbox())

    def distribution(self) -> Distribution:
        return Distribution(self.uow)

    def idle_closer(self) -> IdleCloser:
        return IdleCloser(self.uow)

    def followups(self):
        return self._followups


@pytest.mark.parametrize(
    ("payload", "runs"), [(b'{"kind": "automation_tick"}', 1), (b'{"kind": "send_sweep"}', 0)]
)
def test_the_15_minute_tick_runs_the_follow_ups_and_the_every_minute_sweep_does_not(payload, runs):
    services = TickServices()
    event = CloudEvent(
        {"type": "google.cloud.pubsub.topic.v1.messagePublished", "source": "//test", "id": "1"},
        {"message": {"data": base64.b64encode(payload).decode(), "messageId": "m1"}},
    )
    consume(event, consumers.automation_tick, services)
    assert len(services.runs) == runs


def test_the_business_s_holidays_in_config_hours_are_days_without_follow_ups():
    config = AttendantConfig(
        FakeConfigSource(
            {"config": {"hours": {"holidays": [{"date": "2026-03-10", "name": "Aniversário"}]}}}
        ),
        ttl_s=0,
    )
    window = config.followups().send_window
    assert not window.allows(TUESDAY_10H)  # the business's own holiday
    assert window.allows(MONDAY_10H)
    assert not window.allows(datetime(2026, 4, 21, 10, tzinfo=SP).timestamp())  # Tiradentes, the repo's
