"""What the business tunes without a deploy: routing thresholds, its own profile, the scripted flows.

Each comes from the repo's defaults with a Firestore document laid on top
(`config/routing`, `config/business`, `flows/{id}`), read at most once per
TTL per function instance: an admin's change is live within seconds, and a
burst of messages costs no extra reads. A broken document is logged and the
defaults keep answering.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from atende.domain.routing import RoutingPolicy
from atende.flows.library import FlowLibrary
from atende.triage.policy import default_policy, policy_with_overrides

log = logging.getLogger(__name__)

BUSINESS_DEFAULTS = Path(__file__).with_name("defaults") / "business.json"
DEFAULT_TTL_S = 30.0
T = TypeVar("T")


class ConfigSource(Protocol):
    def document(self, collection: str, doc_id: str) -> dict[str, Any] | None: ...

    def collection(self, name: str) -> dict[str, dict[str, Any]]: ...


def default_business() -> dict[str, Any]:
    data = json.loads(BUSINESS_DEFAULTS.read_text(encoding="utf-8"))
    data.pop("_about", None)
    return data


class AttendantConfig:
    def __init__(
        self,
        source: ConfigSource | None = None,
        ttl_s: float = DEFAULT_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._ttl = ttl_s
        self._clock = clock
        self._cache: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._business_defaults = default_business()
        self._flow_defaults = FlowLibrary.defaults()

    def _cached(self, key: str, load: Callable[[], T], fallback: Callable[[], T]) -> T:
        now = self._clock()
        with self._lock:
            hit = self._cache.get(key)
            if hit and now - hit[0] < self._ttl:
                return hit[1]
        try:
            value = load()
        except Exception:  # a bad document or an unreachable Firestore must not silence the bot
            log.exception("config %s could not be loaded; using the defaults", key)
            value = fallback()
        with self._lock:
            self._cache[key] = (now, value)
        return value

    def routing_policy(self) -> RoutingPolicy:
        return self._cached(
            "routing",
            lambda: policy_with_overrides(self._document("config", "routing")),
            default_policy,
        )

    def business(self) -> dict[str, Any]:
        return self._cached(
            "business",
            lambda: {**self._business_defaults, **(self._document("config", "business") or {})},
            lambda: dict(self._business_defaults),
        )

    def flows(self) -> FlowLibrary:
        return self._cached(
            "flows",
            lambda: self._flow_defaults.with_overrides(
                self._source.collection("flows") if self._source else {}
            ),
            lambda: self._flow_defaults,
        )

    def _document(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        if self._source is None:
            return None
        doc = self._source.document(collection, doc_id)
        if doc:
            doc = {
                k: v for k, v in doc.items() if not k.startswith("_") and k not in ("updatedAt", "updatedBy")
            }
        return doc
