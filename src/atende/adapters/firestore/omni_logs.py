"""A consumer's failure as an `omni_logs/{id}` document (admins only; docs/data-model.md)."""

from __future__ import annotations

from typing import Any

from atende.adapters.firestore.codec import ts
from atende.services.automation_log import AutomationLog
from atende.services.failures import FailureLog


def to_doc(entry: FailureLog) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "source": entry.source,
        "kind": str(entry.kind),
        "reason": entry.reason,
        "payload": entry.payload,
        "at": ts(entry.at),
    }
    if entry.message_id:
        doc["messageId"] = entry.message_id
    if entry.conversation_id:
        doc["conversationId"] = entry.conversation_id
    optional = {"attempts": entry.attempts, "channel": entry.channel, "accountId": entry.account_id}
    return doc | {k: v for k, v in optional.items() if v is not None}


def automation_doc(entry: AutomationLog) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "source": entry.source,
        "kind": entry.kind,
        "reason": entry.reason,
        "at": ts(entry.at),
    }
    optional = {
        "rule": entry.rule,
        "result": entry.result,
        "counts": dict(entry.counts) if entry.kind == "tick" else None,
        "messageId": entry.message_id,
        "conversationId": entry.conversation_id,
        "entity": entry.entity,
    }
    return doc | {k: v for k, v in optional.items() if v is not None}
