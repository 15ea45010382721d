"""The precision/coverage table the console shows beside each intent's threshold slider.

For every labelled evaluation set and every intent the classifier predicts, and each threshold of a
grid: of the messages predicted as that intent, the share whose confidence reaches the threshold (the
bot would answer them: coverage) and the share of those that really were that intent (precision). A
threshold in `config/routing` applies to the predicted intent, so this is exactly what moving one
slider changes.

It is a generated artefact committed beside the model (`atende triage table` writes it, `--check` and a
unit test hold it to a fresh computation): the evaluation sets are not deployed with the functions, and
the table only changes when the model or the sets do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from atende.domain.triage import INTENTS, Triage

TABLE_PATH = Path(__file__).resolve().parent / "model" / "threshold_table.json"
GRID: tuple[float, ...] = tuple(round(0.30 + 0.05 * i, 2) for i in range(14))  # 0.30 … 0.95


def intent_rows(results: Sequence[Triage], gold: Sequence[str], intent: str) -> dict[str, Any]:
    pairs = zip(results, gold, strict=True)
    predicted = [(t.confidence, g == intent) for t, g in pairs if t.intent == intent]
    rows = []
    for threshold in GRID:
        answered = [ok for confidence, ok in predicted if confidence >= threshold - 1e-12]
        rows.append(
            {
                "threshold": threshold,
                "coverage": round(len(answered) / len(predicted), 4) if predicted else 0.0,
                "precision": round(sum(answered) / len(answered), 4) if answered else None,
                "answered": len(answered),
            }
        )
    return {"predicted": len(predicted), "support": sum(g == intent for g in gold), "rows": rows}


def compute(sets: Mapping[str, Path]) -> dict[str, Any]:
    from atende.triage.model import get_model
    from atende.triage.train import read_jsonl

    model = get_model()
    table: dict[str, Any] = {"grid": list(GRID), "sets": {}}
    for name, path in sets.items():
        rows = read_jsonl(path)
        results = [model.classify(r["text"]) for r in rows]
        gold = [r["intent"] for r in rows]
        table["sets"][name] = {
            "messages": len(rows),
            "intents": {intent: intent_rows(results, gold, intent) for intent in INTENTS},
        }
    return table


def render(table: Mapping[str, Any]) -> str:
    return json.dumps(table, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


@cache
def committed() -> dict[str, Any]:
    """The table as committed; read once per instance."""
    return json.loads(TABLE_PATH.read_text(encoding="utf-8"))
