"""Metrics for the triage model, shared by `atende triage eval` and the tests.

The number product cares about is not raw accuracy but how many messages the
bot may answer on its own while staying right: precision and coverage of the
automatic answers as a function of the confidence threshold, and whether the
confidence can be read as a probability (reliability bins, ECE). Accuracy is
shown beside the majority-class baseline, which on the skewed real sets is
the first bar a model has to clear.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
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


@dataclass(frozen=True)
class ReliabilityBin:
    """Messages whose confidence falls in (low, high]: is their accuracy what the confidence says?"""

    low: float
    high: float
    n: int
    confidence: float
    accuracy: float


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
    majority_intent: str = ""
    majority_accuracy: float = 0.0
    sentiment_macro_f1: float = 0.0
    per_sentiment: dict[str, dict[str, float]] = field(default_factory=dict)
    reliability: list[ReliabilityBin] = field(default_factory=list)
    # Coverage and precision of the messages the routing policy actually answers on its own
    # (its per-intent thresholds and forced handoffs, so `threshold` is NaN); None when not routed.
    routed_auto: ThresholdRow | None = None

    def at(self, threshold: float) -> ThresholdRow:
        return threshold_row(self._pairs, threshold)

    def best_threshold(self, min_precision: float = 0.95) -> ThresholdRow | None:
        """Lowest threshold of the table whose automatic answers reach `min_precision`."""
        for row in self.thresholds:
            if row.answered and row.precision >= min_precision:
                return row
        return None

    _pairs: list[tuple[float, bool]] = field(default_factory=list, repr=False)


def _answers(threshold: float, chosen: Sequence[bool], n: int) -> ThresholdRow:
    return ThresholdRow(
        threshold=threshold,
        coverage=len(chosen) / (n or 1),
        precision=(sum(chosen) / len(chosen)) if chosen else 1.0,
        answered=len(chosen),
    )


def threshold_row(pairs: Sequence[tuple[float, bool]], threshold: float) -> ThresholdRow:
    """Coverage and precision of the answers whose confidence reaches `threshold`."""
    return _answers(threshold, [ok for conf, ok in pairs if conf >= threshold - 1e-12], len(pairs))


def _confusion(labels: Sequence[str], gold: Iterable[str], pred: Iterable[str]) -> dict[str, dict[str, int]]:
    matrix = {g: dict.fromkeys(labels, 0) for g in labels}
    for g, p in zip(gold, pred, strict=True):
        matrix[g][p] += 1
    return matrix


def _per_label(
    labels: Sequence[str], confusion: dict[str, dict[str, int]]
) -> tuple[dict[str, dict[str, float]], float]:
    """Precision, recall, F1 and support per label, and the macro-F1 over the labels that occur."""
    per_label: dict[str, dict[str, float]] = {}
    f1s = []
    for label in labels:
        tp = confusion[label][label]
        predicted = sum(confusion[g][label] for g in labels)
        support = sum(confusion[label].values())
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
        if support:
            f1s.append(f1)
    return per_label, sum(f1s) / len(f1s)


def reliability_bins(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> list[ReliabilityBin]:
    """Equal-width confidence bins (empty ones left out); the first bin also holds confidence 0."""
    table = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        members = [(c, ok) for c, ok in pairs if lo < c <= hi or (b == 0 and c == 0)]
        if members:
            table.append(
                ReliabilityBin(
                    low=lo,
                    high=hi,
                    n=len(members),
                    confidence=sum(c for c, _ in members) / len(members),
                    accuracy=sum(ok for _, ok in members) / len(members),
                )
            )
    return table


def evaluate(
    results: Sequence[Triage], rows: Sequence[dict[str, Any]], auto: Sequence[bool] | None = None
) -> EvalReport:
    """Metrics of `results` against the labelled `rows`; `auto` marks the messages routed `auto`."""
    gold = [r["intent"] for r in rows]
    pred = [t.intent for t in results]
    gold_sentiments = [r["sentiment"] for r in rows]
    n = len(rows)
    confusion = _confusion(INTENTS, gold, pred)
    per_intent, macro_f1 = _per_label(INTENTS, confusion)
    sentiment_confusion = _confusion(SENTIMENTS, gold_sentiments, [t.sentiment for t in results])
    per_sentiment, sentiment_macro_f1 = _per_label(SENTIMENTS, sentiment_confusion)
    majority = max(INTENTS, key=gold.count)
    pairs = [(t.confidence, t.intent == g) for t, g in zip(results, gold, strict=True)]
    reliability = reliability_bins(pairs)
    routed = None
    if auto is not None:
        chosen = [ok for (_, ok), a in zip(pairs, auto, strict=True) if a]
        routed = _answers(math.nan, chosen, n)
    report = EvalReport(
        n=n,
        accuracy=sum(g == p for g, p in zip(gold, pred, strict=True)) / n,
        macro_f1=macro_f1,
        sentiment_accuracy=sum(t.sentiment == s for t, s in zip(results, gold_sentiments, strict=True)) / n,
        confusion=confusion,
        per_intent=per_intent,
        thresholds=[threshold_row(pairs, th) for th in THRESHOLDS],
        # Expected calibration error: the bins' accuracy gaps, weighted by their share of messages.
        ece=sum(b.n / n * abs(b.confidence - b.accuracy) for b in reliability),
        sentiment_confusion=sentiment_confusion,
        majority_intent=majority,
        majority_accuracy=gold.count(majority) / n,
        sentiment_macro_f1=sentiment_macro_f1,
        per_sentiment=per_sentiment,
        reliability=reliability,
        routed_auto=routed,
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


def _per_label_table(title: str, per_label: dict[str, dict[str, float]]) -> list[str]:
    lines = [f"{title:<14} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
    for label, m in per_label.items():
        lines.append(
            f"{label:<14} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {int(m['support']):>8}"
        )
    return lines


def format_report(report: EvalReport, default_threshold: float | None = None) -> str:
    lines = [
        f"messages            {report.n}",
        f"intent accuracy     {report.accuracy:.3f}",
        f"majority baseline   {report.majority_accuracy:.3f} (always {report.majority_intent})",
        f"intent macro-F1     {report.macro_f1:.3f}",
        f"sentiment accuracy  {report.sentiment_accuracy:.3f}",
        f"sentiment macro-F1  {report.sentiment_macro_f1:.3f}",
        f"calibration (ECE)   {report.ece:.3f}",
    ]
    if report.routed_auto is not None:
        lines.append(
            f"routed auto         coverage {report.routed_auto.coverage:.3f}, "
            f"precision {report.routed_auto.precision:.3f} (default routing policy)"
        )
    lines.append("")
    lines += _per_label_table("intent", report.per_intent)
    lines.append("")
    lines += _matrix_table("intent confusion", INTENTS, report.confusion)
    lines.append("")
    lines.append("reliability (intent confidence bins)")
    lines.append(f"{'bin':>11} {'messages':>9} {'confidence':>11} {'accuracy':>9}")
    for b in report.reliability:
        lines.append(f"{b.low:.1f}-{b.high:.1f}    {b.n:>9} {b.confidence:>11.3f} {b.accuracy:>9.3f}")
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
    lines += _per_label_table("sentiment", report.per_sentiment)
    lines.append("")
    lines += _matrix_table("sentiment confusion", SENTIMENTS, report.sentiment_confusion)
    return "\n".join(lines)


def format_summary(reports: dict[str, EvalReport], threshold: float) -> str:
    """The headline figures of several sets side by side (one column per set)."""
    names = list(reports)
    rows: list[tuple[str, Callable[[EvalReport], str]]] = [
        ("messages", lambda r: f"{r.n}"),
        ("intent accuracy", lambda r: f"{r.accuracy:.3f}"),
        ("majority baseline", lambda r: f"{r.majority_accuracy:.3f}"),
        ("intent macro-F1", lambda r: f"{r.macro_f1:.3f}"),
        ("sentiment macro-F1", lambda r: f"{r.sentiment_macro_f1:.3f}"),
        ("calibration (ECE)", lambda r: f"{r.ece:.3f}"),
        (f"coverage @{threshold:.2f}", lambda r: f"{r.at(threshold).coverage:.3f}"),
        (f"precision @{threshold:.2f}", lambda r: f"{r.at(threshold).precision:.3f}"),
        ("routed auto coverage", lambda r: f"{r.routed_auto.coverage:.3f}" if r.routed_auto else "-"),
        ("routed auto precision", lambda r: f"{r.routed_auto.precision:.3f}" if r.routed_auto else "-"),
    ]
    width = max(10, *(len(name) for name in names))
    lines = [f"{'':<22}" + "".join(f"{name:>{width + 2}}" for name in names)]
    for label, cell in rows:
        lines.append(f"{label:<22}" + "".join(f"{cell(reports[name]):>{width + 2}}" for name in names))
    return "\n".join(lines)


GRID: tuple[float, ...] = tuple(round(0.50 + 0.01 * i, 2) for i in range(50))


def lowest_safe_threshold(
    pairs: Sequence[tuple[float, bool]], target: float, min_answered: int
) -> float | None:
    """The lowest grid threshold whose answers (at least `min_answered`) reach precision `target`;
    None when no threshold does."""
    for threshold in GRID:
        row = threshold_row(pairs, threshold)
        if row.answered >= min_answered and row.precision >= target:
            return threshold
    return None


def derive_thresholds(
    results: Sequence[Triage],
    rows: Sequence[dict[str, Any]],
    auto_intents: Iterable[str],
    target: float = 0.95,
    min_answered: int = 15,
) -> tuple[float, dict[str, float]]:
    """Routing thresholds from a labelled set's precision/coverage table (the real dev set).

    What has to hold is the precision of everything answered `auto`, pooled over the intents, not
    each intent's on its own: asking 0.95 of an intent with a dozen predictions on the set either
    fails (one error is 8 %) or holds by luck, and so left the rarer intents at 1.0 (never answered).

    The default threshold is the pooled lowest safe one; it stays for every intent predicted fewer
    than `min_answered` times (too few to read a threshold of its own from). The others start at
    1.0 and are lowered greedily: each step takes the intent and lower grid threshold whose added
    answers are most likely right (Laplace-smoothed, so that a large block at 0.97 beats two answers
    at 1.0), as long as the pooled precision of all answers stays at `target`.
    """
    auto_intents = list(auto_intents)
    pairs = {
        i: [
            (t.confidence, t.intent == r["intent"])
            for t, r in zip(results, rows, strict=True)
            if t.intent == i
        ]
        for i in auto_intents
    }
    pooled = lowest_safe_threshold([p for i in auto_intents for p in pairs[i]], target, min_answered)
    default = pooled if pooled is not None else 1.0
    own = {i: 1.0 for i in auto_intents if len(pairs[i]) >= min_answered}
    fixed = [threshold_row(pairs[i], default) for i in auto_intents if i not in own]
    answered = sum(row.answered for row in fixed)
    right = sum(round(row.precision * row.answered) for row in fixed)
    while True:
        best: tuple[float, str, float, int, int] | None = None
        for intent, current in own.items():
            now = threshold_row(pairs[intent], current)
            for threshold in reversed(GRID):  # from the top: of thresholds that answer alike, the highest
                if threshold >= current:
                    continue
                row = threshold_row(pairs[intent], threshold)
                added = row.answered - now.answered
                gained = round(row.precision * row.answered) - round(now.precision * now.answered)
                if added <= 0 or (right + gained) < target * (answered + added):
                    continue
                smoothed = (gained + 1) / (added + 2)
                if best is None or smoothed > best[0]:
                    best = (smoothed, intent, threshold, added, gained)
        if best is None:
            return default, own
        _, intent, threshold, added, gained = best
        own[intent] = threshold
        answered += added
        right += gained
