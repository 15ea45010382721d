"""A small HTTP load generator for the benchmarks: closed-loop for throughput, open-loop for latency.

Open-loop latency is measured from each request's *scheduled* start, so a
stalled server cannot hide its queueing (no coordinated omission).
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

Request = tuple[bytes, dict[str, str]]


@dataclass
class Result:
    sent: int
    ok: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")


def _connection(url: str) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30), parts.path or "/"


def _post(conn: http.client.HTTPConnection, path: str, request: Request) -> int:
    body, headers = request
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def closed_loop(url: str, make: Callable[[int], Request], concurrency: int, seconds: float) -> Result:
    """Each worker sends back to back for `seconds`: the server's sustainable throughput."""
    latencies: list[float] = []
    counts = [0, 0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker(n: int) -> None:
        conn, path = _connection(url)
        i = n
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            status = _post(conn, path, make(i))
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                counts[0] += 1
                if status == 200:
                    counts[1] += 1
                    latencies.append(elapsed)
            i += concurrency

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Result(counts[0], counts[1], time.perf_counter() - started, latencies)


def open_loop(
    url: str, make: Callable[[int], Request], rate: float, seconds: float, workers: int = 32
) -> Result:
    """Requests scheduled at a fixed rate; latency counted from each scheduled time."""
    total = int(rate * seconds)
    t0 = time.perf_counter() + 0.2
    latencies: list[float] = []
    counts = [0, 0]
    lock = threading.Lock()
    next_index = [0]

    def worker() -> None:
        conn, path = _connection(url)
        while True:
            with lock:
                i = next_index[0]
                next_index[0] += 1
            if i >= total:
                return
            scheduled = t0 + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            status = _post(conn, path, make(i))
            elapsed = (time.perf_counter() - scheduled) * 1000
            with lock:
                counts[0] += 1
                if status == 200:
                    counts[1] += 1
                    latencies.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Result(counts[0], counts[1], time.perf_counter() - t0, latencies)
