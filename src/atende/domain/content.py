"""What an inbound message says, typed: one frozen model per content shape, plus its context and errors.

The webhook parsers build these from Meta's payloads; consumers match on the type
(`case Image()`, `case Interactive()`) instead of looking keys up in a dict.

Every model tolerates fields Meta adds later (kept, not dropped) and is validated
where Meta is strict (types of known fields). Stored and sent documents keep the
shape the platform gave: a key is in `to_doc()` exactly when the parser set it,
even to None, so the Firestore maps the inbox reads (`content`, `context`,
`errors`) are the same as when they were plain dicts. Kinds: `MessageKind`; the
content of a message carries its kind, the documents do not (it sits beside them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from atende.domain.model import MessageKind


class Part(BaseModel):
    """A typed piece of a message, as Meta sent it."""

    model_config = ConfigDict(frozen=True, extra="allow", coerce_numbers_to_str=True)

    def to_doc(self) -> dict[str, Any]:
        """The JSON map stored in Firestore and sent over Pub/Sub: only the keys that were given."""
        return self.model_dump(mode="json", exclude_unset=True)

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Self:
        return cls.model_validate(doc)


# --- parts ---------------------------------------------------------------------------------------------


class Attachment(Part):
    """One Messenger/Instagram attachment, reduced to what can be shown or fetched."""

    type: str | None = None
    url: str | None = None
    title: str | None = None
    sticker_id: str | None = None
    id: str | None = None


class ContactName(Part):
    formatted_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    prefix: str | None = None
    suffix: str | None = None


class ContactPhone(Part):
    phone: str | None = None
    wa_id: str | None = None
    type: str | None = None


class ContactEmail(Part):
    email: str | None = None
    type: str | None = None


class ContactAddress(Part):
    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    country_code: str | None = None
    type: str | None = None


class ContactOrg(Part):
    company: str | None = None
    department: str | None = None
    title: str | None = None


class ContactUrl(Part):
    url: str | None = None
    type: str | None = None


class ContactCard(Part):
    """A contact card the customer shared (WhatsApp)."""

    name: ContactName | None = None
    phones: tuple[ContactPhone, ...] | None = None
    emails: tuple[ContactEmail, ...] | None = None
    addresses: tuple[ContactAddress, ...] | None = None
    org: ContactOrg | None = None
    urls: tuple[ContactUrl, ...] | None = None
    birthday: str | None = None
    vcard: str | None = None


class OrderItem(Part):
    product_retailer_id: str | None = None
    quantity: int | str | None = None  # Meta documents a number, some payloads carry a string
    item_price: int | float | str | None = None
    currency: str | None = None


# --- content, one model per kind -------------------------------------------------------------------------


class Content(Part):
    kind: MessageKind

    def to_doc(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True, exclude={"kind"})


class Attached(Content):
    """Content built from Messenger/Instagram attachments: every attachment of the message is kept."""

    attachments: tuple[Attachment, ...] | None = None
    sticker_id: str | None = None


class Text(Attached):
    kind: Literal[MessageKind.TEXT] = MessageKind.TEXT
    url: str | None = None  # Messenger's legacy "fallback" attachment: a link


class Media(Attached):
    """A file the customer sent: WhatsApp names it by media id, Messenger and Instagram by CDN URL."""

    media_id: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    voice: bool | None = None  # a WhatsApp voice note, not an audio file
    animated: bool | None = None  # an animated WhatsApp sticker
    url: str | None = None


class Image(Media):
    kind: Literal[MessageKind.IMAGE] = MessageKind.IMAGE


class Audio(Media):
    kind: Literal[MessageKind.AUDIO] = MessageKind.AUDIO


class Video(Media):
    kind: Literal[MessageKind.VIDEO] = MessageKind.VIDEO


class Document(Media):
    kind: Literal[MessageKind.DOCUMENT] = MessageKind.DOCUMENT


class Sticker(Media):
    kind: Literal[MessageKind.STICKER] = MessageKind.STICKER


class StoryMention(Media):
    kind: Literal[MessageKind.STORY_MENTION] = MessageKind.STORY_MENTION


class Share(Media):
    """An Instagram post or reel shared into the chat."""

    kind: Literal[MessageKind.SHARE] = MessageKind.SHARE


class Location(Attached):
    kind: Literal[MessageKind.LOCATION] = MessageKind.LOCATION
    latitude: float | None = None
    longitude: float | None = None
    name: str | None = None
    address: str | None = None
    url: str | None = None


class Contacts(Content):
    kind: Literal[MessageKind.CONTACTS] = MessageKind.CONTACTS
    contacts: tuple[ContactCard, ...] = ()


class Interactive(Content):
    """A tapped reply button, list row or quick reply, or a submitted WhatsApp Flow."""

    kind: Literal[MessageKind.INTERACTIVE] = MessageKind.INTERACTIVE
    type: str | None = None  # button_reply, list_reply, nfm_reply, quick_reply…
    id: str | None = None
    title: str | None = None
    description: str | None = None
    payload: str | None = None  # Messenger/Instagram quick reply
    body: str | None = None  # Flow reply
    name: str | None = None
    response_json: str | None = None


class Button(Content):
    """A quick-reply button of a WhatsApp template."""

    kind: Literal[MessageKind.BUTTON] = MessageKind.BUTTON
    payload: str | None = None
    text: str | None = None


class Reaction(Content):
    kind: Literal[MessageKind.REACTION] = MessageKind.REACTION
    reacted_to: str | None = None  # the platform's id of the message reacted to
    emoji: str = ""
    removed: bool = False
    reaction: str | None = None  # Messenger/Instagram's name for it ("love", "sad"…)


class Order(Content):
    kind: Literal[MessageKind.ORDER] = MessageKind.ORDER
    catalog_id: str | None = None
    text: str | None = None
    product_items: tuple[OrderItem, ...] | None = None


class System(Content):
    """A WhatsApp system notice: the customer changed number or user id."""

    kind: Literal[MessageKind.SYSTEM] = MessageKind.SYSTEM
    body: str | None = None
    type: str | None = None
    wa_id: str | None = None
    new_wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None


class Postback(Content):
    kind: Literal[MessageKind.POSTBACK] = MessageKind.POSTBACK
    payload: str | None = None
    title: str | None = None


class Template(Attached):
    """A Messenger structured message (button, generic, product, receipt… template) as received, or an
    approved WhatsApp message template as sent (`name`, `language`, `params`)."""

    kind: Literal[MessageKind.TEMPLATE] = MessageKind.TEMPLATE
    template_type: str | None = None
    name: str | None = None
    language: str | None = None
    params: tuple[str, ...] | None = None


class Unsupported(Attached):
    """A kind Atende does not know (or could not read): kept with the platform's name for it."""

    kind: Literal[MessageKind.UNSUPPORTED] = MessageKind.UNSUPPORTED
    type: str | None = None


