"""Serve the built inbox (web/inbox/dist) and the `/config.json` that points it at this stack.

Files come from werkzeug's SharedDataMiddleware; any other path gets index.html, so the app's own
routes (e.g. /c/<conversationId>) survive a reload. Without a build, the page says how to make one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.serving import BaseWSGIServer
from werkzeug.wrappers import Request, Response

from atende.dev.paths import repo_root
from atende.dev.standin_http import json_response, serve

INBOX = repo_root() / "web" / "inbox"

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Atende inbox: not built</title></head>
<body><h1>The inbox has not been built yet</h1>
<p>Build it with <code>.venv/bin/atende build --web</code> (or run <code>make dev</code> again),
then reload this page. Its sources are in <code>web/inbox/</code>.</p></body></html>
"""


def browser_config(
    project: str,
    auth_url: str,
    firestore_host: str,
    firestore_port: int,
    functions_url: str,
    widget_script: str | None = None,
) -> dict[str, Any]:
    """What the inbox reads at start: the Firebase web config, where the emulators and the API are, and
    the web-chat loader's address (the console's install snippet)."""
    return {
        "firebase": {
            "apiKey": "demo-api-key",
            "authDomain": f"{project}.firebaseapp.com",
            "projectId": project,
        },
        "emulators": {"auth": auth_url, "firestore": {"host": firestore_host, "port": firestore_port}},
        "apiBase": f"{functions_url}/inbox_api",
        "reportsApi": f"{functions_url}/reports_api",
        "consoleApi": f"{functions_url}/console_api",
        "locale": "pt-BR",
        "widgetScript": widget_script,
    }


class _SpaFallback:
    def __init__(self, dist: Path, config: dict[str, Any]) -> None:
        self.dist = dist
        self.config = config

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/config.json":
            response = json_response(self.config)
        elif (self.dist / "index.html").is_file():
            response = Response((self.dist / "index.html").read_bytes(), content_type="text/html")
        else:
            response = Response(NOT_BUILT, status=503, content_type="text/html")
        response.headers["Cache-Control"] = "no-cache"
        return response(environ, start_response)


def app(config: dict[str, Any], dist: Path = INBOX / "dist") -> Any:
    fallback = _SpaFallback(dist, config)
    files = SharedDataMiddleware(fallback, {"/": str(dist)})

    def inbox(environ: dict, start_response: Any) -> Any:
        # /config.json is the stack's, never a file a build may have left in dist.
        target = fallback if environ.get("PATH_INFO") == "/config.json" else files
        return target(environ, start_response)

    return inbox


def start(config: dict[str, Any], host: str, port: int, dist: Path = INBOX / "dist") -> BaseWSGIServer:
    return serve(app(config, dist), host, port, "inbox-server", quiet=True)
