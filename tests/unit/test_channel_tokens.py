"""Each account sends with its own token, only ever a channel token; a missing one stops start-up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from atende.adapters.channel_store import TokenProvider, configs_from_env
from atende.channels.meta.senders import WhatsAppSender
from atende.dev.stack import DEV_SECRETS
from atende.domain.channels import ChannelConfig, ChannelRegistry, token_env_allowed
from atende.domain.errors import MissingCredentials, SendFailed
from atende.domain.message import OutgoingMessage
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


# --- only channel token names: an admin cannot make outbound send another secret -------------------

OTHER_SECRETS = ["META_APP_SECRET", "MEDIA_URL_SECRET", "GEMINI_API_KEY", "META_VERIFY_TOKEN", "ERP_TOKEN"]
ENV = {name: f"value-of-{name}" for name in [*OTHER_SECRETS, "WHATSAPP_TOKEN", "WHATSAPP_TOKEN_SUPORTE"]}


class RecordingGraph:
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def post(self, path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
        self.tokens.append(token)
        return {"messages": [{"id": "wamid.1"}]}


def text_to(account_id: str) -> OutgoingMessage:
    return OutgoingMessage(
        id="m1",
        conversation_id="c1",
        channel="whatsapp",
        account_id=account_id,
        recipient_id="5511987654321",
        recipient_phone="+5511987654321",
        kind="text",
        text="Olá",
    )


@pytest.mark.parametrize("variable", OTHER_SECRETS)
@pytest.mark.parametrize("key", ["token_env", "tokenEnv"])
def test_a_channel_naming_any_other_secret_never_sends_it(variable, key, caplog):
    doc = {"channel": "whatsapp", "account_id": "106540352242933", key: variable}
    configs = configs_from_env({"ATENDE_CHANNELS": json.dumps([doc])})  # as Firestore docs are parsed
    assert f"token_env '{variable}' is not a channel token name" in caplog.text

    tokens = provider(ENV, *configs)
    tokens.require_all()  # the other channels keep working; only this one is unusable
    graph = RecordingGraph()
    with pytest.raises(SendFailed) as failed:
        WhatsAppSender(graph, tokens).send(text_to("106540352242933"))
    assert graph.tokens == []  # nothing went out, least of all the secret
    assert failed.value.error.retryable is False
    assert failed.value.error.agent_text.startswith(f"Canal com token_env não permitido ({variable})")
    assert ENV[variable] not in str(failed.value)

    # an account nobody configured and a well-configured one still send with their own tokens
    WhatsAppSender(graph, tokens).send(text_to("999"))
    assert graph.tokens == [ENV["WHATSAPP_TOKEN"]]


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("WHATSAPP_TOKEN", True),
        ("WHATSAPP_TOKEN_SUPORTE", True),
        ("MESSENGER_PAGE_TOKEN_LOJA_2", True),
        ("INSTAGRAM_TOKEN", True),
        ("META_APP_SECRET", False),
        ("WHATSAPP_TOKENX", False),
        ("WHATSAPP_TOKEN_", False),
        ("whatsapp_token", False),
        ("WHATSAPP_TOKEN_SUPORTE\n", False),
        ("X_WHATSAPP_TOKEN", False),
        ("", False),
    ],
)
def test_only_channel_token_names_are_accepted(name, allowed):
    assert token_env_allowed(name) is allowed


def test_every_dev_channel_names_an_allowed_token():
    channels = Path(__file__).resolve().parents[2] / "src" / "atende" / "dev" / "channels.json"
    assert all(c.token_allowed for c in configs_from_env({"ATENDE_CHANNELS": channels.read_text()}))
