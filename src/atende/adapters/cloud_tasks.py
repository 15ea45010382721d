"""Campaign tasks through Cloud Tasks: one HTTP task per recipient, to the authenticated campaign_send.

Each task is named (so a task created twice, e.g. by a start retried after a
crash, exists once), scheduled at its slot of the number's rate, and carries an
OIDC token of the tasks-invoker service account, the only identity allowed to
invoke `campaign_send`. With `CLOUD_TASKS_BASE_URL` the same client speaks REST
to the local stand-in (`atende.dev.cloud_tasks_standin`) without credentials.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from google.api_core import exceptions as gexc

from atende.services.campaigns import CampaignTask

CREATE_THREADS = 8  # CreateTask has no batch form: a 10,000-recipient campaign is 10,000 calls


class CloudTasksQueue:
    def __init__(
        self, queue_path: str, target_url: str, invoker_email: str | None, base_url: str | None = None
    ) -> None:
        from google.cloud import tasks_v2

        if base_url:
            from google.api_core.client_options import ClientOptions
            from google.auth.credentials import AnonymousCredentials

            self._client = tasks_v2.CloudTasksClient(
                transport="rest",
                credentials=AnonymousCredentials(),
                client_options=ClientOptions(api_endpoint=base_url),
            )
        else:
            self._client = tasks_v2.CloudTasksClient()
        self._queue = queue_path
        self._url = target_url
        self._invoker = invoker_email

    def enqueue_all(self, tasks: Sequence[CampaignTask]) -> None:
        with ThreadPoolExecutor(CREATE_THREADS) as pool:
            list(pool.map(self._create, tasks))

    def _create(self, task: CampaignTask) -> None:
        http: dict[str, Any] = {
            "http_method": "POST",
            "url": self._url,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps(task.payload).encode(),
        }
        if self._invoker:
            http["oidc_token"] = {"service_account_email": self._invoker, "audience": self._url}
        request = {
            "parent": self._queue,
            "task": {
                "name": f"{self._queue}/tasks/{task.name}",
                "schedule_time": datetime.fromtimestamp(task.run_at, tz=UTC),
                "http_request": http,
            },
        }
        # Created before (a start or resume run again): Cloud Tasks keeps one per name. AlreadyExists over
        # gRPC, a plain 409 over REST.
        with contextlib.suppress(gexc.Conflict):
            self._client.create_task(request=request)
