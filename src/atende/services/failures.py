"""What a consumer gave up on, kept where people look: `omni_logs`, and the message itself when there is one.

A Pub/Sub consumer that raises on input that will always fail gets it back five
times, holds its conversation's ordered delivery meanwhile, and ends in a
dead-letter topic nobody reads. So a permanent failure is written down here and
the delivery is acknowledged; only failures another attempt could cure are
raised (`atende.entrypoints.pubsub` decides which is which).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from atende.domain.channel_health import WEBHOOK, ChannelSignal, Signal
from atende.domain.events import ForgedSignatures, RejectedItem

if TYPE_CHECKING:
    from atende.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

PAYLOAD_LIMIT = 2048  # bytes of UTF-8 kept of what arrived: enough to recognise it, never a large document
TEXT_LIMIT = 1000  # characters kept of a reason or an id (a huge sender id must not make a huge log)


class Rejected(Exception):
    """This input can never be processed (undecodable, not for this consumer, naming nothing we have):
    recorded and acknowledged, never retried."""


class FailureKind(StrEnum):
    REJECTED = "rejected"  # the input can never be processed (undecodable, not ours, invalid)
    FAILED = "failed"  # valid input whose processing raised an error another attempt would not cure
    DEAD_LETTERED = "dead_lettered"  # failed five deliveries: Pub/Sub moved it to the dead-letter topic


@dataclass(frozen=True, kw_only=True)
class FailureLog:
    """One `omni_logs` entry: who gave up on what, and why (docs/data-model.md)."""

    id: str
    source: str  # the function
    kind: FailureKind
    reason: str
    payload: str  # a truncated copy of what arrived
    at: float
    message_id: str | None = None
    conversation_id: str | None = None
    attempts: int | None = None  # a dead letter's delivery attempts
    channel: str | None = None  # a dead letter's channel and account, when its payload names them
    account_id: str | None = None

    @classmethod
    def of(
        cls,
        *,
        id: str,
        source: str,
        kind: FailureKind,
        reason: str,
        payload: bytes | str,
        at: float,
        message_id: str | None = None,
        conversation_id: str | None = None,
        attempts: int | None = None,
        channel: str | None = None,
        account_id: str | None = None,
    ) -> FailureLog:
        """Whatever arrived becomes storable text: valid UTF-8 (no lone surrogates), bounded."""
        return cls(
            id=id,
            source=source,
            kind=kind,
            reason=_text(reason, TEXT_LIMIT),
            payload=truncated(payload),
            at=at,
            message_id=_text(message_id, TEXT_LIMIT) if message_id else None,
            conversation_id=_text(conversation_id, TEXT_LIMIT) if conversation_id else None,
            attempts=attempts,
            channel=channel,
            account_id=_text(account_id, TEXT_LIMIT) if account_id else None,
        )


def rejected_at_ingest(item: RejectedItem) -> FailureLog:
    """A webhook item Meta will never send better: its place in the body and why, under an id derived
    from the item, so the same item redelivered is recorded once."""
    return FailureLog.of(
        id=item.log_id,
        source=f"webhook_{item.channel}",
        kind=FailureKind.REJECTED,
        reason=f"{item.where}: {item.reason}",
        payload=item.excerpt,
        at=item.received_at,
    )


def health(item: RejectedItem) -> ChannelSignal:
    """A rejected webhook item counts against its channel's webhook (it names no account we could trust)."""
    return ChannelSignal(
        channel=str(item.channel), account_id=WEBHOOK, signal=Signal.REJECTED, at=item.received_at
    )


def count_forged(uow: Callable[[], UnitOfWork], event: ForgedSignatures) -> None:
    """Forged signatures count against the channel's webhook; nothing else is kept (there is nothing of
    the requests to keep). At least once, like `rejected`."""
    with uow() as work:
        work.metrics.signal(
            ChannelSignal(
                channel=str(event.channel),
                account_id=WEBHOOK,
                signal=Signal.FORGED,
                at=event.at,
                count=event.count,
            )
        )
        work.commit()


def record(uow: Callable[[], UnitOfWork], entry: FailureLog, signal: ChannelSignal | None = None) -> None:
    """`signal`: counted in channel health with the record (a Pub/Sub redelivery of the same item, whose
    entry replaces the first, counts again: at least once, docs/reports.md)."""
    log.error(
        "%s gave up on %s (%s): %s", entry.source, entry.message_id or "a delivery", entry.kind, entry.reason
    )
    with uow() as work:
        work.omni_logs.add(entry)
        if signal is not None:
            work.metrics.signal(signal)
        work.commit()


def truncated(payload: bytes | str, limit: int = PAYLOAD_LIMIT) -> str:
    """At most `limit` bytes of UTF-8, cut on a character boundary."""
    text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
    return text.encode("utf-8", "replace")[:limit].decode("utf-8", "ignore")


def _text(value: str, limit: int) -> str:
    return value.encode("utf-8", "replace").decode("utf-8")[:limit]
