"""Publish normalized events to Pub/Sub with one ordering key per conversation.

Calls the Publish RPC directly instead of going through the client library's
batching publisher: every message here has its own ordering key (one per
conversation), which defeats batching, while the batcher's threads, futures
and 5 ms windows sat on the webhook's acknowledgement path. Pub/Sub requires
all messages of one Publish request to share an ordering key, so events are
grouped by (topic, key); a webhook batch is usually a single group.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from google.api_core import exceptions as gexc
from google.api_core import retry as gretry
from google.cloud import pubsub_v1

from atende import topics
from atende.domain import events as ev
from atende.domain.crm import CrmEvent

log = logging.getLogger(__name__)

PUBLISH_DEADLINE_S = 10.0
# Transient server answers are retried with bounded backoff inside the deadline;
# anything else (or the deadline) fails the webhook with a 5xx so Meta redelivers.
_RETRY = gretry.Retry(
    predicate=gretry.if_exception_type(
        gexc.ServiceUnavailable,
        gexc.DeadlineExceeded,
        gexc.InternalServerError,
        gexc.Aborted,
        gexc.ResourceExhausted,
        gexc.Unknown,
    ),
    initial=0.05,
    maximum=1.0,
    multiplier=2.0,
    timeout=PUBLISH_DEADLINE_S,
)

Group = tuple[str, str]  # (topic path, ordering key)


class PubSubPublisher:
    """Routes messages to the inbound topic, statuses to the status topic, sends to outbound."""

    def __init__(self, project: str, client: pubsub_v1.PublisherClient | None = None) -> None:
        self._api = (client or pubsub_v1.PublisherClient()).api
        self._topic = {
            ev.InboundMessage: self._api.topic_path(project, topics.INBOUND),
            ev.StatusUpdate: self._api.topic_path(project, topics.STATUS),
            ev.RejectedItem: self._api.topic_path(project, topics.INBOUND),  # ai_reply records it
            ev.ForgedSignatures: self._api.topic_path(project, topics.INBOUND),  # ai_reply counts them
        }
        self._outbound = self._api.topic_path(project, topics.OUTBOUND)
        self._media = self._api.topic_path(project, topics.MEDIA)
        self._crm = self._api.topic_path(project, topics.CRM)
        self._project = project
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="publish")

    def publish_all(self, events: Sequence[ev.Event]) -> None:
        groups: dict[Group, list[pubsub_v1.types.PubsubMessage]] = defaultdict(list)
        for event in events:
            groups[(self._topic[type(event)], event.ordering_key)].append(
                pubsub_v1.types.PubsubMessage(
                    data=ev.encode(event),
                    ordering_key=event.ordering_key,
                    attributes={"kind": type(event).__name__},
                )
            )
        self._publish_groups(groups)

    def enqueue(self, message_id: str, ordering_key: str) -> None:
        """Outbound queue port: one Pub/Sub message per stored outgoing message."""
        self._publish_groups(
            {
                (self._outbound, ordering_key): [
                    pubsub_v1.types.PubsubMessage(data=message_id.encode(), ordering_key=ordering_key)
                ]
            }
        )

    def request_read(self, receipt: bytes) -> None:
        self._publish(self._outbound, [pubsub_v1.types.PubsubMessage(data=receipt)])

    def request_media(self, job: bytes) -> None:
        """Media queue port: fetch an inbound message's media once the message is stored."""
        self._publish(self._media, [pubsub_v1.types.PubsubMessage(data=job)])

    def publish_crm(self, event: CrmEvent) -> None:
        """CRM events port: the crm_webhook function POSTs it, so no caller waits on the CRM."""
        self._publish(self._crm, [pubsub_v1.types.PubsubMessage(data=event.body())])

    def republish(self, topic: str, data: bytes, attributes: Mapping[str, str]) -> None:
        """A dead letter sent back to the topic it was first published to (console_api)."""
        message = pubsub_v1.types.PubsubMessage(data=data, attributes=dict(attributes))
        self._publish(self._api.topic_path(self._project, topic), [message])

    def _publish_groups(self, groups: dict[Group, list[pubsub_v1.types.PubsubMessage]]) -> None:
        """All or error: the caller acknowledges only when every group is stored."""
        calls = [(topic, messages) for (topic, _key), messages in groups.items()]
        if len(calls) == 1:
            self._publish(*calls[0])
            return
        for future in [self._pool.submit(self._publish, topic, messages) for topic, messages in calls]:
            future.result()

    def _publish(self, topic: str, messages: list[pubsub_v1.types.PubsubMessage]) -> None:
        self._api.publish(topic=topic, messages=messages, retry=_RETRY, timeout=PUBLISH_DEADLINE_S)
