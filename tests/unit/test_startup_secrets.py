"""In production a function missing a secret it needs stops as its instance starts, naming the secret."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from atende import wiring
from atende.config import MissingSecrets, Settings


def _clear_wiring() -> None:
    for builder in vars(wiring).values():
        if hasattr(builder, "cache_clear"):
            builder.cache_clear()


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    for field in Settings.model_fields.values():
        monkeypatch.delenv(str(field.validation_alias), raising=False)
    monkeypatch.setenv("K_SERVICE", "atende-test")
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", "127.0.0.1:9")  # a client that never connects
    _clear_wiring()
    yield monkeypatch
    _clear_wiring()


def test_a_webhook_without_its_secrets_does_not_start(production):
    production.setenv("META_VERIFY_TOKEN", "verify")
    with pytest.raises(MissingSecrets, match=r"webhook_whatsapp cannot start.*META_APP_SECRET"):
        wiring.whatsapp_receiver()


def test_a_webhook_needs_only_the_app_secret_and_verify_token(production):
    production.setenv("META_APP_SECRET", "app")
    production.setenv("META_VERIFY_TOKEN", "verify")
    assert wiring.instagram_receiver() is not None  # no channel tokens, Gemini key or media key needed


def test_local_media_without_its_signing_key_does_not_start(production):
    production.setenv("META_APP_SECRET", "app")  # present, and never a substitute
    with pytest.raises(MissingSecrets, match=r"media_fetch cannot start.*MEDIA_URL_SECRET"):
        wiring.media_service()


def test_the_dev_stack_is_never_production(production):
    production.setenv("ATENDE_DEV", "1")
    assert wiring.messenger_receiver() is not None  # fails closed per request, as before


def test_a_deployed_webhook_module_stops_at_import_naming_the_missing_secret(production):
    """Importing the function's module is the instance starting: the deploy's first instance fails."""
    import importlib.util
    from pathlib import Path

    production.setenv("FUNCTION_TARGET", "webhook_messenger")
    path = Path(__file__).resolve().parents[2] / "functions" / "webhooks" / "main.py"
    spec = importlib.util.spec_from_file_location("deployed_webhooks", path)
    assert spec and spec.loader
    with pytest.raises(MissingSecrets, match=r"webhook_messenger cannot start.*META_APP_SECRET"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


def test_events_without_its_signing_secret_does_not_start(production):
    with pytest.raises(MissingSecrets, match=r"events cannot start.*EVENTS_SECRET"):
        wiring.events_secret()


def test_unsubscribe_links_without_their_key_do_not_start(production):
    production.setenv("EVENTS_SECRET", "events")  # present, and never a substitute
    with pytest.raises(MissingSecrets, match=r"unsubscribe cannot start.*UNSUBSCRIBE_SECRET"):
        wiring.unsubscribe_links()
