"""Cost per message: Firestore operations and functions' CPU for one WhatsApp text, its reply and statuses.

    .venv/bin/python bench/bench_cost.py [--messages 200] [--rate 10] [--profile DIR]

The scenario is exactly one customer message's life: a signed WhatsApp text
from a new customer reaches `webhook_whatsapp`, the bot answers it (`ai_reply`,
`outbound`), and Meta's three status webhooks (sent, delivered, read) come back
through `webhook_whatsapp` and `message_status`. The run waits until every
reply is read, then prints, per stored inbound message:

- Firestore RPCs by function and method, and documents read and written in
  billing units (each document a get or query returns is a read; so, here, is
  each document a batch get asks for that does not exist, and a query that
  returns nothing; each write or delete in a commit is one), counted by a gRPC
  interceptor in the dev functions app (`atende.dev.cost_meter`);
- Pub/Sub messages published, by function;
- CPU milliseconds: the functions server's processes (gunicorn master and
  workers, utime + stime from /proc) in all, and by function (each request's
  thread CPU time; the rest is the server's own threads, gRPC's and Pub/Sub's);
- the floor measured in the same run: the same deliveries (webhook calls and
  Pub/Sub pushes) answered by *empty* functions served the same way.

Targets (issue 7): at most 10 Firestore operations and 20 ms CPU per inbound,
nothing lost or doubled. `--profile` also runs every request under cProfile
timed by its thread's CPU clock and prints where that CPU went (the figures of
such a run are inflated by the profiler; take them from a run without it).
"""

from __future__ import annotations

import argparse
import base64
import collections
import http.client
import json
import pstats
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from google.cloud import firestore

from atende.dev import cost_meter
from atende.dev.payloads import encode, signed_headers, whatsapp_text
from atende.dev.processes import Child, free_port, wait_http
from atende.dev.stack import Stack, StackConfig, gunicorn_argv
from atende.domain.model import message_doc_id

sys.path.insert(0, str(Path(__file__).parent))
from bench_pipeline import SECRET, MetaStatuses, Poster, cpu_seconds

ROOT = Path(__file__).resolve().parents[1]
TEXT = "oi, preciso da segunda via do boleto"
TARGET_OPS = 10
TARGET_CPU_MS = 20.0
IDLE_S = 1.0  # no counter moved for this long: the pipeline is idle
IDLE_WINDOW_S = 5.0  # the functions' CPU with nothing to do, measured before the load
THREAD_ROLES = {
    "ThreadPoolExecutor": "gunicorn request threads (functions included)",
    "MainThread": "gunicorn worker loop (accept, keep-alive)",
    "exited threads": "exited threads (gRPC channel spin threads)",
    "Thread": "gRPC channel spin threads (alive)",
    "publish": "Pub/Sub publish pool",
    "event_engine": "gRPC event engine (C)",
}


def inbound(i: int, run: str) -> tuple[str, str, dict[str, Any]]:
    """(message id as stored, recipient as the Graph stand-in sees it, payload)."""
    wa_id = f"55219{int(run, 16) % 1000:03d}{i:05d}"  # a new customer each time
    provider_id = f"wamid.cost.{run}.{i}"
    payload = whatsapp_text(TEXT, wa_id=wa_id, name=f"Cliente {i}", message_id=provider_id)
    return message_doc_id("whatsapp", provider_id), f"+{wa_id}", payload


def send_at_rate(poster: Poster, payloads: list[dict[str, Any]], rate: float) -> list[int]:
    codes = [0] * len(payloads)
    t0 = time.perf_counter()
    for i, payload in enumerate(payloads):
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        codes[i] = poster.post("whatsapp", payload)
    return codes


def replies_read(db: firestore.Client, reply_ids: list[str]) -> collections.Counter[str]:
    refs = [db.collection("messages").document(r) for r in reply_ids]
    states: collections.Counter[str] = collections.Counter()
    for chunk in range(0, len(refs), 300):
        for snap in db.get_all(refs[chunk : chunk + 300], field_paths=["status"]):
            states[snap.get("status") if snap.exists else "missing"] += 1
    return states


def wait_read(db: firestore.Client, reply_ids: list[str], deadline: float) -> collections.Counter[str]:
    while True:
        states = replies_read(db, reply_ids)
        if states["read"] == len(reply_ids) or time.time() > deadline:
            return states
        time.sleep(0.5)


def settled(stats: Path, deadline: float) -> cost_meter.Counters:
    """The meter's sum once no counter moved for IDLE_S (every worker has flushed)."""

    def work(counters: cost_meter.Counters) -> cost_meter.Counters:
        return {f: c for f, c in counters.items() if f != cost_meter.THREADS}

    last, since = cost_meter.read(stats), time.time()
    while time.time() < deadline:
        time.sleep(cost_meter.FLUSH_S)
        now = cost_meter.read(stats)
        if work(now) != work(last):
            last, since = now, time.time()
        elif time.time() - since >= IDLE_S:
            break
    return last


