"""Inference: load the committed model and score messages.

Two softmax regressions (intent and sentiment) over the same input: the
message's multilingual-e5-small embedding (`embedding.py`), which carries
what the message means, beside the sparse word and character features of
`text.features`, which carry the vocabulary of the trade (boleto, 2ª via,
desbloqueio). Both were fitted offline with scikit-learn (`train.py`); the
weights are stored as one JSON file (quantised integers, one sparse feature
per line, so a retrain shows up as a readable diff) that ships as package data.

Confidence is calibrated on real customer messages (the real dev set, never
the frozen test set): a temperature per head, then a Platt map from the top
intent probability to the probability that the intent is right. A routing
threshold therefore reads as an expected precision on real traffic.

The model and the encoder load on the first message, once per process.
"""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from atende.domain.triage import INTENTS, SENTIMENTS, Triage
from atende.triage.embedding import DIM, get_embedder
from atende.triage.text import FEATURE_VERSION, features

if TYPE_CHECKING:
    import numpy as np

MODEL_PATH = Path(__file__).resolve().parent / "model" / "triage_model.json"
# 3: an embedding block (`dense`, DIM rows) beside the sparse features, and a
# Platt map on the top intent probability (`confidence_map`); format 2 had sparse features only.
FORMAT = 3


def softmax(logits: list[float]) -> list[float]:
    top = max(logits)
    exps = [math.exp(z - top) for z in logits]
    total = sum(exps)
    return [e / total for e in exps]


def platt(p: float, a: float, b: float) -> float:
    """Calibrated probability that the top intent is right, from its (temperature-scaled) probability."""
    p = min(max(p, 1e-6), 1 - 1e-6)
    return 1.0 / (1.0 + math.exp(-(a * math.log(p / (1 - p)) + b)))


class TriageModel:
    """A loaded model; immutable after construction, safe to share between threads."""

    def __init__(self, data: dict[str, Any]) -> None:
        import numpy as np

        if data.get("format") != FORMAT:
            raise ValueError(f"unsupported triage model format {data.get('format')!r}")
        if data.get("feature_version") != FEATURE_VERSION:
            raise ValueError(
                "triage model was trained with feature version "
                f"{data.get('feature_version')!r} but the code is at {FEATURE_VERSION}; "
                "run `atende triage train`"
            )
        if tuple(data["intents"]) != INTENTS or tuple(data["sentiments"]) != SENTIMENTS:
            raise ValueError("triage model labels do not match the code's INTENTS/SENTIMENTS")
        self.meta: dict[str, Any] = data.get("meta", {})
        scale = float(data["scale"])
        self._weights: dict[str, list[int]] = data["weights"]
        self._scale = scale
        self._bias = np.asarray(data["bias"], dtype=np.float64) / scale
        self._dense = np.asarray(data["dense"], dtype=np.float64) / scale
        if self._dense.shape != (DIM, len(self._bias)):
            raise ValueError(f"triage model embedding block has shape {self._dense.shape}")
        self._t_intent = float(data["temperature"]["intent"])
        self._t_sentiment = float(data["temperature"]["sentiment"])
        self._platt = (float(data["confidence_map"]["a"]), float(data["confidence_map"]["b"]))
        self._n_intents = len(INTENTS)

    @classmethod
    def load(cls, path: Path | str = MODEL_PATH) -> TriageModel:
        return cls(json.loads(Path(path).read_bytes()))

    def logits(self, text: str, embedding: np.ndarray | None = None) -> list[float]:
        """Raw (uncalibrated) intent logits followed by sentiment logits."""
        if embedding is None:
            embedding = get_embedder().embed(text)
        z = self._bias + embedding.astype("float64") @ self._dense
        rows = [row for row in map(self._weights.get, features(text)) if row is not None]
        if rows:
            factor = 1.0 / (self._scale * math.sqrt(len(rows)))
            z = z + [s * factor for s in map(sum, zip(*rows, strict=True))]
        return z.tolist()

    def classify(self, text: str, embedding: np.ndarray | None = None) -> Triage:
        z = self.logits(text, embedding)
        k = self._n_intents
        p_intent = softmax([v / self._t_intent for v in z[:k]])
        p_sent = softmax([v / self._t_sentiment for v in z[k:]])
        best = max(range(k), key=p_intent.__getitem__)
        best_s = max(range(len(SENTIMENTS)), key=p_sent.__getitem__)
        return Triage(
            intent=INTENTS[best],
            sentiment=SENTIMENTS[best_s],
            confidence=platt(p_intent[best], *self._platt),
            scores=dict(zip(INTENTS, p_intent, strict=True)),
            sentiment_confidence=p_sent[best_s],
        )


_model: TriageModel | None = None
_lock = threading.Lock()


def get_model() -> TriageModel:
    """The process-wide model, loaded on first use (cold starts that never triage pay nothing)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = TriageModel.load()
                get_embedder()
    return _model


def classify(text: str) -> Triage:
    """Classify one inbound message with the committed model."""
    return get_model().classify(text)
