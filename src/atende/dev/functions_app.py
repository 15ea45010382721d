"""Every function in one WSGI app, each under /<target>, as Cloud Functions serves them apart.

Served by gunicorn in `make dev` and in the end-to-end tests. Each target is a
real functions-framework app loaded from its own functions/<dir>/main.py, so a
Pub/Sub push goes through the same CloudEvent conversion as in production.
With `ATENDE_COST_STATS=<dir>` each function's Firestore and Pub/Sub calls and
CPU time are counted (`atende.dev.cost_meter`), for the cost benchmark. With
`ATENDE_DEV_DEAD_LETTERS=<file>` (set by the stack) each event function is
dead-lettered after five failed pushes by `atende.dev.dead_letters`, since the
emulator cannot do it.
"""

from __future__ import annotations

import os
from typing import Any

from functions_framework import create_app
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from atende.dev import cost_meter, dead_letters
from atende.dev.paths import repo_root
from atende.topology import FUNCTIONS


def _at_root(app: Any) -> Any:
    """/<target> alone reaches the function as "/", as the deployed function's URL does."""

    def wsgi(environ: dict, start_response: Any) -> Any:
        environ["PATH_INFO"] = environ.get("PATH_INFO") or "/"
        return app(environ, start_response)

    return wsgi


def build() -> DispatcherMiddleware:
    root = repo_root() / "functions"
    meter = cost_meter.from_env()  # before any client opens its channel
    apps = {
        f.target: _at_root(
            create_app(
                target=f.target, source=str(root / f.directory / "main.py"), signature_type=f.signature
            )
        )
        for f in FUNCTIONS
    }
    dead_lettering = dead_letters.from_env(os.environ.get("GOOGLE_CLOUD_PROJECT", "demo-atende"))
    if dead_lettering is not None:
        apps = {target: dead_lettering(target, app) for target, app in apps.items()}
    if meter is not None:
        apps = {target: meter.wsgi(target, app) for target, app in apps.items()}
    return DispatcherMiddleware(NotFound(), {f"/{target}": app for target, app in apps.items()})


app = build()
