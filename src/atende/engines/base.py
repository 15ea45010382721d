"""The engine port: given a message and its context, an answer (or none)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from atende.domain.events import InboundMessage
from atende.domain.records import Contact, Conversation, Turn

FALLBACK_PT = "Desculpe, estou com muitas solicitações no momento. Por favor, tente novamente em instantes."


@dataclass(frozen=True)
class ReplyRequest:
    message: InboundMessage
    conversation: Conversation
    contact: Contact
    history: list[Turn] = field(default_factory=list)


@dataclass(frozen=True)
class EngineReply:
    text: str | None  # None: this message needs no answer (a reaction, a status-like event)
    handoff: bool = False  # a person should take over
    meta: dict[str, Any] = field(default_factory=dict)  # engine name, tokens, latency, tools used


class ReplyEngine(Protocol):
    name: str

    def reply(self, request: ReplyRequest) -> EngineReply: ...
