"""Metrics for the triage model, shared by `atende triage eval` and the tests.

The number product cares about is not raw accuracy but how many messages the
bot may answer on its own while staying right: precision and coverage of the
automatic answers as a function of the confidence threshold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from atende.domain.triage import INTENTS, SENTIMENTS, Triage

THRESHOLDS: tuple[float, ...] = tuple(round(0.50 + 0.05 * i, 2) for i in range(10))


@dataclass(frozen=True)
class ThresholdRow:
    threshold: float
    coverage: float
    precision: float
    answered: int


@dataclass
class EvalReport:
    n: int
    accuracy: float
    macro_f1: float
    sentiment_accuracy: float
    confusion: dict[str, dict[str, int]]
    per_intent: dict[str, dict[str, float]]
    thresholds: list[ThresholdRow]
    ece: float
    sentiment_confusion: dict[str, dict[str, int]] = field(default_factory=dict)

    def at(self, threshold: float) -> ThresholdRow:
        return threshold_row(self._pairs, threshold)

    def best_threshold(self, min_precision: float = 0.95) -> ThresholdRow | None:
        """Lowest threshold of the table whose automatic answers reach `min_precision`."""
        for row in self.thresholds:
            if row.answered and row.precision >= min_precision:
                return row
        return None

    _pairs: list[tuple[float, bool]] = field(default_factory=list, repr=False)


def threshold_row(pairs: Sequence[tuple[float, bool]], threshold: float) -> ThresholdRow:
    """Coverage and precision of the answers whose confidence reaches `threshold`."""
    chosen = [ok for conf, ok in pairs if conf >= threshold - 1e-12]
    n = len(pairs) or 1
    return ThresholdRow(
        threshold=threshold,
        coverage=len(chosen) / n,
        precision=(sum(chosen) / len(chosen)) if chosen else 1.0,
        answered=len(chosen),
    )


def _confusion(labels: Sequence[str], gold: Iterable[str], pred: Iterable[str]) -> dict[str, dict[str, int]]:
    matrix = {g: dict.fromkeys(labels, 0) for g in labels}
    for g, p in zip(gold, pred, strict=True):
        matrix[g][p] += 1
    return matrix


def evaluate(results: Sequence[Triage], rows: Sequence[dict[str, Any]]) -> EvalReport:
    gold = [r["intent"] for r in rows]
    pred = [t.intent for t in results]
    n = len(rows)
    confusion = _confusion(INTENTS, gold, pred)
    per_intent: dict[str, dict[str, float]] = {}
    f1s = []
    for label in INTENTS:
        tp = confusion[label][label]
        predicted = sum(confusion[g][label] for g in INTENTS)
        support = sum(confusion[label].values())
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
        if support:
            f1s.append(f1)
    pairs = [(t.confidence, t.intent == g) for t, g in zip(results, gold, strict=True)]
    # Expected calibration error over 10 equal-width confidence bins.
    ece = 0.0
    for b in range(10):
        lo, hi = b / 10, (b + 1) / 10
        members = [(c, ok) for c, ok in pairs if lo < c <= hi or (b == 0 and c == 0)]
        if members:
            conf = sum(c for c, _ in members) / len(members)
            acc = sum(ok for _, ok in members) / len(members)
            ece += len(members) / n * abs(conf - acc)
    report = EvalReport(
        n=n,
        accuracy=sum(g == p for g, p in zip(gold, pred, strict=True)) / n,
        macro_f1=sum(f1s) / len(f1s),
        sentiment_accuracy=sum(t.sentiment == r["sentiment"] for t, r in zip(results, rows, strict=True)) / n,
        confusion=confusion,
        per_intent=per_intent,
        thresholds=[threshold_row(pairs, th) for th in THRESHOLDS],
        ece=ece,
        sentiment_confusion=_confusion(
            SENTIMENTS, [r["sentiment"] for r in rows], [t.sentiment for t in results]
        ),
    )
    report._pairs = pairs
    return report


def _matrix_table(title: str, labels: Sequence[str], matrix: dict[str, dict[str, int]]) -> list[str]:
    short = {label: label[:6] for label in labels}
    width = max(len(label) for label in labels)
    lines = [f"{title} (rows = expected, columns = predicted)"]
    lines.append(" " * (width + 2) + " ".join(f"{short[p]:>6}" for p in labels))
    for g in labels:
        lines.append(f"{g:<{width}}  " + " ".join(f"{matrix[g][p]:>6}" for p in labels))
    return lines


def format_report(report: EvalReport, default_threshold: float | None = None) -> str:
    lines = [
        f"messages            {report.n}",
        f"intent accuracy     {report.accuracy:.3f}",
        f"intent macro-F1     {report.macro_f1:.3f}",
        f"sentiment accuracy  {report.sentiment_accuracy:.3f}",
        f"calibration (ECE)   {report.ece:.3f}",
        "",
        f"{'intent':<14} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}",
    ]
    for label, m in report.per_intent.items():
        lines.append(
            f"{label:<14} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {int(m['support']):>8}"
        )
    lines.append("")
    lines += _matrix_table("intent confusion", INTENTS, report.confusion)
    lines.append("")
    lines.append("automatic answers by confidence threshold")
    lines.append(f"{'threshold':>9} {'coverage':>9} {'precision':>10} {'answered':>9}")
    for row in report.thresholds:
        mark = (
            "  <- default"
            if default_threshold is not None and abs(row.threshold - default_threshold) < 1e-9
            else ""
        )
        lines.append(
            f"{row.threshold:>9.2f} {row.coverage:>9.3f} {row.precision:>10.3f} {row.answered:>9}{mark}"
        )
    best = report.best_threshold(0.95)
    lines.append("")
    if best:
        lines.append(
            f"lowest threshold with precision >= 0.95: {best.threshold:.2f} "
            f"(coverage {best.coverage:.3f}, precision {best.precision:.3f})"
        )
    else:
        lines.append("no threshold in the table reaches precision 0.95")
    lines.append("")
    lines += _matrix_table("sentiment confusion", SENTIMENTS, report.sentiment_confusion)
    return "\n".join(lines)
