"""Web-chat sites in the console on in-memory fakes: what an admin saves is what `webchat` loads and
serves, refusals name the place, every change is audited, and the identity secret never comes back."""

from __future__ import annotations

import pytest

from atende.adapters.firestore.sites import from_doc
from atende.domain.errors import WorkflowRefused
from atende.domain.site import secret_env
from atende.services.settings.errors import AlreadyExists, NotFound, SettingRefused
from tests.unit.test_console_http import call  # noqa: F401  (the HTTP fixture)
from tests.unit.test_console_settings import ADMIN, AGENT, SUPERVISOR, World

LOJA = {
    "name": "Loja Centro",
    "origins": ["https://www.loja.example", "http://localhost:8000"],
    "appearance": {"primaryColor": "#7c3aed", "position": "left", "greeting": "Oi!", "language": "es"},
    "preChatForm": {"enabled": True, "fields": [{"name": "name", "required": True}, {"name": "phone"}]},
    "enforceIdentity": True,
    "rateLimits": {"messagesPerMinute": 5},
}


@pytest.fixture
def world() -> World:
    return World()


def served(world: World, key: str) -> dict:
    """What `webchat`'s `GET /sites/{key}` answers from the stored document."""
    site = from_doc(key, world.store.docs["sites"][key])
    assert site is not None
    return site.public(available=True)


def test_a_site_an_admin_creates_is_what_the_widget_gets_and_is_audited(world):
    view = world.console.sites.create(ADMIN, "loja-centro", LOJA)
    assert view["appearance"]["primaryColor"] == "#7c3aed" and view["problem"] is None
    assert view["rateLimits"] == {
        "messagesPerMinute": 5,
        "messagesPerDay": 200,
        "requestsPerMinutePerIp": 60,
        "sessionsPerMinutePerIp": 10,
    }
    public = served(world, "loja-centro")
    assert public["appearance"]["position"] == "left" and public["appearance"]["language"] == "es"
    assert public["preChatForm"]["fields"][0] == {"name": "name", "required": True}
    assert public["identity"] == {"enforced": True, "required": False}
    site = from_doc("loja-centro", world.store.docs["sites"]["loja-centro"])
    assert site.allows("https://www.loja.example") and not site.allows("https://loja.example")
    assert site.rate_limits.messages_per_minute == 5

    (entry,) = world.store.audits
    assert (entry.action, entry.collection, entry.target_id, entry.before) == (
        "settings.update",
        "sites",
        "loja-centro",
        None,
    )
    assert entry.after["updatedBy"] == ADMIN.uid
    assert [s["key"] for s in world.console.sites.list(ADMIN)["sites"]] == ["loja-centro"]


def test_an_update_replaces_the_site_and_a_delete_removes_it(world):
    world.console.sites.create(ADMIN, "loja-centro", LOJA)
    changed = {**LOJA, "appearance": {**LOJA["appearance"], "primaryColor": "#10b981", "greeting": "Olá"}}
    world.console.sites.update(ADMIN, "loja-centro", changed)
    assert served(world, "loja-centro")["appearance"]["greeting"] == "Olá"
    assert world.console.sites.get(ADMIN, "loja-centro")["appearance"]["primaryColor"] == "#10b981"
    world.console.sites.remove(ADMIN, "loja-centro")
    assert "loja-centro" not in world.store.docs["sites"]
    assert [a.action for a in world.store.audits] == ["settings.update", "settings.update", "settings.delete"]
    assert world.store.audits[-1].before["appearance"]["greeting"] == "Olá"


