"""Messenger Platform webhooks → normalized events, for Facebook Messenger and Instagram alike.

Both products share one envelope (`entry[].messaging[]` with sender, recipient,
timestamp in ms and one event) and mostly the same events; the differences
(Instagram's `changes[]`, story replies, `read.mid` instead of a watermark) are
handled here by shape, so the two channel modules only name their object.
Ids may arrive as numbers: every id is turned into a string. An event without a
usable id, sender or page is rejected (recorded, never published), as is one
its consumer could not store.
"""

from __future__ import annotations

from collections.abc import Callable
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
)
from atende.domain.content import (
    Attachment,
    Audio,
    Content,
    Document,
    Image,
    Interactive,
    Location,
    Media,
    MessageContext,
    Postback,
    Reaction,
    Share,
    Sticker,
    StoryMention,
    Template,
    Text,
    Unsupported,
    Video,
    malformed,
)
from atende.domain.events import Event, InboundMessage, Sender, StatusUpdate
from atende.domain.model import Channel

# Which content the first attachment makes of a message (unknown types: Unsupported).
ATTACHMENT_KINDS: dict[str, type[Media | Location | Template | Text]] = {
    "image": Image,
    "audio": Audio,
    "video": Video,
    "file": Document,
    "location": Location,
    "template": Template,
    "fallback": Text,
    "story_mention": StoryMention,
    "share": Share,
    "ig_reel": Share,
    "reel": Share,
    "ig_post": Share,
}

# Events that carry nothing for the inbox, and why they are dropped.
IGNORED_EVENTS: dict[str, str] = {
    "optin": "opt-in (plugin or notification request) is not a conversation message",
    "account_linking": "account linking is not used by Atende",
    "app_roles": "app role assignment (handover set-up)",
    "pass_thread_control": "handover protocol: thread control passed",
    "take_thread_control": "handover protocol: thread control taken",
    "request_thread_control": "handover protocol: thread control requested",
    "checkout_update": "Messenger payments are not used by Atende",
    "payment": "Messenger payments are not used by Atende",
    "policy-enforcement": "policy enforcement notice for the Page (logged for the operator)",
    "message_edit": "edits of earlier messages are not mirrored",
    "referral": "referral without a message (ad or m.me link opened); nothing to answer yet",
    "game_play": "Instant Games are not used by Atende",
    "messaging_feedback": "customer feedback forms are not used by Atende",
}


def parse(payload: Any, *, channel: Channel, obj: str) -> ParseResult:
    if not isinstance(payload, dict) or payload.get("object") != obj:
        raise MalformedPayload(f"expected object '{obj}'")
    result = ParseResult()
    for e, entry in enumerate(as_list(payload.get("entry"))):
        entry = as_dict(entry)
        account_id = ident(entry.get("id"))
        entry_time = epoch_seconds(entry.get("time"), millis=True) if entry.get("time") else None
        for key in ("messaging", "standby"):
            for i, item in enumerate(as_list(entry.get(key))):
                where = f"entry[{e}].{key}[{i}]"
                _event(as_dict(item), account_id, entry_time, channel, key == "standby", where, result)
        for c, change in enumerate(as_list(entry.get("changes"))):
            change = as_dict(change)
            where = f"entry[{e}].changes[{c}]"
            value = as_dict(change.get("value"))
            if change.get("field") == "messages" and value.get("sender"):  # dashboard "Test" shape
                _event(value, account_id, entry_time, channel, False, where, result)
            else:
                result.ignored.append(Ignored(where, _change_reason(str(change.get("field"))[:100])))
    return result


def _change_reason(field: str) -> str:
    if field in ("comments", "live_comments", "mentions"):
        return f"'{field}' is about posts, not direct messages; comment replies are not part of the inbox"
    if field == "story_insights":
        return "'story_insights' are metrics, not messages"
    return f"field '{field}' is not a message"


