"""Routing policy: should the bot answer, hand over to a person, or keep quiet?

Pure domain logic (no I/O): the caller supplies the triage of the new message,
what it knows about the conversation, and the policy. The policy is plain
data so that operators can tune it without a deploy: the repo ships defaults
(`atende/triage/policy_defaults.json`) and the app overlays a Firestore
config document on top with `RoutingPolicy.merged`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from atende.domain.model import ConversationStatus, Route
from atende.domain.triage import INTENTS, SENTIMENTS, Triage

CONVERSATION_STATUSES: tuple[str, ...] = tuple(ConversationStatus)

# Machine-readable reasons; dashboards and analytics group on these codes.
REASON_CONFIDENT = "confident"
REASON_BELOW_THRESHOLD = "below_threshold"
REASON_EXPLICIT_REQUEST = "explicit_request"
REASON_CANCELLATION = "cancellation"
REASON_REPEATED_FRUSTRATION = "repeated_frustration"
REASON_HUMAN_IN_SERVICE = "human_in_service"
REASON_WAITING_FOR_HUMAN = "waiting_for_human"


@dataclass(frozen=True)
class FrustrationRule:
    """Escalate when the customer has been frustrated at least `min_count` times
    in the last `window` inbound messages (the current one included)."""

    enabled: bool = True
    min_count: int = 2
    window: int = 5


@dataclass(frozen=True)
class RoutingPolicy:
    default_threshold: float = 0.70
    intent_thresholds: Mapping[str, float] = field(default_factory=dict)
    # intent -> reason code; these intents go to a person whatever the confidence.
    always_human: Mapping[str, str] = field(
        default_factory=lambda: {
            "human_request": REASON_EXPLICIT_REQUEST,
            "cancellation": REASON_CANCELLATION,
        }
    )
    teams: Mapping[str, str] = field(
        default_factory=lambda: {
            "technical": "support",
            "financial": "billing",
            "commercial": "sales",
            "cancellation": "retention",
        }
    )
    default_team: str = "support"
    frustration: FrustrationRule = field(default_factory=FrustrationRule)
    # A person owns the conversation: the bot must not speak over them.
    silent_statuses: tuple[str, ...] = ("in_service",)
    # Already queued for a person: new messages join the queue instead of reaching the bot.
    queued_statuses: tuple[str, ...] = ("waiting",)

    def __post_init__(self) -> None:
        _check_unit("default_threshold", self.default_threshold)
        for intent, value in self.intent_thresholds.items():
            _check_intent(intent, "intent_thresholds")
            _check_unit(f"intent_thresholds.{intent}", value)
        for intent in self.always_human:
            _check_intent(intent, "always_human")
        for intent in self.teams:
            _check_intent(intent, "teams")
        for status in (*self.silent_statuses, *self.queued_statuses):
            if status not in CONVERSATION_STATUSES:
                raise ValueError(f"unknown conversation status {status!r} in policy")
        if self.frustration.min_count < 1 or self.frustration.window < 1:
            raise ValueError("frustration.min_count and frustration.window must be >= 1")

    def threshold_for(self, intent: str) -> float:
        return float(self.intent_thresholds.get(intent, self.default_threshold))

    def team_for(self, intent: str) -> str:
        return self.teams.get(intent, self.default_team)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoutingPolicy:
        """Build from plain JSON-like data; unknown keys are rejected so a typo in a
        config document fails loudly instead of being silently ignored."""
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown routing policy keys: {sorted(unknown)}")
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key == "frustration":
                fr_unknown = set(value) - set(FrustrationRule.__dataclass_fields__)
                if fr_unknown:
                    raise ValueError(f"unknown frustration keys: {sorted(fr_unknown)}")
                kwargs[key] = FrustrationRule(**value)
            elif key in ("silent_statuses", "queued_statuses"):
                kwargs[key] = tuple(value)
            elif key in ("intent_thresholds", "always_human", "teams"):
                kwargs[key] = dict(value)
            elif key == "default_threshold":
                kwargs[key] = float(value)
            else:
                kwargs[key] = value
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "default_threshold": self.default_threshold,
            "intent_thresholds": dict(self.intent_thresholds),
            "always_human": dict(self.always_human),
            "teams": dict(self.teams),
            "default_team": self.default_team,
            "frustration": {
                "enabled": self.frustration.enabled,
                "min_count": self.frustration.min_count,
                "window": self.frustration.window,
            },
            "silent_statuses": list(self.silent_statuses),
            "queued_statuses": list(self.queued_statuses),
        }

    def merged(self, overrides: Mapping[str, Any]) -> RoutingPolicy:
        """This policy with `overrides` laid on top; nested maps merge key by key.

        Mapping-valued keys (thresholds, teams, always_human, frustration) are
        merged so an override document only needs the entries it changes; to
        drop an always-human intent, map it to null.
        """
        base = self.to_dict()
        for key, value in overrides.items():
            if isinstance(value, Mapping) and isinstance(base.get(key), dict):
                merged = {**base[key], **value}
                base[key] = {k: v for k, v in merged.items() if v is not None}
            else:
                base[key] = value
        return RoutingPolicy.from_dict(base)


@dataclass(frozen=True)
class RoutingContext:
    conversation_status: ConversationStatus = ConversationStatus.BOT
    # Sentiments of the previous inbound messages of this conversation, newest last.
    recent_sentiments: Sequence[str] = ()

    def __post_init__(self) -> None:
        if self.conversation_status not in CONVERSATION_STATUSES:
            raise ValueError(f"unknown conversation status {self.conversation_status!r}")
        for s in self.recent_sentiments:
            if s not in SENTIMENTS:
                raise ValueError(f"unknown sentiment {s!r}")


@dataclass(frozen=True)
class RoutingDecision:
    route: Route
    reason: str
    team: str | None
    threshold: float


def _check_unit(name: str, value: float) -> None:
    if not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")


def _check_intent(intent: str, where: str) -> None:
    if intent not in INTENTS:
        raise ValueError(f"unknown intent {intent!r} in {where}")


def frustrated_count(triage: Triage, ctx: RoutingContext, window: int) -> int:
    history = list(ctx.recent_sentiments)[-(window - 1) :] if window > 1 else []
    return sum(s == "frustrated" for s in [*history, triage.sentiment])


def decide(triage: Triage, ctx: RoutingContext, policy: RoutingPolicy) -> RoutingDecision:
    """Route one inbound message.

    Order matters: a person already on the conversation beats everything
    (never talk over them); then explicit intents that must reach a person;
    then repeated frustration; only then does model confidence decide.
    """
    threshold = policy.threshold_for(triage.intent)
    if ctx.conversation_status in policy.silent_statuses:
        return RoutingDecision(Route.SILENT, REASON_HUMAN_IN_SERVICE, None, threshold)
    if ctx.conversation_status in policy.queued_statuses:
        return RoutingDecision(
            Route.HUMAN, REASON_WAITING_FOR_HUMAN, policy.team_for(triage.intent), threshold
        )
    reason = policy.always_human.get(triage.intent)
    if reason:
        return RoutingDecision(Route.HUMAN, reason, policy.team_for(triage.intent), threshold)
    rule = policy.frustration
    if rule.enabled and frustrated_count(triage, ctx, rule.window) >= rule.min_count:
        return RoutingDecision(
            Route.HUMAN, REASON_REPEATED_FRUSTRATION, policy.team_for(triage.intent), threshold
        )
    if triage.confidence < threshold:
        return RoutingDecision(Route.HUMAN, REASON_BELOW_THRESHOLD, policy.team_for(triage.intent), threshold)
    return RoutingDecision(Route.AUTO, REASON_CONFIDENT, None, threshold)
