"""The console's settings on in-memory fakes: each resource accepts what the functions can run with, refuses
the rest naming the place (pt-BR), and writes every change with its audit entry."""

from __future__ import annotations

from functools import partial

import pytest

from atende.adapters.firebase_users import AuditedDirectory
from atende.domain.channels import ChannelConfig
from atende.domain.errors import WorkflowRefused
from atende.domain.model import Channel, Role
from atende.domain.staff import Actor
from atende.services.attendant_config import AttendantConfig
from atende.services.settings.channels import ChannelAccount
from atende.services.settings.console import Console
from atende.services.settings.errors import NotFound, SettingRefused
from atende.services.settings.store import known_teams
from atende.triage.threshold_table import GRID, committed
from atende.users.accounts import StaffAccounts, UserError, UserExists
from tests.fakes import FakeAuthAccounts, FakeConfigSource, FakeLogReader, FakeSecretStore, FakeSettingsStore

NOW = 1_764_000_000.0  # 2025-11-24 (a Monday) 13:00 in São Paulo
ADMIN = Actor(uid="admin-1", role=Role.ADMIN, name="Admin")
SUPERVISOR = Actor(uid="sup-1", role=Role.SUPERVISOR, teams=("support",))
AGENT = Actor(uid="ana", role=Role.AGENT, teams=("support",))


class World:
    def __init__(self) -> None:
        self.store = FakeSettingsStore()
        self.logs = FakeLogReader()
        self.secrets = FakeSecretStore()
        self.auth = FakeAuthAccounts()
        self.deployed: list[ChannelConfig] = []  # what ATENDE_CHANNELS would define
        self.console = Console.build(
            self.store,
            self.logs,
            self.secrets,
            lambda actor: StaffAccounts(
                self.auth,
                AuditedDirectory(self.store, actor, lambda: NOW),
                partial(known_teams, self.store),
            ),
            clock=lambda: NOW,
            deployed_channels=lambda: self.deployed,
        )

    def functions_config(self) -> AttendantConfig:
        """What ai_reply would load from the same documents."""
        return AttendantConfig(FakeConfigSource(self.store.docs))


@pytest.fixture
def world() -> World:
    return World()


# -- who may ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [SUPERVISOR, AGENT])
def test_only_admins_change_or_read_settings(world, who):
    writes = [
        lambda c: c.documents.set_routing(who, {"default_threshold": 0.8}),
        lambda c: c.documents.set_team(who, "vip", {"name": "VIP"}),
        lambda c: c.documents.set_hours(who, {}),
        lambda c: c.flows.set_step(who, "ajuda", "explica", {"type": "end"}),
        lambda c: c.staff.invite(who, "x@y.dev", "X", "agent", [], 1),
        lambda c: c.channels.set_token(who, "whatsapp_1", "a-long-token"),
        lambda c: c.logs.ia_logs(who),
        lambda c: c.logs.audit(who),
    ]
    for write in writes:
        with pytest.raises(WorkflowRefused) as refused:
            write(world.console)
        assert refused.value.forbidden and "administradores" in refused.value.reason
    assert world.store.docs == {} and world.store.audits == []


# -- routing ----------------------------------------------------------------------------------------------


def test_a_threshold_change_is_what_ai_reply_loads_and_is_audited(world):
    view = world.console.documents.set_routing(ADMIN, {"intent_thresholds": {"financial": 0.9}})
    assert view["effective"]["intent_thresholds"]["financial"] == 0.9
    assert world.functions_config().routing_policy().threshold_for("financial") == 0.9
    (entry,) = world.store.audits
    assert (entry.action, entry.collection, entry.target_id, entry.actor_uid) == (
        "settings.update",
        "config",
        "routing",
        "admin-1",
    )
    assert entry.before is None and entry.after["intent_thresholds"] == {"financial": 0.9}


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        ({"default_threshold": 1.5}, "default_threshold: acima do máximo (1.0)"),
        ({"default_threshold": -0.1}, "default_threshold: abaixo do mínimo (0.0)"),
        ({"default_threshold": "0.8"}, "default_threshold"),
        ({"intent_thresholds": {"boletos": 0.8}}, "unknown intent"),
        ({"defaultThreshold": 0.8}, "defaultThreshold: campo desconhecido"),
        ({"frustration": {"min_count": 0}}, "frustration.min_count"),
        ({"teams": {"financial": "cobranca"}}, "equipe(s) inexistente(s): cobranca"),
    ],
)
def test_unknown_keys_out_of_range_values_and_missing_teams_are_refused(world, overrides, where):
    with pytest.raises(SettingRefused) as refused:
        world.console.documents.set_routing(ADMIN, overrides)
    assert where in refused.value.reason
    assert world.store.docs == {} and world.store.audits == []


