"""Flask ⇄ the console's settings (`console_api`, docs/console.md): one route per resource, admins only
(campaigns and templates: supervisors too), bodies checked twice — their shape here (400), their meaning
by the functions' own loaders (422)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import flask
from pydantic import Field
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from atende.adapters.firebase_auth import Unauthenticated
from atende.domain.errors import WorkflowRefused
from atende.domain.site import SITE_KEY
from atende.domain.staff import Actor
from atende.entrypoints.console_campaigns import ACCEPTED, CAMPAIGN_ROUTES
from atende.entrypoints.console_dead_letters import DEAD_LETTER_ROUTES, LETTER_ID
from atende.entrypoints.staff_http import (
    Identity,
    Invalid,
    StrictBody,
    body,
    error,
    json_ms,
    number_arg,
    with_cors,
)
from atende.services.campaign_console import only_campaign_staff
from atende.services.settings import errors
from atende.services.settings.channels import ChannelAccount
from atende.services.settings.console import Console
from atende.services.settings.store import only_admins
from atende.services.unit_of_work import Conflict
from atende.users.accounts import NoSuchUser, UserError, UserExists

log = logging.getLogger(__name__)

MAX_JSON_BYTES = 256 * 1024  # a whole flow fits
MAX_CSV_BYTES = 8 * 1024 * 1024  # an audience's CSV: some 250,000 numbers
Doc = dict[str, Any]
SLUG = r"[a-z0-9_-]{1,32}"


class Persona(StrictBody):
    texts: Doc | None  # required; null: back to the repo's texts


class FlowStep(StrictBody):
    step: Doc


class Preview(StrictBody):
    messages: list[str] = Field(min_length=1, max_length=10)
    flowId: str | None = Field(default=None, max_length=64)
    flow: Doc | None = None  # an unsaved version of flowId
    persona: str = Field(default="cliente", max_length=32)
    language: str = Field(default="pt", pattern=r"^(pt|en)$")


class Invite(StrictBody):
    email: str = Field(min_length=3, max_length=254)
    name: str = Field(min_length=1, max_length=80)
    role: str = Field(max_length=20)
    teams: list[str] = Field(default_factory=list, max_length=20)
    capacity: int = Field(default=3, ge=0, le=100)


class UserChange(StrictBody):
    role: str | None = Field(default=None, max_length=20)
    teams: list[str] | None = Field(default=None, max_length=20)
    capacity: int | None = Field(default=None, ge=0, le=100)


class Token(StrictBody):
    token: str = Field(min_length=8, max_length=4096, repr=False)


def _doc(request: flask.Request) -> Doc:
    """A settings document as sent: what it means is for the resource's loader to say."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Invalid("Corpo da requisição inválido: envie um objeto JSON")
    return data


def _seconds(request: flask.Request, name: str) -> float | None:
    ms = number_arg(request, name, int)
    return ms / 1000 if ms is not None else None


Handler = Callable[..., Any]


