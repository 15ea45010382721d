"""Load channel configurations: Firestore `channels/{channel}_{account_id}`, plus a JSON default.

The JSON (`ATENDE_CHANNELS`, or the file named by `ATENDE_CHANNELS_FILE`) lets
`make dev` and a first deployment run without any Firestore set-up; Firestore
documents win over it so an operator can add a number without a redeploy.
The registry is reloaded at most every `ttl_s` seconds per instance.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from atende.adapters.firestore.collections import CHANNELS
from atende.domain.channels import ChannelConfig, ChannelRegistry
from atende.domain.errors import MissingCredentials
from atende.domain.model import Channel

log = logging.getLogger(__name__)


def configs_from_env(env: Mapping[str, str]) -> list[ChannelConfig]:
    raw = env.get("ATENDE_CHANNELS")
    if not raw and env.get("ATENDE_CHANNELS_FILE"):
        raw = Path(env["ATENDE_CHANNELS_FILE"]).read_text()
    if not raw:
        return []
    try:
        items = json.loads(raw)
        return [ChannelConfig.from_doc(item) for item in items]
    except (ValueError, KeyError, TypeError) as exc:
        log.error("ATENDE_CHANNELS is not a JSON list of channel configurations: %s", exc)
        return []


def configs_from_firestore(client: Any) -> list[ChannelConfig]:
    configs = []
    for snap in client.collection(CHANNELS).stream():
        try:
            configs.append(ChannelConfig.from_doc(snap.to_dict() or {}))
        except (ValueError, KeyError) as exc:
            log.error("channels/%s is not a valid channel configuration: %s", snap.id, exc)
    return configs


class CachedRegistry:
    """A ChannelRegistry rebuilt from its sources every `ttl_s`; later sources override earlier ones."""

    def __init__(self, *sources: Callable[[], list[ChannelConfig]], ttl_s: float = 300.0) -> None:
        self._sources = sources
        self._ttl_s = ttl_s
        self._lock = threading.Lock()
        self._registry = ChannelRegistry()
        self._loaded_at = float("-inf")

    def current(self) -> ChannelRegistry:
        with self._lock:
            if time.monotonic() - self._loaded_at >= self._ttl_s:
                merged: dict[str, ChannelConfig] = {}
                for source in self._sources:
                    try:
                        merged |= {c.key: c for c in source()}
                    except Exception:  # a Firestore hiccup must not stop sends on the default token
                        log.exception("could not load channel configurations; keeping the previous ones")
                        return self._registry
                self._registry = ChannelRegistry(merged.values())
                self._loaded_at = time.monotonic()
            return self._registry


class TokenProvider:
    """The access token for an account, from the environment variable its configuration names.

    An account nobody configured uses its channel's default variable (`WHATSAPP_TOKEN`, …).
    A configured account never borrows another's token: a missing secret is reported, not papered over.
    Only channel token names are ever read (`token_env_allowed`): a configuration naming any other
    variable leaves its channel unusable, so no other secret can reach the Graph API.
    """

    def __init__(self, registry: Callable[[], ChannelRegistry], env: Mapping[str, str]) -> None:
        self._registry = registry
        self._env = env

    def config(self, channel: Channel | str, account_id: str) -> ChannelConfig:
        return self._registry().get(channel, account_id)

    def __call__(self, channel: Channel | str, account_id: str) -> str:
        config = self.config(channel, account_id)
        if not config.token_allowed:
            raise MissingCredentials(str(channel), account_id, config.token_env, refused=True)
        token = self._env.get(config.token_env)
        if not token:
            raise MissingCredentials(str(channel), account_id, config.token_env)
        return token

    def require_all(self) -> None:
        """Fail at start-up, naming each configured channel whose token variable is missing or empty.

        A channel whose `token_env` is refused stays out of this list: it was logged when parsed and
        only that channel is unusable, so a bad Firestore document cannot stop every other channel.
        """
        missing = [c for c in self._registry().all() if c.token_allowed and not self._env.get(c.token_env)]
        if missing:
            raise RuntimeError(
                "channels without an access token: "
                + "; ".join(
                    f"{c.channel} {c.account_id} ({c.name or 'no name'}): set {c.token_env}" for c in missing
                )
            )