def test_a_team_added_by_an_admin_may_receive_an_intent(world):
    world.console.documents.set_team(ADMIN, "cobranca", {"name": "Cobrança"})
    world.console.documents.set_routing(ADMIN, {"teams": {"financial": "cobranca"}})
    assert world.functions_config().routing_policy().team_for("financial") == "cobranca"


def test_the_slider_table_is_the_committed_evaluation_per_intent(world):
    table = world.console.documents.routing_table(ADMIN)
    assert table["grid"] == list(GRID) and set(table["sets"]) == {"heldout", "real-dev"}
    rows = table["sets"]["real-dev"]["intents"]["financial"]["rows"]
    coverage = [r["coverage"] for r in rows]
    assert coverage == sorted(coverage, reverse=True)  # a higher threshold never answers more


def test_the_committed_slider_table_matches_a_fresh_computation():
    from atende.triage.cli import EVAL_SETS, TABLE_SETS
    from atende.triage.threshold_table import compute, render

    assert render(committed()) == render(compute({n: EVAL_SETS[n] for n in TABLE_SETS})), (
        "the model or the evaluation sets changed: run `atende triage table`"
    )


# -- business, personas, hours, teams, canned ------------------------------------------------------------


def test_business_profile_and_persona_texts_are_checked_as_the_engines_read_them(world):
    world.console.documents.set_business(ADMIN, {"name": "Fibra Veloz", "pix_key": "pix@fibra.dev"})
    view = world.console.documents.set_persona(
        ADMIN, "cliente", {"greeting": {"pt": "Oi{name}! Aqui é a {business}."}}
    )
    assert view["effective"]["name"] == "Fibra Veloz" and view["effective"]["pix_key"] == "pix@fibra.dev"
    assert view["personas"]["cliente"]["greeting"]["pt"] == "Oi{name}! Aqui é a {business}."
    assert world.functions_config().business()["personas"]["cliente"]["greeting"]["pt"].startswith("Oi")
    for texts, where in [
        ({"greeting": {"pt": "Olá {cliente}"}}, "greeting"),
        ({"humor": {"pt": "leve"}}, "humor: campo desconhecido"),
        ({"tone": {"es": "cordial"}}, "tone.es"),
    ]:
        with pytest.raises(SettingRefused, match=where):
            world.console.documents.set_persona(ADMIN, "cliente", texts)
    with pytest.raises(SettingRefused, match="name"):
        world.console.documents.set_business(ADMIN, {"name": 42})
    assert len(world.store.audits) == 2


def test_opening_hours_are_written_as_the_functions_read_them(world):
    hours = {
        "weekdays": {"0": [{"open": "08:00", "close": "12:00"}, {"open": "14:00", "close": "18:00"}]},
        "holidays": [{"date": "2025-12-25"}],
    }
    view = world.console.documents.set_hours(ADMIN, hours)
    assert view["source"] == "config/hours" and view["openNow"] is False  # Monday 13:00: lunch
    assert not world.functions_config().hours().is_open(NOW)
    with pytest.raises(SettingRefused, match=r"weekdays\.0\.0"):
        world.console.documents.set_hours(ADMIN, {"weekdays": {"0": [{"open": "18:00", "close": "08:00"}]}})


