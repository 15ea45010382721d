"""Reports benchmark: what a report costs to load after a year of traffic.

    .venv/bin/python bench/bench_reports.py [--conversations 100000] [--messages 1000000] [--runs 5]

A year of history (100,000 conversations, 1,000,000 messages by default) is not written message by
message: the functions never scan messages for a report, they bump counters as each event happens. So
the benchmark makes the events a year of such traffic is made of (per conversation: the customer's
messages, the bot's answers, for some a handoff, an assignment, people's messages, and the end), turns
them into the daily `metrics` documents with the same mapper the functions use
(`adapters/firestore/metrics.deltas`), and writes those to the Firestore emulator of a stack it starts
on free ports. Then it loads reports over the last 30, 90 and 365 days, for an admin (every team; by day,
channel and agent) and a supervisor (one team, by day): once in this process through the `Reports`
service (Firestore reads = documents returned; the query's time and the sums' apart), and `--runs` times
through `reports_api` over HTTP with a real ID token (what the console waits for; the median).

The emulator serves every query without indexes, by scanning the collection: its query time grows with
the 30,000 documents written, not with the documents returned, as Firestore's does; the baseline line
(a query returning one document) shows that share.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta

import httpx

from atende.domain.metrics import Count, Slice, Tally, Timing, day_and_hour
from atende.domain.model import Role
from atende.domain.staff import Actor

TEAMS = {"support": "technical", "billing": "financial", "sales": "commercial", "retention": "cancellation"}
INTENTS = ("financial", "technical", "commercial", "cancellation", "human_request", "greeting", "other")
CHANNELS = (("whatsapp", 0.6), ("instagram", 0.2), ("messenger", 0.15), ("webchat", 0.05))
PERSONAS = (("cliente", 0.7), ("prestador", 0.15), ("prospector", 0.1), ("admin", 0.05))
AGENTS_PER_TEAM = 5
HANDOFF_SHARE = 0.3
REASONS = (("lowConfidence", 0.35), ("explicitRequest", 0.3), ("cancellation", 0.15), ("frustration", 0.1),
           ("failure", 0.05), ("other", 0.05))  # fmt: skip


def pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def year_of_tallies(conversations: int, messages: int, last_day: date, seed: int = 7) -> Iterator[Tally]:
    """Each conversation's events, spread over the 365 days before `last_day` at business hours."""
    rng = random.Random(seed)
    per_conversation = messages / conversations  # ≈ half the customer's, the rest answers
    first = datetime(last_day.year, last_day.month, last_day.day, 12) - timedelta(days=364)
    for _ in range(conversations):
        at = (first + timedelta(days=rng.randrange(365), seconds=rng.randrange(11 * 3600))).timestamp()
        team = rng.choice(list(TEAMS))
        intent = TEAMS[team] if rng.random() < 0.7 else rng.choice(INTENTS)
        base = Slice(team=team, channel=pick(rng, CHANNELS), intent=intent, persona=pick(rng, PERSONAS))
        customer = max(1, round(per_conversation / 2 + rng.uniform(-2, 2)))
        answers = max(1, round(per_conversation) - customer)
        handed = rng.random() < HANDOFF_SHARE
        people = answers // 2 if handed else 0
        yield Tally(
            at=at,
            slice=base,
            counts={Count.IN: customer, Count.OPENED: 1, Count.OUT_BOT: answers - people},
            timings={Timing.FRT_BOT: rng.lognormvariate(1.2, 0.6)},
        )
        if not handed:
            yield Tally(
                at=at + 86400 + 600,
                slice=base,
                counts={Count.AUTO_RESOLVED: 1},
                timings={Timing.RESOLUTION_BOT: rng.lognormvariate(5, 1)},
            )
            continue
        agent = f"{team}-agent-{rng.randrange(AGENTS_PER_TEAM)}"
        person = replace(base, agent=agent)
        yield Tally(at=at + 5, slice=base, counts={Count.HANDOFFS: 1, f"handoff.{pick(rng, REASONS)}": 1})
        yield Tally(at=at + 60, slice=person, counts={Count.ASSIGNED: 1})
        yield Tally(
            at=at + 120,
            slice=person,
            counts={Count.OUT_PEOPLE: max(1, people)},
            timings={Timing.FRT_PEOPLE: rng.lognormvariate(5.5, 0.8)},
        )
        yield Tally(
            at=at + 1800,
            slice=person,
            counts={Count.RESOLVED_BY_PEOPLE: 1},
            timings={Timing.RESOLUTION_PEOPLE: rng.lognormvariate(7.5, 0.7)},
        )


