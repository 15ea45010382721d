"""Publish normalized events to Pub/Sub with one ordering key per conversation."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent import futures

from google.cloud import pubsub_v1

from atende import topics
from atende.domain import events as ev

log = logging.getLogger(__name__)

PUBLISH_TIMEOUT_S = 10.0


def make_publisher_client() -> pubsub_v1.PublisherClient:
    """Ordering on, and a 5 ms batch window: the webhook waits for the ack, so latency wins."""
    return pubsub_v1.PublisherClient(
        batch_settings=pubsub_v1.types.BatchSettings(max_latency=0.005, max_messages=500),
        publisher_options=pubsub_v1.types.PublisherOptions(enable_message_ordering=True),
    )


class PubSubPublisher:
    """Routes messages to the inbound topic and delivery statuses to the status topic."""

    def __init__(self, project: str, client: pubsub_v1.PublisherClient | None = None) -> None:
        self._client = client or make_publisher_client()
        self._topic = {
            ev.InboundMessage: self._client.topic_path(project, topics.INBOUND),
            ev.StatusUpdate: self._client.topic_path(project, topics.STATUS),
        }
        self._outbound = self._client.topic_path(project, topics.OUTBOUND)

    def publish_all(self, events: Sequence[ev.Event]) -> None:
        pending = []
        for event in events:
            topic = self._topic[type(event)]
            future = self._client.publish(
                topic, ev.encode(event), ordering_key=event.ordering_key, kind=type(event).__name__
            )
            pending.append((topic, event.ordering_key, future))
        self._wait(pending)

    def enqueue(self, message_id: str, ordering_key: str) -> None:
        """Outbound queue port: one Pub/Sub message per stored outgoing message."""
        future = self._client.publish(self._outbound, message_id.encode(), ordering_key=ordering_key)
        self._wait([(self._outbound, ordering_key, future)])

    def _wait(self, pending: list[tuple[str, str, futures.Future]]) -> None:
        failed: Exception | None = None
        for topic, key, future in pending:
            try:
                future.result(timeout=PUBLISH_TIMEOUT_S)
            except Exception as exc:  # a failed publish pauses its ordering key until resumed
                self._client.resume_publish(topic, key)
                failed = failed or exc
        if failed:
            raise failed
