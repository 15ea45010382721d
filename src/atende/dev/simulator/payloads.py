"""Webhook payloads a customer's phone would make Meta send, per channel (for the simulator and the bench)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from atende.dev.payloads import DEMO_PHONE_NUMBER_ID, whatsapp_envelope

DEMO_PAGE_ID = "104500000000001"
DEMO_INSTAGRAM_ID = "17841400000000001"
ACCOUNTS = {"whatsapp": DEMO_PHONE_NUMBER_ID, "messenger": DEMO_PAGE_ID, "instagram": DEMO_INSTAGRAM_ID}
OBJECTS = {"messenger": "page", "instagram": "instagram"}


@dataclass(frozen=True)
class Customer:
    key: str
    name: str
    phone: str  # E.164
    psid: str  # Messenger page-scoped id
    igsid: str  # Instagram-scoped id

    @property
    def wa_id(self) -> str:
        return self.phone.lstrip("+")

    def id_on(self, channel: str) -> str:
        return {"whatsapp": self.wa_id, "messenger": self.psid, "instagram": self.igsid}[channel]


CUSTOMERS = (
    Customer("maria", "Maria Silva", "+5511987654321", "7100000000000001", "1780000000000001"),
    Customer("joao", "João Santos", "+5521998765432", "7100000000000002", "1780000000000002"),
    Customer("ana", "Ana Oliveira", "+5531991234567", "7100000000000003", "1780000000000003"),
)


def new_id(channel: str) -> str:
    return f"wamid.SIM{uuid.uuid4().hex}" if channel == "whatsapp" else f"m_sim{uuid.uuid4().hex}"


def inbound(channel: str, customer: Customer, message_id: str, kind: str, **data: Any) -> dict[str, Any]:
    """One customer message: kind is text, image, location or choice (a button/list/quick-reply tap)."""
    if channel == "whatsapp":
        return _whatsapp(customer, message_id, kind, data)
    return _messaging(channel, customer, {"message": _messenger_message(message_id, kind, data)})


def _whatsapp(customer: Customer, message_id: str, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"from": customer.wa_id, "id": message_id, "timestamp": str(int(time.time()))}
    if kind == "text":
        message |= {"type": "text", "text": {"body": data["text"]}}
    elif kind == "image":
        image = {"id": data["media_id"], "mime_type": data["mime_type"], "sha256": data.get("sha256", "")}
        if data.get("text"):
            image["caption"] = data["text"]
        message |= {"type": "image", "image": image}
    elif kind == "location":
        message |= {"type": "location", "location": location(data)}
    elif kind == "choice":
        reply_type = "list_reply" if data.get("list") else "button_reply"
        message |= {
            "type": "interactive",
            "interactive": {"type": reply_type, reply_type: {"id": data["choice_id"], "title": data["text"]}},
        }
        if data.get("reply_to"):
            message["context"] = {"from": "5511999990000", "id": data["reply_to"]}
    else:
        raise ValueError(f"unknown kind {kind}")
    return whatsapp_envelope(
        [message], contacts=[{"profile": {"name": customer.name}, "wa_id": customer.wa_id}]
    )


def location(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "latitude": float(data.get("latitude", -23.5613)),
        "longitude": float(data.get("longitude", -46.6565)),
        "name": data.get("name") or "Minha localização",
        "address": data.get("address") or "Av. Paulista, 1578 - São Paulo",
    }


def _messenger_message(message_id: str, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"mid": message_id}
    if kind == "text":
        message["text"] = data["text"]
    elif kind == "image":
        message["attachments"] = [{"type": "image", "payload": {"url": data["url"]}}]
    elif kind == "location":
        loc = location(data)
        coords = {"lat": loc["latitude"], "long": loc["longitude"]}
        message["attachments"] = [
            {"type": "location", "title": loc["name"], "payload": {"coordinates": coords}}
        ]
    elif kind == "choice":
        message |= {"text": data["text"], "quick_reply": {"payload": data["choice_id"]}}
    else:
        raise ValueError(f"unknown kind {kind}")
    return message


def _messaging(
    channel: str, customer: Customer, event: dict[str, Any], *, from_customer: bool = True
) -> dict[str, Any]:
    account = ACCOUNTS[channel]
    now_ms = int(time.time() * 1000)
    me, them = customer.id_on(channel), account
    item = {
        "sender": {"id": me if from_customer else them},
        "recipient": {"id": them if from_customer else me},
    }
    item |= {"timestamp": now_ms, **event}
    return {"object": OBJECTS[channel], "entry": [{"id": account, "time": now_ms, "messaging": [item]}]}


def status(
    channel: str, customer: Customer, provider_id: str, state: str, callback_data: str | None = None
) -> dict[str, Any] | None:
    """The webhook Meta sends when a reply is sent, delivered or read; None where the platform sends none.

    WhatsApp echoes the send's `biz_opaque_callback_data` (`callback_data`) in each of its statuses."""
    if channel == "whatsapp":
        item = {
            "id": provider_id,
            "status": state,
            "timestamp": str(int(time.time())),
            "recipient_id": customer.wa_id,
        }
        if callback_data is not None:
            item["biz_opaque_callback_data"] = callback_data
        return whatsapp_envelope(statuses=[item])
    now_ms = int(time.time() * 1000)
    if state == "delivered" and channel == "messenger":
        return _messaging(channel, customer, {"delivery": {"mids": [provider_id], "watermark": now_ms}})
    if state == "read":
        read = {"mid": provider_id} if channel == "instagram" else {"watermark": now_ms}
        return _messaging(channel, customer, {"read": read})
    return None  # Messenger/Instagram have no "sent" webhook; Instagram none for delivery
