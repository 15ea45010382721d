"""Reading the report counters back: one day's document, their sums over a date range, and the figures a
report shows (rates, percentiles from summed histograms). Definitions: docs/reports.md."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from atende.domain.errors import WorkflowRefused
from atende.domain.metrics import BOUNDS, OVERFLOW, Count, HandoffReason, Timing
from atende.domain.model import Role
from atende.domain.staff import Actor

CSAT_SCORES = ("1", "2", "3", "4", "5")
HOURLY = (Count.IN, Count.OUT_BOT, Count.OUT_PEOPLE, Count.HANDOFFS)  # what the `all` documents keep per hour
BUCKET_KEYS = (*(f"le{b}" for b in BOUNDS), OVERFLOW)


@dataclass(frozen=True)
class Histogram:
    buckets: Mapping[str, int] = field(default_factory=dict)
    n: int = 0
    total: float = 0.0  # the sum of the durations, for the mean

    def __add__(self, other: Histogram) -> Histogram:
        keys = self.buckets.keys() | other.buckets.keys()
        return Histogram(
            {k: self.buckets.get(k, 0) + other.buckets.get(k, 0) for k in keys},
            self.n + other.n,
            self.total + other.total,
        )

    def quantile(self, q: float) -> float | None:
        """The upper bound of the bucket holding the q-quantile: the true value is at most this, and more
        than the bound before it. None without observations; infinity past the last bound."""
        count = sum(self.buckets.values())
        if not count:
            return None
        rank, seen = q * count, 0
        for key in BUCKET_KEYS:
            seen += self.buckets.get(key, 0)
            if seen >= rank and seen > 0:
                return float("inf") if key == OVERFLOW else float(key[2:])
        return float("inf")

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None


@dataclass(frozen=True)
class Figures:
    """Counters and histograms, summed over whatever documents make them up."""

    counts: Mapping[str, int] = field(default_factory=dict)
    timings: Mapping[str, Histogram] = field(default_factory=dict)

    def __add__(self, other: Figures) -> Figures:
        counts = {
            k: self.counts.get(k, 0) + other.counts.get(k, 0) for k in self.counts.keys() | other.counts
        }
        timings = {
            k: self.timings.get(k, Histogram()) + other.timings.get(k, Histogram())
            for k in self.timings.keys() | other.timings
        }
        return Figures(counts, timings)

    def count(self, name: str) -> int:
        return int(self.counts.get(name, 0))

    def summary(self) -> dict[str, Any]:
        """The figures a report shows, as JSON-ready values (durations in seconds, rates 0–1)."""
        opened, handoffs = self.count(Count.OPENED), self.count(Count.HANDOFFS)
        auto, people = self.count(Count.AUTO_RESOLVED), self.count(Count.RESOLVED_BY_PEOPLE)
        csat = {s: self.count(f"csat.{s}") for s in CSAT_SCORES}
        answered = sum(csat.values())
        return {
            "in": self.count(Count.IN),
            "outBot": self.count(Count.OUT_BOT),
            "outPeople": self.count(Count.OUT_PEOPLE),
            "opened": opened,
            "handoffs": handoffs,
            "handoffRate": _ratio(handoffs, opened),
            "handoffReasons": {str(r): self.count(f"handoff.{r}") for r in HandoffReason},
            "assigned": self.count(Count.ASSIGNED),
            "autoResolved": auto,
            "resolvedByPeople": people,
            "autoResolutionRate": _ratio(auto, auto + people),
            **{str(t): _timing(self.timings.get(t, Histogram())) for t in Timing},
            "csat": {
                "n": answered,
                "mean": _ratio(sum(int(s) * n for s, n in csat.items()), answered),
                "scores": csat,
            },
        }


@dataclass(frozen=True, kw_only=True)
class Daily:
    """One metrics document: a day's figures of one team for one value of one dimension."""

    day: str
    team: str
    dimension: str
    value: str
    figures: Figures
    hours: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # `all` documents only


def total(figures: Iterable[Figures]) -> Figures:
    """The sum of many, in one pass (a year's report adds thousands of documents)."""
    counts: dict[str, int] = {}
    buckets: dict[str, dict[str, int]] = {}
    n: dict[str, int] = {}
    sums: dict[str, float] = {}
    for f in figures:
        for name, value in f.counts.items():
            counts[name] = counts.get(name, 0) + value
        for name, h in f.timings.items():
            into = buckets.setdefault(name, {})
            for key, value in h.buckets.items():
                into[key] = into.get(key, 0) + value
            n[name] = n.get(name, 0) + h.n
            sums[name] = sums.get(name, 0.0) + h.total
    return Figures(counts, {name: Histogram(buckets[name], n[name], sums[name]) for name in buckets})


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _timing(h: Histogram) -> dict[str, Any]:
    def finite(v: float | None) -> float | None:
        return None if v is None or v == float("inf") else v

    p50, p90 = h.quantile(0.5), h.quantile(0.9)
    return {
        "n": h.n,
        "p50": finite(p50),
        "p90": finite(p90),
        "p50Over": p50 == float("inf"),  # past the last bucket (more than a week)
        "p90Over": p90 == float("inf"),
        "mean": h.mean,
    }


BY = ("day", "hour", "team", "channel", "agent", "intent", "persona")
MAX_DAYS = 400


def dimension_of(by: str) -> str:
    """The documents a report grouped by `by` sums: day, hour and team read the `all` ones."""
    return "all" if by in ("day", "hour", "team") else by


def scope(actor: Actor, team: str | None) -> tuple[str, ...] | None:
    """The teams whose figures `actor` may read (None: every team): supervisors their own, admins all,
    agents none (refused, as `firestore.rules` refuses their reads of `metrics`)."""
    if actor.role == Role.ADMIN:
        return (team,) if team else None
    if actor.role != Role.SUPERVISOR:
        raise WorkflowRefused("Relatórios são para a supervisão e a administração", forbidden=True)
    if team:
        actor.check(team in actor.teams, "Esta equipe não é sua")
        return (team,)
    return actor.teams


def flat(figures: Figures) -> dict[str, Any]:
    """One CSV row's columns: the summary with nested maps spelled `outer_inner`."""
    row: dict[str, Any] = {}
    for key, value in figures.summary().items():
        if isinstance(value, dict):
            for sub, v in value.items():
                if isinstance(v, dict):
                    row.update({f"{key}_{sub}_{k}": x for k, x in v.items()})
                else:
                    row[f"{key}_{sub}"] = v
        else:
            row[key] = value
    return row
