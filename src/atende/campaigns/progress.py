"""A campaign's progress as one terminal line: bar, counts and the rate measured between two looks.

Neither rich nor tqdm is a dependency of Atende; one line redrawn with `\\r` is all this needs.
"""

from __future__ import annotations

from collections.abc import Mapping

from atende.domain.campaign import done, share_done

WIDTH = 30
SHOWN = ("sent", "delivered", "read", "replied", "failed", "unknown", "skipped", "cancelled")


def line(total: int, counts: Mapping[str, int], rate_per_s: float | None, status: str) -> str:
    ended, share = done(total, counts), share_done(total, counts)
    filled = round(WIDTH * share)
    parts = " ".join(f"{k} {counts[k]}" for k in SHOWN if counts.get(k))
    rate = f" {rate_per_s:5.1f}/s" if rate_per_s is not None else ""
    return f"[{'█' * filled}{'░' * (WIDTH - filled)}] {share:4.0%} {ended}/{total}{rate}  {status}  {parts}"
