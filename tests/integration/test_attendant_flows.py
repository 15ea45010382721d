"""The attendant end to end through the stack (no Gemini key: scripted flows over the demo ERP).

Signed WhatsApp webhooks go in; answers are read where a customer would see
them (the Graph stand-in) and decisions where the business would (Firestore).
"""

from __future__ import annotations

import time
import uuid

import pytest
from google.cloud.firestore import FieldFilter

from atende.adapters.firestore_demo_erp import FirestoreDemoState
from atende.dev.payloads import DEMO_PHONE_NUMBER_ID, post_signed, whatsapp_envelope, whatsapp_text
from atende.dev.polling import wait_until
from atende.dev.stack import DEV_SECRETS
from atende.domain.model import conversation_doc_id, message_doc_id
from atende.erp.demo import DemoErp
from atende.erp.types import InvoiceStatus
from atende.triage.policy import default_policy

pytestmark = pytest.mark.integration
SECRET = DEV_SECRETS["META_APP_SECRET"]


class Customer:
    """One person writing from a fresh WhatsApp number; `say` returns the reply they would read."""

    def __init__(self, stack, http, db, name: str = "Cliente Teste") -> None:
        self.stack, self.http, self.db, self.name = stack, http, db, name
        self.wa_id = "55119" + str(uuid.uuid4().int)[:8]

    @property
    def conversation(self):
        return self.db.collection("conversations").document(
            conversation_doc_id("whatsapp", DEMO_PHONE_NUMBER_ID, self.wa_id)
        )

    def send(self, text: str | None = None, message: dict | None = None) -> str:
        provider_id = f"wamid.{uuid.uuid4().hex}"
        if message is None:
            payload = whatsapp_text(text or "", wa_id=self.wa_id, name=self.name, message_id=provider_id)
        else:
            message = {"from": self.wa_id, "id": provider_id, "timestamp": str(int(time.time())), **message}
            payload = whatsapp_envelope(
                [message], contacts=[{"profile": {"name": self.name}, "wa_id": self.wa_id}]
            )
        response = post_signed(self.http, f"{self.stack.functions_url}/webhook_whatsapp", payload, SECRET)
        assert response.status_code == 200, response.text
        return provider_id

    def stored(self, provider_id: str) -> dict:
        """The inbound message once the attendant has finished with it."""
        ref = self.db.collection("messages").document(message_doc_id("whatsapp", provider_id))
        return wait_until(
            lambda: (ref.get().to_dict() or {}).get("handled") and ref.get().to_dict(), "handling"
        )

    def reply_to(self, provider_id: str) -> str:
        reply_id = self.stored(provider_id)["replyMessageId"]
        sent_id = wait_until(
            lambda: (self.db.collection("messages").document(reply_id).get().to_dict() or {}).get(
                "providerMessageId"
            ),
            "the reply to reach Graph",
        )
        body = next(s for s in self.stack.graph.sent if s["id"] == sent_id)["body"]
        if body["type"] != "interactive":
            return body["text"]["body"]
        # A menu went as buttons or a list: read it as the numbered text it replaces (a shortened row
        # title keeps the whole one as its description).
        action = body["interactive"]["action"]
        options = [b["reply"] for b in action.get("buttons", [])] or [
            row for section in action.get("sections", []) for row in section["rows"]
        ]
        lines = [f"{n} - {o.get('description') or o['title']}" for n, o in enumerate(options, 1)]
        return "\n".join([body["interactive"]["body"]["text"], *lines])

    def say(self, text: str | None = None, message: dict | None = None) -> str:
        return self.reply_to(self.send(text, message))

    def sent_to_me(self) -> list[dict]:
        return [s for s in self.stack.graph.sent if s["body"].get("to") == f"+{self.wa_id}"]


@pytest.fixture
def customer(stack, http, firestore_db):
    def make(name: str = "Cliente Teste") -> Customer:
        return Customer(stack, http, firestore_db, name)

    return make


