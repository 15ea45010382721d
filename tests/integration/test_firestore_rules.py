"""firestore.rules from a user's point of view: the role × document × operation matrix, and the exact
queries the inbox and the widget issue, against the real Firestore emulator.

The Python client always acts as the admin identity (it bypasses rules), so these requests go over
REST with the unsigned tokens the emulator accepts (tests/auth_tokens.py); the seed is written with
the Python client.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.auth_tokens import bearer

pytestmark = pytest.mark.integration

RUN = uuid.uuid4().hex[:8]  # this run's documents, apart from other tests' on the same emulator
A, B = f"agent-a{RUN}", f"agent-b{RUN}"
SUBJECTS: dict[str, dict[str, Any] | None] = {
    "anonymous": None,
    "visitor": {"uid": f"visitor{RUN}", "visitorId": "v1", "site": "site1", "conversationId": f"web{RUN}"},
    "visitor2": {"uid": f"visitor2{RUN}", "visitorId": "v2", "site": "site1", "conversationId": f"web2{RUN}"},
    "agent_a": {"uid": A, "role": "agent", "teams": ["support"]},
    "agent_b": {"uid": B, "role": "agent", "teams": ["billing"]},
    "supervisor": {"uid": f"sup{RUN}", "role": "supervisor", "teams": ["support"]},
    "admin": {"uid": f"admin{RUN}", "role": "admin", "teams": []},
}
STAFF = {"agent_a", "agent_b", "supervisor", "admin"}
SUPPORT = {"agent_a", "supervisor", "admin"}

# document -> (its seed, who may get it, who may write it)
SEED: dict[str, tuple[dict[str, Any], set[str], set[str]]] = {
    f"conversations/sup{RUN}": ({"team": "support", "assignee": None, "lastMessageAt": 1}, SUPPORT, set()),
    f"conversations/bil{RUN}": (
        {"team": "billing", "assignee": None, "lastMessageAt": 1},
        {"agent_b", "admin"},
        set(),
    ),
    f"conversations/bila{RUN}": (
        {"team": "billing", "assignee": A, "lastMessageAt": 1},
        {"agent_a", "agent_b", "admin"},
        set(),
    ),
    # a visitor never reads the conversation document (labels, assignee, the bot's memory) ...
    f"conversations/web{RUN}": (
        {"team": "support", "channel": "webchat", "lastMessageAt": 1},
        SUPPORT,
        set(),
    ),
    f"conversations/web2{RUN}": (
        {"team": "support", "channel": "webchat", "lastMessageAt": 1},
        SUPPORT,
        set(),
    ),
    # ... only its own public view: who answers, who is typing
    f"conversations/web{RUN}/public/state": ({"answeredBy": "bot"}, SUPPORT | {"visitor"}, set()),
    f"conversations/web2{RUN}/public/state": ({"answeredBy": "person"}, SUPPORT | {"visitor2"}, set()),
    f"messages/mw2{RUN}": (
        {"conversationId": f"web2{RUN}", "visibility": "public", "timestamp": 1, "createdAt": 1},
        SUPPORT | {"visitor2"},
        set(),
    ),
    f"messages/ms{RUN}": (
        {"conversationId": f"sup{RUN}", "visibility": "public", "timestamp": 1},
        SUPPORT,
        set(),
    ),
    f"messages/mb{RUN}": (
        {"conversationId": f"bil{RUN}", "visibility": "public", "timestamp": 1},
        {"agent_b", "admin"},
        set(),
    ),
    f"messages/mw{RUN}": (
        {"conversationId": f"web{RUN}", "visibility": "public", "timestamp": 1},
        SUPPORT | {"visitor"},
        set(),
    ),
    f"messages/mn{RUN}": (
        {"conversationId": f"web{RUN}", "visibility": "internal", "timestamp": 2},
        SUPPORT,
        set(),
    ),
    f"contacts/c{RUN}": ({"name": "Maria"}, {"admin"}, set()),
    f"contact_identities/k{RUN}": ({"contactId": "c"}, {"admin"}, set()),
    f"provider_message_ids/p{RUN}": ({"messageId": "m"}, {"admin"}, set()),
    f"ia_logs/i{RUN}": ({"prompt": "x"}, {"admin"}, set()),
    f"omni_logs/o{RUN}": ({"type": "x"}, {"admin"}, set()),
    f"audit_logs/a{RUN}": ({"action": "take"}, {"admin"}, set()),
    f"metrics/2026-03-10_support_all_all{RUN}": (
        {"day": "2026-03-10", "team": "support", "dimension": "all", "value": "all", "c": {"in": 3}},
        {"supervisor", "admin"},
        set(),
    ),
    f"metrics/2026-03-10_billing_all_all{RUN}": (
        {"day": "2026-03-10", "team": "billing", "dimension": "all", "value": "all", "c": {"in": 5}},
        {"admin"},
        set(),
    ),
    f"channel_health/whatsapp_1{RUN}/hours/2026031012": ({"sent": 4, "failed": 1}, {"admin"}, set()),
    f"users/u{RUN}": ({"displayName": "Ana", "role": "agent"}, STAFF, set()),
    f"teams/t{RUN}": ({"name": "Suporte"}, STAFF, set()),
    # settings: written only by console_api (validated, audited), never by a browser
    f"config/c{RUN}": ({"default_threshold": 0.8}, STAFF, set()),
    f"flows/f{RUN}": ({"steps": {}}, STAFF, set()),
    f"channels/ch{RUN}": ({"name": "Vendas"}, {"admin"}, set()),
    f"canned_responses/cr{RUN}": ({"shortcut": "ola", "title": "Olá", "text": "Olá!"}, STAFF, set()),
    f"templates/tp{RUN}": ({"name": "retomar", "language": "pt_BR"}, STAFF, {"admin"}),
    "chats/team_support": ({"type": "team", "teamId": "support", "members": []}, SUPPORT, set()),
    "chats/team_support/messages/first": (
        {"authorId": "someone", "text": "oi", "at": 1},
        {"agent_a", "supervisor"},
        set(),
    ),
    f"sites/s{RUN}": ({"origins": ["https://loja.example"], "enforceIdentity": True}, {"admin"}, set()),
    f"visitors/site1_v1{RUN}": ({"siteKey": "site1", "visitorId": "v1"}, {"admin"}, set()),
    f"rate_limits/r{RUN}": ({"count": 1}, set(), set()),
    f"dead_letters/d_{RUN}": ({"consumer": "media_fetch", "state": "dead"}, set(), set()),
    f"somewhere_else/x{RUN}": ({"x": 1}, set(), set()),
}
# A new document's body per collection (a valid one, so a refusal is about who, not what).
NEW_BODY: dict[str, dict[str, Any]] = {
    "canned_responses": {"shortcut": "nova", "title": "Nova", "text": "Texto"},
}
# A changed document per collection whose writes are validated (elsewhere: the seed plus a field).
CHANGED: dict[str, dict[str, Any]] = {
    "templates": {"name": "retomar", "language": "pt_BR", "status": "PAUSED"},
}


def _value(v: Any) -> dict[str, Any]:
    if v is None:
        return {"nullValue": None}
    if isinstance(v, bool):
        return {"booleanValue": v}
    if isinstance(v, int):
        return {"integerValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    if isinstance(v, str):
        return {"stringValue": v}
    if isinstance(v, list):
        return {"arrayValue": {"values": [_value(x) for x in v]}}
    return {"mapValue": {"fields": {k: _value(x) for k, x in v.items()}}}


def fields(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: _value(v) for k, v in doc.items()}


@pytest.fixture(scope="module")
def rest(stack):
    """A project of its own on the stack's emulator (rules apply to every project), so the matrix's
    partial documents never mix with what other tests read."""
    from google.cloud import firestore

    project = f"demo-rules-{RUN}"
    docs = (
        f"http://{stack.env['FIRESTORE_EMULATOR_HOST']}/v1/projects/{project}/databases/(default)/documents"
    )
    db = firestore.Client(project=project)
    for path, (doc, _, _) in SEED.items():
        db.document(path).set(doc)

    def headers(subject: str) -> dict[str, str]:
        claims = SUBJECTS[subject]
        if claims is None:
            return {}
        claims = dict(claims)
        return bearer(project, claims.pop("uid"), **claims)

    def call(method: str, subject: str, path: str, **kw: Any) -> int:
        return httpx.request(method, f"{docs}/{path}", headers=headers(subject), timeout=10, **kw).status_code

    def query(subject: str, parent: str, structured: dict[str, Any]) -> int:
        url = f"{docs}/{parent}:runQuery" if parent else f"{docs}:runQuery"
        r = httpx.post(url, headers=headers(subject), json={"structuredQuery": structured}, timeout=10)
        return r.status_code

    def commit(subject: str, writes: list[dict[str, Any]]) -> int:
        r = httpx.post(f"{docs}:commit", headers=headers(subject), json={"writes": writes}, timeout=10)
        return r.status_code

    call.query, call.commit, call.docs, call.db = query, commit, docs.split("/v1/")[1], db
    return call


MATRIX = [
    (subject, path, op)
    for path in SEED
    for subject in SUBJECTS
    for op in ("get", "create", "update", "delete")
]


@pytest.mark.parametrize(
    ("subject", "path", "op"),
    MATRIX,
    ids=[f"{s}-{p.split('/')[0]}-{p.split('/')[-1]}-{o}" for s, p, o in MATRIX],
)
def test_the_matrix(rest, subject, path, op):
    doc, readers, writers = SEED[path]
    collection = path.rsplit("/", 1)[0]
    if op == "get":
        expected = subject in readers
        status = rest("GET", subject, path)
    elif op == "create":
        expected = subject in writers
        new = f"{collection}/new-{uuid.uuid4().hex[:8]}"
        status = rest(
            "PATCH", subject, new, json={"fields": fields(NEW_BODY.get(collection.split("/")[0], doc))}
        )
    elif op == "update":
        expected = subject in writers
        changed = CHANGED.get(collection.split("/")[0], {**doc, "extra": 1})
        status = rest("PATCH", subject, path, json={"fields": fields(changed)})
    else:
        expected = subject in writers
        status = rest("DELETE", subject, f"{collection}/gone-{uuid.uuid4().hex[:8]}")
    assert status == (200 if expected else 403), f"{subject} {op} {path}: HTTP {status}"


def where(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"fieldFilter": {"field": {"fieldPath": field}, "op": op, "value": _value(value)}}


def query(collection: str, *filters: dict[str, Any], order: str | None = None) -> dict[str, Any]:
    q: dict[str, Any] = {"from": [{"collectionId": collection}], "limit": 50}
    if filters:
        q["where"] = (
            filters[0] if len(filters) == 1 else {"compositeFilter": {"op": "AND", "filters": list(filters)}}
        )
    if order:
        q["orderBy"] = [{"field": {"fieldPath": order}, "direction": "DESCENDING"}]
    return q


WIDGET_QUERY = {  # limitToLast(100): the SDK asks for the last 100 in reverse and flips them
    **query(
        "messages", where("conversationId", "EQUAL", f"web{RUN}"), where("visibility", "EQUAL", "public")
    ),
    "orderBy": [{"field": {"fieldPath": "createdAt"}, "direction": "DESCENDING"}],
    "limit": 100,
}

QUERIES = [
    # the inbox's list: my teams' conversations, mine, everything for an admin
    ("agent_a", "", query("conversations", where("team", "IN", ["support"]), order="lastMessageAt"), True),
    ("supervisor", "", query("conversations", where("team", "IN", ["support"]), order="lastMessageAt"), True),
    ("agent_a", "", query("conversations", where("assignee", "EQUAL", A), order="lastMessageAt"), True),
    ("admin", "", query("conversations", order="lastMessageAt"), True),
    ("agent_a", "", query("conversations", order="lastMessageAt"), False),
    ("agent_a", "", query("conversations", where("team", "IN", ["billing"])), False),
    ("agent_a", "", query("conversations", where("team", "IN", ["support", "billing"])), False),
    ("visitor", "", query("conversations", where("team", "IN", ["support"])), False),
    # a conversation's timeline
    ("agent_a", "", query("messages", where("conversationId", "EQUAL", f"sup{RUN}")), True),
    ("agent_a", "", query("messages", where("conversationId", "EQUAL", f"bila{RUN}")), True),
    ("agent_a", "", query("messages", where("conversationId", "EQUAL", f"bil{RUN}")), False),
    ("agent_b", "", query("messages", where("conversationId", "EQUAL", f"sup{RUN}")), False),
    ("agent_a", "", query("messages"), False),
    # the widget: its own conversation's public messages only, with its exact query (docs/webchat.md)
    ("visitor", "", WIDGET_QUERY, True),
    (
        "visitor",
        "",
        query(
            "messages", where("conversationId", "EQUAL", f"web{RUN}"), where("visibility", "EQUAL", "public")
        ),
        True,
    ),
    ("visitor", "", query("messages", where("conversationId", "EQUAL", f"web{RUN}")), False),
    (
        "visitor",
        "",
        query(
            "messages", where("conversationId", "EQUAL", f"sup{RUN}"), where("visibility", "EQUAL", "public")
        ),
        False,
    ),
    # ... and never another visitor's, its own internal notes, or lists
    ("visitor2", "", WIDGET_QUERY, False),
    ("visitor", "", query("messages", where("visibility", "EQUAL", "public")), False),
    (
        "visitor",
        "",
        query(
            "messages",
            where("conversationId", "EQUAL", f"web{RUN}"),
            where("visibility", "EQUAL", "internal"),
        ),
        False,
    ),
    ("visitor", "", query("conversations", where("channel", "EQUAL", "webchat")), False),
    ("visitor", "", query("visitors"), False),
    ("visitor", "", query("sites"), False),
    ("admin", "", query("visitors"), True),
    # people, canned responses, the internal chat
    ("agent_a", "", query("users"), True),
    ("visitor", "", query("users"), False),
    ("agent_b", "", query("canned_responses"), True),
    ("agent_a", "", query("chats", where("members", "ARRAY_CONTAINS", A)), True),
    ("agent_a", "", query("chats", where("members", "ARRAY_CONTAINS", B)), False),
    ("agent_a", "chats/team_support", query("messages"), True),
    ("agent_b", "chats/team_support", query("messages"), False),
    ("admin", "", query("audit_logs"), True),
    ("supervisor", "", query("audit_logs"), False),
    # the live board (docs/reports.md): the teams' queues, as the inbox's list reads them
    (
        "supervisor",
        "",
        query("conversations", where("team", "IN", ["support"]), where("status", "EQUAL", "waiting")),
        True,
    ),
    # reports: a supervisor's own teams' counters, an admin's all; never an agent's or a visitor's
    (
        "supervisor",
        "",
        query("metrics", where("dimension", "EQUAL", "all"), where("team", "IN", ["support"])),
        True,
    ),
    ("supervisor", "", query("metrics", where("dimension", "EQUAL", "all")), False),
    ("supervisor", "", query("metrics", where("team", "IN", ["support", "billing"])), False),
    ("admin", "", query("metrics", where("dimension", "EQUAL", "all")), True),
    ("agent_a", "", query("metrics", where("team", "IN", ["support"])), False),
    ("visitor", "", query("metrics", where("team", "IN", ["support"])), False),
    ("admin", f"channel_health/whatsapp_1{RUN}", query("hours"), True),
    ("supervisor", f"channel_health/whatsapp_1{RUN}", query("hours"), False),
]


@pytest.mark.parametrize(("subject", "parent", "structured", "allowed"), QUERIES)
def test_the_queries_the_browser_issues(rest, subject, parent, structured, allowed):
    assert rest.query(subject, parent, structured) == (200 if allowed else 403)


def chat_write(rest, path: str, body: dict[str, Any], *, at: str | None = "at", exists: bool = False) -> dict:
    write: dict[str, Any] = {
        "update": {"name": f"{rest.docs}/{path}", "fields": fields(body)},
        "currentDocument": {"exists": exists},
    }
    if at:
        write["updateTransforms"] = [{"fieldPath": at, "setToServerValue": "REQUEST_TIME"}]
    return write


@pytest.mark.parametrize(
    ("subject", "path", "body", "allowed"),
    [
        (
            "agent_a",
            "chats/team_support/messages/{new}",
            {"authorId": A, "text": "Alguém pode me ajudar?"},
            True,
        ),
        (
            "supervisor",
            "chats/team_support/messages/{new}",
            {"authorId": f"sup{RUN}", "text": "Já vou"},
            True,
        ),
        ("agent_a", "chats/team_support/messages/{new}", {"authorId": B, "text": "forjada"}, False),
        ("agent_b", "chats/team_support/messages/{new}", {"authorId": B, "text": "não sou da equipe"}, False),
        ("agent_a", "chats/team_support/messages/{new}", {"authorId": A, "text": ""}, False),
        ("agent_a", "chats/team_support/messages/{new}", {"authorId": A, "text": "x" * 4001}, False),
        (
            "agent_a",
            "chats/team_support/messages/{new}",
            {"authorId": A, "text": "oi", "role": "admin"},
            False,
        ),
        ("visitor", "chats/team_support/messages/{new}", {"authorId": f"visitor{RUN}", "text": "oi"}, False),
    ],
)
def test_internal_chat_messages_are_written_only_by_their_author_and_only_in_their_chats(
    rest, subject, path, body, allowed
):
    path = path.format(new=uuid.uuid4().hex[:10])
    assert rest.commit(subject, [chat_write(rest, path, body)]) == (200 if allowed else 403)


def test_nobody_rewrites_a_chat_message_not_even_its_author(rest):
    path = f"chats/team_support/messages/{uuid.uuid4().hex[:10]}"
    assert rest.commit("agent_a", [chat_write(rest, path, {"authorId": A, "text": "original"})]) == 200
    assert (
        rest.commit("agent_a", [chat_write(rest, path, {"authorId": A, "text": "editada"}, exists=True)])
        == 403
    )
    assert rest("DELETE", "agent_a", path) == 403


def test_a_direct_chat_is_opened_only_by_one_of_its_two_members(rest):
    a, b = sorted([A, B])
    body = {"type": "direct", "members": [a, b]}
    assert rest.commit("supervisor", [chat_write(rest, f"chats/dm_{a}_{b}", body, at=None)]) == 403
    assert rest.commit("agent_a", [chat_write(rest, f"chats/dm_{a}_{b}", body, at=None)]) == 200
    wrong_order = {"type": "direct", "members": [b, a]}
    assert rest.commit("agent_b", [chat_write(rest, f"chats/dm_{b}_{a}", wrong_order, at=None)]) == 403


def test_nobody_grants_themselves_a_role_or_a_team(rest):
    body = {"fields": fields({"role": "admin", "teams": ["support", "billing"]})}
    assert rest("PATCH", "agent_a", f"users/{A}", json=body) == 403
    assert rest("PATCH", "supervisor", f"users/sup{RUN}", json=body) == 403


def test_a_team_chat_names_no_members_so_nobody_outside_the_team_lists_it(rest):
    forged = {"type": "team", "teamId": "billing", "members": [A]}
    assert rest.commit("agent_b", [chat_write(rest, "chats/team_billing", forged, at=None)]) == 403
    body = {"type": "team", "teamId": "billing", "members": []}
    assert rest.commit("agent_b", [chat_write(rest, "chats/team_billing", body, at=None)]) == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("templates", {"name": 5, "language": "pt_BR"}),
        ("templates", {"name": "retomar", "language": "pt_BR", "components": "BODY"}),
        ("templates", {"name": "retomar", "language": "pt_BR", "role": "admin"}),
    ],
)
def test_even_an_admin_writes_settings_only_in_their_shape(rest, path, body):
    new = f"{path}/bad-{uuid.uuid4().hex[:8]}"
    assert rest("PATCH", "admin", new, json={"fields": fields(body)}) == 403


def test_an_agent_reads_a_conversation_once_assigned_and_loses_it_after_a_transfer(rest):
    firestore_db = rest.db
    path = f"conversations/moving{RUN}"
    firestore_db.document(path).set({"team": "billing", "assignee": None, "lastMessageAt": 1})
    assert rest("GET", "agent_a", path) == 403
    firestore_db.document(path).update({"assignee": A})
    assert rest("GET", "agent_a", path) == 200
    firestore_db.document(path).update({"team": "sales", "assignee": B})
    assert rest("GET", "agent_a", path) == 403
