"""Scheduled (Cloud Scheduler → Pub/Sub, every 15 minutes): follow-ups and campaigns.

The rules arrive with the proactive-messages issue; until then the tick is
received, logged and acknowledged so the schedule can be deployed and watched.
"""

import functions_framework
from cloudevents.http import CloudEvent

from atende import wiring
from atende.entrypoints import consumers
from atende.entrypoints.pubsub import consume


@functions_framework.cloud_event
def automation_tick(cloud_event: CloudEvent) -> None:
    consume(cloud_event, consumers.automation_tick, wiring)
