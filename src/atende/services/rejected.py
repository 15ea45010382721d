"""Webhook items that could never be processed: recorded once, for whoever investigates.

The webhook rejects them (Meta gets a 200 and never retries) and publishes a
`RejectedItem` on the inbound topic, so the webhook itself never needs
Firestore; `ai_reply` hands each one here.
"""

from __future__ import annotations

import logging
from typing import Protocol

from atende.domain.events import RejectedItem

log = logging.getLogger(__name__)


class RejectedLog(Protocol):
    def record(self, item: RejectedItem) -> None:
        """Keep the item under its `log_id`; recording it again changes nothing."""


def record_rejected(store: RejectedLog, item: RejectedItem) -> None:
    store.record(item)
    log.info("rejected %s item %s (%s) recorded as %s", item.channel, item.where, item.reason, item.log_id)
