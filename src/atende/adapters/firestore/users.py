"""A person who signs in (`users/{uid}`), and back (docs/data-model.md)."""

from __future__ import annotations

from typing import Any

from atende.adapters.firestore.codec import seconds, ts
from atende.domain.model import Availability, Role
from atende.domain.staff import StaffMember


def to_doc(member: StaffMember) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "displayName": member.display_name,
        "email": member.email,
        "role": str(member.role),
        "teams": list(member.teams),
        "availability": str(member.availability),
        "capacity": member.capacity,
        "openCount": member.open_count,
        "disabled": member.disabled,
        "createdAt": ts(member.created_at),
    }
    optional = {"lastAssignedAt": ts(member.last_assigned_at), "lastSeenAt": ts(member.last_seen_at)}
    return doc | {k: v for k, v in optional.items() if v is not None}


def from_doc(uid: str, doc: dict[str, Any]) -> StaffMember:
    return StaffMember(
        uid=uid,
        display_name=doc.get("displayName") or doc.get("email") or uid,
        email=doc.get("email") or "",
        role=Role(doc.get("role") or Role.AGENT),
        teams=tuple(doc.get("teams") or ()),
        availability=Availability(doc.get("availability") or Availability.AWAY),
        capacity=int(doc.get("capacity") or 0),
        open_count=int(doc.get("openCount") or 0),
        disabled=bool(doc.get("disabled")),
        last_assigned_at=seconds(doc.get("lastAssignedAt")),
        last_seen_at=seconds(doc.get("lastSeenAt")),
        created_at=seconds(doc.get("createdAt")),
    )