@pytest.fixture
def demo_erp(firestore_db):
    """What the demo back office holds for a customer, reset to its seed before the test."""
    for customer_id in ("1001", "1002", "1003"):
        firestore_db.collection("erp_demo").document(customer_id).delete()
    return DemoErp()


def test_maria_gets_her_invoice_copy_after_cpf_and_birth_date(customer, demo_erp, firestore_db):
    maria = customer("Maria Silva")
    first = maria.send("preciso da segunda via do boleto")
    assert "CPF" in maria.reply_to(first)
    stored = maria.stored(first)
    assert stored["triage"]["intent"] == "financial"
    assert stored["decision"]["route"] == "auto"

    assert "data de nascimento" in maria.say("111.111.111-11")
    answer = maria.say("12/03/1985")

    invoice = next(i for i in demo_erp.invoices("1001") if i.status == InvoiceStatus.OPEN)
    assert "Tudo em dia" in answer
    assert invoice.digitable_line in answer
    assert invoice.pix_code in answer
    assert "R$ 99,90" in answer
    attendant = maria.conversation.get().get("attendant")
    assert attendant["customerId"] == "1001"

    query = firestore_db.collection("ia_logs").where(
        filter=FieldFilter("conversationId", "==", maria.conversation.id)
    )
    logs = [d.to_dict() for d in query.stream()]
    assert len(logs) == 3
    everything = repr(logs)
    assert "111.111.111-11" not in everything and "12/03/1985" not in everything
    assert any(
        entry["toolsCalled"] and entry["toolsCalled"][0]["args"].get("cpf") == "***.***.***-11"
        for entry in logs
    )


def test_a_wrong_birth_date_shows_nothing(customer, demo_erp):
    stranger = customer()
    stranger.say("segunda via da fatura")
    stranger.say("111.111.111-11")
    answer = stranger.say("01/01/1970")
    assert "Não consegui confirmar" in answer
    assert "R$" not in answer and "Maria" not in answer
    assert stranger.conversation.get().get("attendant")["customerId"] is None


def test_joao_unlocks_on_trust_then_settles_his_debt(customer, demo_erp):
    joao = customer("João Santos")
    joao.say("minha internet foi bloqueada, quero o desbloqueio")
    joao.say("222.222.222-22")
    unlocked = joao.say("(21) 99876-5432")  # the phone on file as the second factor
    assert "liberada em confiança até" in unlocked
    assert "protocolo" in unlocked

    offers = joao.say("2")  # "Negociar com desconto": already verified, no second CPF question
    assert "CPF" not in offers
    cash = demo_erp.negotiation_offers("1002")[0]
    assert "R$ 159,80" in offers and cash.description in offers
    assert "Confirma o acordo" in joao.say("1")
    closed = joao.say("1")
    assert "Acordo fechado" in closed and "Protocolo" in closed
    assert "PIX copia e cola" in closed


def test_joao_in_arrears_sees_overdue_invoices(customer, demo_erp):
    joao = customer("João Santos")
    joao.say("2ª via")
    joao.say("222.222.222-22")
    answer = joao.say("25/07/1990")
    assert "2 faturas em atraso" in answer and "R$ 159,80" in answer
    assert "suspensa" in answer
    oldest = sorted(
        (i for i in demo_erp.invoices("1002") if i.status == InvoiceStatus.OVERDUE), key=lambda i: i.due_date
    )[0]
    copy = joao.say("1")
    assert oldest.digitable_line in copy and oldest.pix_code in copy


def test_technical_flow_finds_the_outage_in_the_customers_area(customer, demo_erp):
    ana = customer("Ana Costa")
    ana.say("estou sem internet desde cedo")
    ana.say("529.982.247-25")
    answer = ana.say("02/11/1978")
    assert "manutenção em andamento em Savassi" in answer


