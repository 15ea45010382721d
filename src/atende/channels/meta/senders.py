"""The ChannelSender for each Meta platform: token, `/{account}/messages` call, Meta's errors translated.

Payloads are built (and checked against the platform's limits) by the pure
builders in `atende.channels.<platform>.send`; what leaves this module is a
provider message id, `OutgoingRejected` (before any call) or `SendFailed`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from atende.channels.messenger_platform.send import INSTAGRAM_LIMITS, MESSENGER_LIMITS, Limits
from atende.channels.messenger_platform.send import payload as messenger_platform_payload
from atende.channels.meta.errors import no_credentials, send_failed
from atende.channels.meta.graph import GraphClient, GraphError
from atende.channels.whatsapp.send import payload as whatsapp_payload
from atende.domain.errors import MissingCredentials
from atende.domain.message import OutgoingMessage

# (channel, account id) -> access token, raising MissingCredentials; a plain string serves every account.
Tokens = Callable[[str, str], str] | str


def token_for(tokens: Tokens, channel: str, account_id: str) -> str:
    """The account's token; an empty one is as missing as an absent one (httpx would refuse the header)."""
    token = tokens if isinstance(tokens, str) else tokens(channel, account_id)
    if not token:
        raise MissingCredentials(channel, account_id)
    return token


class GraphSender:
    channel: str = ""

    def __init__(self, graph: GraphClient, tokens: Tokens) -> None:
        self._graph = graph
        self._tokens = tokens

    def send(self, message: OutgoingMessage) -> str:
        """The platform's message id; raises OutgoingRejected or SendFailed (without a call if no token)."""
        return self.message_id(self._post(message.account_id, self.payload(message)))

    def mark_read(self, account_id: str, recipient_id: str, provider_message_id: str) -> None:
        """Tell the customer their message was seen (blue ticks / "Visto")."""
        self._post(account_id, self.read_payload(recipient_id, provider_message_id))

    def _post(self, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            token = token_for(self._tokens, self.channel, account_id)
            return self._graph.post(f"{account_id}/messages", token, body)
        except MissingCredentials as missing:
            raise no_credentials(missing) from missing
        except GraphError as error:
            raise send_failed(self.channel, error) from error

    # -- per platform -------------------------------------------------------------------------------

    def payload(self, message: OutgoingMessage) -> dict[str, Any]:
        raise NotImplementedError

    def message_id(self, response: dict[str, Any]) -> str:
        raise NotImplementedError

    def read_payload(self, recipient_id: str, provider_message_id: str) -> dict[str, Any]:
        raise NotImplementedError


class WhatsAppSender(GraphSender):
    channel = "whatsapp"

    def payload(self, message: OutgoingMessage) -> dict[str, Any]:
        return whatsapp_payload(message)

    def message_id(self, response: dict[str, Any]) -> str:
        return str(response["messages"][0]["id"])

    def read_payload(self, recipient_id: str, provider_message_id: str) -> dict[str, Any]:
        return {"messaging_product": "whatsapp", "status": "read", "message_id": provider_message_id}


class MessengerPlatformSender(GraphSender):
    """Facebook Pages and Instagram share the Messenger Platform Send API, with their own text limits."""

    limits: Limits = MESSENGER_LIMITS

    def payload(self, message: OutgoingMessage) -> dict[str, Any]:
        return messenger_platform_payload(message, self.limits)

    def message_id(self, response: dict[str, Any]) -> str:
        return str(response["message_id"])

    def read_payload(self, recipient_id: str, provider_message_id: str) -> dict[str, Any]:
        return {"recipient": {"id": recipient_id}, "sender_action": "mark_seen"}


class MessengerSender(MessengerPlatformSender):
    channel = "messenger"


class InstagramSender(MessengerPlatformSender):
    channel = "instagram"
    limits = INSTAGRAM_LIMITS


def meta_senders(graph: GraphClient, tokens: Tokens) -> dict[str, GraphSender]:
    """One sender per Meta channel, keyed as messages name their channel."""
    return {
        sender.channel: sender
        for sender in (
            WhatsAppSender(graph, tokens),
            MessengerSender(graph, tokens),
            InstagramSender(graph, tokens),
        )
    }
