"""`console_api`'s campaigns and templates on fakes: admins and supervisors, never agents; the CSV reported
line by line as the CLI reports it; a campaign created, started, paused, resumed and cancelled, each move
audited; progress (counts, percentage, the last minute's rate) and the paged, filtered recipients."""

from __future__ import annotations

import dataclasses
from typing import Any

import flask
import pytest

from atende.domain.campaign import Recipient, SendStatus
from atende.domain.channels import ChannelConfig, ChannelRegistry
from atende.domain.contact import Contact
from atende.domain.model import Channel
from atende.domain.opt_out import Command
from atende.domain.staff import Actor
from atende.domain.templates import CatalogFailed
from atende.entrypoints import campaign_http
from atende.entrypoints.console_http import handle
from atende.retrying import Backoff
from atende.services.campaign_console import SYNC_TASK, CampaignConsole
from atende.services.campaigns import CampaignService, LocalPersonaliser
from atende.services.deliveries import Deliveries
from atende.services.outbound import OutboundService
from atende.services.templates import TemplateService
from tests.fakes import (
    FakeCampaignStore,
    FakeSender,
    FakeTaskQueue,
    FakeTemplateStore,
    FakeUnitOfWork,
    Store,
    Versioned,
)
from tests.unit.test_campaign_service import ACCOUNT, PROMO, Clock
from tests.unit.test_console_http import ORIGIN, TokensAreUids
from tests.unit.test_console_settings import ADMIN, AGENT, SUPERVISOR, World

CSV = "nome;telefone\nMaria;(11) 98765-4321\nJoão;+55 21 99876-5432\nRepetida;11 98765-4321\nZé;123\n"
VIP = Recipient(contact_id="c_vip", wa_id="5511955554444", name="Vera Vip")
app = flask.Flask(__name__)


class Catalog:
    """Meta's `message_templates` edge: what a sync copies, what a creation submits."""

    def __init__(self) -> None:
        self.reads: list[str] = []
        self.created: list[dict[str, Any]] = []
        self.refusal: str | None = None  # what Meta says when it refuses a new template

    def list(self, waba_id: str, account_id: str) -> list[dict[str, Any]]:
        self.reads.append(account_id)
        body = {"type": "BODY", "text": "Olá {{1}}, fibra de {{2}} por R$ 99!"}
        return [{"name": "promo_fibra", "language": "pt_BR", "category": "MARKETING", "status": "APPROVED",
                 "components": [body], "id": "1"}]  # fmt: skip

    def create(self, waba_id: str, account_id: str, request: Any) -> dict[str, Any]:
        if self.refusal:
            raise CatalogFailed(self.refusal)
        self.created.append(dict(request))
        return {"id": str(len(self.created)), "status": "PENDING", "category": request["category"]}


class Desk:
    def __init__(self, personaliser: Any = None) -> None:
        self.store = Store()
        self.uow = FakeUnitOfWork(self.store)
        self.clock = Clock()
        self.sender = FakeSender()
        deliveries = Deliveries(self.uow, clock=self.clock)
        sender = {"whatsapp": self.sender}
        self.outbound = OutboundService(deliveries, sender, Backoff(1, 0), sleep=lambda s: None)
        self.queue = FakeTaskQueue()
        channels = ChannelRegistry(
            [ChannelConfig(Channel.WHATSAPP, ACCOUNT, "WHATSAPP_TOKEN", campaign_rate=50, waba_id="waba-1")]
        )
        self.catalog = Catalog()
        self.templates = TemplateService(self.catalog, FakeTemplateStore([PROMO]), lambda: channels)
        self.service = CampaignService(
            uow=self.uow,
            store=FakeCampaignStore(self.store, templates=[PROMO], contacts=[VIP]),
            queue=self.queue,
            outbound=lambda: self.outbound,
            channels=lambda: channels,
            personaliser=personaliser,
            clock=self.clock,
        )
        self.console = CampaignConsole(
            campaigns=self.service,
            store=self.service._store,
            templates=self.templates,
            queue=self.queue,
            uow=self.uow,
            clock=self.clock,
        )

    def run_tasks(self) -> list[str]:
        """What the Cloud Tasks queue would do: call campaign_send with each task due."""
        results = []
        for task in self.queue.take():
            with app.test_request_context("/", method="POST", json=task.payload):
                answer = campaign_http.handle(flask.request, lambda: self.service, lambda: self.templates)
            results.append(answer.get_json()["result"])
        return results