def _event(
    item: dict[str, Any],
    account_id: str,
    entry_time: float | None,
    channel: Channel,
    standby: bool,
    where: str,
    result: ParseResult,
) -> None:
    sender_id = ident(as_dict(item.get("sender")).get("id"))
    recipient_id = ident(as_dict(item.get("recipient")).get("id")) or account_id
    timestamp = epoch_seconds(item["timestamp"], millis=True) if item.get("timestamp") else entry_time
    if not (account_id or recipient_id):
        result.reject(where, "event without a usable page or account id to route on", item)
        return
    ctx = _Ctx(channel, account_id or recipient_id, sender_id, recipient_id, timestamp, where, item, result)
    message = as_dict(item.get("message"))
    if message and message.get("is_echo"):
        ctx.echo(message)
        return
    if not sender_id:
        reason = "event without a sender PSID"
        if as_dict(item.get("sender")).get("user_ref"):
            reason = "sender known only by a user_ref (chat plugin guest); it cannot be answered by PSID"
        elif "policy-enforcement" in item:
            reason = f"policy enforcement: {as_dict(item['policy-enforcement']).get('action')}"
        result.ignored.append(Ignored(where, reason))
        return
    if standby:
        result.ignored.append(
            Ignored(where, "standby: another app owns this thread (handover); Atende stays silent")
        )
        return
    if message:
        ctx.message(message, item)
    elif "postback" in item:
        ctx.postback(as_dict(item["postback"]))
    elif "reaction" in item:
        ctx.reaction(as_dict(item["reaction"]))
    elif "read" in item:
        ctx.read(as_dict(item["read"]))
    elif "delivery" in item:
        ctx.delivery(as_dict(item["delivery"]))
    else:
        kind = next((k for k in IGNORED_EVENTS if k in item), None)
        reason = IGNORED_EVENTS[kind] if kind else f"unknown event ({', '.join(sorted(item))[:200]})"
        result.ignored.append(Ignored(where, reason))


class _Ctx:
    """One messaging item being normalized: its ids and time, and where the results go."""

    def __init__(
        self,
        channel: Channel,
        account_id: str,
        sender_id: str,
        recipient_id: str,
        timestamp: float | None,
        where: str,
        raw: dict[str, Any],
        result: ParseResult,
    ) -> None:
        self.channel = channel
        self.account_id = account_id
        self.sender_id = sender_id
        self.recipient_id = recipient_id
        self.timestamp = timestamp
        self.where = where
        self.raw = raw
        self.result = result

    def _emit(self, event: Event) -> None:
        self.result.emit(event, self.where, self.raw)

    def _ignore(self, reason: str) -> None:
        self.result.ignored.append(Ignored(self.where, reason))

    def _inbound(
        self,
        provider_id: str,
        what: str,
        parts: Callable[[], tuple[str | None, Content, MessageContext]],
        *,
        customer: str | None = None,
        echo: bool = False,
    ) -> None:
        """Emit one message; parts whose shape is not Meta's make it `unsupported`, with the reason."""
        envelope: dict[str, Any] = {
            "channel": self.channel,
            "account_id": self.account_id,
            "provider_message_id": provider_id,
            "sender": Sender(id=customer or self.sender_id),
            "timestamp": self.timestamp or epoch_seconds(None),
            "echo": echo,
        }
        try:
            text, content, context = parts()
            message = InboundMessage(**envelope, text=text, content=content, context=context)
        except ValidationError as exc:
            message = InboundMessage(
                **envelope, content=Unsupported(type=what), errors=(malformed(what, exc),)
            )
        self._emit(message)

    def message(self, message: dict[str, Any], item: dict[str, Any]) -> None:
        mid = ident(message.get("mid"))
        if not mid:
            self.result.reject(self.where, "message without a usable mid", self.raw)
            return
        if message.get("is_deleted"):
            self._ignore(f"the customer deleted message {mid}; deletions are not mirrored")
            return

        def parts() -> tuple[str | None, Content, MessageContext]:
            context = _message_context(message)
            if item.get("prior_message"):
                context["prior_message"] = as_dict(item["prior_message"])
            return *_message_content(message), MessageContext.model_validate(context)

        self._inbound(mid, "message", parts)

    def echo(self, message: dict[str, Any]) -> None:
        """Sent by the business (Meta's inbox, or us): stored on the customer's conversation."""
        mid = ident(message.get("mid"))
        if not mid or not self.recipient_id:
            self.result.reject(self.where, "echo without a usable mid or recipient", self.raw)
            return
        # Meta swaps sender and recipient on echoes; some recorded payloads do not.
        customer = self.sender_id if self.recipient_id == self.account_id else self.recipient_id

        def parts() -> tuple[str | None, Content, MessageContext]:
            context = _message_context(message)
            for key in ("app_id", "metadata"):
                if message.get(key) is not None:
                    context[key] = ident(message[key]) if key == "app_id" else message[key]
            return *_message_content(message), MessageContext.model_validate(context)

        self._inbound(mid, "message", parts, customer=customer, echo=True)

    def postback(self, postback: dict[str, Any]) -> None:
        payload = postback.get("payload")
        provider_id = ident(postback.get("mid")) or f"postback:{self.sender_id}:{self.timestamp}"

        def parts() -> tuple[str | None, Content, MessageContext]:
            content = Postback(payload=payload, title=postback.get("title"))
            context = {"referral": as_dict(postback["referral"])} if postback.get("referral") else {}
            return content.title or content.payload, content, MessageContext.model_validate(context)

        self._inbound(provider_id, "postback", parts)

    def reaction(self, reaction: dict[str, Any]) -> None:
        target = ident(reaction.get("mid"))
        action = str(reaction.get("action") or "react")
        emoji = (reaction.get("emoji") or "") if action == "react" else ""

        def parts() -> tuple[str | None, Content, MessageContext]:
            content = Reaction(
                reacted_to=target, emoji=emoji, reaction=reaction.get("reaction"), removed=action == "unreact"
            )
            return content.emoji or None, content, MessageContext()

        self._inbound(f"reaction:{target}:{self.sender_id}:{action}:{self.timestamp}", "reaction", parts)

    def read(self, read: dict[str, Any]) -> None:
        if mid := ident(read.get("mid")):  # Instagram names the message
            self._status("read", mid, None)
        elif read.get("watermark"):
            self._status("read", "", epoch_seconds(read["watermark"], millis=True))
        else:
            self._ignore("read without mid or watermark")

    def delivery(self, delivery: dict[str, Any]) -> None:
        mids = [mid for mid in map(ident, as_list(delivery.get("mids"))) if mid]
        watermark = epoch_seconds(delivery["watermark"], millis=True) if delivery.get("watermark") else None
        for mid in mids:
            self._status("delivered", mid, None, at=watermark)
        if not mids:
            if watermark is None:
                self._ignore("delivery without mids or watermark")
            else:
                self._status("delivered", "", watermark)

    def _status(self, status: str, mid: str, watermark: float | None, at: float | None = None) -> None:
        self._emit(
            StatusUpdate(
                channel=self.channel,
                account_id=self.account_id,
                provider_message_id=mid,
                status=status,
                timestamp=at or watermark or self.timestamp or epoch_seconds(None),
                recipient_id=self.sender_id,
                watermark=watermark,
            )
        )


