"""Each event function's handler: decode the Pub/Sub payload, say what it is about, hand it to its service.

`consume` (entrypoints/pubsub.py) runs them and decides what a failure means;
`functions/*/main.py` only bind them to functions-framework with `atende.wiring`
as the services. Tests pass in-memory fakes instead.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol, TypeVar

from atende.domain import events
from atende.domain.crm import CrmEvent
from atende.domain.media import KeptMedia
from atende.domain.message import SendError
from atende.entrypoints.pubsub import Delivery
from atende.services import dead_letters as dead_letter_log
from atende.services import failures, read_receipts
from atende.services.failures import Rejected
from atende.services.media import MediaJob, request_fetch
from atende.services.read_receipts import ReadReceipt

if TYPE_CHECKING:
    from atende.services.crm import CrmWebhook
    from atende.services.deliveries import Deliveries
    from atende.services.distribution import Distribution
    from atende.services.followups import Followups
    from atende.services.idle_close import IdleCloser
    from atende.services.inbound import InboundService
    from atende.services.media import MediaQueue, MediaService
    from atende.services.outbound import OutboundService
    from atende.services.status import StatusService
    from atende.services.sweeper import SendSweeper
    from atende.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_ID_LENGTH = 1500  # Firestore's limit for a document id
INTERNAL_ERROR = "internal_error"
INTERNAL_ERROR_TEXT = (
    "Erro interno do Atende ao processar este envio; ele pode não ter saído. Verifique antes de reenviar."
)


class Services(Protocol):
    """What the handlers use; `atende.wiring` provides each, built once per instance."""

    def unit_of_work(self) -> UnitOfWork: ...

    def inbound_service(self) -> InboundService: ...

    def publisher(self) -> MediaQueue: ...

    def outbound_service(self) -> OutboundService: ...

    def deliveries(self) -> Deliveries: ...

    def status_service(self) -> StatusService: ...

    def media_service(self) -> MediaService: ...

    def send_sweeper(self) -> SendSweeper: ...

    def distribution(self) -> Distribution: ...

    def idle_closer(self) -> IdleCloser: ...

    def senders(self) -> Mapping[str, read_receipts.ReadReceipts]: ...

    def followups(self) -> Followups: ...
    def crm_webhook(self) -> CrmWebhook: ...


def ai_reply(delivery: Delivery, services: Services) -> None:
    event = _decoded(events.decode, delivery.data)
    if isinstance(event, events.RejectedItem):  # a webhook item that can never be processed
        failures.record(services.unit_of_work, failures.rejected_at_ingest(event), failures.health(event))
        return
    if isinstance(event, events.ForgedSignatures):  # a webhook instance's count of refused signatures
        failures.count_forged(services.unit_of_work, event)
        return
    if not isinstance(event, events.InboundMessage):
        raise Rejected(f"unexpected {type(event).__name__} on the inbound topic")
    delivery.about(message_id=event.message_id, conversation_id=event.conversation_id)
    outcome = services.inbound_service().handle(event)
    request_fetch(services.publisher(), event)  # after the reply is enqueued: it never waits for media
    if outcome.queued_for:  # a handoff (or a snooze woken by the customer): someone free may take it now
        services.distribution().run(outcome.queued_for)


def outbound(delivery: Delivery, services: Services) -> None:
    if ReadReceipt.is_one(delivery.data):
        receipt = _decoded(ReadReceipt.decode, delivery.data)
        read_receipts.deliver(receipt, services.senders())
        return
    message_id = _decoded(bytes.decode, delivery.data).strip()
    if not message_id or "/" in message_id or len(message_id.encode()) > MAX_ID_LENGTH:
        raise Rejected("not a message id")

    def mark_failed(reason: str) -> None:
        # The send may have left before the error: `unknown`, never re-sent blindly; a status settles it.
        error = SendError(
            code=INTERNAL_ERROR, message=reason, source="atende", agent_text=INTERNAL_ERROR_TEXT
        )
        services.deliveries().record_unknown(message_id, error)

    delivery.about(message_id=message_id, mark_failed=mark_failed)
    services.outbound_service().send(message_id)


def message_status(delivery: Delivery, services: Services) -> None:
    event = _decoded(events.decode, delivery.data)
    if not isinstance(event, events.StatusUpdate):
        raise Rejected(f"unexpected {type(event).__name__} on the status topic")
    # A status that cannot be applied says nothing about its message: it is only logged.
    delivery.about(message_id=event.message_id)
    result = services.status_service().apply(event)
    log.info("status %s for %s: %s", event.status, event.provider_message_id, result)


def media_fetch(delivery: Delivery, services: Services) -> None:
    job = _decoded(MediaJob.decode, delivery.data)
    delivery.about(
        message_id=job.message_id,
        mark_failed=lambda reason: services.deliveries().set_media(
            job.message_id, KeptMedia.failed(f"Erro interno ao guardar a mídia: {reason}", retryable=False)
        ),
    )
    result = services.media_service().fetch(job)
    log.info("media %s: %s", job.message_id, result)


SEND_SWEEP = "send_sweep"  # the every-minute job's tick (terraform/scheduler.tf): the sweep alone


def automation_tick(delivery: Delivery, services: Services) -> None:
    """Every tick sweeps stalled and failed sends (`services/sweeper.py`), moves snoozes and queues and
    closes the bot's idle conversations (`services/idle_close.py`); the 15-minute automation tick (and
    `atende tick`) also runs the follow-ups (`services/followups.py`)."""
    outcomes = services.send_sweeper().sweep()
    log.info("tick %s: send sweep %s", delivery.id, dict(outcomes) or "found nothing due")
    woken, assigned = services.distribution().tick()
    if woken or assigned:
        log.info("tick %s: %d snoozed conversations woke, %d assigned", delivery.id, woken, assigned)
    closed = services.idle_closer().run()
    if closed:
        log.info("tick %s: %d idle conversations of the bot closed", delivery.id, closed)
    if _tick_kind(delivery.data) != SEND_SWEEP:
        services.followups().run(delivery.id)


def _tick_kind(data: bytes) -> str | None:
    """What a scheduler job says it is; anything unreadable is the automation tick."""
    try:
        body = json.loads(data or b"{}")
    except ValueError:
        return None
    return body.get("kind") if isinstance(body, dict) else None


def crm_webhook(delivery: Delivery, services: Services) -> None:
    """One event POSTed to the CRM (retried, behind the breaker); its outcome is in `crm_deliveries`."""
    event = _decoded(CrmEvent.from_body, delivery.data)
    result = services.crm_webhook().deliver(event)
    log.info("crm %s %s: %s", event.type, event.subject, result)


def _decoded(decode: Callable[[bytes], T], data: bytes) -> T:
    """Decoding errors are the input's: Rejected, never retried."""
    try:
        return decode(data)
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        raise Rejected(f"undecodable: {type(exc).__name__}: {exc}") from exc


def dead_letters(delivery: Delivery, services: Services) -> None:
    """A message some consumer failed five times, from any `-dlq` topic: logged and counted once."""
    letter = dead_letter_log.DeadLetter(
        pubsub_id=delivery.id, attributes=delivery.attributes, data=delivery.data, at=time.time()
    )
    if not dead_letter_log.record(services.unit_of_work, letter):
        log.info("dead letter %s was recorded already", delivery.id)
