"""The part every Meta sender shares: token lookup, the `/{account}/messages` call, the error's channel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from atende.adapters.graph import GraphClient
from atende.domain.message import OutgoingMessage

# (channel, account id) -> access token; a plain string serves every account.
Tokens = Callable[[str, str], str] | str


class GraphSender:
    channel: str = ""

    def __init__(self, graph: GraphClient, tokens: Tokens) -> None:
        self._graph = graph
        self._tokens = tokens

    def token(self, account_id: str) -> str:
        return self._tokens if isinstance(self._tokens, str) else self._tokens(self.channel, account_id)

    def post(self, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._graph.post(f"{account_id}/messages", self.token(account_id), body, channel=self.channel)

    def send(self, message: OutgoingMessage) -> str:
        """Returns the platform's message id; raises GraphError or OutgoingRejected (before any call)."""
        return self.message_id(self.post(message.account_id, self.payload(message)))

    def mark_read(self, account_id: str, recipient_id: str, provider_message_id: str) -> None:
        """Tell the customer their message was seen (blue ticks / "Visto")."""
        self.post(account_id, self.read_payload(recipient_id, provider_message_id))

    # -- per platform -------------------------------------------------------------------------------

    def payload(self, message: OutgoingMessage) -> dict[str, Any]:
        raise NotImplementedError

    def message_id(self, response: dict[str, Any]) -> str:
        raise NotImplementedError

    def read_payload(self, recipient_id: str, provider_message_id: str) -> dict[str, Any]:
        raise NotImplementedError


def choices(content: dict[str, Any]) -> list[dict[str, str]]:
    """Neutral options (id, title, description) from buttons, list rows or quick replies."""
    if content.get("quick_replies"):
        return [
            {"id": str(q.get("payload") or q.get("title")), "title": str(q.get("title") or "")}
            for q in content["quick_replies"]
        ]
    if content.get("type") == "list":
        return [dict(row) for section in content.get("sections") or [] for row in section.get("rows") or []]
    return [dict(b) for b in content.get("buttons") or []]
