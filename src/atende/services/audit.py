"""What a person did, for the audit log: who, what, to which document, when, the state before and after."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    action: str  # take, assign, transfer, resolve, … (docs/inbox.md)
    actor_uid: str
    actor_role: str
    collection: str
    target_id: str
    at: float
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
