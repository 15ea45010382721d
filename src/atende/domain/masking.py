"""Masking of personal data in what we keep for diagnosis (AI logs).

A log must show what was decided and why, not who the customer is: CPFs keep
their check digits, phones their last four digits, e-mails their first letter
and domain. Money, dates and protocols stay readable because they are what a
reviewer checks an answer against.
"""

from __future__ import annotations

import re
from typing import Any

from atende.domain import cpf

_CPF = re.compile(r"(?<![\d.])\d{3}\.\d{3}\.\d{3}-\d{2}(?![\d])|(?<![\d.])\d{11}(?![\d.])")
_PHONE = re.compile(
    r"(?<![\w.])(?:\+?55[ .-]?)?(?:\([1-9][1-9]\)|[1-9][1-9])[ .-]?(?:9\d{4}|[2-8]\d{3})[ -]?\d{4}(?![\d.])"
    r"|(?<![\w.])\+\d{10,14}(?![\d.])"
)
_EMAIL = re.compile(r"\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")


def mask_phone(raw: str) -> str:
    tail = "".join(c for c in raw if c.isdigit())[-4:]
    return f"***-{tail}"


def mask_text(text: str | None) -> str | None:
    if not text:
        return text
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    text = _CPF.sub(lambda m: cpf.masked(m.group(0)) if cpf.is_valid(m.group(0)) else m.group(0), text)
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), text)


def mask_value(value: Any) -> Any:
    """Mask every string inside a JSON-like value (tool arguments, decisions)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(v) for v in value]
    return value
