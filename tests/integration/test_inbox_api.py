"""`inbox_api` over HTTP against the running stack: a handed-off WhatsApp customer is taken, answered,
transferred and answered with a template after the window, each step checked the way a user would see it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from google.cloud.firestore import FieldFilter

from atende.dev.payloads import post_signed, whatsapp_text
from atende.dev.polling import wait_until
from atende.dev.stack import DEV_SECRETS
from atende.domain.model import message_doc_id
from tests.auth_tokens import bearer

pytestmark = pytest.mark.integration
SECRET = DEV_SECRETS["META_APP_SECRET"]


@pytest.fixture
def api(stack, http):
    project = stack.config.project

    def call(action: str, who: dict[str, str] | None, body: object = None, raw: bytes | None = None):
        url = f"{stack.functions_url}/inbox_api/{action}"
        if raw is not None:
            return http.post(url, content=raw, headers={**(who or {}), "Content-Type": "application/json"})
        return http.post(url, json=body, headers=who or {})

    def person(uid: str, role: str, *teams: str) -> dict[str, str]:
        return bearer(project, uid, role=role, teams=list(teams), name=uid.split("-")[0].title())

    call.person = person
    return call


def customer_asks_for_a_person(stack, http, db) -> tuple[str, str]:
    wa_id = "55119" + str(uuid.uuid4().int)[:8]
    mid = f"wamid.{uuid.uuid4().hex}"
    payload = whatsapp_text("quero falar com um atendente humano", wa_id=wa_id, message_id=mid)
    assert post_signed(http, f"{stack.functions_url}/webhook_whatsapp", payload, SECRET).status_code == 200
    ref = db.collection("messages").document(message_doc_id("whatsapp", mid))
    conv_id = wait_until(lambda: (ref.get().to_dict() or {}).get("conversationId"), what="the message stored")
    conv = db.collection("conversations").document(conv_id)
    wait_until(lambda: (conv.get().to_dict() or {}).get("status") == "waiting", what="the handoff")
    wait_until(lambda: sent_to(stack, wa_id), what="the handoff notice sent")
    return conv_id, wa_id


def sent_to(stack, wa_id: str) -> list[dict]:
    return [s["body"] for s in stack.graph.sent if s["body"].get("to") == f"+{wa_id}"]


def test_an_agent_takes_answers_and_transfers_a_handed_off_customer(stack, http, firestore_db, api):
    conv_id, wa_id = customer_asks_for_a_person(stack, http, firestore_db)
    conv_ref = firestore_db.collection("conversations").document(conv_id)
    team = conv_ref.get().get("team")
    ana = api.person(f"ana-{uuid.uuid4().hex[:6]}", "agent", team)
    other_team = "billing" if team != "billing" else "sales"
    carla_uid = f"carla-{uuid.uuid4().hex[:6]}"
    carla = api.person(carla_uid, "agent", other_team)
    firestore_db.collection("users").document(carla_uid).set(
        {
            **{"displayName": "Carla", "email": "c@x", "role": "agent", "teams": [other_team]},
            **{"availability": "away", "capacity": 3, "openCount": 0, "disabled": False},
            "createdAt": datetime.now(UTC),
        }
    )

    refused = api("take", carla, {"conversationId": conv_id})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert "equipe" in refused.json()["error"]["message"]

    taken = api("take", ana, {"conversationId": conv_id})
    assert taken.status_code == 200, taken.text
    assert taken.json()["conversation"]["status"] == "in_service"

    before = len(sent_to(stack, wa_id))
    reply = api(
        "send", ana, {"conversationId": conv_id, "clientId": "c-1", "text": "Olá! Sou a Ana, já vou ver."}
    )
    assert reply.status_code == 200, reply.text
    again = api(
        "send", ana, {"conversationId": conv_id, "clientId": "c-1", "text": "Olá! Sou a Ana, já vou ver."}
    )
    assert again.json()["message"]["id"] == reply.json()["message"]["id"]
    wait_until(
        lambda: any(
            b.get("text", {}).get("body") == "Olá! Sou a Ana, já vou ver." for b in sent_to(stack, wa_id)
        ),
        what="the agent's reply at the Graph stand-in",
    )
    msg = firestore_db.collection("messages").document(reply.json()["message"]["id"])
    wait_until(lambda: msg.get().get("status") in ("sent", "delivered", "read"), what="the reply marked sent")
    assert (
        sum(b.get("text", {}).get("body") == "Olá! Sou a Ana, já vou ver." for b in sent_to(stack, wa_id))
        == 1
    )

    # the bot keeps quiet while a person has the conversation
    mid = f"wamid.{uuid.uuid4().hex}"
    payload = whatsapp_text("obrigado, aguardo", wa_id=wa_id, message_id=mid)
    post_signed(http, f"{stack.functions_url}/webhook_whatsapp", payload, SECRET)
    stored = firestore_db.collection("messages").document(message_doc_id("whatsapp", mid))
    wait_until(lambda: (stored.get().to_dict() or {}).get("handled"), what="the customer's message handled")
    assert stored.get().get("decision")["route"] == "silent"
    assert not (stored.get().to_dict() or {}).get("replyMessageId")
    assert len(sent_to(stack, wa_id)) == before + 1  # only Ana's message went out
    assert conv_ref.get().get("unreadCount") >= 1
    assert api("read", ana, {"conversationId": conv_id}).json()["conversation"]["unreadCount"] == 0

    moved = api("transfer", ana, {"conversationId": conv_id, "agentId": carla_uid})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["conversation"]["assignee"], moved.json()["conversation"]["team"]) == (
        carla_uid,
        other_team,
    )
    assert api("context", ana, {"conversationId": conv_id}).status_code == 403  # no longer hers
    assert api("context", carla, {"conversationId": conv_id}).status_code == 200

    # after the 24-hour window only an approved template goes out
    conv_ref.update({"lastInboundAt": datetime.now(UTC) - timedelta(days=2)})
    closed = api(
        "send", carla, {"conversationId": conv_id, "clientId": "c-2", "text": "Ainda precisa de ajuda?"}
    )
    assert closed.status_code == 422 and closed.json()["error"]["code"] == "window_closed"
    template = {"name": "retomar_atendimento", "language": "pt_BR", "params": ["Maria"]}
    ok = api("send", carla, {"conversationId": conv_id, "clientId": "c-3", "template": template})
    assert ok.status_code == 200, ok.text
    wait_until(
        lambda: any(
            b.get("template", {}).get("name") == "retomar_atendimento" for b in sent_to(stack, wa_id)
        ),
        what="the template at the Graph stand-in",
    )

    audit = (
        firestore_db.collection("audit_logs").where(filter=FieldFilter("target.id", "==", conv_id)).stream()
    )
    assert {a.get("action") for a in audit} >= {"take", "transfer"}
    timeline = firestore_db.collection("messages").where(filter=FieldFilter("conversationId", "==", conv_id))
    events = [d.get("event")["type"] for d in timeline.stream() if (d.to_dict() or {}).get("event")]
    assert "take" in events and "transfer" in events


def test_refusals_are_clear_and_change_nothing(stack, api):
    agent = api.person("x-agent", "agent", "support")
    assert api("take", None, {"conversationId": "c"}).status_code == 401
    assert api("take", {"Authorization": "Bearer not.a.token"}, {"conversationId": "c"}).status_code == 401
    no_role = api("take", bearer(stack.config.project, "nobody"), {"conversationId": "c"})
    assert no_role.status_code == 401 and "papel" in no_role.json()["error"]["message"]
    assert api("take", agent, {"conversationId": "nope"}).status_code == 404
    assert api("nonsense", agent, {"conversationId": "c"}).status_code == 404
    bad = api("take", agent, raw=b"{not json")
    assert bad.status_code == 400
    extra = api("take", agent, {"conversationId": "c", "role": "admin"})
    assert extra.status_code == 400 and "role" in extra.json()["error"]["message"]
    huge = api("note", agent, {"conversationId": "c", "clientId": "x", "text": "a" * 70_000})
    assert huge.status_code == 413


def test_cors_answers_only_the_inbox_origin(stack, http):
    url = f"{stack.functions_url}/inbox_api/take"
    inbox = f"http://{stack.config.host}:{stack.config.inbox_port}"
    ok = http.options(url, headers={"Origin": inbox, "Access-Control-Request-Method": "POST"})
    assert ok.status_code == 204 and ok.headers["Access-Control-Allow-Origin"] == inbox
    assert "Authorization" in ok.headers["Access-Control-Allow-Headers"]
    evil = http.options(url, headers={"Origin": "http://evil.test", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in evil.headers
