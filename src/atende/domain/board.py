"""The live board (docs/reports.md, "Live board"): what waits per team and channel, how loaded each person
is, and which conversations break their team's service level. Pure: the console computes the same in
the browser from the documents it listens to (web/inbox/src/console/board.js); `reports_api` serves it
for clients that do not listen. Both run tests/fixtures/board_cases.json, so the two cannot drift."""

from __future__ import annotations

import math
import statistics
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from atende.domain.conversation import Conversation
from atende.domain.model import ConversationStatus
from atende.domain.staff import StaffMember


@dataclass(frozen=True, kw_only=True)
class ServiceLevel:
    """`teams/{id}.serviceLevel`: how long a customer may wait for a person's first answer, and for the
    episode to be resolved (seconds); a missing one is not checked."""

    first_response_s: float | None = None
    resolution_s: float | None = None

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any] | None) -> ServiceLevel:
        doc = doc or {}

        def seconds(key: str) -> float | None:
            value = doc.get(key)
            return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

        return cls(first_response_s=seconds("firstResponseS"), resolution_s=seconds("resolutionS"))


@dataclass(frozen=True, kw_only=True)
class Queue:
    team: str
    channel: str
    waiting: int
    oldest_wait_s: float
    median_wait_s: float


@dataclass(frozen=True, kw_only=True)
class Breach:
    conversation_id: str
    team: str
    channel: str
    assignee: str | None
    kind: str  # "firstResponse" (nobody answered yet) or "resolution" (the episode is still open)
    waited_s: float
    limit_s: float


@dataclass(frozen=True, kw_only=True)
class Load:
    uid: str
    name: str
    availability: str
    open: int
    capacity: int
    teams: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Board:
    queues: list[Queue]
    people: list[Load]
    breaches: list[Breach]


def waiting_since(c: Conversation) -> float | None:
    """Since when the customer waits for a person: queued (or handed off) and nobody answered yet."""
    if c.status == ConversationStatus.WAITING:
        return c.waiting_since or (c.handoff.at if c.handoff else None)
    handoff = c.handoff
    unanswered = c.status == ConversationStatus.IN_SERVICE and c.first_response_at is None
    if unanswered and handoff is not None and (c.opened_at is None or handoff.at >= c.opened_at):
        return handoff.at
    return None


def board(
    conversations: Iterable[Conversation],
    people: Iterable[StaffMember],
    levels: Mapping[str, ServiceLevel],
    now: float,
) -> Board:
    """`conversations`: the teams' `waiting` and `in_service` ones."""
    waits: dict[tuple[str, str], list[float]] = {}
    breaches: list[Breach] = []
    for c in conversations:
        team = c.team or ""
        level = levels.get(team, ServiceLevel())
        since = waiting_since(c)
        if c.status == ConversationStatus.WAITING and since is not None:
            waits.setdefault((team, str(c.channel)), []).append(max(0.0, now - since))
        if since is not None and level.first_response_s is not None and now - since > level.first_response_s:
            breaches.append(_breach(c, "firstResponse", now - since, level.first_response_s))
        elif (
            level.resolution_s is not None
            and c.opened_at is not None
            and now - c.opened_at > level.resolution_s
        ):
            breaches.append(_breach(c, "resolution", now - c.opened_at, level.resolution_s))
    queues = [
        Queue(
            team=team,
            channel=channel,
            waiting=len(w),
            oldest_wait_s=max(w),
            median_wait_s=statistics.median(w),
        )
        for (team, channel), w in sorted(waits.items())
    ]
    loads = [
        Load(
            uid=p.uid,
            name=p.display_name,
            availability=str(p.availability),
            open=p.open_count,
            capacity=p.capacity,
            teams=p.teams,
        )
        for p in sorted(people, key=lambda p: (_fold(p.display_name), p.uid))
        if not p.disabled
    ]
    breaches.sort(key=lambda b: -_overrun(b))
    return Board(queues=queues, people=loads, breaches=breaches)


def _overrun(b: Breach) -> float:
    """How far over its limit: a 10-minute first answer against 5 outranks 3 hours against 2."""
    return b.waited_s / b.limit_s if b.limit_s > 0 else math.inf


def _fold(name: str) -> str:
    """Names in the order a Brazilian reader expects (Ágata beside Ana, not after Zé), as the browser's
    `localeCompare(…, 'pt-BR', {sensitivity: 'base'})` orders them."""
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    return bare.casefold()


def _breach(c: Conversation, kind: str, waited: float, limit: float) -> Breach:
    return Breach(
        conversation_id=c.id,
        team=c.team or "",
        channel=str(c.channel),
        assignee=c.assignee,
        kind=kind,
        waited_s=waited,
        limit_s=limit,
    )
