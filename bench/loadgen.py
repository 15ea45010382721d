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


class _Tally:
    """Thread-safe counts and latencies of answered requests."""

    def __init__(self) -> None:
        self.sent = 0
        self.ok = 0
        self.latencies: list[float] = []
        self._lock = threading.Lock()

    def add(self, status: int, elapsed_ms: float) -> None:
        with self._lock:
            self.sent += 1
            if status == 200:
                self.ok += 1
                self.latencies.append(elapsed_ms)

    def result(self, seconds: float) -> Result:
        return Result(self.sent, self.ok, seconds, self.latencies)


def _run(workers: list[threading.Thread]) -> None:
    for t in workers:
        t.start()
    for t in workers:
        t.join()


def closed_loop(url: str, make: Callable[[int], Request], concurrency: int, seconds: float) -> Result:
    """Each worker sends back to back for `seconds`: the server's sustainable throughput."""
    tally = _Tally()
    stop_at = time.perf_counter() + seconds

    def worker(n: int) -> None:
        conn, path = _connection(url)
        i = n
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            status = _post(conn, path, make(i))
            tally.add(status, (time.perf_counter() - started) * 1000)
            i += concurrency

    started = time.perf_counter()
    _run([threading.Thread(target=worker, args=(n,)) for n in range(concurrency)])
    return tally.result(time.perf_counter() - started)


def open_loop(
    url: str, make: Callable[[int], Request], rate: float, seconds: float, workers: int = 32
) -> Result:
    """Requests scheduled at a fixed rate; latency counted from each scheduled time."""
    total = int(rate * seconds)
    t0 = time.perf_counter() + 0.2
    tally = _Tally()
    indexes = iter(range(total))
    lock = threading.Lock()

    def worker() -> None:
        conn, path = _connection(url)
        while True:
            with lock:
                i = next(indexes, None)
            if i is None:
                return
            scheduled = t0 + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            status = _post(conn, path, make(i))
            tally.add(status, (time.perf_counter() - scheduled) * 1000)

    _run([threading.Thread(target=worker) for _ in range(workers)])
    return tally.result(time.perf_counter() - t0)
