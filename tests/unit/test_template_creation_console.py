"""A template written in the console: Meta's rules checked in one place (the CLI's and the console's), each
faulty field named; the console lists it PENDING at once and never calls Meta itself — campaign_send submits
it from a task, and a refusal by Meta shows on the template."""

from __future__ import annotations

import pytest

from atende.domain.templates import TemplateDraft, TemplateInvalid
from atende.services.campaign_console import CREATE_TASK
from tests.unit.test_campaign_service import ACCOUNT
from tests.unit.test_campaigns_console_routes import audit_actions, call, desk  # noqa: F401 (fixtures)
from tests.unit.test_console_settings import SUPERVISOR

GOOD = {
    "accountId": ACCOUNT,
    "name": "boleto_vencendo",
    "language": "pt_BR",
    "category": "UTILITY",
    "body": "Olá {{1}}, seu boleto de {{2}} vence amanhã.",
    "examples": ["Maria", "R$ 99,90"],
    "header": "Aviso de cobrança",
    "footer": "Fibra Rápida",
    "buttons": ["Já paguei", "Falar com atendente"],
}


def draft(**change: object) -> TemplateDraft:
    fields = {k: v for k, v in GOOD.items() if k != "accountId"} | change
    return TemplateDraft.from_dict(fields)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "Boleto Vencendo"}, "name"),
        ({"name": "x" * 513}, "name"),
        ({"language": "fr"}, "language"),
        ({"category": "AUTHENTICATION"}, "category"),
        ({"body": "Olá {{1}}, seu boleto de {{3}} vence.", "examples": ["a", "b", "c"]}, "body"),
        ({"body": "{{1}}, seu boleto vence amanhã.", "examples": ["a"]}, "body"),
        ({"body": "Seu boleto vence amanhã, {{1}}", "examples": ["a"]}, "body"),
        ({"body": "a" * 1025, "examples": []}, "body"),
        ({"body": "   ", "examples": []}, "body"),
        ({"examples": ["Maria"]}, "examples"),
        ({"examples": ["Maria", " "]}, "examples"),
        ({"header": "Olá {{1}}"}, "header"),
        ({"footer": "f" * 61}, "footer"),
        ({"buttons": ["a", "b", "c", "d"]}, "buttons"),
        ({"buttons": ["Sim", "Sim"]}, "buttons"),
        ({"buttons": ["b" * 26]}, "buttons"),
    ],
)
def test_each_rule_meta_enforces_names_the_faulty_field(change, field):
    with pytest.raises(TemplateInvalid) as refused:
        draft(**change).request()
    assert list(refused.value.fields) == [field]


def test_a_valid_draft_becomes_meta_s_components_with_the_examples():
    request = draft().request()
    assert (request["name"], request["language"], request["category"]) == (
        "boleto_vencendo",
        "pt_BR",
        "UTILITY",
    )
    assert request["components"] == [
        {"type": "HEADER", "format": "TEXT", "text": "Aviso de cobrança"},
        {
            "type": "BODY",
            "text": "Olá {{1}}, seu boleto de {{2}} vence amanhã.",
            "example": {"body_text": [["Maria", "R$ 99,90"]]},
        },
        {"type": "FOOTER", "text": "Fibra Rápida"},
        {
            "type": "BUTTONS",
            "buttons": [
                {"type": "QUICK_REPLY", "text": "Já paguei"},
                {"type": "QUICK_REPLY", "text": "Falar com atendente"},
            ],
        },
    ]
    plain = draft(body="Obrigado pelo contato!", examples=[], header=None, footer=None, buttons=[]).request()
    assert plain["components"] == [{"type": "BODY", "text": "Obrigado pelo contato!"}]


def test_the_console_lists_it_pending_and_campaign_send_submits_it_to_meta(call, desk):  # noqa: F811
    answer = call("POST", "/templates", body=GOOD)
    assert answer.status_code == 202
    assert (answer.json["template"]["name"], answer.json["template"]["status"]) == (
        "boleto_vencendo",
        "PENDING",
    )
    listed = {t["name"]: t for t in call("GET", "/templates").json["templates"]}
    assert listed["boleto_vencendo"]["status"] == "PENDING" and listed["boleto_vencendo"]["params"] == 2
    assert desk.catalog.created == []  # the console holds no token: only the task carries the request
    assert [list(t.payload) for t in desk.queue.tasks] == [[CREATE_TASK]]
    assert desk.run_tasks() == ["created"]
    assert [c["name"] for c in desk.catalog.created] == ["boleto_vencendo"]
    assert desk.catalog.created[0]["components"][1]["example"] == {"body_text": [["Maria", "R$ 99,90"]]}
    assert audit_actions(desk) == [("templates.create", "admin-1")]
    (entry,) = desk.store.audit_logs.values()
    assert (entry.target_id, entry.after["buttons"]) == (
        f"{ACCOUNT}_boleto_vencendo_pt_BR",
        ("Já paguei", "Falar com atendente"),
    )


def test_faulty_fields_are_answered_one_by_one_and_nothing_is_queued(call, desk):  # noqa: F811
    bad = GOOD | {"name": "Boleto!", "body": "{{1}} vence amanhã", "examples": [], "buttons": ["a"] * 3}
    answer = call("POST", "/templates", body=bad)
    assert answer.status_code == 422
    assert set(answer.json["error"]["fields"]) == {"name", "body", "examples", "buttons"}
    assert desk.queue.tasks == [] and desk.store.audit_logs == {}
    assert [t["name"] for t in call("GET", "/templates").json["templates"]] == ["promo_fibra"]
    assert call("POST", "/templates", body=GOOD | {"surprise": 1}).status_code == 400


def test_a_name_in_use_is_refused_and_a_supervisor_may_create(call, desk):  # noqa: F811
    answer = call("POST", "/templates", body=GOOD | {"name": "promo_fibra"}, who=SUPERVISOR)
    assert answer.status_code == 422 and "promo_fibra" in answer.json["error"]["fields"]["name"]
    assert call("POST", "/templates", body=GOOD, who=SUPERVISOR).status_code == 202
    assert call("POST", "/templates", body=GOOD | {"language": "en_US"}).status_code == 202


def test_meta_s_refusal_shows_on_the_template_and_the_name_may_be_tried_again(call, desk):  # noqa: F811
    desk.catalog.refusal = "Meta recusou (100, HTTP 400): Content in this language already exists"
    call("POST", "/templates", body=GOOD)
    assert desk.run_tasks() == ["refused"]
    listed = {t["name"]: t for t in call("GET", "/templates").json["templates"]}
    assert listed["boleto_vencendo"]["status"] == "REJECTED"
    assert "already exists" in listed["boleto_vencendo"]["rejectedReason"]
    desk.catalog.refusal = None
    desk.clock.now += 60
    assert call("POST", "/templates", body=GOOD).status_code == 202
    assert desk.run_tasks() == ["created"]
