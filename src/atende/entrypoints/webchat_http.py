"""Flask ⇄ the web chat (`webchat`, docs/webchat.md): routes, CORS per site, body limits, the visitor's
token, one validated body per route, and each refusal as a status and a pt-BR message the widget shows.

The site of a request is the token's (every route but `/session` and `GET /sites/{key}`), else the body's
`siteKey`, else the `site` query parameter, which the widget adds to every URL because a CORS preflight
carries neither a body nor a token. A request whose `Origin` is not one of the site's origins is refused
before anything else happens.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Callable
from typing import Any, Literal, Protocol

import flask
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from atende.adapters.firebase_auth import Unauthenticated
from atende.channels.webchat.inbound import CLIENT_ID, Profile, VisitorMessage
from atende.domain.model import MessageId
from atende.domain.phone import typed_by_a_person
from atende.domain.site import SITE_KEY, Site
from atende.domain.visitor import IdentityClaim, VisitorClaims
from atende.services.links import MAX_LINKS
from atende.services.webchat import Refused, WebChatService

log = logging.getLogger(__name__)

MAX_JSON_BYTES = 32 * 1024  # 4,000 characters of text, at up to 4 bytes each, and room to spare
MAX_UPLOAD_BYTES = 10 * 2**20  # the largest file accepted (a PDF); images are capped lower by the service
STATUS = {
    "invalid_body": 400,
    "unauthenticated": 401,
    "origin_not_allowed": 403,
    "identity_refused": 403,
    "identity_required": 403,
    "site_not_found": 404,
    "not_found": 404,
    "method_not_allowed": 405,
    "too_large": 413,
    "unsupported_type": 415,
    "invalid_field": 422,
    "rate_limited": 429,
    "internal": 500,
    "unavailable": 503,
}
_EMAIL = re.compile(r"^[^@\s/]{1,64}@[^@\s/]{1,255}\.[^@\s/.]{2,63}$")


class Identity(Protocol):
    def verify_visitor(self, authorization: str | None) -> VisitorClaims: ...


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class _Contact(_Body):
    """Name, e-mail and phone as a form gives them: checked, normalized, never proof of anything."""

    name: str | None = Field(default=None, min_length=1, max_length=120)
    email: str | None = Field(default=None, max_length=254, pattern=_EMAIL.pattern)
    phone: str | None = Field(default=None, max_length=32)

    @model_validator(mode="after")
    def _a_phone_is_a_phone(self) -> _Contact:
        if self.phone is not None and typed_by_a_person(self.phone) is None:
            raise ValueError("phone is not a phone number")
        return self

    def profile(self) -> Profile:
        return Profile(name=self.name, email=self.email, phone=typed_by_a_person(self.phone))


class SessionBody(_Contact):
    siteKey: str = Field(pattern=SITE_KEY.pattern)
    identifier: str | None = Field(default=None, min_length=1, max_length=320)
    identifierHash: str | None = Field(default=None, max_length=128)
    locale: str | None = Field(default=None, max_length=16, pattern=r"^[A-Za-z]{2}(-[A-Za-z]{2})?$")

    @model_validator(mode="after")
    def _hash_names_an_identifier(self) -> SessionBody:
        if self.identifierHash and not self.identifier:
            raise ValueError("identifierHash without identifier")
        return self


class Attachment(_Body):
    path: str = Field(min_length=1, max_length=300)


class Reply(_Body):
    id: str = Field(min_length=1, max_length=256)


class MessageBody(_Body):
    clientId: str = Field(pattern=CLIENT_ID.pattern)
    text: str | None = Field(default=None, min_length=1, max_length=4000)
    attachment: Attachment | None = None
    reply: Reply | None = None

    @model_validator(mode="after")
    def _something_to_say(self) -> MessageBody:
        if self.attachment is None and not self.text:
            raise ValueError("text or attachment required")
        if self.reply is not None and (self.attachment is not None or not self.text):
            raise ValueError("a reply carries the option's title as text, and no attachment")
        return self


class ReceiptsBody(_Body):
    messageIds: list[MessageId] = Field(min_length=1, max_length=100)
    status: Literal["delivered", "read"]


class LinksBody(_Body):
    messageIds: list[MessageId] = Field(min_length=1, max_length=MAX_LINKS)


class LeaveMessageBody(_Contact):
    name: str = Field(min_length=1, max_length=120)
    text: str = Field(min_length=1, max_length=4000)
    clientId: str | None = Field(default=None, pattern=CLIENT_ID.pattern)  # a retried form is the same one

    @model_validator(mode="after")
    def _reachable(self) -> LeaveMessageBody:
        if not self.email and not self.phone:
            raise ValueError("email or phone required")
        return self


# -- the request ------------------------------------------------------------------------------------------


class _Request:
    """One request as the routes see it: its site (once known), its caller, its body."""

    def __init__(
        self, request: flask.Request, service: Callable[[], WebChatService], identity: Callable[[], Identity]
    ) -> None:
        self.flask = request
        self._service = service
        self._identity = identity
        self.site: Site | None = None

    @property
    def service(self) -> WebChatService:
        return self._service()

    @property
    def ip(self) -> str:
        """The client address as Google's front end saw it: the last `X-Forwarded-For` entry (the ones
        before it are whatever the client sent); locally, the socket's peer."""
        forwarded = [p.strip() for p in self.flask.headers.get("X-Forwarded-For", "").split(",") if p.strip()]
        return forwarded[-1] if forwarded else (self.flask.remote_addr or "unknown")

    def on_site(self, key: str | None) -> Site:
        """The site, once the request's `Origin` is one of its origins (else 403, nothing done)."""
        site = self.service.site(key)
        query = self.flask.args.get("site")
        if query and query != site.key:
            raise Refused("origin_not_allowed", "Este pedido não é deste site")
        self.site = site
        if not site.allows(self.flask.headers.get("Origin")):
            raise Refused("origin_not_allowed", "Este site não está autorizado a usar o chat")
        return site

    def visitor(self) -> tuple[Site, VisitorClaims]:
        try:
            visitor = self._identity().verify_visitor(self.flask.headers.get("Authorization"))
        except Unauthenticated:
            with contextlib.suppress(Refused):
                self.on_site(self.flask.args.get("site"))  # so the widget can read the 401 (CORS)
            raise
        return self.on_site(visitor.site), visitor

    def resumed(self) -> VisitorClaims | None:
        """The visitor a `/session` call resumes, if it sent a token still valid; an expired one starts
        afresh."""
        if not self.flask.headers.get("Authorization"):
            return None
        try:
            return self._identity().verify_visitor(self.flask.headers["Authorization"])
        except Unauthenticated:
            return None

    def body(self, model: type[_Body]) -> Any:
        if (self.flask.content_length or 0) > MAX_JSON_BYTES:
            raise Refused("too_large", "Requisição grande demais")
        raw = self.flask.stream.read(MAX_JSON_BYTES + 1)
        if len(raw) > MAX_JSON_BYTES:
            raise Refused("too_large", "Requisição grande demais")
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as e:
            raise Refused("invalid_body", "Corpo da requisição inválido: envie um objeto JSON") from e
        if not isinstance(data, dict):
            raise Refused("invalid_body", "Corpo da requisição inválido: envie um objeto JSON")
        try:
            return model.model_validate(data)
        except ValidationError as e:
            fields = ", ".join(".".join(str(p) for p in err["loc"]) or "corpo" for err in e.errors()[:5])
            raise Refused("invalid_field", f"Campos inválidos: {fields}") from e