def test_creating_a_taken_key_or_touching_a_missing_site_is_refused_without_a_write(world):
    world.console.sites.create(ADMIN, "loja-centro", LOJA)
    with pytest.raises(AlreadyExists):
        world.console.sites.create(ADMIN, "loja-centro", {"origins": []})
    for change in (
        lambda: world.console.sites.update(ADMIN, "outra", LOJA),
        lambda: world.console.sites.remove(ADMIN, "outra"),
        lambda: world.console.sites.get(ADMIN, "outra"),
    ):
        with pytest.raises(NotFound):
            change()
    assert list(world.store.docs["sites"]) == ["loja-centro"] and len(world.store.audits) == 1


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"origins": ["https://www.loja.example/"]}, "origins: origem inválida"),
        ({"origins": ["*.loja.example"]}, "origins: origem inválida"),
        ({"appearance": {"primaryColor": "roxo"}}, "appearance.primaryColor: formato inválido"),
        ({"appearance": {"position": "top"}}, "appearance.position"),
        ({"appearance": {"language": "fr"}}, "appearance.language: idioma desconhecido"),
        ({"appearance": {"greeting": "x" * 301}}, "appearance.greeting: longo demais"),
        ({"preChatForm": {"enabled": True, "fields": [{"name": "cpf"}]}}, "preChatForm.fields.0.name"),
        ({"rateLimits": {"messagesPerMinute": 0}}, r"rateLimits.messagesPerMinute: abaixo do mínimo \(1\)"),
        ({"rateLimits": {"messagesPerDay": 100_001}}, r"messagesPerDay: acima do máximo \(100000\)"),
        ({"enforceIdentiy": True}, "campo desconhecido: enforceIdentiy"),
    ],
)
def test_what_webchat_would_drop_or_refuse_is_refused_naming_the_place(world, change, where):
    with pytest.raises(SettingRefused, match=where):
        world.console.sites.create(ADMIN, "loja-centro", {**LOJA, **change})
    assert world.store.docs == {} and world.store.audits == []


def test_a_key_the_snippet_cannot_carry_is_refused(world):
    with pytest.raises(SettingRefused, match="key: formato inválido"):
        world.console.sites.create(ADMIN, "Loja_Centro", LOJA)


def test_only_whether_the_identity_secret_is_set_comes_back(world):
    world.console.sites.create(ADMIN, "loja-centro", LOJA)
    assert world.console.sites.get(ADMIN, "loja-centro")["identitySecret"] == {
        "env": "WEBCHAT_SECRET_LOJA_CENTRO",
        "set": False,
    }
    world.secrets.put(secret_env("loja-centro"), "s3cr3t-value")
    listed = world.console.sites.list(ADMIN)
    assert listed["sites"][0]["identitySecret"]["set"] is True and "s3cr3t" not in str(listed)


def test_a_hand_written_site_webchat_cannot_use_shows_why(world):
    world.store.docs["sites"] = {"velho": {"origins": "https://velho.example", "appearance": {}}}
    (view,) = world.console.sites.list(ADMIN)["sites"]
    assert view["origins"] == "https://velho.example" and "origins" in view["problem"]


def test_the_page_gets_the_models_bounds_and_defaults(world):
    listed = world.console.sites.list(ADMIN)
    assert listed["rateLimitBounds"]["messagesPerDay"] == {"min": 1, "max": 100_000, "default": 200}
    assert listed["defaults"]["appearance"]["language"] == "pt-BR" and "key" not in listed["defaults"]


@pytest.mark.parametrize("who", [SUPERVISOR, AGENT])
def test_only_admins_see_or_change_sites(world, who):
    for attempt in (
        lambda: world.console.sites.list(who),
        lambda: world.console.sites.create(who, "loja-centro", LOJA),
    ):
        with pytest.raises(WorkflowRefused):
            attempt()
    assert world.store.docs == {}


# -- over HTTP ---------------------------------------------------------------------------------------------


def test_sites_over_http_answer_the_documented_statuses(call):  # noqa: F811
    created = call("POST", "/sites", body={"key": "loja-centro", **LOJA})
    assert created.status_code == 200, created.json
    assert isinstance(created.json["site"]["updatedAt"], int)
    assert call("POST", "/sites", body={"key": "loja-centro", **LOJA}).status_code == 409
    assert call("POST", "/sites", body=LOJA).status_code == 400  # no key
    assert call("GET", "/sites/Loja_Centro").status_code == 404  # a key sites never have
    assert call("GET", "/sites/outra").status_code == 404
    assert call("PUT", "/sites/outra", body=LOJA).status_code == 404
    bad = call("PUT", "/sites/loja-centro", body={**LOJA, "origins": ["https://x.example/"]})
    assert bad.status_code == 422 and "origem inválida" in bad.json["error"]["message"]
    assert call("GET", "/sites/loja-centro", who=SUPERVISOR).status_code == 403
    assert call("GET", "/sites").json["sites"][0]["key"] == "loja-centro"
    assert call("DELETE", "/sites/loja-centro").status_code == 200
    assert call("DELETE", "/sites/loja-centro").status_code == 404
