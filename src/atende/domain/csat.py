"""Customer satisfaction: one 1–5 question on the conversation's own channel after a person resolved it,
and the answer that scores it.

Asked only where it reaches the customer without a template (inside the channel's window, web chat
always) and never to someone who refused proactive messages; answered for a day, by a tapped option or a
lone digit, so "5" is a score while "5 dias sem internet" is a new message that reopens the conversation.
"""

from __future__ import annotations

import re

from atende.domain.menus import Choice, Menu

ANSWERABLE_S = 24 * 3600
SCORES = (5, 4, 3, 2, 1)  # best first, as the options are shown
QUESTION = {
    "pt": "Seu atendimento foi encerrado. Como você avalia a ajuda que recebeu?",
    "en": "Your conversation was closed. How would you rate the help you got?",
}
LABELS = {
    "pt": {5: "Excelente", 4: "Bom", 3: "Regular", 2: "Ruim", 1: "Péssimo"},
    "en": {5: "Excellent", 4: "Good", 3: "Fair", 2: "Poor", 1: "Very poor"},
}
THANKS = {
    "pt": "Obrigada pela avaliação! Se precisar de algo, é só mandar uma mensagem.",
    "en": "Thanks for your rating! If you need anything else, just send a message.",
}
_LONE_DIGIT = re.compile(r"^\s*(?:nota\s*)?([1-5])\s*(?:[-–.:]?\s*\w+)?\s*[.!]?\s*$", re.IGNORECASE)


def question(language: str) -> Menu:
    labels = LABELS.get(language, LABELS["pt"])
    return Menu(
        QUESTION.get(language, QUESTION["pt"]),
        tuple(Choice(id=f"csat_{n}", title=f"{n} – {labels[n]}") for n in SCORES),
    )


def thanks(language: str) -> str:
    return THANKS.get(language, THANKS["pt"])


def score_in(text: str | None, choice_id: str | None) -> int | None:
    """A tapped `csat_<n>`, or a message that is only the score ("5", "nota 4", "3 - regular")."""
    if choice_id and choice_id.startswith("csat_") and choice_id[5:].isdigit():
        value = int(choice_id[5:])
        return value if value in SCORES else None
    found = _LONE_DIGIT.match(text or "")
    return int(found.group(1)) if found else None
