"""`inbox_api`'s HTTP side on fakes: each refusal as the status and pt-BR message docs/inbox.md promises,
the body checked before anything is touched, CORS only for the inbox's origin."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from typing import Any

import flask
import pytest

from atende.adapters.firebase_auth import Unauthenticated
from atende.domain.contact import Contact
from atende.domain.content import Image
from atende.domain.events import InboundMessage, Sender
from atende.domain.media import KeptMedia
from atende.domain.message import Message, SendError
from atende.domain.model import Channel, ConversationStatus, MessageStatus
from atende.domain.session import Session
from atende.domain.staff import Actor
from atende.entrypoints.inbox_http import handle
from atende.erp.demo import DemoErp
from atende.services.inbox import InboxService
from tests.fakes import FakeMediaStore, FakeUnitOfWork, Versioned
from tests.unit.test_inbox_service import (  # noqa: F401  (world is a fixture)
    ADMIN,
    ANA,
    BRUNO,
    CARLA,
    CONV,
    NOW,
    SUPERVISOR,
    person,
    waiting,
    world,
)

ORIGIN = "http://inbox.test"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
PEOPLE = {a.uid: a for a in (ANA, BRUNO, CARLA, SUPERVISOR, ADMIN)}
app = flask.Flask(__name__)


class TokensAreUids:
    """Stands in for firebase-admin: the bearer token is the uid of a known person."""

    def verify(self, authorization: str | None) -> Actor:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme != "Bearer" or token not in PEOPLE:
            raise Unauthenticated("Entre novamente: sessão ausente")
        return PEOPLE[token]


@pytest.fixture
def call(world):  # noqa: F811
    def call(action: str, who: Actor | None, body: Any = None, **kw: Any) -> flask.Response:
        headers = {"Origin": ORIGIN, **({"Authorization": f"Bearer {who.uid}"} if who else {})}
        method = kw.pop("method", "POST")
        with app.test_request_context(f"/{action}", method=method, json=body, headers=headers, **kw):
            return handle(flask.request, lambda: world.service, TokensAreUids, (ORIGIN,))

    return call


def error(response: flask.Response) -> tuple[int, str]:
    return response.status_code, response.get_json()["error"]["code"]


def test_each_refusal_has_its_status_and_a_message_in_portuguese(world, call):  # noqa: F811
    world.put(waiting(), person(ANA), person(BRUNO))
    assert error(call("take", None, {"conversationId": CONV})) == (401, "unauthenticated")
    assert error(call("take", CARLA, {"conversationId": CONV})) == (403, "forbidden")
    assert error(call("take", ANA, {"conversationId": "nope"})) == (404, "not_found")
    assert error(call("fly", ANA, {"conversationId": CONV})) == (404, "not_found")
    assert error(call("take", ANA, {"conversation": CONV})) == (400, "invalid")
    assert error(call("snooze", ANA, {"conversationId": CONV, "until": "amanhã"})) == (400, "invalid")
    assert error(call("send", ANA, {"conversationId": CONV, "clientId": "c1", "text": "  "})) == (
        400,
        "invalid",
    )
    assert call("take", ANA, {"conversationId": CONV}).status_code == 200
    taken_again = call("take", ANA, {"conversationId": CONV})
    assert error(taken_again) == (409, "conflict")
    assert taken_again.get_json()["error"]["message"] == "A conversa já está com essa pessoa"
    assert error(call("resolve", BRUNO, {"conversationId": CONV})) == (403, "forbidden")
    assert error(call("take", ANA, {"conversationId": CONV}, method="GET")) == (405, "invalid")


def test_assign_gives_it_to_a_member_of_its_team_only(world, call):  # noqa: F811
    world.put(waiting(), person(ANA), person(BRUNO), person(CARLA))
    outsider = call("assign", SUPERVISOR, {"conversationId": CONV, "agentId": "carla"})
    assert error(outsider) == (409, "conflict") and "Carla" in outsider.get_json()["error"]["message"]
    assert error(call("assign", ANA, {"conversationId": CONV, "agentId": "bruno"})) == (403, "forbidden")
    done = call("assign", SUPERVISOR, {"conversationId": CONV, "agentId": "bruno"})
    assert done.status_code == 200 and done.get_json()["conversation"]["assignee"] == "bruno"


def test_a_refused_body_changes_nothing_even_with_fields_the_browser_should_not_set(world, call):  # noqa: F811
    world.put(waiting())
    escalation = call("take", ANA, {"conversationId": CONV, "assignee": "ana", "role": "admin"})
    assert error(escalation) == (400, "invalid") and "role" in escalation.get_json()["error"]["message"]
    assert world.store.conversation(CONV).status == ConversationStatus.WAITING
    assert world.store.audit_logs == {}


def test_a_send_after_the_window_is_422_and_the_same_client_id_answers_the_same_message(world, call):  # noqa: F811
    world.put(replace(waiting(), last_inbound_at=NOW - 25 * 3600))
    closed = call("send", ANA, {"conversationId": CONV, "clientId": "c1", "text": "Oi"})
    assert error(closed) == (422, "window_closed") and "modelo" in closed.get_json()["error"]["message"]
    template = {"name": "retomar", "language": "pt_BR", "params": ["Maria"]}
    first = call("send", ANA, {"conversationId": CONV, "clientId": "c2", "template": template})
    again = call("send", ANA, {"conversationId": CONV, "clientId": "c2", "template": template})
    assert first.status_code == again.status_code == 200
    assert first.get_json()["messageId"] == again.get_json()["messageId"] == first.get_json()["message"]["id"]
    assert first.get_json()["message"]["status"] == "queued"


def test_messenger_takes_a_persons_reply_for_7_days_then_nothing(world, call):  # noqa: F811
    psid = "6543210987654321"
    conv = replace(
        waiting("messenger_1122_" + psid),
        channel=Channel.MESSENGER,
        account_id="1122",
        sender_id=psid,
        contact_id="c_2",
        last_inbound_at=NOW - 3 * 24 * 3600,
    )
    world.store.contacts["c_2"] = Versioned(Contact(id="c_2", identities=(f"messenger:{psid}",)), 1)
    world.put(conv)
    ok = call("send", ANA, {"conversationId": conv.id, "clientId": "m1", "text": "Ainda por aqui?"})
    assert ok.status_code == 200
    world.put(replace(world.store.conversation(conv.id), last_inbound_at=NOW - 8 * 24 * 3600))
    late = call("send", ANA, {"conversationId": conv.id, "clientId": "m2", "text": "Olá?"})
    assert error(late) == (422, "window_closed") and "7 dias" in late.get_json()["error"]["message"]


def test_an_upload_of_a_type_not_accepted_is_400_and_an_accepted_one_returns_its_media_id(world, call):  # noqa: F811
    world.put(waiting())

    def upload(data: bytes, name: str, mime: str) -> flask.Response:
        form = {"conversationId": CONV, "file": (io.BytesIO(data), name, mime)}
        return call("upload", ANA, data=form, content_type="multipart/form-data")

    refused = upload(b"MZ", "x.exe", "application/x-msdownload")
    assert error(refused) == (400, "invalid") and "Tipo de arquivo" in refused.get_json()["error"]["message"]
    pretending = upload(b"MZ\x90\x00", "foto.png", "image/png")
    assert (
        error(pretending) == (400, "invalid")
        and "não corresponde" in pretending.get_json()["error"]["message"]
    )
    ok = upload(PNG, "foto.png", "image/png")
    assert ok.status_code == 200 and ok.get_json()["mediaId"].endswith("foto.png")
    assert ok.get_json()["kind"] == "image" and ok.get_json()["url"]


def test_cors_preflight_answers_only_the_inbox_origin(world):  # noqa: F811
    for origin, status in ((ORIGIN, 204), ("http://evil.test", 403)):
        with app.test_request_context("/take", method="OPTIONS", headers={"Origin": origin}):
            response = handle(flask.request, lambda: world.service, TokensAreUids, (ORIGIN,))
        assert response.status_code == status
        assert (response.headers.get("Access-Control-Allow-Origin") == ORIGIN) == (origin == ORIGIN)


def test_continuing_on_another_channel_brings_back_a_resolved_conversation_or_opens_one(world, call):  # noqa: F811
    psid, igsid = "6543210987654321", "17841400000000001"
    identities = ("whatsapp:5511999990001", f"messenger:{psid}", f"instagram:{igsid}")
    world.store.contacts["c_1"] = Versioned(Contact(id="c_1", name="Maria", identities=identities), 2)
    old = replace(
        waiting(f"messenger_1122_{psid}"),
        channel=Channel.MESSENGER,
        account_id="1122",
        sender_id=psid,
        status=ConversationStatus.RESOLVED,
        assignee="bruno",
        resolved_by="bruno",
        resolved_at=NOW - 30 * 24 * 3600,
    )
    world.put(waiting(), old, person(ANA), person(BRUNO))
    assert call("take", ANA, {"conversationId": CONV}).status_code == 200
    assert error(call("continue_on", CARLA, {"conversationId": CONV, "channel": "messenger"})) == (
        403,
        "forbidden",
    )

    back = call("continue_on", ANA, {"conversationId": CONV, "channel": "messenger", "accountId": "1122"})
    assert back.status_code == 200
    again = back.get_json()["conversation"]
    assert (again["id"], again["status"], again["assignee"]) == (old.id, "in_service", "ana")
    assert back.get_json()["conversationId"] == old.id  # as docs/inbox.md promises
    assert world.store.member("ana").open_count == 2 and world.store.member("bruno").open_count == 0

    opened = call("continue_on", ANA, {"conversationId": CONV, "channel": "instagram", "accountId": "9988"})
    new = opened.get_json()["conversation"]
    assert (new["status"], new["assignee"], new["team"], new["openedBy"]) == (
        "in_service",
        "ana",
        "support",
        "agent",
    )


def test_the_context_panel_shows_erp_data_only_once_verified_without_what_proves_identity(world):  # noqa: F811
    service = InboxService(
        uow=FakeUnitOfWork(world.store),
        outbound=world.outbox,
        contacts=world.service._contacts,
        distribution=world.distribution,
        media=FakeMediaStore(),
        erp=DemoErp,
        clock=world.clock,
    )

    def context(who: Actor) -> flask.Response:
        headers = {"Authorization": f"Bearer {who.uid}"}
        with app.test_request_context(
            "/context", method="POST", json={"conversationId": CONV}, headers=headers
        ):
            return handle(flask.request, lambda: service, TokensAreUids, (ORIGIN,))

    psid = "6543210987654321"
    earlier = replace(
        waiting(f"messenger_1122_{psid}"), channel=Channel.MESSENGER, last_message_at=NOW - 86400
    )
    world.put(waiting(last_message_at=NOW), earlier)
    unverified = context(ANA).get_json()
    assert unverified["contact"]["name"] == "Maria" and unverified["customer"] is None
    assert [h["conversation"]["id"] for h in unverified["history"]] == [earlier.id]
    assert "attendant" not in unverified["conversation"]  # the bot's memory stays on the server

    verified = Session(customer_id="1001", verified_at=NOW - 60)
    world.put(replace(world.store.conversation(CONV), session=verified))
    customer = context(ANA).get_json()["customer"]
    maria = customer["customer"]
    assert maria["name"] == "Maria Silva" and customer["plan"]["name"] == "Fibra 500 Mega"
    # what a customer proves who they are with never reaches the screen
    assert maria["cpf"] == "***.***.***-11" and "birth_date" not in maria
    assert "1985-03-12" not in str(customer)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", customer["invoices"][0]["due_date"])  # not midnight GMT
    assert error(context(CARLA)) == (403, "forbidden")


def test_a_file_named_without_its_extension_still_goes_as_what_it_is(world, call):  # noqa: F811
    world.put(waiting())
    form = {"conversationId": CONV, "file": (io.BytesIO(PNG), "foto do modem", "image/png")}
    up = call("upload", ANA, data=form, content_type="multipart/form-data").get_json()
    sent = call(
        "send", ANA, {"conversationId": CONV, "clientId": "f1", "attachment": {"mediaId": up["mediaId"]}}
    )
    assert sent.status_code == 200
    assert world.store.message(sent.get_json()["message"]["id"]).kind == "image"


def test_a_retry_follows_the_same_rules_as_a_send(world, call):  # noqa: F811
    world.put(waiting(), person(ANA), person(BRUNO))
    sent = call("send", ANA, {"conversationId": CONV, "clientId": "r1", "text": "Oi"}).get_json()["message"]
    failed = world.store.message(sent["id"]).failed(SendError(message="x", source="platform"), NOW)
    world.store.messages[sent["id"]] = Versioned(failed, 9)
    assert error(call("retry", BRUNO, {"messageId": sent["id"]})) == (403, "forbidden")  # Ana's now
    world.clock.now = NOW + 25 * 3600
    late = call("retry", ANA, {"messageId": sent["id"]})
    assert error(late) == (422, "window_closed")
    assert world.store.message(sent["id"]).status == MessageStatus.FAILED
    world.clock.now = NOW
    assert call("retry", ANA, {"messageId": sent["id"]}).get_json()["message"]["status"] == "queued"


def test_a_supervisor_setting_someones_availability_is_audited(world, call):  # noqa: F811
    world.put(person(BRUNO, online=False))
    assert error(call("availability", ANA, {"availability": "online", "agentId": "bruno"})) == (
        403,
        "forbidden",
    )
    done = call("availability", SUPERVISOR, {"availability": "busy", "agentId": "bruno"})
    assert done.status_code == 200 and done.get_json()["user"]["availability"] == "busy"
    [entry] = world.store.audit_logs.values()
    assert (entry.action, entry.actor_uid, entry.collection, entry.target_id) == (
        "availability",
        "sup",
        "users",
        "bruno",
    )
    assert (entry.before, entry.after) == ({"availability": "away"}, {"availability": "busy"})


def test_a_transfer_carries_the_persons_note_for_whoever_takes_it(world, call):  # noqa: F811
    world.put(waiting(), person(ANA))
    call("take", ANA, {"conversationId": CONV})
    body = {"conversationId": CONV, "team": "billing", "note": "Cliente quer segunda via do boleto"}
    assert call("transfer", ANA, body).status_code == 200
    [line] = [
        m.value.event
        for m in world.store.messages.values()
        if (m.value.event or {}).get("type") == "transfer"
    ]
    assert (line["toTeam"], line["note"]) == ("billing", "Cliente quer segunda via do boleto")


def test_an_unexpected_failure_is_still_a_json_answer_the_inbox_can_show(world, call, monkeypatch):  # noqa: F811
    world.put(waiting())

    def broken(*_args, **_kw):
        raise RuntimeError("Firestore went away")

    monkeypatch.setattr(world.service, "take", broken)
    failed = call("take", ANA, {"conversationId": CONV})
    assert error(failed) == (500, "internal") and failed.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_a_client_id_reused_on_another_conversation_is_refused_not_answered_with_the_old_message(world, call):  # noqa: F811
    other = waiting("whatsapp_106540352242922_5511999990002")
    world.put(waiting(), other)
    assert call("send", ANA, {"conversationId": CONV, "clientId": "k1", "text": "Oi"}).status_code == 200
    reused = call("note", ANA, {"conversationId": other.id, "clientId": "k1", "text": "Anotação"})
    assert error(reused) == (400, "invalid") and "clientId" in reused.get_json()["error"]["message"]
    assert [m.value.text for m in world.store.messages.values() if m.value.conversation_id == other.id] == []


def _kept_image(message_id: str, conversation_id: str, media: KeptMedia) -> Message:
    """A customer's photo as `media_fetch` left it."""
    inbound = InboundMessage(
        channel=Channel.WHATSAPP,
        account_id="106540352242922",
        provider_message_id=message_id,
        sender=Sender(id="5511999990001"),
        timestamp=NOW - 8 * 24 * 3600,
        content=Image(media_id="1"),
    )
    received = Message.received(inbound, contact_id="c_1")
    return replace(received, id=message_id, conversation_id=conversation_id, media=media)


