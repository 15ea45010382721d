"""The contact: one person across every channel, and the rules that merge what each channel tells us.

Every identity a platform gives (wa_id, WhatsApp user id, PSID, IGSID, phone,
e-mail) maps to exactly one contact through an identity index; the first
identity of a person's first message names the contact, so two deliveries of
that message can never create two contacts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from atende.domain.events import InboundMessage
from atende.domain.model import Channel, safe_part, stable_id

DEFAULT_PERSONA = "cliente"


def identity_keys(message: InboundMessage) -> list[str]:
    """Every identity of the sender, most specific first; each maps to one contact.

    Keys are `contact_identities` document ids, so a raw id that is not plain is hashed (`safe_part`).
    """
    sender = message.sender
    keys = [f"{message.channel}:{safe_part(sender.id)}"]
    if sender.user_id and sender.user_id != sender.id:
        keys.append(f"{message.channel}_user:{safe_part(sender.user_id)}")
    if sender.phone and message.channel != Channel.WEBCHAT:  # a visitor's phone is only what they typed
        keys.append(f"phone:{safe_part(sender.phone)}")
    if sender.verified_identity:  # proven by the site's secret (web chat): links the person's other channels
        keys.append(sender.verified_identity)
    return keys


def contact_id_for(keys: list[str], owners: dict[str, str], conversation_contact: str | None) -> str:
    """Which contact a message belongs to: its conversation's, else an identity's owner, else a new one."""
    known = next((owners[k] for k in keys if k in owners), None)
    return conversation_contact or known or stable_id("c", keys[0])


@dataclass(frozen=True, kw_only=True)
class Contact:
    id: str
    name: str | None = None
    persona: str = DEFAULT_PERSONA
    identities: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()  # as typed in a web-chat form, or proven by the site (then also a key)
    last_channel: Channel | None = None
    erp_customer_id: str | None = None  # the ERP customer this person proved to be
    # What the business keeps about the person (tier, plan, preferences such as language).
    profile: dict[str, object] = field(default_factory=dict)

    @classmethod
    def new(cls, contact_id: str, *, persona: str | None) -> Contact:
        return cls(id=contact_id, persona=persona or DEFAULT_PERSONA)

    def seen(self, message: InboundMessage) -> Contact:
        """Merge what a message tells about its sender: identities and phones add up, a name is kept once
        known (a customer's own profile name never overwrites what an agent may have set)."""
        keys = identity_keys(message)
        sender = message.sender
        return replace(
            self,
            name=self.name or sender.name,
            identities=_union(self.identities, keys),
            phones=_union(self.phones, [sender.phone] if sender.phone else []),
            emails=_union(self.emails, [sender.email] if sender.email else []),
            last_channel=Channel(message.channel),
        )

    def verified_as(self, customer_id: str) -> Contact:
        return replace(self, erp_customer_id=customer_id)

    def with_identity(self, key: str) -> Contact:
        return replace(self, identities=_union(self.identities, [key]))


def _union(existing: tuple[str, ...], new: list[str]) -> tuple[str, ...]:
    return (*existing, *(k for k in dict.fromkeys(new) if k not in existing))
