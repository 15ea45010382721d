"""Settings come from the environment; a malformed value stops the function naming the variable."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from atende.config import MissingSecrets, Settings


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for field in Settings.model_fields.values():
        monkeypatch.delenv(str(field.validation_alias), raising=False)
    return monkeypatch


def test_defaults_are_the_documented_ones(env):
    s = Settings.from_env()
    assert (s.project, s.graph_api_base_url, s.graph_api_version) == (
        "demo-atende",
        "https://graph.facebook.com",
        "v25.0",
    )
    assert (s.outbound_max_attempts, s.outbound_backoff_s, s.media_url_ttl_s, s.config_ttl_s) == (
        4,
        0.5,
        3600,
        30,
    )


def test_values_are_converted_and_an_empty_variable_means_the_default(env):
    env.setenv("OUTBOUND_MAX_ATTEMPTS", "7")
    env.setenv("OUTBOUND_BACKOFF_S", "")
    env.setenv("GRAPH_API_BASE_URL", "http://127.0.0.1:5002/")
    s = Settings.from_env()
    assert (s.outbound_max_attempts, s.outbound_backoff_s) == (7, 0.5)
    assert s.graph_api_base_url == "http://127.0.0.1:5002"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OUTBOUND_MAX_ATTEMPTS", "four"),
        ("OUTBOUND_MAX_ATTEMPTS", "0"),
        ("GRAPH_API_BASE_URL", "graph.local"),
    ],
)
def test_a_malformed_value_is_refused_naming_the_variable(env, name, value):
    env.setenv(name, value)
    with pytest.raises(ValidationError, match=name):
        Settings.from_env()


def test_media_links_have_a_key_of_their_own_and_secrets_stay_out_of_logs(env):
    env.setenv("META_APP_SECRET", "s3cret")
    s = Settings.from_env()
    assert s.media_url_secret == "" and "s3cret" not in repr(s)  # never the app secret
    env.setenv("MEDIA_URL_SECRET", "other")
    s = Settings.from_env()
    assert s.media_url_secret == "other" and "other" not in repr(s)


def test_production_is_cloud_run_without_the_dev_flag(env):
    assert not Settings.from_env().production  # a laptop, a test run
    env.setenv("K_SERVICE", "atende-outbound")
    assert Settings.from_env().production
    env.setenv("ATENDE_DEV", "1")  # the dev stack
    assert not Settings.from_env().production


def test_production_start_up_stops_naming_every_missing_secret(env):
    env.setenv("K_SERVICE", "atende-webhook-whatsapp")
    env.setenv("META_VERIFY_TOKEN", "v")
    with pytest.raises(MissingSecrets) as stopped:
        Settings.from_env().require_secrets("webhook_whatsapp", "meta_app_secret", "meta_verify_token")
    assert str(stopped.value).startswith("webhook_whatsapp cannot start in production")
    assert "META_APP_SECRET" in str(stopped.value) and "META_VERIFY_TOKEN" not in str(stopped.value)

    env.setenv("META_APP_SECRET", "s")
    Settings.from_env().require_secrets("webhook_whatsapp", "meta_app_secret", "meta_verify_token")


def test_outside_production_missing_secrets_do_not_stop_start_up(env):
    Settings.from_env().require_secrets("webhook_whatsapp", "meta_app_secret", "meta_verify_token")
    env.setenv("K_SERVICE", "atende-media-fetch")
    env.setenv("ATENDE_DEV", "1")
    Settings.from_env().require_secrets("media_fetch", "media_url_secret")
