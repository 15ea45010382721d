"""The Cloud Tasks stand-in, reached through the production adapter: the queue's rate and retry settings."""

from __future__ import annotations

import itertools
import statistics
import threading
import time
from dataclasses import replace

import pytest
from werkzeug.wrappers import Request, Response

from atende import campaign_queue
from atende.adapters.cloud_tasks import CloudTasksQueue
from atende.dev.cloud_tasks_standin import CloudTasksStandIn
from atende.dev.polling import wait_until
from atende.dev.standin_http import serve
from atende.services.campaigns import CampaignTask


class Target:
    """An HTTP task target that records when each task arrived and answers from a script per task."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, str, dict[str, str]]] = []
        self.failures: dict[str, int] = {}  # task body -> how many more 500s to answer
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        request = Request(environ)
        body = request.get_data(as_text=True)
        with self._lock:
            self.arrivals.append((time.time(), body, dict(request.headers)))
            failing = self.failures.get(body, 0)
            self.failures[body] = failing - 1
        return Response(status=500 if failing > 0 else 200)(environ, start_response)


@pytest.fixture
def queue_and_target():
    config = replace(
        campaign_queue.load(),
        max_dispatches_per_second=20,
        min_backoff_s=0.2,
        max_backoff_s=1.0,
        max_attempts=3,
        max_retry_duration_s=0.0,
    )
    standin = CloudTasksStandIn(config).start()
    target = Target()
    servers = [
        serve(standin, "127.0.0.1", 0, "tasks", quiet=True),
        serve(target, "127.0.0.1", 0, "t", quiet=True),
    ]
    queue = CloudTasksQueue(
        "projects/demo/locations/local/queues/atende-campaigns",
        f"http://127.0.0.1:{servers[1].server_port}/campaign_send",
        None,
        base_url=f"http://127.0.0.1:{servers[0].server_port}",
    )
    yield queue, target, standin
    standin.stop()
    for server in servers:
        server.shutdown()


def test_the_queue_rate_caps_tasks_that_are_all_due_at_once(queue_and_target):
    queue, target, _ = queue_and_target
    now = time.time()
    queue.enqueue_all([CampaignTask(f"t{i}", {"i": str(i)}, now) for i in range(60)])
    wait_until(lambda: len(target.arrivals) == 60, what="every task", timeout_s=20)
    times = sorted(t for t, _, _ in target.arrivals)[5:]  # past the bucket's first burst
    rate = 1 / statistics.linear_regression(range(len(times)), times).slope
    assert 17 <= rate <= 21, f"{rate:.1f}/s"
    headers = target.arrivals[0][2]
    assert headers["X-Cloudtasks-Queuename"] == "atende-campaigns"
    assert headers["Content-Type"] == "application/json"


def test_a_task_is_created_once_and_runs_at_its_time(queue_and_target):
    queue, target, standin = queue_and_target
    at = time.time() + 0.5
    queue.enqueue_all([CampaignTask("once", {"n": "1"}, at)])
    queue.enqueue_all([CampaignTask("once", {"n": "1"}, at)])  # a start run again after a crash
    wait_until(lambda: standin.stats["succeeded"] == 1, what="the task")
    assert len(target.arrivals) == 1 and target.arrivals[0][0] >= at


def test_failures_are_retried_with_backoff_until_max_attempts(queue_and_target):
    queue, target, standin = queue_and_target
    target.failures = {'{"n": "flaky"}': 2, '{"n": "broken"}': 99}
    queue.enqueue_all([CampaignTask("flaky", {"n": "flaky"}, time.time())])
    queue.enqueue_all([CampaignTask("broken", {"n": "broken"}, time.time())])
    wait_until(lambda: standin.stats["succeeded"] == 1 and standin.stats["gave_up"] == 1, what="both settled")
    flaky = [(t, h) for t, body, h in target.arrivals if body == '{"n": "flaky"}']
    assert [h["X-Cloudtasks-Taskretrycount"] for _, h in flaky] == ["0", "1", "2"]
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(flaky)]
    assert gaps[0] >= 0.2 and gaps[1] >= 0.4  # min_backoff, then doubled
    assert sum(1 for _, body, _ in target.arrivals if body == '{"n": "broken"}') == 3


def test_backoff_doubles_then_grows_linearly_up_to_the_cap():
    config = replace(campaign_queue.load(), min_backoff_s=5, max_backoff_s=300, max_doublings=4)
    assert [config.backoff_s(n) for n in range(1, 9)] == [5, 10, 20, 40, 80, 160, 240, 300]
    assert not config.gives_up(5, 100) and config.gives_up(5, 900)
