"""Telling the customer a person read their message ("Visto", blue ticks).

The inbox holds no channel tokens: only `outbound` does, so a receipt travels on the outbound topic as
a small JSON job beside the message ids, and `outbound` posts it with the channel's sender.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Protocol

log = logging.getLogger(__name__)


class ReadReceipts(Protocol):
    def mark_read(self, account_id: str, recipient_id: str, provider_message_id: str) -> None: ...


@dataclass(frozen=True, kw_only=True)
class ReadReceipt:
    channel: str
    account_id: str
    recipient_id: str
    provider_message_id: str

    def encode(self) -> bytes:
        return json.dumps({"readReceipt": asdict(self)}).encode()

    @classmethod
    def decode(cls, data: bytes) -> ReadReceipt:
        return cls(**json.loads(data)["readReceipt"])

    @staticmethod
    def is_one(data: bytes) -> bool:
        """Message ids never start with a brace: everything else on the outbound topic is a message id."""
        return data.lstrip().startswith(b"{")


def deliver(receipt: ReadReceipt, senders: Mapping[str, ReadReceipts]) -> None:
    """Raises the channel's failure, so a transient one is redelivered by Pub/Sub like a send."""
    sender = senders.get(receipt.channel)
    if sender is None:
        log.info("read receipt for %s: the channel has none", receipt.channel)
        return
    sender.mark_read(receipt.account_id, receipt.recipient_id, receipt.provider_message_id)
