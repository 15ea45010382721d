"""Stored outgoing message → WhatsApp Cloud API send request."""

from __future__ import annotations

from typing import Any

from atende.adapters.graph import GraphClient
from atende.domain.records import OutgoingMessage


def payload(message: OutgoingMessage) -> dict[str, Any]:
    """The request body; phones go out with '+' so Meta never prefixes our own country code."""
    body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual"}
    if message.recipient_phone:
        body["to"] = message.recipient_phone
    else:  # username-era contact known only by its business-scoped user id
        body["recipient"] = message.recipient_id
    if message.kind == "text":
        body |= {"type": "text", "text": {"body": message.text or "", "preview_url": True}}
    else:
        body |= {"type": message.kind, message.kind: message.content}
    return body


class WhatsAppSender:
    def __init__(self, graph: GraphClient, token: str) -> None:
        self._graph = graph
        self._token = token

    def send(self, message: OutgoingMessage) -> str:
        """Returns the wamid; raises GraphError."""
        data = self._graph.post(f"{message.account_id}/messages", self._token, payload(message))
        return str(data["messages"][0]["id"])
