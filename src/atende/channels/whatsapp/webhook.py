"""WhatsApp Cloud API webhook → normalized events.

Walks every entry, change, message and status of a batch (Meta batches up to
1000 updates per POST). Kinds we do not know become `unsupported` messages
carrying their original type, so a new Meta kind is stored, never a crash.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from atende.channels.parsing import (
    Ignored,
    MalformedPayload,
    ParseResult,
    as_dict,
    as_list,
    epoch_seconds,
)
from atende.domain.content import (
    Audio,
    Button,
    Contacts,
    Content,
    Document,
    Image,
    Interactive,
    Location,
    Media,
    MessageContext,
    Order,
    PlatformError,
    Reaction,
    Sticker,
    System,
    Text,
    Unsupported,
    Video,
    malformed,
)
from atende.domain.events import InboundMessage, Sender, StatusUpdate
from atende.domain.model import Channel
from atende.domain.phone import to_e164

OBJECT = "whatsapp_business_account"
MEDIA: dict[str, type[Media]] = {
    "image": Image,
    "audio": Audio,
    "video": Video,
    "document": Document,
    "sticker": Sticker,
}
MEDIA_EXTRAS = ("caption", "filename", "voice", "animated")  # kept only when the payload has them


def parse(payload: Any) -> ParseResult:
    if not isinstance(payload, dict) or payload.get("object") != OBJECT:
        raise MalformedPayload(f"expected object '{OBJECT}'")
    result = ParseResult()
    for e, entry in enumerate(as_list(payload.get("entry"))):
        for c, change in enumerate(as_list(as_dict(entry).get("changes"))):
            where = f"entry[{e}].changes[{c}]"
            change = as_dict(change)
            if change.get("field") != "messages":
                result.ignored.append(Ignored(where, f"field '{change.get('field')}' is not a message"))
                continue
            _parse_value(as_dict(change.get("value")), where, result)
    return result


def _parse_value(value: dict[str, Any], where: str, result: ParseResult) -> None:
    account_id = str(as_dict(value.get("metadata")).get("phone_number_id") or "")
    if not account_id:
        result.ignored.append(Ignored(where, "no metadata.phone_number_id to route on"))
        return
    for err in as_list(value.get("errors")):
        result.ignored.append(
            Ignored(
                where,
                f"platform error {as_dict(err).get('code')}: "
                f"{as_dict(err).get('title') or as_dict(err).get('message')}",
            )
        )
    contacts = as_list(value.get("contacts"))
    profiles = _profiles(contacts)
    only_contact = as_dict(contacts[0]) if len(contacts) == 1 else {}
    for i, raw in enumerate(as_list(value.get("messages"))):
        message = _message(as_dict(raw), account_id, profiles, only_contact)
        if message is None:
            result.ignored.append(Ignored(f"{where}.messages[{i}]", "message without id or sender"))
        else:
            result.events.append(message)
    for i, raw in enumerate(as_list(value.get("statuses"))):
        status = _status(as_dict(raw), account_id)
        if status is None:
            result.ignored.append(Ignored(f"{where}.statuses[{i}]", "status without id or status"))
        else:
            result.events.append(status)


def _profiles(contacts: list[Any]) -> dict[str, dict[str, Any]]:
    """Index contact profiles by every id a message may name its sender with."""
    index: dict[str, dict[str, Any]] = {}
    for contact in map(as_dict, contacts):
        for key in ("wa_id", "user_id"):
            if contact.get(key):
                index[str(contact[key])] = contact
    return index


def _message(
    raw: dict[str, Any], account_id: str, profiles: dict[str, dict[str, Any]], only_contact: dict[str, Any]
) -> InboundMessage | None:
    # Username-era payloads may name the sender only in contacts[] or in the system notice.
    fallback = only_contact or as_dict(raw.get("system"))
    wa_id = _str(raw.get("from") or fallback.get("wa_id"))
    user_id = _str(raw.get("from_user_id") or fallback.get("user_id"))
    # Replies go to, and the conversation is keyed on, the canonical number: WhatsApp may report a
    # Brazilian mobile with or without the ninth digit, and both must be one conversation.
    phone = to_e164(wa_id)
    sender_id = (phone[1:] if phone else wa_id) or user_id
    if not raw.get("id") or not sender_id:
        return None
    contact = profiles.get(wa_id or sender_id) or (profiles.get(user_id) if user_id else None) or {}
    profile = as_dict(contact.get("profile"))
    user_id = user_id or (str(contact["user_id"]) if contact.get("user_id") else None)
    kind = str(raw.get("type") or "unknown")
    envelope: dict[str, Any] = {
        "channel": Channel.WHATSAPP,
        "account_id": account_id,
        "provider_message_id": str(raw["id"]),
        "sender": Sender(
            id=sender_id,
            name=_str(profile.get("name")),
            phone=phone,
            user_id=user_id,
            username=_str(profile.get("username")),
        ),
        "timestamp": epoch_seconds(raw.get("timestamp")),
    }
    try:
        text, content = _content(kind, as_dict(raw.get(kind)), raw)
        return InboundMessage(
            **envelope,
            text=text,
            content=content,
            context=_context(raw),
            errors=tuple(PlatformError.model_validate(as_dict(e)) for e in as_list(raw.get("errors"))),
        )
    except ValidationError as exc:
        return InboundMessage(**envelope, content=Unsupported(type=kind), errors=(malformed(kind, exc),))


def _str(value: Any) -> str | None:
    return str(value) if value else None


def _content(kind: str, body: dict[str, Any], raw: dict[str, Any]) -> tuple[str | None, Content]:
    """The text a person would read and the typed content, from the message's `type` and its body."""
    if kind == "text":
        return body.get("body"), Text()
    if kind in MEDIA:
        given = {key: body[key] for key in MEDIA_EXTRAS if key in body}
        media = MEDIA[kind](
            media_id=body.get("id"), mime_type=body.get("mime_type"), sha256=body.get("sha256"), **given
        )
        return media.caption, media
    if kind == "location":
        location = Location.model_validate(body)
        label = ", ".join(str(part) for part in (location.name, location.address) if part) or None
        return label, location
    if kind == "contacts":
        contacts = Contacts(contacts=as_list(raw.get("contacts")))
        names = [card.name.formatted_name for card in contacts.contacts if card.name]
        return ", ".join(n for n in names if n) or None, contacts
    if kind == "interactive":
        reply_type = str(body.get("type") or "")
        interactive = Interactive.model_validate({"type": reply_type, **as_dict(body.get(reply_type))})
        return interactive.title or interactive.body, interactive
    if kind == "button":
        button = Button.model_validate(body)
        return button.text, button
    if kind == "reaction":
        emoji = body.get("emoji") or ""
        return emoji or None, Reaction(reacted_to=body.get("message_id"), emoji=emoji, removed=not emoji)
    if kind == "order":
        order = Order.model_validate(body)
        return order.text, order
    if kind == "system":
        system = System.model_validate(body)
        return system.body, system
    return None, Unsupported(type=kind)


