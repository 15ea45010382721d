"""What a change to a conversation adds to the reports (docs/reports.md): counters and timings, decided from
the state before and after one committed event, never from scanning messages.

A service calls `tallies` inside the unit of work that makes the change, and the unit of work writes them
with that change (`uow.metrics`), so an event the platform or Pub/Sub delivers twice counts once: the second
delivery changes nothing and reaches no commit. Timings go into fixed histogram buckets (`BOUNDS`), which add
up over any set of days, so a percentile over a date range is read from the summed buckets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from atende.domain.conversation import BOT, Conversation
from atende.domain.message import Message
from atende.domain.model import ConversationStatus, SenderType

TZ = ZoneInfo("America/Sao_Paulo")  # days and hours of the reports are the business's
NONE = "none"  # the value of a dimension an event does not have (no team, no intent)

# Upper bounds (seconds) of the timing buckets: roughly log-spaced (each 1.25–2× the one before), rounded to
# values people set service levels in, from 5 s to a week; a last bucket holds everything longer. Changing
# them makes earlier days' buckets unreadable: add a new histogram name instead.
BOUNDS: tuple[int, ...] = (
    5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 420, 600, 900, 1200, 1800, 2700, 3600,
    5400, 7200, 10800, 14400, 21600, 28800, 43200, 86400, 172800, 345600, 604800,
)  # fmt: skip
OVERFLOW = "inf"


def bucket(seconds: float) -> str:
    """The histogram key a duration falls in: `le<bound>` for the first bound it does not exceed."""
    for bound in BOUNDS:
        if seconds <= bound:
            return f"le{bound}"
    return OVERFLOW


def bucket_bound(key: str) -> float:
    return float("inf") if key == OVERFLOW else float(key[2:])


class Count(StrEnum):
    IN = "in"  # a customer's message stored
    OUT_BOT = "outBot"  # a bot reply written
    OUT_PEOPLE = "outPeople"  # a person's message written (inbox, or Meta's own apps: echoes)
    OPENED = "opened"  # an episode began: a new conversation, or a resolved one reopened
    HANDOFFS = "handoffs"  # the bot passed the conversation to a person
    ASSIGNED = "assigned"  # a person got the conversation (took it, was given it, distribution)
    AUTO_RESOLVED = "autoResolved"  # an episode ended with nobody but the bot
    RESOLVED_BY_PEOPLE = "resolvedByPeople"  # an episode a person closed, or one a person had a part in


class Timing(StrEnum):
    FRT_BOT = "frtBot"  # episode's first customer message → the bot's reply to it
    FRT_PEOPLE = "frtPeople"  # handoff → the first person's message after it
    RESOLUTION_BOT = "resolutionBot"  # episode's start → its last message, for automatic resolutions
    RESOLUTION_PEOPLE = "resolutionPeople"  # episode's start → resolved, for the others


class HandoffReason(StrEnum):
    LOW_CONFIDENCE = "lowConfidence"
    EXPLICIT_REQUEST = "explicitRequest"
    CANCELLATION = "cancellation"
    FRUSTRATION = "frustration"
    FAILURE = "failure"
    OTHER = "other"


# The reason codes the routing policy and the engines record at handoff (domain/routing.py,
# services/inbound.py, the flows), grouped as the reports show them.
_REASONS: dict[str, HandoffReason] = {
    "below_threshold": HandoffReason.LOW_CONFIDENCE,
    "flow_not_understood": HandoffReason.LOW_CONFIDENCE,
    "ungrounded_answer": HandoffReason.LOW_CONFIDENCE,
    "explicit_request": HandoffReason.EXPLICIT_REQUEST,
    "menu_choice": HandoffReason.EXPLICIT_REQUEST,
    "requested_by_assistant": HandoffReason.EXPLICIT_REQUEST,
    "cancellation": HandoffReason.CANCELLATION,
    "repeated_frustration": HandoffReason.FRUSTRATION,
    "attendant_error": HandoffReason.FAILURE,
    "engine_error": HandoffReason.FAILURE,
    "gemini_unavailable": HandoffReason.FAILURE,
}


def handoff_reason(code: str) -> HandoffReason:
    if code.startswith("tool_error"):
        return HandoffReason.FAILURE
    return _REASONS.get(code, HandoffReason.OTHER)


@dataclass(frozen=True, kw_only=True)
class Slice:
    """Where an event counts: its team (which scopes who may read it) and the values of the other
    dimensions; `agent` only for events a person did."""

    team: str
    channel: str
    intent: str
    persona: str
    agent: str | None = None


@dataclass(frozen=True, kw_only=True)
class Tally:
    at: float
    slice: Slice
    counts: Mapping[str, int] = field(default_factory=dict)
    timings: Mapping[str, float] = field(default_factory=dict)  # timing name → seconds


def day_and_hour(at: float) -> tuple[str, str]:
    """`YYYY-MM-DD` and `HH` in São Paulo."""
    local = datetime.fromtimestamp(at, TZ)
    return local.strftime("%Y-%m-%d"), local.strftime("%H")


def tallies(
    before: Conversation | None,
    after: Conversation,
    at: float,
    *,
    received: Message | None = None,
    bot_reply: Message | None = None,
    person_message: Message | None = None,
) -> list[Tally]:
    """What one committed change adds to the reports: `before`/`after` are the conversation around it;
    `received` a message stored from the platform (the customer's, or an echo), `bot_reply` the bot's
    answer written with it, `person_message` a person's message written in the inbox."""
    episode_intent = _episode_intent(after)
    base = Slice(
        team=after.team or NONE, channel=str(after.channel), intent=episode_intent, persona=after.persona
    )
    out: list[Tally] = []

    def add(slice_: Slice, counts: dict[str, int], timings: dict[str, float] | None = None) -> None:
        out.append(Tally(at=at, slice=slice_, counts=counts, timings=timings or {}))

    opened = _opened(before, after)
    if received is not None:
        intent = received.triage.intent if received.triage else NONE
        message_slice = replace(base, intent=intent)
        if received.echo or received.sender_type != SenderType.CONTACT:
            add(message_slice, {Count.OUT_PEOPLE: 1})
        else:
            add(message_slice, {Count.IN: 1, **({Count.OPENED: 1} if opened else {})})
            if bot_reply is not None:
                first = {Timing.FRT_BOT: max(0.0, at - received.timestamp)} if opened else {}
                add(message_slice, {Count.OUT_BOT: 1}, first)
    elif opened:
        add(base, {Count.OPENED: 1})
    if after.handoff is not None and (before is None or before.handoff != after.handoff):
        reason = handoff_reason(after.handoff.reason)
        add(base, {Count.HANDOFFS: 1, f"handoff.{reason}": 1})
    if (
        after.assignee
        and after.status == ConversationStatus.IN_SERVICE
        and (before is None or before.assignee != after.assignee)
    ):
        add(replace(base, agent=after.assignee), {Count.ASSIGNED: 1})
    if person_message is not None:
        author = person_message.author_id or NONE
        first: dict[str, float] = {}
        handoff = after.handoff
        answered = before is not None and before.first_response_at is None and after.first_response_at
        if answered and handoff is not None and _in_episode(after, handoff.at):
            first = {Timing.FRT_PEOPLE: max(0.0, at - handoff.at)}
        add(replace(base, agent=author), {Count.OUT_PEOPLE: 1}, first)
    if after.csat_score is not None and (before is None or before.csat_score is None):
        agent = after.resolved_by if after.resolved_by not in (None, BOT) else None  # who it rates
        add(replace(base, agent=agent), {f"csat.{after.csat_score}": 1})
    ended = before is not None and before.status != ConversationStatus.RESOLVED and after.resolved_at
    if ended and after.opened_at is not None:  # episodes begun before the counters existed are not counted
        out.extend(_resolution(after, base, at))
    return out


def _resolution(after: Conversation, base: Slice, at: float) -> list[Tally]:
    opened_at = after.opened_at or at
    handed = after.handoff is not None and _in_episode(after, after.handoff.at)
    if after.resolved_by == BOT and not handed:
        took = (after.last_message_at or at) - opened_at
        return [
            Tally(
                at=at,
                slice=base,
                counts={Count.AUTO_RESOLVED: 1},
                timings={Timing.RESOLUTION_BOT: max(0.0, took)},
            )
        ]
    timings = {Timing.RESOLUTION_PEOPLE: max(0.0, (after.resolved_at or at) - opened_at)}
    agent = after.resolved_by if after.resolved_by not in (None, BOT) else None
    return [
        Tally(
            at=at,
            slice=replace(base, agent=agent),
            counts={Count.RESOLVED_BY_PEOPLE: 1},
            timings=timings,
        )
    ]


def _opened(before: Conversation | None, after: Conversation) -> bool:
    """An episode begins when a conversation is created by a customer's message or leaves `resolved`."""
    if after.status == ConversationStatus.RESOLVED:
        return False
    if before is None:
        return after.opened_at is not None
    return before.status == ConversationStatus.RESOLVED


def _in_episode(conv: Conversation, at: float) -> bool:
    return conv.opened_at is None or at >= conv.opened_at


def _episode_intent(conv: Conversation) -> str:
    """A conversation-level event's intent: the one its handoff in this episode was for, if any."""
    handoff = conv.handoff
    if handoff is not None and handoff.intent and _in_episode(conv, handoff.at):
        return handoff.intent
    return NONE


