"""A local stand-in for Cloud Tasks: the v2 REST `CreateTask` endpoint, and a dispatcher behind it.

There is no Cloud Tasks emulator. This speaks the REST wire format that
google-cloud-tasks' own client uses (`transport="rest"` pointed here by
`CLOUD_TASKS_BASE_URL`), so Atende's production adapter is what talks to it. Tasks
are HTTP tasks: each is POSTed to its URL when its `scheduleTime` comes, with
Cloud Tasks' headers, no faster than the queue's `max_dispatches_per_second`
(a token bucket), no more than `max_concurrent_dispatches` at once, and retried
on a non-2xx answer with the queue's backoff until both `max_attempts` and
`max_retry_duration` are reached. The rate and retry settings come from
`atende/campaign_queue.json`, the file Terraform reads for the real queue.

Tasks live in memory only: killing this process loses them, as a crash of
anything holding them would; campaigns survive that by `resume`. Run by the
dev stack as its own process (`python -m atende.dev.cloud_tasks_standin`).
"""

from __future__ import annotations

import argparse
import base64
import heapq
import itertools
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from werkzeug.routing import Map, Rule
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from atende import campaign_queue
from atende.campaign_queue import QueueConfig
from atende.dev.standin_http import QuietHandler, json_response, route

log = logging.getLogger("cloud_tasks_standin")
_METHODS = {1: "POST", 2: "GET", 3: "HEAD", 4: "PUT", 5: "DELETE", 6: "PATCH", 7: "OPTIONS"}


@dataclass(order=True)
class _Due:
    at: float
    seq: int
    task: _Task = field(compare=False)


@dataclass
class _Task:
    name: str
    url: str
    method: str
    headers: dict[str, str]
    body: bytes
    schedule_time: float
    created: float
    attempts: int = 0
    first_attempt: float | None = None


class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up: Cloud Tasks' dispatch rate limit."""

    def __init__(self, rate: float, burst: int) -> None:
        self._rate, self._burst = rate, burst
        self._tokens = float(burst)
        self._at = time.monotonic()

    def wait(self, stopped: threading.Event) -> bool:
        while not stopped.is_set():
            now = time.monotonic()
            self._tokens = min(self._burst, self._tokens + (now - self._at) * self._rate)
            self._at = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            stopped.wait((1 - self._tokens) / self._rate)
        return False


