"""Pub/Sub-triggered: store each inbound message once, triage it, answer or hand off."""

import functions_framework
from cloudevents.http import CloudEvent

from atende import wiring
from atende.entrypoints import consumers
from atende.entrypoints.pubsub import consume

wiring.start(ai_reply=wiring.inbound_service)


@functions_framework.cloud_event
def ai_reply(cloud_event: CloudEvent) -> None:
    consume(cloud_event, consumers.ai_reply, wiring)
