"""The flow interpreter and library: menus, questions, identity check, tools, handoffs, admin overrides."""

from __future__ import annotations

import copy
import logging

import pytest

from atende.erp.demo import DemoErp
from atende.erp.tools import CustomerTools
from atende.flows.interpreter import MAX_RETRIES, FlowInput, Interpreter
from atende.flows.library import FlowError, FlowLibrary

GLOBALS = {
    "contact": {"first_name": "Maria"},
    "business": {"name": "Conecta Fibra", "hours": "8h às 20h"},
    "persona": {"greeting": "Olá, Maria!"},
}


@pytest.fixture(scope="module")
def library() -> FlowLibrary:
    return FlowLibrary.defaults()


class Chat:
    """One conversation through the interpreter, keeping flow state and verification as the service does."""

    def __init__(self, library: FlowLibrary, language: str = "pt") -> None:
        self.library, self.language, self.erp = library, language, DemoErp()
        self.state = None
        self.customer_id: str | None = None
        self.failures = 0
        self.last = None

    def say(self, text: str | None = None, choice_id: str | None = None, intent: str | None = None) -> str:
        tools = CustomerTools(self.erp, f"m{id(self)}{text}", self.customer_id, self.failures)
        interpreter = Interpreter(self.library, tools, GLOBALS, self.language)
        said = FlowInput(text, choice_id)
        if self.state is None:
            outcome = interpreter.start(self.library.select(text, intent) or "menu", said)
        else:
            outcome = interpreter.resume(self.state, said)
            if not outcome.matched:
                outcome = interpreter.reprompt(outcome.state, "support")
        self.customer_id, self.failures = tools.customer_id, tools.verification_failures
        self.state, self.last = outcome.state, outcome
        return outcome.text


def test_selection_prefers_a_flows_own_words_to_the_intent(library):
    assert library.select("preciso da segunda via do boleto", "financial") == "segunda_via"
    assert library.select("quero negociar minha dívida", "financial") == "negociacao"
    assert library.select("estou devendo?", "financial") == "financeiro"
    assert library.select("bom dia", "greeting") == "menu"
    assert library.select("blá", None) is None


def test_menu_accepts_a_number_an_interactive_id_or_words(library):
    for answer in (
        {"text": "2"},
        {"text": "2️⃣"},
        {"text": "opção 2"},
        {"choice_id": "suporte"},
        {"text": "internet sem conexão ou lenta"},
    ):
        chat = Chat(library)
        assert "1 - 2ª via de boleto ou PIX" in chat.say("oi", intent="greeting")
        assert "Sinto muito pelo problema na conexão" in chat.say(**answer), answer


def test_unclear_answers_are_asked_again_then_handed_to_a_person(library):
    chat = Chat(library)
    chat.say("menu")
    for _ in range(MAX_RETRIES):
        assert chat.say("hmm").startswith("Desculpe, não entendi.")
    assert chat.state is not None
    chat.say("hmm")
    assert chat.last.handoff == {"team": "support", "reason": "flow_not_understood"}
    assert chat.state is None


def test_cpf_with_wrong_check_digits_is_asked_again(library):
    chat = Chat(library)
    chat.say("segunda via")
    answer = chat.say("111.111.111-12")
    assert "não parece válido" in answer and chat.state.step == "pedir_cpf"


def test_cpf_in_the_first_message_is_used_and_secrets_are_not_kept(library):
    chat = Chat(library)
    answer = chat.say("2a via do boleto, meu cpf é 111.111.111-11")
    assert "data de nascimento" in answer and "Qual é o CPF" not in answer
    assert chat.state.vars["cpf"] == "11111111111"
    answer = chat.say("12/03/1985")
    assert "Linha digitável do boleto" in answer and chat.last.sensitive_input
    assert "cpf" not in chat.state.vars and "second_factor" not in chat.state.vars
    assert chat.customer_id == "1001"


def test_failed_identity_checks_end_with_a_person(library):
    chat = Chat(library)
    chat.say("desbloqueio")
    for attempt in range(3):
        chat.say("222.222.222-22")
        chat.say("01/01/2001")
        if attempt < 2:
            assert "Não consegui confirmar" in chat.last.text
    assert chat.last.handoff == {"team": "support", "reason": "identity_not_confirmed"}
    assert chat.customer_id is None


def test_verified_conversation_skips_the_identity_questions(library):
    chat = Chat(library)
    chat.customer_id = "1003"
    answer = chat.say("minha internet caiu")
    assert "manutenção em andamento em Savassi" in answer and "CPF" not in answer