def test_links_are_fresh_and_only_for_files_of_conversations_the_person_may_see(world, call):  # noqa: F811
    billing = waiting("whatsapp_106540352242922_5511999990002", team="billing")
    world.put(waiting(), billing)
    kept = KeptMedia.stored(
        path="whatsapp/acc/m_ours.jpg", mime_type="image/jpeg", url="old", url_expires_at=NOW
    )
    ours = _kept_image("m_ours", CONV, kept)
    pending = _kept_image("m_pending", CONV, KeptMedia.pending())
    theirs = _kept_image("m_theirs", billing.id, replace(kept, path="whatsapp/acc/m_theirs.jpg"))
    for m in (ours, pending, theirs):
        world.store.messages[m.id] = Versioned(m, 1)
    ids = ["m_ours", "m_pending", "m_theirs", "m_nothing"]

    ana = call("links", ANA, {"messageIds": ids})
    assert ana.status_code == 200
    assert ana.get_json()["links"] == {"m_ours": "https://storage.test/whatsapp/acc/m_ours.jpg?ttl=3600"}
    assert call("links", CARLA, {"messageIds": ids}).get_json()["links"].keys() == {"m_theirs"}
    assert call("links", ADMIN, {"messageIds": ids}).get_json()["links"].keys() == {"m_ours", "m_theirs"}