def write_documents(db, docs: dict[str, dict]) -> float:
    from atende.adapters.firestore.collections import METRICS

    started = time.perf_counter()
    items = list(docs.items())
    for i in range(0, len(items), 400):
        batch = db.batch()
        for doc_id, doc in items[i : i + 400]:
            batch.set(db.collection(METRICS).document(doc_id), doc)
        batch.commit()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from google.cloud import firestore

    from atende.adapters.firebase_users import staff_accounts
    from atende.adapters.firestore import metrics as metrics_doc
    from atende.dev.auth_emulator import sign_in
    from atende.dev.stack import Stack, StackConfig

    last_day = date(2026, 11, 27)
    started = time.perf_counter()
    tallies = list(year_of_tallies(args.conversations, args.messages, last_day))
    docs = metrics_doc.deltas(tallies)
    made_in = time.perf_counter() - started
    counted = {
        k: sum(t.counts.get(k, 0) for t in tallies) for k in (Count.IN, Count.OUT_BOT, Count.OUT_PEOPLE)
    }
    days = {day_and_hour(t.at)[0] for t in tallies}
    print(
        f"history: {args.conversations:,} conversations, {sum(counted.values()):,} messages "
        f"({counted[Count.IN]:,} in, {counted[Count.OUT_BOT]:,} bot, {counted[Count.OUT_PEOPLE]:,} people) "
        f"over {len(days)} days → {len(tallies):,} events → {len(docs):,} metrics documents "
        f"({len(docs) / len(days):.0f} a day; made in {made_in:.1f} s)"
    )

    config = StackConfig.on_free_ports(f"demo-bench-reports-{uuid.uuid4().hex[:6]}", sweep_interval_s=3600)
    with Stack(config) as stack:
        db = firestore.Client(project=config.project)
        print(f"written to the emulator in {write_documents(db, docs):.1f} s")
        accounts = staff_accounts(config.project, db)
        accounts.create("admin@bench.atende.dev", "bench-password", "Admin", "admin", [], 0)
        accounts.create("sup@bench.atende.dev", "bench-password", "Sup", "supervisor", ["support"], 0)
        tokens = {
            "admin": sign_in(stack.auth_url, "admin@bench.atende.dev", "bench-password"),
            "supervisor": sign_in(stack.auth_url, "sup@bench.atende.dev", "bench-password"),
        }
        actors = {
            "admin": Actor(uid="a", role=Role.ADMIN),
            "supervisor": Actor(uid="s", role=Role.SUPERVISOR, teams=("support",)),
        }
        baseline = emulator_baseline(db, last_day)
        print(f"emulator: a query returning 1 metrics document takes {baseline:.0f} ms (median), all written")
        print()
        print(
            "| who | by | days | Firestore reads | query (in process) | sums + JSON | reports_api (median) |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- |")
        cases = [("admin", by) for by in ("day", "channel", "agent")] + [("supervisor", "day")]
        with httpx.Client(timeout=300) as http:
            for who, by in cases:
                for span in (30, 90, 365):
                    first = (last_day - timedelta(days=span - 1)).isoformat()
                    reads, query_ms, sums_ms = in_process(db, actors[who], by, first, last_day)
                    http_ms = over_http(
                        http, stack.functions_url, tokens[who], by, first, last_day, args.runs
                    )
                    print(
                        f"| {who} | {by} | {span} | {reads:,} | {query_ms:.0f} ms | {sums_ms:.0f} ms "
                        f"| {http_ms:.0f} ms |"
                    )


def emulator_baseline(db, last_day: date, runs: int = 5) -> float:
    """The emulator serves queries without indexes: its time grows with the collection, not the result."""
    from atende.adapters.firestore.collections import METRICS

    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        query = (
            db.collection(METRICS)
            .where(filter=firestore_filter("dimension", "==", "all"))
            .where(filter=firestore_filter("day", "==", last_day.isoformat()))
            .limit(1)
        )
        list(query.stream())
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def firestore_filter(field: str, op: str, value: str):
    from google.cloud import firestore

    return firestore.FieldFilter(field, op, value)


def in_process(db, actor, by: str, first: str, last_day: date) -> tuple[int, float, float]:
    """(documents read, ms of the query, ms of the sums and JSON) of one load through `Reports`."""
    from atende.adapters.firestore.report_readers import FirestoreReportReader
    from atende.services.reports import Reports

    reader = FirestoreReportReader(db)
    reports = Reports(lambda: reader, today=lambda: last_day)
    t0 = time.perf_counter()
    report = reports.report(actor, first_day=first, last_day=last_day.isoformat(), by=by)
    t1 = time.perf_counter()
    report.to_json()
    t2 = time.perf_counter()
    return reader.documents_read, (t1 - t0) * 1000, (t2 - t1) * 1000


def over_http(http, functions_url: str, token: str, by: str, first: str, last_day: date, runs: int) -> float:
    """Median ms of `runs` loads of `reports_api`, as the console makes them."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = http.get(
            f"{functions_url}/reports_api/report",
            params={"from": first, "to": last_day.isoformat(), "by": by},
            headers={"Authorization": f"Bearer {token}"},
        )
        times.append(time.perf_counter() - t0)
        assert r.status_code == 200, r.text
    return statistics.median(times) * 1000


if __name__ == "__main__":
    main()