def _message_content(message: dict[str, Any]) -> tuple[str | None, Content]:
    text = message.get("text")
    attachments = [as_dict(a) for a in as_list(message.get("attachments"))]
    if message.get("quick_reply"):
        payload = as_dict(message["quick_reply"]).get("payload")
        return text, Interactive(type="quick_reply", payload=payload, title=text)
    if message.get("is_unsupported"):
        return None, Unsupported(type="is_unsupported")
    if not attachments:
        if text is None:
            return None, Unsupported(type="empty")
        return text, Text()
    first = attachments[0]
    shape = ATTACHMENT_KINDS.get(str(first.get("type")), Unsupported)
    payload = as_dict(first.get("payload"))
    sticker_id = message.get("sticker_id") or payload.get("sticker_id")
    if shape is Image and sticker_id:
        shape = Sticker
    attached: dict[str, Any] = {"attachments": [_attachment(a) for a in attachments]}
    if sticker_id:
        attached["sticker_id"] = ident(sticker_id)
    if shape is Location:
        coords = as_dict(payload.get("coordinates"))
        return text or payload.get("title"), Location(
            **attached, latitude=coords.get("lat"), longitude=coords.get("long")
        )
    if shape is Template:
        product = as_dict(payload.get("product"))
        elements = as_list(product.get("elements")) or as_list(payload.get("elements"))
        titles = [str(as_dict(e).get("title")) for e in elements if as_dict(e).get("title")]
        text = text or payload.get("intro_message") or payload.get("text") or (", ".join(titles) or None)
        return text, Template(
            **attached, template_type=payload.get("template_type") or ("product" if elements else None)
        )
    if shape is Text:  # legacy "fallback" attachment: a link
        return text or first.get("title") or first.get("url"), Text(**attached, url=first.get("url"))
    if shape is Unsupported:
        return text, Unsupported(**attached, type=first.get("type"))
    return text or payload.get("title"), shape(**attached, url=payload.get("url"))


def _attachment(raw: dict[str, Any]) -> Attachment:
    payload = as_dict(raw.get("payload"))
    given: dict[str, Any] = {}
    for key in ("url", "title", "sticker_id", "id"):
        if payload.get(key) is not None:
            given[key] = ident(payload[key]) if key in ("sticker_id", "id") else payload[key]
    if raw.get("url") and "url" not in given:
        given["url"] = raw["url"]
    return Attachment(type=raw.get("type"), **given)


def _message_context(message: dict[str, Any]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    reply_to = as_dict(message.get("reply_to"))
    if reply_to.get("mid"):
        context["reply_to"] = ident(reply_to["mid"])
    if reply_to.get("story"):
        context["story_reply"] = as_dict(reply_to["story"])
    if message.get("referral"):
        context["referral"] = as_dict(message["referral"])
    return context

