"""A Pub/Sub push (CloudEvent) → a consumer's handler, and what its failure means to Pub/Sub.

Whatever a handler raises makes the push answer non-2xx, and Pub/Sub delivers it
again (five times, then the dead-letter topic) while the conversation's ordered
delivery waits behind it. That only helps when another attempt could succeed: a
datastore or network that is unavailable, too slow or contended. Everything
else (an undecodable event, input that fails validation, a bug this input
triggers) is **permanent**: recorded in `omni_logs` (and on the message, where
there is one and the consumer says how) and acknowledged, so the next message
is processed at once. This module is the one place that draws that line.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, cast

import httpx
from google.api_core import exceptions as gexc
from google.auth import exceptions as auth_exc

from atende.domain.model import stable_id
from atende.services import failures
from atende.services.failures import FailureKind, FailureLog, Rejected
from atende.services.unit_of_work import Conflict, UnitOfWork

log = logging.getLogger(__name__)


class SetupFailed(Exception):
    """A service could not be built (settings, secrets, clients): the deployment's fault, not the input's,
    so the delivery is retried rather than its message failed."""


# Failures another delivery may cure; anything else a handler raises is permanent for that input.
TRANSIENT: tuple[type[BaseException], ...] = (
    SetupFailed,
    Conflict,  # still contended after the unit of work's own retries
    gexc.ServerError,  # 5xx: unavailable, deadline exceeded, internal, unknown
    gexc.TooManyRequests,  # resource exhausted
    gexc.Aborted,
    gexc.Cancelled,
    gexc.Unauthenticated,  # credentials or IAM not (yet) in place: the deployment's fault, not the input's
    gexc.PermissionDenied,
    gexc.RetryError,  # the client library's own retries ran out
    auth_exc.TransportError,
    httpx.TransportError,  # connect, read and write errors and timeouts
    OSError,  # ConnectionError, TimeoutError, a full disk
    MemoryError,
)


def is_transient(error: BaseException) -> bool:
    return isinstance(error, TRANSIENT)


@dataclass
class Delivery:
    """What a handler learned about the delivery it is processing, for the record if it fails."""

    id: str  # the Pub/Sub message id: a redelivery's failure record replaces the first
    data: bytes
    attributes: Mapping[str, str] = field(default_factory=dict)  # the Pub/Sub message's
    message_id: str | None = None
    conversation_id: str | None = None
    # How to show a permanent failure on the message itself (e.g. a reply marked `failed`); None: no message.
    mark_failed: Callable[[str], None] | None = None

    def about(
        self,
        message_id: str | None = None,
        conversation_id: str | None = None,
        mark_failed: Callable[[str], None] | None = None,
    ) -> None:
        self.message_id = message_id or self.message_id
        self.conversation_id = conversation_id or self.conversation_id
        self.mark_failed = mark_failed or self.mark_failed


class HasUnitOfWork(Protocol):
    def unit_of_work(self) -> UnitOfWork: ...


S = TypeVar("S", bound=HasUnitOfWork)


def message_data(cloud_event: Any) -> bytes:
    """The Pub/Sub message's payload; Rejected when it is not base64."""
    message = _pushed(cloud_event)
    try:
        return base64.b64decode(message.get("data") or "", validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise Rejected(f"the Pub/Sub message's data is not base64: {exc}") from exc


def message_attributes(cloud_event: Any) -> dict[str, str]:
    attributes = _pushed(cloud_event).get("attributes")
    return {str(k): str(v) for k, v in attributes.items()} if isinstance(attributes, dict) else {}


def _pushed(cloud_event: Any) -> dict[str, Any]:
    """The push's Pub/Sub message."""
    return (getattr(cloud_event, "data", None) or {}).get("message") or {}


def delivery_id(cloud_event: Any) -> str:
    try:
        return str(cloud_event["id"])
    except (KeyError, TypeError):
        return ""


def consume(cloud_event: Any, handle: Callable[[Delivery, S], object], services: S) -> None:
    """Run the handler (named after its function) on the push; raise only what Pub/Sub should deliver
    again."""
    source = handle.__name__
    delivery = Delivery(id=delivery_id(cloud_event), data=b"")
    guarded = cast(S, _Setup(services))
    try:
        delivery.data = message_data(cloud_event)
        delivery.attributes = message_attributes(cloud_event)
        handle(delivery, guarded)
    except Exception as error:
        if is_transient(error):
            log.warning("%s: transient failure on %s, Pub/Sub will retry: %r", source, delivery.id, error)
            raise
        give_up(source, delivery, error, guarded)


def give_up(source: str, delivery: Delivery, error: Exception, services: HasUnitOfWork) -> None:
    """Record a permanent failure in `omni_logs`, and on the message when the handler knows how (unless the
    input itself was rejected: a forged or stale event must not change the message it names)."""
    kind = FailureKind.REJECTED if isinstance(error, Rejected) else FailureKind.FAILED
    reason = _reason(error)
    if kind == FailureKind.FAILED:
        log.error("%s: permanent failure on %s", source, delivery.id, exc_info=error)
    if delivery.mark_failed is not None and kind == FailureKind.FAILED:  # a rejected input changes nothing
        try:
            delivery.mark_failed(reason)
        except Exception as marking:
            if is_transient(marking):
                raise
            reason = f"{reason}; not shown on the message either: {_reason(marking)}"
    entry = FailureLog.of(
        id=stable_id("f", source, delivery.id or uuid.uuid4().hex),
        source=source,
        kind=kind,
        reason=reason,
        payload=delivery.data,
        at=time.time(),
        message_id=delivery.message_id,
        conversation_id=delivery.conversation_id,
    )
    try:
        failures.record(services.unit_of_work, entry)
    except Exception as recording:
        if is_transient(recording):
            raise
        log.exception("%s: could not record the failure of %s: %s", source, delivery.id, reason)


class _Setup:
    """The services as a handler sees them: a failure to build one is a SetupFailed."""

    def __init__(self, services: object) -> None:
        self._services = services

    def __getattr__(self, name: str) -> Callable[..., Any]:
        build = getattr(self._services, name)

        def built(*args: Any, **kwargs: Any) -> Any:
            try:
                return build(*args, **kwargs)
            except Exception as error:
                raise SetupFailed(f"{name}: {type(error).__name__}: {error}") from error

        return built


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
