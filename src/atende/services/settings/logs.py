"""The admin's views of what happened: the audit log (who changed what) and the AI log (why the bot did
what it did), paged newest first, with the AI log's personal data masked again on the way out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from atende.domain import masking
from atende.domain.staff import Actor
from atende.services.settings.store import Doc, only_admins

AUDIT_LOGS = "audit_logs"
IA_LOGS = "ia_logs"
MAX_PAGE = 100


@dataclass(frozen=True, kw_only=True)
class LogQuery:
    """Documents of `collection` whose `equals` fields match, newest first by `order` (epoch seconds
    `since` ≤ t < `until`); `at_most` (field, value) keeps those at or below a number, judged while
    reading, so a page may hold fewer than `limit` when few match."""

    collection: str
    order: str
    equals: tuple[tuple[str, Any], ...] = ()
    since: float | None = None
    until: float | None = None
    at_most: tuple[str, float] | None = None
    limit: int = 50
    after: str | None = None  # the id of the last document of the previous page


class LogReader(Protocol):
    def page(self, query: LogQuery) -> tuple[list[tuple[str, Doc]], str | None]:
        """The page's (id, document) pairs and the cursor of the next page (None: no more)."""

    def one(self, collection: str, doc_id: str) -> Doc | None: ...


def page_limit(size: int | None) -> int:
    """A console list's page: 50 unless asked, never more than MAX_PAGE (each is one read per row)."""
    return max(1, min(MAX_PAGE, size or 50))


class LogViews:
    def __init__(self, reader: LogReader) -> None:
        self.reader = reader

    def audit(
        self,
        actor: Actor,
        *,
        who: str | None = None,
        action: str | None = None,
        target: str | None = None,
        since: float | None = None,
        until: float | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        only_admins(actor)
        equals = [("actor.uid", who), ("action", action)]
        if target:
            collection, _, doc_id = target.rpartition("/")
            equals += [("target.id", doc_id), ("target.collection", collection or None)]
        query = LogQuery(
            collection=AUDIT_LOGS,
            order="at",
            equals=tuple((f, v) for f, v in equals if v),
            since=since,
            until=until,
            limit=page_limit(page_size),
            after=cursor,
        )
        items, following = self.reader.page(query)
        return {"items": [{"id": i, **doc} for i, doc in items], "next": following}

    def ia_logs(
        self,
        actor: Actor,
        *,
        conversation_id: str | None = None,
        message_id: str | None = None,
        handoff: bool = False,
        max_confidence: float | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        only_admins(actor)
        if message_id:  # the log's id is the message's
            doc = self.reader.one(IA_LOGS, message_id)
            keep = doc is not None and (not conversation_id or doc.get("conversationId") == conversation_id)
            return {"items": [masked(message_id, doc)] if keep and doc else [], "next": None}
        equals = [("conversationId", conversation_id), ("decision.route", "human" if handoff else None)]
        query = LogQuery(
            collection=IA_LOGS,
            order="timestamp",
            equals=tuple((f, v) for f, v in equals if v),
            at_most=("triage.confidence", max_confidence) if max_confidence is not None else None,
            limit=page_limit(page_size),
            after=cursor,
        )
        items, following = self.reader.page(query)
        return {"items": [masked(i, doc) for i, doc in items], "next": following}


def masked(log_id: str, doc: Doc) -> Doc:
    """An AI log as shown: prompt, response and tool arguments through the masking the log was written
    with, so an entry stored before a masking rule existed shows no more than a new one."""
    tools = [{**c, "args": masking.mask_value(c.get("args"))} for c in doc.get("toolsCalled") or []]
    return {
        "id": log_id,
        **doc,
        "prompt": masking.mask_text(doc.get("prompt")),
        "response": masking.mask_text(doc.get("response")),
        "toolsCalled": tools,
    }
