"""Which WhatsApp / Graph failures are worth retrying.

One table, from Meta's error-code reference: decide on `error.code`, never on
titles. Codes not listed are treated as permanent so a new policy error never
turns into a retry storm; network failures and 5xx are transient.
"""

from __future__ import annotations

from atende.adapters.graph import GraphError

TRANSIENT_CODES: dict[int, str] = {
    1: "unknown error, temporary",
    2: "service temporarily unavailable",
    4: "app rate limit",
    17: "user rate limit",
    613: "rate limit exceeded",
    80007: "WABA rate limit",
    130429: "throughput exceeded",
    131000: "something went wrong",
    131016: "service unavailable",
    131056: "pair rate limit (same recipient)",
    131057: "account in maintenance (throughput upgrade)",
}

PERMANENT_CODES: dict[int, str] = {
    100: "invalid parameter",
    190: "access token expired or invalid",
    368: "blocked for policy violations",
    131026: "message undeliverable",
    131031: "account locked",
    131047: "outside the 24-hour window: send a template",
    131048: "spam rate limit",
    131049: "per-user marketing limit",
    131051: "unsupported message type",
    132000: "template parameter count mismatch",
    132001: "template missing or not approved",
    132005: "template text too long",
    132007: "template policy violation",
    132012: "template parameter format",
    132015: "template paused",
    132016: "template disabled",
}


def is_transient(error: GraphError) -> bool:
    if error.code is not None:
        if error.code in TRANSIENT_CODES:
            return True
        if error.code in PERMANENT_CODES:
            return False
    return error.http_status is None or error.http_status == 429 or error.http_status >= 500
