"""A small history written through the real services (inbound, inbox, the tick's idle close) on whatever
unit of work it is given, at times a test chooses: the reports' tests compare what it counts with figures
worked out by hand (tests/unit/test_report_figures.py, tests/integration/test_reports.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from atende.domain.channels import ChannelConfig, ChannelRegistry
from atende.domain.content import Text
from atende.domain.events import InboundMessage, Sender
from atende.domain.model import Channel, Role
from atende.domain.staff import Actor
from atende.domain.triage import Triage
from atende.engines.local import LocalEngine
from atende.erp.demo import DemoErp
from atende.services.attendant_config import AttendantConfig
from atende.services.contacts import ContactService
from atende.services.distribution import Distribution
from atende.services.idle_close import IdleCloser
from atende.services.inbound import InboundService
from atende.services.inbox import Draft, InboxService
from atende.services.unit_of_work import UnitOfWork
from tests.fakes import FakeConfigSource, FakeMediaStore, FakeOutbox

# 2026-03-10 09:00 in São Paulo (12:00 UTC): the history's first day
DAY1 = 1_773_144_000.0


@dataclass
class Clock:
    now: float = DAY1

    def __call__(self) -> float:
        return self.now


def classify(text: str) -> Triage:
    """Triage fixed by the words, so the figures do not depend on the model."""
    if "atendente" in text:
        return Triage("human_request", "neutral", 0.99)
    if "boleto" in text:
        return Triage("financial", "neutral", 0.99)
    return Triage("greeting", "neutral", 0.99)


@dataclass
class History:
    uow: Callable[[], UnitOfWork]
    account: str = field(default_factory=lambda: "acct" + uuid.uuid4().hex[:8])
    clock: Clock = field(default_factory=Clock)

    def __post_init__(self) -> None:
        config = AttendantConfig(FakeConfigSource(), ttl_s=0)
        # The number's new conversations belong to sales until a handoff sends them elsewhere.
        self.channels = ChannelRegistry(
            [ChannelConfig(Channel.WHATSAPP, self.account, "WHATSAPP_TOKEN", default_team="sales")]
        )
        self.outbox = FakeOutbox()
        self.inbound = InboundService(
            uow=self.uow,
            engine=LocalEngine(config.flows),
            outbound=self.outbox,
            config=config,
            erp=DemoErp(),
            classify=classify,
            channels=lambda: self.channels,
            clock=self.clock,
        )
        distribution = Distribution(self.uow, clock=self.clock)
        self.inbox = InboxService(
            uow=self.uow,
            outbound=self.outbox,
            contacts=ContactService(self.uow, lambda: self.channels, clock=self.clock),
            distribution=distribution,
            media=FakeMediaStore(),
            clock=self.clock,
        )
        self.closer = IdleCloser(self.uow, clock=self.clock)

    def message(self, sender: str, text: str, *, at: float | None = None) -> InboundMessage:
        return InboundMessage(
            channel=Channel.WHATSAPP,
            account_id=self.account,
            provider_message_id=f"wamid.{uuid.uuid4().hex}",
            sender=Sender(id=sender, name=sender, phone=f"+{sender}"),
            timestamp=self.clock.now if at is None else at,
            text=text,
            content=Text(),
        )

    def say(self, sender: str, text: str, *, answered_after: float) -> InboundMessage:
        """The customer writes now; the attendant handles it `answered_after` seconds later."""
        message = self.message(sender, text)
        self.clock.now += answered_after
        self.inbound.handle(message)
        return message

    def write(self, agent: Actor, conversation_id: str, text: str) -> None:
        self.inbox.send(agent, conversation_id, uuid.uuid4().hex, Draft(text=text))


def agent(uid: str, team: str) -> Actor:
    return Actor(uid=uid, role=Role.AGENT, teams=(team,), name=uid.title())


def seed(h: History, ana: Actor) -> dict[str, str]:
    """Day 1 (2026-03-10, São Paulo); the number's conversations start in team sales:
    - 09:00 Maria says hello; the bot answers 2 s later. Nobody writes again.
    - 09:10 João asks for a person; the bot answers 3 s later with the handoff notice (explicit request,
      to support). Ana takes it at 09:12, answers at 09:14 (first response 237 s after the handoff),
      writes again, and resolves it at 09:30 (1,200 s after João's message).
    - 09:40 João's message is delivered again: nothing changes.
    - 10:05 Pedro asks for the invoice ("boleto") and the bot answers 8 s later.
    Day 4, 11:00: the tick closes Maria's and Pedro's conversations, idle for three days: resolved
    automatically, 2 s and 8 s from their message to the bot's last answer."""
    maria = h.say("5511900000001", "oi, bom dia", answered_after=2)
    h.clock.now = DAY1 + 600
    joao = h.say("5511900000002", "quero falar com um atendente", answered_after=3)
    h.clock.now = DAY1 + 720
    h.inbox.take(ana, joao.conversation_id)
    h.clock.now = DAY1 + 840
    h.write(ana, joao.conversation_id, "Olá João, sou a Ana. Como posso ajudar?")
    h.clock.now = DAY1 + 900
    h.write(ana, joao.conversation_id, "Pronto, resolvido.")
    h.clock.now = DAY1 + 1800
    h.inbox.resolve(ana, joao.conversation_id)
    h.clock.now = DAY1 + 2400
    h.inbound.handle(joao)  # the platform delivers it again
    h.clock.now = DAY1 + 3900
    pedro = h.say("5511900000003", "segunda via do boleto", answered_after=8)
    h.clock.now = DAY1 + 3 * 86400 + 7200
    h.closer.run()
    return {"maria": maria.conversation_id, "joao": joao.conversation_id, "pedro": pedro.conversation_id}
