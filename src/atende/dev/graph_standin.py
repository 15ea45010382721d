"""A local stand-in for Meta's Graph API send endpoints.

Speaks the real wire format (request path, bearer token, response and error
bodies), records what was sent and shows it on a page. Tests queue faults
(HTTP status + Graph error body, or a delay) to exercise retries. Used by
`make dev` when GRAPH_API_BASE_URL is unset, and by the tests.

It also plays the rest of Meta that the functions talk to: WhatsApp media
(`GET /{version}/{media_id}` → a URL served with bearer auth), Messenger/IG
CDN URLs, mark-as-read and sender actions (kept apart from `sent`), and it
serves the dev media store (`/media/...`, HMAC-signed URLs) and any mounted
dev app (the channel simulator at `/simulator`).
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from atende.dev.standin_http import QuietHandler


@dataclass
class Fault:
    """The next call's fate: wait `delay_s`, then answer `status` with `body` (0: handle it normally).

    `answer_delay_s` is a slow answer: the message is accepted and recorded at once, and only the answer
    is late, as when Meta took a send but the client stopped waiting.
    """

    status: int
    body: dict[str, Any]
    delay_s: float = 0.0
    answer_delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)  # e.g. Retry-After with a 429


@dataclass
class GraphStandIn:
    sent: list[dict[str, Any]] = field(default_factory=list)
    faults: deque[Fault] = field(default_factory=deque)
    calls: int = 0
    actions: list[dict[str, Any]] = field(default_factory=list)  # mark-as-read, sender actions
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # media id -> (bytes, mime type)
    media_store: Any = None  # a LocalMediaStore whose signed /media/ URLs this server answers
    media_secret: str = ""
    mounts: dict[str, Callable[..., Any]] = field(default_factory=dict)  # path prefix -> WSGI app
    on_sent: list[Callable[[dict[str, Any]], None]] = field(default_factory=list)
    # WABA id -> its message templates, as Meta's `message_templates` edge returns them
    templates: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: demo_templates())
    _lock: threading.Condition = field(default_factory=threading.Condition)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    _routes = Map(
        [
            Rule("/", endpoint="page", methods=["GET"]),
            Rule("/_standin/sent", endpoint="list_sent", methods=["GET"]),
            Rule("/_standin/sent", endpoint="clear", methods=["DELETE"]),
            Rule("/_standin/faults", endpoint="add_faults", methods=["POST"]),
            Rule("/<version>/<account>/messages", endpoint="send", methods=["POST"]),
            Rule("/<version>/<waba>/message_templates", endpoint="list_templates", methods=["GET"]),
            Rule("/<version>/<waba>/message_templates", endpoint="create_template", methods=["POST"]),
            Rule("/<version>/<media_id>", endpoint="media_info", methods=["GET"]),
            Rule("/_standin/media/<media_id>", endpoint="media_download", methods=["GET"]),
            Rule("/_standin/cdn/<media_id>", endpoint="cdn", methods=["GET"]),
            Rule("/media/<path:path>", endpoint="stored_media", methods=["GET"]),
        ]
    )

    # -- Python API (tests in the same process) ------------------------------------------------------

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[dict[str, Any]]:
        """Block until at least `count` messages were accepted; returns them all."""
        with self._lock:
            self._lock.wait_for(lambda: len(self.sent) >= count, timeout_s)
            return list(self.sent)

    def fail_next(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def reset(self) -> None:
        with self._lock:
            self.sent.clear()
            self.faults.clear()
            self.actions.clear()
            self.calls = 0

    def add_media(self, data: bytes, mime_type: str) -> str:
        """Keep a file as Meta keeps a customer's upload; returns its media id."""
        media_id = str(9_000_000_000_000 + next(self._ids))
        with self._lock:
            self.media[media_id] = (data, mime_type)
        return media_id

    # -- HTTP --------------------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Any) -> Any:
        path = environ.get("PATH_INFO") or "/"
        for prefix, app in self.mounts.items():
            if path == prefix or path.startswith(prefix + "/"):
                return app(environ, start_response)
        return dispatch(self._routes, self, environ, start_response)

    def _http_send(self, request: Request, version: str, account: str) -> Response:
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return _graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        try:
            body = json.loads(request.get_data())
        except ValueError:
            return _graph_error(400, 100, "Invalid parameter: body is not JSON")
        with self._lock:
            self.calls += 1
            fault = self.faults.popleft() if self.faults else None
        if fault:
            time.sleep(fault.delay_s)
            if fault.status:
                return Response(
                    json.dumps(fault.body),
                    status=fault.status,
                    headers=fault.headers,
                    content_type="application/json",
                )
        if body.get("status") == "read" or body.get("sender_action"):
            return self._action(account, body)
        provider_id = (
            f"wamid.STANDIN{next(self._ids):08d}"
            if body.get("messaging_product")
            else f"m_standin{next(self._ids):08d}"
        )
        record = {
            "version": version,
            "account": account,
            "body": body,
            "id": provider_id,
            "token": request.headers["Authorization"][7:],
            "at": time.time(),
        }
        with self._lock:
            self.sent.append(record)
            self._lock.notify_all()
            hooks = list(self.on_sent)
        for hook in hooks:
            hook(record)
        if fault and fault.answer_delay_s:
            time.sleep(fault.answer_delay_s)
        if body.get("messaging_product") == "whatsapp":
            recipient = body.get("to") or body.get("recipient")
            return _json(
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": recipient, "wa_id": str(recipient).lstrip("+")}],
                    "messages": [{"id": provider_id}],
                }
            )
        return _json({"recipient_id": (body.get("recipient") or {}).get("id"), "message_id": provider_id})

    def _http_list_templates(self, request: Request, version: str, waba: str) -> Response:
        """Cursor paging as Meta's: `limit`, `after`; `paging.next` only while there is more. A template
        created here is reviewed by the time it is listed: PENDING becomes APPROVED."""
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return _graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        limit = max(1, min(int(request.args.get("limit", 25)), 1000))
        start = int(request.args.get("after") or "0", 16) if request.args.get("after") else 0
        with self._lock:
            items = self.templates.get(waba, [])
            for item in items:
                if item["status"] == "PENDING":
                    item["status"] = "APPROVED"
            page = [dict(t) for t in items[start : start + limit]]
            more = start + limit < len(items)
        paging: dict[str, Any] = {"cursors": {"before": f"{start:x}", "after": f"{start + len(page):x}"}}
        if more:
            paging["next"] = f"{request.base_url}?limit={limit}&after={start + len(page):x}"
        return _json({"data": page, "paging": paging})

    def _http_create_template(self, request: Request, version: str, waba: str) -> Response:
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return _graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        try:
            body = json.loads(request.get_data())
            name, language, category = str(body["name"]), str(body["language"]), str(body["category"])
            components = list(body["components"])
        except (ValueError, KeyError, TypeError):
            return _graph_error(400, 100, "Invalid parameter")
        with self._lock:
            items = self.templates.setdefault(waba, [])
            if any((t["name"], t["language"]) == (name, language) for t in items):
                return _graph_error(400, 100, "Content in this language already exists")
            template_id = str(1_300_000_000_000_000 + next(self._ids))
            items.append(
                {
                    "id": template_id,
                    "name": name,
                    "language": language,
                    "category": category,
                    "status": "PENDING",
                    "components": components,
                }
            )
        return _json({"id": template_id, "status": "PENDING", "category": category})

    def _action(self, account: str, body: dict[str, Any]) -> Response:
        with self._lock:
            self.actions.append({"account": account, "body": body, "at": time.time()})
        if body.get("messaging_product"):
            return _json({"success": True})
        return _json({"recipient_id": (body.get("recipient") or {}).get("id")})

    def _http_media_info(self, request: Request, version: str, media_id: str) -> Response:
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return _graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        with self._lock:
            found = self.media.get(media_id)
        if found is None:
            return _graph_error(
                400, 100, f"Unsupported get request. Object with ID '{media_id}' does not exist"
            )
        data, mime = found
        return _json(
            {
                "messaging_product": "whatsapp",
                "url": f"{request.host_url}_standin/media/{media_id}",
                "mime_type": mime,
                "sha256": hashlib.sha256(data).hexdigest(),
                "file_size": len(data),
                "id": media_id,
            }
        )

    def _http_media_download(self, request: Request, media_id: str) -> Response:
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return Response("unauthorized", status=401)
        return self._http_cdn(request, media_id)

    def _http_cdn(self, request: Request, media_id: str) -> Response:
        with self._lock:
            found = self.media.get(media_id)
        if found is None:
            return Response("not found", status=404)
        return Response(found[0], content_type=found[1])

    def _http_stored_media(self, request: Request, path: str) -> Response:
        from atende.adapters.media_store import local_url_valid

        expires, signature = request.args.get("expires", ""), request.args.get("signature", "")
        if self.media_store is None or not local_url_valid(path, expires, signature, self.media_secret):
            return Response("link inválido ou expirado", status=403)
        try:
            data, content_type = self.media_store.read(path)
        except (OSError, ValueError):
            return Response("not found", status=404)
        return Response(data, content_type=content_type)

    def _http_list_sent(self, request: Request) -> Response:
        with self._lock:
            return _json({"sent": self.sent, "calls": self.calls})

    def _http_clear(self, request: Request) -> Response:
        self.reset()
        return _json({"cleared": True})

    def _http_add_faults(self, request: Request) -> Response:
        items = json.loads(request.get_data() or b"[]")
        self.fail_next(
            *(
                Fault(
                    int(i.get("status", 0)),
                    i.get("body") or {},
                    float(i.get("delay_s", 0)),
                    float(i.get("answer_delay_s", 0)),
                    {str(k): str(v) for k, v in (i.get("headers") or {}).items()},
                )
                for i in items
            )
        )
        return _json({"queued": len(items)})

    def _http_page(self, request: Request) -> Response:
        with self._lock:
            rows = "".join(
                f"<tr><td>{time.strftime('%H:%M:%S', time.localtime(r['at']))}</td>"
                f"<td>{html.escape(r['account'])}</td>"
                f"<td>{html.escape(str(r['body'].get('to') or r['body'].get('recipient')))}</td>"
                f"<td>{html.escape(_preview(r['body']))}</td></tr>"
                for r in reversed(self.sent)
            )
        page = (
            f"<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=2>"
            f"<title>Graph API stand-in</title><h1>Mensagens enviadas ({len(self.sent)})</h1>"
            "<table border=1 cellpadding=4>"
            "<tr><th>hora</th><th>conta</th><th>para</th><th>mensagem</th></tr>"
            f"{rows}</table>"
        )
        return Response(page, content_type="text/html; charset=utf-8")


