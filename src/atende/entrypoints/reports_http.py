"""Flask ⇄ the console's reads that need the server (`reports_api`, docs/reports.md): a report over a date
range (JSON or CSV), the live board once, the channel-health panel. The caller's Firebase ID token decides
what they see: supervisors their teams, admins everything, agents nothing."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

import flask

from atende.adapters.firebase_auth import Unauthenticated
from atende.domain.board import Board
from atende.domain.channel_health import Health
from atende.domain.errors import WorkflowRefused
from atende.entrypoints.inbox_http import Identity
from atende.services.board import ChannelHealthPanel, LiveBoard
from atende.services.reports import InvalidPeriod, Reports

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ReportServices:
    reports: Callable[[], Reports]
    board: Callable[[], LiveBoard]
    health: Callable[[], ChannelHealthPanel]
    identity: Callable[[], Identity]


def board_json(b: Board) -> dict[str, Any]:
    return {
        "queues": [dataclasses.asdict(q) for q in b.queues],
        "people": [dataclasses.asdict(p) for p in b.people],
        "breaches": [dataclasses.asdict(x) for x in b.breaches],
    }


def health_json(h: Health) -> dict[str, Any]:
    return {
        "channel": h.channel,
        "accountId": h.account_id,
        "state": str(h.state),
        "lastHour": {**h.last_hour.by_signal(), "errorRate": h.last_hour.error_rate},
        "lastDay": h.last_day.by_signal(),
        "lastReceivedAt": h.last_received_at,
        "lastSentAt": h.last_sent_at,
        "lastError": h.last_error,
    }


def _report(services: ReportServices, request: flask.Request, actor: Any) -> flask.Response:
    args = request.args
    report = services.reports().report(
        actor,
        first_day=args.get("from"),
        last_day=args.get("to"),
        by=args.get("by", "day"),
        team=args.get("team"),
    )
    if request.path.rstrip("/").endswith(".csv"):
        name = f"atende-{report.by}-{report.first_day}-{report.last_day}.csv"
        return flask.Response(
            report.to_csv(),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return flask.jsonify({"ok": True, **report.to_json()})


ROUTES: dict[str, Callable[[ReportServices, flask.Request, Any], flask.Response]] = {
    "report": _report,
    "report.csv": _report,
    "board": lambda s, r, a: flask.jsonify(
        {"ok": True, **board_json(s.board().board(a, r.args.get("team")))}
    ),
    "health": lambda s, r, a: flask.jsonify(
        {"ok": True, "accounts": [health_json(h) for h in s.health().panel(a)]}
    ),
}


def _error(status: int, code: str, message: str) -> flask.Response:
    response = flask.jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def handle(request: flask.Request, services: ReportServices, origins: tuple[str, ...]) -> flask.Response:
    origin = request.headers.get("Origin")
    if request.method == "OPTIONS":
        response = flask.Response(status=204 if origin in origins else 403)
    else:
        response = _dispatch(request, services)
    if origin in origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Headers"] = "Authorization"
        response.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
        response.headers["Access-Control-Expose-Headers"] = "Content-Disposition"
        response.headers["Access-Control-Max-Age"] = "600"
    response.headers["Vary"] = "Origin"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _dispatch(request: flask.Request, services: ReportServices) -> flask.Response:
    if request.method != "GET":
        return _error(405, "invalid", "Use GET")
    route = ROUTES.get(request.path.strip("/"))
    if route is None:
        return _error(404, "not_found", "Relatório desconhecido")
    try:
        actor = services.identity().verify(request.headers.get("Authorization"))
        return route(services, request, actor)
    except Unauthenticated as e:
        return _error(401, "unauthenticated", e.reason)
    except InvalidPeriod as e:
        return _error(400, "invalid", e.reason)
    except WorkflowRefused as e:
        return _error(403, "forbidden", e.reason) if e.forbidden else _error(409, "conflict", e.reason)
    except Exception:
        log.exception("reports_api %s failed", request.path)
        return _error(500, "internal", "Erro interno; tente novamente em instantes")