def test_a_team_and_its_service_level(world):
    team = world.console.documents.set_team(
        ADMIN,
        "vip",
        {"name": "VIP", "serviceLevel": {"firstResponseS": 300, "resolutionS": 3600}},
    )
    assert team["serviceLevel"] == {"firstResponseS": 300, "resolutionS": 3600}
    assert {t["id"] for t in world.console.documents.teams(ADMIN)} >= {"vip", "support", "retention"}
    for doc, where in [
        ({"name": "VIP", "serviceLevel": {"firstResponseS": 5}}, "firstResponseS"),
        ({"name": "VIP", "serviceLevel": {"firstResponseS": 600, "resolutionS": 300}}, "shorter"),
        ({"name": ""}, "name"),
        ({"name": "VIP", "sla": 5}, "sla: campo desconhecido"),
    ]:
        with pytest.raises(SettingRefused, match=where):
            world.console.documents.set_team(ADMIN, "vip", doc)


def test_canned_responses_are_written_and_removed_with_their_audit(world):
    saved = world.console.documents.set_canned(
        ADMIN, "pix", {"title": "PIX", "text": "Nossa chave PIX: …", "teams": ["billing"]}
    )
    assert saved["shortcut"] == "pix" and saved["teams"] == ["billing"]
    with pytest.raises(SettingRefused, match="equipe"):
        world.console.documents.set_canned(ADMIN, "pix", {"title": "PIX", "text": "x", "teams": ["cobranca"]})
    with pytest.raises(SettingRefused, match="text"):
        world.console.documents.set_canned(ADMIN, "pix", {"title": "PIX", "text": ""})
    world.console.documents.remove_canned(ADMIN, "pix")
    assert world.console.documents.canned(ADMIN) == []
    assert [a.action for a in world.store.audits] == ["settings.update", "settings.delete"]
    with pytest.raises(NotFound):
        world.console.documents.remove_canned(ADMIN, "pix")


# -- flows ---------------------------------------------------------------------------------------------


def test_a_step_edit_is_checked_by_the_flow_library_and_runs_in_the_preview(world):
    step = {"type": "message", "text": "Somos a {{ business.name }}, às ordens!", "next": "menu"}
    flow = world.console.flows.set_step(ADMIN, "ajuda", "explica", step)
    assert flow["flow"]["steps"]["explica"]["text"].startswith("Somos") and flow["problem"] is None
    library = world.functions_config().flows()
    assert library.get("ajuda")["steps"]["explica"] == step
    (turn,) = world.console.flows.preview(ADMIN, ["ajuda"], flow_id="ajuda")
    assert turn["replies"][0] == "Somos a Conecta Fibra, às ordens!"
    assert [f["id"] for f in world.console.flows.list(ADMIN) if f["source"] == "console"] == ["ajuda"]


@pytest.mark.parametrize(
    ("step", "why"),
    [
        ({"type": "message", "text": "oi", "next": "nenhum"}, "missing step 'nenhum'"),
        ({"type": "mensagem", "text": "oi"}, "unknown type 'mensagem'"),
        ({"type": "message", "text": "{{ business.name "}, "explica"),
        ({"type": "goto", "flow": "inexistente"}, "missing flow 'inexistente'"),
        ({"type": "message", "txt": "oi"}, "txt"),
    ],
)
def test_a_broken_step_is_refused_before_it_is_saved(world, step, why):
    with pytest.raises(SettingRefused, match=why):
        world.console.flows.set_step(ADMIN, "ajuda", "explica", step)
    assert world.store.docs == {}


def test_the_preview_runs_an_unsaved_draft_with_the_demo_erp_and_stores_nothing(world):
    draft = world.console.flows.get(ADMIN, "segunda_via")["flow"]
    draft["steps"]["intro"] = {**draft["steps"]["intro"], "text": "Vou buscar sua fatura agora mesmo!"}
    turns = world.console.flows.preview(
        ADMIN, ["2ª via", "111.111.111-11", "12/03/1985"], flow_id="segunda_via", draft=draft
    )
    assert turns[0]["replies"][0] == "Vou buscar sua fatura agora mesmo!"
    assert (turns[0]["flow"], turns[0]["step"]) == ("verificacao", "pedir_cpf")
    assert turns[2]["tools"] == ["verify_identity", "get_account", "get_invoice_copy"]
    assert "Tudo em dia, Maria!" in turns[2]["replies"][0]
    assert [o["title"] for o in turns[2]["options"]][:1] == ["Sim, ver o menu"]
    assert world.store.docs == {} and world.store.audits == []