def test_choose_lists_items_from_a_tool_and_saves_the_pick(library):
    chat = Chat(library)
    chat.customer_id = "1002"
    answer = chat.say("quero negociar")
    assert "1 - À vista: R$ 159,80 (sem multa nem juros)" in answer
    assert "Confirma o acordo" in chat.say("1")
    assert chat.state.vars["oferta"]["id"] == "avista"
    assert "Acordo fechado" in chat.say("sim")


def test_english_contacts_get_english_texts(library):
    chat = Chat(library, language="en")
    assert "How can I help?\n1 - Invoice copy" in chat.say("menu")
    assert "What is the account holder's CPF?" in chat.say("1")


def test_a_tool_error_hands_off_with_the_steps_team(library):
    class Down:
        customer_id = "1001"

        def call(self, name, args=None):
            return {"error": "erp_unavailable"}

    outcome = Interpreter(library, Down(), GLOBALS).start("financeiro", FlowInput("minha conta"))
    assert outcome.handoff == {"team": "billing", "reason": "tool_error:erp_unavailable"}
    assert "Não consegui consultar nosso sistema" in outcome.text


def test_library_refuses_broken_flows(library):
    menu = copy.deepcopy(library.get("menu"))
    menu["steps"]["opcoes"]["options"][0] = {"id": "x", "label": "x", "next": "nowhere"}
    with pytest.raises(FlowError, match="missing step"):
        FlowLibrary({"menu": menu})
    with pytest.raises(FlowError, match="unknown type"):
        FlowLibrary({"f": {"id": "f", "start": "a", "steps": {"a": {"type": "dance"}}}})
    with pytest.raises(FlowError, match="missing flow"):
        FlowLibrary({"f": {"id": "f", "start": "a", "steps": {"a": {"type": "goto", "flow": "nope"}}}})


def test_admin_overrides_replace_flows_and_broken_ones_are_ignored(library):
    edited = copy.deepcopy(library.get("ajuda"))
    edited["steps"]["explica"]["text"] = "Texto novo do admin."
    broken = {"start": "x", "steps": {}}
    merged = library.with_overrides({"ajuda": edited, "menu": broken})
    outcome = Interpreter(merged, CustomerTools(DemoErp(), "m"), GLOBALS).start("ajuda", FlowInput("ajuda"))
    assert outcome.text.startswith("Texto novo do admin.")
    assert merged.get("menu") == library.get("menu")


def test_a_flow_that_never_waits_is_stopped():
    looping = FlowLibrary(
        {
            "f": {
                "id": "f",
                "start": "a",
                "steps": {
                    "a": {"type": "message", "text": "x", "next": "b"},
                    "b": {"type": "message", "text": "y", "next": "a"},
                },
            }
        }
    )
    with pytest.raises(FlowError, match="without waiting"):
        Interpreter(looping, CustomerTools(DemoErp(), "m"), GLOBALS).start("f", FlowInput("x"))


def test_an_override_in_the_old_placeholder_syntax_is_refused_and_the_repo_flow_answers(library, caplog):
    edited = copy.deepcopy(library.get("ajuda"))
    edited["steps"]["explica"]["text"] = "Aqui é a {business.name}."
    with caplog.at_level(logging.ERROR):
        merged = library.with_overrides({"ajuda": edited})
    assert merged.get("ajuda") == library.get("ajuda")
    assert "steps.explica" in caplog.text and "{{ business.name }}" in caplog.text


@pytest.mark.parametrize(
    ("step", "field"),
    [
        ({"type": "ask", "text": "Qual é o CPF?"}, "save"),
        ({"type": "menu", "text": "Escolha:", "options": []}, "options"),
        ({"type": "message", "txt": "Olá"}, "txt"),
        ({"type": "branch", "cases": [{"if": "conta.paid_up ==", "next": "a"}]}, "if"),
        ({"type": "message", "text": {"pt": "Olá {{ contact.first_name"}}, "text"),
    ],
)
def test_a_broken_flow_is_refused_naming_the_step_and_field(step, field):
    with pytest.raises(FlowError, match=rf"flow f: steps\.a\.\w+\.[\w.]*{field}"):
        FlowLibrary({"f": {"id": "f", "start": "a", "steps": {"a": step}}})


def test_the_repo_flows_are_valid(library):
    """The repo's flows are trusted at run time (no models built on a cold start): this is their check."""
    FlowLibrary({flow_id: library.get(flow_id) for flow_id in library.ids()})


def test_an_override_pointing_at_a_broken_override_is_skipped_too(library):
    extra = {"start": "a", "steps": {"a": {"type": "message", "txt": "x"}}}
    menu = copy.deepcopy(library.get("menu"))
    menu["steps"]["opcoes"]["options"][0]["flow"] = "extra"
    merged = library.with_overrides({"menu": menu, "extra": extra})
    assert "extra" not in merged and merged.get("menu") == library.get("menu")
