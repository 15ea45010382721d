"""`sites/{siteKey}` ⇄ `Site`, read through a short per-instance cache (CORS is checked on every request)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from google.cloud import firestore
from pydantic import ValidationError

from atende.adapters.firestore.collections import SITES
from atende.domain.site import Site

log = logging.getLogger(__name__)

CACHE_TTL_S = 60.0  # an origin an admin adds or removes takes effect within a minute


def from_doc(key: str, doc: dict[str, Any]) -> Site | None:
    """None for a document an admin left unusable: the site answers 404 rather than half-working."""
    try:
        return Site.model_validate({**doc, "key": key})
    except ValidationError:
        log.warning("sites/%s is not a usable site configuration", key, exc_info=True)
        return None


class FirestoreSites:
    def __init__(
        self,
        client: firestore.Client,
        ttl_s: float = CACHE_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl_s = ttl_s
        self._clock = clock
        self._cache: dict[str, tuple[float, Site | None]] = {}

    def get(self, key: str) -> Site | None:
        now = self._clock()
        cached = self._cache.get(key)
        if cached is not None and now - cached[0] < self._ttl_s:
            return cached[1]
        snapshot = self._client.collection(SITES).document(key).get()
        site = from_doc(key, snapshot.to_dict() or {}) if snapshot.exists else None
        self._cache[key] = (now, site)
        return site
