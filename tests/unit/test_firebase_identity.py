"""Who is calling, from a Firebase ID token: the claims become an Actor, anything else is a 401, and the
emulator's unsigned tokens are accepted only for a demo project."""

from __future__ import annotations

import pytest

from atende.adapters.firebase_auth import FirebaseIdentity, Unauthenticated
from atende.domain.model import Role
from atende.domain.visitor import VisitorClaims, anonymous_visitor_id
from tests.auth_tokens import bearer

PROJECT = "demo-atende-identity"


@pytest.fixture
def identity(monkeypatch) -> FirebaseIdentity:
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:1")  # never called to verify a token
    return FirebaseIdentity(PROJECT)


def test_the_claims_say_who_is_calling(identity):
    header = bearer(PROJECT, "ana", role="agent", teams=["support", 7], name="Ana")["Authorization"]
    actor = identity.verify(header)
    assert (actor.uid, actor.role, actor.teams, actor.name) == ("ana", Role.AGENT, ("support",), "Ana")


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Basic abc",
        "Bearer ",
        "Bearer not.a.token",
        bearer("demo-another-project", "ana", role="admin")["Authorization"],  # minted for someone else
    ],
)
def test_anything_but_a_token_for_this_project_is_unauthenticated(identity, header):
    with pytest.raises(Unauthenticated, match="Entre novamente"):
        identity.verify(header)


def test_a_user_without_a_role_is_told_to_ask_an_admin(identity):
    with pytest.raises(Unauthenticated, match="administrador"):
        identity.verify(bearer(PROJECT, "nobody")["Authorization"])
    with pytest.raises(Unauthenticated, match="administrador"):
        identity.verify(bearer(PROJECT, "escalating", role="owner")["Authorization"])


def test_the_emulator_is_refused_for_a_real_project(monkeypatch):
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    with pytest.raises(RuntimeError, match="demo-"):
        FirebaseIdentity("atende-producao")


def _payload(token: str) -> dict:
    import base64
    import json

    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_a_visitors_custom_token_carries_exactly_the_claims_the_rules_trust(identity):
    visitor = VisitorClaims(site="loja", visitor_id=anonymous_visitor_id(), verified=False)
    payload = _payload(identity.mint_visitor(visitor))
    assert payload["uid"] == f"wc:loja:{visitor.visitor_id}"
    assert payload["claims"] == {
        "site": "loja",
        "visitorId": visitor.visitor_id,
        "conversationId": f"webchat_loja_{visitor.visitor_id}",
        "verified": False,
    }
    assert "role" not in payload["claims"]  # a visitor is never staff


def test_a_visitors_id_token_is_read_as_the_visitor_and_nothing_else_is(identity):
    visitor = VisitorClaims(site="loja", visitor_id=anonymous_visitor_id(), verified=False)
    header = bearer(PROJECT, visitor.uid, **visitor.as_token_claims())["Authorization"]
    assert identity.verify_visitor(header) == visitor
    with pytest.raises(Unauthenticated):  # and a visitor is no agent
        identity.verify(header)
    staff = bearer(PROJECT, "ana", role="admin")["Authorization"]
    forged = bearer(PROJECT, "wc:loja:other", **visitor.as_token_claims())["Authorization"]
    for header in (staff, forged, None, "Bearer not.a.token"):
        with pytest.raises(Unauthenticated):
            identity.verify_visitor(header)
