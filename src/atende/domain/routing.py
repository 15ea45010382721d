"""Routing policy: should the bot answer, hand over to a person, or keep quiet?

Pure domain logic (no I/O): the caller supplies the triage of the new message,
what it knows about the conversation, and the policy. The policy is plain
data so that operators can tune it without a deploy: the repo ships defaults
(`atende/triage/policy_defaults.json`) and the app overlays a Firestore
config document on top with `RoutingPolicy.merged`. The policy is a pydantic
model so that a bad document is refused with the field it got wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

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
REASON_OFFLINE_FORM = "offline_form"  # web chat: left in the form the widget offers when nobody is there


def _known_intent(intent: str) -> str:
    if intent not in INTENTS:
        raise ValueError(f"unknown intent {intent!r}")
    return intent


Intent = Annotated[str, AfterValidator(_known_intent)]
Unit = Annotated[float, Field(ge=0.0, le=1.0, strict=True)]  # a number, not "0.8"


class _Config(BaseModel):
    """Frozen, and a key we do not know is refused: a typo in a config document fails loudly."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class FrustrationRule(_Config):
    """Escalate when the customer has been frustrated at least `min_count` times
    in the last `window` inbound messages (the current one included)."""

    enabled: bool = True
    min_count: int = Field(2, ge=1)
    window: int = Field(5, ge=1)


class RoutingPolicy(_Config):
    default_threshold: Unit = 0.70
    intent_thresholds: dict[Intent, Unit] = {}
    # intent -> reason code; these intents go to a person whatever the confidence.
    always_human: dict[Intent, str] = {
        "human_request": REASON_EXPLICIT_REQUEST,
        "cancellation": REASON_CANCELLATION,
    }
    teams: dict[Intent, str] = {
        "technical": "support",
        "financial": "billing",
        "commercial": "sales",
        "cancellation": "retention",
    }
    default_team: str = "support"
    frustration: FrustrationRule = FrustrationRule()
    # A person owns the conversation: the bot must not speak over them.
    silent_statuses: tuple[ConversationStatus, ...] = ("in_service", "snoozed")
    # Already queued for a person: new messages join the queue instead of reaching the bot.
    queued_statuses: tuple[ConversationStatus, ...] = ("waiting",)

    def threshold_for(self, intent: str) -> float:
        return float(self.intent_thresholds.get(intent, self.default_threshold))

    def team_for(self, intent: str) -> str:
        return self.teams.get(intent, self.default_team)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoutingPolicy:
        """Build from plain JSON-like data; pydantic's ValidationError (a ValueError) names a bad field."""
        return cls.model_validate(data)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

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
    offline_form: bool = False  # the message was left for a person (web chat's offline form)

    def __post_init__(self) -> None:
        if self.conversation_status not in CONVERSATION_STATUSES:
            raise ValueError(f"unknown conversation status {self.conversation_status!r}")
        for s in self.recent_sentiments:
            if s not in SENTIMENTS:
                raise ValueError(f"unknown sentiment {s!r}")


@dataclass(frozen=True, kw_only=True)
class RoutingDecision:
    route: Route
    reason: str
    team: str | None
    threshold: float


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
        return RoutingDecision(
            route=Route.SILENT, reason=REASON_HUMAN_IN_SERVICE, team=None, threshold=threshold
        )
    if ctx.conversation_status in policy.queued_statuses:
        return RoutingDecision(
            route=Route.HUMAN,
            reason=REASON_WAITING_FOR_HUMAN,
            team=policy.team_for(triage.intent),
            threshold=threshold,
        )
    if ctx.offline_form:
        return RoutingDecision(
            route=Route.HUMAN,
            reason=REASON_OFFLINE_FORM,
            team=policy.team_for(triage.intent),
            threshold=threshold,
        )
    reason = policy.always_human.get(triage.intent)
    if reason:
        return RoutingDecision(
            route=Route.HUMAN, reason=reason, team=policy.team_for(triage.intent), threshold=threshold
        )
    rule = policy.frustration
    if rule.enabled and frustrated_count(triage, ctx, rule.window) >= rule.min_count:
        return RoutingDecision(
            route=Route.HUMAN,
            reason=REASON_REPEATED_FRUSTRATION,
            team=policy.team_for(triage.intent),
            threshold=threshold,
        )
    if triage.confidence < threshold:
        return RoutingDecision(
            route=Route.HUMAN,
            reason=REASON_BELOW_THRESHOLD,
            team=policy.team_for(triage.intent),
            threshold=threshold,
        )
    return RoutingDecision(route=Route.AUTO, reason=REASON_CONFIDENT, team=None, threshold=threshold)
