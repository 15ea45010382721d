"""The dev stack's dead-lettering (the emulator's own kills its push loop): the fifth failed push of a
message goes to the consumer's -dlq topic and is acknowledged; everything else passes through."""

from __future__ import annotations

import base64
import json

from werkzeug.test import Client
from werkzeug.wrappers import Response

from atende.dev.dead_letters import Attempts, DeadLetterAfter
from atende.topology import CONSUMERS

MEDIA = next(c for c in CONSUMERS if c.target == "media_fetch")


def function(status: int):
    def app(environ, start_response):
        body = environ["wsgi.input"].read()
        return Response(f"saw {len(body)} bytes", status=status)(environ, start_response)

    return app


def push_body(message_id: str, data: bytes = b"job") -> dict:
    return {
        "message": {
            "data": base64.b64encode(data).decode(),
            "messageId": message_id,
            "attributes": {"a": "1"},
        },
        "subscription": "projects/p/subscriptions/s",
    }


def relay(tmp_path, status: int):
    published: list[tuple[str, bytes, dict]] = []
    app = DeadLetterAfter(
        function(status), MEDIA, "demo-p", Attempts(tmp_path / "a.sqlite"), lambda *m: published.append(m)
    )
    return Client(app), published


def test_the_fifth_failed_push_is_dead_lettered_and_acknowledged(tmp_path):
    client, published = relay(tmp_path, 500)
    answers = [client.post("/", json=push_body("1")).status_code for _ in range(5)]
    assert answers == [500, 500, 500, 500, 204]
    ((topic, data, attributes),) = published
    assert topic == MEDIA.dead_letter_topic and data == b"job"
    assert attributes["a"] == "1" and attributes["CloudPubSubDeadLetterSourceDeliveryCount"] == "5"
    assert attributes["CloudPubSubDeadLetterSourceSubscription"] == MEDIA.subscription


def test_attempts_are_counted_per_message_across_workers(tmp_path):
    client, _ = relay(tmp_path, 503)
    other_worker, published = relay(tmp_path, 503)  # another process, the same file
    for _ in range(2):
        client.post("/", json=push_body("1"))
        other_worker.post("/", json=push_body("1"))
    assert client.post("/", json=push_body("2")).status_code == 503  # another message: its own count
    assert other_worker.post("/", json=push_body("1")).status_code == 204
    assert len(published) == 1


def test_successes_and_the_body_pass_through_untouched(tmp_path):
    client, published = relay(tmp_path, 200)
    body = push_body("1", b"x" * 1000)
    for _ in range(6):
        answer = client.post("/", json=body)
        assert answer.status_code == 200 and answer.text == f"saw {len(json.dumps(body))} bytes"
    assert published == []


def test_a_failed_dead_letter_publish_leaves_the_message_to_pubsub(tmp_path):
    def unavailable(*_):
        raise TimeoutError("emulator busy")

    app = DeadLetterAfter(function(500), MEDIA, "demo-p", Attempts(tmp_path / "a.sqlite"), unavailable)
    client = Client(app)
    assert [client.post("/", json=push_body("1")).status_code for _ in range(6)] == [500] * 6
