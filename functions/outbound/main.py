"""Send queued outgoing messages, apply delivery statuses, keep inbound media (Pub/Sub), and send each
campaign recipient's message (`campaign_send`, the HTTP target of the atende-campaigns Cloud Tasks queue)."""

import flask
import functions_framework
from cloudevents.http import CloudEvent

from atende import wiring
from atende.entrypoints import campaign_http, consumers
from atende.entrypoints.pubsub import consume

wiring.start(
    outbound=wiring.outbound_service,
    message_status=wiring.status_service,
    media_fetch=wiring.media_service,
    campaign_send=lambda: (wiring.campaign_service(), wiring.outbound_service()),
)


@functions_framework.http
def campaign_send(request: flask.Request) -> flask.Response:
    return campaign_http.handle(request, wiring.campaign_service, wiring.template_service)


@functions_framework.cloud_event
def outbound(cloud_event: CloudEvent) -> None:
    consume(cloud_event, consumers.outbound, wiring)


@functions_framework.cloud_event
def message_status(cloud_event: CloudEvent) -> None:
    consume(cloud_event, consumers.message_status, wiring)


@functions_framework.cloud_event
def media_fetch(cloud_event: CloudEvent) -> None:
    consume(cloud_event, consumers.media_fetch, wiring)
