"""The web chat end to end on the real emulators: a visitor's session (a custom token the Auth emulator
signs in with), a message that ai_reply stores and answers, the answer recorded sent by outbound's
web-chat sender, receipts applied by message_status, and the limits held in Firestore."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from atende.adapters.firestore.rate_limits import FirestoreRateCounter
from atende.dev.auth_emulator import sign_in_with_custom_token
from atende.dev.polling import wait_until
from atende.dev.seed import DEMO_SITE_KEY, seed_demo_site
from atende.dev.stack import DEV_SECRETS
from atende.domain.rate_limits import Limit
from atende.domain.site import Site
from atende.domain.visitor import identity_hash
from tests.auth_tokens import bearer
from tests.media_files import stack_media

pytestmark = pytest.mark.integration
ORIGIN = "http://127.0.0.1:5180"


@pytest.fixture(scope="module")
def site(stack, firestore_db):
    seed_demo_site(firestore_db, (ORIGIN, *stack.demo_site_origins))
    return DEMO_SITE_KEY


@pytest.fixture
def webchat(stack, http, site):
    def call(method: str, route: str, body: object = None, token: str | None = None, **kw):
        headers = {"Origin": ORIGIN, **kw.pop("headers", {})}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = f"{stack.functions_url}/webchat/{route}"
        return http.request(method, url, json=body, headers=headers, params={"site": site}, **kw)

    return call


def visitor(stack, webchat, **body) -> tuple[dict, str]:
    answer = webchat("POST", "session", {"siteKey": DEMO_SITE_KEY, **body})
    assert answer.status_code == 200, answer.text
    session = answer.json()
    return session, sign_in_with_custom_token(stack.auth_url, session["token"])


def test_a_visitor_chats_with_the_bot_and_the_answer_is_recorded_sent(stack, firestore_db, webchat):
    appearance = webchat("GET", f"sites/{DEMO_SITE_KEY}")
    assert appearance.status_code == 200 and appearance.headers["access-control-allow-origin"] == ORIGIN
    assert appearance.json()["identity"]["enforced"] is True

    session, id_token = visitor(stack, webchat, name="Maria Visitante")
    sent = webchat("POST", "messages", {"clientId": str(uuid.uuid4()), "text": "oi"}, token=id_token)
    assert sent.status_code == 202, sent.text
    message_id = sent.json()["messageId"]

    stored = firestore_db.collection("messages").document(message_id)
    message = wait_until(lambda: stored.get().to_dict(), what="the visitor's message stored")
    assert message["conversationId"] == session["conversationId"] and message["channel"] == "webchat"
    assert message["visibility"] == "public" and message["senderName"] == "Maria Visitante"
    reply_id = wait_until(
        lambda: (stored.get().to_dict() or {}).get("replyMessageId"), what="the bot's reply"
    )
    reply = firestore_db.collection("messages").document(reply_id)
    answered = wait_until(
        lambda: (d := reply.get().to_dict()) and d["status"] == "sent" and d, what="the reply recorded sent"
    )
    assert answered["providerMessageId"] == reply_id and answered["text"]
    conversation = firestore_db.collection("conversations").document(session["conversationId"]).get()
    assert conversation.get("channel") == "webchat" and conversation.get("accountId") == DEMO_SITE_KEY
    view = conversation.reference.collection("public").document("state").get().to_dict()
    assert view == {"answeredBy": "bot"}  # all the visitor may read of the conversation

    read = webchat("POST", "receipts", {"messageIds": [reply_id], "status": "read"}, token=id_token)
    assert read.status_code == 202
    wait_until(lambda: reply.get().get("status") == "read", what="the read receipt applied")

    # Another visitor cannot move this visitor's messages.
    _, other = visitor(stack, webchat)
    webchat("POST", "receipts", {"messageIds": [message_id], "status": "read"}, token=other)
    assert stored.get().get("status") == "received"


def test_a_verified_visitor_resumes_the_same_conversation_on_another_device(stack, webchat):
    secret = DEV_SECRETS["WEBCHAT_SECRET_DEMO"]
    email = f"cliente-{uuid.uuid4().hex[:6]}@exemplo.com"
    first, _ = visitor(stack, webchat, identifier=email, identifierHash=identity_hash(secret, email))
    second, _ = visitor(stack, webchat, identifier=email, identifierHash=identity_hash(secret, email))
    assert first["verified"] is True and first["conversationId"] == second["conversationId"]
    refused = webchat("POST", "session", {"siteKey": DEMO_SITE_KEY, "identifier": email})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "identity_refused"


def test_sessions_over_the_limit_of_one_address_are_refused_across_workers(stack, http, firestore_db):
    # A site of its own with the default limits (10 sessions a minute per address); the demo site's are
    # raised because every local visitor shares 127.0.0.1.
    key = f"limits-{uuid.uuid4().hex[:8]}"
    firestore_db.collection("sites").document(key).set(Site(key=key, origins=(ORIGIN,)).document())
    address = f"198.51.100.{uuid.uuid4().int % 250}"
    codes = [
        http.post(
            f"{stack.functions_url}/webchat/session",
            json={"siteKey": key},
            params={"site": key},
            headers={"Origin": ORIGIN, "X-Forwarded-For": address},
        )
        for _ in range(12)
    ]
    statuses = [c.status_code for c in codes]
    # A window may turn during the loop; never more than the limit within one window.
    assert statuses.count(200) <= 20 and 429 in statuses, statuses
    refused = codes[statuses.index(429)]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["access-control-allow-origin"] == ORIGIN


def test_counters_are_atomic_under_concurrent_requests(firestore_db):
    limit = Limit(f"test:{uuid.uuid4().hex}", 5, 60)
    counter = FirestoreRateCounter(firestore_db)
    now = time.time()
    with ThreadPoolExecutor(max_workers=10) as pool:
        counts = list(pool.map(lambda _: counter.count([limit], now)[limit], range(20)))
    assert sorted(counts) == list(range(1, 21))  # every request saw its own count: none lost, none shared


def test_a_person_opening_the_conversation_turns_the_visitors_ticks_blue(stack, http, firestore_db, webchat):
    session, id_token = visitor(stack, webchat)
    sent = webchat("POST", "messages", {"clientId": str(uuid.uuid4()), "text": "oi"}, token=id_token)
    stored = firestore_db.collection("messages").document(sent.json()["messageId"])
    wait_until(lambda: (stored.get().to_dict() or {}).get("handled"), what="the visitor's message handled")
    assert stored.get().get("status") == "received"
    admin = bearer(stack.config.project, f"admin-{uuid.uuid4().hex[:6]}", role="admin", teams=[], name="Ana")
    read = http.post(
        f"{stack.functions_url}/inbox_api/read",
        json={"conversationId": session["conversationId"]},
        headers=admin,
    )
    assert read.status_code == 200, read.text
    wait_until(lambda: stored.get().get("status") == "read", what="the visitor's message marked read")


def test_a_photo_is_kept_and_shown_by_its_link(stack, http, firestore_db, webchat):
    _, id_token = visitor(stack, webchat)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    upload = webchat("POST", "uploads", token=id_token, content=png, headers={"Content-Type": "image/png"})
    assert upload.status_code == 200, upload.text
    body = {
        "clientId": str(uuid.uuid4()),
        "text": "minha conta",
        "attachment": {"path": upload.json()["path"]},
    }
    sent = webchat("POST", "messages", body, token=id_token)
    assert sent.status_code == 202, sent.text
    stored = firestore_db.collection("messages").document(sent.json()["messageId"])
    message = wait_until(lambda: stored.get().to_dict(), what="the photo stored")
    assert message["kind"] == "image" and message["text"] == "minha conta"
    assert http.get(message["content"]["url"]).content == png
    fake = webchat(
        "POST", "uploads", token=id_token, content=b"GIF89a", headers={"Content-Type": "image/png"}
    )
    assert fake.status_code == 415


def test_the_offline_form_hands_the_visitor_to_a_person(stack, firestore_db, webchat):
    session, id_token = visitor(stack, webchat)
    form = {"name": "Ana Visitante", "email": "ana.visitante@exemplo.com", "text": "me liguem amanhã"}
    left = webchat("POST", "leave-message", form, token=id_token)
    assert left.status_code == 202, left.text
    conversation = firestore_db.collection("conversations").document(session["conversationId"])
    wait_until(lambda: (conversation.get().to_dict() or {}).get("status") == "waiting", what="the handoff")
    assert conversation.collection("public").document("state").get().get("answeredBy") == "queue"
    stored = firestore_db.collection("messages").document(left.json()["messageId"]).get().to_dict()
    assert stored["decision"]["reason"] == "offline_form" and stored["context"] == {"offline_form": True}
    contact = firestore_db.collection("contacts").document(stored["contactId"]).get().to_dict()
    assert contact["name"] == "Ana Visitante" and contact["emails"] == ["ana.visitante@exemplo.com"]


def test_an_old_photo_gets_a_fresh_link_for_its_visitor_and_its_team_only(stack, http, firestore_db, webchat):
    _, id_token = visitor(stack, webchat)
    png = b"\x89PNG\r\n\x1a\n" + b"\1" * 64
    path = webchat("POST", "uploads", token=id_token, content=png, headers={"Content-Type": "image/png"})
    body = {"clientId": str(uuid.uuid4()), "attachment": {"path": path.json()["path"]}}
    sent = webchat("POST", "messages", body, token=id_token)
    stored = firestore_db.collection("messages").document(sent.json()["messageId"])
    message = wait_until(lambda: stored.get().to_dict(), what="the photo stored")
    # A week later: the link written on the message has expired (signed as the stack signs, in the past).
    expired = stack_media(stack).url(message["content"]["media_id"], -60)
    stored.update({"content.url": expired})
    assert http.get(expired).status_code == 403

    ids = {"messageIds": [stored.id]}
    links = webchat("POST", "links", ids, token=id_token)
    assert links.status_code == 200, links.text
    fresh = links.json()["links"][stored.id]
    assert fresh != expired
    download = http.get(fresh)
    assert download.status_code == 200 and download.content == png

    _, other = visitor(stack, webchat)
    assert webchat("POST", "links", ids, token=other).json() == {"links": {}}

    # The visitor asks for a person: the conversation joins a team's queue, and that team sees it.
    form = {"name": "Ana Visitante", "email": "ana.visitante@exemplo.com", "text": "quero falar com alguém"}
    assert webchat("POST", "leave-message", form, token=id_token).status_code == 202
    conversation = firestore_db.collection("conversations").document(message["conversationId"])
    team = wait_until(lambda: (conversation.get().to_dict() or {}).get("team"), what="the handoff to a team")
    project = stack.config.project

    def links_for(teams: list[str]) -> dict[str, str]:
        agent = bearer(project, f"agent-{uuid.uuid4().hex[:6]}", role="agent", teams=teams, name="Ana")
        answer = http.post(f"{stack.functions_url}/inbox_api/links", json=ids, headers=agent)
        assert answer.status_code == 200, answer.text
        return answer.json()["links"]

    assert http.get(links_for([team])[stored.id]).content == png
    assert links_for([t for t in ("support", "billing") if t != team][:1]) == {}
