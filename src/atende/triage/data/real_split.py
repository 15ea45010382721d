"""Deterministic dev/test split of the real evaluation messages.

    python -m atende.triage.data.real_split new_rows.jsonl   # splits the new rows into the two files

Rows are grouped by (source, intent); inside a group they are ordered by the
SHA-256 of their id and dealt alternately to dev and test, so each source and
each intent is split half and half, and the result depends on nothing but the
ids and labels. Rows already in either file stay where they are: only the rows
whose id is new are split and appended, so a new source never moves old rows,
and label corrections are made in place, never by splitting again.
`real_test.jsonl` is frozen: its checksum is pinned in `SOURCES.md` and by a
unit test, and `train.py` never reads it.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent
REAL_DEV_PATH = DATA_DIR / "real_dev.jsonl"
REAL_TEST_PATH = DATA_DIR / "real_test.jsonl"


def _order(row: dict[str, Any]) -> str:
    return hashlib.sha256(row["id"].encode("utf-8")).hexdigest()


def split(rows: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(dev, test), each sorted by id; the first row of every group goes to dev."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["source"], row["intent"])].append(row)
    dev: list[dict[str, Any]] = []
    test: list[dict[str, Any]] = []
    for key in sorted(groups):
        for i, row in enumerate(sorted(groups[key], key=_order)):
            (dev if i % 2 == 0 else test).append(row)
    return sorted(dev, key=lambda r: r["id"]), sorted(test, key=lambda r: r["id"])


def write_jsonl(rows: Iterable[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main(argv: list[str]) -> int:
    old_dev, old_test = read_jsonl(REAL_DEV_PATH), read_jsonl(REAL_TEST_PATH)
    known = {row["id"] for row in old_dev + old_test}
    new = [row for row in read_jsonl(Path(argv[0])) if row["id"] not in known]
    dev, test = split(new)
    write_jsonl(sorted(old_dev + dev, key=lambda r: r["id"]), REAL_DEV_PATH)
    write_jsonl(sorted(old_test + test, key=lambda r: r["id"]), REAL_TEST_PATH)
    print(f"{len(new)} new rows: {len(dev)} -> {REAL_DEV_PATH.name}, {len(test)} -> {REAL_TEST_PATH.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
