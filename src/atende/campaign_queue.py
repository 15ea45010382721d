"""The `atende-campaigns` queue's rate limit and retry settings: one file read by Terraform and by Atende.

`terraform/tasks.tf` reads `campaign_queue.json` (beside this module) with
`jsondecode(file(...))`, and the local Cloud Tasks stand-in reads the same file,
so the queue behaves alike in `make dev`, the tests and production.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

FILE = Path(__file__).with_name("campaign_queue.json")


@dataclass(frozen=True)
class QueueConfig:
    name: str
    max_dispatches_per_second: float
    max_concurrent_dispatches: int
    max_attempts: int
    max_retry_duration_s: float
    min_backoff_s: float
    max_backoff_s: float
    max_doublings: int

    def backoff_s(self, attempts: int) -> float:
        """Cloud Tasks' retry interval after `attempts` failed attempts: doubled `max_doublings` times,
        then growing linearly by the last doubling's step, never past `max_backoff`."""
        doublings = min(attempts - 1, self.max_doublings)
        delay = self.min_backoff_s * 2**doublings
        linear = max(0, attempts - 1 - self.max_doublings)
        delay += linear * self.min_backoff_s * 2**self.max_doublings
        return min(delay, self.max_backoff_s)

    def gives_up(self, attempts: int, since_first_s: float) -> bool:
        """Both limits must be reached (Cloud Tasks' rule for max_attempts with max_retry_duration)."""
        return attempts >= self.max_attempts and since_first_s >= self.max_retry_duration_s


def _seconds(value: str) -> float:
    return float(value.removesuffix("s"))


def load(path: Path = FILE) -> QueueConfig:
    raw = json.loads(path.read_text())
    rate, retry = raw["rate_limits"], raw["retry_config"]
    return QueueConfig(
        name=raw["name"],
        max_dispatches_per_second=float(rate["max_dispatches_per_second"]),
        max_concurrent_dispatches=int(rate["max_concurrent_dispatches"]),
        max_attempts=int(retry["max_attempts"]),
        max_retry_duration_s=_seconds(retry["max_retry_duration"]),
        min_backoff_s=_seconds(retry["min_backoff"]),
        max_backoff_s=_seconds(retry["max_backoff"]),
        max_doublings=int(retry["max_doublings"]),
    )
