"""Create the topics and push subscriptions on the Pub/Sub emulator, as Terraform does in production.

One difference: no dead-letter policy. The emulator's push loop dies when it dead-letters a message
(and nothing is pushed again until it restarts), so in the dev stack `atende.dev.dead_letters` moves a
message to the same `-dlq` topic after the same five failed pushes.
"""

from __future__ import annotations

import contextlib

from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1
from google.protobuf import duration_pb2

from atende.topology import CONSUMERS, DEAD_LETTER_CONSUMERS


def ensure_topology(
    project: str, functions_url: str, min_backoff_s: int = 1, max_backoff_s: int = 10
) -> None:
    """Idempotent: recreates subscriptions so their push endpoints follow the current ports."""
    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    for consumer in CONSUMERS:
        for topic in (consumer.topic, consumer.dead_letter_topic):
            with contextlib.suppress(gexc.AlreadyExists):
                publisher.create_topic(name=publisher.topic_path(project, topic))
        _recreate(
            subscriber,
            subscriber.subscription_path(project, consumer.dead_letter_topic + "-inspect"),
            {"topic": publisher.topic_path(project, consumer.dead_letter_topic)},
        )
    for consumer in (*CONSUMERS, *DEAD_LETTER_CONSUMERS):
        # The topic path in the URL lets functions-framework fill in the CloudEvent source.
        endpoint = f"{functions_url}/{consumer.target}/projects/{project}/topics/{consumer.topic}"
        _recreate(
            subscriber,
            subscriber.subscription_path(project, consumer.subscription),
            {
                "topic": publisher.topic_path(project, consumer.topic),
                "push_config": {"push_endpoint": endpoint},
                "enable_message_ordering": True,
                "ack_deadline_seconds": 60,
                "retry_policy": {
                    "minimum_backoff": duration_pb2.Duration(seconds=min_backoff_s),
                    "maximum_backoff": duration_pb2.Duration(seconds=max_backoff_s),
                },
            },
        )


def _recreate(subscriber: pubsub_v1.SubscriberClient, name: str, spec: dict) -> None:
    with contextlib.suppress(gexc.NotFound):
        subscriber.delete_subscription(subscription=name)
    subscriber.create_subscription(request={"name": name, **spec})
