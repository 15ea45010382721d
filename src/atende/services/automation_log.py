"""What the scheduled automations did, for admins: one `omni_logs` entry per tick and per follow-up decided.

Failures of the event functions go to the same collection (`services/failures.py`), so an admin reads one
place for "what ran, what it sent, what it gave up on".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from atende.domain.model import stable_id

SOURCE = "automation_tick"


@dataclass(frozen=True, kw_only=True)
class AutomationLog:
    id: str
    kind: str  # "tick" (one run) or "followup" (one follow-up decided)
    at: float
    reason: str  # one line an admin reads
    rule: str | None = None
    result: str | None = None  # a follow-up's outcome: sent, skipped, failed
    counts: Mapping[str, int] = field(default_factory=dict)  # a tick's outcomes
    message_id: str | None = None
    conversation_id: str | None = None
    entity: str | None = None
    source: str = SOURCE

    @classmethod
    def tick(cls, tick_id: str, at: float, counts: Mapping[str, int], reason: str) -> AutomationLog:
        return cls(id=stable_id("t", tick_id), kind="tick", at=at, counts=dict(counts), reason=reason)

    @classmethod
    def followup(
        cls,
        record_id: str,
        *,
        rule: str,
        result: str,
        at: float,
        reason: str,
        entity: str,
        message_id: str | None = None,
        conversation_id: str | None = None,
    ) -> AutomationLog:
        return cls(
            id=stable_id("fl", record_id, result),
            kind="followup",
            at=at,
            reason=reason,
            rule=rule,
            result=result,
            entity=entity,
            message_id=message_id,
            conversation_id=conversation_id,
        )
