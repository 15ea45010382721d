"""A local stand-in for the Gemini REST API (generateContent), for tests, demos and benchmarks.

google-genai reaches it through `HttpOptions(base_url=...)` (GEMINI_BASE_URL),
so the engine under test runs the real SDK: request shapes, function-call
parts, error mapping and its own retries. Tests script the answers: text,
functionCall parts, HTTP errors (429, 503…) and delays; with the script
empty it answers `default_text` after `delay_s`. A test in another process
(the functions under gunicorn) drives it over HTTP at /_standin/*.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer
from werkzeug.wrappers import Request, Response

from atende.dev.standin_http import json_response as _json
from atende.dev.standin_http import route
from atende.dev.standin_http import serve as _serve

ERROR_STATUS = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


def text(reply: str, delay_s: float = 0.0) -> dict[str, Any]:
    return {"text": reply, "delay_s": delay_s}


def call(name: str, args: dict[str, Any] | None = None, delay_s: float = 0.0) -> dict[str, Any]:
    return {"calls": [{"name": name, "args": args or {}}], "delay_s": delay_s}


def error(status: int, delay_s: float = 0.0) -> dict[str, Any]:
    return {"status": status, "delay_s": delay_s}


def _tokens(value: Any) -> int:
    return max(1, len(json.dumps(value, ensure_ascii=False)) // 4)


@dataclass
class GeminiStandIn:
    default_text: str = "Olá! Como posso ajudar?"
    delay_s: float = 0.0
    url: str = ""  # where it listens, once served by `running`
    script: deque[dict[str, Any]] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    _routes = Map(
        [
            Rule("/_standin/script", endpoint="add_script", methods=["POST"]),
            Rule("/_standin/config", endpoint="configure", methods=["POST"]),
            Rule("/_standin/requests", endpoint="list_requests", methods=["GET"]),
            Rule("/_standin/requests", endpoint="reset", methods=["DELETE"]),
            Rule("/<version>/models/<path:target>", endpoint="generate", methods=["POST"]),
        ]
    )

    # -- Python API --------------------------------------------------------------------------------

    def then(self, *items: dict[str, Any]) -> GeminiStandIn:
        """Queue answers for the next requests, in order (see `text`, `call`, `error`)."""
        with self._lock:
            self.script.extend(items)
        return self

    def reset(self) -> None:
        with self._lock:
            self.script.clear()
            self.requests.clear()

    # -- HTTP --------------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Any) -> Any:
        return route(self, self._routes, Request(environ))(environ, start_response)

    def _http_generate(self, request: Request, version: str, target: str) -> Response:
        model, _, method = target.partition(":")
        body = request.get_json(silent=True) or {}
        if method != "generateContent":
            return _error(404, f"method {method} is not served by the stand-in")
        if not request.headers.get("x-goog-api-key"):
            return _error(403, "Method doesn't allow unregistered callers. Please use an API Key.")
        with self._lock:
            self.requests.append({"version": version, "model": model, "body": body, "at": time.time()})
            item = (
                self.script.popleft() if self.script else {"text": self.default_text, "delay_s": self.delay_s}
            )
        time.sleep(float(item.get("delay_s") or 0))
        if item.get("status"):
            return _error(int(item["status"]), item.get("message") or "stand-in error")
        if item.get("calls"):
            parts = [
                {"functionCall": {"name": c["name"], "args": c.get("args") or {}}} for c in item["calls"]
            ]
        else:
            parts = [{"text": item.get("text", "")}]
        prompt_tokens, output_tokens = _tokens(body.get("contents")), _tokens(parts)
        return _json(
            {
                "candidates": [
                    {"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}
                ],
                "usageMetadata": {
                    "promptTokenCount": prompt_tokens,
                    "candidatesTokenCount": output_tokens,
                    "totalTokenCount": prompt_tokens + output_tokens,
                },
                "modelVersion": model,
                "responseId": f"standin-{len(self.requests)}",
            }
        )

    def _http_add_script(self, request: Request) -> Response:
        items = json.loads(request.get_data() or b"[]")
        self.then(*items)
        return _json({"queued": len(items)})

    def _http_configure(self, request: Request) -> Response:
        data = json.loads(request.get_data() or b"{}")
        with self._lock:
            self.delay_s = float(data.get("delay_s", self.delay_s))
            self.default_text = str(data.get("default_text", self.default_text))
        return _json({"delay_s": self.delay_s, "default_text": self.default_text})

    def _http_list_requests(self, request: Request) -> Response:
        with self._lock:
            return _json({"requests": self.requests})

    def _http_reset(self, request: Request) -> Response:
        self.reset()
        return _json({"cleared": True})


def _error(status: int, message: str) -> Response:
    return _json(
        {"error": {"code": status, "message": message, "status": ERROR_STATUS.get(status, "UNKNOWN")}}, status
    )


def serve(standin: GeminiStandIn, host: str = "127.0.0.1", port: int = 0) -> BaseWSGIServer:
    """Start serving in a daemon thread; `server.server_port` is the port, `.shutdown()` stops it."""
    return _serve(standin, host, port, "gemini-standin")


@contextmanager
def running(
    standin: GeminiStandIn | None = None, host: str = "127.0.0.1", port: int = 0
) -> Iterator[GeminiStandIn]:
    """A served stand-in for the duration of a `with` block; its base URL is `.url`."""
    standin = standin or GeminiStandIn()
    server = serve(standin, host, port)
    standin.url = f"http://{host}:{server.server_port}"
    try:
        yield standin
    finally:
        server.shutdown()