def test_an_agents_attachment_keeps_its_path_so_its_link_can_be_renewed(world, call):  # noqa: F811
    world.put(waiting(), waiting("whatsapp_106540352242922_5511999990002"))
    form = {"conversationId": CONV, "file": (io.BytesIO(PNG), "modem.png", "image/png")}
    up = call("upload", ANA, data=form, content_type="multipart/form-data").get_json()
    sent = call(
        "send", ANA, {"conversationId": CONV, "clientId": "f1", "attachment": {"mediaId": up["mediaId"]}}
    )
    message = world.store.message(sent.get_json()["messageId"])
    assert message.media is not None and message.media.path == up["mediaId"]
    assert message.content.url == message.media.url and message.media.url_expires_at == NOW + 7 * 24 * 3600

    links = call("links", BRUNO, {"messageIds": [message.id]}).get_json()["links"]
    assert links == {message.id: f"https://storage.test/{up['mediaId']}?ttl=3600"}
    elsewhere = {"conversationId": "whatsapp_106540352242922_5511999990002", "clientId": "f2"}
    stolen = call("send", ANA, {**elsewhere, "attachment": {"mediaId": up["mediaId"]}})
    assert error(stolen) == (400, "invalid")  # a file is sent only in the conversation it was uploaded to


@pytest.mark.parametrize(
    "body",
    [{"messageIds": []}, {"messageIds": ["m_1"] * 51}, {"messageIds": ["a/b"]}, {"messageIds": [".."]}, {}],
)
def test_links_for_no_messages_or_too_many_are_400_and_need_a_signed_in_person(world, call, body):  # noqa: F811
    assert error(call("links", ANA, body)) == (400, "invalid")
    assert error(call("links", None, {"messageIds": ["m_1"]})) == (401, "unauthenticated")
