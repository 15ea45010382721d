"""A campaign audience imported from CSV: every row checked, and what was left out said row by row.

Phones are canonicalised (`phone.to_e164`, with the Brazilian ninth digit), so
`11 8765-4321` and `+55 11 98765-4321` are one recipient and the second is a
duplicate. A row whose phone cannot be a number is reported, never guessed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from atende.domain.phone import to_e164

PHONE_COLUMNS = ("phone", "telefone", "celular", "whatsapp", "numero", "número")
NAME_COLUMNS = ("name", "nome")
DEFAULT_COUNTRY = "55"


@dataclass(frozen=True)
class Row:
    line: int  # in the file, header = 1
    phone: str  # E.164
    name: str | None
    variables: dict[str, str]


@dataclass(frozen=True)
class Problem:
    line: int
    value: str
    reason: str  # "invalid" or "duplicate of line N"
    duplicate_of: int | None = None  # that N


@dataclass(frozen=True)
class ImportReport:
    rows: list[Row] = field(default_factory=list)
    invalid: list[Problem] = field(default_factory=list)
    duplicates: list[Problem] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        return {
            "rows": len(self.rows) + len(self.invalid) + len(self.duplicates),
            "valid": len(self.rows),
            "invalid": len(self.invalid),
            "duplicates": len(self.duplicates),
        }


def normalise(raw: str) -> str | None:
    """E.164, reading a number without a country code as Brazilian (10 or 11 digits: DDD + number)."""
    digits = "".join(ch for ch in raw if ch.isdigit())
    if not digits:
        return None
    if not raw.strip().startswith("+") and len(digits) in (10, 11):
        digits = DEFAULT_COUNTRY + digits
    if digits.startswith("55") and len(digits) not in (12, 13):
        return None  # a Brazilian number is 55 + DDD + 8 or 9 digits
    return to_e164(digits)


def read_csv(text: str) -> ImportReport:
    """Rows with a phone column (phone, telefone, celular, whatsapp…), an optional name, any other columns
    kept as variables; comma or semicolon separated (spreadsheets in pt-BR write semicolons)."""
    header = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    delimiter = max(";,\t", key=header.count) if any(d in header for d in ";,\t") else ","
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    columns = {c.strip().lower(): c for c in reader.fieldnames or []}
    phone_col = next((columns[c] for c in PHONE_COLUMNS if c in columns), None)
    if phone_col is None:
        raise ValueError("o arquivo precisa de uma coluna de telefone (phone, telefone, celular ou whatsapp)")
    name_col = next((columns[c] for c in NAME_COLUMNS if c in columns), None)
    rows: list[Row] = []
    invalid: list[Problem] = []
    duplicates: list[Problem] = []
    seen: dict[str, int] = {}
    for line, record in enumerate(reader, start=2):
        raw = (record.get(phone_col) or "").strip()
        phone = normalise(raw)
        if phone is None:
            invalid.append(Problem(line, raw, "invalid"))
            continue
        if phone in seen:
            duplicates.append(Problem(line, raw, f"duplicate of line {seen[phone]}", seen[phone]))
            continue
        seen[phone] = line
        name = (record.get(name_col) or "").strip() or None if name_col else None
        variables = {
            k.strip(): (v or "").strip() for k, v in record.items() if k and k not in (phone_col, name_col)
        }
        rows.append(Row(line, phone, name, variables))
    return ImportReport(rows, invalid, duplicates)