AnyContent = Annotated[
    Text
    | Image
    | Audio
    | Video
    | Document
    | Sticker
    | Location
    | Contacts
    | Interactive
    | Button
    | Reaction
    | Order
    | System
    | Postback
    | Template
    | StoryMention
    | Share
    | Unsupported,
    Field(discriminator="kind"),
]
_ANY_CONTENT: TypeAdapter[AnyContent] = TypeAdapter(AnyContent)


def content_from_doc(kind: str, doc: Mapping[str, Any]) -> AnyContent:
    """Rebuild content from its stored map and the message's kind, which is kept beside it."""
    return _ANY_CONTENT.validate_python({**doc, "kind": kind})


# --- context and errors ----------------------------------------------------------------------------------


class AdsContext(Part):
    ad_title: str | None = None
    photo_url: str | None = None
    video_url: str | None = None
    post_id: str | None = None
    product_id: str | None = None
    flow_id: str | None = None


class Referral(Part):
    """Where the conversation came from: a click-to-WhatsApp/Messenger ad, an m.me link, a shortlink."""

    # WhatsApp
    source_url: str | None = None
    source_id: str | None = None
    source_type: str | None = None
    headline: str | None = None
    body: str | None = None
    media_type: str | None = None
    image_url: str | None = None
    video_url: str | None = None
    thumbnail_url: str | None = None
    ctwa_clid: str | None = None
    # Messenger / Instagram
    ref: str | None = None
    source: str | None = None
    type: str | None = None
    ad_id: str | None = None
    referer_uri: str | None = None
    ads_context_data: AdsContext | None = None


class StoryReply(Part):
    """The Instagram story the customer answered."""

    id: str | None = None
    url: str | None = None


class PriorMessage(Part):
    """How a Messenger conversation began before its first message (checkbox plugin, customer matching)."""

    source: str | None = None
    identifier: str | None = None


class MessageContext(Part):
    """What surrounds a message: what it answers, whether it was forwarded, which ad brought it."""

    reply_to: str | None = None  # the platform's id of the message answered
    forwarded: bool | None = None
    frequently_forwarded: bool | None = None
    referral: Referral | None = None
    group_id: str | None = None  # WhatsApp group the message was written in
    story_reply: StoryReply | None = None
    prior_message: PriorMessage | None = None
    app_id: str | None = None  # echoes: the app that sent it
    metadata: str | None = None  # echoes: what the sender attached to the send
    offline_form: bool | None = None  # web chat: left in the offline form, for a person to answer
    # web chat: the site's greeting was on screen above this message; it counts as the bot's one
    # introduction, so the first answer does not say hello again
    greeted: bool | None = None


class ErrorData(Part):
    details: str | None = None


class PlatformError(Part):
    """An error the platform attached to a message (e.g. WhatsApp 131051, message type unsupported)."""

    code: int | str | None = None
    title: str | None = None
    message: str | None = None
    details: str | None = None  # older payloads put the details here
    error_data: ErrorData | None = None
    href: str | None = None


def malformed(what: str, error: ValidationError) -> PlatformError:
    """The error stored on a message whose parts did not have the shape Meta documents.

    Names the fields and the rule broken, not their values, which may be personal data.
    """
    problems = "; ".join(
        f"{'.'.join(map(str, problem['loc'])) or what}: {problem['msg']}" for problem in error.errors()
    )
    return PlatformError(
        title="Malformed message",
        message=f"'{what}' did not have the shape Meta documents; kept as unsupported",
        error_data=ErrorData(details=problems),
    )
