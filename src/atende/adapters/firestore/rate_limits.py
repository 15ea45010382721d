"""Fixed-window counters in Firestore, shared by every instance of the `webchat` function.

One document per key and window (`rate_limits/{hash(key, window)}`): every counted request increments it
atomically (`Increment`, no transaction, so concurrent requests never conflict), all the request's
counters in one batched commit, whose answer carries each counter's new value (the transform results):
no read at all. Cost per request: one commit, one document write per limit (three for a message, two for
a session or an upload, one for a receipt). The documents carry `expireAt`, which a TTL policy on the
collection (Terraform) deletes after the window.
"""

from __future__ import annotations

from collections.abc import Sequence

from google.cloud import firestore

from atende.adapters.firestore.codec import ts
from atende.adapters.firestore.collections import RATE_LIMITS
from atende.domain.model import stable_id
from atende.domain.rate_limits import Limit

EXPIRY_MARGIN_S = 3600  # kept a while after the window ends: the TTL sweep is lazy anyway


class FirestoreRateCounter:
    def __init__(self, client: firestore.Client) -> None:
        self._client = client

    def count(self, limits: Sequence[Limit], now: float) -> dict[Limit, int]:
        if not limits:
            return {}
        refs = {
            limit: self._client.collection(RATE_LIMITS).document(
                stable_id("rl", limit.key, str(limit.window_s), str(limit.window_start(now)))
            )
            for limit in limits
        }
        batch = self._client.batch()
        for limit, ref in refs.items():
            batch.set(
                ref,
                {
                    "count": firestore.Increment(1),
                    "windowS": limit.window_s,
                    "expireAt": ts(limit.window_end(now) + EXPIRY_MARGIN_S),
                },
                merge=True,
            )
        results = batch.commit()
        return {
            limit: int(result.transform_results[0].integer_value)
            for limit, result in zip(refs, results, strict=True)
        }