def test_resetting_a_flow_brings_back_the_repo_version(world):
    world.console.flows.set_step(ADMIN, "ajuda", "explica", {"type": "end", "text": "tchau"})
    world.console.flows.reset(ADMIN, "ajuda")
    assert world.functions_config().flows().get("ajuda")["steps"]["explica"]["type"] == "message"
    with pytest.raises(NotFound):
        world.console.flows.reset(ADMIN, "ajuda")


# -- users -------------------------------------------------------------------------------------------------


def test_an_invited_person_gets_claims_a_users_document_and_a_link_to_choose_a_password(world):
    invited = world.console.staff.invite(ADMIN, "Dora@Example.com", "Dora", "agent", ["support"], 2)
    uid = invited["user"]["uid"]
    assert invited["passwordLink"].startswith("https://auth.test/reset")
    assert world.auth.claims[uid] == {"role": "agent", "teams": ["support"]}
    assert world.store.docs["users"][uid]["email"] == "dora@example.com"
    with pytest.raises(UserExists):
        world.console.staff.invite(ADMIN, "dora@example.com", "Dora", "agent", [], 2)
    with pytest.raises(UserError) as refused:
        world.console.staff.invite(ADMIN, "eva@example.com", "Eva", "owner", [], 2)
    assert refused.value.reason.startswith("Papel desconhecido")


def test_role_and_teams_changes_revoke_tokens_capacity_does_not_and_each_is_audited(world):
    uid = world.console.staff.invite(ADMIN, "dora@example.com", "Dora", "agent", ["support"], 2)["user"][
        "uid"
    ]
    world.console.documents.set_team(ADMIN, "vip", {"name": "VIP"})
    user = world.console.staff.update(ADMIN, uid, role="supervisor", teams=["support", "vip"])
    assert (user["role"], user["teams"]) == ("supervisor", ["support", "vip"])
    assert world.auth.claims[uid] == {"role": "supervisor", "teams": ["support", "vip"]}
    assert world.auth.revoked == [uid]
    assert world.console.staff.update(ADMIN, uid, capacity=5)["capacity"] == 5
    assert world.auth.revoked == [uid]
    assert world.console.staff.disable(ADMIN, uid)["disabled"] and uid in world.auth.disabled
    actions = [(a.action, a.target_id) for a in world.store.audits if a.collection == "users"]
    assert actions == [
        ("users.invite", uid),
        ("users.update", uid),
        ("users.update", uid),
        ("users.disable", uid),
    ]
    last = world.store.audits[-1]
    assert last.before["disabled"] is False and last.after["disabled"] is True


def test_an_admin_cannot_demote_or_disable_themselves(world):
    with pytest.raises(SettingRefused):
        world.console.staff.disable(ADMIN, ADMIN.uid)
    with pytest.raises(SettingRefused):
        world.console.staff.update(ADMIN, ADMIN.uid, role="agent")


# -- channels ----------------------------------------------------------------------------------------------


def test_a_channel_account_keeps_its_token_write_only(world):
    view = world.console.channels.set_account(
        ADMIN,
        "whatsapp_1234567890",
        ChannelAccount(
            name="Vendas", defaultTeam="sales", tokenEnv="WHATSAPP_TOKEN_VENDAS", token="EAAG-secret-1"
        ),
    )
    assert view["tokenSet"] and "token" not in view and "EAAG" not in str(view)
    assert world.secrets.values == {"WHATSAPP_TOKEN_VENDAS": "EAAG-secret-1"}
    doc = world.store.docs["channels"]["whatsapp_1234567890"]
    assert (doc["account_id"], doc["token_env"], doc["default_team"]) == (
        "1234567890",
        "WHATSAPP_TOKEN_VENDAS",
        "sales",
    )
    assert "EAAG" not in str(world.store.audits)
    world.console.channels.set_token(ADMIN, "whatsapp_1234567890", "EAAG-secret-2")
    assert world.secrets.values["WHATSAPP_TOKEN_VENDAS"] == "EAAG-secret-2"


