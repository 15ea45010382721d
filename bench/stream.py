"""A steady stream of signed customer texts to the webhooks, redelivered as Meta does when refused."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from bench_pipeline import Poster
from outcomes import Sent, text_message

MESSENGER_EVERY = 4  # one message in four is a Messenger text, the rest WhatsApp


def message(run: str, i: int) -> tuple[Sent, dict[str, Any]]:
    return text_message(i, run, "messenger" if i % MESSENGER_EVERY == 0 else "whatsapp")


def messages(run: str, count: int) -> list[tuple[Sent, dict[str, Any]]]:
    return [message(run, i) for i in range(count)]


class StreamStats:
    """Webhook answers so far, thread-safe: what the load saw, while it runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.offered = 0
        self.accepted = 0
        self.refused = 0  # answers other than 200 (or no answer), each redelivered
        self.given_up = 0  # never accepted after every redelivery

    def note(self, accepted: bool, refusals: int) -> None:
        with self._lock:
            self.offered += 1
            self.accepted += accepted
            self.given_up += not accepted
            self.refused += refusals


def deliver(poster: Poster, sent: Sent, payload: dict[str, Any], stats: StreamStats, attempts: int) -> bool:
    """POST until a 200, pausing longer each time, as Meta redelivers (much faster here)."""
    for attempt in range(attempts):
        if poster.post(sent.channel, payload) == 200:
            stats.note(True, attempt)
            return True
        time.sleep(0.5 * (attempt + 1))
    stats.note(False, attempts)
    return False


def send_stream(
    poster: Poster,
    items: Iterable[tuple[Sent, dict[str, Any]]],
    rate: float,
    stats: StreamStats,
    attempts: int = 4,
    workers: int = 16,
) -> list[Sent]:
    """Open loop: each message at its scheduled time whatever the server does; returns those accepted."""
    futures: list[tuple[Sent, Future[bool]]] = []
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="load") as pool:
        t0 = time.perf_counter()
        for i, (sent, payload) in enumerate(items):
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append((sent, pool.submit(deliver, poster, sent, payload, stats, attempts)))
    return [sent for sent, future in futures if future.result()]
