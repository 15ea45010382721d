"""Build and sign WhatsApp webhook payloads as Meta sends them (for the CLI, tests and benchmarks)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx

from atende.channels.signature import SIGNATURE_HEADER, sign

DEMO_PHONE_NUMBER_ID = "106540352242922"
DEMO_WABA_ID = "102290129340398"


def whatsapp_envelope(
    messages: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    contacts: list[dict[str, Any]] | None = None,
    phone_number_id: str = DEMO_PHONE_NUMBER_ID,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5511999990000", "phone_number_id": phone_number_id},
    }
    if contacts:
        value["contacts"] = contacts
    if messages:
        value["messages"] = messages
    if statuses:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": DEMO_WABA_ID, "changes": [{"field": "messages", "value": value}]}],
    }


def whatsapp_text(
    text: str,
    wa_id: str = "5511987654321",
    name: str = "Maria Silva",
    message_id: str | None = None,
    timestamp: float | None = None,
    phone_number_id: str = DEMO_PHONE_NUMBER_ID,
) -> dict[str, Any]:
    message = {
        "from": wa_id,
        "id": message_id or f"wamid.SIM{uuid.uuid4().hex}",
        "timestamp": str(int(timestamp or time.time())),
        "type": "text",
        "text": {"body": text},
    }
    return whatsapp_envelope(
        [message], contacts=[{"profile": {"name": name}, "wa_id": wa_id}], phone_number_id=phone_number_id
    )


def encode(payload: dict[str, Any]) -> bytes:
    """Meta's own encoding: non-ASCII as \\uXXXX escapes, which the signature covers."""
    return json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode()


def signed_headers(body: bytes, app_secret: str) -> dict[str, str]:
    return {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, app_secret)}


def post_signed(client: httpx.Client, url: str, payload: dict[str, Any], app_secret: str) -> httpx.Response:
    body = encode(payload)
    return client.post(url, content=body, headers=signed_headers(body, app_secret))
