"""Deterministic offline training of the triage model with scikit-learn.

scikit-learn is a development dependency only: it fits the model here, and
the run time (`model.py`) scores messages from the exported JSON in pure
Python, so functions never import numpy or scikit-learn. Only the fitting
functions import it, so reading the data files (`atende triage eval`, the
benchmarks) does not need it either.

Pipeline, once per head (intent, then sentiment):
1. read `data/train.jsonl` (the held-out file is never read here) and add a
   seeded typo copy of each row, so the model sees the slips customers make;
2. featurise with `text.features` (exactly the run-time features), keep the
   features seen in at least `min_df` rows, and scale each message's binary
   vector to unit length;
3. fit a multinomial logistic regression, calibrated by temperature scaling
   on out-of-fold logits (`CalibratedClassifierCV`, `ensemble=False`). Folds
   group a template's rows and a row's typo copy together, so a fold is
   never scored on siblings of what it trained on - that keeps calibration
   honest, and routing thresholds read confidence as expected precision;
4. export the vocabulary, coefficients, intercepts and temperatures of both
   heads, quantised, as the JSON `model.TriageModel` loads.

Identical inputs and config give a byte-identical model file on a given
machine (`atende triage train --check`).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from atende.domain.triage import INTENTS, SENTIMENTS
from atende.triage.model import FORMAT
from atende.triage.text import FEATURE_VERSION, features

if TYPE_CHECKING:
    from sklearn.calibration import CalibratedClassifierCV

DATA_DIR = Path(__file__).resolve().parent / "data"
TRAIN_PATH = DATA_DIR / "train.jsonl"
HELDOUT_PATH = DATA_DIR / "heldout.jsonl"


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 1234
    c: float = 10.0  # inverse L2 strength of LogisticRegression
    min_df: int = 2
    folds: int = 5
    typo_copies: float = 1.0  # share of rows that also get a typo copy
    scale: int = 10000  # weights are stored as round(scale * w)


@dataclass(frozen=True)
class Heads:
    """The two fitted scikit-learn models, before export (tests compare them with the export)."""

    intent: CalibratedClassifierCV
    sentiment: CalibratedClassifierCV


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# fmt: off
_KEYBOARD_NEIGHBOURS = {
    "a": "sq", "e": "wr", "i": "uo", "o": "ip", "u": "yi", "n": "bm", "m": "n", "r": "et", "t": "ry",
    "s": "ad", "c": "xv", "l": "k", "p": "o", "d": "sf", "g": "fh", "v": "cb", "b": "vn",
}
# fmt: on


def typo(text: str, rng: random.Random) -> str:
    """One or two realistic slips: drop, double, swap or fat-finger a letter."""
    chars = list(text)
    for _ in range(1 + (rng.random() < 0.3)):
        letters = [i for i, ch in enumerate(chars) if ch.isalpha()]
        if len(letters) < 4:
            break
        i = rng.choice(letters)
        op = rng.random()
        if op < 0.35:
            del chars[i]
        elif op < 0.55:
            chars.insert(i, chars[i])
        elif op < 0.8 and i + 1 < len(chars) and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            near = _KEYBOARD_NEIGHBOURS.get(chars[i].lower())
            if near:
                chars[i] = rng.choice(near)
    return "".join(chars)


@dataclass(frozen=True)
class Examples:
    docs: list[list[str]]  # sorted feature names of each message
    intents: list[int]
    sentiments: list[int]
    groups: list[str]  # rows of one group always land in the same fold


def build_examples(rows: Sequence[dict[str, Any]], config: TrainConfig) -> Examples:
    """Featurise rows plus their typo copies; a copy shares its original's group."""
    rng = random.Random(config.seed)
    ex = Examples(docs=[], intents=[], sentiments=[], groups=[])
    for row in rows:
        src = row.get("src", "hand")
        group = src if src.startswith("tpl:") else row["text"].lower()
        texts = [row["text"]]
        if sum(ch.isalpha() for ch in row["text"]) >= 6 and rng.random() < config.typo_copies:
            texts.append(typo(row["text"], rng))
        for text in texts:
            # Sorted, so that column order (and with it float summation order) never depends on
            # the process's string hash seed.
            ex.docs.append(sorted(features(text)))
            ex.intents.append(INTENTS.index(row["intent"]))
            ex.sentiments.append(SENTIMENTS.index(row["sentiment"]))
            ex.groups.append(group)
    return ex


