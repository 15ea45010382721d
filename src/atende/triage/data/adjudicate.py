"""The labels of the real sets: the majority of three independent annotations.

    python -m atende.triage.data.adjudicate          # rewrite the real sets' labels, print agreement
    python -m atende.triage.data.adjudicate --check  # exit 1 if a set's labels are not the majority

One annotator's labels drift: the first pass labelled `Ainda não recebi meu produto` neutral and `Aida nao
recebi o produto` frustrated, though the guide calls both frustrated. So every real message is labelled
three times, each annotator blind to the others' labels and to any model's output
(`annotations/<annotator>.jsonl`: id, intent, sentiment), and a set's label is the one at least two
annotators gave; when all three differ, the first annotator's stands. Rows never move between dev and
test: only their labels change. A later correction is made in an annotation file, never in the sets.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

from atende.triage.data.real_split import REAL_DEV_PATH, REAL_TEST_PATH, read_jsonl, write_jsonl

ANNOTATIONS_DIR = Path(__file__).resolve().parent / "annotations"
# In this order: the first annotator's label breaks a three-way tie.
ANNOTATORS = ("first", "second", "third")
FIELDS = ("intent", "sentiment")


def majority(labels: Sequence[str]) -> str:
    """The label given at least twice, else the first annotator's."""
    label, count = Counter(labels).most_common(1)[0]
    return label if count >= 2 else labels[0]


def read_annotations(directory: Path = ANNOTATIONS_DIR) -> dict[str, dict[str, dict[str, str]]]:
    """annotator -> message id -> {"intent": ..., "sentiment": ...}."""
    return {
        name: {row["id"]: {f: row[f] for f in FIELDS} for row in read_jsonl(directory / f"{name}.jsonl")}
        for name in ANNOTATORS
    }


def adjudicated(row: dict[str, Any], annotations: dict[str, dict[str, dict[str, str]]]) -> dict[str, Any]:
    """The row with its labels replaced by the annotators' majority."""
    try:
        given = [annotations[name][row["id"]] for name in ANNOTATORS]
    except KeyError as missing:
        raise SystemExit(f"{row['id']}: no annotation by {missing}") from None
    return {**row, **{f: majority([g[f] for g in given]) for f in FIELDS}}


def agreement(annotations: dict[str, dict[str, dict[str, str]]], ids: Sequence[str]) -> list[str]:
    """Raw agreement and Cohen's kappa for each pair of annotators, per field."""
    from sklearn.metrics import cohen_kappa_score

    lines = []
    for field in FIELDS:
        for a, b in combinations(ANNOTATORS, 2):
            x = [annotations[a][i][field] for i in ids]
            y = [annotations[b][i][field] for i in ids]
            same = sum(p == q for p, q in zip(x, y, strict=True)) / len(ids)
            kappa = cohen_kappa_score(x, y)
            lines.append(f"{field:9s} {a:6s} vs {b:6s}  agree {same:.3f}  kappa {kappa:.3f}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the sets hold the majority")
    args = parser.parse_args(argv)
    annotations = read_annotations()
    stale = 0
    ids: list[str] = []
    for path in (REAL_DEV_PATH, REAL_TEST_PATH):
        rows = read_jsonl(path)
        new = [adjudicated(r, annotations) for r in rows]
        changed = sum(any(r[f] != n[f] for f in FIELDS) for r, n in zip(rows, new, strict=True))
        stale += changed
        ids += [r["id"] for r in rows]
        print(f"{path.name}: {len(rows)} rows, {changed} with a label other than the majority")
        if not args.check and changed:
            write_jsonl(new, path)
    print("\n".join(agreement(annotations, ids)))
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
