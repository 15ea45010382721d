"""What admins tune in Firestore is validated when read; a broken document is logged, the defaults answer."""

from __future__ import annotations

import logging
from typing import Any

from atende.services.attendant_config import AttendantConfig
from atende.triage.policy import default_policy


class Documents:
    def __init__(self, config: dict[str, dict[str, Any]]) -> None:
        self._config = config

    def document(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        return self._config.get(doc_id)

    def collection(self, name: str) -> dict[str, dict[str, Any]]:
        return {}


def test_a_business_document_is_laid_over_the_defaults():
    business = AttendantConfig(Documents({"business": {"name": "Fibra Veloz", "pix_key": "x@y"}})).business()
    assert (business["name"], business["pix_key"]) == ("Fibra Veloz", "x@y")
    assert business["opening_hours"]["0"] == ["08:00", "20:00"]


def test_a_broken_business_document_is_logged_naming_the_field_and_the_defaults_answer(caplog):
    broken = {"name": "Fibra Veloz", "opening_hours": {"1": ["8h", "20:00"]}}
    with caplog.at_level(logging.ERROR):
        business = AttendantConfig(Documents({"business": broken})).business()
    assert business["name"] == "Conecta Fibra"
    assert "opening_hours.1.0" in caplog.text


def test_a_broken_routing_document_is_logged_naming_the_field_and_the_defaults_answer(caplog):
    with caplog.at_level(logging.ERROR):
        policy = AttendantConfig(Documents({"routing": {"default_threshold": 7}})).routing_policy()
    assert policy == default_policy()
    assert "default_threshold" in caplog.text
