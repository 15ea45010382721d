"""Core value types of a customer conversation."""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints

# What a provider id looks like when it can be part of a document id as is: wa_ids, PSIDs, phone number
# ids, BSUIDs ("BR.13491208655302741918"). Anything else is hashed (see `safe_part`).
_PLAIN = re.compile(r"[A-Za-z0-9._:+-]{1,200}")


class Channel(StrEnum):
    WHATSAPP = "whatsapp"
    MESSENGER = "messenger"
    INSTAGRAM = "instagram"
    WEBCHAT = "webchat"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"  # a private note or a timeline event: staff only, never sent


class Visibility(StrEnum):
    """Who may see a message: the customer's side too, or only the business's people."""

    PUBLIC = "public"
    INTERNAL = "internal"


class SenderType(StrEnum):
    CONTACT = "contact"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"


class MessageKind(StrEnum):
    """What a message is, independent of the platform that carried it."""

    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    DOCUMENT = "document"
    STICKER = "sticker"
    LOCATION = "location"
    CONTACTS = "contacts"
    INTERACTIVE = "interactive"
    BUTTON = "button"
    REACTION = "reaction"
    ORDER = "order"
    SYSTEM = "system"
    POSTBACK = "postback"
    TEMPLATE = "template"
    STORY_MENTION = "story_mention"  # Instagram: the customer mentioned the business in a story
    SHARE = "share"  # Instagram: a post or reel shared into the chat
    UNSUPPORTED = "unsupported"


class MessageStatus(StrEnum):
    RECEIVED = "received"
    QUEUED = "queued"
    SENDING = "sending"
    UNKNOWN = "unknown"  # the send may or may not have reached the platform: never re-sent blindly
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    PLAYED = "played"
    FAILED = "failed"
    NOTED = "noted"  # a private note or timeline event: stored for the staff, never sent


class ConversationStatus(StrEnum):
    """Queue state: the bot answers, a person is awaited, a person answers, or it is closed."""

    BOT = "bot"
    WAITING = "waiting"
    IN_SERVICE = "in_service"
    SNOOZED = "snoozed"  # set aside by a person until `snoozed_until`; the customer writing wakes it
    RESOLVED = "resolved"


class Route(StrEnum):
    """Who answers one inbound message."""

    AUTO = "auto"  # the bot
    HUMAN = "human"  # a person, after a handoff notice
    SILENT = "silent"  # nobody now: a person already has the conversation


class Priority(StrEnum):
    NORMAL = "normal"
    HIGH = "high"


class Role(StrEnum):
    """What a person signed in to the inbox may do (the `role` custom claim)."""

    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"


class Availability(StrEnum):
    ONLINE = "online"
    BUSY = "busy"
    AWAY = "away"


def stable_id(prefix: str, *parts: str) -> str:
    """A Firestore-safe document id derived from provider ids.

    Provider ids (wamids are base64) may contain '/', which Firestore forbids,
    and deriving the id is what makes a redelivered webhook land on the same
    document instead of creating a second one.
    """
    return f"{prefix}_{_digest(*parts)}"


def _digest(*parts: str) -> str:
    # surrogatepass: a lone surrogate must hash, not crash; such an id is never published anyway.
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def safe_part(value: str) -> str:
    """A raw id as a piece of a document id or key: readable when plain, else `h<digest>`.

    Plain ids (letters, digits, `._:+-`, up to 200 characters, never `.`/`..`) are kept so ids stay
    legible (`whatsapp_<phone_number_id>_<wa_id>`); an id with `/`, spaces, other characters or of any
    length is hashed, so what a sender controls can never make an invalid or oversized document id.
    """
    if _PLAIN.fullmatch(value) and value.strip(".") and not value.startswith("__"):
        return value
    return f"h{_digest(value)}"


# What a message's document id looks like (derived ids, `<id>_r`, `csat_<conversation>_<time>`): an id a
# request names is checked against it before any read, so it can never be an invalid or reserved document id.
MESSAGE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:+-]{0,699}$")
MessageId = Annotated[str, StringConstraints(pattern=MESSAGE_ID.pattern)]  # a request body's field


def message_doc_id(channel: str, provider_message_id: str) -> str:
    return stable_id("m", channel, provider_message_id)


def conversation_doc_id(channel: str, account_id: str, sender_id: str) -> str:
    """One conversation per person per business account on a channel.

    Readable on purpose (`whatsapp_<phone_number_id>_<wa_id>`), as in the
    system we grew from, with the account added because a business may run
    several numbers.
    """
    return "_".join(safe_part(p) for p in (channel, account_id, sender_id))
