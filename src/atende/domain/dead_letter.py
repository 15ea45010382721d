"""A dead letter as kept for an admin: the whole Pub/Sub message a consumer failed five times, and what was
done with it since (sent back to its topic once its cause is fixed, or discarded).

A letter is kept whole when it fits in one Firestore document (1 MiB, with a margin for the other fields);
a bigger one keeps its first bytes to read and cannot be replayed from here (the `-dlq-inspect` pull
subscription still holds it for a week: README, "Dead letters"). A letter is replayed at most once unless
the admin insists (`force`), since the consumer may have done part of its work before failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from atende.domain.errors import WorkflowRefused

MAX_KEPT_BYTES = 900 * 1024  # data and attributes together; a document holds 1 MiB, the rest is margin
RETENTION_S = 30 * 86400  # then Firestore's TTL policy removes the document (`expireAt`)
# What Pub/Sub adds to a dead-lettered message: not the publisher's, so not sent back on a replay.
PUBSUB_ATTRIBUTE_PREFIX = "CloudPubSubDeadLetter"


class LetterState(StrEnum):
    DEAD = "dead"  # waiting for an admin
    REPLAYED = "replayed"  # published again to its topic
    DISCARDED = "discarded"  # an admin decided it needs nothing more


@dataclass(frozen=True, kw_only=True)
class Handled:
    """Who did something to a letter, and when."""

    uid: str
    at: float
    name: str | None = None  # as their token named them then, for the console to show


@dataclass(frozen=True, kw_only=True)
class StoredLetter:
    id: str
    pubsub_id: str  # the dead-letter topic's message id
    topic: str | None  # where it was published first, and where a replay sends it; None: unknown
    subscription: str
    consumer: str
    attempts: int | None
    data: bytes  # all of it, or its first bytes when `truncated`
    attributes: Mapping[str, str]  # the publisher's, without the ones Pub/Sub added when dead-lettering
    size: int  # the payload's full size in bytes
    first_seen_at: float
    channel: str | None = None
    account_id: str | None = None
    state: LetterState = LetterState.DEAD
    replays: int = 0
    replayed: Handled | None = None  # the last replay
    discarded: Handled | None = None

    @classmethod
    def kept(
        cls,
        *,
        id: str,
        pubsub_id: str,
        topic: str | None,
        subscription: str,
        consumer: str,
        attempts: int | None,
        data: bytes,
        attributes: Mapping[str, str],
        at: float,
        channel: str | None = None,
        account_id: str | None = None,
    ) -> StoredLetter:
        """The letter as first stored: the publisher's attributes only, the payload cut to what a document
        can hold."""
        own = {k: v for k, v in attributes.items() if not k.startswith(PUBSUB_ATTRIBUTE_PREFIX)}
        room = max(0, MAX_KEPT_BYTES - sum(len(k.encode()) + len(v.encode()) for k, v in own.items()))
        return cls(
            id=id,
            pubsub_id=pubsub_id,
            topic=topic,
            subscription=subscription,
            consumer=consumer,
            attempts=attempts,
            data=data[:room],
            attributes=own,
            size=len(data),
            first_seen_at=at,
            channel=channel,
            account_id=account_id,
        )

    @property
    def truncated(self) -> bool:
        return len(self.data) < self.size

    @property
    def not_replayable(self) -> str | None:
        """Why this letter cannot be sent back from the console (pt-BR, shown as is); None: it can."""
        if self.truncated:
            return (
                f"Mensagem grande demais para guardar inteira ({self.size} bytes); "
                "reenvie pela assinatura -dlq-inspect (gcloud)"
            )
        if self.topic is None:
            return f"Tópico de origem desconhecido (assinatura {self.subscription or 'desconhecida'})"
        return None

    @property
    def expire_at(self) -> float:
        return self.first_seen_at + RETENTION_S

    def replay(self, uid: str, at: float, *, force: bool = False, name: str | None = None) -> StoredLetter:
        if self.not_replayable:
            raise WorkflowRefused(self.not_replayable)
        if self.state != LetterState.DEAD and not force:
            raise WorkflowRefused(
                "Esta mensagem já foi reenviada"
                if self.state == LetterState.REPLAYED
                else "Mensagem descartada"
            )
        return replace(
            self,
            state=LetterState.REPLAYED,
            replays=self.replays + 1,
            replayed=Handled(uid=uid, at=at, name=name),
        )

    def discard(self, uid: str, at: float, *, name: str | None = None) -> StoredLetter:
        if self.state != LetterState.DEAD:
            raise WorkflowRefused(
                "Esta mensagem já foi reenviada"
                if self.state == LetterState.REPLAYED
                else "Mensagem já descartada"
            )
        return replace(self, state=LetterState.DISCARDED, discarded=Handled(uid=uid, at=at, name=name))
