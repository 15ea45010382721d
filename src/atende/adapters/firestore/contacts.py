"""The contact aggregate as a `contacts/{id}` document, and the identity index `contact_identities/{key}`."""

from __future__ import annotations

from typing import Any

from atende.domain.contact import Contact
from atende.domain.model import Channel

PROFILE_FIELDS = ("tier", "plan", "preferences")


def to_doc(contact: Contact) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "persona": contact.persona,
        "identities": list(contact.identities),
        **contact.profile,
    }
    optional = {
        "name": contact.name,
        "phones": list(contact.phones) or None,
        "emails": list(contact.emails) or None,
        "lastChannel": str(contact.last_channel) if contact.last_channel else None,
        "erpCustomerId": contact.erp_customer_id,
    }
    return doc | {k: v for k, v in optional.items() if v is not None}


def from_doc(contact_id: str, doc: dict[str, Any]) -> Contact:
    channel = doc.get("lastChannel")
    return Contact(
        id=contact_id,
        name=doc.get("name"),
        persona=doc.get("persona") or "cliente",
        identities=tuple(doc.get("identities") or ()),
        phones=tuple(doc.get("phones") or ()),
        emails=tuple(doc.get("emails") or ()),
        last_channel=Channel(channel) if channel else None,
        erp_customer_id=doc.get("erpCustomerId"),
        profile={k: doc[k] for k in PROFILE_FIELDS if k in doc},
    )


def identity_doc(contact_id: str) -> dict[str, Any]:
    return {"contactId": contact_id}