def run_pipeline(
    stack: Stack, stats: Path, messages: int, rate: float, run: str
) -> tuple[cost_meter.Counters, float, dict[str, Any]]:
    assert stack.graph is not None
    db = firestore.Client(project=stack.config.project)
    poster = Poster(stack.functions_url)
    meta = MetaStatuses(poster)
    stack.graph.on_sent.append(meta.on_sent)
    try:
        warm_run = ("1" if run[0] == "0" else "0") + run[1:]  # other message ids and customers than the run's
        warm = [inbound(i, warm_run) for i in range(20)]
        send_at_rate(poster, [p for _, _, p in warm], rate)
        stack.graph.wait_for(len(warm), timeout_s=60)
        wait_read(db, [f"{m}_r" for m, _, _ in warm], time.time() + 60)
        stack.graph.reset()

        settled(stats, time.time() + 30)
        idle_from = cpu_seconds(stack)["functions"]
        time.sleep(IDLE_WINDOW_S)
        idle_ms_per_s = (cpu_seconds(stack)["functions"] - idle_from) / IDLE_WINDOW_S * 1000
        (stats / cost_meter.PROFILE_START).touch()  # with --profile: the measured requests only
        before = cost_meter.read(stats)
        cpu_before = cpu_seconds(stack)["functions"]
        items = [inbound(i, run) for i in range(messages)]
        started = time.time()
        codes = send_at_rate(poster, [p for _, _, p in items], rate)
        stack.graph.wait_for(messages, timeout_s=60)
        states = wait_read(db, [f"{m}_r" for m, _, _ in items], time.time() + 60)
        after = settled(stats, time.time() + 30)
        cpu_after = cpu_seconds(stack)["functions"]
        elapsed = time.time() - started

        stored = sum(
            s.exists for s in db.get_all([db.collection("messages").document(m) for m, _, _ in items])
        )
        sends: collections.Counter[str] = collections.Counter(
            str(r["body"].get("to")) for r in stack.graph.sent
        )
        recipients = {to for _, to, _ in items}
        check = {
            "accepted": sum(c == 200 for c in codes),
            "stored": stored,
            "unanswered": sum(1 for to in recipients if not sends[to]),
            "doubled": sum(n - 1 for to, n in sends.items() if to in recipients),
            "states": dict(states),
            "statuses_failed": meta.failed,
            "elapsed": elapsed,
            "idle_ms_per_s": idle_ms_per_s,
        }
        return cost_meter.minus(after, before), cpu_after - cpu_before, check
    finally:
        meta.close()


def push_envelope(data: bytes, n: int) -> bytes:
    """What the Pub/Sub emulator POSTs to a push endpoint."""
    return json.dumps(
        {
            "message": {
                "data": base64.b64encode(data).decode(),
                "messageId": str(n),
                "publishTime": "2026-01-01T00:00:00Z",
                "orderingKey": f"k{n}",
            },
            "subscription": "projects/demo-atende-bench/subscriptions/empty",
        }
    ).encode()


def floor_ms(stack: Stack, webhooks: float, pushes: float, messages: int, rate: float) -> float:
    """CPU ms per inbound of empty functions receiving the same deliveries at the same pace.

    Webhook calls on kept-alive connections (as our Poster sends them), each push on a new
    connection (as the Pub/Sub emulator sends it).
    """
    port = free_port()
    child = Child(
        "empty",
        gunicorn_argv(stack.config, port, "app:app", "--chdir", str(ROOT / "bench" / "empty_function")),
        {k: v for k, v in stack.env.items() if k != "GUNICORN_CMD_ARGS"},
        Path(tempfile.gettempdir()) / f"atende-floor-{port}.log",
    )
    host = stack.config.host
    body = encode(inbound(0, "0")[2])
    headers = signed_headers(body, SECRET)
    push = push_envelope(body, 0)
    local = threading.local()

    def webhook() -> None:
        if getattr(local, "conn", None) is None:
            local.conn = http.client.HTTPConnection(host, port, timeout=10)
        local.conn.request("POST", "/empty/", body=body, headers=headers)
        local.conn.getresponse().read()

    def pushed() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        conn.request("POST", "/empty_event/", body=push, headers={"Content-Type": "application/json"})
        conn.getresponse().read()
        conn.close()

    calls = [webhook] * round(webhooks) + [pushed] * round(pushes)
    try:
        wait_http(f"http://{host}:{port}/empty/", child, 30)
        with ThreadPoolExecutor(max_workers=8) as pool:
            for call in calls * 5:  # warm both apps in every worker
                pool.submit(call).result()
            before = cpu_seconds(stack, [child])[child.name]
            t0 = time.perf_counter()
            futures = []
            for n in range(messages):
                delay = t0 + n / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                futures += [pool.submit(call) for call in calls]
            for future in futures:
                future.result()
        time.sleep(0.5)
        return (cpu_seconds(stack, [child])[child.name] - before) / messages * 1000
    finally:
        child.stop()


