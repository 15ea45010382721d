"""An audit entry as an `audit_logs/{id}` document (docs/data-model.md)."""

from __future__ import annotations

from typing import Any

from atende.adapters.firestore.codec import ts
from atende.services.audit import AuditEntry


def to_doc(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": ts(entry.at),
        "actor": {"uid": entry.actor_uid, "role": entry.actor_role},
        "action": entry.action,
        "target": {"collection": entry.collection, "id": entry.target_id},
        "before": entry.before,
        "after": entry.after,
    }