def test_accounts_the_deployment_defines_are_listed_until_an_admin_saves_them_here(world):
    world.deployed = [
        ChannelConfig(Channel.WHATSAPP, "111", "WHATSAPP_TOKEN", name="Suporte"),
        ChannelConfig(Channel.MESSENGER, "222", "MESSENGER_PAGE_TOKEN"),
    ]
    world.secrets.values["WHATSAPP_TOKEN"] = "EAAG-deployed"
    listed = world.console.channels.list(ADMIN)
    assert [(a["id"], a["source"], a["name"], a["tokenSet"]) for a in listed] == [
        ("messenger_222", "deployment", None, False),
        ("whatsapp_111", "deployment", "Suporte", True),
    ]
    world.console.channels.set_account(ADMIN, "whatsapp_111", ChannelAccount(name="Suporte SP"))
    listed = world.console.channels.list(ADMIN)
    assert [(a["id"], a["source"], a["name"]) for a in listed] == [
        ("messenger_222", "deployment", None),
        ("whatsapp_111", "console", "Suporte SP"),  # saved here: it wins, as at run time, and is listed once
    ]


@pytest.mark.parametrize(
    ("key", "account", "error"),
    [
        ("whatsapp_1", ChannelAccount(tokenEnv="META_APP_SECRET", token="x" * 10), SettingRefused),
        ("whatsapp_1", ChannelAccount(defaultTeam="cobranca", token="x" * 10), SettingRefused),
        ("whatsapp_1", ChannelAccount(defaultPersona="pirata", token="x" * 10), SettingRefused),
        ("whatsapp_1", ChannelAccount(name="Sem token"), SettingRefused),
        ("telegram_1", ChannelAccount(token="x" * 10), NotFound),
    ],
)
def test_what_the_functions_could_not_use_is_refused(world, key, account, error):
    with pytest.raises(error):
        world.console.channels.set_account(ADMIN, key, account)
    assert world.secrets.values == {} and world.store.docs == {}


# -- logs ---------------------------------------------------------------------------------------------------


def test_ai_logs_filter_by_handoff_and_confidence_page_newest_first_and_come_masked(world):
    def log(n: int, route: str, confidence: float) -> dict:
        return {
            "conversationId": "whatsapp_1_5511",
            "timestamp": NOW + n,
            "decision": {"route": route},
            "triage": {"confidence": confidence},
            "prompt": "meu cpf é 111.111.111-11 e o e-mail maria@example.com",
            "response": "ok",
            "toolsCalled": [{"name": "verify_identity", "args": {"cpf": "11111111111"}}],
        }

    world.logs.docs["ia_logs"] = {
        "m1": log(1, "auto", 0.9),
        "m2": log(2, "human", 0.4),
        "m3": log(3, "human", 0.8),
        "m4": log(4, "human", 0.3),
    }
    first = world.console.logs.ia_logs(ADMIN, handoff=True, max_confidence=0.5, page_size=1)
    assert [i["id"] for i in first["items"]] == ["m4"]
    second = world.console.logs.ia_logs(
        ADMIN, handoff=True, max_confidence=0.5, page_size=1, cursor=first["next"]
    )
    assert [i["id"] for i in second["items"]] == ["m2"] and second["next"] is None
    item = second["items"][0]
    assert "111.111.111-11" not in item["prompt"] and "maria@" not in item["prompt"]
    assert item["toolsCalled"][0]["args"]["cpf"] != "11111111111"
    assert world.console.logs.ia_logs(ADMIN, message_id="m1")["items"][0]["id"] == "m1"


def test_the_audit_view_filters_by_who_what_and_target(world):
    world.console.documents.set_team(ADMIN, "vip", {"name": "VIP"})
    world.console.documents.set_routing(ADMIN, {"default_threshold": 0.75})
    world.logs.docs["audit_logs"] = {
        a.id: {
            "at": a.at + n,
            "actor": {"uid": a.actor_uid},
            "action": a.action,
            "target": {"collection": a.collection, "id": a.target_id},
        }
        for n, a in enumerate(world.store.audits)
    }
    found = world.console.logs.audit(ADMIN, target="config/routing")
    assert [i["target"]["id"] for i in found["items"]] == ["routing"]
    assert len(world.console.logs.audit(ADMIN, who="admin-1", action="settings.update")["items"]) == 2
    assert world.console.logs.audit(ADMIN, who="someone-else")["items"] == []
