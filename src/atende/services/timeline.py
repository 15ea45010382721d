"""Every change a person (or distribution) makes to a conversation leaves two traces, in the same commit as
the change: a line on the conversation's timeline, which colleagues see, and an audit entry, which admins
review. Neither can exist without the other, nor without the change."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from atende.domain.conversation import Conversation
from atende.domain.message import Message
from atende.domain.staff import StaffMember
from atende.services.audit import AuditEntry
from atende.services.unit_of_work import UnitOfWork

CONVERSATIONS = "conversations"


@dataclass(frozen=True, kw_only=True)
class Author:
    """Who made the change, as the timeline and the audit log name them."""

    uid: str
    role: str
    name: str


DISTRIBUTION = Author(uid="distribution", role="system", name="Distribuição automática")


def record(
    uow: UnitOfWork,
    *,
    author: Author,
    action: str,
    before: Conversation,
    after: Conversation,
    text: str,
    now: float,
    details: dict[str, Any] | None = None,
) -> None:
    was, became = before.workflow_state(), after.workflow_state()
    event = {
        "type": action,
        "by": author.uid,
        "byName": author.name,
        "before": was,
        "after": became,
        **(details or {}),
    }
    uow.messages.add(
        Message.timeline_event(
            event_id=f"e_{uuid.uuid4().hex}",
            conversation_id=after.id,
            contact_id=after.contact_id,
            channel=after.channel,
            account_id=after.account_id,
            event=event,
            text=text,
            now=now,
        )
    )
    uow.audit_logs.add(
        AuditEntry(
            action=action,
            actor_uid=author.uid,
            actor_role=author.role,
            collection=CONVERSATIONS,
            target_id=after.id,
            at=now,
            before=was,
            after={**became, **(details or {})},
        )
    )


def recount(uow: UnitOfWork, before: Conversation, after: Conversation, now: float) -> None:
    """Keep each person's `openCount` equal to the open conversations they have (distribution trusts it)."""
    had = before.assignee if before.is_open else None
    has = after.assignee if after.is_open else None
    if had == has:
        return
    for uid, change in ((had, StaffMember.freed_one), (has, lambda m: m.took_one(now))):
        member = uow.staff.get(uid) if uid else None
        if member is not None:
            uow.staff.save(member, change(member))
