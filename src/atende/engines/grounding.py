"""Grounding check: every figure in a generated answer must come from the evidence.

A language model asked about an invoice will, now and then, write a plausible
amount, due date or protocol number that no system gave it. Customers act on
those figures (they pay them, they quote them), so an answer is only sent when
each R$ amount, date and protocol-like number in it also appears in what the
tools returned or in the conversation's context; otherwise the caller falls
back to a templated answer built from the tool results alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

_AMOUNT = re.compile(r"R\$\s*(\d(?:[\d.]*\d)?(?:,\d{1,2})?)|(\d[\d.]*,\d{2})\s*reais", re.IGNORECASE)
_DMY = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/])")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_PT_MONTHS = [
    "janeiro",
    "fevereiro",
    "março",
    "marco",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
]
_EN_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_PT_NAMED = re.compile(r"\b(\d{1,2})º?\s+de\s+(" + "|".join(_PT_MONTHS) + r")(?:\s+de\s+(\d{4}))?", re.I)
_EN_NAMED = re.compile(
    r"\b(" + "|".join(_EN_MONTHS) + r")\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?", re.I
)
_NUMBERISH = re.compile(r"\d[\d.\-/]*\d")
_DECIMAL = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})*|\d+)[.,](\d{2})(?![\d])")
PROTOCOL_MIN_DIGITS = 5

DayMonth = tuple[int, int]
FullDate = tuple[int, int, int]


@dataclass(frozen=True)
class GroundingReport:
    ungrounded: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.ungrounded


def _month_index(name: str) -> int:
    name = name.lower()
    if name in _EN_MONTHS:
        return _EN_MONTHS.index(name) + 1
    pt = _PT_MONTHS.index(name)
    return pt + 1 if pt < 3 else pt  # "março" and "marco" share a slot


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    y = int(raw)
    return y + 2000 if y < 100 else y


def brl_cents(raw: str) -> int | None:
    """'1.234,56' → 123456; also accepts '99.90' (a model writing the decimal point)."""
    raw = raw.strip()
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d+\.\d{2}", raw) is None:
        raw = raw.replace(".", "")
    try:
        return int((Decimal(raw) * 100).to_integral_value())
    except InvalidOperation:
        return None


def _dates(text: str) -> list[tuple[str, int, int, int | None]]:
    found: list[tuple[str, int, int, int | None]] = []
    for m in _ISO.finditer(text):
        found.append((m.group(0), int(m.group(3)), int(m.group(2)), int(m.group(1))))
    for m in _DMY.finditer(text):
        d, mo = int(m.group(1)), int(m.group(2))
        if 1 <= d <= 31 and 1 <= mo <= 12:
            found.append((m.group(0), d, mo, _year(m.group(3))))
    for m in _PT_NAMED.finditer(text):
        found.append((m.group(0), int(m.group(1)), _month_index(m.group(2)), _year(m.group(3))))
    for m in _EN_NAMED.finditer(text):
        found.append((m.group(0), int(m.group(2)), _month_index(m.group(1)), _year(m.group(3))))
    return found


class Evidence:
    """What an answer may quote: amounts (in cents), dates and digit strings seen in tools or context."""

    def __init__(self) -> None:
        self.amounts: set[int] = set()
        self.full_dates: set[FullDate] = set()
        self.day_months: set[DayMonth] = set()
        self.digit_strings: list[str] = []

    @classmethod
    def of(cls, values: Iterable[Any], today: date | None = None) -> Evidence:
        evidence = cls()
        for value in values:
            evidence.add(value)
        if today:
            evidence.add_date(today.day, today.month, today.year)
        return evidence

    def add_date(self, d: int, m: int, y: int | None) -> None:
        self.day_months.add((d, m))
        if y:
            self.full_dates.add((d, m, y))

    def add(self, value: Any) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, dict):
            for v in value.values():
                self.add(v)
        elif isinstance(value, list | tuple | set):
            for v in value:
                self.add(v)
        elif isinstance(value, int | float | Decimal):
            self.amounts.add(int((Decimal(str(value)) * 100).to_integral_value()))
            self.digit_strings.append(str(value))
        elif isinstance(value, datetime | date):
            self.add_date(value.day, value.month, value.year)
        else:
            self._add_text(str(value))

    def _add_text(self, text: str) -> None:
        self.digit_strings.append("".join(c for c in text if c.isdigit()))
        for m in _AMOUNT.finditer(text):
            cents = brl_cents(m.group(1) or m.group(2))
            if cents is not None:
                self.amounts.add(cents)
        for m in _DECIMAL.finditer(text):
            cents = brl_cents(f"{m.group(1)},{m.group(2)}" if "," in m.group(0) else m.group(0))
            if cents is not None:
                self.amounts.add(cents)
        for _, d, mo, y in _dates(text):
            self.add_date(d, mo, y)
        stripped = text.strip()
        if re.fullmatch(r"\d+(\.\d+)?", stripped):
            self.amounts.add(int((Decimal(stripped) * 100).to_integral_value()))

    def has_digits(self, digits: str) -> bool:
        return any(digits in s for s in self.digit_strings)


def check(answer: str, evidence: Evidence) -> GroundingReport:
    """Which figures of `answer` the evidence does not contain (none: the answer may be sent)."""
    bad: list[str] = []
    spans: list[tuple[int, int]] = []
    for m in _AMOUNT.finditer(answer):
        spans.append(m.span())
        cents = brl_cents(m.group(1) or m.group(2))
        if cents is None or cents not in evidence.amounts:
            bad.append(m.group(0).strip())
    for text, d, mo, y in _dates(answer):
        start = answer.find(text)
        spans.append((start, start + len(text)))
        known = (d, mo, y) in evidence.full_dates if y else (d, mo) in evidence.day_months
        if not known:
            bad.append(text)
    for m in _NUMBERISH.finditer(answer):
        if any(s <= m.start() < e for s, e in spans):
            continue
        digits = "".join(c for c in m.group(0) if c.isdigit())
        if len(digits) >= PROTOCOL_MIN_DIGITS and not evidence.has_digits(digits):
            bad.append(m.group(0))
    return GroundingReport(tuple(dict.fromkeys(bad)))


def evidence_text(value: Any) -> str:
    """A compact JSON rendering, for logs of what the answer was checked against."""
    return json.dumps(value, ensure_ascii=False, default=str)[:4000]
