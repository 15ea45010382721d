"""Follow-up rules through the console on in-memory fakes: an admin's change is checked by the loader the
tick uses, audited in the same commit, shown as overridden, and one rule can go back to the repo's."""

from __future__ import annotations

import pytest

from atende.domain.errors import WorkflowRefused
from atende.domain.model import Role
from atende.domain.staff import Actor
from atende.services.attendant_config import AttendantConfig
from atende.services.settings.console import Console
from atende.services.settings.errors import NotFound, SettingRefused
from tests.fakes import FakeConfigSource, FakeLogReader, FakeSecretStore, FakeSettingsStore

NOW = 1_764_000_000.0
ADMIN = Actor(uid="admin-1", role=Role.ADMIN, name="Admin")
SUPERVISOR = Actor(uid="sup-1", role=Role.SUPERVISOR, teams=("support",))
NEW_TEXT = "Oi, {{ contact.first_name }}! Ainda posso ajudar?"


@pytest.fixture
def store() -> FakeSettingsStore:
    return FakeSettingsStore()


@pytest.fixture
def documents(store):
    return Console.build(
        store, FakeLogReader(), FakeSecretStore(), lambda actor: None, clock=lambda: NOW
    ).documents


def tick_policy(store: FakeSettingsStore):
    """What the automation tick loads from the same documents."""
    return AttendantConfig(FakeConfigSource(store.docs)).followups()


def test_without_an_override_the_console_shows_the_repo_rules(documents):
    view = documents.followups(ADMIN)
    assert view["overrides"] == {} and view["problem"] is None
    assert view["effective"] == view["defaults"]
    assert view["effective"]["rules"]["followup_pagamento"]["delay_hours"] == 12
    assert view["effective"]["send_window"]["timezone"] == "America/Sao_Paulo"
    assert view["overridden"] == {"send_window": [], "rules": {}}


def test_a_rule_change_is_what_the_tick_runs_and_is_audited(documents, store):
    change = {
        "send_window": {"start": "09:00"},
        "rules": {
            "followup_48h": {"delay_hours": 24, "messages": {"default": {"pt": NEW_TEXT}}},
            "followup_pagamento": {"enabled": False},
        },
    }
    view = documents.set_followups(ADMIN, change)

    assert view["effective"]["rules"]["followup_48h"]["delay_hours"] == 24
    assert view["effective"]["rules"]["followup_48h"]["channel"] == "conversation"  # the rest: the repo's
    assert view["overridden"] == {
        "send_window": ["start"],
        "rules": {"followup_48h": ["delay_hours", "messages"], "followup_pagamento": ["enabled"]},
    }
    policy = tick_policy(store)
    assert policy.send_window.start == "09:00" and policy.send_window.end == "20:00"
    assert policy.rules["followup_48h"].delay_hours == 24
    assert policy.rules["followup_48h"].text("cliente", "pt", {"contact": {"first_name": "Ana"}}) == (
        "Oi, Ana! Ainda posso ajudar?"
    )
    assert "followup_pagamento" not in dict(policy.enabled())
    (entry,) = store.audits
    assert (entry.action, entry.collection, entry.target_id, entry.actor_uid) == (
        "settings.update",
        "config",
        "followups",
        "admin-1",
    )
    assert entry.before is None and entry.after["rules"]["followup_pagamento"] == {"enabled": False}


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"rules": {"followup_48h": {"delay_hours": 0}}}, "rules.followup_48h.delay_hours"),
        ({"rules": {"followup_48h": {"channel": "sms"}}}, "rules.followup_48h.channel"),
        (
            {"rules": {"followup_48h": {"messages": {"default": {"pt": "Oi {{ nome"}}}}},
            "followup_48h.messages",
        ),
        ({"rules": {"followup_48h": {"delayHours": 2}}}, "rules.followup_48h.delayHours"),
        ({"rules": {"followup_nps": {"delay_hours": 2}}}, "rules.followup_nps"),
        ({"send_window": {"start": "8h"}}, "send_window.start"),
        ({"send_window": {"timezone": "Mars/Olympus"}}, "send_window.timezone"),
        ({"window": {}}, "unknown"),
    ],
)
def test_what_the_tick_could_not_run_is_refused_naming_the_field(documents, store, change, where):
    with pytest.raises(SettingRefused) as refused:
        documents.set_followups(ADMIN, change)
    assert refused.value.reason.startswith("Regras de acompanhamento recusado(a)")
    assert where in refused.value.reason
    assert store.docs == {} and store.audits == []


def test_restoring_one_rule_keeps_the_other_changes(documents, store):
    documents.set_followups(
        ADMIN,
        {"rules": {"followup_48h": {"delay_hours": 24}, "followup_proposta": {"delay_hours": 6}}},
    )
    view = documents.reset_followup_rule(ADMIN, "followup_48h")

    assert view["overridden"]["rules"] == {"followup_proposta": ["delay_hours"]}
    assert view["effective"]["rules"]["followup_48h"] == view["defaults"]["rules"]["followup_48h"]
    assert tick_policy(store).rules["followup_48h"].delay_hours == 48
    assert tick_policy(store).rules["followup_proposta"].delay_hours == 6
    assert [e.action for e in store.audits] == ["settings.update", "settings.update"]
    assert "followup_48h" in store.audits[1].before["rules"]
    with pytest.raises(NotFound):
        documents.reset_followup_rule(ADMIN, "followup_48h")


def test_a_document_written_by_hand_that_the_tick_ignores_is_shown_as_a_problem(documents, store):
    store.docs["config"] = {"followups": {"rules": {"followup_48h": {"delay_hours": -1}}}}
    view = documents.followups(ADMIN)
    assert "rules.followup_48h.delay_hours" in view["problem"]
    assert view["effective"] == view["defaults"]
    assert tick_policy(store).rules["followup_48h"].delay_hours == 48


def test_only_admins_read_or_change_the_rules(documents, store):
    for call in (
        lambda: documents.followups(SUPERVISOR),
        lambda: documents.set_followups(SUPERVISOR, {}),
        lambda: documents.reset_followup_rule(SUPERVISOR, "followup_48h"),
    ):
        with pytest.raises(WorkflowRefused):
            call()
    assert store.docs == {}
