"""The engine port: given a message and everything known around it, an answer (or none).

The inbound service decides *whether* the bot answers (triage + routing);
an engine decides *what* it says, through the tool layer bound to the
conversation's verified customer, and may still ask for a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from atende.domain.contact import Contact
from atende.domain.conversation import Conversation
from atende.domain.events import InboundMessage
from atende.domain.menus import Menu
from atende.domain.message import Turn
from atende.domain.model import MessageKind
from atende.domain.session import FlowState, Session

if TYPE_CHECKING:
    from atende.domain.triage import Triage
    from atende.erp.tools import CustomerTools

FALLBACK_PT = "Desculpe, estou com muitas solicitações no momento. Por favor, tente novamente em instantes."
FALLBACK_EN = "Sorry, I'm handling too many requests right now. Please try again in a moment."
NO_ANSWER_KINDS = (MessageKind.REACTION, MessageKind.SYSTEM)


@dataclass(frozen=True, kw_only=True)
class ReplyRequest:
    message: InboundMessage
    conversation: Conversation
    contact: Contact
    # The contact's last turns on every channel, oldest first; read only if an engine looks at it.
    history: Sequence[Turn] = ()
    triage: Triage | None = None
    triage_confident: bool = False  # confidence at or above the routing threshold for its intent
    session: Session = field(default_factory=Session)
    business: dict[str, Any] = field(default_factory=dict)
    tools: CustomerTools | None = None
    language: str = "pt"
    now: float = 0.0

    @property
    def choice_id(self) -> str | None:
        return self.message.choice_id


@dataclass(frozen=True)
class EngineReply:
    text: str | None  # None: this message needs no answer (a reaction, a status-like event)
    handoff: bool = False  # a person should take over
    meta: dict[str, Any] = field(default_factory=dict)  # engine name, tokens, latency, tools used
    handoff_team: str | None = None
    handoff_reason: str | None = None
    flow: FlowState | None = None  # the scripted flow the conversation is now in (None: none)
    awaiting_input: bool = False  # the answer asks the customer something
    sensitive_input: bool = False  # the message was an identity factor: logs must not keep it
    prompt: str | None = None  # what the model was given, for the AI log
    menu: Menu | None = None  # the answer ends in a question with options the customer may tap
    introduced: bool = False  # the answer says who the bot is (the conversation's one introduction)


class ReplyEngine(Protocol):
    """Writes answers. An engine may also offer `second_opinion(text) -> Triage | None`, which the
    inbound service consults when the local classifier is only just below the routing threshold."""

    name: str

    def claim(self, request: ReplyRequest) -> str | None:
        """Why this engine should answer even though triage is unsure (e.g. the customer is answering
        the question we just asked); None when it has no such reason."""

    def reply(self, request: ReplyRequest) -> EngineReply: ...


def answering_our_question(request: ReplyRequest) -> str | None:
    """A low-confidence message right after we asked something is an answer, not a new request."""
    if request.message.kind in NO_ANSWER_KINDS:
        return None
    if request.session.awaiting_input and (request.message.text or request.choice_id):
        return "answer_to_question"
    return None
