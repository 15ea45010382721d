"""Pub/Sub-triggered: send queued outgoing messages, apply delivery statuses, keep inbound media."""

import logging

import functions_framework
from cloudevents.http import CloudEvent

from atende import wiring
from atende.domain import events
from atende.entrypoints.pubsub import message_data
from atende.services.media import MediaJob

log = logging.getLogger(__name__)


@functions_framework.cloud_event
def outbound(cloud_event: CloudEvent) -> None:
    message_id = (message_data(cloud_event) or b"").decode("utf-8", "replace").strip()
    if not message_id or "/" in message_id:
        log.error("outbound: dropping Pub/Sub message %s without a valid message id", cloud_event["id"])
        return
    wiring.outbound_service().send(message_id)


@functions_framework.cloud_event
def message_status(cloud_event: CloudEvent) -> None:
    try:
        event = events.decode(message_data(cloud_event) or b"")
    except ValueError as exc:
        log.error("message_status: dropping undecodable message %s: %s", cloud_event["id"], exc)
        return
    if not isinstance(event, events.StatusUpdate):
        log.error("message_status: unexpected %s on the status topic", type(event).__name__)
        return
    result = wiring.status_service().apply(event)
    log.info("status %s for %s: %s", event.status, event.provider_message_id, result)


@functions_framework.cloud_event
def media_fetch(cloud_event: CloudEvent) -> None:
    try:
        job = MediaJob.decode(message_data(cloud_event) or b"")
    except (ValueError, TypeError) as exc:
        log.error("media_fetch: dropping undecodable message %s: %s", cloud_event["id"], exc)
        return
    result = wiring.media_service().fetch(job)
    log.info("media %s: %s", job.message_id, result)
