"""`webchat`'s HTTP side on fakes: every route and refusal of docs/webchat.md, CORS per site, rate limits
with Retry-After, and nothing stored or published on a refusal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any

import flask
import pytest

from atende.domain.events import InboundMessage, StatusUpdate
from atende.domain.message import Message
from atende.domain.model import Channel, MessageKind
from atende.domain.site import RateLimits, Site
from atende.domain.visitor import identity_hash
from atende.entrypoints.webchat_http import handle
from atende.services.webchat import WebChatService
from tests.fakes import (
    FakeMediaStore,
    FakePublisher,
    FakeRateCounter,
    FakeSites,
    FakeUnitOfWork,
    FakeVisitors,
    FakeVisitorTokens,
    Versioned,
)
from tests.unit.test_media import agents_pdf

ORIGIN = "https://loja.example"
SECRET = "s3cret-of-the-site"
NOW = 1_790_000_000.0
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
app = flask.Flask(__name__)


@dataclass
class World:
    sites: FakeSites = field(default_factory=FakeSites)
    visitors: FakeVisitors = field(default_factory=FakeVisitors)
    counter: FakeRateCounter = field(default_factory=FakeRateCounter)
    tokens: FakeVisitorTokens = field(default_factory=FakeVisitorTokens)
    publisher: FakePublisher = field(default_factory=FakePublisher)
    media: FakeMediaStore = field(default_factory=FakeMediaStore)
    uow: FakeUnitOfWork = field(default_factory=FakeUnitOfWork)
    now: float = NOW
    available: bool = True
    service: WebChatService | None = None

    def __post_init__(self) -> None:
        self.add_site(Site(key="loja", name="Loja", origins=(ORIGIN,)))
        self.add_site(Site(key="banco", origins=("https://banco.example",), enforce_identity=True))
        self.service = WebChatService(
            sites=self.sites,
            visitors=self.visitors,
            counter=self.counter,
            tokens=self.tokens,
            publisher=self.publisher,
            media=self.media,
            uow=self.uow,
            secret_for={"loja": SECRET, "banco": SECRET}.get,
            available=lambda: self.available,
            clock=lambda: self.now,
        )

    def store(self, *messages: Message) -> None:
        """Messages as `ai_reply` or `inbox_api` committed them."""
        self.uow.store.messages |= {m.id: Versioned(m, 1) for m in messages}

    def add_site(self, site: Site) -> None:
        self.sites.sites[site.key] = site

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        origin: str | None = ORIGIN,
        token: str | None = None,
        **kw: Any,
    ) -> flask.Response:
        headers = {**({"Origin": origin} if origin else {}), **kw.pop("headers", {})}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        with app.test_request_context(path, method=method, json=body, headers=headers, **kw):
            return handle(flask.request, lambda: self.service, lambda: self.tokens)

    def session(self, site: str = "loja", **body: Any) -> dict[str, Any]:
        origin = body.pop("origin", ORIGIN)
        answer = self.call("POST", "/session", {"siteKey": site, **body}, origin=origin)
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    def visitor_token(self, session: dict[str, Any]) -> str:
        return f"wc:{self.tokens.minted[-1].site}:{session['visitorId']}"

    def nothing_done(self) -> bool:
        return not self.publisher.published and not self.media.files


@pytest.fixture
def world() -> World:
    return World()


def _error(response: flask.Response) -> str:
    return response.get_json()["error"]["code"]


# -- sites and CORS -----------------------------------------------------------------------------------------


def test_the_site_answers_its_appearance_to_its_own_origins_only(world):
    answer = world.call("GET", "/sites/loja")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["siteKey"] == "loja" and body["available"] is True
    assert body["appearance"]["language"] == "pt-BR" and body["identity"]["enforced"] is False
    assert "origins" not in body and "rateLimits" not in body  # nothing a visitor could use
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN

    stranger = world.call("GET", "/sites/loja", origin="https://evil.example")
    assert stranger.status_code == 403 and _error(stranger) == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in stranger.headers
    assert world.call("GET", "/sites/nada").status_code == 404
    assert world.call("GET", "/sites/NO").status_code == 404  # not a site key at all


def test_a_preflight_is_answered_with_the_origin_only_when_the_named_site_allows_it(world):
    ok = world.call("OPTIONS", "/messages?site=loja")
    assert ok.status_code == 204
    assert ok.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Authorization" in ok.headers["Access-Control-Allow-Headers"]
    other = world.call("OPTIONS", "/messages?site=banco")
    assert other.status_code == 403 and "Access-Control-Allow-Origin" not in other.headers
    assert world.call("OPTIONS", "/messages").status_code == 403  # no site named: nobody allowed


def test_the_same_origin_list_is_matched_exactly(world):
    for origin in (ORIGIN + "/", ORIGIN + ":443", "http://loja.example", "https://sub.loja.example", None):
        answer = world.call("POST", "/session", {"siteKey": "loja"}, origin=origin)
        assert answer.status_code == 403, origin
    assert world.tokens.minted == [] and world.visitors.saves == 0


# -- sessions -----------------------------------------------------------------------------------------------


def test_an_anonymous_session_gets_a_custom_token_for_its_own_conversation(world):
    session = world.session(name="Maria", email="MARIA@exemplo.com", phone="(11) 98765-4321")
    visitor = world.tokens.minted[-1]
    assert session["token"] == f"custom:wc:loja:{visitor.visitor_id}"
    assert session["verified"] is False and len(session["visitorId"]) == 22
    assert session["conversationId"] == f"webchat_loja_{session['visitorId']}"
    assert visitor.as_token_claims() == {
        "site": "loja",
        "visitorId": session["visitorId"],
        "conversationId": session["conversationId"],
        "verified": False,
    }
    kept = world.visitors.get("loja", session["visitorId"])
    assert (kept.name, kept.email, kept.phone, kept.identity) == (
        "Maria",
        "MARIA@exemplo.com",
        "+5511987654321",
        None,
    )
    assert world.session()["visitorId"] != session["visitorId"]  # another device, another visitor


def test_a_session_resumed_with_its_token_keeps_the_visitor(world):
    first = world.session()
    again = world.call("POST", "/session", {"siteKey": "loja"}, token=world.visitor_token(first))
    assert again.get_json()["visitorId"] == first["visitorId"]
    expired = world.call("POST", "/session", {"siteKey": "loja"}, token="not-a-token")
    assert expired.status_code == 200 and expired.get_json()["visitorId"] != first["visitorId"]


def test_a_verified_identity_gives_the_same_visitor_on_every_device_and_links_the_contact(world):
    email = "joao@exemplo.com"
    first = world.session(identifier=email, identifierHash=identity_hash(SECRET, email))
    second = world.session(identifier=email, identifierHash=identity_hash(SECRET, email).upper())
    assert first["verified"] is True and first["visitorId"] == second["visitorId"]
    assert first["visitorId"].startswith("v-") and email not in first["visitorId"]
    assert world.visitors.get("loja", first["visitorId"]).identity == "email:joao@exemplo.com"
    cpf = world.session(identifier="111.444.777-35", identifierHash=identity_hash(SECRET, "111.444.777-35"))
    assert world.visitors.get("loja", cpf["visitorId"]).identity == "cpf:11144477735"
    phone = world.session(
        identifier="+55 11 98765-4321", identifierHash=identity_hash(SECRET, "+55 11 98765-4321")
    )
    assert world.visitors.get("loja", phone["visitorId"]).identity == "phone:+5511987654321"


@pytest.mark.parametrize("bad", ["0" * 64, "zz", "", identity_hash("another-secret", "joao@exemplo.com")])
def test_a_hash_that_does_not_match_is_refused_even_where_identity_is_not_enforced(world, bad):
    body = {"siteKey": "loja", "identifier": "joao@exemplo.com", "identifierHash": bad}
    answer = world.call("POST", "/session", body)
    if bad == "":  # an empty hash is no hash: anonymous, never under that identity
        assert answer.status_code == 200 and answer.get_json()["verified"] is False
        return
    assert answer.status_code == 403 and _error(answer) == "identity_refused"
    assert world.tokens.minted == [] and world.visitors.saves == 0


def test_where_identity_is_enforced_an_identifier_without_its_hash_opens_nothing(world):
    origin = "https://banco.example"
    answer = world.call(
        "POST", "/session", {"siteKey": "banco", "identifier": "joao@exemplo.com"}, origin=origin
    )
    assert answer.status_code == 403 and _error(answer) == "identity_refused"
    assert world.tokens.minted == [] and world.visitors.saves == 0
    assert world.session("banco", origin=origin)["verified"] is False  # anonymous remains possible


def test_a_site_that_requires_identity_opens_no_anonymous_session(world):
    world.add_site(Site(key="clube", origins=(ORIGIN,), enforce_identity=True, require_identity=True))
    answer = world.call("POST", "/session", {"siteKey": "clube"})
    assert answer.status_code == 403 and _error(answer) == "identity_required"
    world.service._secret_for = lambda site: SECRET
    ok = world.session(
        "clube", identifier="ana@exemplo.com", identifierHash=identity_hash(SECRET, "ana@exemplo.com")
    )
    assert ok["verified"] is True


@pytest.mark.parametrize(
    "body",
    [
        {"siteKey": "loja", "identifierHash": "ab" * 32},
        {"siteKey": "loja", "email": "not-an-email"},
        {"siteKey": "loja", "phone": "abc"},
        {"siteKey": "loja", "name": "x" * 121},
        {"siteKey": "loja", "unknown": 1},
    ],
)
def test_an_invalid_session_field_is_a_422_and_opens_nothing(world, body):
    answer = world.call("POST", "/session", body)
    assert answer.status_code == 422 and _error(answer) == "invalid_field"
    assert world.tokens.minted == [] and world.visitors.saves == 0


def test_a_body_that_is_not_a_json_object_is_a_400(world):
    for data in (b"not json", b"[1, 2]", b'"text"'):
        answer = world.call("POST", "/session", data=data, content_type="application/json")
        assert answer.status_code == 400 and _error(answer) == "invalid_body"
    too_big = world.call("POST", "/session", {"siteKey": "loja", "name": "x" * 40_000})
    assert too_big.status_code == 413


# -- messages -----------------------------------------------------------------------------------------------


def _message(**body: Any) -> dict[str, Any]:
    return {"clientId": str(uuid.uuid4()), **body}


def test_a_message_is_published_as_a_webchat_inbound_message_keyed_by_its_conversation(world):
    session = world.session(name="Maria", email="maria@exemplo.com")
    body = _message(text="  quero a segunda via  ")
    answer = world.call("POST", "/messages", body, token=world.visitor_token(session))
    assert answer.status_code == 202
    [event] = world.publisher.published
    assert isinstance(event, InboundMessage)
    assert answer.get_json() == {"messageId": event.message_id}
    assert event.channel == Channel.WEBCHAT and event.account_id == "loja"
    assert event.conversation_id == session["conversationId"] == event.ordering_key
    assert event.provider_message_id == f"wc_{session['visitorId']}_{body['clientId']}"
    assert event.text == "quero a segunda via" and event.kind == MessageKind.TEXT
    assert event.context.greeted  # the site's greeting was on screen: the bot does not say hello again
    assert (event.sender.id, event.sender.name, event.sender.email) == (
        session["visitorId"],
        "Maria",
        "maria@exemplo.com",
    )
    again = world.call("POST", "/messages", body, token=world.visitor_token(session))
    assert again.get_json() == answer.get_json()  # a retried POST is the same message


def test_a_tapped_button_becomes_an_interactive_reply_like_whatsapps(world):
    session = world.session()
    body = _message(text="Segunda via", reply={"id": "menu:boleto"})
    assert world.call("POST", "/messages", body, token=world.visitor_token(session)).status_code == 202
    [event] = world.publisher.published
    assert event.kind == MessageKind.INTERACTIVE
    assert event.content.to_doc() == {"type": "button_reply", "id": "menu:boleto", "title": "Segunda via"}
    assert event.text == "Segunda via"


def test_a_verified_visitors_messages_carry_the_identity_the_site_proved(world):
    session = world.session(
        identifier="+5511987654321", identifierHash=identity_hash(SECRET, "+5511987654321")
    )
    world.call("POST", "/messages", _message(text="oi"), token=world.visitor_token(session))
    assert world.publisher.published[0].sender.verified_identity == "phone:+5511987654321"


@pytest.mark.parametrize(
    "body",
    [
        {"text": "oi"},  # no clientId
        {"clientId": "not-a-uuid", "text": "oi"},
        _message(),  # nothing to say
        _message(text=""),
        _message(text="x" * 4001),
        _message(reply={"id": "x"}),  # a reply without the option's title
        _message(text="oi", attachment={"path": "webchat/loja/other/abc.png"}),
    ],
)
def test_an_invalid_message_is_refused_and_nothing_is_published(world, body):
    session = world.session()
    answer = world.call("POST", "/messages", body, token=world.visitor_token(session))
    assert answer.status_code == 422 and _error(answer) == "invalid_field"
    assert world.nothing_done()


def test_a_message_without_a_valid_visitor_token_is_a_401_the_widget_can_read(world):
    for token in (None, "wc:loja:someone-else"):
        answer = world.call("POST", "/messages?site=loja", _message(text="oi"), token=token)
        assert answer.status_code == 401 and _error(answer) == "unauthenticated"
        assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert world.nothing_done()


def test_a_visitor_token_is_good_only_on_its_sites_origins(world):
    session = world.session()
    answer = world.call(
        "POST",
        "/messages",
        _message(text="oi"),
        token=world.visitor_token(session),
        origin="https://banco.example",
    )
    assert answer.status_code == 403 and _error(answer) == "origin_not_allowed"
    named = world.call(
        "POST", "/messages?site=banco", _message(text="oi"), token=world.visitor_token(session)
    )
    assert named.status_code == 403
    assert world.nothing_done()


def test_a_failed_publish_is_a_503_the_widget_retries_with_the_same_client_id(world):
    session = world.session()
    world.publisher.fail = True
    answer = world.call("POST", "/messages", _message(text="oi"), token=world.visitor_token(session))
    assert answer.status_code == 503 and _error(answer) == "unavailable"
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_unknown_routes_and_methods(world):
    assert world.call("POST", "/nada", {}).status_code == 404
    assert world.call("GET", "/messages").status_code == 405
    assert world.call("POST", "/sites/loja", {}).status_code == 405


# -- rate limits --------------------------------------------------------------------------------------------


def test_a_visitor_over_the_per_minute_limit_waits_for_the_window_and_nothing_is_published(world):
    world.add_site(Site(key="loja", origins=(ORIGIN,), rate_limits=RateLimits(messages_per_minute=3)))
    session = world.session()
    token = world.visitor_token(session)
    world.now = 1_789_999_990.0  # 10 s into a minute window
    for _ in range(3):
        assert world.call("POST", "/messages", _message(text="oi"), token=token).status_code == 202
    refused = world.call("POST", "/messages", _message(text="oi"), token=token)
    assert refused.status_code == 429 and _error(refused) == "rate_limited"
    assert refused.headers["Retry-After"] == "50"
    assert "Retry-After" in refused.headers["Access-Control-Expose-Headers"]
    assert len(world.publisher.published) == 3
    other = world.session()  # another visitor is not held back by this one
    assert (
        world.call("POST", "/messages", _message(text="oi"), token=world.visitor_token(other)).status_code
        == 202
    )
    world.now += 50
    assert world.call("POST", "/messages", _message(text="oi"), token=token).status_code == 202


def test_the_daily_limit_holds_across_minutes(world):
    world.add_site(Site(key="loja", origins=(ORIGIN,), rate_limits=RateLimits(messages_per_day=2)))
    token = world.visitor_token(world.session())
    for minute in range(2):
        world.now = NOW + 60 * minute
        assert world.call("POST", "/messages", _message(text="oi"), token=token).status_code == 202
    world.now = NOW + 180
    refused = world.call("POST", "/messages", _message(text="oi"), token=token)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 3600


def test_sessions_are_limited_per_address(world):
    world.add_site(Site(key="loja", origins=(ORIGIN,), rate_limits=RateLimits(sessions_per_minute_per_ip=2)))
    headers = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}
    for _ in range(2):
        assert world.call("POST", "/session", {"siteKey": "loja"}, headers=headers).status_code == 200
    refused = world.call("POST", "/session", {"siteKey": "loja"}, headers=headers)
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert len(world.tokens.minted) == 2
    elsewhere = world.call(
        "POST", "/session", {"siteKey": "loja"}, headers={"X-Forwarded-For": "198.51.100.8"}
    )
    assert elsewhere.status_code == 200  # the address Google's front end saw is the last one


# -- uploads ------------------------------------------------------------------------------------------------


def _upload(world: World, token: str, data: bytes, mime: str) -> flask.Response:
    return world.call("POST", "/uploads", token=token, data=data, content_type=mime)


def test_an_image_is_kept_under_the_visitors_own_path_and_sent_by_that_path(world):
    session = world.session()
    token = world.visitor_token(session)
    answer = _upload(world, token, PNG, "image/png")
    assert answer.status_code == 200
    upload = answer.get_json()
    assert upload["mimeType"] == "image/png" and upload["size"] == len(PNG)
    assert upload["path"].startswith(f"webchat/loja/{session['visitorId']}/") and upload["path"].endswith(
        ".png"
    )
    assert world.media.files[upload["path"]] == (PNG, "image/png")
    sent = world.call(
        "POST", "/messages", _message(text="a conta", attachment={"path": upload["path"]}), token=token
    )
    assert sent.status_code == 202
    [event] = world.publisher.published
    assert event.kind == MessageKind.IMAGE
    assert event.content.media_id == upload["path"] and event.content.caption == "a conta"
    assert event.content.url.startswith("https://storage.test/webchat/loja/")

    other = world.visitor_token(world.session())  # another visitor cannot attach this file
    stolen = world.call(
        "POST", "/messages", _message(text="x", attachment={"path": upload["path"]}), token=other
    )
    assert stolen.status_code == 422


@pytest.mark.parametrize(
    ("data", "mime", "status", "code"),
    [
        (b"GIF89a....", "image/gif", 415, "unsupported_type"),
        (b"not a png at all", "image/png", 415, "unsupported_type"),
        (PDF, "image/jpeg", 415, "unsupported_type"),
        (b"", "application/pdf", 422, "invalid_field"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 2**20), "image/png", 413, "too_large"),
        (PDF + b"\0" * (10 * 2**20), "application/pdf", 413, "too_large"),
    ],
)
def test_a_file_of_the_wrong_type_or_size_is_refused_and_not_kept(world, data, mime, status, code):
    token = world.visitor_token(world.session())
    answer = _upload(world, token, data, mime)
    assert answer.status_code == status and _error(answer) == code
    assert world.media.files == {}


def test_a_pdf_up_to_ten_megabytes_is_accepted(world):
    token = world.visitor_token(world.session())
    answer = _upload(world, token, PDF + b"\0" * (9 * 2**20), "application/pdf")
    assert answer.status_code == 200 and answer.get_json()["path"].endswith(".pdf")


# -- fresh links to files -----------------------------------------------------------------------------------


def _stored(world: World, token: str, data: bytes = PNG, mime: str = "image/png") -> Message:
    """A file the visitor sent, as `ai_reply` stores it from the published message."""
    path = _upload(world, token, data, mime).get_json()["path"]
    assert (
        world.call("POST", "/messages", _message(attachment={"path": path}), token=token).status_code == 202
    )
    message = Message.received(world.publisher.published[-1], contact_id="c")
    world.store(message)
    return message


def test_a_visitor_gets_fresh_links_to_the_files_of_their_own_conversation_only(world):
    session = world.session()
    token = world.visitor_token(session)
    mine = _stored(world, token)
    reply = agents_pdf(
        session["conversationId"], f"outgoing/{session['conversationId']}/{'a' * 32}/b.pdf", NOW
    )
    note = replace(
        agents_pdf(session["conversationId"], "outgoing/x/y/z.pdf", NOW), id="a_note", visibility="internal"
    )
    other = world.session()
    theirs = _stored(world, world.visitor_token(other))
    world.store(reply, note)

    ids = [mine.id, reply.id, note.id, theirs.id, "m_nothing"]
    answer = world.call("POST", "/links", {"messageIds": ids}, token=token)
    assert answer.status_code == 200
    links = answer.get_json()["links"]
    assert set(links) == {mine.id, reply.id}
    assert links[mine.id] == f"https://storage.test/{mine.content.media_id}?ttl=3600"
    assert links[reply.id].startswith(f"https://storage.test/outgoing/{session['conversationId']}/")
    assert world.uow.prefetched == [{"messages": ids}]  # every id read at once

    theirs_only = world.call("POST", "/links", {"messageIds": ids}, token=world.visitor_token(other))
    assert theirs_only.get_json()["links"].keys() == {theirs.id}


@pytest.mark.parametrize(
    "body",
    [
        {"messageIds": []},
        {"messageIds": ["m_1"] * 51},
        {"messageIds": ["a/b"]},
        {"messageIds": ["__x__"]},
        {},
    ],
)
def test_links_for_a_body_that_names_no_messages_or_too_many_are_a_422_and_read_nothing(world, body):
    answer = world.call("POST", "/links", body, token=world.visitor_token(world.session()))
    assert answer.status_code == 422 and _error(answer) == "invalid_field"
    assert world.uow.prefetched == []


def test_links_need_the_visitors_token_and_count_against_the_address_limit(world):
    assert world.call("POST", "/links?site=loja", {"messageIds": ["m_1"]}).status_code == 401
    world.add_site(Site(key="loja", origins=(ORIGIN,), rate_limits=RateLimits(requests_per_minute_per_ip=2)))
    token = world.visitor_token(world.session())  # one request of the address's two
    assert world.call("POST", "/links", {"messageIds": ["m_1"]}, token=token).status_code == 200
    refused = world.call("POST", "/links", {"messageIds": ["m_1"]}, token=token)
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert world.uow.prefetched == [{"messages": ["m_1"]}]


# -- receipts and the offline form -----------------------------------------------------------------------


def test_receipts_become_status_updates_naming_the_visitor(world):
    session = world.session()
    body = {"messageIds": ["m_abc_r", "a_def", "m_abc_r"], "status": "read"}
    answer = world.call("POST", "/receipts", body, token=world.visitor_token(session))
    assert answer.status_code == 202
    updates = world.publisher.published
    assert [u.message_id for u in updates] == ["m_abc_r", "a_def"]
    assert all(isinstance(u, StatusUpdate) for u in updates)
    assert {(u.channel, u.account_id, u.status, u.recipient_id) for u in updates} == {
        (Channel.WEBCHAT, "loja", "read", session["visitorId"])
    }


@pytest.mark.parametrize(
    "body",
    [
        {"messageIds": [], "status": "read"},
        {"messageIds": ["a/b"], "status": "read"},
        {"messageIds": ["m_1"] * 101, "status": "read"},
        {"messageIds": ["m_1"], "status": "played"},
    ],
)
def test_invalid_receipts_publish_nothing(world, body):
    answer = world.call("POST", "/receipts", body, token=world.visitor_token(world.session()))
    assert answer.status_code == 422 and world.nothing_done()


def test_the_offline_form_keeps_the_contact_and_flags_the_message_for_a_person(world):
    session = world.session()
    body = {"name": "Ana", "email": "ana@exemplo.com", "text": "me liguem amanhã"}
    answer = world.call("POST", "/leave-message", body, token=world.visitor_token(session))
    assert answer.status_code == 202
    [event] = world.publisher.published
    assert event.context.offline_form is True and event.text == "me liguem amanhã"
    assert (event.sender.name, event.sender.email) == ("Ana", "ana@exemplo.com")
    assert world.visitors.get("loja", session["visitorId"]).name == "Ana"
    missing = world.call(
        "POST", "/leave-message", {"name": "Ana", "text": "oi"}, token=world.visitor_token(session)
    )
    assert missing.status_code == 422 and len(world.publisher.published) == 1


def test_a_retried_offline_form_is_the_same_message(world):
    token = world.visitor_token(world.session())
    body = {"name": "Ana", "phone": "11912345678", "text": "me liguem", "clientId": str(uuid.uuid4())}
    first = world.call("POST", "/leave-message", body, token=token).get_json()
    again = world.call("POST", "/leave-message", body, token=token).get_json()
    assert first == again and world.publisher.published[0].sender.phone == "+5511912345678"


def test_one_ipv6_network_counts_as_one_client(world):
    world.add_site(Site(key="loja", origins=(ORIGIN,), rate_limits=RateLimits(sessions_per_minute_per_ip=2)))
    for suffix in ("1", "2"):
        headers = {"X-Forwarded-For": f"2001:db8:1:2::{suffix}"}
        assert world.call("POST", "/session", {"siteKey": "loja"}, headers=headers).status_code == 200
    same_network = {"X-Forwarded-For": "2001:db8:1:2:ffff::9"}
    assert world.call("POST", "/session", {"siteKey": "loja"}, headers=same_network).status_code == 429
    other_network = {"X-Forwarded-For": "2001:db8:1:3::1"}
    assert world.call("POST", "/session", {"siteKey": "loja"}, headers=other_network).status_code == 200
