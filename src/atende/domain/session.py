"""The attendant's memory of one conversation: who was verified, where a flow stands, how the customer felt.

It lives on the conversation document (field `attendant`) and is rewritten in
the same batch as the reply it led to, so a redelivered message never finds a
flow one step ahead of the answer the customer actually received.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

VERIFICATION_TTL_S = 2 * 3600  # a verified identity is trusted for a working session, not forever
SENTIMENT_WINDOW_S = 2 * 3600  # "repeated frustration" means within the same episode
MAX_SENTIMENTS = 6


@dataclass(frozen=True)
class FlowState:
    flow: str
    step: str
    vars: dict[str, Any] = field(default_factory=dict)
    stack: tuple[tuple[str, str], ...] = ()  # where each running sub-flow returns to: (flow, step)
    retries: int = 0

    def to_doc(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "step": self.step,
            "vars": self.vars,
            "stack": [{"flow": f, "step": s} for f, s in self.stack],
            "retries": self.retries,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any] | None) -> FlowState | None:
        if not doc or not doc.get("flow"):
            return None
        return cls(
            doc["flow"],
            doc.get("step", ""),
            dict(doc.get("vars") or {}),
            tuple((s["flow"], s["step"]) for s in doc.get("stack") or []),
            int(doc.get("retries") or 0),
        )


@dataclass(frozen=True)
class Session:
    customer_id: str | None = None  # the ERP customer this conversation proved to be
    verified_at: float | None = None
    verification_failures: int = 0
    flow: FlowState | None = None
    awaiting_input: bool = False  # our last answer asked the customer something
    sentiments: tuple[tuple[str, float], ...] = ()  # (sentiment, at) of recent inbound messages

    def recent_sentiments(self, now: float) -> list[str]:
        return [s for s, at in self.sentiments if now - at <= SENTIMENT_WINDOW_S]

    def with_sentiment(self, sentiment: str, at: float) -> Session:
        return replace(self, sentiments=((*self.sentiments, (sentiment, at)))[-MAX_SENTIMENTS:])

    def to_doc(self) -> dict[str, Any]:
        return {
            "customerId": self.customer_id,
            "verifiedAt": self.verified_at,
            "verificationFailures": self.verification_failures,
            "flow": self.flow.to_doc() if self.flow else None,
            "awaitingInput": self.awaiting_input,
            "sentiments": [{"s": s, "at": at} for s, at in self.sentiments],
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any] | None, now: float) -> Session:
        """Rebuild from the conversation document, forgetting a verification that has expired."""
        doc = doc or {}
        verified_at = doc.get("verifiedAt")
        fresh = verified_at is not None and now - float(verified_at) < VERIFICATION_TTL_S
        return cls(
            customer_id=doc.get("customerId") if fresh else None,
            verified_at=float(verified_at) if fresh else None,
            verification_failures=int(doc.get("verificationFailures") or 0),
            flow=FlowState.from_doc(doc.get("flow")),
            awaiting_input=bool(doc.get("awaitingInput")),
            sentiments=tuple((s["s"], float(s["at"])) for s in doc.get("sentiments") or []),
        )