def _given_features(doc: list[str]) -> list[str]:
    """Analyzer for documents that are already feature lists (featurised once, not once per fold)."""
    return doc


def fit_heads(examples: Examples, config: TrainConfig) -> Heads:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import make_pipeline
    from threadpoolctl import threadpool_limits

    def fit(labels: list[int]) -> CalibratedClassifierCV:
        pipeline = make_pipeline(
            # Binary features scaled to unit length (no idf), the vector model.py rebuilds at run time.
            TfidfVectorizer(
                analyzer=_given_features, binary=True, use_idf=False, norm="l2", min_df=config.min_df
            ),
            # newton-cg: the same optimum as lbfgs here, in a fifth of the time.
            LogisticRegression(C=config.c, solver="newton-cg", max_iter=1000, random_state=config.seed),
        )
        folds = list(GroupKFold(n_splits=config.folds).split(examples.docs, labels, examples.groups))
        calibrated = CalibratedClassifierCV(pipeline, method="temperature", cv=folds, ensemble=False)
        return calibrated.fit(examples.docs, labels)

    # One BLAS thread: float summation order, and so the exported file, must not depend on the core count.
    with threadpool_limits(limits=1):
        return Heads(intent=fit(examples.intents), sentiment=fit(examples.sentiments))


def _parts(head: CalibratedClassifierCV) -> tuple[dict[str, list[float]], list[float], float]:
    """Per-feature coefficient rows, intercepts and temperature of one calibrated head."""
    (calibrated,) = head.calibrated_classifiers_
    vectorizer, regression = calibrated.estimator[0], calibrated.estimator[-1]
    coef = regression.coef_.T.tolist()  # one row per feature column
    rows = {name: coef[column] for name, column in vectorizer.vocabulary_.items()}
    temperature = 1.0 / float(calibrated.calibrators[0].beta_)
    return rows, regression.intercept_.tolist(), temperature


def export(heads: Heads, config: TrainConfig, meta: dict[str, Any]) -> dict[str, Any]:
    """The serialisable model document: intent columns, then sentiment columns, per feature."""
    w_int, b_int, t_int = _parts(heads.intent)
    w_sent, b_sent, t_sent = _parts(heads.sentiment)
    # The run time scales a message by the count of features it knows, for both heads at once.
    if w_int.keys() != w_sent.keys():
        raise ValueError("the intent and sentiment heads were fitted on different vocabularies")
    q = config.scale
    weights = {name: [round(v * q) for v in w_int[name] + w_sent[name]] for name in w_int}
    return {
        "format": FORMAT,
        "feature_version": FEATURE_VERSION,
        "intents": list(INTENTS),
        "sentiments": list(SENTIMENTS),
        "scale": q,
        "temperature": {"intent": round(t_int, 6), "sentiment": round(t_sent, 6)},
        "bias": [round(v * q) for v in b_int + b_sent],
        "weights": weights,
        "meta": meta,
    }


def train(
    config: TrainConfig | None = None,
    rows: Sequence[dict[str, Any]] | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> dict[str, Any]:
    """Train and return the serialisable model document."""
    import sklearn

    config = config or TrainConfig()
    source_sha = None
    if rows is None:
        rows = read_jsonl(TRAIN_PATH)
        source_sha = file_sha256(TRAIN_PATH)
    started = time.perf_counter()
    examples = build_examples(rows, config)
    log(f"{len(rows)} rows, {len(examples.docs)} examples with typo copies")
    heads = fit_heads(examples, config)
    log(f"both heads fitted and calibrated ({time.perf_counter() - started:.1f}s)")
    meta = {
        "train_sha256": source_sha,
        "train_rows": len(rows),
        "config": asdict(config),
        "scikit_learn": sklearn.__version__,
    }
    return export(heads, config, meta)


def dump_model(doc: dict[str, Any]) -> bytes:
    """Serialise deterministically, one weight row per line, so a retrain diffs line by line."""

    def compact(value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    lines = ["{"]
    for key in sorted(k for k in doc if k != "weights"):
        lines.append(f"{compact(key)}:{compact(doc[key])},")
    rows = [f"{compact(name)}:{compact(row)}" for name, row in sorted(doc["weights"].items())]
    lines.append('"weights":{')
    lines.append(",\n".join(rows))
    lines.append("}}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def save_model(doc: dict[str, Any], path: Path) -> int:
    data = dump_model(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)
