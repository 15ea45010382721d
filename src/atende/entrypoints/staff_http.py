"""What every HTTP function called by the staff's browser app shares (`inbox_api`, `console_api`): the
caller's token, CORS for the app's origins only, strict JSON bodies refused with a pt-BR message, errors
as `{"error": {"code", "message"}}`, and documents with times as epoch milliseconds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

import flask
from pydantic import BaseModel, ConfigDict, ValidationError

from atende.domain.staff import Actor


class Identity(Protocol):
    def verify(self, authorization: str | None) -> Actor: ...


class StrictBody(BaseModel):
    """A request body: a key the endpoint does not know is refused, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Invalid(Exception):
    """A malformed request (400), with the pt-BR reason shown as is."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def fields_of(error: ValidationError) -> str:
    """The places a validation error names, `a.b` style, for a message that says where to look."""
    return ", ".join(".".join(str(p) for p in err["loc"]) or "corpo" for err in error.errors()[:5])


def body(model: type[BaseModel], request: flask.Request) -> Any:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Invalid("Corpo da requisição inválido: envie um objeto JSON")
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise Invalid(f"Campos inválidos: {fields_of(e)}") from e


def number_arg(request: flask.Request, name: str, kind: Callable[[str], Any]) -> Any:
    """A query parameter that must be a number (None when absent); anything else is a 400."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        return kind(raw)
    except ValueError:
        raise Invalid(f"Parâmetro {name} inválido") from None


def error(
    status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> tuple[dict[str, Any], int]:
    """`fields`: each faulty form field's reason, for a form that shows them where they were typed."""
    return {"error": {"code": code, "message": message, **({"fields": fields} if fields else {})}}, status


def json_ms(value: Any) -> Any:
    """Documents as the browser reads them from Firestore, with times as epoch milliseconds."""
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, dict):
        return {k: json_ms(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ms(v) for v in value]
    return value


def with_cors(
    request: flask.Request,
    origins: tuple[str, ...],
    methods: str,
    dispatch: Callable[[], tuple[dict[str, Any], int]],
) -> flask.Response:
    """The answer of `dispatch` (or of a preflight), with CORS headers only for an allowed origin."""
    origin = request.headers.get("Origin")
    if request.method == "OPTIONS":
        response = flask.Response(status=204 if origin in origins else 403)
    else:
        payload, status = dispatch()
        response = flask.jsonify(payload)
        response.status_code = status
    if origin in origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response.headers["Access-Control-Allow-Methods"] = methods
        response.headers["Access-Control-Max-Age"] = "600"
    response.headers["Vary"] = "Origin"
    return response
