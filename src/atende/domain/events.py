"""Normalized events that cross Pub/Sub between the functions.

The webhook functions turn each platform's payload into these; everything
downstream speaks only this vocabulary. They serialise to compact JSON so a
Pub/Sub message stays far below the 512 KB event limit. On the wire a message's
kind sits beside its content (as in Firestore); in memory the content carries it.

`encode` is also the gate of what may cross: an event that could not be stored
by its consumer (invalid unicode, nested deeper than Firestore allows, integers
beyond 64 bits, too large) raises `Unpublishable`, and the webhook records the
item as rejected instead of publishing a poison message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializerFunctionWrapHandler,
    field_serializer,
    model_serializer,
    model_validator,
)

from atende.domain.content import (
    AnyContent,
    Button,
    Interactive,
    MessageContext,
    PlatformError,
    Postback,
    content_from_doc,
)
from atende.domain.model import (
    Channel,
    MessageKind,
    conversation_doc_id,
    message_doc_id,
    safe_part,
    stable_id,
)

# A consumer stores an event's maps inside a document: Firestore allows 20 levels of nesting and 1 MiB
# per document, and integers of 64 bits.
MAX_EVENT_BYTES = 256 * 1024
MAX_DEPTH = 16
_INT64 = range(-(2**63), 2**63)
WEB_CHAT_SENDER_FIELDS = ("email", "verified_identity")


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True)


class Sender(_Event):
    """Who wrote: every identity the platform gave us for this person."""

    id: str  # the id the platform addresses replies to (wa_id, BSUID, PSID, IGSID)
    name: str | None = None
    phone: str | None = None  # E.164 with '+', when the platform shares it
    user_id: str | None = None  # WhatsApp business-scoped user id (usernames era)
    username: str | None = None
    email: str | None = None  # web chat: what the visitor typed in a form (kept, never an identity)
    # Web chat: an identity key (`email:…`, `phone:+…`, `cpf:…`) the site proved with its secret.
    verified_identity: str | None = None

    @model_serializer(mode="wrap")
    def _web_chat_fields_only_when_given(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Meta's events keep the wire form they always had."""
        data = handler(self)
        for key in WEB_CHAT_SENDER_FIELDS:
            if data.get(key) is None:
                data.pop(key, None)
        return data


class InboundMessage(_Event):
    channel: Channel
    account_id: str  # phone_number_id, Page id or Instagram account id
    provider_message_id: str
    sender: Sender
    timestamp: float  # seconds since the epoch, as the platform stamped it
    content: AnyContent  # what was sent, by kind (media id, coordinates, tapped option…)
    text: str | None = None  # what a person would read: body, caption, button title
    context: MessageContext = MessageContext()  # reply-to, forwarded, referral
    errors: tuple[PlatformError, ...] = ()
    echo: bool = False  # sent by the business from Meta's own apps

    @model_validator(mode="before")
    @classmethod
    def _content_takes_its_kind(cls, data: Any) -> Any:
        """The JSON form keeps `kind` beside a content map without it (none: empty); here the content
        carries it."""
        if not isinstance(data, Mapping) or "kind" not in data:
            return data
        data = dict(data)
        kind, content = data.pop("kind"), data.get("content", {})
        if isinstance(content, Mapping):
            data["content"] = content_from_doc(kind, content)
        elif getattr(content, "kind", None) != kind:
            raise ValueError(f"kind {kind!r} does not match the content given")
        return data

    @field_serializer("content", "context")
    def _doc(self, part: AnyContent | MessageContext) -> dict[str, Any]:
        return part.to_doc()

    @field_serializer("errors")
    def _error_docs(self, errors: tuple[PlatformError, ...]) -> list[dict[str, Any]]:
        return [error.to_doc() for error in errors]

    @property
    def choice_id(self) -> str | None:
        """The id behind a tapped list row, reply button, template quick reply, quick reply or postback."""
        match self.content:
            case Interactive(id=value) if value:
                return value
            case Interactive(payload=value) | Button(payload=value) | Postback(payload=value) if value:
                return value
        return None

    @property
    def kind(self) -> MessageKind:
        return self.content.kind

    @property
    def message_id(self) -> str:
        return message_doc_id(self.channel, self.provider_message_id)

    @property
    def conversation_id(self) -> str:
        return conversation_doc_id(self.channel, self.account_id, self.sender.id)

    @property
    def ordering_key(self) -> str:
        return self.conversation_id


