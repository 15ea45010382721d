"""Channel accounts (`channels/{channel}_{accountId}`) and their access tokens.

The document is checked as `ChannelConfig.from_doc` reads it, with the rules the functions apply
(`token_env` only a channel token name; the team and persona ones that exist). A token is write-only:
it goes to the `SecretStore` under the variable the account names (Secret Manager in production, where
the functions get it mounted as that variable), and only whether one is set ever comes back. A new
account without a token is refused: `outbound` refuses to start with a configured channel lacking one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from atende.domain.channels import DEFAULT_TOKEN_ENV, ChannelConfig, token_env_allowed
from atende.domain.model import Channel
from atende.domain.staff import Actor
from atende.engines.personas import personas
from atende.services.attendant_config import default_business
from atende.services.settings.documents import CONFIG, SettingsWriter, plain
from atende.services.settings.errors import NotFound, SettingRefused
from atende.services.settings.store import Doc, only_admins

CHANNELS = "channels"
ACCOUNT_ID = re.compile(r"^[0-9A-Za-z_.-]{1,64}$")
META_CHANNELS = tuple(DEFAULT_TOKEN_ENV)  # web chat sites are configured elsewhere (`sites`)


class SecretStore(Protocol):
    """Where channel tokens live, by the environment variable name the functions read them as."""

    def put(self, name: str, value: str) -> None: ...

    def has(self, name: str) -> bool: ...


class ChannelAccount(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(default=None, max_length=80)
    defaultTeam: str | None = Field(default=None, max_length=32)
    defaultPersona: str | None = Field(default=None, max_length=32)
    tokenEnv: str | None = Field(default=None, max_length=64)
    token: str | None = Field(default=None, min_length=8, max_length=4096, repr=False)


def account_key(key: str) -> tuple[Channel, str]:
    channel, _, account_id = key.partition("_")
    if channel not in META_CHANNELS or not ACCOUNT_ID.match(account_id):
        raise NotFound(f"Conta de canal inválida: {key} (use <whatsapp|messenger|instagram>_<id da conta>)")
    return Channel(channel), account_id


class ChannelSettings:
    def __init__(
        self,
        writer: SettingsWriter,
        secrets: SecretStore,
        deployed: Callable[[], Sequence[ChannelConfig]] = tuple,
    ) -> None:
        self.writer = writer
        self.store = writer.store
        self.secrets = secrets
        self.deployed = deployed

    def list(self, actor: Actor) -> list[dict[str, Any]]:
        """Every account the functions serve: those saved here, and those the deployment's configuration
        (`ATENDE_CHANNELS`) defines and nobody saved here yet, so that an admin sees, and can take over,
        the numbers a first deployment or `make dev` runs with. A saved document wins, as at run time."""
        only_admins(actor)
        saved = self.store.all(CHANNELS)
        views = {key: self._view(key, ChannelConfig.from_doc(doc), doc) for key, doc in saved.items()}
        for config in self.deployed():
            if config.key not in views:
                views[config.key] = self._view(config.key, config, {}, source="deployment")
        return [views[key] for key in sorted(views)]

    def _view(self, key: str, config: ChannelConfig, doc: Doc, source: str = "console") -> dict[str, Any]:
        return {
            "id": key,
            "source": source,
            "channel": str(config.channel),
            "accountId": config.account_id,
            "name": config.name,
            "defaultTeam": config.default_team,
            "defaultPersona": config.default_persona,
            "tokenEnv": config.token_env,
            "tokenAllowed": config.token_allowed,
            "tokenSet": config.token_allowed and self.secrets.has(config.token_env),
            "tokenUpdatedAt": doc.get("tokenUpdatedAt"),
            "updatedAt": doc.get("updatedAt"),
        }

    def set_account(self, actor: Actor, key: str, body: ChannelAccount) -> dict[str, Any]:
        only_admins(actor)
        channel, account_id = account_key(key)
        before = self.store.get(CHANNELS, key)
        current = ChannelConfig.from_doc(before) if before else None
        token_env = body.tokenEnv or (current.token_env if current else DEFAULT_TOKEN_ENV[channel])
        if not token_env_allowed(token_env):
            allowed = ", ".join(sorted(DEFAULT_TOKEN_ENV.values()))
            raise SettingRefused(f"tokenEnv: use {allowed}, opcionalmente com _SUFIXO (A-Z, 0-9, _)")
        if body.defaultTeam:
            self.writer.check_teams([body.defaultTeam], "defaultTeam")
        business = {**default_business(), **plain(self.store.get(CONFIG, "business"))}
        if body.defaultPersona and body.defaultPersona not in personas(business):
            raise SettingRefused(f"defaultPersona: persona desconhecida {body.defaultPersona}")
        if body.token is None and not self.secrets.has(token_env):
            raise SettingRefused(f"Informe o token da conta: {token_env} ainda não tem valor")
        fields = {
            "name": body.name,
            "default_team": body.defaultTeam,
            "default_persona": body.defaultPersona,
        }
        if body.token is not None:
            self.secrets.put(token_env, body.token)
        now = datetime.fromtimestamp(self.writer.clock(), UTC)

        def change(doc: Doc | None) -> Doc:
            after = {
                **plain(doc),
                **{k: v for k, v in fields.items() if v is not None},
                "channel": str(channel),
                "account_id": account_id,
                "token_env": token_env,
            }
            if body.token is not None:
                after["tokenUpdatedAt"] = now
            ChannelConfig.from_doc(after)
            return after

        after = self.writer.write(actor, CHANNELS, key, change)
        return self._view(key, ChannelConfig.from_doc(after or {}), after or {})

    def set_token(self, actor: Actor, key: str, token: str) -> dict[str, Any]:
        only_admins(actor)
        account_key(key)
        if self.store.get(CHANNELS, key) is None:
            raise NotFound(f"Não existe a conta {key}; cadastre-a antes")
        return self.set_account(actor, key, ChannelAccount(token=token))