def _routes() -> dict[str, Handler]:
    def audit(c: Console, a: Actor, r: flask.Request) -> Any:
        return c.logs.audit(
            a,
            who=r.args.get("actor") or None,
            action=r.args.get("action") or None,
            target=r.args.get("target") or None,
            since=_seconds(r, "from"),
            until=_seconds(r, "to"),
            page_size=number_arg(r, "pageSize", int),
            cursor=r.args.get("cursor") or None,
        )

    def ia_logs(c: Console, a: Actor, r: flask.Request) -> Any:
        return c.logs.ia_logs(
            a,
            conversation_id=r.args.get("conversationId") or None,
            message_id=r.args.get("messageId") or None,
            handoff=r.args.get("handoff") in ("1", "true"),
            max_confidence=number_arg(r, "maxConfidence", float),
            page_size=number_arg(r, "pageSize", int),
            cursor=r.args.get("cursor") or None,
        )

    def preview(c: Console, a: Actor, r: flask.Request) -> Any:
        b: Preview = body(Preview, r)
        turns = c.flows.preview(
            a, b.messages, flow_id=b.flowId, draft=b.flow, persona=b.persona, language=b.language
        )
        return {"turns": turns}

    def invite(c: Console, a: Actor, r: flask.Request) -> Any:
        b: Invite = body(Invite, r)
        return c.staff.invite(a, b.email, b.name, b.role, b.teams, b.capacity)

    def change_user(c: Console, a: Actor, r: flask.Request, uid: str) -> Any:
        b: UserChange = body(UserChange, r)
        return {"user": c.staff.update(a, uid, role=b.role, teams=b.teams, capacity=b.capacity)}

    def remove_canned(c: Console, a: Actor, r: flask.Request, shortcut: str) -> Any:
        c.documents.remove_canned(a, shortcut)
        return {}

    def create_site(c: Console, a: Actor, r: flask.Request) -> Any:
        document = _doc(r)
        key = document.get("key")
        if not isinstance(key, str):
            raise Invalid("Informe a chave do site (key)")
        return {"site": c.sites.create(a, key, document)}

    def remove_site(c: Console, a: Actor, r: flask.Request, site_key: str) -> Any:
        c.sites.remove(a, site_key)
        return {}

    def reset_flow(c: Console, a: Actor, r: flask.Request, flow_id: str) -> Any:
        c.flows.reset(a, flow_id)
        return {}

    return {
        "GET /routing": lambda c, a, r: c.documents.routing(a),
        "PUT /routing": lambda c, a, r: c.documents.set_routing(a, _doc(r)),
        "GET /routing/table": lambda c, a, r: c.documents.routing_table(a),
        "GET /business": lambda c, a, r: c.documents.business(a),
        "PUT /business": lambda c, a, r: c.documents.set_business(a, _doc(r)),
        "PUT /personas/<name>": lambda c, a, r, name: c.documents.set_persona(
            a, name, body(Persona, r).texts
        ),
        "GET /hours": lambda c, a, r: c.documents.hours(a),
        "PUT /hours": lambda c, a, r: c.documents.set_hours(a, _doc(r)),
        "GET /followups": lambda c, a, r: c.documents.followups(a),
        "PUT /followups": lambda c, a, r: c.documents.set_followups(a, _doc(r)),
        "DELETE /followups/rules/<rule_id>": lambda c, a, r, rule_id: c.documents.reset_followup_rule(
            a, rule_id
        ),
        "GET /teams": lambda c, a, r: {"teams": c.documents.teams(a)},
        "PUT /teams/<team_id>": lambda c, a, r, team_id: {"team": c.documents.set_team(a, team_id, _doc(r))},
        "GET /canned": lambda c, a, r: {"canned": c.documents.canned(a)},
        "PUT /canned/<shortcut>": lambda c, a, r, shortcut: {
            "canned": c.documents.set_canned(a, shortcut, _doc(r))
        },
        "DELETE /canned/<shortcut>": remove_canned,
        "GET /flows": lambda c, a, r: {"flows": c.flows.list(a)},
        "GET /flows/<flow_id>": lambda c, a, r, flow_id: c.flows.get(a, flow_id),
        "PUT /flows/<flow_id>": lambda c, a, r, flow_id: c.flows.set_flow(a, flow_id, _doc(r)),
        "DELETE /flows/<flow_id>": reset_flow,
        "PUT /flows/<flow_id>/steps/<step_id>": lambda c, a, r, flow_id, step_id: c.flows.set_step(
            a, flow_id, step_id, body(FlowStep, r).step
        ),
        "POST /flows/preview": preview,
        "GET /channels": lambda c, a, r: {"channels": c.channels.list(a)},
        "PUT /channels/<key>": lambda c, a, r, key: {
            "channel": c.channels.set_account(a, key, body(ChannelAccount, r))
        },
        "PUT /channels/<key>/token": lambda c, a, r, key: {
            "channel": c.channels.set_token(a, key, body(Token, r).token)
        },
        "GET /sites": lambda c, a, r: c.sites.list(a),
        "POST /sites": create_site,
        "GET /sites/<site_key>": lambda c, a, r, site_key: {"site": c.sites.get(a, site_key)},
        "PUT /sites/<site_key>": lambda c, a, r, site_key: {"site": c.sites.update(a, site_key, _doc(r))},
        "DELETE /sites/<site_key>": remove_site,
        "GET /users": lambda c, a, r: {"users": c.staff.list(a)},
        "POST /users": invite,
        "PATCH /users/<uid>": change_user,
        "POST /users/<uid>/disable": lambda c, a, r, uid: {"user": c.staff.disable(a, uid)},
        "GET /audit": audit,
        "GET /ia-logs": ia_logs,
        **{route: _campaigns(handler) for route, handler in CAMPAIGN_ROUTES.items()},
        **DEAD_LETTER_ROUTES,
    }


