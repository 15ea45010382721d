"""Offline triage of inbound customer messages: intent, sentiment, confidence.

    >>> from atende.triage import classify
    >>> t = classify("a net caiu de novo, que raiva")
    >>> t.intent, t.sentiment
    ('technical', 'frustrated')

Importing this package is cheap; the model (a JSON file committed under
`model/`) is loaded on the first `classify` call and then shared by the
process. Call `load_model()` at start-up to pay that cost eagerly.
"""

from __future__ import annotations

from atende.domain.triage import INTENTS, SENTIMENTS, Triage

__all__ = ["INTENTS", "SENTIMENTS", "Triage", "classify", "load_model"]


def classify(text: str) -> Triage:
    """Triage one message with the committed model (loaded lazily, once per process)."""
    from atende.triage.model import classify as _classify

    return _classify(text)


def load_model() -> None:
    """Load the model now rather than on the first message (e.g. during a warm-up request)."""
    from atende.triage.model import get_model

    get_model()
