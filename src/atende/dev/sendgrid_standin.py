"""A local stand-in for SendGrid's v3 mail send API, reached by the real `sendgrid` client through its
`host`: `POST /v3/mail/send` with a bearer key and the v3 JSON body, answered 202 with `X-Message-Id`
(or 401 without the key, 400 for a body without personalizations, as SendGrid does). It records each
mail; `GET /_standin/mail` lists them and `GET /` shows them, links included (the unsubscribe link works
against the dev stack's `events` function). Used by `make dev` and the tests; never deployed.
"""

from __future__ import annotations

import html
import itertools
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer
from werkzeug.wrappers import Request, Response

from atende.dev.standin_http import json_response, route, serve

DEV_API_KEY = "SG.dev-sendgrid-key"


def _error(status: int, message: str, field_name: str | None = None) -> Response:
    return json_response({"errors": [{"message": message, "field": field_name, "help": None}]}, status)


@dataclass
class SendGridStandIn:
    api_key: str = DEV_API_KEY
    mail: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Condition = field(default_factory=threading.Condition)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    _routes = Map(
        [
            Rule("/", endpoint="page", methods=["GET"]),
            Rule("/_standin/mail", endpoint="list_mail", methods=["GET"]),
            Rule("/v3/mail/send", endpoint="send", methods=["POST"]),
        ]
    )

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[dict[str, Any]]:
        with self._lock:
            self._lock.wait_for(lambda: len(self.mail) >= count, timeout=timeout_s)
            return list(self.mail)

    def __call__(self, environ: dict, start_response: Any) -> Any:
        return route(self, self._routes, Request(environ))(environ, start_response)

    def _http_send(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _error(401, "The provided authorization grant is invalid, expired, or revoked")
        try:
            body = json.loads(request.get_data())
        except ValueError:
            return _error(400, "Bad Request")
        if not body.get("personalizations"):
            return _error(400, "The personalizations field is required.", "personalizations")
        if not (body.get("from") or {}).get("email"):
            return _error(400, "The from object must be provided for every email send.", "from")
        message_id = f"sg-standin-{next(self._ids)}"
        with self._lock:
            self.mail.append({**body, "headers": body.get("headers") or {}, "_id": message_id})
            self._lock.notify_all()
        return Response(status=202, headers={"X-Message-Id": message_id})

    def _http_list_mail(self, request: Request) -> Response:
        with self._lock:
            return json_response(self.mail)

    def _http_page(self, request: Request) -> Response:
        with self._lock:
            rows = "".join(
                f"<article><h3>{html.escape(m.get('subject') or '')}</h3>"
                f"<p>to {html.escape(_recipients(m))}</p>"
                + "".join(c["value"] for c in m.get("content", []) if c["type"] == "text/html")
                + "</article>"
                for m in reversed(self.mail)
            )
        page = f'<!doctype html><meta charset="utf-8"><title>SendGrid stand-in</title><h1>E-mails</h1>{rows}'
        return Response(page, content_type="text/html; charset=utf-8")


def _recipients(mail: dict[str, Any]) -> str:
    return ", ".join(t["email"] for p in mail["personalizations"] for t in p.get("to", []))


def start(host: str, port: int) -> tuple[SendGridStandIn, BaseWSGIServer]:
    standin = SendGridStandIn()
    return standin, serve(standin, host, port, "sendgrid-standin", quiet=True)