def _campaigns(handler: Handler) -> Handler:
    def call(c: Console, a: Actor, r: flask.Request, **ids: str) -> Any:
        if c.campaigns is None:
            raise errors.NotFound("Campanhas não configuradas nesta função")
        return handler(c.campaigns, a, r, **ids)

    return call


ROUTES = _routes()
# Path parts are ids: a slug (teams, shortcuts, flows, personas), a step, a Firebase uid, an account key,
# a web-chat site key.
IDS = {
    "name": re.compile(SLUG),
    "team_id": re.compile(SLUG),
    "shortcut": re.compile(SLUG),
    "flow_id": re.compile(SLUG),
    "rule_id": re.compile(SLUG),
    "step_id": re.compile(r"[A-Za-z0-9_-]{1,64}"),
    "uid": re.compile(r"[A-Za-z0-9_-]{1,128}"),
    "key": re.compile(r"[a-z]+_[0-9A-Za-z_.-]{1,64}"),
    "campaign_id": re.compile(r"[A-Za-z0-9_-]{1,64}"),
    "action": re.compile(r"start|pause|resume|cancel"),
    "site_key": SITE_KEY,
    "letter_id": re.compile(LETTER_ID),
}
# Campaigns and templates are marketing's and billing's work, whom the business makes admins or supervisors.
CAMPAIGN_STAFF = ("/campaigns", "/templates")
URLS = Map(
    [Rule(route.split(" ", 1)[1], methods=[route.split(" ", 1)[0]], endpoint=route) for route in ROUTES],
    strict_slashes=False,
)
METHODS = "GET, PUT, POST, PATCH, DELETE, OPTIONS"


def handle(
    request: flask.Request,
    console: Callable[[], Console],
    identity: Callable[[], Identity],
    origins: tuple[str, ...],
) -> flask.Response:
    return with_cors(request, origins, METHODS, lambda: _dispatch(request, console, identity))


def _dispatch(
    request: flask.Request, console: Callable[[], Console], identity: Callable[[], Identity]
) -> tuple[dict[str, Any], int]:
    try:
        route, args = URLS.bind("", path_info=request.path).match(method=request.method)
    except NotFound:
        return error(404, "not_found", "Recurso desconhecido")
    except MethodNotAllowed:
        return error(405, "invalid", "Método não permitido para este recurso")
    if not all(IDS[name].fullmatch(value) for name, value in args.items()):
        return error(404, "not_found", "Identificador inválido")
    campaigns = request.path.startswith(CAMPAIGN_STAFF)
    if (request.content_length or 0) > (MAX_CSV_BYTES if campaigns else MAX_JSON_BYTES):
        return error(413, "invalid", "Requisição grande demais")
    try:
        actor = identity().verify(request.headers.get("Authorization"))
        (only_campaign_staff if campaigns else only_admins)(actor)  # refused before the body is even read
        result = ROUTES[route](console(), actor, request, **args)
        return {"ok": True, **json_ms(result)}, 202 if route in ACCEPTED else 200
    except Unauthenticated as e:
        return error(401, "unauthenticated", e.reason)
    except WorkflowRefused as e:
        return error(403, "forbidden", e.reason) if e.forbidden else error(409, "conflict", e.reason)
    except Invalid as e:
        return error(400, "invalid", e.reason)
    except (errors.NotFound, NoSuchUser) as e:
        return error(404, "not_found", e.reason)
    except (UserExists, errors.AlreadyExists) as e:
        return error(409, "conflict", e.reason)
    except (errors.SettingRefused, UserError) as e:
        return error(422, "refused", e.reason, getattr(e, "fields", None))
    except Conflict:
        return error(409, "conflict", "A configuração mudou enquanto você salvava; tente novamente")
    except Exception:  # still a JSON answer with CORS headers, so the console shows it
        log.exception("console_api %s %s failed", request.method, request.path)
        return error(500, "internal", "Erro interno; tente novamente em instantes")
