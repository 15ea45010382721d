"""Persona-aware texts and the handoff notice."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime

from atende.domain.contact import Contact
from atende.domain.content import Text
from atende.domain.conversation import Conversation
from atende.domain.events import InboundMessage, Sender
from atende.domain.hours import OpeningHours
from atende.domain.model import Channel
from atende.engines.base import ReplyRequest
from atende.engines.personas import greeting, language_of
from atende.engines.prompt import system_instruction
from atende.erp.types import BRT
from atende.services import handoff
from atende.services.attendant_config import default_business

BUSINESS = default_business()
HOURS = OpeningHours.from_business(BUSINESS)
WEDNESDAY_10H = datetime(2025, 3, 19, 10, 0, tzinfo=BRT).timestamp()
SUNDAY_10H = datetime(2025, 3, 23, 10, 0, tzinfo=BRT).timestamp()


def request_for(persona: str, language: str = "pt") -> ReplyRequest:
    message = InboundMessage(
        channel=Channel.WHATSAPP,
        account_id="1",
        provider_message_id="wamid.x",
        sender=Sender(id="55"),
        timestamp=time.time(),
        content=Text(),
        text="oi",
    )
    contact = Contact(
        id="c", name="Carla Souza", persona=persona, profile={"tier": "gold", "plan": "Fibra 1 Giga"}
    )
    return ReplyRequest(
        message=message,
        conversation=Conversation(
            id="conv", channel=Channel.WHATSAPP, account_id="1", contact_id="c", sender_id=message.sender.id
        ),
        contact=contact,
        business=BUSINESS,
        language=language,
        now=WEDNESDAY_10H,
    )


def test_each_persona_is_greeted_in_its_own_way():
    assert (
        greeting("cliente", "Carla", BUSINESS, "pt")
        == "Olá, Carla! Sou a assistente virtual da Conecta Fibra."
    )
    assert "central de parceiros" in greeting("prestador", "Carla", BUSINESS, "pt")
    assert "metas" in greeting("prospector", None, BUSINESS, "pt")
    assert greeting("admin", "Carla", BUSINESS, "en").startswith("Hi, Carla. Conecta Fibra assistant")
    assert greeting("desconhecido", None, BUSINESS, "pt") == "Olá! Sou a assistente virtual da Conecta Fibra."


def test_system_instruction_carries_persona_business_and_contact():
    admin = system_instruction(request_for("admin"))
    assert "técnico, objetivo e orientado a dados" in admin and "operação e os números da plataforma" in admin
    assert "Conecta Fibra" in admin and "de segunda a sexta" in admin and "Fibra 500 Mega: R$ 99,90" in admin
    assert "tier=gold" in admin and "plan=Fibra 1 Giga" in admin and "19/03/2025" in admin
    provider = system_instruction(request_for("prestador", "en"))
    assert "professional, direct and motivating" in provider and "Answer in English" in provider


def test_a_business_renames_a_persona_greeting_and_adds_a_persona():
    business = {
        **BUSINESS,
        "personas": {
            "cliente": {"greeting": {"pt": "Oi{name}! Aqui é a {business}."}},
            "revenda": {"tone": {"pt": "parceiro e direto"}},
        },
    }
    assert greeting("cliente", "Carla", business, "pt") == "Oi, Carla! Aqui é a Conecta Fibra."
    assert greeting("cliente", "Carla", business, "en").startswith("Hi, Carla! I'm Conecta Fibra")
    assert greeting("revenda", None, business, "pt") == "Olá! Sou a assistente virtual da Conecta Fibra."
    request = replace(request_for("revenda"), business=business)
    assert "parceiro e direto" in system_instruction(request)


def test_opening_hours_and_language_preference():
    assert HOURS.is_open(datetime.fromtimestamp(WEDNESDAY_10H, BRT))
    assert not HOURS.is_open(SUNDAY_10H)
    assert language_of({"preferences": {"language": "en-US"}}) == "en"
    assert language_of({}) == "pt"


def test_handoff_notice_says_why_who_and_when():
    during = handoff.notice("cancellation", "retention", BUSINESS, HOURS, "pt", WEDNESDAY_10H)
    assert during == (
        "Sinto muito que você esteja pensando em cancelar. Vou te passar para um especialista da nossa "
        "equipe. Em instantes uma pessoa responde por aqui."
    )
    closed = handoff.notice("explicit_request", "billing", BUSINESS, HOURS, "en", SUNDAY_10H)
    assert closed.startswith("Sure! I'm passing you to our billing team.")
    assert "Monday to Friday, 8am to 8pm" in closed
