"""Pub/Sub-triggered: store each inbound message once, triage it, answer or hand off."""

import logging

import functions_framework
from cloudevents.http import CloudEvent

from atende import wiring
from atende.domain import events
from atende.entrypoints.pubsub import message_data
from atende.services.media import request_fetch
from atende.services.rejected import record_rejected

log = logging.getLogger(__name__)


@functions_framework.cloud_event
def ai_reply(cloud_event: CloudEvent) -> None:
    data = message_data(cloud_event)
    try:
        event = events.decode(data or b"")
    except ValueError as exc:
        log.error("ai_reply: dropping undecodable Pub/Sub message %s: %s", cloud_event["id"], exc)
        return
    if isinstance(event, events.InboundMessage):
        wiring.inbound_service().handle(event)
        request_fetch(wiring.publisher(), event)  # after the reply is enqueued: it never waits for media
    elif isinstance(event, events.RejectedItem):  # a webhook item that can never be processed
        record_rejected(wiring.rejected_log(), event)
    else:
        log.error("ai_reply: unexpected %s on the inbound topic", type(event).__name__)
