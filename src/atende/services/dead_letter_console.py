"""The console's dead letters: list them, read one, send one back to the topic it was first published to, or
discard it. Admins only (like every setting: a replay runs a consumer's work again).

A replay is claimed before it is published: the letter is marked `replayed` (with its audit entry) in a
commit guarded by the state read, so two admins clicking at once publish it once; then the data and the
publisher's attributes are published to the original topic, without an ordering key (the letter left its
order when it was dead-lettered). If the publish fails, the mark is taken back and the admin may try again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol

from atende.domain.dead_letter import StoredLetter
from atende.domain.staff import Actor
from atende.services.audit import AuditEntry
from atende.services.settings.errors import NotFound
from atende.services.settings.logs import page_limit
from atende.services.settings.store import only_admins
from atende.services.unit_of_work import atomically

if TYPE_CHECKING:
    from atende.services.unit_of_work import UnitOfWork

DEAD_LETTERS = "dead_letters"


class Republisher(Protocol):
    def republish(self, topic: str, data: bytes, attributes: Mapping[str, str]) -> None:
        """Publish once to `topic` (a short name); raises when Pub/Sub did not confirm it."""


class LetterReader(Protocol):
    def page(
        self, *, consumer: str | None, state: str | None, limit: int, after: str | None
    ) -> tuple[list[StoredLetter], str | None]:
        """Newest first (by first seen); the cursor of the next page, None when there is no more."""


class DeadLetterConsole:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        reader: LetterReader,
        publisher: Republisher,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._uow, self._reader, self._publisher, self._clock = uow, reader, publisher, clock

    def list(
        self,
        actor: Actor,
        *,
        consumer: str | None = None,
        state: str | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> tuple[list[StoredLetter], str | None]:
        only_admins(actor)
        return self._reader.page(consumer=consumer, state=state, limit=page_limit(page_size), after=cursor)

    def get(self, actor: Actor, letter_id: str) -> StoredLetter:
        only_admins(actor)
        with self._uow() as work:
            return _found(work, letter_id)

    def replay(self, actor: Actor, letter_id: str, *, force: bool = False) -> StoredLetter:
        only_admins(actor)
        before, after = self._change(
            actor,
            letter_id,
            "dead_letters.replay",
            lambda letter: letter.replay(actor.uid, self._clock(), force=force, name=actor.name),
        )
        assert after.topic is not None  # a letter without its topic is refused by `replay`
        try:
            self._publisher.republish(after.topic, after.data, after.attributes)
        except Exception:
            self._take_back(actor, before, after)
            raise
        return after

    def discard(self, actor: Actor, letter_id: str) -> StoredLetter:
        only_admins(actor)
        _, after = self._change(
            actor,
            letter_id,
            "dead_letters.discard",
            lambda letter: letter.discard(actor.uid, self._clock(), name=actor.name),
        )
        return after

    def _change(
        self, actor: Actor, letter_id: str, action: str, change: Callable[[StoredLetter], StoredLetter]
    ) -> tuple[StoredLetter, StoredLetter]:
        def step(work: UnitOfWork) -> tuple[StoredLetter, StoredLetter]:
            before = _found(work, letter_id)
            after = change(before)
            work.dead_letters.save(before, after)
            work.audit_logs.add(_audit(actor, action, before, after, self._clock()))
            work.commit()
            return before, after

        return atomically(self._uow, step)

    def _take_back(self, actor: Actor, before: StoredLetter, after: StoredLetter) -> None:
        """The publish failed: the letter is as it was, unless someone changed it meanwhile."""

        def step(work: UnitOfWork) -> None:
            now = work.dead_letters.get(after.id)
            if now is None or (now.state, now.replays) != (after.state, after.replays):
                return
            work.dead_letters.save(after, before)
            work.audit_logs.add(_audit(actor, "dead_letters.replay_failed", after, before, self._clock()))
            work.commit()

        atomically(self._uow, step)


def _found(work: UnitOfWork, letter_id: str) -> StoredLetter:
    letter = work.dead_letters.get(letter_id)
    if letter is None:
        raise NotFound("Mensagem com falha não encontrada")
    return letter


def _audit(actor: Actor, action: str, before: StoredLetter, after: StoredLetter, at: float) -> AuditEntry:
    def state(letter: StoredLetter) -> dict[str, object]:
        return {"state": str(letter.state), "replays": letter.replays, "topic": letter.topic}

    return AuditEntry(
        action=action,
        actor_uid=actor.uid,
        actor_role=str(actor.role),
        collection=DEAD_LETTERS,
        target_id=after.id,
        at=at,
        before=state(before),
        after=state(after),
    )
