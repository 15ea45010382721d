"""GeminiEngine against the local Gemini REST stand-in, through the real google-genai client."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from atende.dev.gemini_standin import GeminiStandIn, call, error, running, text
from atende.domain.contact import Contact
from atende.domain.content import Text
from atende.domain.conversation import Conversation
from atende.domain.events import InboundMessage, Sender
from atende.domain.message import Turn
from atende.domain.model import Channel, Direction, SenderType
from atende.engines.base import FALLBACK_PT, ReplyRequest
from atende.engines.gemini import GeminiEngine
from atende.erp.demo import DemoErp
from atende.erp.tools import CustomerTools
from atende.erp.types import InvoiceStatus
from atende.services.attendant_config import default_business


@pytest.fixture(scope="module")
def standin() -> Iterator[GeminiStandIn]:
    with running() as fake:
        yield fake


def engine_for(standin: GeminiStandIn, **options) -> GeminiEngine:
    """A fresh engine on the stand-in, with fast retries (the SDK's own backoff, shortened)."""
    standin.reset()
    settings = {"attempts": 3, "initial_delay_s": 0.01, "max_delay_s": 0.02, "timeout_ms": 2_000} | options
    return GeminiEngine("test-key", "gemini-2.5-flash", base_url=standin.url, **settings)


@pytest.fixture
def gemini(standin) -> GeminiEngine:
    return engine_for(standin)


@pytest.fixture
def erp() -> DemoErp:
    return DemoErp()


def ask(
    text_: str,
    erp: DemoErp,
    customer_id: str | None = None,
    history: list[Turn] | None = None,
    language: str = "pt",
) -> ReplyRequest:
    message = InboundMessage(
        channel=Channel.WHATSAPP,
        account_id="106540352242922",
        provider_message_id=f"wamid.{time.time_ns()}",
        sender=Sender(id="5511987654321", name="Maria Silva", phone="+5511987654321"),
        timestamp=time.time(),
        content=Text(),
        text=text_,
    )
    profile = {"plan": "Fibra 500 Mega", "preferences": {"language": language}}
    return ReplyRequest(
        message=message,
        conversation=Conversation(
            id=message.conversation_id,
            channel=Channel.WHATSAPP,
            account_id=message.account_id,
            contact_id="c1",
            sender_id=message.sender.id,
        ),
        contact=Contact(id="c1", name="Maria Silva", persona="cliente", profile=profile),
        history=history or [],
        business=default_business(),
        tools=CustomerTools(erp, message.message_id, customer_id),
        language=language,
        now=time.time(),
    )


def test_request_is_pinned_and_carries_persona_business_and_tools(gemini, standin, erp):
    standin.then(text("Olá, Maria! Como posso ajudar?"))
    reply = gemini.reply(
        ask(
            "oi",
            erp,
            history=[
                Turn(
                    direction=Direction.INBOUND,
                    sender_type=SenderType.CONTACT,
                    text="bom dia pelo instagram",
                    timestamp=1.0,
                )
            ],
        )
    )
    assert reply.text == "Olá, Maria! Como posso ajudar?"
    sent = standin.requests[0]
    assert sent["version"] == "v1beta" and sent["model"] == "gemini-2.5-flash"
    system = sent["body"]["systemInstruction"]["parts"][0]["text"]
    assert "Conecta Fibra" in system and "cordial e acolhedor" in system and "Fibra 500 Mega" in system
    assert "verify_identity" in system
    names = {d["name"] for d in sent["body"]["tools"][0]["functionDeclarations"]}
    assert {"verify_identity", "get_invoice_copy", "trust_unlock", "request_human"} <= names
    # the earlier turn from another channel comes first; consecutive customer turns share one user turn
    assert sent["body"]["contents"] == [
        {"role": "user", "parts": [{"text": "bom dia pelo instagram"}, {"text": "oi"}]}
    ]
    assert reply.meta["tokens"]["total"] > 0 and reply.awaiting_input


def test_function_calls_run_through_the_tool_layer_and_the_answer_quotes_them(gemini, standin, erp):
    invoice = next(i for i in erp.invoices("1001") if i.status == InvoiceStatus.OPEN)
    standin.then(
        call("verify_identity", {"cpf": "111.111.111-11", "second_factor": "12/03/1985"}),
        call("get_invoice_copy"),
        text(f"Sua fatura de R$ 99,90 vence em {invoice.due_date:%d/%m/%Y}. Linha: {invoice.digitable_line}"),
    )
    request = ask("segunda via, cpf 111.111.111-11, nasci em 12/03/1985", erp)
    reply = gemini.reply(request)
    assert invoice.digitable_line in reply.text
    assert [c.name for c in request.tools.calls] == ["verify_identity", "get_invoice_copy"]
    assert request.tools.customer_id == "1001" and reply.sensitive_input
    second, third = standin.requests[1]["body"], standin.requests[2]["body"]
    assert second["contents"][-1]["parts"][0]["functionResponse"]["response"]["result"]["verified"] is True
    copy = third["contents"][-1]["parts"][0]["functionResponse"]["response"]["result"]
    assert copy["invoice"]["pix_code"] == invoice.pix_code
    assert reply.meta["grounding"] == {"ok": True} and reply.meta["rounds"] == 3


def test_tools_refuse_personal_data_until_identity_is_verified(gemini, standin, erp):
    standin.then(call("get_invoice_copy"), text("Preciso do seu CPF e data de nascimento para continuar."))
    request = ask("me mande o boleto do CPF 222.222.222-22", erp)
    reply = gemini.reply(request)
    result = standin.requests[1]["body"]["contents"][-1]["parts"][0]["functionResponse"]["response"]["result"]
    assert result["error"] == "identity_not_verified"
    assert "CPF" in reply.text and request.tools.customer_id is None


def test_invented_amount_is_rejected_for_a_templated_answer(gemini, standin, erp):
    invoice = next(i for i in erp.invoices("1001") if i.status == InvoiceStatus.OPEN)
    standin.then(call("get_invoice_copy"), text("Sua fatura é de R$ 123,45, protocolo 98765432."))
    reply = gemini.reply(ask("quanto é minha fatura?", erp, customer_id="1001"))
    assert "123,45" not in reply.text and "98765432" not in reply.text
    assert invoice.digitable_line in reply.text and "R$ 99,90" in reply.text
    assert reply.meta["grounding"]["ok"] is False
    assert set(reply.meta["grounding"]["ungrounded"]) == {"R$ 123,45", "98765432"}
    assert not reply.handoff


def test_invented_figure_without_tool_results_hands_off(gemini, standin, erp):
    standin.then(text("Seu protocolo é 2025123456 e a visita será em 30/02/2031."))
    reply = gemini.reply(ask("qual meu protocolo?", erp, customer_id="1001"))
    assert reply.handoff and reply.handoff_reason == "ungrounded_answer" and reply.text is None


def test_429_then_success_is_retried_by_the_sdk(gemini, standin, erp):
    standin.then(error(429), error(503), text("Tudo certo!"))
    reply = gemini.reply(ask("oi", erp))
    assert reply.text == "Tudo certo!" and not reply.handoff
    assert len(standin.requests) == 3


def test_429_until_retries_run_out_gives_the_fallback_and_a_handoff(gemini, standin, erp):
    standin.then(error(429), error(429), error(429), error(429))
    reply = gemini.reply(ask("oi", erp))
    assert reply.text == FALLBACK_PT
    assert reply.handoff and reply.handoff_reason == "gemini_unavailable"
    assert len(standin.requests) == 3  # the configured attempts, no more


def test_timeouts_are_retried_then_fall_back(standin, erp):
    slow = engine_for(standin, attempts=2, timeout_ms=200)
    standin.then(text("tarde demais", delay_s=0.6), text("tarde demais", delay_s=0.6))
    reply = slow.reply(ask("oi", erp))
    assert reply.text == FALLBACK_PT and reply.handoff
    assert len(standin.requests) == 2


def test_request_human_tool_hands_off(gemini, standin, erp):
    standin.then(call("request_human", {"reason": "cliente pediu", "team": "billing"}), text("ok"))
    reply = gemini.reply(ask("quero falar com alguém do financeiro", erp))
    assert reply.handoff and reply.handoff_team == "billing" and reply.text is None


def test_tool_rounds_are_bounded(standin, erp):
    engine = engine_for(standin, attempts=1, max_tool_rounds=2)
    standin.then(call("list_plans"), call("list_plans"), call("list_plans"))
    reply = engine.reply(ask("planos?", erp))
    assert len(standin.requests) == 2
    assert "Fibra 1 Giga" in reply.text  # the templated answer from what the tools did return


def test_english_contact_gets_english_instructions(gemini, standin, erp):
    standin.then(text("Hi Maria! How can I help?"))
    gemini.reply(ask("hello", erp, language="en"))
    system = standin.requests[0]["body"]["systemInstruction"]["parts"][0]["text"]
    assert "Answer in English" in system


def test_second_opinion_uses_structured_output(gemini, standin):
    standin.then(text('{"intent": "financial", "sentiment": "neutral", "confidence": 0.93}'))
    opinion = gemini.second_opinion("tenho algum crédito pra usar?")
    assert (opinion.intent, opinion.sentiment, opinion.confidence) == ("financial", "neutral", 0.93)
    config = standin.requests[0]["body"]["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    schema = config.get("responseSchema") or config.get("responseJsonSchema")
    for field in ("human_request", "urgency", "confidence", "reason"):
        assert field in str(schema)


def test_second_opinion_reads_urgency_and_reason(gemini, standin):
    standin.then(
        text(
            '{"intent": "other", "sentiment": "frustrated", "urgency": "low", "confidence": 0.9, '
            '"reason": "comentário sobre outra operadora"}'
        )
    )
    opinion = gemini.second_opinion("E a Vivo simplesmente não faz nada")
    assert (opinion.intent, opinion.sentiment, opinion.confidence) == ("other", "frustrated", 0.9)


def test_second_opinions_stop_when_the_minute_budget_is_spent(standin):
    engine = engine_for(standin, triage_per_minute=2)
    reply = '{"intent": "financial", "sentiment": "neutral", "confidence": 0.93}'
    standin.then(text(reply), text(reply), text(reply))
    assert engine.second_opinion("um") is not None
    assert engine.second_opinion("dois") is not None
    assert engine.second_opinion("três") is None  # the local decision stands
    assert len(standin.requests) == 2


def test_minute_budget_refills_as_the_minute_slides():
    from atende.engines.gemini import MinuteBudget

    now = [0.0]
    budget = MinuteBudget(2, clock=lambda: now[0])
    assert budget.take()
    now[0] = 30.0
    assert budget.take() and not budget.take()
    now[0] = 59.9
    assert not budget.take()
    now[0] = 60.0  # the first call left the window; the second has not
    assert budget.take() and not budget.take()


def test_second_opinion_is_skipped_when_gemini_fails_or_answers_nonsense(gemini, standin):
    standin.then(error(503), error(503), error(503), text('{"intent": "weather"}'))
    assert gemini.second_opinion("x") is None
    assert gemini.second_opinion("x") is None
