"""Report counters as `metrics/{day}_{team}_{dimension}_{value}` documents and channel signals as
`channel_health/{channel}_{account}/hours/{YYYYMMDDHH}` documents, and back (docs/reports.md).

A tally counts in one document per dimension it has a value for: `all`, `channel`, `intent`, `persona`,
and `agent` when a person did it; the `all` document also keeps the hour of the day. `deltas` gives the
numbers to add, which the unit of work writes as Firestore increments and the benchmark as plain values.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from atende.domain.channel_health import ChannelSignal, HourCounts, hour_id
from atende.domain.metrics import NONE, Tally, bucket, day_and_hour
from atende.domain.model import safe_part
from atende.domain.reports import HOURLY, Daily, Figures, Histogram

ALL = "all"
DIMENSIONS = (ALL, "channel", "intent", "persona", "agent")
GROUPED = ("handoff", "csat")  # counters kept in a map of their own: `handoff.<reason>`, `csat.<score>`
HEALTH_TTL_S = 8 * 24 * 3600  # `expireAt` of an hourly bucket: Firestore's TTL policy removes it then


def doc_id(day: str, team: str, dimension: str, value: str) -> str:
    return "_".join((day, safe_part(team), dimension, safe_part(value)))


def deltas(tallies: Iterable[Tally]) -> dict[str, dict[str, Any]]:
    """What each metrics document gains from these tallies: numbers to add, nested as in the document,
    beside the keys that name it (`day`, `team`, `dimension`, `value`), which are the same on every write."""
    docs: dict[str, dict[str, Any]] = {}
    for tally in tallies:
        day, hour = day_and_hour(tally.at)
        s = tally.slice
        values = {ALL: ALL, "channel": s.channel, "intent": s.intent, "persona": s.persona, "agent": s.agent}
        for dimension in DIMENSIONS:
            value = values[dimension]
            if value is None:
                continue
            key = doc_id(day, s.team, dimension, value)
            doc = docs.setdefault(key, {"day": day, "team": s.team, "dimension": dimension, "value": value})
            for name, n in tally.counts.items():
                _add(doc, tuple(name.split(".")) if "." in name else ("c", name), n)  # handoff.<reason>
                if dimension == ALL and name in HOURLY:
                    _add(doc, ("hour", f"h{hour}", name), n)
            for name, seconds in tally.timings.items():
                _add(doc, ("t", name, "n"), 1)
                _add(doc, ("t", name, "sum"), seconds)
                _add(doc, ("t", name, "b", bucket(seconds)), 1)
    return docs


def _add(doc: dict[str, Any], path: tuple[str, ...], n: float) -> None:
    *parents, leaf = path
    for part in parents:
        doc = doc.setdefault(part, {})
    doc[leaf] = doc.get(leaf, 0) + n


def from_doc(doc: dict[str, Any]) -> Daily:
    counts = {name: int(value) for name, value in (doc.get("c") or {}).items()}
    for group in GROUPED:
        counts |= {f"{group}.{k}": int(v) for k, v in (doc.get(group) or {}).items()}
    timings = {
        name: Histogram(
            {k: int(v) for k, v in (h.get("b") or {}).items()}, int(h.get("n") or 0), float(h.get("sum") or 0)
        )
        for name, h in (doc.get("t") or {}).items()
    }
    hours = {k[1:]: {n: int(v) for n, v in c.items()} for k, c in (doc.get("hour") or {}).items()}
    return Daily(
        day=doc.get("day", ""),
        team=doc.get("team", NONE),
        dimension=doc.get("dimension", ALL),
        value=doc.get("value", ALL),
        figures=Figures(counts, timings),
        hours=hours,
    )


def health_delta(signal: ChannelSignal) -> tuple[str, str, dict[str, Any]]:
    """(account key, hour id, numbers to add); the writer adds the last times and `expireAt`."""
    return signal.key, hour_id(signal.at), {str(signal.signal): signal.count}


def hour_counts(doc: dict[str, Any]) -> HourCounts:
    return HourCounts.of({k: v for k, v in doc.items() if isinstance(v, int | float)})