def _context(raw: dict[str, Any]) -> MessageContext:
    context: dict[str, Any] = {}
    ctx = as_dict(raw.get("context"))
    if ctx.get("id"):
        context["reply_to"] = ctx["id"]
    for flag in ("forwarded", "frequently_forwarded"):
        if ctx.get(flag):
            context[flag] = True
    if raw.get("referral"):
        context["referral"] = as_dict(raw["referral"])
    if raw.get("group_id"):
        context["group_id"] = raw["group_id"]
    return MessageContext.model_validate(context)


def _status(raw: dict[str, Any], account_id: str) -> StatusUpdate | None:
    if not raw.get("id") or not raw.get("status"):
        return None
    recipient = raw.get("recipient_id") or raw.get("recipient_user_id")
    return StatusUpdate(
        channel=Channel.WHATSAPP,
        account_id=account_id,
        provider_message_id=str(raw["id"]),
        status=str(raw["status"]),
        timestamp=epoch_seconds(raw.get("timestamp")),
        recipient_id=str(recipient) if recipient else None,
        errors=[as_dict(e) for e in as_list(raw.get("errors"))],
        pricing=as_dict(raw.get("pricing")),
        message_id=ours if isinstance(ours := raw.get("biz_opaque_callback_data"), str) else None,
    )