@pytest.fixture
def desk(request):
    return Desk(getattr(request, "param", None))


@pytest.fixture
def call(desk):
    console = dataclasses.replace(World().console, campaigns=desk.console)

    def call(method: str, path: str, who: Actor | None = ADMIN, body: Any = None) -> flask.Response:
        headers = {"Origin": ORIGIN, **({"Authorization": f"Bearer {who.uid}"} if who else {})}
        with app.test_request_context(path, method=method, json=body, headers=headers):
            return handle(flask.request, lambda: console, TokensAreUids, (ORIGIN,))

    return call


def new_campaign(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Black Friday",
        "accountId": ACCOUNT,
        "template": {"name": "promo_fibra", "language": "pt_BR", "params": ["cliente", "500 Mega"]},
        "csv": CSV,
        **changes,
    }


def preview_of(**changes: Any) -> dict[str, Any]:
    """The form's preview request: the campaign's body without its name, schedule or start."""
    return {k: v for k, v in new_campaign(**changes).items() if k != "name"}


def audit_actions(desk: Desk) -> list[tuple[str, str]]:
    return sorted((e.action, e.actor_uid) for e in desk.store.audit_logs.values())


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/campaigns", None),
        ("POST", "/campaigns", new_campaign()),
        ("POST", "/campaigns/audience", {"csv": CSV}),
        ("POST", "/campaigns/preview", preview_of()),
        ("GET", "/templates", None),
        ("POST", "/templates/sync", {}),
        ("POST", "/templates", {"accountId": ACCOUNT, "name": "x", "category": "UTILITY", "body": "Oi"}),
        ("POST", "/campaigns/cp_x/pause", None),
    ],
)
def test_agents_are_refused_before_anything_is_read_or_written(call, desk, method, path, body):
    answer = call(method, path, who=AGENT, body=body)
    assert answer.status_code == 403
    assert answer.json["error"]["message"] == "Somente administradores e supervisores cuidam de campanhas"
    assert desk.store.campaigns == {} and desk.queue.tasks == [] and desk.store.audit_logs == {}


def test_a_supervisor_may_run_campaigns_but_still_not_the_settings(call):
    assert call("GET", "/campaigns", who=SUPERVISOR).status_code == 200
    assert call("GET", "/templates", who=SUPERVISOR).status_code == 200
    assert call("GET", "/routing", who=SUPERVISOR).status_code == 403


def test_the_csv_is_reported_line_by_line_before_anything_is_created(call, desk):
    answer = call("POST", "/campaigns/audience", body={"csv": CSV})
    assert answer.status_code == 200, answer.json
    assert answer.json["summary"] == {"rows": 4, "valid": 2, "invalid": 1, "duplicates": 1}
    assert answer.json["problems"] == [
        {"line": 4, "value": "11 98765-4321", "reason": "duplicate", "duplicateOf": 2},
        {"line": 5, "value": "123", "reason": "invalid", "duplicateOf": None},
    ]
    assert desk.store.campaigns == {}
    refused = call("POST", "/campaigns/audience", body={"csv": "nome\nMaria\n"})
    assert refused.status_code == 422 and "coluna de telefone" in refused.json["error"]["message"]


def test_a_campaign_from_a_csv_goes_out_and_its_progress_reaches_100_percent(call, desk):
    created = call("POST", "/campaigns", who=SUPERVISOR, body=new_campaign(start=True))
    assert created.status_code == 200, created.json
    campaign = created.json["campaign"]
    assert (campaign["status"], campaign["total"], campaign["ratePerSecond"]) == ("running", 2, 50)
    assert created.json["audience"]["summary"]["duplicates"] == 1
    before = call("GET", f"/campaigns/{campaign['id']}").json
    assert (before["done"], before["percent"], before["counts"]) == (0, 0.0, {"queued": 2})

    assert desk.run_tasks().count("send") == 2
    desk.clock.now += 30
    after = call("GET", f"/campaigns/{campaign['id']}").json
    assert (after["done"], after["percent"], after["counts"].get("sent")) == (2, 100.0, 2)
    assert after["perSecond"] == round(2 / 60, 2)  # two sends handed over within the last minute
    desk.clock.now += 61
    assert call("GET", f"/campaigns/{campaign['id']}").json["perSecond"] == 0
    listed = call("GET", "/campaigns").json["campaigns"]
    assert [(c["id"], c["done"], c["percent"]) for c in listed] == [(campaign["id"], 2, 100.0)]
    assert audit_actions(desk) == [("campaigns.create", "sup-1"), ("campaigns.start", "sup-1")]


