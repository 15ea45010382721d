"""What the customer is told when a person takes over.

The text says why in a word (they asked, they want to cancel, we are not
sure), who will answer, and, outside opening hours, when. How the
conversation is queued is the conversation's rule (`Conversation.hand_off`).
"""

from __future__ import annotations

from typing import Any

from atende.domain.hours import OpeningHours

OPENERS: dict[str, tuple[str, str]] = {
    "explicit_request": ("Claro! ", "Sure! "),
    "menu_choice": ("Claro! ", "Sure! "),
    "new_sale": ("Que bom que você quer contratar! ", "Great that you'd like to sign up! "),
    "cancellation": (
        "Sinto muito que você esteja pensando em cancelar. ",
        "I'm sorry you're thinking of leaving. ",
    ),
    "repeated_frustration": ("Sinto muito pelo transtorno. ", "I'm sorry for the trouble. "),
    "below_threshold": (
        "Quero ter certeza de te ajudar do jeito certo. ",
        "I want to be sure you get the right help. ",
    ),
    "flow_not_understood": (
        "Acho que não estou conseguindo te entender. ",
        "I don't think I'm following you. ",
    ),
    "offline_form": (
        "Recebemos sua mensagem e vamos responder por aqui e pelo contato que você deixou. ",
        "We got your message and will reply here and through the contact you left. ",
    ),
    "ungrounded_answer": (
        "Prefiro confirmar essa informação com a nossa equipe. ",
        "I'd rather have our team confirm that for you. ",
    ),
}
TEAMS: dict[str, tuple[str, str]] = {
    "support": ("nossa equipe de suporte", "our support team"),
    "billing": ("nossa equipe financeira", "our billing team"),
    "sales": ("nossa equipe comercial", "our sales team"),
    "retention": ("um especialista da nossa equipe", "a specialist from our team"),
}
BODY = (
    "Vou te passar para {team}. Em instantes uma pessoa responde por aqui.",
    "I'm passing you to {team}. A person will reply here shortly.",
)
CLOSED = (
    " Nosso horário de atendimento é {hours}; fora dele, respondemos assim que voltarmos.",
    " We're available {hours}; outside those hours we'll reply as soon as we're back.",
)


def notice(
    reason: str, team: str | None, business: dict[str, Any], hours: OpeningHours, language: str, now: float
) -> str:
    en = language == "en"
    opener = OPENERS.get(reason, ("", ""))[en]
    team_name = TEAMS.get(team or "support", TEAMS["support"])[en]
    text = opener + BODY[en].format(team=team_name)
    if not hours.is_open(now):
        hours = business.get("hours_en" if en else "hours") or business.get("hours", "")
        if hours:
            text += CLOSED[en].format(hours=hours)
    return text
