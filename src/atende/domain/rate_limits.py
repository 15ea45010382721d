"""Fixed-window rate limits: how many of something one key may do per window, and how long to wait.

A fixed window (counted per `window_start`) costs one counter per key and window, which a store can keep
with an atomic increment shared by every instance; the price is that a burst may straddle two windows.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

MINUTE = 60
DAY = 24 * 3600


@dataclass(frozen=True)
class Limit:
    key: str  # what is counted: `visitor:<site>:<id>:messages`, `ip:<address>:requests`…
    max: int
    window_s: int

    def window_start(self, now: float) -> int:
        return int(now // self.window_s) * self.window_s

    def window_end(self, now: float) -> int:
        return self.window_start(now) + self.window_s

    def retry_after(self, now: float) -> int:
        """Whole seconds until the window turns (at least 1), for `Retry-After`."""
        return max(1, math.ceil(self.window_end(now) - now))


class RateLimited(Exception):
    """Over a limit: answered 429 with `Retry-After`; nothing was done."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"rate limited for {retry_after_s} s")
        self.retry_after_s = retry_after_s


def over(counts: dict[Limit, int], now: float) -> RateLimited | None:
    """The refusal for counts that passed their limit (the longest wait of them), or None."""
    waits = [limit.retry_after(now) for limit, count in counts.items() if count > limit.max]
    return RateLimited(max(waits)) if waits else None


def address_key(address: str) -> str:
    """What one client is, for per-address limits: an IPv4 address, or an IPv6 /64 (one subscriber's
    network hands out any number of addresses within it)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:64] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