# -- routes -----------------------------------------------------------------------------------------------


def _site(r: _Request, key: str) -> tuple[dict[str, Any], int]:
    return r.service.appearance(r.on_site(key)), 200


def _session(r: _Request) -> tuple[dict[str, Any], int]:
    b: SessionBody = r.body(SessionBody)
    site = r.on_site(b.siteKey)
    session = r.service.open_session(
        site,
        r.ip,
        IdentityClaim(identifier=b.identifier, identifier_hash=b.identifierHash),
        b.profile(),
        locale=b.locale,
        resumed=r.resumed(),
    )
    v = session.visitor
    return {
        "token": session.token,
        "visitorId": v.visitor_id,
        "conversationId": v.conversation_id,
        "verified": v.verified,
    }, 200


def _messages(r: _Request) -> tuple[dict[str, Any], int]:
    site, visitor = r.visitor()
    b: MessageBody = r.body(MessageBody)
    message = VisitorMessage(
        client_id=b.clientId,
        text=b.text,
        attachment=r.service.attachment(visitor, b.attachment.path) if b.attachment else None,
        reply_id=b.reply.id if b.reply else None,
    )
    return {"messageId": r.service.post(site, visitor, r.ip, message)}, 202


def _uploads(r: _Request) -> tuple[dict[str, Any], int]:
    site, visitor = r.visitor()
    if (r.flask.content_length or 0) > MAX_UPLOAD_BYTES:
        raise Refused("too_large", f"Arquivo grande demais: o limite é {MAX_UPLOAD_BYTES // 2**20} MB")
    data = r.flask.stream.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise Refused("too_large", f"Arquivo grande demais: o limite é {MAX_UPLOAD_BYTES // 2**20} MB")
    mime = (r.flask.mimetype or "").lower()
    upload = r.service.upload(site, visitor, r.ip, data, mime)
    return {"path": upload.path, "mimeType": upload.mime_type, "size": upload.size}, 200


