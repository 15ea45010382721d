"""Inference: load the committed linear model and score messages.

The model is a pair of softmax regressions (intent and sentiment) over the
same sparse features, trained offline with scikit-learn (`train.py`) and
stored as one JSON map feature -> quantised weights (plain JSON, one feature
per line, so retraining shows up as a readable diff and the file ships as
package data), with one calibration temperature per head. Scoring is a
handful of dict lookups and a column sum, so it stays far below the 2 ms
budget in pure Python and needs no numpy or scikit-learn at run time.
"""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path
from typing import Any

from atende.domain.triage import INTENTS, SENTIMENTS, Triage
from atende.triage.text import FEATURE_VERSION, features

MODEL_PATH = Path(__file__).resolve().parent / "model" / "triage_model.json"
# 2: a message's features are scaled by 1/sqrt(number of features the model knows), as the
# trainer's l2-normalised binary vectors; format 1 divided by the count of all its features.
FORMAT = 2


def softmax(logits: list[float]) -> list[float]:
    top = max(logits)
    exps = [math.exp(z - top) for z in logits]
    total = sum(exps)
    return [e / total for e in exps]


class TriageModel:
    """A loaded model; immutable after construction, safe to share between threads."""

    def __init__(self, data: dict[str, Any]) -> None:
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
        self._weights: dict[str, list[int]] = data["weights"]
        self._scale = float(data["scale"])
        self._bias: list[float] = [float(b) / self._scale for b in data["bias"]]
        self._t_intent = float(data["temperature"]["intent"])
        self._t_sentiment = float(data["temperature"]["sentiment"])
        self._n_intents = len(INTENTS)

    @classmethod
    def load(cls, path: Path | str = MODEL_PATH) -> TriageModel:
        return cls(json.loads(Path(path).read_bytes()))

    def logits(self, text: str) -> list[float]:
        """Raw (uncalibrated) intent logits followed by sentiment logits."""
        rows = [row for row in map(self._weights.get, features(text)) if row is not None]
        if not rows:
            return list(self._bias)
        factor = 1.0 / (self._scale * math.sqrt(len(rows)))
        return [b + s * factor for b, s in zip(self._bias, map(sum, zip(*rows, strict=True)), strict=True)]

    def classify(self, text: str) -> Triage:
        z = self.logits(text)
        k = self._n_intents
        p_intent = softmax([v / self._t_intent for v in z[:k]])
        p_sent = softmax([v / self._t_sentiment for v in z[k:]])
        best = max(range(k), key=p_intent.__getitem__)
        best_s = max(range(len(SENTIMENTS)), key=p_sent.__getitem__)
        return Triage(
            intent=INTENTS[best],
            sentiment=SENTIMENTS[best_s],
            confidence=min(1.0, max(0.0, p_intent[best])),
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
    return _model


def classify(text: str) -> Triage:
    """Classify one inbound message with the committed model."""
    return get_model().classify(text)
