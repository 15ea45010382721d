"""The contact aggregate as a `contacts/{id}` document, and the identity index `contact_identities/{key}`."""

from __future__ import annotations

from typing import Any

from atende.adapters.firestore.codec import seconds, ts
from atende.domain.contact import Contact
from atende.domain.model import Channel
from atende.domain.opt_out import OptOut

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
        "optOut": _opt_out_doc(contact.opt_out) if contact.opt_out else None,
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
        opt_out=_opt_out(doc.get("optOut")),
    )


def _opt_out_doc(opt_out: OptOut) -> dict[str, Any]:
    return {
        "all": opt_out.all,
        "channels": list(opt_out.channels),
        "at": ts(opt_out.at),
        "keyword": opt_out.keyword,
    }


def _opt_out(doc: Any) -> OptOut | None:
    if not isinstance(doc, dict):
        return None
    return OptOut(
        all=bool(doc.get("all")),
        channels=tuple(doc.get("channels") or ()),
        at=seconds(doc.get("at")),
        keyword=doc.get("keyword"),
    )


def identity_doc(contact_id: str) -> dict[str, Any]:
    return {"contactId": contact_id}
