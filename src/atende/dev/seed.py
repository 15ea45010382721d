"""Demo data for `make dev`: staff of each role, the teams, canned responses, approved templates and the
web-chat demo site.

Idempotent: fixed document ids, and users that already exist are left as they are. The users and
passwords are the ones docs/inbox.md and the README list.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.cloud import firestore

from atende.adapters.firestore.collections import SITES
from atende.domain.site import Appearance, PreChatField, PreChatForm, RateLimits, Site
from atende.users.accounts import TEAMS, StaffAccounts


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    name: str
    role: str
    teams: tuple[str, ...]
    capacity: int


DEMO_USERS = (
    DemoUser("admin@atende.dev", "atende-admin", "Administradora", "admin", TEAMS, 3),
    DemoUser(
        "supervisora@atende.dev",
        "atende-supervisor",
        "Sofia Supervisora",
        "supervisor",
        ("support", "billing"),
        3,
    ),
    DemoUser("ana@atende.dev", "atende-agente", "Ana Souza", "agent", ("support",), 3),
    DemoUser("bruno@atende.dev", "atende-agente", "Bruno Lima", "agent", ("support",), 2),
    DemoUser("carla@atende.dev", "atende-agente", "Carla Mendes", "agent", ("billing", "sales"), 3),
)

TEAM_NAMES = {
    "support": "Suporte técnico",
    "billing": "Financeiro",
    "sales": "Comercial",
    "retention": "Retenção",
}

CANNED_RESPONSES = {
    "ola": (
        "Saudação",
        "Olá, {contact.first_name}! Sou do time de atendimento da Conecta Fibra. Como posso ajudar?",
    ),
    "boleto": (
        "Segunda via do boleto",
        "Você pode baixar a segunda via do boleto na área do cliente ou eu envio o PDF aqui mesmo. "
        "Qual é o CPF do titular?",
    ),
    "prazo": (
        "Prazo de atendimento",
        "Já abri o chamado. O prazo para a visita técnica é de até 2 dias úteis; avisaremos por aqui.",
    ),
    "encerrar": (
        "Encerramento",
        "Posso ajudar em mais alguma coisa? Se não, vou encerrar este atendimento. Obrigado pelo contato!",
    ),
}

# (name, category, body) of the approved WhatsApp templates of each demo number (dev/channels.json).
TEMPLATES = (
    (
        "retomar_atendimento",
        "UTILITY",
        "Olá, {{1}}! Aqui é a Conecta Fibra, retomando o seu atendimento. Podemos continuar por aqui?",
    ),
    (
        "segunda_via_boleto",
        "UTILITY",
        "Olá, {{1}}! A segunda via do seu boleto com vencimento em {{2}} está disponível: {{3}}",
    ),
    (
        "visita_tecnica",
        "UTILITY",
        "Olá, {{1}}! Sua visita técnica está agendada para {{2}}. Responda SIM para confirmar.",
    ),
    # the follow-up rules' templates outside the 24 h window (domain/defaults/followups.json)
    (
        "lembrete_proposta",
        "MARKETING",
        "Olá! Você recebeu uma proposta para {{1}}. Quer revisar? Responda por aqui.",
    ),
    (
        "lembrete_pagamento",
        "UTILITY",
        "Olá! Há um pagamento pendente de R$ {{1}}. Posso ajudar a concluir? Responda por aqui.",
    ),
    (
        "lembrete_cadastro",
        "UTILITY",
        "Olá, {{1}}! Falta pouco para concluir seu cadastro. Posso ajudar com o próximo passo?",
    ),
)
WHATSAPP_ACCOUNTS = ("106540352242922", "106540352242933")
LANGUAGE = "pt_BR"


DEMO_SITE_KEY = "demo"


def demo_site(origins: tuple[str, ...]) -> Site:
    """The web-chat demo site the widget's page is served as; its identity secret is WEBCHAT_SECRET_DEMO."""
    return Site(
        key=DEMO_SITE_KEY,
        name="Conecta Fibra",
        origins=origins,
        enforce_identity=True,
        # On the local stack every visitor (and every browser test) comes from 127.0.0.1, so the
        # per-address limits a real site keeps at their defaults would refuse the demo's own users.
        rate_limits=RateLimits(sessions_per_minute_per_ip=600, requests_per_minute_per_ip=6000),
        appearance=Appearance(
            primary_color="#0b6bcb",
            position="right",
            greeting="Olá! Sou a assistente da Conecta Fibra. Como posso ajudar?",
            language="pt-BR",
            title="Conecta Fibra",
        ),
        pre_chat_form=PreChatForm(
            enabled=False, fields=(PreChatField(name="name", required=True), PreChatField(name="email"))
        ),
    )


def seed_demo_site(db: firestore.Client, origins: tuple[str, ...]) -> None:
    db.collection(SITES).document(DEMO_SITE_KEY).set(
        {**demo_site(origins).document(), "updatedAt": firestore.SERVER_TIMESTAMP}
    )


def seed_demo(
    accounts: StaffAccounts, db: firestore.Client, site_origins: tuple[str, ...] = ()
) -> list[DemoUser]:
    """Write the demo data; returns the demo users, for the banner."""
    seed_demo_site(db, site_origins)
    existing = {p.email for p in accounts.list()}
    for user in DEMO_USERS:
        if user.email not in existing:
            accounts.create(user.email, user.password, user.name, user.role, list(user.teams), user.capacity)
    batch = db.batch()
    for team_id, name in TEAM_NAMES.items():
        batch.set(db.collection("teams").document(team_id), {"name": name}, merge=True)
    for shortcut, (title, text) in CANNED_RESPONSES.items():
        batch.set(
            db.collection("canned_responses").document(shortcut),
            {
                "shortcut": shortcut,
                "title": title,
                "text": text,
                "teams": [],
                "updatedAt": firestore.SERVER_TIMESTAMP,
            },
        )
    for account in WHATSAPP_ACCOUNTS:
        for name, category, body in TEMPLATES:
            batch.set(
                db.collection("templates").document(f"{account}_{name}_{LANGUAGE}"),
                {
                    "accountId": account,
                    "name": name,
                    "language": LANGUAGE,
                    "category": category,
                    "status": "APPROVED",
                    "components": [{"type": "BODY", "text": body}],
                    "syncedAt": firestore.SERVER_TIMESTAMP,
                },
            )
    batch.commit()
    return list(DEMO_USERS)
