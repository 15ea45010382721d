"""What a visitor sends through the widget → an `InboundMessage` on `Channel.WEBCHAT`.

Pure, like the Meta parsers: the `webchat` function has already checked the visitor's token, the body and
the file, and hands over typed values. A tapped button or list row becomes an `interactive` message exactly
like WhatsApp's `button_reply`, so flows and the routing treat it the same; a file already kept in the
media store is referenced by its path; a message left in the offline form carries `offline_form`, which
routes it to a person.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass

from atende.domain.content import Content, Document, Image, Interactive, MessageContext, Text
from atende.domain.events import InboundMessage, Sender
from atende.domain.media import visitor_upload_prefix
from atende.domain.model import Channel
from atende.domain.phone import to_e164
from atende.domain.visitor import VisitorClaims

KINDS: dict[str, type[Image] | type[Document]] = {
    "image/jpeg": Image,
    "image/png": Image,
    "image/webp": Image,
    "application/pdf": Document,
}
CLIENT_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def upload_prefix(visitor: VisitorClaims) -> str:
    return visitor_upload_prefix(visitor.site, visitor.visitor_id)


def provider_message_id(visitor: VisitorClaims, client_id: str) -> str:
    """The widget's per-message UUID makes a retried POST the same message, stored once."""
    return f"wc_{visitor.visitor_id}_{client_id.lower()}"


@dataclass(frozen=True, kw_only=True)
class Profile:
    """What the visitor told about themselves (pre-chat or offline form): kept on the contact, never proof."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, kw_only=True)
class KeptFile:
    path: str
    mime_type: str
    url: str  # short-lived, for the inbox and the widget to show it


@dataclass(frozen=True, kw_only=True)
class VisitorMessage:
    client_id: str
    text: str | None = None
    attachment: KeptFile | None = None
    reply_id: str | None = None  # the id of a tapped button or list row
    offline_form: bool = False


def normalize(
    visitor: VisitorClaims,
    message: VisitorMessage,
    now: float,
    *,
    profile: Profile = Profile(),
    verified_identity: str | None = None,
    greeted: bool = False,
) -> InboundMessage:
    text = (message.text or "").strip() or None
    content: Content
    if message.attachment is not None:
        file = message.attachment
        content = KINDS[file.mime_type](
            media_id=file.path,
            mime_type=file.mime_type,
            url=file.url,
            filename=file.path.rsplit("/", 1)[-1],
            **({"caption": text} if text else {}),
        )
    elif message.reply_id is not None:
        content = Interactive(type="button_reply", id=message.reply_id, title=text)
    else:
        content = Text()
    phone = to_e164(profile.phone) if profile.phone else None
    return InboundMessage(
        channel=Channel.WEBCHAT,
        account_id=visitor.site,
        provider_message_id=provider_message_id(visitor, message.client_id),
        sender=Sender(
            id=visitor.visitor_id,
            name=profile.name or None,
            phone=phone,
            email=profile.email.strip().lower() if profile.email else None,
            verified_identity=verified_identity if visitor.verified else None,
        ),
        timestamp=now,
        content=content,
        text=text,
        # A form left for a person gets no bot answer, so the greeting has nothing to stand in for.
        context=MessageContext(offline_form=True)
        if message.offline_form
        else MessageContext(greeted=True if greeted else None),
    )


def extension(mime_type: str) -> str:
    return {"image/jpeg": ".jpg"}.get(mime_type) or mimetypes.guess_extension(mime_type) or ""
