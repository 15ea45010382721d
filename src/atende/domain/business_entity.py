"""A business entity the follow-up rules read: a proposal sent, a payment pending, a sign-up whose
onboarding is not finished, a prospect contacted. The business provides them (its ERP, or pushed to the
`events` function); Atende never decides their status, it only remembers the latest one it was told.

Senders retry and reorder, so an upsert is decided by the sender's `updatedAt`: an older version never
replaces a newer one, the same version twice changes nothing. A new status (or a new `since`) opens a new
follow-up window; the tick closes it once it has nudged the customer (`followup_pending`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from atende.domain.contacts import identity_key
from atende.domain.model import safe_part


class EntityKind(StrEnum):
    PROPOSAL = "proposal"
    PAYMENT = "payment"
    SIGNUP = "signup"
    PROSPECT = "prospect"


class Upsert(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # the same version again (a retry)
    STALE = "stale"  # older than what we have: arrived out of order, ignored


@dataclass(frozen=True, kw_only=True)
class EntityContact:
    """Who the entity is about, as the business knows them; matched to a contact by identity."""

    contact_id: str | None = None
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    persona: str | None = None
    channel: str | None = None  # the channel the business prefers for this person

    def identity_keys(self) -> list[str]:
        keys = [identity_key("phone", self.phone)] if self.phone else []
        return keys + ([identity_key("email", self.email)] if self.email else [])


@dataclass(frozen=True, kw_only=True)
class BusinessEntity:
    kind: EntityKind
    external_id: str
    status: str
    since: float  # when the current status began: what a rule's delay counts from
    updated_at: float  # the sender's version of this entity
    contact: EntityContact = field(default_factory=EntityContact)
    data: dict[str, Any] = field(default_factory=dict)
    followup_pending: bool = True  # no follow-up sent yet for this status
    source: str = "events"  # "events" (stored in Firestore) or "erp" (read through from the ERP)

    @property
    def id(self) -> str:
        return entity_id(self.kind, self.external_id)

    def upserted(self, incoming: BusinessEntity) -> tuple[BusinessEntity, Upsert]:
        """This entity after the sender's `incoming` version; a newer status reopens the follow-up."""
        if incoming.updated_at < self.updated_at:
            return self, Upsert.STALE
        same_state = (incoming.status, incoming.since) == (self.status, self.since)
        merged = replace(incoming, followup_pending=self.followup_pending if same_state else True)
        if merged == self:
            return self, Upsert.UNCHANGED
        return merged, Upsert.UPDATED

    def followed_up(self) -> BusinessEntity:
        return replace(self, followup_pending=False)

    def window(self) -> str:
        """Identifies this status period in the follow-up's idempotency record."""
        return str(int(self.since))


def entity_id(kind: str, external_id: str) -> str:
    return f"{kind}_{safe_part(external_id)}"
