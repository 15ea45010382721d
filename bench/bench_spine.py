"""Spine benchmark: webhook ingest against an empty function, and inbound → reply latency.

    .venv/bin/python bench/bench_spine.py [--seconds 10] [--rate 200] [--messages 300]

Runs the real stack (emulators, gunicorn functions, Graph stand-in) on free
ports. The empty functions-framework function is served by gunicorn with the
same workers and threads and hit by the same generator with the same signed
bodies, in the same run: the ratio is the figure, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path

from google.cloud import pubsub_v1

from atende.dev.payloads import encode, signed_headers, whatsapp_text
from atende.dev.processes import Child, free_port, wait_http
from atende.dev.pubsub_setup import ensure_topology
from atende.dev.stack import DEV_SECRETS, Stack, StackConfig, gunicorn_argv
from atende.topology import CONSUMERS

sys.path.insert(0, str(Path(__file__).parent))
from loadgen import Request, Result, closed_loop, open_loop

ROOT = Path(__file__).resolve().parents[1]
SECRET = DEV_SECRETS["META_APP_SECRET"]


def signed_request(i: int, run: str) -> Request:
    body = encode(whatsapp_text(f"mensagem {i}", wa_id=f"55119{i:08d}", message_id=f"wamid.{run}.{i}"))
    return body, signed_headers(body, SECRET)


def start_empty(stack: Stack) -> tuple[Child, str]:
    port = free_port()
    source = ROOT / "bench" / "empty_function" / "main.py"
    child = Child(
        "empty-function",
        gunicorn_argv(
            stack.config, port, f"functions_framework:create_app(target='empty', source='{source}')"
        ),
        stack.env,
        Path(stack.env.get("TMPDIR", "/tmp")) / f"empty-{port}.log",
    )
    url = f"http://{stack.config.host}:{port}/"
    wait_http(url, child, 30)
    return child, url


def detach_consumers(stack: Stack) -> None:
    """Measure ingest alone: published events stay in Pub/Sub instead of feeding ai_reply."""
    subscriber = pubsub_v1.SubscriberClient()
    for consumer in CONSUMERS:
        subscriber.delete_subscription(
            subscription=subscriber.subscription_path(stack.config.project, consumer.subscription)
        )


def ingest(stack: Stack, seconds: float, rate: float, concurrency: int) -> dict[str, tuple[Result, Result]]:
    detach_consumers(stack)
    empty, empty_url = start_empty(stack)
    webhook_url = f"{stack.functions_url}/webhook_whatsapp"
    try:
        results: dict[str, tuple[Result, Result]] = {}
        for url in (webhook_url, empty_url):
            closed_loop(url, lambda i: signed_request(i, "warm"), 4, 2)
        runs = {
            "throughput": lambda u, tag: closed_loop(
                u, lambda i: signed_request(i, tag), concurrency, seconds
            ),
            "fixed rate": lambda u, tag: open_loop(u, lambda i: signed_request(i, tag), rate, seconds),
        }
        for name, run in runs.items():
            tag = uuid.uuid4().hex[:6]
            results[name] = (run(webhook_url, tag), run(empty_url, tag + "e"))
        return results
    finally:
        empty.stop()


def round_trip(stack: Stack, messages: int, rate: float) -> tuple[list[float], int, int]:
    """Inbound → reply at the Graph stand-in, one new customer per message, at a steady rate."""
    ensure_topology(stack.config.project, stack.functions_url)
    assert stack.graph is not None
    run = uuid.uuid4().hex[:6]
    warm = 20
    started: dict[str, float] = {}

    def make(i: int) -> Request:
        wa_id = f"55219{i:08d}"
        started[f"+{wa_id}"] = time.time()
        body = encode(
            whatsapp_text(
                "oi, preciso da segunda via do boleto", wa_id=wa_id, message_id=f"wamid.rt.{run}.{i}"
            )
        )
        return body, signed_headers(body, SECRET)

    open_loop(f"{stack.functions_url}/webhook_whatsapp", make, rate, warm / rate, workers=8)
    stack.graph.wait_for(warm, timeout_s=60)
    stack.graph.reset()
    started.clear()
    open_loop(
        f"{stack.functions_url}/webhook_whatsapp", lambda i: make(i + warm), rate, messages / rate, workers=8
    )
    sent = stack.graph.wait_for(messages, timeout_s=120)
    time.sleep(2)  # let any duplicate surface
    sent = list(stack.graph.sent)
    per_recipient: dict[str, list[float]] = {}
    for record in sent:
        per_recipient.setdefault(record["body"]["to"], []).append(record["at"])
    latencies = [(min(ats) - started[to]) * 1000 for to, ats in per_recipient.items() if to in started]
    lost = len(started) - len(per_recipient)
    doubled = sum(len(ats) - 1 for ats in per_recipient.values())
    return latencies, lost, doubled


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


def row(label: str, ours: float, baseline: float) -> None:
    print(f"{label:<38}{ours:>10.1f}{baseline:>10.1f}{ours / baseline:>8.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--reply-rate", type=float, default=20)
    args = parser.parse_args()
    config = StackConfig.on_free_ports("demo-atende-bench")
    with Stack(config) as stack:
        latencies, lost, doubled = round_trip(stack, args.messages, args.reply_rate)
        results = ingest(stack, args.seconds, args.rate, args.concurrency)

    tp_hook, tp_empty = results["throughput"]
    fr_hook, fr_empty = results["fixed rate"]
    print("\nWebhook ingest (verify HMAC, normalize, publish to the Pub/Sub emulator, ack) vs empty function")
    print(f"{'measure':<38}{'webhook':>10}{'empty':>10}{'ratio':>8}")
    row(f"throughput, {args.concurrency} connections (req/s)", tp_hook.rps, tp_empty.rps)
    for label, p in (("p50", 50), ("p99", 99)):
        row(f"ack {label} at {args.rate:.0f} req/s (ms)", fr_hook.pct(p), fr_empty.pct(p))
    failures = [r.sent - r.ok for r in (tp_hook, fr_hook, tp_empty, fr_empty)]
    print(f"{'non-200 answers':<38}{failures[0] + failures[1]:>10}{failures[2] + failures[3]:>10}")
    print(
        f"\nInbound → reply at the Graph stand-in (local engine), {args.messages} messages at "
        f"{args.reply_rate:.0f}/s"
    )
    print(f"{'p50 (ms)':<20}{pct(latencies, 50):>8.0f}")
    print(f"{'p95 (ms)':<20}{pct(latencies, 95):>8.0f}")
    print(f"{'max (ms)':<20}{max(latencies, default=float('nan')):>8.0f}")
    print(f"{'lost / doubled':<20}{lost:>4} / {doubled}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