def hot_spots(directory: Path, top: int = 30) -> None:
    """The functions' CPU by Python function, merged over every worker thread's profile."""
    files = sorted(directory.glob("profile-*.prof"))
    if not files:
        print("no profiles were written")
        return
    stats = pstats.Stats(*map(str, files), stream=sys.stdout)
    stats.files = []  # not the list of every file merged
    stats.sort_stats("cumulative").print_stats(
        r"atende|firestore_v1/(document|client|transaction|batch)", top
    )
    stats.sort_stats("tottime").print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0, help="inbound messages per second")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for the functions")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument(
        "--profile", action="store_true", help="cProfile every request by thread CPU (inflates the figures)"
    )
    args = parser.parse_args()

    state = Path(tempfile.mkdtemp(prefix="atende-cost-"))
    stats = state / "cost"
    config = StackConfig.on_free_ports(
        "demo-atende-bench",
        workers=args.workers,
        threads=args.threads,
        state_dir=state,
        extra_env={
            cost_meter.ENV: str(stats),
            **({cost_meter.PROFILE_ENV: "1"} if args.profile else {}),
        },
    )
    run = uuid.uuid4().hex[:6]
    print(f"starting the stack (logs in {state}/logs)…", flush=True)
    with Stack(config) as stack:
        print(
            f"sending {args.messages} WhatsApp texts at {args.rate:g}/s, each answered and read…", flush=True
        )
        cost, cpu_s, check = run_pipeline(stack, stats, args.messages, args.rate, run)
        n = max(1, check["stored"])
        requests = {f: c.get("requests", 0.0) / n for f, c in cost.items()}
        webhooks = requests.get("webhook_whatsapp", 0.0)
        pushes = sum(requests.values()) - webhooks
        print("measuring the floor: the same deliveries into empty functions…", flush=True)
        floor = floor_ms(stack, webhooks, pushes, args.messages, args.rate)

    report(cost, cpu_s, check, floor, webhooks, pushes, args)
    if args.profile:
        print(f"\nWhere the functions' request threads spent CPU (cProfile, thread CPU clock, {stats}):")
        hot_spots(stats)
    ok = (
        check["stored"] == args.messages
        and check["unanswered"] == 0
        and check["doubled"] == 0
        and check["states"].get("read") == args.messages
    )
    print("\nnothing lost or doubled" if ok else "\nLOST, DOUBLED OR UNREAD MESSAGES: see above")
    return 0 if ok else 1


