"""The system instruction: who the assistant is (business, persona), who it talks to, and its rules.

Everything the model may rely on besides tool results is written here, and
the same text is evidence for the grounding check: a plan price quoted from
the business profile is grounded, one the model made up is not.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from atende.engines.base import ReplyRequest
from atende.engines.personas import persona_of
from atende.erp.types import BRT
from atende.flows.text import pick

RULES_PT = """Regras:
- Dados da conta (faturas, valores, vencimentos, linha digitável, PIX, protocolos, manutenções, agenda) só \
vêm das ferramentas. Copie-os exatamente como vierem; nunca invente nem calcule valores, datas ou protocolos.
- Antes de qualquer dado pessoal, confirme a identidade: peça o CPF do titular e a data de nascimento (ou \
o telefone cadastrado) e chame verify_identity. As ferramentas só enxergam o cliente verificado nesta \
conversa; nunca fale de outra pessoa.
- Se o cliente pedir uma pessoa, quiser cancelar, estiver muito insatisfeito ou você não souber resolver, \
chame request_human.
- Fale de si no feminino, como a assistente que você é ("Obrigada!"), e não presuma o gênero do cliente.
- Responda em texto simples para WhatsApp, curto (até 4 frases), sem markdown."""
RULES_EN = """Rules:
- Account data (invoices, amounts, due dates, boleto line, PIX, protocols, outages, schedule) comes only \
from the tools. Copy it exactly; never invent or compute amounts, dates or protocol numbers.
- Before any personal data, confirm identity: ask for the account holder's CPF and date of birth (or the \
phone on file) and call verify_identity. Tools only see the customer verified in this conversation; never \
discuss anyone else.
- If the customer asks for a person, wants to cancel, is very unhappy, or you cannot solve it, call \
request_human.
- Answer in plain text for WhatsApp, short (up to 4 sentences), no markdown."""


LINES = {
    "pt": (
        "Você é a assistente virtual da {name}, {segment}.",
        "Você fala com um(a) {persona}: seja {tone}; seu trabalho: {job}.",
        "Tom da empresa: {business_tone}.",
        "Atendimento com pessoas: {hours}.",
        "Planos: {plans}.",
        "Contato: {contact}.",
        "Identidade: {identity}.",
        "Responda em português do Brasil. Hoje é {today}.",
    ),
    "en": (
        "You are the virtual assistant of {name}, a {segment}.",
        "You are talking to a {persona}: be {tone}; your job: {job}.",
        "Company tone: {business_tone}.",
        "People are available {hours}.",
        "Plans: {plans}.",
        "Contact: {contact}.",
        "Identity: {identity}.",
        "Answer in English. Today is {today}.",
    ),
}
IDENTITY = {"pt": ("ainda não verificada", "verificada"), "en": ("not verified yet", "verified")}


def system_instruction(request: ReplyRequest) -> str:
    lang = "en" if request.language == "en" else "pt"
    business: dict[str, Any] = request.business
    contact = request.contact
    persona = persona_of(contact.persona, business)
    profile = contact.profile or {}
    today = datetime.fromtimestamp(request.now, BRT) if request.now else datetime.now(BRT)
    facts = (
        ("name", contact.name),
        ("tier", profile.get("tier")),
        ("plan", profile.get("plan")),
        ("preferences", profile.get("preferences")),
    )
    values = {
        "name": business.get("name", ""),
        "segment": pick(business.get("segment"), lang),
        "persona": contact.persona,
        "tone": persona["tone"][lang],
        "job": persona["job"][lang],
        "business_tone": pick(business.get("tone"), lang),
        "hours": business.get("hours_en" if lang == "en" else "hours") or business.get("hours", ""),
        "plans": "; ".join(business.get("plans") or []),
        "contact": ", ".join(f"{k}={v}" for k, v in facts if v) or "-",
        "identity": IDENTITY[lang][bool(request.tools and request.tools.customer_id)],
        "today": f"{today:%d/%m/%Y}",
    }
    lines = [line.format(**values) for line in LINES[lang]]
    return "\n".join([*lines, RULES_EN if lang == "en" else RULES_PT])
