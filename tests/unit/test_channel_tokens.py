"""Each account sends with its own token; a missing one is reported at start-up, naming the variable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atende.adapters.channel_store import TokenProvider, configs_from_env
from atende.dev.stack import DEV_SECRETS
from atende.domain.channels import ChannelConfig, ChannelRegistry
from atende.domain.errors import MissingCredentials
from atende.domain.model import Channel

SUPORTE = ChannelConfig(Channel.WHATSAPP, "106540352242933", "WHATSAPP_TOKEN_SUPORTE", name="Suporte técnico")
PAGE = ChannelConfig(Channel.MESSENGER, "104500000000001", "MESSENGER_PAGE_TOKEN")


def provider(env: dict[str, str], *configs: ChannelConfig) -> TokenProvider:
    registry = ChannelRegistry(configs)
    return TokenProvider(lambda: registry, env)


def test_an_account_uses_the_token_its_configuration_names():
    tokens = provider({"WHATSAPP_TOKEN": "a", "WHATSAPP_TOKEN_SUPORTE": "b"}, SUPORTE)
    assert tokens("whatsapp", "106540352242933") == "b"
    assert tokens("whatsapp", "999") == "a"  # nobody configured it: the channel's default token


def test_a_configured_account_never_borrows_another_accounts_token():
    tokens = provider({"WHATSAPP_TOKEN": "a", "WHATSAPP_TOKEN_SUPORTE": ""}, SUPORTE)
    with pytest.raises(MissingCredentials) as missing:
        tokens("whatsapp", "106540352242933")
    assert missing.value.variable == "WHATSAPP_TOKEN_SUPORTE"


def test_start_up_fails_naming_each_channel_without_its_token():
    tokens = provider({"WHATSAPP_TOKEN_SUPORTE": ""}, SUPORTE, PAGE)
    with pytest.raises(RuntimeError) as stopped:
        tokens.require_all()
    text = str(stopped.value)
    assert "whatsapp 106540352242933 (Suporte técnico): set WHATSAPP_TOKEN_SUPORTE" in text
    assert "messenger 104500000000001" in text and "set MESSENGER_PAGE_TOKEN" in text


def test_the_dev_stack_provides_a_token_for_every_dev_channel():
    channels = Path(__file__).resolve().parents[2] / "src" / "atende" / "dev" / "channels.json"
    registry = ChannelRegistry(configs_from_env({"ATENDE_CHANNELS": channels.read_text()}))
    assert len(registry) == len(json.loads(channels.read_text())) > 0
    TokenProvider(lambda: registry, DEV_SECRETS).require_all()  # make dev and the e2e tests start
