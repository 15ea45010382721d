"""The log entry of one inbound message that reached the attendant: what was decided, with what, how fast.

Personal data is masked here, before anything is stored. The entry is written
in the same commit as the message and its reply (`ia_logs`), so an exchange is
never answered without its log nor logged without having happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from atende.domain import masking
from atende.domain.message import Message
from atende.domain.model import Route
from atende.domain.routing import RoutingDecision
from atende.domain.triage import Triage
from atende.engines.base import EngineReply, ReplyRequest

SENSITIVE_PLACEHOLDER = "[dado de identificação omitido]"


@dataclass(frozen=True, kw_only=True)
class ToolCallLog:
    name: str
    args: Any
    ok: bool
    error: str | None
    ms: float | None


@dataclass(frozen=True, kw_only=True)
class AiLogEntry:
    message_id: str
    conversation_id: str
    contact_id: str
    channel: str
    persona: str
    language: str
    triage: Triage | None
    decision: RoutingDecision | None
    second_opinion: Triage | None
    engine: str | None
    prompt: str | None
    response: str | None
    tools_called: tuple[ToolCallLog, ...]
    flow: str | None
    flow_step: str | None
    model: str | None
    tokens: Any
    grounding: Any
    engine_latency_ms: float | None
    latency_ms: float
    verified: bool
    timestamp: float

    @classmethod
    def of(
        cls,
        *,
        stored: Message,
        request: ReplyRequest,
        answer: EngineReply | None,
        response: str | None,
        latency_ms: float,
        now: float,
    ) -> AiLogEntry:
        meta = answer.meta if answer else {}
        tools = request.tools
        decision = stored.decision
        handed_over = decision is not None and decision.route == Route.HUMAN
        prompt = answer.prompt if answer and answer.prompt else request.message.text
        return cls(
            message_id=stored.id,
            conversation_id=request.conversation.id,
            contact_id=request.contact.id,
            channel=str(stored.channel),
            persona=request.contact.persona,
            language=request.language,
            triage=stored.triage,
            decision=decision,
            second_opinion=stored.second_opinion,
            engine=meta.get("engine", "handoff" if handed_over else None),
            prompt=SENSITIVE_PLACEHOLDER if answer and answer.sensitive_input else masking.mask_text(prompt),
            response=masking.mask_text(response),
            tools_called=tuple(
                ToolCallLog(name=c.name, args=masking.mask_value(c.args), ok=c.ok, error=c.error, ms=c.ms)
                for c in (tools.calls if tools else [])
            ),
            flow=meta.get("flow"),
            flow_step=meta.get("step"),
            model=meta.get("model"),
            tokens=meta.get("tokens"),
            grounding=meta.get("grounding"),
            engine_latency_ms=meta.get("latency_ms"),
            latency_ms=round(latency_ms, 1),
            verified=bool(tools and tools.customer_id),
            timestamp=now,
        )
