"""The web-chat `ChannelSender`: a reply is already where the widget reads it (Firestore, under the rules),
so sending it is recording it `sent`, with our own message id as the provider id; and a person opening
the conversation marks the visitor's messages read with a write, not a platform call."""

from __future__ import annotations

from typing import Protocol

from atende.domain.message import OutgoingMessage
from atende.domain.model import Channel, conversation_doc_id


class InboundReads(Protocol):
    def mark_inbound_read(self, conversation_id: str) -> int: ...


class WebChatSender:
    channel = str(Channel.WEBCHAT)

    def __init__(self, reads: InboundReads) -> None:
        self._reads = reads

    def send(self, message: OutgoingMessage) -> str:
        return message.id

    def mark_read(self, account_id: str, recipient_id: str, provider_message_id: str) -> None:
        self._reads.mark_inbound_read(conversation_doc_id(Channel.WEBCHAT, account_id, recipient_id))
