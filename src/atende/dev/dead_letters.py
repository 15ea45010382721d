"""Dead-lettering for the dev stack, done in front of each event function instead of by the emulator.

The Pub/Sub emulator (gcloud 528) cannot dead-letter a push: when a message
reaches `max_delivery_attempts`, its push loop dies with a NullPointerException
in `MessageBacklog.pull` (it has no publisher to forward with), the message
never reaches the dead-letter topic, and nothing at all is pushed again until
the emulator restarts. So the dev stack's subscriptions have no dead-letter
policy, and this WSGI middleware plays Pub/Sub's part: it counts each message's
failed pushes (in a small SQLite file shared by the gunicorn workers), and on
the fifth it publishes the message to the consumer's `-dlq` topic, with the
attributes Pub/Sub adds, and acknowledges it. Production keeps Pub/Sub's own
dead-letter policy (terraform/); this module is never deployed.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from atende.topology import CONSUMERS, MAX_DELIVERY_ATTEMPTS, Consumer

log = logging.getLogger(__name__)

ENV = "ATENDE_DEV_DEAD_LETTERS"  # the attempts file; the stack sets it, and without it nothing is wrapped
Publish = Callable[[str, bytes, dict[str, str]], None]  # topic, data, attributes


class Attempts:
    """Failed pushes per message, shared by every worker process of the functions."""

    def __init__(self, path: Path) -> None:
        self._path = path
        with self._db() as db:
            db.execute("CREATE TABLE IF NOT EXISTS failures (key TEXT PRIMARY KEY, n INTEGER NOT NULL)")

    @contextlib.contextmanager
    def _db(self) -> Any:
        db = sqlite3.connect(self._path, timeout=30, isolation_level=None)
        try:
            yield db
        finally:
            db.close()

    def failed(self, key: str) -> int:
        """Count one more failed push of `key`; how many there have been."""
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "INSERT INTO failures (key, n) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET n = n + 1",
                (key,),
            )
            (count,) = db.execute("SELECT n FROM failures WHERE key = ?", (key,)).fetchone()
            db.execute("COMMIT")
        return int(count)


class DeadLetterAfter:
    """WSGI middleware in front of one consumer: the fifth failed push of a message is dead-lettered and
    acknowledged, as Pub/Sub's dead-letter policy would."""

    def __init__(
        self,
        app: Any,
        consumer: Consumer,
        project: str,
        attempts: Attempts,
        publish: Publish,
        max_attempts: int = MAX_DELIVERY_ATTEMPTS,
    ) -> None:
        self._app, self._consumer, self._project = app, consumer, project
        self._attempts, self._publish, self._max = attempts, publish, max_attempts

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        answer: dict[str, Any] = {}
        chunks: list[bytes] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answer.update(status=status, headers=headers)
            return chunks.append

        result = self._app(environ, capture)
        try:
            chunks.extend(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status = answer.get("status", "500 Internal Server Error")
        if not status.startswith("2") and self._dead_letter(body):
            start_response("204 No Content", [("Content-Length", "0")])
            return [b""]
        start_response(status, answer.get("headers", []))
        return chunks

    def _dead_letter(self, body: bytes) -> bool:
        """True once the message is in the dead-letter topic (then the push is acknowledged)."""
        try:
            message = json.loads(body)["message"]
            message_id = str(message.get("messageId") or message["message_id"])
        except (ValueError, KeyError, TypeError):
            return False  # not a Pub/Sub push: nothing to count
        count = self._attempts.failed(f"{self._consumer.subscription}/{message_id}")
        if count < self._max:
            return False
        attributes = {
            **(message.get("attributes") or {}),
            "CloudPubSubDeadLetterSourceSubscription": self._consumer.subscription,
            "CloudPubSubDeadLetterSourceSubscriptionProject": self._project,
            "CloudPubSubDeadLetterSourceDeliveryCount": str(count),
        }
        try:
            self._publish(
                self._consumer.dead_letter_topic, base64.b64decode(message.get("data") or ""), attributes
            )
        except Exception:
            log.exception("could not dead-letter %s; Pub/Sub will push it again", message_id)
            return False
        log.warning(
            "%s: message %s failed %d times; moved to %s",
            self._consumer.target,
            message_id,
            count,
            self._consumer.dead_letter_topic,
        )
        return True


def from_env(project: str) -> Callable[[str, Any], Any] | None:
    """Wraps each consumer's app when the stack asked for it (ATENDE_DEV_DEAD_LETTERS); None otherwise."""
    path = os.environ.get(ENV)
    if not path:
        return None
    attempts = Attempts(Path(path))
    consumers = {c.target: c for c in CONSUMERS}
    publisher: Any = None

    def publish(topic: str, data: bytes, attributes: dict[str, str]) -> None:
        nonlocal publisher
        from google.cloud import pubsub_v1

        publisher = publisher or pubsub_v1.PublisherClient()
        publisher.publish(publisher.topic_path(project, topic), data, **attributes).result(timeout=30)

    def wrap(target: str, app: Any) -> Any:
        consumer = consumers.get(target)
        return app if consumer is None else DeadLetterAfter(app, consumer, project, attempts, publish)

    return wrap
