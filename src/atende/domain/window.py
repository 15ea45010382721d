"""Meta's customer-service windows: what may be sent to a customer, and how, at a given moment.

WhatsApp allows anything for 24 h after the customer's last message and only
approved templates after that. Messenger and Instagram allow anything for 24 h
and then, for 7 days, only a person's reply tagged HUMAN_AGENT. Deciding this
here, before any call to Meta, turns a platform rejection (131047, error 10)
into a message an agent understands and avoids spending quota on a sure failure.
"""

from __future__ import annotations

from dataclasses import dataclass

from atende.domain.model import Channel

STANDARD_WINDOW_S = 24 * 3600
HUMAN_AGENT_WINDOW_S = 7 * 24 * 3600

# Messenger Send API `messaging_type` values and the only tag left in 2026.
RESPONSE = "RESPONSE"
MESSAGE_TAG = "MESSAGE_TAG"
HUMAN_AGENT = "HUMAN_AGENT"

# Shown to agents next to a refused message (pt-BR UI text).
OUTSIDE_WHATSAPP = "Fora da janela de 24 horas: envie um modelo aprovado"
OUTSIDE_MESSENGER_BOT = (
    "Fora da janela de 24 horas: só um atendente pode responder "
    "(até 7 dias após a última mensagem do cliente)"
)
OUTSIDE_MESSENGER_HUMAN = "Fora da janela de 7 dias: aguarde o cliente escrever novamente"
NEVER_WROTE = "O cliente ainda não escreveu neste canal: envie um modelo aprovado"
NEVER_WROTE_MESSENGER = "O cliente ainda não escreveu neste canal: não é possível iniciar a conversa"
TEMPLATE_NOT_SUPPORTED = "Modelos de mensagem só existem no WhatsApp"


@dataclass(frozen=True)
class WindowDecision:
    """Whether a send may go out now; if so, with which Messenger messaging_type/tag."""

    allowed: bool
    reason: str | None = None  # pt-BR, for the agent, when refused
    messaging_type: str | None = None
    tag: str | None = None


def decide(
    channel: Channel | str,
    last_inbound_at: float | None,
    now: float,
    *,
    is_template: bool = False,
    by_human: bool = False,
) -> WindowDecision:
    """The rule for one send. `last_inbound_at` is the customer's last message on this conversation."""
    channel = Channel(channel)
    age = None if last_inbound_at is None else max(0.0, now - last_inbound_at)
    if channel == Channel.WHATSAPP:
        if is_template:
            return WindowDecision(True)
        if age is not None and age < STANDARD_WINDOW_S:
            return WindowDecision(True)
        return WindowDecision(False, NEVER_WROTE if age is None else OUTSIDE_WHATSAPP)
    if channel in (Channel.MESSENGER, Channel.INSTAGRAM):
        if is_template:
            return WindowDecision(False, TEMPLATE_NOT_SUPPORTED)
        if age is None:
            return WindowDecision(False, NEVER_WROTE_MESSENGER)
        if age < STANDARD_WINDOW_S:
            return WindowDecision(True, messaging_type=RESPONSE)
        if age < HUMAN_AGENT_WINDOW_S:
            if by_human:
                return WindowDecision(True, messaging_type=MESSAGE_TAG, tag=HUMAN_AGENT)
            return WindowDecision(False, OUTSIDE_MESSENGER_BOT)
        return WindowDecision(False, OUTSIDE_MESSENGER_HUMAN)
    return WindowDecision(True)  # our own web chat has no platform window
