"""Boleto digitable lines and PIX copy-paste codes, computed the way banks do.

The demo ERP generates them from the invoice instead of storing opaque
strings, so the figures a customer sees are self-consistent (the boleto line
carries the amount and the due date, the PIX code its CRC), as a real ERP's
would be.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal

_FACTOR_BASE = date(1997, 10, 7)


def _mod10(digits: str) -> int:
    total = 0
    for i, d in enumerate(reversed(digits)):
        product = int(d) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def _mod11(digits: str) -> int:
    total = sum(int(d) * (2 + i % 8) for i, d in enumerate(reversed(digits)))
    dv = 11 - total % 11
    return 1 if dv in (0, 10, 11) else dv


def due_factor(due: date) -> int:
    """Days since 1997-10-07, restarted at 1000 on 2025-02-22 when it reached 9999."""
    return ((due - _FACTOR_BASE).days - 1000) % 9000 + 1000


def boleto_line(bank: str, free_field: str, amount: Decimal, due: date) -> str:
    """The 47-digit digitable line, formatted in its five groups."""
    free = free_field.rjust(25, "0")[-25:]
    tail = f"{due_factor(due):04d}{int(amount * 100):010d}"
    general_dv = _mod11(f"{bank}9{tail}{free}")
    f1 = f"{bank}9{free[:5]}"
    f2, f3 = free[5:15], free[15:25]
    f1, f2, f3 = f1 + str(_mod10(f1)), f2 + str(_mod10(f2)), f3 + str(_mod10(f3))
    return f"{f1[:5]}.{f1[5:]} {f2[:5]}.{f2[5:]} {f3[:5]}.{f3[5:]} {general_dv} {tail}"


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def _crc16(payload: str) -> str:
    crc = 0xFFFF
    for byte in payload.encode():
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def _ascii(text: str, limit: int) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return plain.upper()[:limit]


def pix_copy_paste(key: str, amount: Decimal, merchant: str, city: str, txid: str) -> str:
    """A static PIX BR Code (EMV) with amount and transaction id, ending in its CRC16."""
    payload = (
        _tlv("00", "01")
        + _tlv("26", _tlv("00", "br.gov.bcb.pix") + _tlv("01", key))
        + _tlv("52", "0000")
        + _tlv("53", "986")
        + _tlv("54", f"{amount:.2f}")
        + _tlv("58", "BR")
        + _tlv("59", _ascii(merchant, 25))
        + _tlv("60", _ascii(city, 15))
        + _tlv("62", _tlv("05", txid[:25]))
        + "6304"
    )
    return payload + _crc16(payload)