def test_pause_resume_cancel_are_audited_and_refused_when_they_make_no_sense(call, desk):
    campaign_id = call("POST", "/campaigns", body=new_campaign(start=True)).json["campaign"]["id"]
    assert call("POST", f"/campaigns/{campaign_id}/pause").json["campaign"]["status"] == "paused"
    assert desk.run_tasks().count("wait") == 2  # nothing goes out while paused
    assert call("POST", f"/campaigns/{campaign_id}/resume").json["campaign"]["status"] == "running"
    assert call("POST", f"/campaigns/{campaign_id}/cancel").json["campaign"]["status"] == "cancelled"
    again = call("POST", f"/campaigns/{campaign_id}/pause")
    assert again.status_code == 409
    assert again.json["error"]["message"] == "Campanha cancelada: não pode ser pausada"
    assert desk.run_tasks().count("drop") == 2 and desk.sender.sent == []
    assert [a for a, _ in audit_actions(desk)] == [
        "campaigns.cancel", "campaigns.create", "campaigns.pause", "campaigns.resume", "campaigns.start",
    ]  # fmt: skip
    assert call("POST", "/campaigns/cp_nope/pause").status_code == 404
    assert call("POST", f"/campaigns/{campaign_id}/explode").status_code == 404


def test_recipients_are_paged_in_audience_order_and_filtered_by_status(call, desk):
    csv = "telefone\n" + "".join(f"+55119876500{i:02d}\n" for i in range(7))
    campaign_id = call("POST", "/campaigns", body=new_campaign(csv=csv, start=True)).json["campaign"]["id"]
    fourth = desk.service._store.sends(campaign_id, 10)[3].contact_id
    said_stop = Contact(id=fourth).commanded(Command.OUT, "SAIR", desk.clock())
    desk.store.contacts[fourth] = Versioned(said_stop, 1)
    desk.run_tasks()
    first = call("GET", f"/campaigns/{campaign_id}/sends?pageSize=4").json
    rest = call("GET", f"/campaigns/{campaign_id}/sends?pageSize=4&cursor={first['next']}").json
    assert [s["seq"] for s in first["items"] + rest["items"]] == list(range(7)) and rest["next"] is None
    assert [s["status"] for s in first["items"]] == ["sent", "sent", "sent", "skipped"]
    skipped = call("GET", f"/campaigns/{campaign_id}/sends?status=skipped").json["items"]
    assert [(s["phone"], s["reason"]) for s in skipped] == [("+5511987650003", "opted_out")]
    assert call("GET", f"/campaigns/{campaign_id}/sends?status=lost").status_code == 422
    assert call("GET", f"/campaigns/{campaign_id}/sends?cursor=x").status_code == 400


def test_a_campaign_needs_an_approved_template_with_every_parameter_and_one_audience(call, desk):
    short = new_campaign(template={"name": "promo_fibra", "language": "pt_BR", "params": ["só um"]})
    assert call("POST", "/campaigns", body=short).status_code == 422
    unknown = new_campaign(template={"name": "nao_existe", "language": "pt_BR", "params": []})
    answer = call("POST", "/campaigns", body=unknown)
    assert answer.status_code == 422 and "não está aprovado" in answer.json["error"]["message"]
    both = new_campaign(filter={"labels": ["vip"]})
    assert call("POST", "/campaigns", body=both).status_code == 400
    assert desk.store.campaigns == {}


PERSONALISED = {"name": "promo_fibra", "language": "pt_BR", "params": ["x", "500 Mega"], "personalised": 1}


