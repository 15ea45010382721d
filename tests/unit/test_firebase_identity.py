"""Who is calling, from a Firebase ID token: the claims become an Actor, anything else is a 401, and the
emulator's unsigned tokens are accepted only for a demo project."""

from __future__ import annotations

import pytest

from atende.adapters.firebase_auth import FirebaseIdentity, Unauthenticated
from atende.domain.model import Role
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
