"""Settings come from the environment; a malformed value stops the function naming the variable."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from atende.config import Settings


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


def test_media_links_are_signed_with_the_app_secret_unless_given_their_own_and_secrets_stay_out_of_logs(env):
    env.setenv("META_APP_SECRET", "s3cret")
    s = Settings.from_env()
    assert s.media_url_secret == "s3cret" and "s3cret" not in repr(s)
    env.setenv("MEDIA_URL_SECRET", "other")
    assert Settings.from_env().media_url_secret == "other"