class CloudTasksStandIn:
    def __init__(self, config: QueueConfig) -> None:
        self.config = config
        self._due: list[_Due] = []
        self._names: set[str] = set()
        self._seq = itertools.count()
        self._cv = threading.Condition()
        self._stopped = threading.Event()
        self._slots = threading.BoundedSemaphore(config.max_concurrent_dispatches)
        self._pool = ThreadPoolExecutor(max_workers=min(config.max_concurrent_dispatches, 64))
        self._bucket = TokenBucket(config.max_dispatches_per_second, _burst(config.max_dispatches_per_second))
        self._http = httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0))
        self.stats = {"created": 0, "dispatched": 0, "succeeded": 0, "retried": 0, "gave_up": 0}
        self._thread = threading.Thread(target=self._run, name="tasks-dispatcher", daemon=True)

    _routes = Map(
        [
            Rule("/v2/projects/<project>/locations/<location>/queues/<queue>/tasks", endpoint="create"),
            Rule("/_standin/tasks", endpoint="stats", methods=["GET"]),
        ]
    )

    def start(self) -> CloudTasksStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        with self._cv:
            self._cv.notify_all()
        self._thread.join(timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)

    # -- HTTP --------------------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Any) -> Any:
        return route(self, self._routes, Request(environ))(environ, start_response)

    def _http_create(self, request: Request, project: str, location: str, queue: str) -> Response:
        parent = f"projects/{project}/locations/{location}/queues/{queue}"
        if queue != self.config.name:
            return _error(404, "NOT_FOUND", f"Queue does not exist. {parent}")
        try:
            task = json.loads(request.get_data() or b"{}")["task"]
            http = task["httpRequest"]
            name = task.get("name") or f"{parent}/tasks/{next(self._seq)}{time.time_ns()}"
            method = http.get("httpMethod", "POST")
            new = _Task(
                name=name,
                url=http["url"],
                method=_METHODS.get(method, method) if isinstance(method, int) else str(method),
                headers=dict(http.get("headers") or {}),
                body=base64.b64decode(http.get("body") or ""),
                schedule_time=_parse_time(task.get("scheduleTime")) or time.time(),
                created=time.time(),
            )
        except (KeyError, TypeError, ValueError) as exc:
            return _error(400, "INVALID_ARGUMENT", f"Invalid task: {exc}")
        with self._cv:
            if name in self._names:
                return _error(409, "ALREADY_EXISTS", "Requested entity already exists")
            self._names.add(name)
            heapq.heappush(self._due, _Due(new.schedule_time, next(self._seq), new))
            self.stats["created"] += 1
            self._cv.notify_all()
        return json_response(_task_json(new))

    def _http_stats(self, request: Request) -> Response:
        with self._cv:
            return json_response({**self.stats, "pending": len(self._due)})

    # -- dispatching ---------------------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopped.is_set():
            with self._cv:
                while not self._stopped.is_set() and (not self._due or self._due[0].at > time.time()):
                    self._cv.wait(min(1.0, self._due[0].at - time.time()) if self._due else 1.0)
                if self._stopped.is_set():
                    return
                due = heapq.heappop(self._due)
            if not self._bucket.wait(self._stopped):
                return
            self._slots.acquire()
            self._pool.submit(self._dispatch, due.task)

    def _dispatch(self, task: _Task) -> None:
        try:
            now = time.time()
            task.first_attempt = task.first_attempt or now
            headers = {
                **task.headers,
                "X-CloudTasks-QueueName": self.config.name,
                "X-CloudTasks-TaskName": task.name.rsplit("/", 1)[-1],
                "X-CloudTasks-TaskRetryCount": str(task.attempts),
                "X-CloudTasks-TaskExecutionCount": str(task.attempts),
                "X-CloudTasks-TaskETA": f"{task.schedule_time:.6f}",
            }
            task.attempts += 1
            with self._cv:
                self.stats["dispatched"] += 1
            try:
                ok = self._http.request(task.method, task.url, content=task.body, headers=headers).is_success
            except httpx.HTTPError as exc:
                log.warning("task %s: %s", task.name, exc)
                ok = False
            self._settle(task, ok)
        finally:
            self._slots.release()

    def _settle(self, task: _Task, ok: bool) -> None:
        """Cloud Tasks retries on its own schedule (the queue's backoff), whatever `Retry-After` says."""
        with self._cv:
            if ok:
                self.stats["succeeded"] += 1
                return
            if self.config.gives_up(task.attempts, time.time() - (task.first_attempt or 0)):
                self.stats["gave_up"] += 1
                log.warning("task %s: gave up after %d attempts", task.name, task.attempts)
                return
            delay = self.config.backoff_s(task.attempts)
            self.stats["retried"] += 1
            heapq.heappush(self._due, _Due(time.time() + delay, next(self._seq), task))
            self._cv.notify_all()


def _burst(rate: float) -> int:
    """Cloud Tasks sets max_burst_size from the rate itself; a tenth of a second's worth, at least one."""
    return max(1, int(rate / 10))


def _parse_time(value: Any) -> float | None:
    if not value:
        return None
    if isinstance(value, dict):  # {"seconds": ..., "nanos": ...}
        return float(value.get("seconds", 0)) + float(value.get("nanos", 0)) / 1e9
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def _rfc3339(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat().replace("+00:00", "Z")


def _task_json(task: _Task) -> dict[str, Any]:
    return {
        "name": task.name,
        "httpRequest": {"url": task.url, "httpMethod": task.method, "headers": task.headers},
        "scheduleTime": _rfc3339(task.schedule_time),
        "createTime": _rfc3339(task.created),
        "dispatchCount": task.attempts,
        "responseCount": 0,
        "view": "BASIC",
    }


def _error(status: int, code: str, message: str) -> Response:
    return json_response({"error": {"code": status, "message": message, "status": code}}, status)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5003)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    standin = CloudTasksStandIn(campaign_queue.load()).start()
    server = make_server(args.host, args.port, standin, threaded=True, request_handler=QuietHandler)
    log.info("Cloud Tasks stand-in on http://%s:%d (%s)", args.host, args.port, standin.config)
    try:
        server.serve_forever()
    finally:
        standin.stop()


if __name__ == "__main__":
    main()
