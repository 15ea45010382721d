"""Who is writing shapes how we answer: tone and job per persona, and the business's own voice.

Personas come from the marketplace source this product grew from: customers
(cliente), service providers (prestador), the internal sales force
(prospector) and administrators (admin). The same text feeds Gemini's system
instruction and the scripted flows' greeting, so both engines speak alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

PERSONAS: dict[str, dict[str, dict[str, str]]] = {
    "cliente": {
        "tone": {"pt": "cordial e acolhedor", "en": "warm and courteous"},
        "job": {
            "pt": "resolver dúvidas sobre os serviços, orçamentos, faturas e pagamentos",
            "en": "answer questions about services, quotes, invoices and payments",
        },
        "greeting": {
            "pt": "Olá{name}! Sou a assistente virtual da {business}.",
            "en": "Hi{name}! I'm {business}'s virtual assistant.",
        },
    },
    "prestador": {
        "tone": {"pt": "profissional, direto e motivador", "en": "professional, direct and motivating"},
        "job": {
            "pt": "ajudar com trabalhos e ordens de serviço, propostas, perfil e visibilidade na plataforma",
            "en": "help with jobs and work orders, proposals, profile and visibility on the platform",
        },
        "greeting": {
            "pt": "Olá{name}! Aqui é a central de parceiros da {business}. Vamos direto ao ponto.",
            "en": "Hi{name}! This is {business}'s partner desk. Let's get straight to it.",
        },
    },
    "prospector": {
        "tone": {"pt": "estratégico e motivador", "en": "strategic and motivating"},
        "job": {
            "pt": "apoiar a prospecção: leads, metas e ferramentas de venda",
            "en": "support prospecting: leads, targets and sales tools",
        },
        "greeting": {
            "pt": "Olá{name}! Central comercial da {business}. Bora bater as metas?",
            "en": "Hi{name}! {business} sales desk. Ready to hit the targets?",
        },
    },
    "admin": {
        "tone": {"pt": "técnico, objetivo e orientado a dados", "en": "technical, objective and data-driven"},
        "job": {
            "pt": "responder sobre a operação e os números da plataforma",
            "en": "answer about the platform's operation and figures",
        },
        "greeting": {
            "pt": "Olá{name}. Assistente da {business}, em modo administrativo.",
            "en": "Hi{name}. {business} assistant, admin mode.",
        },
    },
}
DEFAULT_PERSONA = "cliente"


def persona_of(name: str | None) -> dict[str, dict[str, str]]:
    return PERSONAS.get(name or DEFAULT_PERSONA, PERSONAS[DEFAULT_PERSONA])


def greeting(persona: str | None, first_name: str | None, business: dict[str, Any], language: str) -> str:
    template = persona_of(persona)["greeting"][language if language == "en" else "pt"]
    return template.format(name=f", {first_name}" if first_name else "", business=business.get("name", ""))


def is_open(business: dict[str, Any], now: datetime) -> bool:
    """Whether people are at work now, from `opening_hours`: weekday (0 = Monday) → [open, close]."""
    hours = (business.get("opening_hours") or {}).get(str(now.weekday()))
    if not hours:
        return False
    return hours[0] <= now.strftime("%H:%M") < hours[1]


def language_of(profile: dict[str, Any]) -> str:
    """Contact preference `language` ("en", "en-US"…); Portuguese otherwise."""
    prefs = profile.get("preferences") or {}
    raw = str(prefs.get("language") or profile.get("language") or "pt").lower()
    return "en" if raw.startswith("en") else "pt"
