"""Delivery status ordering.

Platforms deliver status webhooks late, twice, or out of order (a `read` may
arrive before its `delivered`); a message's status must only ever move forward.
"""

from __future__ import annotations

from atende.domain.model import MessageStatus

_RANK: dict[MessageStatus, int] = {
    MessageStatus.RECEIVED: 0,
    MessageStatus.QUEUED: 1,
    MessageStatus.SENDING: 2,
    MessageStatus.UNKNOWN: 3,  # after a send whose outcome we did not hear; any platform status settles it
    MessageStatus.SENT: 4,
    MessageStatus.DELIVERED: 5,
    MessageStatus.READ: 6,
    MessageStatus.PLAYED: 7,
}


def advances(current: MessageStatus | str | None, new: MessageStatus | str) -> bool:
    """Whether `new` may replace `current`.

    `failed` wins over anything not yet delivered (a send can fail after Meta
    accepted it), but never undoes a delivery or a read. Nothing leaves
    `failed` except a fresh send, which resets the status through the outbox.
    """
    new = MessageStatus(new)
    if current is None:
        return True
    current = MessageStatus(current)
    if current == MessageStatus.FAILED:
        return False
    if new == MessageStatus.FAILED:
        return _RANK[current] < _RANK[MessageStatus.DELIVERED]
    return _RANK[new] > _RANK[current]
