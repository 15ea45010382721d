"""`atende users` against the Auth emulator: the user can sign in and the ID token carries the claims."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import httpx
import pytest

from atende.adapters.firebase_users import staff_accounts
from atende.dev.auth_emulator import sign_in
from atende.dev.seed import DEMO_USERS, seed_demo
from tests.data_model_doc import check_document, parse

pytestmark = pytest.mark.integration

USER_FIELDS = {
    "displayName",
    "email",
    "role",
    "teams",
    "availability",
    "capacity",
    "openCount",
    "disabled",
    "createdAt",
}


def users(stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "atende.cli", "users", "--project", stack.config.project, *args],
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def claims(id_token: str) -> dict:
    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_created_user_signs_in_with_role_and_teams_in_the_token(stack, firestore_db):
    created = users(
        stack,
        "create",
        "--email",
        "Dora@Test.Atende.dev",
        "--password",
        "segredo-123",
        "--name",
        "Dora",
        "--role",
        "agent",
        "--teams",
        "support,billing",
        "--capacity",
        "4",
    )
    assert created.returncode == 0, created.stderr

    token = sign_in(stack.auth_url, "dora@test.atende.dev", "segredo-123")
    assert {k: claims(token)[k] for k in ("role", "teams")} == {
        "role": "agent",
        "teams": ["support", "billing"],
    }
    uid = claims(token)["user_id"]
    doc = firestore_db.collection("users").document(uid).get().to_dict()
    assert set(doc) == USER_FIELDS
    assert {k: doc[k] for k in USER_FIELDS - {"createdAt"}} == {
        "displayName": "Dora",
        "email": "dora@test.atende.dev",
        "role": "agent",
        "teams": ["support", "billing"],
        "availability": "away",
        "capacity": 4,
        "openCount": 0,
        "disabled": False,
    }

    moved = users(stack, "set-teams", "dora@test.atende.dev", "sales")
    assert moved.returncode == 0, moved.stderr
    assert claims(sign_in(stack.auth_url, "dora@test.atende.dev", "segredo-123"))["teams"] == ["sales"]
    assert firestore_db.collection("users").document(uid).get().get("teams") == ["sales"]

    listed = users(stack, "list")
    assert "dora@test.atende.dev" in listed.stdout and "sales" in listed.stdout

    disabled = users(stack, "disable", "dora@test.atende.dev")
    assert disabled.returncode == 0, disabled.stderr
    with pytest.raises(httpx.HTTPStatusError):
        sign_in(stack.auth_url, "dora@test.atende.dev", "segredo-123")


def create_args(fields: dict[str, str]) -> list[str]:
    return ["create", *[part for item in fields.items() for part in item]]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--password": "123"}, "too weak"),
        ({"--role": "owner"}, "unknown role"),
        ({"--teams": "support,marketing"}, "unknown team"),
    ],
)
def test_invalid_requests_exit_non_zero_and_say_why(stack, change, message):
    fields = {
        "--email": "refused@test.atende.dev",
        "--password": "segredo-123",
        "--name": "Refused",
        "--role": "agent",
        "--teams": "support",
        **change,
    }
    refused = users(stack, *create_args(fields))
    assert refused.returncode == 1 and message in refused.stderr, refused.stderr
    assert "refused@test.atende.dev" not in users(stack, "list").stdout


def test_a_second_user_with_the_same_email_is_refused(stack):
    fields = {
        "--email": "twice@test.atende.dev",
        "--password": "segredo-123",
        "--name": "Twice",
        "--role": "agent",
        "--teams": "support",
    }
    assert users(stack, *create_args(fields)).returncode == 0
    again = users(stack, *create_args({**fields, "--email": "TWICE@test.atende.dev", "--role": "admin"}))
    assert again.returncode == 1 and "already exists" in again.stderr
    assert sign_in(stack.auth_url, "twice@test.atende.dev", "segredo-123")


def test_the_stack_serves_the_inbox_config_and_falls_back_to_the_app(stack, http):
    config = http.get(f"{stack.inbox_url}/config.json").json()
    c = stack.config
    assert config == {
        "firebase": {
            "apiKey": "demo-api-key",
            "authDomain": f"{c.project}.firebaseapp.com",
            "projectId": c.project,
        },
        "emulators": {"auth": stack.auth_url, "firestore": {"host": c.host, "port": c.firestore_port}},
        "apiBase": f"{stack.functions_url}/inbox_api",
        "reportsApi": f"{stack.functions_url}/reports_api",
        "consoleApi": f"{stack.functions_url}/console_api",
        "locale": "pt-BR",
        "widgetScript": f"{stack.demo_site_url}/widget/atende-widget.js",  # the console's install snippet
    }
    page = http.get(f"{stack.inbox_url}/c/some-conversation")
    assert page.headers["content-type"].startswith("text/html")
    assert "<html" in page.text.lower()
    assert stack.env["INBOX_ORIGINS"] == f"{stack.inbox_url},http://localhost:{c.inbox_port}"


def test_the_demo_seed_can_run_again_without_duplicates(stack, firestore_db):
    accounts = staff_accounts(stack.config.project, firestore_db)
    seed_demo(accounts, firestore_db)
    seed_demo(accounts, firestore_db)

    demo = [p for p in accounts.list() if p.email.endswith("@atende.dev")]
    assert sorted((p.email, p.role, p.teams, p.capacity) for p in demo) == sorted(
        (u.email, u.role, u.teams, u.capacity) for u in DEMO_USERS
    )
    carla = sign_in(stack.auth_url, "carla@atende.dev", "atende-agente")
    assert claims(carla)["teams"] == ["billing", "sales"]
    assert firestore_db.collection("teams").document("retention").get().get("name") == "Retenção"
    template = firestore_db.collection("templates").document("106540352242922_segunda_via_boleto_pt_BR").get()
    assert template.get("status") == "APPROVED" and "{{1}}" in template.get("components")[0]["text"]
    assert firestore_db.collection("canned_responses").document("boleto").get().get("shortcut") == "boleto"


def test_what_users_and_the_seed_write_is_what_the_data_model_says(stack, firestore_db):
    seed_demo(staff_accounts(stack.config.project, firestore_db), firestore_db)
    model = parse()
    findings = [
        finding
        for collection in ("users", "teams", "canned_responses", "templates")
        for snapshot in firestore_db.collection(collection).stream()
        for finding in check_document(model.tables[collection], snapshot.to_dict())
    ]
    assert findings == []


def test_the_staff_fixture_gives_a_signed_in_user_with_claims(staff, firestore_db):
    supervisor = staff("supervisor", ["billing"], capacity=5)
    assert {k: claims(supervisor.id_token)[k] for k in ("role", "teams", "user_id")} == {
        "role": "supervisor",
        "teams": ["billing"],
        "user_id": supervisor.uid,
    }
    assert firestore_db.collection("users").document(supervisor.uid).get().get("capacity") == 5


def test_in_production_mode_a_disabled_account_is_refused_at_its_next_request(stack, staff, monkeypatch):
    """The token stays valid for an hour; with `check_revoked` the disable applies at once."""
    from atende.adapters.firebase_auth import FirebaseIdentity, Unauthenticated
    from atende.adapters.firebase_users import staff_accounts

    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", stack.auth_url.removeprefix("http://"))
    person = staff("agent", ["support"])
    strict = FirebaseIdentity(stack.config.project, check_revoked=True)
    assert strict.verify(f"Bearer {person.id_token}").uid == person.uid
    staff_accounts(stack.config.project).disable(person.email)
    with pytest.raises(Unauthenticated, match="encerrada"):
        strict.verify(f"Bearer {person.id_token}")
    # without the check (dev's default) the same token would still pass: that is what the flag buys
    assert FirebaseIdentity(stack.config.project).verify(f"Bearer {person.id_token}").uid == person.uid
