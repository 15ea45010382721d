"""Where channel tokens go: Secret Manager's REST API in production, an owner-only env file in dev."""

from __future__ import annotations

import base64
import stat
from dataclasses import dataclass, field
from typing import Any

import pytest

from atende.adapters.secret_store import EnvFileSecretStore, SecretManagerSecretStore, secret_id
from atende.services.settings.errors import SettingRefused


def test_secret_ids_are_terraforms():
    assert secret_id("WHATSAPP_TOKEN_VENDAS") == "atende-whatsapp-token-vendas"
    assert secret_id("MESSENGER_PAGE_TOKEN") == "atende-messenger-page-token"


def test_the_env_file_keeps_each_token_once_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "secrets.env"
    store = EnvFileSecretStore(path, environ={"INSTAGRAM_TOKEN": "dev-default"})
    store.put("WHATSAPP_TOKEN_VENDAS", "first")
    store.put("WHATSAPP_TOKEN_VENDAS", "second")
    store.put("MESSENGER_PAGE_TOKEN", "page")
    assert path.read_text() == "MESSENGER_PAGE_TOKEN=page\nWHATSAPP_TOKEN_VENDAS=second\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.has("WHATSAPP_TOKEN_VENDAS") and store.has("INSTAGRAM_TOKEN")
    assert not store.has("WHATSAPP_TOKEN_SUPORTE")
    with pytest.raises(SettingRefused):
        store.put("WHATSAPP_TOKEN", "two\nlines")


@dataclass
class Answer:
    status_code: int
    body: dict[str, Any] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        return self.body

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise RuntimeError(self.status_code)


@dataclass
class RecordingSession:
    """An AuthorizedSession that answers from a table and remembers each request."""

    answers: dict[tuple[str, str], Answer]
    requests: list[tuple[str, str, Any]] = field(default_factory=list)

    def post(self, url: str, json: Any = None) -> Answer:
        self.requests.append(("POST", url, json))
        return self.answers[("POST", url)]

    def get(self, url: str) -> Answer:
        self.requests.append(("GET", url, None))
        return self.answers[("GET", url)]


BASE = "https://secretmanager.googleapis.com/v1/projects/p1/secrets"


def test_secret_manager_adds_a_version_of_terraforms_secret():
    session = RecordingSession(
        {
            ("POST", f"{BASE}/atende-whatsapp-token-vendas:addVersion"): Answer(200),
            ("GET", f"{BASE}/atende-whatsapp-token-vendas/versions/latest"): Answer(
                200, {"state": "ENABLED"}
            ),
            ("GET", f"{BASE}/atende-instagram-token/versions/latest"): Answer(404),
        }
    )
    store = SecretManagerSecretStore("p1", session)
    store.put("WHATSAPP_TOKEN_VENDAS", "EAAG-secret")
    ((_, _, body),) = session.requests
    assert base64.b64decode(body["payload"]["data"]) == b"EAAG-secret"
    assert store.has("WHATSAPP_TOKEN_VENDAS") and not store.has("INSTAGRAM_TOKEN")


def test_a_token_without_its_secret_in_terraform_is_refused_saying_what_to_add():
    session = RecordingSession({("POST", f"{BASE}/atende-whatsapp-token-novo:addVersion"): Answer(404)})
    with pytest.raises(SettingRefused, match="channel_tokens"):
        SecretManagerSecretStore("p1", session).put("WHATSAPP_TOKEN_NOVO", "x" * 10)
