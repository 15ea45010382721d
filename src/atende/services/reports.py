"""A report over a date range: the daily counter documents of the teams the reader may see, summed
(docs/reports.md). One query; its cost is the number of documents it returns, never the traffic."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from atende.domain.errors import WorkflowRefused
from atende.domain.reports import BY, HOURLY, MAX_DAYS, Daily, Figures, dimension_of, flat, scope, total
from atende.domain.staff import Actor


class MetricsReader(Protocol):
    def daily(
        self, *, dimension: str, first_day: str, last_day: str, teams: Sequence[str] | None
    ) -> list[Daily]:
        """The documents of one dimension for these days (inclusive), of these teams (None: all)."""


class InvalidPeriod(WorkflowRefused):
    """A date range or grouping the report cannot be made for (400)."""


@dataclass(frozen=True, kw_only=True)
class Report:
    first_day: str
    last_day: str
    by: str
    teams: tuple[str, ...] | None  # None: every team
    documents: list[Daily]

    def rows(self) -> list[tuple[str, Figures]]:
        """One per value of `by`, largest volume first (hours and days in order)."""
        if self.by == "hour":
            return [(h, Figures(dict(c))) for h, c in sorted(self._hours().items())]
        groups: dict[str, list[Figures]] = {}
        for d in self.documents:
            groups.setdefault(self._key(d), []).append(d.figures)
        rows = [(k, total(v)) for k, v in groups.items()]
        if self.by == "day":
            return sorted(rows)
        return sorted(rows, key=lambda r: (-r[1].count("in") - r[1].count("opened"), r[0]))

    def total(self) -> Figures:
        """Every document once: the `all` ones add up to the total, as do those of one dimension (each
        event counts once per dimension), except `agent`, which only has what people did."""
        return total(d.figures for d in self.documents)

    def days(self) -> list[tuple[str, Figures]]:
        groups: dict[str, list[Figures]] = {}
        for d in self.documents:
            groups.setdefault(d.day, []).append(d.figures)
        return sorted((day, total(v)) for day, v in groups.items())

    def _hours(self) -> dict[str, dict[str, int]]:
        hours: dict[str, dict[str, int]] = {}
        for d in self.documents:
            for hour, counts in d.hours.items():
                into = hours.setdefault(hour, {})
                for name, n in counts.items():
                    into[name] = into.get(name, 0) + n
        return hours

    def _key(self, d: Daily) -> str:
        return {"day": d.day, "team": d.team}.get(self.by, d.value)

    def to_json(self) -> dict[str, Any]:
        rows = [{"key": k, **f.summary()} for k, f in self.rows()]
        days = [{"day": r["key"], **r} for r in rows] if self.by == "day" else None
        return {
            "from": self.first_day,
            "to": self.last_day,
            "by": self.by,
            "teams": list(self.teams) if self.teams is not None else None,
            "documentsRead": len(self.documents),
            "total": self.total().summary(),
            "rows": rows,
            "days": days if days is not None else [{"day": k, **f.summary()} for k, f in self.days()],
            "hours": [
                {"hour": h, **{str(n): c.get(n, 0) for n in HOURLY}} for h, c in sorted(self._hours().items())
            ],
        }

    def to_csv(self) -> str:
        """One line per day and value of `by` (per hour for `by=hour`), every figure a column."""
        lines: list[dict[str, Any]] = []
        if self.by == "hour":
            lines = [
                {"hour": h, **{str(n): c.get(n, 0) for n in HOURLY}} for h, c in sorted(self._hours().items())
            ]
        else:
            cells: dict[tuple[str, str], list[Figures]] = {}
            for d in self.documents:
                cells.setdefault((d.day, self._key(d)), []).append(d.figures)
            for (day, key), figures in sorted(cells.items()):
                lines.append(
                    {"day": day, **({} if self.by == "day" else {self.by: key}), **flat(total(figures))}
                )
        out = io.StringIO()
        if lines:
            writer = csv.DictWriter(out, fieldnames=list(lines[0]), lineterminator="\r\n")
            writer.writeheader()
            writer.writerows({k: "" if v is None else v for k, v in line.items()} for line in lines)
        return out.getvalue()


class Reports:
    def __init__(self, reader: Callable[[], MetricsReader], today: Callable[[], date]) -> None:
        self._reader = reader
        self._today = today

    def report(
        self, actor: Actor, *, first_day: str | None, last_day: str | None, by: str, team: str | None = None
    ) -> Report:
        teams = scope(actor, team)
        if by not in BY:
            raise InvalidPeriod(f"Agrupamento desconhecido: use {', '.join(BY)}")
        last = _day(last_day) if last_day else self._today()
        first = _day(first_day) if first_day else last - timedelta(days=6)
        if first > last:
            raise InvalidPeriod("A data inicial é posterior à final")
        if (last - first).days >= MAX_DAYS:
            raise InvalidPeriod(f"Escolha um período de até {MAX_DAYS} dias")
        if teams == ():
            docs: list[Daily] = []  # a supervisor of no team sees nothing, rather than everything
        else:
            docs = self._reader().daily(
                dimension=dimension_of(by),
                first_day=first.isoformat(),
                last_day=last.isoformat(),
                teams=teams,
            )
        return Report(
            first_day=first.isoformat(), last_day=last.isoformat(), by=by, teams=teams, documents=docs
        )


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as e:
        raise InvalidPeriod("Datas no formato AAAA-MM-DD") from e
