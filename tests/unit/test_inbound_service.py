"""The inbound use case on in-memory fakes: stored once, answered at most once, handed over as it must."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace

import pytest

from atende.domain.content import Interactive, Text
from atende.domain.conversation import Conversation
from atende.domain.events import InboundMessage, Sender
from atende.domain.model import Channel, ConversationStatus, MessageStatus, Route
from atende.domain.triage import Triage
from atende.engines.base import EngineReply
from atende.engines.local import LocalEngine
from atende.erp.demo import DemoErp
from atende.services.attendant_config import AttendantConfig
from atende.services.inbound import InboundService
from tests.fakes import FakeConfigSource, FakeOutbox, FakeUnitOfWork, ScriptedEngine, Store, Versioned

ACCOUNT = "106540352242922"


class Harness:
    def __init__(self, classify=None, store: Store | None = None, engine=None) -> None:
        self.uow = FakeUnitOfWork(store)
        self.outbox = FakeOutbox()
        config = AttendantConfig(FakeConfigSource(), ttl_s=0)
        self.service = InboundService(
            uow=self.uow,
            engine=engine or LocalEngine(config.flows),
            outbound=self.outbox,
            config=config,
            erp=DemoErp(),
            **({"classify": classify} if classify else {}),
        )
        self.wa_id = "55119" + str(uuid.uuid4().int)[:8]

    def message(self, text: str | None = "oi", **changes) -> InboundMessage:
        message = InboundMessage(
            channel=Channel.WHATSAPP,
            account_id=ACCOUNT,
            provider_message_id=f"wamid.{uuid.uuid4().hex}",
            sender=Sender(id=self.wa_id, name="Maria Silva", phone=f"+{self.wa_id}"),
            timestamp=time.time(),
            text=text,
            content=Text(),
        )
        return message.model_copy(update=changes)

    @property
    def store(self) -> Store:
        return self.uow.store

    def reply_text(self, message: InboundMessage) -> str | None:
        stored = self.store.message(message.message_id)
        return self.store.message(stored.reply_message_id).text if stored.reply_message_id else None


@pytest.fixture
def h() -> Harness:
    return Harness()


def test_a_greeting_is_stored_answered_and_queued_for_outbound(h):
    message = h.message("oi, bom dia")
    outcome = h.service.handle(message)
    assert outcome.stored and outcome.decision and outcome.decision.route == Route.AUTO
    stored = h.store.message(message.message_id)
    assert stored.handled and stored.triage and stored.triage.intent == "greeting"
    reply = h.store.message(outcome.reply_message_id or "")
    assert reply.status == MessageStatus.QUEUED and reply.window_from == message.timestamp
    assert "Como posso ajudar" in (reply.text or "")
    assert h.outbox.queued == [(reply.id, message.conversation_id)]
    conv = h.store.conversation(message.conversation_id)
    assert conv.last_message and (reply.text or "").startswith(conv.last_message)
    assert conv.status == ConversationStatus.BOT
    assert h.store.ia_logs[message.message_id].decision == outcome.decision
    assert h.store.commits == 1  # message, reply, conversation, contact, identities and log in one commit


def test_a_redelivery_changes_nothing_and_only_re_hands_the_reply(h):
    message = h.message("oi")
    first = h.service.handle(message)
    commits, messages = h.store.commits, dict(h.store.messages)
    again = h.service.handle(message)
    assert not again.stored and again.reply_message_id == first.reply_message_id
    assert h.store.commits == commits and h.store.messages == messages
    assert [q[0] for q in h.outbox.queued] == [first.reply_message_id] * 2  # outbound refuses the second


def test_a_person_asked_for_gets_a_notice_and_the_conversation_waits_for_the_team(h):
    message = h.message("quero falar com um atendente humano")
    outcome = h.service.handle(message)
    assert outcome.decision and outcome.decision.route == Route.HUMAN
    conv = h.store.conversation(message.conversation_id)
    assert conv.status == ConversationStatus.WAITING and conv.handoff and conv.waiting_since
    assert "uma pessoa responde" in (h.reply_text(message) or "")


def test_while_a_person_serves_the_bot_keeps_quiet_but_stores_and_triages(h):
    first = h.message("oi")
    h.service.handle(first)
    conv_id = first.conversation_id
    serving = replace(h.store.conversation(conv_id), status=ConversationStatus.IN_SERVICE, assignee="ana")
    h.store.conversations[conv_id].value = serving
    second = h.message("minha internet caiu")
    outcome = h.service.handle(second)
    assert outcome.reply_message_id is None and outcome.decision and outcome.decision.route == Route.SILENT
    stored = h.store.message(second.message_id)
    assert stored.handled and stored.triage and stored.triage.intent == "technical"
    assert h.store.conversation(conv_id).assignee == "ana"


def test_an_echo_is_the_agents_message_and_is_never_answered(h):
    h.service.handle(h.message("oi"))
    echo = h.message("Olá! Aqui é a Ana.", echo=True)
    outcome = h.service.handle(echo)
    assert outcome.reply_message_id is None and outcome.decision is None
    stored = h.store.message(echo.message_id)
    assert stored.sender_type == "agent" and stored.direction == "outbound" and stored.status == "sent"
    assert echo.message_id not in h.store.ia_logs


def test_a_crash_in_triage_hands_the_customer_to_a_person_instead_of_losing_the_message():
    def broken(text: str) -> Triage:
        raise TypeError("a bug")

    h = Harness(classify=broken)
    message = h.message("oi")
    outcome = h.service.handle(message)
    assert outcome.decision and outcome.decision.reason == "attendant_error"
    assert h.store.message(message.message_id).handled
    assert h.store.conversation(message.conversation_id).status == ConversationStatus.WAITING
    assert "uma pessoa responde" in (h.reply_text(message) or "")


def test_a_conflicting_writer_makes_the_step_run_again_on_fresh_state(h):
    first = h.message("oi")
    h.service.handle(first)
    conv_id = first.conversation_id

    def agent_takes_over(store: Store) -> None:  # lands between our read and our commit, once
        current = store.conversations[conv_id]
        current.value, current.version = (
            replace(current.value, status=ConversationStatus.IN_SERVICE),
            current.version + 1,
        )

    h.uow.before_commit.append(agent_takes_over)
    second = h.message("minha internet caiu")
    outcome = h.service.handle(second)
    assert outcome.decision and outcome.decision.route == Route.SILENT  # decided again, on the new status
    assert outcome.reply_message_id is None
    assert h.store.conversation(conv_id).status == ConversationStatus.IN_SERVICE


def test_the_history_is_read_only_when_an_engine_needs_it(h):
    h.service.handle(h.message("oi"))
    h.service.handle(h.message("menu"))
    assert h.uow.history_reads == 0  # the scripted flows never look back


def test_one_contact_across_two_numbers_of_the_same_person():
    h = Harness()
    h.service.handle(h.message("oi"))
    other = h.message("oi de novo", account_id="999", provider_message_id="wamid.other")
    h.service.handle(other)
    contacts = {m.value.contact_id for m in h.store.messages.values()}
    assert len(contacts) == 1 and len(h.store.conversations) == 2


def test_a_resolved_conversation_reopens_for_the_bot_when_the_customer_writes(h):
    first = h.message("oi")
    h.service.handle(first)
    conv_id = first.conversation_id
    resolved: Conversation = replace(h.store.conversation(conv_id), status=ConversationStatus.RESOLVED)
    h.store.conversations[conv_id].value = resolved
    h.service.handle(h.message("oi, voltei"))
    assert h.store.conversation(conv_id).status == ConversationStatus.BOT


def test_an_engine_asking_for_a_person_hands_over_to_the_team_it_names():
    engine = ScriptedEngine(
        EngineReply(
            "Vou verificar com a equipe.", handoff=True, handoff_team="billing", handoff_reason="dispute"
        )
    )
    h = Harness(engine=engine)
    message = h.message("oi, bom dia")
    outcome = h.service.handle(message)
    assert outcome.decision and outcome.decision.route == Route.HUMAN and outcome.decision.team == "billing"
    conv = h.store.conversation(message.conversation_id)
    assert conv.status == ConversationStatus.WAITING and conv.queue == "billing"
    assert conv.handoff and conv.handoff.reason == "dispute"
    reply = h.reply_text(message) or ""
    assert reply.startswith("Vou verificar com a equipe.") and "financeira" in reply


def test_an_engine_that_crashes_hands_over_with_a_notice():
    h = Harness(engine=ScriptedEngine(RuntimeError("flow bug")))
    message = h.message("oi, bom dia")
    outcome = h.service.handle(message)
    assert outcome.decision and outcome.decision.reason == "engine_error"
    assert "uma pessoa responde" in (h.reply_text(message) or "")
    assert h.store.ia_logs[message.message_id].engine == "scripted"


def test_the_menu_goes_to_whatsapp_as_a_list_and_a_tapped_row_routes_exactly(h):
    greeting = h.message("oi")
    h.service.handle(greeting)
    menu = h.store.message(h.store.message(greeting.message_id).reply_message_id or "")
    rows = menu.content.to_doc()["sections"][0]["rows"]
    assert [r["id"] for r in rows][:3] == ["segunda_via", "suporte", "negociar"]
    assert "1 - " not in (menu.text or "") and (menu.text or "").endswith("Como posso ajudar?")

    # the id chooses, not the words (a shortened title, or none at all)
    tapped = h.message(None, content=Interactive(type="list_reply", id="suporte"))
    h.service.handle(tapped)
    assert "problema na conexão" in (h.reply_text(tapped) or "")


def test_a_score_to_the_satisfaction_question_rates_the_resolved_episode_and_anything_else_reopens(h):
    first = h.message("oi")
    h.service.handle(first)
    conv_id = first.conversation_id
    asked = replace(
        h.store.conversation(conv_id), status=ConversationStatus.RESOLVED, resolved_at=time.time() - 60
    ).csat_asked(time.time() - 30)
    h.store.conversations[conv_id] = Versioned(asked, h.store.conversations[conv_id].version + 1)

    tapped = h.message("5 – Excelente", content=Interactive(type="list_reply", id="csat_5"))
    h.service.handle(tapped)
    rated = h.store.conversation(conv_id)
    assert rated.status == ConversationStatus.RESOLVED and rated.csat_score == 5  # no new episode
    assert "Obrigada pela avaliação" in (h.reply_text(tapped) or "")
    assert any(t.counts == {"csat.5": 1} for t in h.store.tallies)  # the reports count it once

    again = h.message("5 dias sem internet, ninguém resolve")  # not a score: the customer needs help
    h.service.handle(again)
    assert h.store.conversation(conv_id).status != ConversationStatus.RESOLVED
