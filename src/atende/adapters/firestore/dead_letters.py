"""A kept dead letter as a `dead_letters/{id}` document (admins only, read through console_api;
docs/data-model.md), and the console's newest-first pages of them."""

from __future__ import annotations

from typing import Any

from google.cloud import firestore

from atende.adapters.firestore.codec import seconds, ts
from atende.adapters.firestore.collections import DEAD_LETTERS
from atende.adapters.firestore.settings import FirestoreLogReader
from atende.domain.dead_letter import Handled, LetterState, StoredLetter
from atende.services.settings.logs import LogQuery


def to_doc(letter: StoredLetter) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "pubsubMessageId": letter.pubsub_id,
        "topic": letter.topic,
        "subscription": letter.subscription,
        "consumer": letter.consumer,
        "attempts": letter.attempts,
        "data": letter.data,
        "attributes": dict(letter.attributes),
        "size": letter.size,
        "truncated": letter.truncated,
        "replayable": letter.not_replayable is None,
        "firstSeenAt": ts(letter.first_seen_at),
        "expireAt": ts(letter.expire_at),
        "state": str(letter.state),
        "replays": letter.replays,
    }
    optional = {
        "notReplayableReason": letter.not_replayable,
        "channel": letter.channel,
        "accountId": letter.account_id,
        **_handled("replayed", letter.replayed),
        **_handled("discarded", letter.discarded),
    }
    return doc | {k: v for k, v in optional.items() if v is not None}


def _handled(prefix: str, handled: Handled | None) -> dict[str, Any]:
    if handled is None:
        return {}
    return {f"{prefix}At": ts(handled.at), f"{prefix}By": handled.uid, f"{prefix}ByName": handled.name}


def from_doc(letter_id: str, doc: dict[str, Any]) -> StoredLetter:
    return StoredLetter(
        id=letter_id,
        pubsub_id=doc.get("pubsubMessageId") or "",
        topic=doc.get("topic"),
        subscription=doc.get("subscription") or "",
        consumer=doc.get("consumer") or "",
        attempts=doc.get("attempts"),
        data=bytes(doc.get("data") or b""),
        attributes={str(k): str(v) for k, v in (doc.get("attributes") or {}).items()},
        size=int(doc.get("size") or 0),
        first_seen_at=seconds(doc.get("firstSeenAt")) or 0.0,
        channel=doc.get("channel"),
        account_id=doc.get("accountId"),
        state=LetterState(doc.get("state") or LetterState.DEAD),
        replays=int(doc.get("replays") or 0),
        replayed=_handled_from(doc, "replayed"),
        discarded=_handled_from(doc, "discarded"),
    )


def _handled_from(doc: dict[str, Any], prefix: str) -> Handled | None:
    at, uid = seconds(doc.get(f"{prefix}At")), doc.get(f"{prefix}By")
    return None if at is None or uid is None else Handled(uid=uid, at=at, name=doc.get(f"{prefix}ByName"))


class FirestoreLetterReader:
    """Pages as the other log views page (`FirestoreLogReader`); composite indexes on `consumer`, `state`
    and both, each with `firstSeenAt` descending (firestore.indexes.json)."""

    def __init__(self, db: firestore.Client) -> None:
        self._pages = FirestoreLogReader(db)

    def page(
        self, *, consumer: str | None, state: str | None, limit: int, after: str | None
    ) -> tuple[list[StoredLetter], str | None]:
        equals = tuple((f, v) for f, v in (("consumer", consumer), ("state", state)) if v)
        query = LogQuery(
            collection=DEAD_LETTERS, order="firstSeenAt", equals=equals, limit=limit, after=after
        )
        found, following = self._pages.page(query)
        return [from_doc(i, doc) for i, doc in found], following
