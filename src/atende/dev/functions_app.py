"""Every function in one WSGI app, each under /<target>, as Cloud Functions serves them apart.

Served by gunicorn in `make dev` and in the end-to-end tests. Each target is a
real functions-framework app loaded from its own functions/<dir>/main.py, so a
Pub/Sub push goes through the same CloudEvent conversion as in production.
"""

from __future__ import annotations

from typing import Any

from functions_framework import create_app
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware

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
    return DispatcherMiddleware(
        NotFound(),
        {
            f"/{f.target}": _at_root(
                create_app(
                    target=f.target, source=str(root / f.directory / "main.py"), signature_type=f.signature
                )
            )
            for f in FUNCTIONS
        },
    )


app = build()
