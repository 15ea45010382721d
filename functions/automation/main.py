"""Scheduled (Cloud Scheduler → Pub/Sub, every 15 minutes): follow-ups and campaigns.

The rules arrive with the proactive-messages issue; until then the tick is
received, logged and acknowledged so the schedule can be deployed and watched.
"""

import logging

import functions_framework
from cloudevents.http import CloudEvent

log = logging.getLogger(__name__)


@functions_framework.cloud_event
def automation_tick(cloud_event: CloudEvent) -> None:
    log.info("automation tick %s received; no automation rules are defined yet", cloud_event["id"])
