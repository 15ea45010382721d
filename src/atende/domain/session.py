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


@dataclass(frozen=True, kw_only=True)
class FlowState:
    flow: str
    step: str
    vars: dict[str, Any] = field(default_factory=dict)
    stack: tuple[tuple[str, str], ...] = ()  # where each running sub-flow returns to: (flow, step)
    retries: int = 0


@dataclass(frozen=True, kw_only=True)
class Session:
    customer_id: str | None = None  # the ERP customer this conversation proved to be
    verified_at: float | None = None
    verification_failures: int = 0
    flow: FlowState | None = None
    awaiting_input: bool = False  # our last answer asked the customer something
    sentiments: tuple[tuple[str, float], ...] = ()  # (sentiment, at) of recent inbound messages
    introduced: bool = False  # the bot said who it is in this conversation: once is enough

    def as_of(self, now: float) -> Session:
        """The session as it stands now: a verification older than a working session is forgotten."""
        if self.verified_at is not None and now - self.verified_at < VERIFICATION_TTL_S:
            return self
        return replace(self, customer_id=None, verified_at=None)

    def recent_sentiments(self, now: float) -> list[str]:
        return [s for s, at in self.sentiments if now - at <= SENTIMENT_WINDOW_S]

    def with_sentiment(self, sentiment: str, at: float) -> Session:
        return replace(self, sentiments=((*self.sentiments, (sentiment, at)))[-MAX_SENTIMENTS:])
