"""Deterministic training of the triage model in pure Python.

Pure Python on purpose: the project has no numpy/scikit-learn dependency and
the data set is small (a few thousand short messages), so plain SGD over
sparse rows trains in well under two minutes on two cores.

Pipeline:
1. read `data/train.jsonl` (the held-out file is never read here);
2. assign every row to a cross-validation fold by a stable hash of its
   group (templated rows share their template's group, so a fold never sees
   siblings of the rows it is scored on - that keeps calibration honest);
3. add seeded typo copies of the rows, in the same fold as their original;
4. fit one joint SGD model (softmax for intent + softmax for sentiment over
   shared features, L2 regularised) per fold and collect out-of-fold logits;
5. fit one temperature per head on those out-of-fold logits (calibration);
6. fit the final model on everything, quantise, write JSON.

Identical inputs and config give a byte-identical model file.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from atende.domain.triage import INTENTS, SENTIMENTS
from atende.triage.model import FORMAT, MODEL_PATH, softmax
from atende.triage.text import FEATURE_VERSION, features

DATA_DIR = Path(__file__).resolve().parent / "data"
TRAIN_PATH = DATA_DIR / "train.jsonl"
HELDOUT_PATH = DATA_DIR / "heldout.jsonl"

N_INT = len(INTENTS)
N_SENT = len(SENTIMENTS)
N_OUT = N_INT + N_SENT


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 1234
    epochs: int = 14
    lr: float = 0.6
    l2: float = 2e-5
    sentiment_weight: float = 0.7
    min_count: int = 2
    folds: int = 5
    typo_copies: float = 1.0
    scale: int = 10000


@dataclass
class Example:
    feats: list[int]
    norm: float
    intent: int
    sentiment: int
    fold: int
    original: bool


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _stable_fold(key: str, folds: int) -> int:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % folds


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


def build_examples(rows: Sequence[dict[str, Any]], config: TrainConfig) -> tuple[list[Example], list[str]]:
    """Featurise rows (plus typo copies) and index the features seen often enough."""
    rng = random.Random(config.seed)
    texts: list[tuple[str, int, int, int, bool]] = []
    for row in rows:
        group = row.get("src", "hand")
        key = group if group.startswith("tpl:") else row["text"].lower()
        fold = _stable_fold(key, config.folds)
        intent = INTENTS.index(row["intent"])
        sentiment = SENTIMENTS.index(row["sentiment"])
        texts.append((row["text"], intent, sentiment, fold, True))
        if sum(ch.isalpha() for ch in row["text"]) >= 6 and rng.random() < config.typo_copies:
            texts.append((typo(row["text"], rng), intent, sentiment, fold, False))
    feat_sets = [sorted(features(t[0])) for t in texts]
    counts: dict[str, int] = {}
    for fs in feat_sets:
        for f in fs:
            counts[f] = counts.get(f, 0) + 1
    vocab = sorted(f for f, c in counts.items() if c >= config.min_count)
    index = {f: i for i, f in enumerate(vocab)}
    examples = [
        Example(
            feats=[index[f] for f in fs if f in index],
            norm=1.0 / math.sqrt(max(1, len(fs))),
            intent=t[1],
            sentiment=t[2],
            fold=t[3],
            original=t[4],
        )
        for t, fs in zip(texts, feat_sets, strict=True)
    ]
    return examples, vocab


class LinearModel:
    """Joint intent+sentiment softmax regression trained by SGD with exact lazy L2.

    Weights are stored as `scale * W` so that the L2 shrink of every weight at
    every step costs one multiplication instead of a pass over the vocabulary.
    """

    def __init__(self, n_features: int) -> None:
        self.w: list[list[float]] = [[0.0] * N_OUT for _ in range(n_features)]
        self.b: list[float] = [0.0] * N_OUT
        self.scale = 1.0

    def logits(self, ex: Example) -> list[float]:
        if not ex.feats:
            return list(self.b)
        w = self.w
        sums = map(sum, zip(*[w[i] for i in ex.feats], strict=True))
        f = self.scale * ex.norm
        return [b + s * f for b, s in zip(self.b, sums, strict=True)]

    def fit(self, examples: Sequence[Example], config: TrainConfig, rng: random.Random) -> None:
        order = list(range(len(examples)))
        steps_per_epoch = max(1, len(order))
        step = 0
        for _epoch in range(config.epochs):
            rng.shuffle(order)
            for j in order:
                ex = examples[j]
                lr = config.lr / (1.0 + 2.0 * step / steps_per_epoch)
                step += 1
                z = self.logits(ex)
                p_int = softmax(z[:N_INT])
                p_sent = softmax(z[N_INT:])
                p_int[ex.intent] -= 1.0
                p_sent[ex.sentiment] -= 1.0
                sw = config.sentiment_weight
                grad = p_int + [g * sw for g in p_sent]
                self.scale *= 1.0 - lr * config.l2
                factor = lr * ex.norm / self.scale
                delta = [g * factor for g in grad]
                w = self.w
                for i in ex.feats:
                    w[i] = [a - d for a, d in zip(w[i], delta, strict=True)]
                self.b = [b - lr * g for b, g in zip(self.b, grad, strict=True)]
                if self.scale < 1e-4:
                    self._fold_scale()
        self._fold_scale()

    def _fold_scale(self) -> None:
        s = self.scale
        self.w = [[v * s for v in row] for row in self.w]
        self.scale = 1.0


def fit_temperature(logit_rows: Sequence[Sequence[float]], labels: Sequence[int]) -> float:
    """Temperature minimising negative log-likelihood (golden-section search on log T)."""

    def nll(log_t: float) -> float:
        t = math.exp(log_t)
        total = 0.0
        for z, y in zip(logit_rows, labels, strict=True):
            scaled = [v / t for v in z]
            top = max(scaled)
            total -= scaled[y] - top - math.log(sum(math.exp(v - top) for v in scaled))
        return total

    lo, hi = math.log(0.05), math.log(20.0)
    ratio = (math.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = nll(a), nll(b)
    for _ in range(60):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = nll(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = nll(b)
    return round(math.exp((lo + hi) / 2), 4)


def train(
    config: TrainConfig | None = None,
    rows: Sequence[dict[str, Any]] | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> dict[str, Any]:
    """Train and return the serialisable model document."""
    config = config or TrainConfig()
    source_sha = None
    if rows is None:
        rows = read_jsonl(TRAIN_PATH)
        source_sha = file_sha256(TRAIN_PATH)
    started = time.perf_counter()
    examples, vocab = build_examples(rows, config)
    log(f"{len(rows)} rows, {len(examples)} examples with typo copies, {len(vocab)} features")

    oof_int: list[list[float]] = []
    oof_sent: list[list[float]] = []
    y_int: list[int] = []
    y_sent: list[int] = []
    if config.folds > 1:
        for fold in range(config.folds):
            model = LinearModel(len(vocab))
            model.fit([e for e in examples if e.fold != fold], config, random.Random(config.seed + fold + 1))
            for ex in examples:
                if ex.fold == fold and ex.original:
                    z = model.logits(ex)
                    oof_int.append(z[:N_INT])
                    oof_sent.append(z[N_INT:])
                    y_int.append(ex.intent)
                    y_sent.append(ex.sentiment)
            log(f"fold {fold + 1}/{config.folds} done ({time.perf_counter() - started:.0f}s)")
        t_int = fit_temperature(oof_int, y_int)
        t_sent = fit_temperature(oof_sent, y_sent)
        cv_acc = sum(max(range(N_INT), key=z.__getitem__) == y for z, y in zip(oof_int, y_int, strict=True))
        cv_sacc = sum(
            max(range(N_SENT), key=z.__getitem__) == y for z, y in zip(oof_sent, y_sent, strict=True)
        )
        cv = {
            "intent_accuracy": round(cv_acc / len(y_int), 4),
            "sentiment_accuracy": round(cv_sacc / len(y_sent), 4),
        }
        log(f"cross-validation: {cv}; temperatures intent={t_int} sentiment={t_sent}")
    else:
        t_int, t_sent, cv = 1.0, 1.0, {}

    final = LinearModel(len(vocab))
    final.fit(examples, config, random.Random(config.seed))
    log(f"final model trained ({time.perf_counter() - started:.0f}s)")

    q = config.scale
    weights: dict[str, list[int]] = {}
    for name, row in zip(vocab, final.w, strict=True):
        qrow = [round(v * q) for v in row]
        if any(qrow):
            weights[name] = qrow
    return {
        "format": FORMAT,
        "feature_version": FEATURE_VERSION,
        "intents": list(INTENTS),
        "sentiments": list(SENTIMENTS),
        "scale": q,
        "temperature": {"intent": t_int, "sentiment": t_sent},
        "bias": [round(v * q) for v in final.b],
        "weights": weights,
        "meta": {
            "train_sha256": source_sha,
            "train_rows": len(rows),
            "config": asdict(config),
            "cv": cv,
        },
    }


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


def save_model(doc: dict[str, Any], path: Path = MODEL_PATH) -> int:
    data = dump_model(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)
