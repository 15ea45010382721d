"""Cloud Scheduler's jobs, in `make dev`: timers publishing the same ticks to the same topic, and the one
tick `atende tick` fires now."""

from __future__ import annotations

import json
import logging
import threading

from google.cloud import pubsub_v1

from atende import topics

log = logging.getLogger(__name__)

# As terraform/scheduler.tf's jobs: the send sweep every minute, the automation tick every 15 minutes.
SWEEP_TICK = json.dumps({"kind": "send_sweep"}).encode()
AUTOMATION_TICK = json.dumps({"kind": "automation_tick"}).encode()
AUTOMATION_INTERVAL_S = 15 * 60.0


def publish_tick(project: str, payload: bytes = AUTOMATION_TICK, source: str = "atende-cli") -> str:
    """Publish one tick now; returns the Pub/Sub message id."""
    publisher = pubsub_v1.PublisherClient()
    topic = publisher.topic_path(project, topics.AUTOMATION_TICK)
    return publisher.publish(topic, payload, source=source).result(timeout=10)


class SweepTimer:
    """Publishes `payload` every `interval_s` until stopped; a failed publish waits for the next tick."""

    def __init__(self, project: str, interval_s: float, payload: bytes = SWEEP_TICK) -> None:
        self._publisher = pubsub_v1.PublisherClient()
        self._topic = self._publisher.topic_path(project, topics.AUTOMATION_TICK)
        self._interval_s = interval_s
        self._payload = payload
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tick-timer", daemon=True)

    def start(self) -> SweepTimer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stopped.wait(self._interval_s):
            try:
                self._publisher.publish(self._topic, self._payload, source="dev-scheduler").result(timeout=10)
            except Exception as exc:  # the emulator restarting, or the stack stopping under us
                log.warning("tick not published: %s", exc)
