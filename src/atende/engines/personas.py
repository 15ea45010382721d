"""Who is writing shapes how we answer: tone and job per persona, and the business's own voice.

Personas come from the marketplace source this product grew from: customers
(cliente), service providers (prestador), the internal sales force
(prospector) and administrators (admin). The same text feeds Gemini's system
instruction and the scripted flows' greeting, so both engines speak alike.

These are the repo's defaults: the business profile's `personas` (`config/business`, written by the
console) changes any text of a persona, or adds one, field by field and per language.
"""

from __future__ import annotations

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


def personas(business: dict[str, Any] | None = None) -> dict[str, dict[str, dict[str, str]]]:
    """Every persona in force: the defaults with the business profile's texts laid on top."""
    merged = {name: {field: dict(texts) for field, texts in p.items()} for name, p in PERSONAS.items()}
    for name, override in ((business or {}).get("personas") or {}).items():
        default = PERSONAS[DEFAULT_PERSONA]
        base = merged.setdefault(name, {field: dict(texts) for field, texts in default.items()})
        for field, texts in override.items():
            base[field] = {**base.get(field, {}), **texts}
    return merged


def persona_of(name: str | None, business: dict[str, Any] | None = None) -> dict[str, dict[str, str]]:
    every = personas(business)
    return every.get(name or DEFAULT_PERSONA, every[DEFAULT_PERSONA])


def greeting(persona: str | None, first_name: str | None, business: dict[str, Any], language: str) -> str:
    template = persona_of(persona, business)["greeting"][language if language == "en" else "pt"]
    return template.format(name=f", {first_name}" if first_name else "", business=business.get("name", ""))


def language_of(profile: dict[str, Any]) -> str:
    """Contact preference `language` ("en", "en-US"…); Portuguese otherwise."""
    prefs = profile.get("preferences") or {}
    raw = str(prefs.get("language") or profile.get("language") or "pt").lower()
    return "en" if raw.startswith("en") else "pt"