@pytest.mark.parametrize("desk", [LocalPersonaliser()], indirect=True)
def test_a_personalised_parameter_is_written_for_each_recipient_as_it_is_sent(call, desk):
    body = new_campaign(template=PERSONALISED, personalise="{{ first_name }}!", start=True)
    campaign = call("POST", "/campaigns", body=body).json["campaign"]
    assert campaign["template"]["personalised"] == 1
    desk.run_tasks()
    assert sorted(m.content["params"][0] for m in desk.sender.sent) == ["João!", "Maria!"]
    listed = call("GET", f"/campaigns/{campaign['id']}/sends").json["items"]
    assert [(s["name"], s["personal"]) for s in listed] == [("Maria", "Maria!"), ("João", "João!")]


@pytest.mark.parametrize("desk", [LocalPersonaliser()], indirect=True)
def test_the_form_previews_each_of_the_first_recipients_message_and_nothing_is_written(call, desk):
    body = preview_of(template=PERSONALISED, personalise="{{ first_name }}, a fibra chegou")
    answer = call("POST", "/campaigns/preview", who=SUPERVISOR, body=body)
    assert answer.status_code == 200, answer.json
    assert answer.json["samples"] == [
        {"phone": "+5511987654321", "name": "Maria", "personal": "Maria, a fibra chegou",
         "text": "Olá Maria, a fibra chegou, fibra de 500 Mega por R$ 99!"},
        {"phone": "+5521998765432", "name": "João", "personal": "João, a fibra chegou",
         "text": "Olá João, a fibra chegou, fibra de 500 Mega por R$ 99!"},
    ]  # fmt: skip
    plain = call("POST", "/campaigns/preview", body=preview_of(csv=None, filter={"labels": ["vip"]})).json
    text = "Olá cliente, fibra de 500 Mega por R$ 99!"
    assert plain["samples"] == [{"phone": VIP.phone, "name": "Vera Vip", "personal": None, "text": text}]
    unknown = preview_of(template={"name": "nao_existe", "language": "pt_BR", "params": []})
    assert call("POST", "/campaigns/preview", body=unknown).status_code == 422
    assert call("POST", "/campaigns/preview", body=preview_of(filter={"labels": ["vip"]})).status_code == 400
    written = (desk.store.campaigns, desk.store.sends, desk.store.audit_logs, desk.queue.tasks)
    assert written == ({}, {}, {}, [])


def test_templates_are_listed_with_their_parameters_and_a_sync_goes_through_campaign_send(call, desk):
    listed = call("GET", f"/templates?accountId={ACCOUNT}").json["templates"]
    assert [(t["name"], t["status"], t["category"], t["params"]) for t in listed] == [
        ("promo_fibra", "APPROVED", "MARKETING", 2)
    ]
    assert listed[0]["body"] == "Olá {{1}}, fibra de {{2}} por R$ 99!"
    assert call("POST", "/templates/sync", body={"accountId": ACCOUNT}).status_code == 200
    assert [t.payload for t in desk.queue.tasks] == [{SYNC_TASK: ACCOUNT}]
    assert desk.catalog.reads == []  # the console itself never calls Meta (it holds no token)
    assert desk.run_tasks() == ["synced"] and desk.catalog.reads == [ACCOUNT]
    assert audit_actions(desk) == [("templates.sync", "admin-1")]


def test_the_campaign_message_carries_the_campaign_for_the_timeline(call, desk):
    campaign_id = call("POST", "/campaigns", body=new_campaign(start=True)).json["campaign"]["id"]
    desk.run_tasks()
    messages = [m.value for m in desk.store.messages.values()]
    assert {(m.campaign_id, m.campaign_name) for m in messages} == {(campaign_id, "Black Friday")}
    assert {str(m.status) for m in messages} == {str(SendStatus.SENT)}


def test_a_campaign_from_contact_filters_is_a_draft_until_started(call, desk):
    body = new_campaign(csv=None, filter={"labels": ["vip"], "persona": "cliente"})
    created = call("POST", "/campaigns", who=SUPERVISOR, body=body).json
    campaign = created["campaign"]
    assert (campaign["status"], campaign["total"], created["audience"]) == ("draft", 1, None)
    assert campaign["audience"] == {"filter": {"labels": ["vip"], "persona": "cliente"}}
    assert desk.queue.tasks == []  # nothing goes out before it is started
    started = call("POST", f"/campaigns/{campaign['id']}/start", who=SUPERVISOR).json["campaign"]
    assert started["status"] == "running"
    assert desk.run_tasks().count("send") == 1
    assert [m.recipient_phone for m in desk.sender.sent] == ["+5511955554444"]
