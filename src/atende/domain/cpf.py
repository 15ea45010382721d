"""CPF (Brazilian taxpayer id): parsing and check digits.

Identity is confirmed with a CPF before any personal data leaves the ERP, so a
typo must be caught here (check digits) rather than reported as "not found",
which would read as an answer about someone else's account.
"""

from __future__ import annotations

import re

_CANDIDATE = re.compile(r"(?<!\d)(\d{3}\.?\d{3}\.?\d{3}-?\d{2}|\d{11})(?!\d)")


def digits(raw: str) -> str:
    return "".join(c for c in raw if c.isdigit())


def _check_digit(body: str) -> int:
    weight = len(body) + 1
    total = sum(int(d) * (weight - i) for i, d in enumerate(body))
    return (total * 10) % 11 % 10


def is_valid(raw: str) -> bool:
    """Eleven digits whose two last are the mod-11 check digits of the rest.

    Repeated-digit CPFs (111.111.111-11) satisfy the check digits; the demo
    customers use them, so they are accepted.
    """
    d = digits(raw)
    if len(d) != 11:
        return False
    return _check_digit(d[:9]) == int(d[9]) and _check_digit(d[:10]) == int(d[10])


def find(text: str) -> str | None:
    """The first CPF-shaped token in a message, as 11 digits (valid or not)."""
    match = _CANDIDATE.search(text or "")
    return digits(match.group(1)) if match else None


def formatted(raw: str) -> str:
    d = digits(raw)
    return f"{d[:3]}.{d[3:6]}.{d[6:9]}-{d[9:]}" if len(d) == 11 else raw


def masked(raw: str) -> str:
    """Only the check digits stay visible: enough for a person to tell two CPFs apart."""
    d = digits(raw)
    return f"***.***.***-{d[9:]}" if len(d) == 11 else "***"
