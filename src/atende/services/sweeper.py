"""The send sweeper: run on a schedule (Cloud Scheduler every minute; `make dev` has the same timer), it
looks again at every outgoing message that could otherwise hang for ever.

Which message is due and what becomes of it are the message's own rules (`Message.swept`): a send whose
worker died is re-queued once, a retryable failure after growing delays, a reply whose push to outbound
was lost a few times; past those limits, or past the 24 h window, it fails for good with a reason an
agent can read, and a send of unknown outcome is never re-sent. Each message is decided in its own unit
of work, so two sweeps running at once re-queue it once: the second finds it no longer due.
"""

from __future__ import annotations

import logging
from collections import Counter

from atende.domain.model import MessageStatus
from atende.services.deliveries import Deliveries
from atende.services.ports import OutboundQueue

log = logging.getLogger(__name__)

BATCH = 200  # messages looked at per run; the next run (a minute later) takes the rest


class SendSweeper:
    def __init__(self, deliveries: Deliveries, outbound: OutboundQueue, batch: int = BATCH) -> None:
        self._deliveries = deliveries
        self._outbound = outbound
        self._batch = batch

    def sweep(self) -> Counter[str]:
        """What became of the due messages, by their new status (`queued` ones were handed to outbound).

        The re-queue is committed before it is published: if publishing fails, the message is `queued`
        again and a later sweep hands it over as a lost push.
        """
        outcomes: Counter[str] = Counter()
        for message_id in self._deliveries.due_for_sweep(self._batch):
            swept = self._deliveries.sweep_one(message_id)
            if swept is None:
                continue
            if swept.status == MessageStatus.QUEUED:
                self._outbound.enqueue(swept.id, swept.conversation_id)
            outcomes[str(swept.status)] += 1
        if outcomes:
            log.info("send sweep: %s", dict(outcomes))
        return outcomes
