"""The plumbing the local stand-ins of third-party APIs share: routing, JSON replies, a server thread."""

from __future__ import annotations

import json
import threading
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response


def route(app: Any, routes: Map, request: Request) -> Any:
    """Call `app._http_<endpoint>(request, **values)`; an unknown path or method answers 404/405."""
    try:
        endpoint, values = routes.bind_to_environ(request.environ).match()
    except HTTPException as exc:
        return exc
    return getattr(app, f"_http_{endpoint}")(request, **values)


def json_response(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, content_type="application/json")


class QuietHandler(WSGIRequestHandler):
    """No access log: the dev console is for our own messages."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


def serve(app: Any, host: str, port: int, name: str, quiet: bool = False) -> BaseWSGIServer:
    """Start serving in a daemon thread (port 0: any free one, see `.server_port`); `.shutdown()` stops it."""
    server = make_server(host, port, app, threaded=True, request_handler=QuietHandler if quiet else None)
    threading.Thread(target=server.serve_forever, name=name, daemon=True).start()
    return server
