"""The inbound service in this process on the real Firestore emulator: tuning without code, and Gemini.

A project of its own on the emulator keeps these config documents away from
the functions the `stack` fixture runs for the other tests.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from google.cloud import firestore

from atende.adapters.firestore.unit_of_work import FirestoreUnitOfWork
from atende.adapters.firestore_config import FirestoreConfigSource
from atende.dev.gemini_standin import GeminiStandIn, call, error, running, text
from atende.domain.content import Text
from atende.domain.events import InboundMessage, Sender
from atende.domain.model import Channel
from atende.domain.triage import Triage
from atende.engines.base import FALLBACK_PT
from atende.engines.gemini import GeminiEngine
from atende.engines.local import LocalEngine
from atende.erp.demo import DemoErp
from atende.erp.types import InvoiceStatus
from atende.services.attendant_config import AttendantConfig
from atende.services.inbound import InboundService
from atende.triage.policy import default_policy
from tests.fakes import FakeOutbox

pytestmark = pytest.mark.integration
ACCOUNT = "106540352242922"


@pytest.fixture(scope="module")
def db(stack) -> firestore.Client:
    return firestore.Client(project=f"demo-atende-inproc-{uuid.uuid4().hex[:6]}")


@pytest.fixture(scope="module")
def gemini_standin() -> Iterator[GeminiStandIn]:
    with running() as fake:
        yield fake


class Harness:
    def __init__(self, db: firestore.Client, engine_for, classify=None) -> None:
        self.db = db
        self.config = AttendantConfig(FirestoreConfigSource(db), ttl_s=0)
        self.erp = DemoErp()
        self.outbox = FakeOutbox()
        self.service = InboundService(
            uow=lambda: FirestoreUnitOfWork(db),
            engine=engine_for(self.config),
            outbound=self.outbox,
            config=self.config,
            erp=self.erp,
            **({"classify": classify} if classify else {}),
        )

    def chat(self, name: str = "Maria Silva") -> Chat:
        return Chat(self, "55119" + str(uuid.uuid4().int)[:8], name)


class Chat:
    def __init__(self, harness: Harness, wa_id: str, name: str) -> None:
        self.h, self.wa_id, self.name = harness, wa_id, name
        self.last_message: dict = {}

    def say(self, text_: str) -> str | None:
        message = InboundMessage(
            channel=Channel.WHATSAPP,
            account_id=ACCOUNT,
            provider_message_id=f"wamid.{uuid.uuid4().hex}",
            sender=Sender(id=self.wa_id, name=self.name, phone=f"+{self.wa_id}"),
            timestamp=time.time(),
            content=Text(),
            text=text_,
        )
        outcome = self.h.service.handle(message)
        messages = self.h.db.collection("messages")
        self.last_message = messages.document(message.message_id).get().to_dict()
        self.last_log = self.h.db.collection("ia_logs").document(message.message_id).get().to_dict()
        if not outcome.reply_message_id:
            return None
        return messages.document(outcome.reply_message_id).get().get("text")

    @property
    def conversation(self) -> dict:
        conv_id = self.last_message["conversationId"]
        return self.h.db.collection("conversations").document(conv_id).get().to_dict()

    @property
    def contact(self):
        return self.h.db.collection("contacts").document(self.last_message["contactId"])


@pytest.fixture
def local(db) -> Harness:
    return Harness(db, lambda config: LocalEngine(config.flows))


def gemini_engine(gemini_standin: GeminiStandIn) -> GeminiEngine:
    gemini_standin.reset()
    return GeminiEngine(
        "test-key",
        "gemini-2.5-flash",
        base_url=gemini_standin.url,
        attempts=2,
        initial_delay_s=0.01,
        max_delay_s=0.02,
        timeout_ms=2_000,
    )


def sure(text: str) -> Triage:
    """The real model's intent and sentiment, held as certain: the tests on this fixture are about Gemini's
    answers; messages the model abstains on (second opinions) have a test of their own below."""
    from atende.triage import classify

    t = classify(text)
    return Triage(t.intent, t.sentiment, 1.0)


@pytest.fixture
def gemini(db, gemini_standin) -> Harness:
    engine = gemini_engine(gemini_standin)
    return Harness(db, lambda config: engine, classify=sure)


# -- tuning without code --------------------------------------------------------------------------


def test_thresholds_are_tuned_from_firestore(local, db):
    routing = db.collection("config").document("routing")
    routing.set({"intent_thresholds": {"greeting": 0.999}})
    try:
        first = local.chat()
        answer = first.say("oi, tudo bem?")
        assert first.last_message["decision"]["route"] == "human"
        assert first.last_message["decision"]["reason"] == "below_threshold"
        assert first.last_message["decision"]["threshold"] == 0.999
        assert "uma pessoa responde" in answer
    finally:
        routing.delete()
    second = local.chat()
    assert "Como posso ajudar" in second.say("oi, tudo bem?")
    assert second.last_message["decision"]["threshold"] == default_policy().threshold_for("greeting")


def test_a_broken_routing_document_falls_back_to_the_defaults(local, db):
    routing = db.collection("config").document("routing")
    routing.set({"default_threshold": 7})
    try:
        someone = local.chat()
        assert "Como posso ajudar" in someone.say("oi")
    finally:
        routing.delete()


def test_business_profile_and_flows_are_edited_in_firestore(local, db):
    business = db.collection("config").document("business")
    ajuda = db.collection("flows").document("ajuda")
    edited = {**local.config.flows().get("ajuda")}
    edited["steps"] = {
        **edited["steps"],
        "explica": {**edited["steps"]["explica"], "text": "Aqui é a {{ business.name }}, ajuda editada."},
    }
    business.set({"name": "Fibra Veloz"})
    ajuda.set(edited)
    try:
        someone = local.chat("Paulo")
        assert someone.say("oi").startswith("Olá, Paulo! Sou a assistente virtual da Fibra Veloz.")
        assert someone.say("ajuda").startswith("Aqui é a Fibra Veloz, ajuda editada.")
    finally:
        business.delete()
        ajuda.delete()


def test_english_speakers_are_answered_in_english(local):
    someone = local.chat("John")
    someone.say("oi")
    someone.contact.set({"preferences": {"language": "en"}}, merge=True)
    assert "How can I help?" in someone.say("menu")
    assert "A person will reply here shortly" in someone.say("I want to talk to a human agent")


# -- Gemini through the whole service ------------------------------------------------------------------


def test_gemini_answers_with_tools_and_the_exchange_is_logged(gemini, gemini_standin):
    invoice = next(i for i in gemini.erp.invoices("1001") if i.status == InvoiceStatus.OPEN)
    gemini_standin.then(
        call("verify_identity", {"cpf": "111.111.111-11", "second_factor": "12/03/1985"}),
        call("get_invoice_copy"),
        text(f"Pronto, Maria! Linha digitável: {invoice.digitable_line}"),
    )
    maria = gemini.chat()
    answer = maria.say("2ª via por favor, CPF 111.111.111-11, nascida em 12/03/1985")
    assert invoice.digitable_line in answer
    assert maria.last_message["decision"]["route"] == "auto"
    assert maria.conversation["attendant"]["customerId"] == "1001"
    log = maria.last_log
    assert [t["name"] for t in log["toolsCalled"]] == ["verify_identity", "get_invoice_copy"]
    assert log["toolsCalled"][0]["args"] == {"cpf": "***.***.***-11", "second_factor": "***"}
    assert log["prompt"] == "[dado de identificação omitido]"
    assert log["engine"] == "gemini" and log["tokens"]["total"] > 0 and log["engineLatencyMs"] >= 0
    assert maria.contact.get().get("erpCustomerId") == "1001"

    gemini_standin.then(call("get_account"), text("Seu plano é o Fibra 500 Mega, R$ 99,90 por mês."))
    assert maria.say("qual é o meu plano?") == "Seu plano é o Fibra 500 Mega, R$ 99,90 por mês."
    called = maria.last_log["toolsCalled"]
    assert [(c["name"], c["ok"]) for c in called] == [("get_account", True)]  # still verified: no new check
    assert (
        "Conecta Fibra" in maria.last_log["prompt"]
        and "[user] qual é o meu plano?" in maria.last_log["prompt"]
    )


def test_gemini_unavailable_gives_the_fallback_and_a_person(gemini, gemini_standin):
    gemini_standin.then(error(429), error(429))
    someone = gemini.chat()
    assert someone.say("minha internet está lenta") == FALLBACK_PT
    assert someone.last_message["decision"]["route"] == "human"
    assert someone.last_message["decision"]["reason"] == "gemini_unavailable"
    assert someone.conversation["status"] == "waiting" and someone.conversation["team"] == "support"


def test_an_invented_amount_never_reaches_the_customer(gemini, gemini_standin):
    gemini_standin.then(text("Verifiquei: sua fatura deste mês é de R$ 50,00."))
    someone = gemini.chat()
    answer = someone.say("quanto está minha fatura deste mês?")
    assert "50,00" not in (answer or "")
    assert someone.last_log["grounding"]["ungrounded"] == ["R$ 50,00"]
    assert someone.last_message["decision"]["reason"] == "ungrounded_answer"


def test_a_message_the_local_model_abstains_on_gets_a_second_opinion(db, gemini_standin):
    engine = gemini_engine(gemini_standin)
    unsure = Harness(db, lambda config: engine, classify=lambda text: Triage("financial", "neutral", 0.6))
    gemini_standin.then(
        text('{"intent": "financial", "sentiment": "neutral", "confidence": 0.95}'),
        text("Posso ajudar com sua fatura! Qual é o CPF do titular?"),
    )
    someone = unsure.chat()
    assert (
        someone.say("e aquele negócio do pagamento?")
        == "Posso ajudar com sua fatura! Qual é o CPF do titular?"
    )
    assert someone.last_message["decision"]["reason"] == "second_opinion"
    assert someone.last_message["secondOpinion"] == {
        "intent": "financial",
        "sentiment": "neutral",
        "confidence": 0.95,
    }
    assert someone.last_message["triage"]["confidence"] == 0.6

    far_below = Harness(db, lambda config: engine, classify=lambda text: Triage("other", "neutral", 0.2))
    gemini_standin.reset()
    gemini_standin.then(error(503), error(503))
    other = far_below.chat()
    assert "uma pessoa responde" in other.say("???")  # Gemini failed: the local decision stands
    assert len(gemini_standin.requests) == 2
    assert other.last_message["decision"]["reason"] == "below_threshold"
