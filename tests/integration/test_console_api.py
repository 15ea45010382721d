"""`console_api` over HTTP against the running stack (Firestore and Auth emulators, the real functions):
who may change settings, and a change an admin makes reaching the bot's next message."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from firebase_admin import auth
from google.cloud.firestore import FieldFilter

from atende.adapters.firebase_users import firebase_app
from atende.dev.payloads import post_signed, whatsapp_text
from atende.dev.polling import wait_until
from atende.dev.stack import DEV_SECRETS
from atende.domain.model import message_doc_id

pytestmark = pytest.mark.integration
SECRET = DEV_SECRETS["META_APP_SECRET"]
# ai_reply rereads config/* and flows/* after ATENDE_CONFIG_TTL_S (tests/conftest.py sets 1 s): a change
# reaches the first message handled after that.
CONFIG_TTL_S = 1.0
UNSURE_FINANCIAL = "o valor veio diferente esse mes"  # financial, confidence ≈ 0.60, no flow trigger word


@pytest.fixture
def console(stack, http):
    def call(method: str, path: str, who, body: object = None):
        headers = {"Authorization": f"Bearer {who.id_token}"} if who else {}
        return http.request(method, f"{stack.functions_url}/console_api{path}", json=body, headers=headers)

    return call


@pytest.fixture(scope="module")
def admin(staff):
    return staff("admin", ["support", "billing", "sales", "retention"])


def customer_says(stack, http, db, text: str) -> dict:
    """A new WhatsApp customer writes `text`; the message as ai_reply handled it, with its `id`."""
    wa_id = "55119" + str(uuid.uuid4().int)[:8]
    mid = f"wamid.{uuid.uuid4().hex}"
    payload = whatsapp_text(text, wa_id=wa_id, message_id=mid)
    assert post_signed(http, f"{stack.functions_url}/webhook_whatsapp", payload, SECRET).status_code == 200
    ref = db.collection("messages").document(message_doc_id("whatsapp", mid))
    handled = wait_until(
        lambda: (d := ref.get().to_dict() or {}).get("handled") and d, what=f"{text!r} handled"
    )
    return {**handled, "id": ref.id}


def reply_text(db, message: dict) -> str:
    reply = db.collection("messages").document(message["replyMessageId"]).get().to_dict() or {}
    return reply.get("text") or ""


def audit_entries(db, target: str, actor_uid: str) -> list[dict]:
    query = (
        db.collection("audit_logs")
        .where(filter=FieldFilter("target.id", "==", target))
        .where(filter=FieldFilter("actor.uid", "==", actor_uid))
    )
    return [s.to_dict() for s in query.stream()]


def test_a_supervisor_or_an_agent_changes_no_setting(stack, console, staff, firestore_db):
    supervisor, agent = staff("supervisor", ["support"]), staff("agent", ["support"])
    routing = firestore_db.collection("config").document("routing")
    before = routing.get().to_dict()
    for who in (supervisor, agent):
        refused = console("PUT", "/routing", who, {"default_threshold": 0.99})
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["message"] == "Somente administradores mudam as configurações"
        assert console("GET", "/ia-logs", who).status_code == 403
        assert (
            console("POST", "/users", who, {"email": "x@y.dev", "name": "X", "role": "admin"}).status_code
            == 403
        )
    assert routing.get().to_dict() == before
    assert audit_entries(firestore_db, "routing", supervisor.uid) == []
    assert console("GET", "/routing", None).status_code == 401


def test_a_threshold_change_takes_effect_on_the_next_message(stack, http, console, admin, firestore_db):
    unsure = customer_says(stack, http, firestore_db, UNSURE_FINANCIAL)
    assert (unsure["decision"]["route"], unsure["decision"]["reason"]) == ("human", "below_threshold")
    refused = console("PUT", "/routing", admin, {"intent_thresholds": {"financial": 1.5}})
    assert refused.status_code == 422 and "intent_thresholds.financial" in refused.json()["error"]["message"]
    try:
        saved = console("PUT", "/routing", admin, {"intent_thresholds": {"financial": 0.5}})
        assert saved.status_code == 200, saved.text
        assert saved.json()["effective"]["intent_thresholds"]["financial"] == 0.5
        time.sleep(CONFIG_TTL_S + 0.5)  # the functions' cache of config/routing expires
        answered = customer_says(stack, http, firestore_db, UNSURE_FINANCIAL)
        assert answered["decision"]["route"] == "auto", answered["decision"]
        assert reply_text(firestore_db, answered)  # the bot answered instead of queueing for a person
        (entry,) = [e for e in audit_entries(firestore_db, "routing", admin.uid) if e["after"]]
        assert entry["action"] == "settings.update" and entry["target"]["collection"] == "config"
        assert entry["after"]["intent_thresholds"] == {"financial": 0.5}

        logs = console("GET", f"/ia-logs?conversationId={unsure['conversationId']}&handoff=1", admin)
        assert logs.status_code == 200, logs.text
        (log,) = logs.json()["items"]
        assert log["id"] == unsure["id"]
        assert log["decision"]["reason"] == "below_threshold" and isinstance(log["timestamp"], int)
    finally:
        assert console("PUT", "/routing", admin, {}).status_code == 200  # other tests expect the defaults
    time.sleep(CONFIG_TTL_S + 0.5)


def test_a_flow_edit_takes_effect_on_the_next_message(stack, http, console, admin, firestore_db):
    step = {"type": "message", "text": "Ajuda nova da {{ business.name }}.", "next": "menu"}
    broken = console("PUT", "/flows/ajuda/steps/explica", admin, {"step": {**step, "next": "lugar_nenhum"}})
    assert broken.status_code == 422 and "lugar_nenhum" in broken.json()["error"]["message"]
    preview = console(
        "POST",
        "/flows/preview",
        admin,
        {
            "flowId": "ajuda",
            "messages": ["ajuda"],
            "flow": {
                **console("GET", "/flows/ajuda", admin).json()["flow"],
                "steps": {**console("GET", "/flows/ajuda", admin).json()["flow"]["steps"], "explica": step},
            },
        },
    )
    assert preview.status_code == 200, preview.text
    assert preview.json()["turns"][0]["replies"][0] == "Ajuda nova da Conecta Fibra."
    try:
        saved = console("PUT", "/flows/ajuda/steps/explica", admin, {"step": step})
        assert saved.status_code == 200, saved.text
        time.sleep(CONFIG_TTL_S + 0.5)  # the functions' cache of flows/* expires
        answered = customer_says(stack, http, firestore_db, "ajuda")
        assert reply_text(firestore_db, answered).startswith("Ajuda nova da Conecta Fibra.")
    finally:
        assert console("DELETE", "/flows/ajuda", admin).status_code == 200
    time.sleep(CONFIG_TTL_S + 0.5)


def test_an_admin_invites_changes_and_disables_a_person_in_firebase_auth(console, admin, firestore_db):
    email = f"dora-{uuid.uuid4().hex[:6]}@test.atende.dev"
    invited = console(
        "POST", "/users", admin, {"email": email, "name": "Dora", "role": "agent", "teams": ["support"]}
    )
    assert invited.status_code == 200, invited.text
    uid = invited.json()["user"]["uid"]
    assert "oobCode" in invited.json()["passwordLink"]
    app = firebase_app(firestore_db.project)
    assert auth.get_user(uid, app=app).custom_claims == {"role": "agent", "teams": ["support"]}
    changed = console("PATCH", f"/users/{uid}", admin, {"role": "supervisor", "capacity": 5})
    assert changed.status_code == 200 and changed.json()["user"]["capacity"] == 5
    assert auth.get_user(uid, app=app).custom_claims["role"] == "supervisor"
    assert console("POST", f"/users/{uid}/disable", admin).status_code == 200
    assert auth.get_user(uid, app=app).disabled
    actions = sorted(e["action"] for e in audit_entries(firestore_db, uid, admin.uid))
    assert actions == ["users.disable", "users.invite", "users.update", "users.update"]
    again = console("POST", "/users", admin, {"email": email, "name": "Dora", "role": "agent"})
    assert again.status_code == 409


def test_a_channel_token_goes_to_the_secret_store_and_never_comes_back(stack, console, admin):
    key = f"whatsapp_{uuid.uuid4().int % 10**12}"
    saved = console(
        "PUT",
        f"/channels/{key}",
        admin,
        {"name": "Vendas", "tokenEnv": "WHATSAPP_TOKEN_VENDAS", "token": "EAAG-test-secret"},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["channel"]["tokenSet"] is True and "EAAG" not in saved.text
    assert "EAAG" not in console("GET", "/channels", admin).text
    secrets_file = Path(stack.env["ATENDE_SECRETS_FILE"])
    assert "WHATSAPP_TOKEN_VENDAS=EAAG-test-secret" in secrets_file.read_text()


def test_hours_teams_and_canned_responses_are_stored_as_firestore_keeps_them(console, admin, firestore_db):
    hours = {
        "weekdays": {"0": [{"open": "08:00", "close": "12:00"}, {"open": "13:00", "close": "18:00"}]},
        "holidays": [{"date": "2026-12-25", "name": "Natal"}],
    }
    saved = console("PUT", "/hours", admin, hours)
    assert saved.status_code == 200, saved.text
    try:
        assert saved.json()["source"] == "config/hours"
        assert (
            firestore_db.collection("config").document("hours").get().get("holidays")[0]["date"]
            == "2026-12-25"
        )
        team = f"t{uuid.uuid4().hex[:6]}"
        body = {"name": "VIP", "serviceLevel": {"firstResponseS": 300}}
        assert console("PUT", f"/teams/{team}", admin, body).status_code == 200
        canned = {"title": "VIP", "text": "Olá! Você é VIP.", "teams": [team]}
        assert console("PUT", f"/canned/{team}", admin, canned).status_code == 200
        assert firestore_db.collection("canned_responses").document(team).get().get("teams") == [team]
        audit = console("GET", "/audit?target=config/hours&pageSize=1", admin)
        assert audit.status_code == 200, audit.text
        (entry,) = audit.json()["items"]
        assert entry["actor"]["uid"] == admin.uid and entry["after"]["holidays"][0]["name"] == "Natal"
        assert console("DELETE", f"/canned/{team}", admin).status_code == 200
    finally:
        firestore_db.collection("config").document("hours").delete()  # the business profile's hours again
