"""Web-chat sites through `console_api` on the running stack (Firestore and Auth emulators, the real
functions): what an admin saves is what `webchat` serves to the widget, once its per-instance cache allows;
the change and its audit entry land together; nobody else may touch a site."""

from __future__ import annotations

import uuid

import pytest
from google.cloud.firestore import FieldFilter

from atende.adapters.firestore.sites import CACHE_TTL_S, FirestoreSites

pytestmark = pytest.mark.integration
ORIGIN = "http://127.0.0.1:5180"
SITE = {
    "name": "Loja Teste",
    "origins": [ORIGIN],
    "appearance": {"primaryColor": "#7c3aed", "position": "left", "greeting": "Oi, loja!", "language": "es"},
    "preChatForm": {"enabled": True, "fields": [{"name": "email", "required": True}]},
}


@pytest.fixture
def console(stack, http):
    def call(method: str, path: str, who, body: object = None):
        headers = {"Authorization": f"Bearer {who.id_token}"}
        return http.request(method, f"{stack.functions_url}/console_api{path}", json=body, headers=headers)

    return call


@pytest.fixture
def widget_reads(stack, http):
    """`GET /webchat/sites/<key>` as the widget on ORIGIN asks for it."""

    def read(key: str):
        return http.get(
            f"{stack.functions_url}/webchat/sites/{key}", headers={"Origin": ORIGIN}, params={"site": key}
        )

    return read


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_site_an_admin_creates_is_what_webchat_serves_at_once(
    stack, console, staff, widget_reads, firestore_db
):
    admin = staff("admin", ["support"])
    key = f"loja-{uuid.uuid4().hex[:8]}"
    assert console("GET", f"/sites/{key}", admin).status_code == 404
    created = console("POST", "/sites", admin, {"key": key, **SITE})
    assert created.status_code == 200, created.text
    assert created.json()["site"]["identitySecret"] == {
        "env": f"WEBCHAT_SECRET_{key.upper().replace('-', '_')}",
        "set": False,
    }

    served = widget_reads(key)  # never asked for before: no cached answer stands in the way
    assert served.status_code == 200, served.text
    assert served.headers["access-control-allow-origin"] == ORIGIN
    body = served.json()
    assert body["appearance"]["primaryColor"] == "#7c3aed" and body["appearance"]["greeting"] == "Oi, loja!"
    assert body["appearance"]["position"] == "left" and body["appearance"]["language"] == "es"
    assert body["preChatForm"] == {"enabled": True, "fields": [{"name": "email", "required": True}]}

    entries = [
        e.to_dict()
        for e in firestore_db.collection("audit_logs")
        .where(filter=FieldFilter("target.id", "==", key))
        .stream()
    ]
    assert [(e["action"], e["target"]["collection"], e["actor"]["uid"]) for e in entries] == [
        ("settings.update", "sites", admin.uid)
    ]
    assert entries[0]["after"]["appearance"]["primaryColor"] == "#7c3aed"

    supervisor = staff("supervisor", ["support"])
    assert console("PUT", f"/sites/{key}", supervisor, {**SITE, "origins": []}).status_code == 403
    assert console("POST", "/sites", admin, {"key": key, **SITE}).status_code == 409
    refused = console("PUT", f"/sites/{key}", admin, {**SITE, "origins": [ORIGIN + "/"]})
    assert refused.status_code == 422 and "origins" in refused.json()["error"]["message"]
    assert widget_reads(key).json()["appearance"]["greeting"] == "Oi, loja!"


def test_a_change_reaches_webchat_when_its_cache_of_the_site_expires(stack, console, staff, firestore_db):
    """The function's own site reader on the emulator, with its clock in the test's hands: a change is served
    after CACHE_TTL_S, not before (the deployed function is that reader with the real clock)."""
    admin = staff("admin", ["support"])
    key = f"loja-{uuid.uuid4().hex[:8]}"
    assert console("POST", "/sites", admin, {"key": key, **SITE}).status_code == 200
    clock = Clock()
    sites = FirestoreSites(firestore_db, clock=clock)
    assert sites.get(key).appearance.primary_color == "#7c3aed"

    changed = {
        **SITE,
        "appearance": {**SITE["appearance"], "primaryColor": "#059669", "greeting": "Nova saudação"},
    }
    saved = console("PUT", f"/sites/{key}", admin, changed)
    assert saved.status_code == 200, saved.text
    clock.now += CACHE_TTL_S - 1
    assert sites.get(key).appearance.greeting == "Oi, loja!"  # still the cached site, as the docs say
    clock.now += 1
    site = sites.get(key)
    assert (site.appearance.primary_color, site.appearance.greeting) == ("#059669", "Nova saudação")

    assert console("DELETE", f"/sites/{key}", admin).status_code == 200
    clock.now += CACHE_TTL_S
    assert sites.get(key) is None  # webchat answers 404 site_not_found from here on
    assert console("GET", f"/sites/{key}", admin).status_code == 404