def _receipts(r: _Request) -> tuple[dict[str, Any], int]:
    site, visitor = r.visitor()
    b: ReceiptsBody = r.body(ReceiptsBody)
    return {"accepted": r.service.receipts(site, visitor, r.ip, b.messageIds, b.status)}, 202


def _links(r: _Request) -> tuple[dict[str, Any], int]:
    site, visitor = r.visitor()
    b: LinksBody = r.body(LinksBody)
    return {"links": r.service.links(site, visitor, r.ip, b.messageIds)}, 200


def _leave_message(r: _Request) -> tuple[dict[str, Any], int]:
    site, visitor = r.visitor()
    b: LeaveMessageBody = r.body(LeaveMessageBody)
    return {"messageId": r.service.leave_message(site, visitor, r.ip, b.profile(), b.text, b.clientId)}, 202


POSTS: dict[str, Callable[[_Request], tuple[dict[str, Any], int]]] = {
    "session": _session,
    "messages": _messages,
    "uploads": _uploads,
    "receipts": _receipts,
    "links": _links,
    "leave-message": _leave_message,
}


# -- the function -----------------------------------------------------------------------------------------


def _error(code: str, message: str) -> tuple[dict[str, Any], int]:
    return {"error": {"code": code, "message": message}}, STATUS[code]


def handle(
    request: flask.Request, service: Callable[[], WebChatService], identity: Callable[[], Identity]
) -> flask.Response:
    r = _Request(request, service, identity)
    headers: dict[str, str] = {}
    if request.method == "OPTIONS":
        body, status = _preflight(r)
    else:
        body, status = _dispatch(r, headers)
    response = flask.Response(status=status) if body is None else flask.jsonify(body)
    response.status_code = status
    response.headers.update(headers)
    origin = request.headers.get("Origin")
    if r.site is not None and r.site.allows(origin) and origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Expose-Headers"] = "Retry-After"
        response.headers["Access-Control-Max-Age"] = "600"
    response.headers["Vary"] = "Origin"
    return response


def _preflight(r: _Request) -> tuple[dict[str, Any] | None, int]:
    try:
        r.on_site(_path_site(r.flask.path) or r.flask.args.get("site"))
    except Refused:
        return None, 403
    except Exception:
        log.exception("webchat preflight failed")
        return None, 500
    return None, 204


def _path_site(path: str) -> str | None:
    parts = path.strip("/").split("/")
    return parts[1] if len(parts) == 2 and parts[0] == "sites" else None


def _dispatch(r: _Request, headers: dict[str, str]) -> tuple[dict[str, Any], int]:
    path = r.flask.path.strip("/")
    try:
        if (key := _path_site(r.flask.path)) is not None:
            if r.flask.method != "GET":
                return _error("method_not_allowed", "Use GET")
            return _site(r, key)
        route = POSTS.get(path)
        if route is None:
            return _error("not_found", "Rota desconhecida")
        if r.flask.method != "POST":
            return _error("method_not_allowed", "Use POST")
        return route(r)
    except Refused as e:
        if e.retry_after_s is not None:
            headers["Retry-After"] = str(e.retry_after_s)
        return _error(e.code, e.reason)
    except Unauthenticated as e:
        return _error("unauthenticated", e.reason)
    except Exception:  # still JSON with CORS headers, so the widget shows it instead of a CORS error
        log.exception("webchat %s failed", r.flask.path)
        return _error("unavailable", "O chat está indisponível no momento; tente novamente em instantes")
