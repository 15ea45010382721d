"""Phone numbers in E.164.

WhatsApp still reports many Brazilian mobiles without the ninth digit that
Anatel added (55 11 8765-4321 instead of 55 11 98765-4321); both forms are the
same person, so contacts are keyed on the canonical form.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\D+")


def to_e164(raw: str | None) -> str | None:
    """Canonical '+<digits>' or None when the input cannot be a phone number."""
    if not raw:
        return None
    digits = _DIGITS.sub("", raw)
    if not 8 <= len(digits) <= 15:
        return None
    if digits.startswith("55") and len(digits) == 12 and digits[4] in "6789":
        # Brazilian mobile without the ninth digit: 55 + DDD(2) + 8 digits.
        digits = digits[:4] + "9" + digits[4:]
    return "+" + digits


def typed_by_a_person(raw: str | None, country: str = "55") -> str | None:
    """A phone a person typed in a Brazilian form: `(11) 98765-4321` means +55 11 98765-4321; with a `+`
    it is taken as international."""
    if not raw:
        return None
    digits = _DIGITS.sub("", raw)
    if not raw.strip().startswith("+") and 10 <= len(digits) <= 11:
        digits = country + digits
    return to_e164(digits)
