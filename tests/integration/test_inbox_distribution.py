"""On the running stack: a handed-off customer goes straight to an online agent with room (ai_reply runs
distribution after the handoff), the agent opening it sends the platform a read receipt, and resolving
it gives the agent's room back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from google.cloud.firestore import FieldFilter

from atende.dev.payloads import post_signed, whatsapp_text
from atende.dev.polling import wait_until
from atende.dev.stack import DEV_SECRETS
from atende.domain.model import message_doc_id
from tests.auth_tokens import bearer

pytestmark = pytest.mark.integration
TEAMS = ["support", "billing", "sales", "retention"]  # whichever team the handoff picks


def test_a_handoff_goes_to_the_online_agent_who_reads_and_resolves_it(stack, http, firestore_db):
    uid = f"dora-{uuid.uuid4().hex[:6]}"
    dora = bearer(stack.config.project, uid, role="agent", teams=TEAMS, name="Dora")
    user = firestore_db.collection("users").document(uid)
    user.set(
        {
            **{"displayName": "Dora", "email": "dora@test.atende.dev", "role": "agent", "teams": TEAMS},
            **{"availability": "away", "capacity": 1000, "openCount": 0, "disabled": False},
            "createdAt": datetime.now(UTC),
        }
    )

    def api(action: str, body: dict) -> dict:
        answer = http.post(f"{stack.functions_url}/inbox_api/{action}", json=body, headers=dora)
        assert answer.status_code == 200, answer.text
        return answer.json()

    assert api("availability", {"availability": "online"})["user"]["availability"] == "online"
    backlog = user.get().get("openCount")  # coming online, she took what earlier tests left waiting
    try:
        wa_id = "55119" + str(uuid.uuid4().int)[:8]
        mid = f"wamid.{uuid.uuid4().hex}"
        payload = whatsapp_text("quero falar com um atendente humano", wa_id=wa_id, message_id=mid)
        secret = DEV_SECRETS["META_APP_SECRET"]
        assert (
            post_signed(http, f"{stack.functions_url}/webhook_whatsapp", payload, secret).status_code == 200
        )
        stored = firestore_db.collection("messages").document(message_doc_id("whatsapp", mid))
        conv_id = wait_until(lambda: (stored.get().to_dict() or {}).get("conversationId"), what="stored")
        conv = firestore_db.collection("conversations").document(conv_id)
        wait_until(lambda: (conv.get().to_dict() or {}).get("assignee") == uid, what="distributed to Dora")

        assert conv.get().get("status") == "in_service"
        assert user.get().get("openCount") == backlog + 1
        audit = firestore_db.collection("audit_logs").where(filter=FieldFilter("target.id", "==", conv_id))
        assert [(a.get("action"), a.get("actor")["uid"]) for a in audit.stream()] == [
            ("assign", "distribution")
        ]

        assert api("read", {"conversationId": conv_id})["conversation"]["unreadCount"] == 0
        wait_until(
            lambda: any(
                s["body"].get("status") == "read" and s["body"].get("message_id") == mid
                for s in stack.graph.actions
            ),
            what="the read receipt at the Graph stand-in",
        )

        assert api("resolve", {"conversationId": conv_id})["conversation"]["status"] == "resolved"
        assert user.get().get("openCount") == backlog
    finally:  # nobody else's customers go to Dora after this test
        api("availability", {"availability": "away"})
