"""The channel simulator: play a customer on WhatsApp, Messenger or Instagram, with no Meta account.

Served by the Graph stand-in at `/simulator` in `make dev` (static files in
this folder, no build step). Sending builds the webhook Meta would send,
signs it with META_APP_SECRET and posts it to the real webhook function;
Atende's answers arrive at the stand-in like at Meta, and for simulator
customers the stand-in then sends the delivery statuses back (sent →
delivered → read, signed) to the right webhook, as Meta does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from atende.dev.graph_standin import dispatch
from atende.dev.payloads import encode, signed_headers
from atende.dev.simulator import payloads as p

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css"}
STATUS_STEPS = (("sent", 0.15), ("delivered", 0.35), ("read", 0.8))  # delay after the send, seconds
MAX_UPLOAD = 5 * 1024 * 1024


@dataclass
class Entry:
    """One bubble of the phone view."""

    id: str
    channel: str
    customer: str
    author: str  # "customer" or "atende"
    at: float
    text: str | None = None
    image_url: str | None = None
    location: dict[str, Any] | None = None
    choices: list[dict[str, str]] = field(default_factory=list)
    status: str | None = None  # webhook HTTP result for the customer's; delivery state for Atende's
    callback_data: str | None = None  # what Atende sent as biz_opaque_callback_data: WhatsApp echoes it


class Simulator:
    def __init__(self, standin: Any, functions_url: str, app_secret: str, graph_url: str) -> None:
        self._standin = standin
        self._functions_url = functions_url.rstrip("/")
        self._secret = app_secret
        self._graph_url = graph_url.rstrip("/")
        self._lock = threading.Lock()
        self._entries: list[Entry] = []
        self._active: set[tuple[str, str]] = set()  # (channel, customer key) played in this session
        self._http = httpx.Client(timeout=15)
        self._routes = Map(
            [
                Rule("/simulator", endpoint="index"),
                Rule("/simulator/", endpoint="index"),
                Rule("/simulator/static/<name>", endpoint="static"),
                Rule("/simulator/api/config", endpoint="config"),
                Rule("/simulator/api/thread", endpoint="thread"),
                Rule("/simulator/api/send", endpoint="send", methods=["POST"]),
            ]
        )
        standin.on_sent.append(self._answer_arrived)

    def __call__(self, environ: dict, start_response: Any) -> Any:
        return dispatch(self._routes, self, environ, start_response)

    # -- pages -------------------------------------------------------------------------------------------

    def _http_index(self, request: Request) -> Response:
        return self._http_static(request, "index.html")

    def _http_static(self, request: Request, name: str) -> Response:
        path = STATIC / name
        if path.parent != STATIC or not path.is_file():
            return Response("not found", status=404)
        return Response(
            path.read_bytes(), content_type=CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        )

    def _http_config(self, request: Request) -> Response:
        return _json(
            {
                "channels": [
                    {"id": "whatsapp", "name": "WhatsApp", "account": p.ACCOUNTS["whatsapp"]},
                    {"id": "messenger", "name": "Messenger", "account": p.ACCOUNTS["messenger"]},
                    {"id": "instagram", "name": "Instagram", "account": p.ACCOUNTS["instagram"]},
                ],
                "customers": [{"key": c.key, "name": c.name, "phone": c.phone} for c in p.CUSTOMERS],
            }
        )

    def _http_thread(self, request: Request) -> Response:
        channel, customer = request.args.get("channel", ""), request.args.get("customer", "")
        with self._lock:
            items = [e.__dict__ for e in self._entries if e.channel == channel and e.customer == customer]
        return _json({"messages": sorted(items, key=lambda e: e["at"])})

    # -- the customer writes ---------------------------------------------------------------------------

    def _http_send(self, request: Request) -> Response:
        try:
            data = json.loads(request.get_data() or b"{}")
            channel, kind = str(data["channel"]), str(data.get("kind") or "text")
            customer = next(c for c in p.CUSTOMERS if c.key == data["customer"])
        except (ValueError, KeyError, StopIteration):
            return _json({"error": "canal ou cliente inválido"}, 400)
        if channel not in p.ACCOUNTS:
            return _json({"error": "canal inválido"}, 400)
        message_id = p.new_id(channel)
        entry = Entry(message_id, channel, customer.key, "customer", time.time(), text=data.get("text"))
        fields: dict[str, Any] = {"text": data.get("text") or ""}
        if kind == "image":
            image = base64.b64decode(str(data.get("image") or ""))
            if not image or len(image) > MAX_UPLOAD:
                return _json({"error": "imagem ausente ou maior que 5 MB"}, 400)
            mime = str(data.get("mime_type") or "image/jpeg")
            media_id = self._standin.add_media(image, mime)
            entry.image_url = f"{self._graph_url}/_standin/cdn/{media_id}"
            fields |= {"media_id": media_id, "mime_type": mime, "sha256": hashlib.sha256(image).hexdigest()}
            fields["url"] = entry.image_url
        elif kind == "location":
            fields |= {k: data[k] for k in ("latitude", "longitude", "name", "address") if data.get(k)}
            entry.location = p.location(fields)
        elif kind == "choice":
            fields |= {
                "choice_id": data.get("choice_id"),
                "list": data.get("list"),
                "reply_to": data.get("reply_to"),
            }
        payload = p.inbound(channel, customer, message_id, kind, **fields)
        with self._lock:
            self._active.add((channel, customer.key))
            self._entries.append(entry)
        entry.status = str(self._post(channel, payload))
        return _json({"id": message_id, "webhook_status": int(entry.status)})

    def _post(self, channel: str, payload: dict[str, Any]) -> int:
        body = encode(payload)
        try:
            response = self._http.post(
                f"{self._functions_url}/webhook_{channel}",
                content=body,
                headers=signed_headers(body, self._secret),
            )
        except httpx.HTTPError as exc:
            log.warning("simulator: webhook_%s unreachable: %s", channel, exc)
            return 0
        return response.status_code

    # -- Atende answers (called by the stand-in for every accepted send) -------------------------------

    def _answer_arrived(self, record: dict[str, Any]) -> None:
        found = self._recipient(record)
        if found is None:
            return
        channel, customer = found
        with self._lock:
            if (channel, customer.key) not in self._active:
                return  # someone else's test customer: Meta's statuses are theirs to simulate
            entry = _answer_entry(record, channel, customer.key)
            self._entries.append(entry)
        threading.Thread(
            target=self._deliver, args=(channel, customer, entry), name="simulator-status", daemon=True
        ).start()

    def _recipient(self, record: dict[str, Any]) -> tuple[str, p.Customer] | None:
        body = record["body"]
        if body.get("messaging_product") == "whatsapp":
            target = str(body.get("to") or body.get("recipient") or "").lstrip("+")
            channel = "whatsapp"
        else:
            target = str((body.get("recipient") or {}).get("id") or "")
            channel = next(
                (c for c, a in p.ACCOUNTS.items() if a == record["account"] and c != "whatsapp"), ""
            )
        for customer in p.CUSTOMERS:
            if channel and customer.id_on(channel) == target:
                return channel, customer
        return None

    def _deliver(self, channel: str, customer: p.Customer, entry: Entry) -> None:
        started = time.monotonic()
        for state, at in STATUS_STEPS:
            time.sleep(max(0.0, at - (time.monotonic() - started)))
            entry.status = state
            payload = p.status(channel, customer, entry.id, state, entry.callback_data)
            if payload is not None:
                self._post(channel, payload)


def _answer_entry(record: dict[str, Any], channel: str, customer: str) -> Entry:
    body = record["body"]
    entry = Entry(record["id"], channel, customer, "atende", record["at"])
    entry.callback_data = body.get("biz_opaque_callback_data")
    if channel == "whatsapp":
        kind = body.get("type")
        part = body.get(kind) or {}
        if kind == "text":
            entry.text = part.get("body")
        elif kind == "interactive":
            entry.text = (part.get("body") or {}).get("text")
            action = part.get("action") or {}
            entry.choices = [
                {"id": b["reply"]["id"], "title": b["reply"]["title"]} for b in action.get("buttons") or []
            ] + [
                {"id": r["id"], "title": r["title"], "list": "1"}
                for s in action.get("sections") or []
                for r in s.get("rows") or []
            ]
        elif kind in ("image", "sticker"):
            entry.image_url, entry.text = part.get("link"), part.get("caption")
        else:
            entry.text = f"[{kind}] {json.dumps(part, ensure_ascii=False)[:200]}"
        return entry
    message = body.get("message") or {}
    entry.text = message.get("text")
    attachment = message.get("attachment") or {}
    if attachment.get("type") == "image":
        entry.image_url = (attachment.get("payload") or {}).get("url")
    elif attachment:
        entry.text = f"[{attachment.get('type')}] {(attachment.get('payload') or {}).get('url')}"
    entry.choices = [
        {"id": q.get("payload"), "title": q.get("title")} for q in message.get("quick_replies") or []
    ]
    return entry


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, content_type="application/json")


def attach(standin: Any, stack: Any) -> Simulator:
    """Wire the dev-only extras into the stand-in: the local media store and the simulator."""
    from atende.adapters.media_store import LocalMediaStore

    env = stack.env
    secret = env["MEDIA_URL_SECRET"]
    standin.media_store = LocalMediaStore(Path(env["MEDIA_DIR"]), env["MEDIA_BASE_URL"], secret)
    standin.media_secret = secret
    simulator = Simulator(
        standin, stack.functions_url, env.get("META_APP_SECRET", ""), env["GRAPH_API_BASE_URL"]
    )
    standin.mounts["/simulator"] = simulator
    return simulator
