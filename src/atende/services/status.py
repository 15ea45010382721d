"""Apply delivery statuses (sent, delivered, read, played, failed) to outgoing messages."""

from __future__ import annotations

import logging

from atende.domain.events import StatusUpdate
from atende.domain.model import MessageStatus
from atende.services.ports import MessageLedger

log = logging.getLogger(__name__)

KNOWN = {s.value for s in MessageStatus}


class StatusService:
    def __init__(self, repo: MessageLedger) -> None:
        self._repo = repo

    def apply(self, update: StatusUpdate) -> str:
        if update.status not in KNOWN:
            log.info(
                "status %r for %s is not one we track; ignored", update.status, update.provider_message_id
            )
            return "ignored"
        if update.watermark is not None and not update.provider_message_id:
            count = self._repo.apply_watermark(update)
            return f"watermark:{count}"
        return self._repo.apply_status(update)
