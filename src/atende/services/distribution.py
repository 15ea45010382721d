"""Hand a team's waiting conversations to its online people with room, one transaction per assignment.

Each assignment reads the person's document and the conversation and writes both (guarded by what was
read), so two runs at once can never give one conversation to two people or a person more than their
capacity: the loser of a race re-runs on fresh state (`atomically`). Who goes next is `next_in_line`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from atende.domain import metrics
from atende.domain.conversation import Conversation
from atende.domain.model import Priority
from atende.domain.staff import next_in_line
from atende.services import timeline
from atende.services.unit_of_work import UnitOfWork, atomically

log = logging.getLogger(__name__)

QUEUE_READ = 50  # the head of the queue looked at per assignment (high priority first among them)
MAX_PER_RUN = 100


def first_in_queue(queue: Iterable[Conversation]) -> Conversation | None:
    """High priority first, then whoever has waited longest."""
    return min(
        queue, key=lambda c: (c.priority != Priority.HIGH, c.waiting_since or 0.0, c.id), default=None
    )


class Distribution:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Callable[[], float] = time.time) -> None:
        self._uow = uow
        self._clock = clock

    def run(self, team: str | None) -> list[tuple[str, str]]:
        """(conversation id, uid) of each assignment made, until the queue or everyone's room runs out."""
        if not team:
            return []
        made: list[tuple[str, str]] = []
        for _ in range(MAX_PER_RUN):
            pair = atomically(self._uow, lambda uow: self._assign_next(uow, team))
            if pair is None:
                break
            made.append(pair)
        if made:
            log.info("distribution %s: %d assigned", team, len(made))
        return made

    def run_teams(self, teams: Iterable[str]) -> int:
        return sum(len(self.run(team)) for team in dict.fromkeys(teams))

    def tick(self, limit: int = 100) -> tuple[int, int]:
        """The scheduled pass: wake snoozes whose time came, then move every queue someone can take from.
        Returns (woken, assigned)."""
        now = self._clock()
        with self._uow() as uow:
            due = [c.id for c in uow.conversations.due_to_wake(now, limit)]
            teams = {t for member in uow.staff.online() if member.has_room for t in member.teams}
        woken = sum(atomically(self._uow, lambda uow, cid=cid: self._wake(uow, cid)) for cid in due)
        return woken, self.run_teams(sorted(teams))

    def _wake(self, uow: UnitOfWork, conversation_id: str) -> bool:
        before = uow.conversations.get(conversation_id)
        now = self._clock()
        after = before.wake(now) if before else None
        if before is None or after is None or after == before:
            return False
        uow.conversations.save(before, after)
        timeline.record(
            uow,
            author=timeline.DISTRIBUTION,
            action="wake",
            before=before,
            after=after,
            text="A conversa adiada voltou",
            now=now,
        )
        uow.commit()
        return True

    def _assign_next(self, uow: UnitOfWork, team: str) -> tuple[str, str] | None:
        person = next_in_line(team, uow.staff.on_team(team))
        if person is None:
            return None
        conversation = first_in_queue(uow.conversations.waiting_in(team, QUEUE_READ))
        if conversation is None:
            return None
        now = self._clock()
        assigned = conversation.assign(person.uid, now)
        uow.conversations.save(conversation, assigned)
        uow.metrics.count(metrics.tallies(conversation, assigned, now))
        uow.staff.save(person, person.took_one(now))
        timeline.record(
            uow,
            author=timeline.DISTRIBUTION,
            action="assign",
            before=conversation,
            after=assigned,
            text=f"Atribuída automaticamente a {person.display_name}",
            now=now,
            details={"assigneeName": person.display_name},
        )
        uow.commit()
        return conversation.id, person.uid