class StatusUpdate(_Event):
    channel: Channel
    account_id: str
    provider_message_id: str
    status: str
    timestamp: float
    recipient_id: str | None = None
    errors: list[dict[str, Any]] = []
    pricing: dict[str, Any] = {}
    # Messenger reads and deliveries may name no message, only "everything sent before this time"
    # (seconds); provider_message_id is then empty and recipient_id names the conversation.
    watermark: float | None = None
    # Our own message id, when the platform hands back what we sent with the message (WhatsApp's
    # biz_opaque_callback_data): the status finds its message without the provider-id alias.
    message_id: str | None = None

    @property
    def ordering_key(self) -> str:
        target = self.recipient_id or self.provider_message_id
        return f"{self.channel}:{safe_part(self.account_id)}:{safe_part(target)}"


class RejectedItem(_Event):
    """A webhook item that can never be processed, answered 200 so Meta does not retry it.

    Published on the inbound topic beside the messages (the webhook stays free of Firestore);
    `ai_reply` records it in `omni_logs`.
    """

    channel: Channel
    where: str  # its place in the webhook body, e.g. entry[0].changes[0].value.messages[3]
    reason: str
    excerpt: str  # the item as JSON, ASCII-escaped, cut at 2 KB
    received_at: float

    @property
    def ordering_key(self) -> str:
        return f"rejected:{self.channel}"

    @property
    def log_id(self) -> str:
        """The same item redelivered is recorded once."""
        return stable_id("r", self.channel, self.where, self.reason, self.excerpt)


class ForgedSignatures(_Event):
    """Webhook requests one instance refused for their signature, counted in memory and published at most
    once a minute (`services/webhook.py`); `ai_reply` adds the count to the channel's health. Nothing of a
    forged body crosses."""

    channel: Channel
    count: int
    at: float  # the last refusal counted

    @property
    def ordering_key(self) -> str:
        return f"forged:{self.channel}"


class Unpublishable(ValueError):
    """An event its consumer could never store: the item is rejected, not published."""


Event = InboundMessage | StatusUpdate | RejectedItem | ForgedSignatures

_TYPES: dict[str, type[Event]] = {
    "inbound_message": InboundMessage,
    "status_update": StatusUpdate,
    "rejected_item": RejectedItem,
    "forged_signatures": ForgedSignatures,
}
_NAMES = {cls: name for name, cls in _TYPES.items()}


def encode(event: Event) -> bytes:
    """The Pub/Sub form of an event; raises Unpublishable when its consumer could not store it."""
    try:
        body = event.model_dump(mode="json")
        if isinstance(event, InboundMessage):
            body["kind"] = str(event.kind)
        _check_storable(body, 0)
        data = json.dumps(
            {"type": _NAMES[type(event)], **body}, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        ).encode()
    except Unpublishable:
        raise
    except UnicodeEncodeError as exc:
        raise Unpublishable(f"text that is not valid unicode ({exc.reason})") from exc
    except (ValueError, RecursionError) as exc:  # pydantic's serialization errors are ValueErrors
        raise Unpublishable(str(exc)[:200]) from exc
    if len(data) > MAX_EVENT_BYTES:
        raise Unpublishable(f"{len(data)} bytes once normalized, more than {MAX_EVENT_BYTES}")
    return data


def _check_storable(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise Unpublishable(f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, dict):
        for item in value.values():
            _check_storable(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_storable(item, depth + 1)
    elif isinstance(value, int) and not isinstance(value, bool) and value not in _INT64:
        raise Unpublishable("an integer beyond 64 bits")


def decode(data: bytes | str) -> Event:
    """Rebuild an event; raises ValueError on anything that is not one of ours."""
    try:
        raw = json.loads(data)
        cls = _TYPES[raw.pop("type")]
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not an Atende event: {exc}") from exc
    return cls.model_validate(raw)  # pydantic's ValidationError is a ValueError
