"""Scheduled (Cloud Scheduler → Pub/Sub): the send sweeper every minute; follow-ups every 15 minutes.

Every tick runs the send sweeper (`atende.services.sweeper`): the every-minute `send_sweep` job is what
keeps stalled and failed sends moving, and the 15-minute automation tick sweeping too costs one query.
The automation tick also runs the follow-up rules (`atende.services.followups`), whose e-mails link to
`unsubscribe` (HTTP, same code and service account: the key that signs the links also checks them).
`crm_webhook` POSTs the CRM's events; `dead_letters` records what any consumer failed five times
(`atende.services.dead_letters`), pushed from every `-dlq` topic.
"""

import flask
import functions_framework
from cloudevents.http import CloudEvent

from atende import wiring
from atende.entrypoints import consumers, unsubscribe_http
from atende.entrypoints.pubsub import consume

wiring.start(
    automation_tick=wiring.followups, unsubscribe=wiring.unsubscribe_links, crm_webhook=wiring.crm_webhook
)


@functions_framework.cloud_event
def dead_letters(cloud_event: CloudEvent) -> None:
    """Each message of every `-dlq` topic: an `omni_logs` entry and a count in channel health."""
    consume(cloud_event, consumers.dead_letters, wiring)


@functions_framework.cloud_event
def crm_webhook(cloud_event: CloudEvent) -> None:
    """Each event of the atende-crm topic, POSTed signed to the business's CRM."""
    consume(cloud_event, consumers.crm_webhook, wiring)


@functions_framework.cloud_event
def automation_tick(cloud_event: CloudEvent) -> None:
    consume(cloud_event, consumers.automation_tick, wiring)


@functions_framework.http
def unsubscribe(request: flask.Request) -> flask.Response:
    return unsubscribe_http.handle(request, wiring.entity_intake, wiring.unsubscribe_links)
