"""Routing rules: when the bot answers, when a person takes over, when the bot keeps quiet."""

from __future__ import annotations

import pytest

from atende.domain.routing import RoutingContext, RoutingDecision, RoutingPolicy, decide
from atende.triage import Triage
from atende.triage.policy import default_policy, default_policy_dict, policy_with_overrides


def tri(intent: str, confidence: float = 0.95, sentiment: str = "neutral") -> Triage:
    return Triage(intent=intent, sentiment=sentiment, confidence=confidence)


BOT = RoutingContext(conversation_status="bot", recent_sentiments=())


@pytest.fixture
def policy() -> RoutingPolicy:
    return default_policy()


def test_defaults_from_repo_json(policy: RoutingPolicy) -> None:
    # Thresholds come from the real dev set's precision/coverage table (`atende triage train`).
    assert 0.5 <= policy.default_threshold <= 1.0
    assert policy.threshold_for("commercial") == default_policy_dict()["intent_thresholds"]["commercial"]
    assert policy.team_for("cancellation") == "retention"
    assert policy.team_for("financial") == "billing"
    assert policy.team_for("commercial") == "sales"
    assert policy.frustration.min_count == 2
    assert RoutingPolicy.from_dict(policy.to_dict()) == policy


def test_confident_message_is_answered_by_the_bot(policy: RoutingPolicy) -> None:
    threshold = policy.threshold_for("commercial")
    d = decide(tri("commercial", 0.995), BOT, policy)
    assert d == RoutingDecision(route="auto", reason="confident", team=None, threshold=threshold)


def test_unsure_message_goes_to_a_person(policy: RoutingPolicy) -> None:
    d = decide(tri("technical", 0.55), BOT, policy)
    assert (d.route, d.reason, d.team) == ("human", "below_threshold", "support")


def test_threshold_is_inclusive(policy: RoutingPolicy) -> None:
    threshold = policy.threshold_for("technical")
    assert decide(tri("technical", threshold), BOT, policy).route == "auto"


def test_explicit_request_for_a_person(policy: RoutingPolicy) -> None:
    d = decide(tri("human_request", 0.99), BOT, policy)
    assert (d.route, d.reason) == ("human", "explicit_request")


def test_cancellation_goes_to_retention(policy: RoutingPolicy) -> None:
    d = decide(tri("cancellation", 0.99), BOT, policy)
    assert (d.route, d.reason, d.team) == ("human", "cancellation", "retention")


def test_repeated_frustration_escalates(policy: RoutingPolicy) -> None:
    ctx = RoutingContext("bot", ["neutral", "frustrated"])
    d = decide(tri("commercial", 0.99, "frustrated"), ctx, policy)
    assert (d.route, d.reason, d.team) == ("human", "repeated_frustration", "sales")


def test_single_frustrated_message_does_not_escalate(policy: RoutingPolicy) -> None:
    ctx = RoutingContext("bot", ["neutral", "neutral"])
    assert decide(tri("commercial", 0.99, "frustrated"), ctx, policy).route == "auto"


def test_old_frustration_outside_the_window_is_forgotten(policy: RoutingPolicy) -> None:
    ctx = RoutingContext("bot", ["frustrated", "neutral", "neutral", "neutral", "neutral"])
    assert decide(tri("commercial", 0.99, "frustrated"), ctx, policy).route == "auto"


def test_frustration_rule_is_configurable() -> None:
    strict = policy_with_overrides({"frustration": {"min_count": 3}})
    ctx = RoutingContext("bot", ["frustrated"])
    assert decide(tri("commercial", 0.99, "frustrated"), ctx, strict).route == "auto"
    off = policy_with_overrides({"frustration": {"enabled": False}})
    ctx = RoutingContext("bot", ["frustrated", "frustrated"])
    assert decide(tri("commercial", 0.99, "frustrated"), ctx, off).route == "auto"


def test_bot_is_silent_while_a_person_is_in_service(policy: RoutingPolicy) -> None:
    ctx = RoutingContext("in_service", ["frustrated", "frustrated"])
    for intent in ("technical", "human_request", "cancellation", "greeting"):
        d = decide(tri(intent, 0.99, "frustrated"), ctx, policy)
        assert (d.route, d.reason, d.team) == ("silent", "human_in_service", None)


def test_waiting_conversation_stays_with_the_queue(policy: RoutingPolicy) -> None:
    d = decide(tri("financial", 0.99), RoutingContext("waiting"), policy)
    assert (d.route, d.team) == ("human", "billing")


def test_bot_answers_again_after_hand_back_or_resolution(policy: RoutingPolicy) -> None:
    for status in ("bot", "resolved"):
        assert decide(tri("commercial", 0.99), RoutingContext(status), policy).route == "auto"


def test_per_intent_threshold_override_from_a_dict() -> None:
    policy = RoutingPolicy.from_dict(
        {**default_policy_dict(), "intent_thresholds": {"financial": 0.99, "greeting": 0.40}}
    )
    d = decide(tri("financial", 0.95), BOT, policy)
    assert (d.route, d.reason, d.threshold) == ("human", "below_threshold", 0.99)
    assert decide(tri("greeting", 0.45), BOT, policy).route == "auto"
    assert decide(tri("technical", 0.95), BOT, policy).threshold == policy.default_threshold


def test_overlay_changes_only_what_it_names() -> None:
    policy = policy_with_overrides(
        {"default_threshold": 0.8, "teams": {"technical": "noc"}, "always_human": {"cancellation": None}}
    )
    assert policy.default_threshold == 0.8
    assert policy.team_for("technical") == "noc"
    assert policy.team_for("financial") == "billing"
    assert "human_request" in policy.always_human
    assert decide(tri("cancellation", 0.95), BOT, policy).route == "auto"


@pytest.mark.parametrize(
    "bad",
    [
        {"default_threshold": 1.5},
        {"intent_thresholds": {"billing": 0.5}},
        {"intent_thresholds": {"financial": "high"}},
        {"treshold": 0.7},
        {"frustration": {"min_count": 0}},
        {"frustration": {"minimum": 2}},
        {"silent_statuses": ["busy"]},
    ],
)
def test_invalid_policy_is_rejected(bad: dict) -> None:
    with pytest.raises((ValueError, TypeError)):
        RoutingPolicy.from_dict(bad)


def test_invalid_context_is_rejected() -> None:
    with pytest.raises(ValueError):
        RoutingContext("closed")
    with pytest.raises(ValueError):
        RoutingContext("bot", ["angry"])
