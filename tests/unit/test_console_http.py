"""`console_api`'s HTTP side on fakes: each refusal as the status and pt-BR message docs/console.md promises,
admins only before any body is read, CORS only for the app's origins, tokens never in an answer."""

from __future__ import annotations

from typing import Any

import flask
import pytest

from atende.adapters.firebase_auth import Unauthenticated
from atende.domain.staff import Actor
from atende.entrypoints.console_http import handle
from tests.unit.test_console_settings import ADMIN, AGENT, SUPERVISOR, World

ORIGIN = "http://inbox.test"
PEOPLE = {a.uid: a for a in (ADMIN, SUPERVISOR, AGENT)}
app = flask.Flask(__name__)


class TokensAreUids:
    def verify(self, authorization: str | None) -> Actor:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme != "Bearer" or token not in PEOPLE:
            raise Unauthenticated("Entre novamente: sessão ausente")
        return PEOPLE[token]


@pytest.fixture
def call():
    world = World()

    def call(
        method: str, path: str, who: Actor | None = ADMIN, body: Any = None, **kw: Any
    ) -> flask.Response:
        headers = {"Origin": ORIGIN, **({"Authorization": f"Bearer {who.uid}"} if who else {})}
        with app.test_request_context(path, method=method, json=body, headers=headers, **kw):
            return handle(flask.request, lambda: world.console, TokensAreUids, (ORIGIN,))

    call.world = world
    return call


def test_without_a_token_401(call):
    response = call("GET", "/routing", who=None)
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("who", [SUPERVISOR, AGENT])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/routing", {"default_threshold": 0.9}),
        ("PUT", "/routing", "not even a document"),
        ("GET", "/routing", None),
        ("PUT", "/teams/support", {"name": "Suporte"}),
        ("POST", "/users", {"email": "x@y.dev", "name": "X", "role": "admin"}),
        ("GET", "/ia-logs", None),
        ("GET", "/audit", None),
    ],
)
def test_a_supervisor_or_an_agent_gets_403_whatever_they_send(call, who, method, path, body):
    response = call(method, path, who=who, body=body)
    assert response.status_code == 403, response.json
    assert response.json["error"] == {
        "code": "forbidden",
        "message": "Somente administradores mudam as configurações",
    }
    assert call.world.store.docs == {} and call.world.store.audits == []


def test_a_refused_value_is_422_naming_the_place_in_portuguese(call):
    response = call("PUT", "/routing", body={"default_threshold": 2})
    assert response.status_code == 422
    assert response.json["error"]["code"] == "refused"
    assert "default_threshold: acima do máximo (1.0)" in response.json["error"]["message"]


def test_malformed_requests_are_400_unknown_things_404_repeated_invites_409(call):
    assert call("PUT", "/routing", data="{", content_type="application/json").status_code == 400
    assert call("POST", "/flows/preview", body={"messages": []}).status_code == 400
    assert call("GET", "/ia-logs?maxConfidence=baixa").status_code == 400
    assert call("GET", "/nada").status_code == 404
    assert call("PUT", "/teams/Equipe Nova", body={"name": "x"}).status_code == 404
    assert call("GET", "/flows/inexistente").json["error"]["code"] == "not_found"
    assert call("DELETE", "/routing").status_code == 405
    invite = {"email": "dora@example.com", "name": "Dora", "role": "agent", "teams": ["support"]}
    assert call("POST", "/users", body=invite).status_code == 200
    again = call("POST", "/users", body=invite)
    assert again.status_code == 409 and "Já existe" in again.json["error"]["message"]
    unknown_team = call("POST", "/users", body={**invite, "email": "eva@example.com", "teams": ["x"]})
    assert unknown_team.status_code == 422 and "inexistente" in unknown_team.json["error"]["message"]


def test_a_saved_setting_answers_with_times_in_milliseconds_and_never_a_token(call):
    saved = call("PUT", "/channels/whatsapp_99", body={"name": "Vendas", "token": "EAAG-very-secret"})
    assert saved.status_code == 200, saved.json
    assert saved.json["channel"]["tokenSet"] is True and "EAAG" not in saved.get_data(as_text=True)
    assert isinstance(saved.json["channel"]["updatedAt"], int)
    listed = call("GET", "/channels")
    assert "EAAG" not in listed.get_data(as_text=True) and listed.json["channels"][0]["id"] == "whatsapp_99"


def test_cors_only_for_the_apps_origins(call):
    with app.test_request_context("/routing", method="OPTIONS", headers={"Origin": ORIGIN}):
        allowed = handle(flask.request, lambda: call.world.console, TokensAreUids, (ORIGIN,))
    assert allowed.status_code == 204 and "PUT" in allowed.headers["Access-Control-Allow-Methods"]
    with app.test_request_context("/routing", method="OPTIONS", headers={"Origin": "https://evil.test"}):
        refused = handle(flask.request, lambda: call.world.console, TokensAreUids, (ORIGIN,))
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused.headers
