"""Cloud Scheduler's send-sweep job, in `make dev`: a timer publishing the same tick to the same topic."""

from __future__ import annotations

import json
import logging
import threading

from google.cloud import pubsub_v1

from atende import topics

log = logging.getLogger(__name__)

SWEEP_TICK = json.dumps({"kind": "send_sweep"}).encode()  # as terraform/scheduler.tf's send_sweep job


class SweepTimer:
    """Publishes a sweep tick every `interval_s` until stopped; a failed publish waits for the next tick."""

    def __init__(self, project: str, interval_s: float) -> None:
        self._publisher = pubsub_v1.PublisherClient()
        self._topic = self._publisher.topic_path(project, topics.AUTOMATION_TICK)
        self._interval_s = interval_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="send-sweep-timer", daemon=True)

    def start(self) -> SweepTimer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stopped.wait(self._interval_s):
            try:
                self._publisher.publish(self._topic, SWEEP_TICK, source="dev-scheduler").result(timeout=10)
            except Exception as exc:  # the emulator restarting, or the stack stopping under us
                log.warning("send sweep tick not published: %s", exc)
