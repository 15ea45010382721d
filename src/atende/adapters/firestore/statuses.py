"""A delivery status parked until the send it names is recorded: on a provider-id alias, or (a watermark)
on the message being sent."""

from __future__ import annotations

from typing import Any

from atende.domain.events import StatusUpdate
from atende.domain.model import Channel


def status_doc(update: StatusUpdate) -> dict[str, Any]:
    return {
        "account_id": update.account_id,
        "status": update.status,
        "timestamp": update.timestamp,
        "recipient_id": update.recipient_id,
        "errors": update.errors,
        "pricing": update.pricing,
        **({"watermark": update.watermark} if update.watermark is not None else {}),
    }


def status_from_doc(channel: str, provider_message_id: str, doc: dict[str, Any]) -> StatusUpdate:
    return StatusUpdate(
        channel=Channel(channel),
        account_id=doc.get("account_id", ""),
        provider_message_id=provider_message_id,
        status=doc["status"],
        timestamp=float(doc["timestamp"]),
        recipient_id=doc.get("recipient_id"),
        errors=doc.get("errors") or [],
        pricing=doc.get("pricing") or {},
        watermark=doc.get("watermark"),
    )