def test_technical_flow_books_a_visit_when_restarting_does_not_help(customer, demo_erp, firestore_db):
    maria = customer("Maria Silva")
    maria.say("a internet está muito lenta")
    maria.say("111.111.111-11")
    assert "desligue o roteador" in maria.say("12/03/1985")
    slots = maria.say("não, continua igual")
    assert "Qual horário" in slots
    opened = maria.say("1")
    assert "Chamado aberto! Protocolo" in opened
    protocol = opened.split("Protocolo ")[1].split(".")[0]
    back_office = DemoErp(state=FirestoreDemoState(firestore_db))
    ticket = next(t for t in back_office.tickets("1001") if t.protocol == protocol)
    assert ticket.visit is not None and ticket.status == "open"


def test_menu_answers_greetings_and_interactive_replies_advance_it(customer, demo_erp):
    someone = customer("Paulo")
    menu = someone.say("oi")
    assert "Olá, Paulo!" in menu and "1 - 2ª via de boleto ou PIX" in menu
    listed = someone.sent_to_me()[-1]["body"]["interactive"]  # a WhatsApp list, not numbered text
    assert listed["type"] == "list" and "1 -" not in listed["body"]["text"]
    assert [r["id"] for r in listed["action"]["sections"][0]["rows"]][:2] == ["segunda_via", "suporte"]
    picked = someone.say(
        message={
            "type": "interactive",
            "interactive": {"type": "list_reply", "list_reply": {"id": "suporte", "title": "Internet"}},
        }
    )
    assert "Sinto muito pelo problema na conexão" in picked and "CPF" in picked


def test_explicit_request_hands_off_and_the_bot_then_keeps_quiet(customer):
    someone = customer()
    first = someone.send("quero falar com um atendente")
    answer = someone.reply_to(first)
    assert "uma pessoa responde" in answer
    assert someone.stored(first)["decision"] == {
        "route": "human",
        "reason": "explicit_request",
        "team": "support",
        "threshold": default_policy().threshold_for("human_request"),
    }
    conversation = someone.conversation.get().to_dict()
    assert conversation["status"] == "waiting" and conversation["queue"] == "support"
    assert conversation["priority"] == "normal"

    sent_before = len(someone.sent_to_me())
    later = someone.send("alô? tem alguém?")
    assert someone.stored(later)["decision"]["reason"] == "waiting_for_human"
    assert "replyMessageId" not in someone.stored(later)
    assert len(someone.sent_to_me()) == sent_before


def test_cancellation_goes_to_retention(customer):
    someone = customer()
    first = someone.send("quero cancelar meu contrato")
    assert "Sinto muito que você esteja pensando em cancelar" in someone.reply_to(first)
    assert someone.stored(first)["decision"]["team"] == "retention"
    assert someone.conversation.get().get("team") == "retention"


def test_repeated_frustration_reaches_a_person_with_high_priority(customer):
    someone = customer()
    someone.say("a net caiu de novo, que raiva")
    second = someone.send("que raiva, ninguém resolve essa porcaria de internet")
    answer = someone.reply_to(second)
    assert "Sinto muito pelo transtorno" in answer
    assert someone.stored(second)["decision"]["reason"] == "repeated_frustration"
    conversation = someone.conversation.get().to_dict()
    assert conversation["status"] == "waiting" and conversation["priority"] == "high"
    assert conversation["attendant"]["flow"] is None


def test_bot_stays_silent_after_a_person_takes_over(customer):
    someone = customer()
    assert "Como posso ajudar" in someone.say("oi")
    someone.conversation.update({"status": "in_service", "assignee": "agent-1"})
    sent_before = len(someone.sent_to_me())

    quiet = someone.send("preciso da segunda via do boleto")
    stored = someone.stored(quiet)
    assert stored["text"] == "preciso da segunda via do boleto"
    assert stored["decision"]["route"] == "silent" and stored["decision"]["reason"] == "human_in_service"
    assert stored["triage"]["intent"] == "financial"
    assert "replyMessageId" not in stored
    assert len(someone.sent_to_me()) == sent_before

    someone.conversation.update({"status": "bot"})  # handed back: the bot answers again
    assert "CPF" in someone.say("preciso da segunda via do boleto")
