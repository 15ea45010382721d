"""Close the bot's conversations nobody wrote on for three days (`Conversation.close_idle`): an episode
only the bot served ends here, and the reports count it as resolved automatically (docs/reports.md). Run
by the tick; each conversation in its own unit of work, so two ticks at once close (and count) it once."""

from __future__ import annotations

import time
from collections.abc import Callable

from atende.domain import metrics
from atende.domain.conversation import BOT_IDLE_CLOSE_S, Conversation
from atende.services import crm
from atende.services.crm import CrmEventPublisher
from atende.services.unit_of_work import UnitOfWork, atomically

BATCH = 200  # conversations closed per tick; the next tick takes the rest


class IdleCloser:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Callable[[], float] = time.time,
        crm_events: CrmEventPublisher | None = None,  # `conversation.resolved` for the CRM webhook
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._crm = crm_events

    def run(self, limit: int = BATCH) -> int:
        now = self._clock()
        with self._uow() as uow:
            due = [c.id for c in uow.conversations.idle_with_bot(now - BOT_IDLE_CLOSE_S, limit)]
        closed = [atomically(self._uow, lambda uow, cid=cid: self._close(uow, cid, now)) for cid in due]
        for conversation in filter(None, closed):
            crm.tell(self._crm, crm.resolved(conversation))
        return sum(1 for c in closed if c)

    def _close(self, uow: UnitOfWork, conversation_id: str, now: float) -> Conversation | None:
        before = uow.conversations.get(conversation_id)
        after = before.close_idle(now) if before else None
        if before is None or after is None or after == before:
            return None  # a customer wrote meanwhile, or another tick closed it
        uow.conversations.save(before, after)
        uow.metrics.count(metrics.tallies(before, after, now))
        uow.commit()
        return after
