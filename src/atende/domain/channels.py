"""Which business account is which: a WhatsApp number, a Facebook Page, an Instagram account.

A business runs several at once, each with its own access token (kept in a
secret, referred to here only by the environment variable name it is mounted
as) and its own default team and persona. Webhooks name the account
(`metadata.phone_number_id`, `entry.id`); everything that talks back to Meta
looks the configuration up by that id.

The variable name comes from data an admin writes (Firestore `channels/*`), and
whatever it names is sent to the Graph API as a Bearer token. So only channel
token names are accepted: a configuration naming `META_APP_SECRET` or any other
variable is refused and its channel sends nothing, rather than leaking a secret.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from atende.domain.model import Channel

log = logging.getLogger(__name__)

# The token an account falls back to when it has no configuration of its own.
DEFAULT_TOKEN_ENV: dict[Channel, str] = {
    Channel.WHATSAPP: "WHATSAPP_TOKEN",
    Channel.MESSENGER: "MESSENGER_PAGE_TOKEN",
    Channel.INSTAGRAM: "INSTAGRAM_TOKEN",
}

# The only variables a channel configuration may name: a default token name, alone or with a suffix
# (`WHATSAPP_TOKEN_SUPORTE`). Terraform's `channel_tokens` accepts the same names.
TOKEN_ENV_ALLOWED = re.compile(
    "(" + "|".join(sorted(DEFAULT_TOKEN_ENV.values())) + ")(_[A-Z0-9_]+)?"
)


def token_env_allowed(name: str) -> bool:
    return TOKEN_ENV_ALLOWED.fullmatch(name) is not None


@dataclass(frozen=True)
class ChannelConfig:
    channel: Channel
    account_id: str  # phone_number_id, Page id or Instagram account id
    token_env: str
    name: str | None = None
    default_team: str | None = None
    default_persona: str = "cliente"
    campaign_rate: float | None = None  # messages/s this WhatsApp number may send (its tier); None: 80
    waba_id: str | None = None  # the WhatsApp Business Account the number belongs to (its templates)
    configured: bool = True  # False: an unknown account served with the channel's default token

    @property
    def key(self) -> str:
        """The Firestore document id under `channels/`."""
        return f"{self.channel}_{self.account_id}"

    @property
    def token_allowed(self) -> bool:
        """False when `token_env` names something other than a channel token: the channel is unusable."""
        return token_env_allowed(self.token_env)

    @classmethod
    def from_doc(cls, doc: Mapping[str, object]) -> ChannelConfig:
        channel = Channel(str(doc["channel"]))
        config = cls(
            channel=channel,
            account_id=str(doc.get("account_id") or doc.get("accountId")),
            token_env=str(doc.get("token_env") or doc.get("tokenEnv") or DEFAULT_TOKEN_ENV[channel]),
            name=_opt(doc.get("name")),
            default_team=_opt(doc.get("default_team") or doc.get("defaultTeam")),
            default_persona=str(doc.get("default_persona") or doc.get("defaultPersona") or "cliente"),
            campaign_rate=_rate(doc.get("campaign_rate") or doc.get("campaignRate")),
            waba_id=_opt(doc.get("waba_id") or doc.get("wabaId")),
        )
        if not config.token_allowed:
            log.error(
                "%s account %s: token_env %r is not a channel token name (%s); the channel will not send",
                channel,
                config.account_id,
                config.token_env,
                TOKEN_ENV_ALLOWED.pattern,
            )
        return config


def _rate(value: object) -> float | None:
    return float(value) if isinstance(value, int | float | str) and value and float(value) > 0 else None


def _opt(value: object) -> str | None:
    return str(value) if value else None


class ChannelRegistry:
    """Account id → configuration, with a logged fallback for accounts nobody configured."""

    def __init__(self, configs: Iterable[ChannelConfig] = ()) -> None:
        self._by_key = {(c.channel, c.account_id): c for c in configs}
        self._warned: set[tuple[Channel, str]] = set()

    def __len__(self) -> int:
        return len(self._by_key)

    def all(self) -> list[ChannelConfig]:
        return list(self._by_key.values())

    def get(self, channel: Channel | str, account_id: str) -> ChannelConfig:
        channel = Channel(channel)
        found = self._by_key.get((channel, account_id))
        if found is not None:
            return found
        if (channel, account_id) not in self._warned:
            self._warned.add((channel, account_id))
            log.warning(
                "%s account %s has no channel configuration; using %s",
                channel,
                account_id,
                DEFAULT_TOKEN_ENV.get(channel),
            )
        return ChannelConfig(
            channel, account_id, DEFAULT_TOKEN_ENV.get(channel, "WHATSAPP_TOKEN"), configured=False
        )

    def first(self, channel: Channel | str) -> ChannelConfig | None:
        """The account to open a new conversation on when the contact never used this channel."""
        channel = Channel(channel)
        return next((c for c in self._by_key.values() if c.channel == channel), None)