def demo_templates() -> dict[str, list[dict[str, Any]]]:
    """The demo WABA's catalog (dev/channels.json): the dev seed's utility templates and a marketing one."""
    from atende.dev.seed import LANGUAGE, TEMPLATES

    offer = (
        "oferta_fibra",
        "MARKETING",
        "Olá, {{1}}! {{2}} Para não receber mais ofertas, responda SAIR.",
    )
    return {
        "102290129340398": [
            {
                "id": str(1_200_000_000_000_000 + i),
                "name": name,
                "language": LANGUAGE,
                "category": category,
                "status": "APPROVED",
                "components": [{"type": "BODY", "text": body}],
            }
            for i, (name, category, body) in enumerate((*TEMPLATES, offer))
        ]
    }


def _preview(body: dict[str, Any]) -> str:
    kind = body.get("type", "")
    if kind == "text":
        return body.get("text", {}).get("body", "")
    return json.dumps(body.get(kind) or body.get("message") or body, ensure_ascii=False)[:300]


def dispatch(routes: Map, handler: Any, environ: dict, start_response: Any) -> Any:
    """Route to `handler._http_<endpoint>(request, **values)`, the dev servers' one convention."""
    try:
        endpoint, values = routes.bind_to_environ(environ).match()
    except Exception as exc:  # werkzeug's NotFound / MethodNotAllowed are responses
        return exc(environ, start_response)  # type: ignore[operator]
    return getattr(handler, f"_http_{endpoint}")(Request(environ), **values)(environ, start_response)


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, content_type="application/json")


def _graph_error(status: int, code: int, message: str) -> Response:
    return _json(
        {"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "standin"}},
        status,
    )


def serve(standin: GraphStandIn, host: str, port: int) -> BaseWSGIServer:
    """Start serving in a daemon thread; call .shutdown() to stop."""
    server = make_server(host, port, standin, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=server.serve_forever, name="graph-standin", daemon=True).start()
    return server
