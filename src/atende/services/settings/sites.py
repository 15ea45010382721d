"""Web-chat sites (`sites/{siteKey}`): where the snippet may run, how the widget looks, whether visitors
must prove who they are, and how much they may send.

Each write is checked as `Site` (the model `webchat` loads the document with), strictly: what a stored
document would silently lose on reading (an unknown key, an origin that can never match, an unknown
language) is refused. The site's identity secret is not a setting: it is the `webchat` function's
variable `WEBCHAT_SECRET_<KEY>` (Secret Manager in production), so the console only says whether it is
set, never what it is. `webchat` reads a site through a one-minute cache per instance
(`adapters/firestore/sites.py`): a change reaches visitors within a minute.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from atende.domain.site import RateLimits, Site, secret_env
from atende.domain.staff import Actor
from atende.services.settings.channels import SecretStore
from atende.services.settings.documents import SettingsWriter, plain
from atende.services.settings.errors import AlreadyExists, NotFound, refused
from atende.services.settings.store import Doc, only_admins

log = logging.getLogger(__name__)

SITES = "sites"
EXAMPLE_KEY = "novo-site"  # any valid key: the defaults do not depend on it


def rate_limit_bounds() -> dict[str, dict[str, int]]:
    """Each limit's minimum, maximum and default, as the model bounds them (the page's number inputs)."""
    schema = RateLimits.model_json_schema(by_alias=True)["properties"]
    return {
        name: {"min": field["minimum"], "max": field["maximum"], "default": field["default"]}
        for name, field in schema.items()
    }


class SiteSettings:
    def __init__(self, writer: SettingsWriter, secrets: SecretStore) -> None:
        self.writer = writer
        self.store = writer.store
        self.secrets = secrets

    def list(self, actor: Actor) -> dict[str, Any]:
        only_admins(actor)
        return {
            "sites": [self._view(key, doc) for key, doc in sorted(self.store.all(SITES).items())],
            "defaults": Site(key=EXAMPLE_KEY).document(),
            "rateLimitBounds": rate_limit_bounds(),
        }

    def get(self, actor: Actor, key: str) -> dict[str, Any]:
        only_admins(actor)
        doc = self.store.get(SITES, key)
        if doc is None:
            raise NotFound(f"Não existe o site {key}")
        return self._view(key, doc)

    def create(self, actor: Actor, key: str, document: Doc) -> dict[str, Any]:
        site = self._check(key, document)

        def change(before: Doc | None) -> Doc:
            if before is not None:
                raise AlreadyExists(f"O site {key} já existe; edite-o ou escolha outra chave")
            return site.document()

        return self._view(key, self.writer.write(actor, SITES, key, change) or {})

    def update(self, actor: Actor, key: str, document: Doc) -> dict[str, Any]:
        """The whole site replaced (the page sends every setting); an unknown key is a 404, not a new site."""
        site = self._check(key, document)

        def change(before: Doc | None) -> Doc:
            if before is None:
                raise NotFound(f"Não existe o site {key}; crie-o antes")
            return site.document()

        return self._view(key, self.writer.write(actor, SITES, key, change) or {})

    def remove(self, actor: Actor, key: str) -> None:
        def change(before: Doc | None) -> None:
            if before is None:
                raise NotFound(f"Não existe o site {key}")

        self.writer.write(actor, SITES, key, change)

    @staticmethod
    def _check(key: str, document: Doc) -> Site:
        try:
            return Site.checked(key, {k: v for k, v in document.items() if k != "key"})
        except ValidationError as e:
            raise refused(e, f"Site {key}") from None

    def _view(self, key: str, doc: Doc) -> dict[str, Any]:
        """The site as `webchat` runs it, or as stored with the `problem` that makes `webchat` answer 404."""
        try:
            settings, problem = Site.model_validate({**doc, "key": key}).document(), None
        except ValidationError as e:  # written by hand: webchat refuses the site until it is fixed
            settings, problem = plain(doc), refused(e, f"sites/{key}").reason
        return {
            "key": key,
            **settings,
            "identitySecret": {"env": secret_env(key), "set": self._secret_set(secret_env(key))},
            "problem": problem,
            "updatedAt": doc.get("updatedAt"),
            "updatedBy": doc.get("updatedBy"),
        }

    def _secret_set(self, name: str) -> bool | None:
        """None when the secret store cannot say (the page then says "unknown", not "missing")."""
        try:
            return self.secrets.has(name)
        except Exception:
            log.warning("cannot tell whether %s is set", name, exc_info=True)
            return None