def report(
    cost: cost_meter.Counters,
    cpu_s: float,
    check: dict[str, Any],
    floor: float,
    webhooks: float,
    pushes: float,
    args: argparse.Namespace,
) -> None:
    n = max(1, check["stored"])
    functions = sorted(f for f in cost if f != cost_meter.THREADS and any(v for v in cost[f].values()))
    print(
        f"\nCost per stored inbound: {args.messages} WhatsApp texts at {args.rate:g}/s, new customers; "
        f"each answered and read ({check['elapsed']:.0f} s)"
    )
    print(f"\nFirestore RPCs per inbound (target: ≤ {TARGET_OPS} in all)")
    print(f"  {'function':<22}{'method':<30}{'per inbound':>12}{'failed':>8}")
    ops = 0.0
    pubsub: dict[str, float] = {}
    for f in functions:
        for key, value in sorted(cost[f].items()):
            if not key.startswith("rpc:") or not value:
                continue
            method = key[4:]
            if method.startswith("Publisher/"):
                pubsub[f] = pubsub.get(f, 0.0) + cost[f].get("published", 0.0)
                continue
            ops += value
            failed = cost[f].get(f"rpc_failed:{method}", 0.0)
            print(f"  {f:<22}{method:<30}{value / n:>12.2f}{failed / n:>8.2f}")
    print(f"  {'all':<52}{ops / n:>12.2f}")

    print("\nThe same calls by where our code makes them (outer > inner frame of `atende`)")
    sites = [
        (f, *key[len("site:Firestore/") :].partition("@")[::2], value / n)
        for f in functions
        for key, value in sorted(cost[f].items())
        if key.startswith("site:Firestore/") and value / n >= 0.005
    ]
    width = max((len(site) for *_, site, _ in sites), default=0) + 2
    for f, method, site, per in sites:
        print(f"  {f:<16}{site:<{width}}{method:<20}{per:>6.2f}")

    print("\nFirestore documents per inbound (billing units)")
    print(
        f"  {'function':<22}{'found':>8}{'missing':>9}{'queried':>9}{'empty q':>9}{'reads':>8}"
        f"{'writes':>8}{'deletes':>9}"
    )
    totals = collections.Counter[str]()
    for f in functions:
        c = cost[f]
        row = {
            k: c.get(k, 0.0)
            for k in (
                "docs_found",
                "docs_missing",
                "docs_queried",
                "queries_empty",
                "doc_writes",
                "doc_deletes",
            )
        }
        reads = row["docs_found"] + row["docs_missing"] + row["docs_queried"] + row["queries_empty"]
        if not reads and not row["doc_writes"] and not row["doc_deletes"]:
            continue
        totals.update({**row, "reads": reads})
        print(
            f"  {f:<22}{row['docs_found'] / n:>8.2f}{row['docs_missing'] / n:>9.2f}"
            f"{row['docs_queried'] / n:>9.2f}{row['queries_empty'] / n:>9.2f}{reads / n:>8.2f}"
            f"{row['doc_writes'] / n:>8.2f}{row['doc_deletes'] / n:>9.2f}"
        )
    print(
        f"  {'all':<22}{totals['docs_found'] / n:>8.2f}{totals['docs_missing'] / n:>9.2f}"
        f"{totals['docs_queried'] / n:>9.2f}{totals['queries_empty'] / n:>9.2f}{totals['reads'] / n:>8.2f}"
        f"{totals['doc_writes'] / n:>8.2f}{totals['doc_deletes'] / n:>9.2f}"
    )
    print(
        "  Pub/Sub messages published per inbound: "
        + ", ".join(f"{f} {v / n:.2f}" for f, v in sorted(pubsub.items()))
    )

    print(f"\nCPU ms per inbound (target: ≤ {TARGET_CPU_MS:g} in all)")
    print(f"  {'function':<22}{'requests':>10}{'thread CPU ms':>15}{'per request':>13}{'wall ms/req':>13}")
    attributed = 0.0
    for f in functions:
        c = cost[f]
        requests = c.get("requests", 0.0)
        if not requests:
            continue
        attributed += c.get("thread_cpu_ms", 0.0)
        print(
            f"  {f:<22}{requests / n:>10.2f}{c['thread_cpu_ms'] / n:>15.2f}"
            f"{c['thread_cpu_ms'] / requests:>13.2f}{c['wall_ms'] / requests:>13.1f}"
        )
    threads = cost.get(cost_meter.THREADS, {})
    meter = threads.pop(cost_meter.METER_THREAD, 0.0)  # the measurement's own cost, not the functions'
    total_ms = cpu_s * 1000 - meter
    print(f"  {'outside the functions (rest, by thread below)':<47}{(total_ms - attributed) / n:>10.2f}")
    print(f"  {'functions processes, utime + stime':<47}{total_ms / n:>10.2f}")
    idle = check["idle_ms_per_s"] * check["elapsed"] / n
    print(
        f"  {'  of which idle (timers, heartbeats)':<47}{idle:>10.2f}   ({check['idle_ms_per_s']:.1f} ms/s)"
    )
    print(
        f"  {'floor: empty functions, same deliveries':<47}{floor:>10.2f}"
        f"   ({webhooks:.2f} webhook calls + {pushes:.2f} pushes per inbound)"
    )

    workers = threads.get("process", 0.0) - meter
    master = (total_ms - workers) / n
    print(
        f"\n  CPU ms per inbound by thread (workers' /proc; the gunicorn master: {master:.2f}; "
        f"not counted above: the meter's own thread, {meter / n:.2f})"
    )
    for name, ms in sorted(threads.items(), key=lambda kv: -kv[1]):
        if name != "process" and ms / n >= 0.05:
            print(f"    {THREAD_ROLES.get(name, name):<45}{ms / n:>10.2f}")

    print(f"\n  {'webhook 200s / sent':<47}{check['accepted']:>10} / {args.messages}")
    print(f"  {'inbound stored':<47}{check['stored']:>10}")
    print(f"  {'replies not sent / doubled':<47}{check['unanswered']:>10} / {check['doubled']}")
    print(
        f"  {'replies by status':<47}{', '.join(f'{k}={v}' for k, v in sorted(check['states'].items())):>10}"
    )
    print(f"  {'status webhooks refused':<47}{check['statuses_failed']:>10}")


if __name__ == "__main__":
    sys.exit(main())
