"""Flask ⇄ the `events` function: a business pushes its entities (proposals, payments, sign-ups,
prospects), signed.

`POST /` with a JSON body `{"entities": [...]}` (docs/data-model.md, `business_entities`), signed with the
shared secret `EVENTS_SECRET`: header `X-Atende-Timestamp` (Unix seconds) and `X-Atende-Signature:
sha256=<hex HMAC-SHA256 of "<timestamp>." + the raw body>`. A timestamp more than 5 minutes from ours is
refused, so a captured request cannot be replayed later; within the window a replay only repeats an
idempotent upsert. Answers: 200 with each entity's result, 400 (not JSON), 401 (signature or timestamp),
413 (body over 64 KB), 422 (JSON that is not a valid batch, with the fields at fault).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

import flask
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from atende.domain.business_entity import BusinessEntity, EntityContact, EntityKind
from atende.services.entities import EntityIntake

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
REPLAY_WINDOW_S = 300
SIGNATURE_HEADER = "X-Atende-Signature"
TIMESTAMP_HEADER = "X-Atende-Timestamp"
Channel = Literal["whatsapp", "messenger", "instagram", "webchat"]
Persona = Literal["cliente", "prestador", "prospector", "admin"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContactIn(_Body):
    contactId: str | None = Field(None, min_length=1, max_length=200, pattern=r"^[^/]+$")
    name: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, pattern=r"^\+?[0-9]{8,15}$")
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    persona: Persona | None = None
    channel: Channel | None = None


class EntityIn(_Body):
    kind: EntityKind
    externalId: str = Field(min_length=1, max_length=200)
    status: str = Field(min_length=1, max_length=60)
    since: datetime = Field(description="when the current status began (ISO 8601 with a zone)")
    updatedAt: datetime = Field(description="the sender's version: the newest wins")
    contact: ContactIn = ContactIn()
    data: dict[str, Any] = Field(default_factory=dict)

    def entity(self) -> BusinessEntity:
        c = self.contact
        return BusinessEntity(
            kind=self.kind,
            external_id=self.externalId,
            status=self.status,
            since=self.since.timestamp(),
            updated_at=self.updatedAt.timestamp(),
            contact=EntityContact(
                contact_id=c.contactId,
                name=c.name,
                phone=c.phone,
                email=c.email.lower() if c.email else None,
                persona=c.persona,
                channel=c.channel,
            ),
            data=self.data,
        )


class Batch(_Body):
    entities: list[EntityIn] = Field(min_length=1, max_length=100)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What a sender puts in X-Atende-Signature."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def handle(
    request: flask.Request,
    intake: Callable[[], EntityIntake],
    secret: str,
    clock: Callable[[], float] = time.time,
) -> flask.Response:
    if request.method != "POST":
        return _error(405, "use POST")
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return _error(413, f"body over {MAX_BODY_BYTES} bytes")
    body = request.get_data(cache=False)
    if len(body) > MAX_BODY_BYTES:
        return _error(413, f"body over {MAX_BODY_BYTES} bytes")
    refused = _unauthenticated(request, body, secret, clock())
    if refused:
        log.warning("events: refused: %s", refused)
        return _error(401, refused)
    try:
        raw = json.loads(body)
    except (ValueError, RecursionError):
        return _error(400, "the body is not JSON")
    try:
        batch = Batch.model_validate(raw)
    except ValidationError as exc:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors(include_url=False)]
        return flask.Response(
            json.dumps({"error": "invalid batch", "details": errors[:20]}, default=str),
            status=422,
            content_type="application/json",
        )
    service = intake()
    results = []
    for item in batch.entities:
        entity = item.entity()
        results.append({"id": entity.id, "result": str(service.upsert(entity))})
    log.info("events: %s", results)
    return flask.Response(json.dumps({"results": results}), status=200, content_type="application/json")


def _unauthenticated(request: flask.Request, body: bytes, secret: str, now: float) -> str | None:
    """Why the request is not from the business, or None."""
    if not secret:
        return "events are not configured (EVENTS_SECRET)"
    stamp = request.headers.get(TIMESTAMP_HEADER, "")
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not stamp.isdigit() or not given:
        return f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER}"
    if abs(now - int(stamp)) > REPLAY_WINDOW_S:
        return f"timestamp outside the {REPLAY_WINDOW_S // 60}-minute window"
    if not hmac.compare_digest(signature(secret, stamp, body), given):
        return "signature does not match"
    return None


def _error(status: int, message: str) -> flask.Response:
    return flask.Response(json.dumps({"error": message}), status=status, content_type="application/json")
