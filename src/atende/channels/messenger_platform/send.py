"""Stored outgoing message → Messenger Platform Send API request (Facebook Pages and Instagram).

`POST /{version}/{account_id}/messages` with the account's token and
`{recipient:{id}, messaging_type, [tag], message:{text|attachment, quick_replies}}`.
The messaging type and tag come from the window decision (RESPONSE inside 24 h,
MESSAGE_TAG + HUMAN_AGENT for a person up to 7 days). Buttons and lists from a
WhatsApp-style message become quick replies (≤ 13, titles ≤ 20), so the bot can
offer choices the same way on every channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from atende.channels.sending import choices
from atende.domain.message import OutgoingMessage
from atende.domain.outgoing import OutgoingRejected, require, within
from atende.domain.window import RESPONSE

ATTACHMENT_TYPES = {
    "image": "image",
    "sticker": "image",
    "audio": "audio",
    "video": "video",
    "document": "file",
}
MAX_QUICK_REPLIES = 13
QUICK_REPLY_TITLE_MAX = 20


@dataclass(frozen=True)
class Limits:
    text_max: int  # Messenger: under 2000 characters; Instagram: 1000 bytes


MESSENGER_LIMITS = Limits(text_max=2000)
INSTAGRAM_LIMITS = Limits(text_max=1000)


def payload(message: OutgoingMessage, limits: Limits) -> dict[str, Any]:
    decision = message.window
    body: dict[str, Any] = {
        "recipient": {"id": message.recipient_id},
        "messaging_type": (decision.messaging_type if decision else None) or RESPONSE,
    }
    if decision and decision.tag:
        body["tag"] = decision.tag
    body["message"] = _message(message, limits)
    return body


def _message(message: OutgoingMessage, limits: Limits) -> dict[str, Any]:
    kind, content = message.kind, message.content or {}
    if kind in ATTACHMENT_TYPES:
        require(content.get("url"), "Mídia: o Messenger e o Instagram precisam de um link para o arquivo")
        built: dict[str, Any] = {
            "attachment": {
                "type": ATTACHMENT_TYPES[kind],
                "payload": {"url": content["url"], "is_reusable": True},
            }
        }
    elif kind in ("text", "interactive"):
        text = message.text or content.get("body")
        built = {"text": within(text, limits.text_max, "Texto")}
    else:
        raise OutgoingRejected(f"Tipo de mensagem não suportado neste canal: {kind}")
    options = choices(content)
    if options:
        require(
            len(options) <= MAX_QUICK_REPLIES,
            f"Respostas rápidas: no máximo {MAX_QUICK_REPLIES} (tem {len(options)})",
        )
        built["quick_replies"] = [
            {
                "content_type": "text",
                "title": within(o.get("title"), QUICK_REPLY_TITLE_MAX, "Resposta rápida"),
                "payload": str(o.get("id") or o.get("title")),
            }
            for o in options
        ]
    return built

