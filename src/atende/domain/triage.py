"""The triage result type and label sets.

Kept apart from the model so that code which only reasons about a result
(routing, storage, tests) can import it without loading any weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

INTENTS: tuple[str, ...] = (
    "technical",
    "financial",
    "commercial",
    "cancellation",
    "human_request",
    "greeting",
    "other",
)
SENTIMENTS: tuple[str, ...] = ("frustrated", "urgent", "neutral", "satisfied")


@dataclass(frozen=True)
class Triage:
    """What the classifier thinks of one inbound message.

    `confidence` is the calibrated probability that `intent` is right, so a
    threshold on it reads directly as an expected precision.
    """

    intent: str
    sentiment: str
    confidence: float
    scores: dict[str, float] = field(default_factory=dict, compare=False, hash=False)
    sentiment_confidence: float = 0.0

    def __post_init__(self) -> None:
        if self.intent not in INTENTS:
            raise ValueError(f"unknown intent {self.intent!r}")
        if self.sentiment not in SENTIMENTS:
            raise ValueError(f"unknown sentiment {self.sentiment!r}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence out of range: {self.confidence!r}")
