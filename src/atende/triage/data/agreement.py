"""How far independent readings of the real sets agree: the ceiling on what their labels can measure.

    python -m atende.triage.data.agreement

Every real message was labelled three times against docs/triage-labels.md, each reading blind to the
others' labels and to any model's output (`annotations/<reading>.jsonl`: id, intent, sentiment). The sets
carry the first reading (a unit test checks); the other two are kept so that anyone can see where
careful readers of the same guide part ways, and so how much of a model's "error" is the labels'.
Cohen's kappa per pair and per field, and for each field the labels on which the readings split most.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path

from atende.triage.data.real_split import REAL_DEV_PATH, REAL_TEST_PATH, read_jsonl

ANNOTATIONS_DIR = Path(__file__).resolve().parent / "annotations"
READINGS = ("first", "second", "third")
FIELDS = ("intent", "sentiment")

Annotations = dict[str, dict[str, dict[str, str]]]


def read_annotations(directory: Path = ANNOTATIONS_DIR) -> Annotations:
    """reading -> message id -> {"intent": ..., "sentiment": ...}."""
    return {
        name: {row["id"]: {f: row[f] for f in FIELDS} for row in read_jsonl(directory / f"{name}.jsonl")}
        for name in READINGS
    }


def report(annotations: Annotations, ids: Sequence[str]) -> list[str]:
    from sklearn.metrics import cohen_kappa_score

    lines = []
    for field in FIELDS:
        for a, b in combinations(READINGS, 2):
            x = [annotations[a][i][field] for i in ids]
            y = [annotations[b][i][field] for i in ids]
            same = sum(p == q for p, q in zip(x, y, strict=True)) / len(ids)
            kappa = cohen_kappa_score(x, y)
            lines.append(f"{field:9s} {a:6s} vs {b:6s}  agree {same:.3f}  kappa {kappa:.3f}")
        given = (tuple(sorted({annotations[r][i][field] for r in READINGS})) for i in ids)
        splits = Counter(labels for labels in given if len(labels) > 1)
        lines += [f"  split {' / '.join(k)}: {n}" for k, n in splits.most_common(5)]
    return lines


def main() -> int:
    annotations = read_annotations()
    ids = [r["id"] for path in (REAL_DEV_PATH, REAL_TEST_PATH) for r in read_jsonl(path)]
    print(f"{len(ids)} real messages, {len(READINGS)} readings")
    print("\n".join(report(annotations, ids)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
