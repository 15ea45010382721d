"""What reaches the CRM from the conversations: a new conversation, a handoff; never at a message's cost."""

from __future__ import annotations

import time
import uuid

from atende.domain.content import Text
from atende.domain.crm import CrmEventType
from atende.domain.events import InboundMessage, Sender
from atende.domain.model import Channel
from atende.engines.local import LocalEngine
from atende.erp.demo import DemoErp
from atende.services.attendant_config import AttendantConfig
from atende.services.inbound import InboundService
from tests.fakes import FakeConfigSource, FakeCrmPublisher, FakeOutbox, FakeUnitOfWork

ACCOUNT = "106540352242922"


def service(crm: FakeCrmPublisher) -> tuple[InboundService, FakeUnitOfWork]:
    uow = FakeUnitOfWork()
    config = AttendantConfig(FakeConfigSource(), ttl_s=0)
    return (
        InboundService(
            uow=uow,
            engine=LocalEngine(config.flows),
            outbound=FakeOutbox(),
            config=config,
            erp=DemoErp(),
            crm=crm,
        ),
        uow,
    )


def message(wa_id: str, text: str) -> InboundMessage:
    return InboundMessage(
        channel=Channel.WHATSAPP,
        account_id=ACCOUNT,
        provider_message_id=f"wamid.{uuid.uuid4().hex}",
        sender=Sender(id=wa_id, name="Maria Silva", phone=f"+{wa_id}"),
        timestamp=time.time(),
        text=text,
        content=Text(),
    )


def test_a_new_conversation_and_a_handoff_are_told_once():
    crm = FakeCrmPublisher()
    inbound, _ = service(crm)
    wa_id = "55119" + str(uuid.uuid4().int)[:8]
    first = message(wa_id, "oi")
    inbound.handle(first)
    inbound.handle(first)  # a redelivery tells nothing new
    inbound.handle(message(wa_id, "quero falar com um atendente humano"))
    assert [(e.type, e.subject) for e in crm.events] == [
        (CrmEventType.CONVERSATION_CREATED, first.conversation_id),
        (CrmEventType.CONVERSATION_HANDED_OFF, first.conversation_id),
    ]
    assert crm.events[1].data["team"]


def test_a_crm_publish_failing_never_costs_the_message():
    inbound, uow = service(FakeCrmPublisher(fail=True))
    first = message("55119" + str(uuid.uuid4().int)[:8], "oi")
    outcome = inbound.handle(first)
    assert outcome.stored and uow.store.message(first.message_id).handled


def test_the_tick_closing_an_idle_bot_conversation_tells_the_crm_it_was_resolved():
    from atende.domain.conversation import BOT_IDLE_CLOSE_S, Conversation
    from atende.services.idle_close import IdleCloser
    from tests.fakes import Versioned

    crm = FakeCrmPublisher()
    uow = FakeUnitOfWork()
    now = time.time()
    quiet = Conversation(
        id="whatsapp_1_2", channel=Channel.WHATSAPP, account_id="1", contact_id="c", sender_id="2",
        last_message_at=now - BOT_IDLE_CLOSE_S - 60, opened_at=now - BOT_IDLE_CLOSE_S - 120,
    )  # fmt: skip
    uow.store.conversations[quiet.id] = Versioned(quiet, 1)
    closer = IdleCloser(uow, clock=lambda: now, crm_events=crm)
    assert closer.run() == 1 and closer.run() == 0
    assert [(e.type, e.subject, e.data["resolvedBy"]) for e in crm.events] == [
        (CrmEventType.CONVERSATION_RESOLVED, quiet.id, "bot")
    ]


def test_a_ticket_the_attendant_opens_is_told_to_the_crm():
    from atende.erp.tools import CustomerTools
    from atende.services.inbound import InboundOutcome, opened_tickets

    tools = CustomerTools(DemoErp(), request_id="wamid.1", customer_id="1001")
    tools.call("check_outage")  # other tools' results are not tickets
    assert tools.call("open_technical_ticket", {"description": "sem internet desde ontem"}).get("ticket")
    (ticket,) = opened_tickets(tools)
    crm = FakeCrmPublisher()
    inbound, _ = service(crm)
    said = message("5511900000009", "sem internet")
    inbound._tell_crm(said, InboundOutcome(stored=True, reply_message_id=None, tickets=(ticket,)))
    (event,) = crm.events
    assert (event.type, event.subject) == (CrmEventType.TICKET_CREATED, ticket["protocol"])
    assert event.data["conversationId"] == said.conversation_id
