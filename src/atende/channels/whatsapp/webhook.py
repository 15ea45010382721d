"""WhatsApp Cloud API webhook → normalized events.

Walks every entry, change, message and status of a batch (Meta batches up to
1000 updates per POST). Kinds we do not know become `unsupported` messages
carrying their original type, so a new Meta kind is stored, never a crash; a
message or status without a usable id, sender or account is rejected (recorded,
never published), as is one its consumer could not store.
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
    ident,
    plain_id,
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
MAX_WORD_CHARS = 64  # a message type or status name: Meta's are short words


def parse(payload: Any) -> ParseResult:
    if not isinstance(payload, dict) or payload.get("object") != OBJECT:
        raise MalformedPayload(f"expected object '{OBJECT}'")
    result = ParseResult()
    for e, entry in enumerate(as_list(payload.get("entry"))):
        for c, change in enumerate(as_list(as_dict(entry).get("changes"))):
            where = f"entry[{e}].changes[{c}]"
            change = as_dict(change)
            if (field := change.get("field")) != "messages":
                result.ignored.append(Ignored(where, f"field '{str(field)[:100]}' is not a message"))
                continue
            _parse_value(as_dict(change.get("value")), where, result)
    return result


def _parse_value(value: dict[str, Any], where: str, result: ParseResult) -> None:
    account_id = ident(as_dict(value.get("metadata")).get("phone_number_id"))
    if not account_id:
        result.reject(where, "no usable metadata.phone_number_id to route on", value)
        return
    for err in map(as_dict, as_list(value.get("errors"))):
        title = str(err.get("title") or err.get("message"))[:200]
        result.ignored.append(Ignored(where, f"platform error {ident(err.get('code'))}: {title}"))
    contacts = as_list(value.get("contacts"))
    profiles = _profiles(contacts)
    only_contact = as_dict(contacts[0]) if len(contacts) == 1 else {}
    for i, raw in enumerate(as_list(value.get("messages"))):
        here = f"{where}.messages[{i}]"
        message = _message(as_dict(raw), account_id, profiles, only_contact)
        if message is None:
            result.reject(here, "message without a usable id or sender", raw)
        else:
            result.emit(message, here, raw)
    for i, raw in enumerate(as_list(value.get("statuses"))):
        here = f"{where}.statuses[{i}]"
        status = _status(as_dict(raw), account_id)
        if status is None:
            result.reject(here, "status without a usable id or status", raw)
        else:
            result.emit(status, here, raw)


def _profiles(contacts: list[Any]) -> dict[str, dict[str, Any]]:
    """Index contact profiles by every id a message may name its sender with."""
    index: dict[str, dict[str, Any]] = {}
    for contact in map(as_dict, contacts):
        for key in ("wa_id", "user_id"):
            if contact_id := ident(contact.get(key)):
                index[contact_id] = contact
    return index


def _message(
    raw: dict[str, Any], account_id: str, profiles: dict[str, dict[str, Any]], only_contact: dict[str, Any]
) -> InboundMessage | None:
    # Username-era payloads may name the sender only in contacts[] or in the system notice.
    fallback = only_contact or as_dict(raw.get("system"))
    wa_id = ident(raw.get("from")) or ident(fallback.get("wa_id")) or None
    user_id = ident(raw.get("from_user_id")) or ident(fallback.get("user_id")) or None
    # Replies go to, and the conversation is keyed on, the canonical number: WhatsApp may report a
    # Brazilian mobile with or without the ninth digit, and both must be one conversation.
    phone = to_e164(wa_id)
    sender_id = (phone[1:] if phone else wa_id) or user_id
    provider_id = ident(raw.get("id"))
    if not provider_id or not sender_id:
        return None
    contact = profiles.get(wa_id or sender_id) or (profiles.get(user_id) if user_id else None) or {}
    profile = as_dict(contact.get("profile"))
    user_id = user_id or ident(contact.get("user_id")) or None
    kind = _word(raw.get("type")) or "unknown"
    envelope: dict[str, Any] = {
        "channel": Channel.WHATSAPP,
        "account_id": account_id,
        "provider_message_id": provider_id,
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
    """A name or username: Meta sends strings; anything else is dropped."""
    return value if isinstance(value, str) and value else None


def _word(value: Any) -> str:
    return value if isinstance(value, str) and len(value) <= MAX_WORD_CHARS else ""


def _content(kind: str, body: dict[str, Any], raw: dict[str, Any]) -> tuple[str | None, Content]:
    """The text a person would read and the typed content, from the message's `type` and its body."""
    if kind == "text":
        return body.get("body"), Text()
    if kind in MEDIA:
        given = {key: body[key] for key in MEDIA_EXTRAS if key in body}
        media = MEDIA[kind](
            media_id=plain_id(body.get("id")) or None,  # a Graph path segment
            mime_type=body.get("mime_type"),
            sha256=body.get("sha256"),
            **given,
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
    provider_id, status = ident(raw.get("id")), _word(raw.get("status"))
    if not provider_id or not status:
        return None
    recipient = ident(raw.get("recipient_id")) or ident(raw.get("recipient_user_id"))
    return StatusUpdate(
        channel=Channel.WHATSAPP,
        account_id=account_id,
        provider_message_id=provider_id,
        status=status,
        timestamp=epoch_seconds(raw.get("timestamp")),
        recipient_id=recipient or None,
        errors=[as_dict(e) for e in as_list(raw.get("errors"))],
        pricing=as_dict(raw.get("pricing")),
        message_id=plain_id(raw.get("biz_opaque_callback_data")) or None,  # ours: a message document id
    )
