"""Where a contact can be reached: one person, every identity they have (wa_id, user id, PSID, IGSID, phone).

Identity keys are `<channel>:<id>`, `whatsapp_user:<bsuid>`, `phone:+E164` and
`email:<address>`; each maps to exactly one contact (see the repository's
`contact_identities` index). A WhatsApp conversation can be opened from a phone
alone; Messenger and Instagram need the page-scoped id the customer gave us.
"""

from __future__ import annotations

from dataclasses import dataclass

from atende.domain.model import Channel
from atende.domain.phone import to_e164


@dataclass(frozen=True)
class Address:
    recipient_id: str  # what replies are addressed to, and what the conversation is keyed on
    phone: str | None = None


def identity_key(kind: str, value: str) -> str:
    """The index key for an identity; phones are canonical so both Brazilian forms collide."""
    if kind == "phone":
        return f"phone:{to_e164(value) or value}"
    if kind == "email":
        return f"email:{value.strip().lower()}"
    return f"{kind}:{value}"


def address_on(channel: Channel | str, identities: list[str]) -> Address | None:
    channel = Channel(channel)
    prefix = f"{channel}:"
    phones = [k[len("phone:") :] for k in identities if k.startswith("phone:")]
    for key in identities:
        if key.startswith(prefix):
            recipient = key[len(prefix) :]
            phone = to_e164(recipient) if channel == Channel.WHATSAPP else None
            return Address(recipient, phone)
    if channel == Channel.WHATSAPP:
        if phones:
            return Address(phones[0].lstrip("+"), phones[0])
        user_ids = [k.split(":", 1)[1] for k in identities if k.startswith("whatsapp_user:")]
        if user_ids:
            return Address(user_ids[0])
    return None


CHANNEL_NAMES = {Channel.WHATSAPP: "WhatsApp", Channel.MESSENGER: "Messenger", Channel.INSTAGRAM: "Instagram"}


def unreachable_reason(channel: Channel | str) -> str:
    """pt-BR, for the agent who tried to continue on a channel the contact never used."""
    name = CHANNEL_NAMES.get(Channel(channel), str(channel))
    return f"Este contato não tem {name} cadastrado"
