"""An attendant log entry as an `ia_logs/{message id}` document (admins only; docs/data-model.md)."""

from __future__ import annotations

from typing import Any

from atende.adapters.firestore.codec import ts
from atende.adapters.firestore.messages import decision_doc, triage_doc
from atende.services.ai_log import AiLogEntry


def to_doc(entry: AiLogEntry) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "messageId": entry.message_id,
        "conversationId": entry.conversation_id,
        "contactId": entry.contact_id,
        "channel": entry.channel,
        "userType": entry.persona,
        "persona": entry.persona,
        "language": entry.language,
        "triage": triage_doc(entry.triage) if entry.triage else None,
        "decision": decision_doc(entry.decision) if entry.decision else None,
        "engine": entry.engine,
        "prompt": entry.prompt,
        "response": entry.response,
        "toolsCalled": [
            {"name": c.name, "args": c.args, "ok": c.ok, "error": c.error, "ms": c.ms}
            for c in entry.tools_called
        ],
        "flow": {"id": entry.flow, "step": entry.flow_step} if entry.flow else None,
        "model": entry.model,
        "tokens": entry.tokens,
        "grounding": entry.grounding,
        "engineLatencyMs": entry.engine_latency_ms,
        "latencyMs": entry.latency_ms,
        "verified": entry.verified,
        "timestamp": ts(entry.timestamp),
    }
    if entry.second_opinion:
        doc["secondOpinion"] = triage_doc(entry.second_opinion)
    return doc
