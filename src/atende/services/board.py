"""The live board and the channel-health panel as `reports_api` serves them (docs/reports.md).

The console reads the board's documents directly and live (the queries are in docs/reports.md); this is
the same figures for a client that asks once, computed by the same rules (`domain/board.py`). Channel
health is computed here only: its state is a server rule over counters browsers do not read.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from atende.domain.board import Board, ServiceLevel, board
from atende.domain.channel_health import CRM, SYSTEM, WEBHOOK, Health, HourCounts, hour_id
from atende.domain.channels import ChannelRegistry
from atende.domain.conversation import Conversation
from atende.domain.errors import WorkflowRefused
from atende.domain.model import Role
from atende.domain.reports import scope
from atende.domain.staff import Actor, StaffMember

HOUR_S = 3600
OPTIONAL = ((CRM, WEBHOOK), (SYSTEM, WEBHOOK))  # rows shown once they have a signal in the last 48 hours


class BoardReader(Protocol):
    def teams(self) -> dict[str, ServiceLevel]:
        """Every team, with its service level."""

    def open_conversations(self, teams: Sequence[str]) -> list[Conversation]:
        """The teams' conversations `waiting` or `in_service`."""

    def people(self, teams: Sequence[str]) -> list[StaffMember]: ...


@dataclass(frozen=True, kw_only=True)
class HealthHour:
    hour: str  # hour_id
    counts: HourCounts
    last_received_at: float | None = None
    last_sent_at: float | None = None
    last_error: str | None = None


class HealthReader(Protocol):
    def latest_hours(self, key: str, limit: int) -> list[HealthHour]:
        """The account's newest hourly buckets, newest first."""


class LiveBoard:
    def __init__(self, reader: Callable[[], BoardReader], clock: Callable[[], float] = time.time) -> None:
        self._reader = reader
        self._clock = clock

    def board(self, actor: Actor, team: str | None = None) -> Board:
        reader = self._reader()
        levels = reader.teams()
        teams = scope(actor, team)
        wanted = sorted(levels) if teams is None else list(teams)
        if not wanted:
            return board([], [], levels, self._clock())
        return board(reader.open_conversations(wanted), reader.people(wanted), levels, self._clock())


class ChannelHealthPanel:
    def __init__(
        self,
        reader: Callable[[], HealthReader],
        channels: Callable[[], ChannelRegistry],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._reader = reader
        self._channels = channels
        self._clock = clock

    def panel(self, actor: Actor) -> list[Health]:
        """Every configured account, each channel's webhook (rejections, forged signatures, dead letters),
        and, once they have signals, the CRM webhook and the dead letters that name no channel: admins
        only."""
        if actor.role != Role.ADMIN:
            raise WorkflowRefused("A saúde dos canais é só para a administração", forbidden=True)
        reader, now = self._reader(), self._clock()
        accounts = [(str(c.channel), c.account_id) for c in self._channels().all()]
        webhooks = sorted({(channel, WEBHOOK) for channel, _ in accounts})
        rows = [(channel, account, reader.latest_hours(f"{channel}_{account}", limit=48))
                for channel, account in [*accounts, *webhooks, *OPTIONAL]]  # fmt: skip
        return [_health(channel, account, recent, now) for channel, account, recent in rows
                if recent or (channel, account) not in OPTIONAL]  # fmt: skip


def _health(channel: str, account: str, recent: list[HealthHour], now: float) -> Health:
    """Sums over the current UTC hour and the one before (the last hour), and over the last 24."""
    last_hour = {hour_id(now - k * HOUR_S) for k in range(2)}
    last_day = {hour_id(now - k * HOUR_S) for k in range(24)}
    hour, day = HourCounts(), HourCounts()
    for h in recent:
        if h.hour in last_hour:
            hour = hour + h.counts
        if h.hour in last_day:
            day = day + h.counts
    return Health(
        channel=channel,
        account_id=account,
        last_hour=hour,
        last_day=day,
        last_received_at=next((h.last_received_at for h in recent if h.last_received_at), None),
        last_sent_at=next((h.last_sent_at for h in recent if h.last_sent_at), None),
        last_error=next((h.last_error for h in recent if h.last_error), None),
    )
