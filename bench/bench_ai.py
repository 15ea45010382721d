"""AI attendant benchmark: triage speed, and inbound → answer latency with each engine.

    .venv/bin/python bench/bench_ai.py [--n 20000] [--messages 100] [--rate 10]

1. Triage: the offline classifier over the held-out messages, one thread:
   p50/p99 per message and throughput.
2. Inbound → answer, from the signed webhook POST to the reply reaching the
   Graph stand-in, one new customer per message on a fixed schedule, through
   the real stack (emulators, gunicorn functions): with the scripted flows
   (no key), then with GEMINI_API_KEY + GEMINI_BASE_URL on a local Gemini
   stand-in answering in 0 ms and in 800 ms.

The Pub/Sub emulator pushes at most two messages at a time per subscription
(measured: 12 pushes to a 500 ms endpoint peak at 2 concurrent, ordered or
not), where Pub/Sub itself grows push concurrency with the load. A run whose
stand-in delay would fill both slots at --rate is made at --slow-rate, so it
measures the pipeline and not the emulator's queue.
"""

from __future__ import annotations

import argparse
import http.client
import sys
import threading
import time
import uuid
from urllib.parse import urlsplit

from atende.dev.gemini_standin import GeminiStandIn, running
from atende.dev.payloads import encode, signed_headers, whatsapp_text
from atende.dev.stack import DEV_SECRETS, Stack, StackConfig
from atende.triage import classify
from atende.triage.train import HELDOUT_PATH, read_jsonl

STANDIN_ANSWER = "Claro! Para sua segurança, qual é o CPF do titular do contrato?"
MESSAGE = "oi, preciso da segunda via do boleto"  # financial, confident: the engine answers
EMULATOR_PUSH_SLOTS = 2
WARM_UP = 10


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


def triage_figures(n: int) -> tuple[float, float, float]:
    texts = [row["text"] for row in read_jsonl(HELDOUT_PATH)]
    for text in texts:  # load the model and warm the caches
        classify(text)
    latencies = []
    started = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter_ns()
        classify(texts[i % len(texts)])
        latencies.append((time.perf_counter_ns() - t0) / 1000)
    return pct(latencies, 50), pct(latencies, 99), n / (time.perf_counter() - started)


def answer_latencies(stack: Stack, messages: int, rate: float) -> tuple[list[float], int]:
    """Post `messages` first messages from new customers at `rate`/s; ms until each reply left for Graph.

    Each POST runs in its own thread on its own connection, on schedule, so a slow answer never delays
    the next message (no coordinated omission) and no idle keep-alive connection goes stale."""
    assert stack.graph is not None
    url = f"{stack.functions_url}/webhook_whatsapp"
    run = uuid.uuid4().int % 10**6
    posted: dict[str, float] = {}

    target = urlsplit(url)

    def post(wa_id: str) -> None:
        body = encode(whatsapp_text(MESSAGE, wa_id=wa_id, message_id=f"wamid.bench.{wa_id}"))
        headers = {**signed_headers(body, DEV_SECRETS["META_APP_SECRET"]), "Connection": "close"}
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        posted[f"+{wa_id}"] = time.time()
        connection.request("POST", target.path, body=body, headers=headers)
        connection.getresponse().read()
        connection.close()

    threads = []
    start = time.monotonic()
    for i in range(messages):
        time.sleep(max(0.0, start + i / rate - time.monotonic()))
        thread = threading.Thread(target=post, args=(f"5531{run:06d}{i:04d}",))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    deadline = time.monotonic() + 120
    first: dict[str, float] = {}
    while time.monotonic() < deadline and len(first) < len(posted):
        for record in list(stack.graph.sent):
            to = record["body"].get("to")
            if to in posted:
                first[to] = min(first.get(to, record["at"]), record["at"])
        time.sleep(0.2)
    return [(first[to] - posted[to]) * 1000 for to in first], len(posted) - len(first)


def stack_config(extra_env: dict[str, str]) -> StackConfig:
    return StackConfig.on_free_ports(
        "demo-atende-bench-ai", extra_env={"OUTBOUND_BACKOFF_S": "0.05", **extra_env}
    )


def measure(stack: Stack, label: str, messages: int, rate: float) -> tuple[str, float, list[float], int]:
    answer_latencies(stack, WARM_UP, min(rate, 2.0))  # every worker loads the triage model and clients
    latencies, lost = answer_latencies(stack, messages, rate)
    return label, rate, latencies, lost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="classifications to time")
    parser.add_argument("--messages", type=int, default=100, help="messages per engine run")
    parser.add_argument("--rate", type=float, default=10, help="messages per second")
    parser.add_argument("--slow-rate", type=float, default=1.0, help="rate for runs with a slow stand-in")
    parser.add_argument(
        "--delays", type=float, nargs="*", default=[0.0, 0.8], help="Gemini stand-in delays (s)"
    )
    args = parser.parse_args()

    p50, p99, throughput = triage_figures(args.n)
    rows = []
    with Stack(stack_config({})) as stack:
        rows.append(measure(stack, "flows (no Gemini key)", args.messages, args.rate))

    with running(GeminiStandIn(default_text=STANDIN_ANSWER)) as gemini:
        env = {"GEMINI_API_KEY": "bench-key", "GEMINI_BASE_URL": gemini.url}
        with Stack(stack_config(env)) as stack:
            for delay in args.delays:
                gemini.delay_s = delay
                rate = args.rate if delay * args.rate < EMULATOR_PUSH_SLOTS / 2 else args.slow_rate
                gemini.reset()
                rows.append(measure(stack, f"Gemini stand-in, {delay * 1000:.0f} ms", args.messages, rate))
                calls = len(gemini.requests)
                if calls != args.messages + WARM_UP:
                    print(
                        f"note: {calls} Gemini calls for {args.messages + WARM_UP} messages", file=sys.stderr
                    )

    print(f"\nTriage (offline model, one thread, {args.n} messages)")
    print(f"{'p50 (µs)':<24}{p50:>10.1f}")
    print(f"{'p99 (µs)':<24}{p99:>10.1f}")
    print(f"{'throughput (msg/s)':<24}{throughput:>10.0f}")
    print(f"\nInbound → answer at the Graph stand-in, {args.messages} new customers per engine (ms)")
    print(f"{'engine':<28}{'msg/s':>6}{'p50':>8}{'p95':>8}{'max':>8}{'lost':>6}")
    for label, rate, latencies, lost in rows:
        print(
            f"{label:<28}{rate:>6g}{pct(latencies, 50):>8.0f}{pct(latencies, 95):>8.0f}"
            f"{max(latencies, default=float('nan')):>8.0f}{lost:>6}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
