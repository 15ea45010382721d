"""Deployment invariants an operator relies on, checked on the parsed Terraform.

Terraform cannot download providers here, so `terraform validate` is not an
option; instead every `terraform/*.tf` file is parsed with python-hcl2 and the
configuration is checked as data. Interpolations stay as `${...}` strings, so
checks on computed values compare the expression text.
"""

from __future__ import annotations

import ast
import functools
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import hcl2
import pytest

from atende import topics, topology
from atende.dev.totp_standin import ADJACENT_INTERVALS
from atende.domain.channels import TOKEN_ENV_ALLOWED

ROOT = Path(__file__).resolve().parents[2]
TF_DIR = ROOT / "terraform"
STATIC_SITE_DIR = TF_DIR / "modules" / "static_site"

WEBHOOK_TARGETS = {"webhook_whatsapp", "webhook_messenger", "webhook_instagram"}
# target (entry point) -> function dir under functions/
EXPECTED_TARGETS = {
    "webhook_whatsapp": "webhooks",
    "webhook_messenger": "webhooks",
    "webhook_instagram": "webhooks",
    "ai_reply": "ai_reply",
    "outbound": "outbound",
    "message_status": "outbound",
    "media_fetch": "outbound",
    "campaign_send": "outbound",
    "automation_tick": "automation",
    "crm_webhook": "automation",
    "dead_letters": "automation",
    "inbox_api": "inbox",
    "events": "events",
    "unsubscribe": "automation",
    "console_api": "console",
    "reports_api": "reports",
    "webchat": "webchat",
}
# consumer function -> topic it is pushed from
EXPECTED_CONSUMERS = {
    "ai_reply": topics.INBOUND,
    "outbound": topics.OUTBOUND,
    "message_status": topics.STATUS,
    "automation_tick": topics.AUTOMATION_TICK,
    "media_fetch": topics.MEDIA,
    "crm_webhook": topics.CRM,
}
SECRET_LIKE = re.compile(r"SECRET|TOKEN|KEY|PASSWORD", re.IGNORECASE)


@functools.cache
def tf(directory: Path = TF_DIR) -> dict[str, list[Any]]:
    merged: dict[str, list[Any]] = {}
    options = hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False)
    for path in sorted(directory.glob("*.tf")):
        with path.open() as f:
            doc = hcl2.load(f, serialization_options=options)
        for key, value in doc.items():
            if key != "__comments__":
                merged.setdefault(key, []).extend(value)
    return merged


def resources(rtype: str, directory: Path = TF_DIR) -> dict[str, dict[str, Any]]:
    blocks = tf(directory).get("resource", [])
    return {name: body for block in blocks for name, body in block.get(rtype, {}).items()}


def resource(rtype: str, name: str, directory: Path = TF_DIR) -> dict[str, Any]:
    found = resources(rtype, directory)
    assert name in found, f"missing resource {rtype}.{name}"
    return found[name]


def module(name: str) -> dict[str, Any]:
    found = {key: body for block in tf().get("module", []) for key, body in block.items()}
    assert name in found, f"missing module {name}"
    return found[name]


@functools.cache
def local() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for block in tf().get("locals", []):
        for key, value in block.items():
            if key != "__comments__":
                assert key not in merged, f"local.{key} defined twice"
                merged[key] = value
    return merged


def variable_default(name: str) -> Any:
    for block in tf().get("variable", []):
        if name in block:
            return block[name].get("default")
    raise AssertionError(f"missing variable {name}")


def block(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The single nested block `name` of a resource body."""
    blocks = body.get(name)
    assert isinstance(blocks, list) and len(blocks) == 1, f"expected one {name} block, got {blocks!r}"
    return blocks[0]


def all_resource_bodies(directory: Path = TF_DIR) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (rtype, name, body)
        for blk in tf(directory).get("resource", [])
        for rtype, named in blk.items()
        for name, body in named.items()
    ]


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def seconds(duration: str) -> int:
    match = re.fullmatch(r"(\d+)s", duration)
    assert match, f"not a duration in seconds: {duration!r}"
    return int(match.group(1))


def resolve_local(value: str) -> Any:
    """`${local.x}` -> the literal value of local.x (one level)."""
    match = re.fullmatch(r"\$\{local\.(\w+)\}", value)
    return local()[match.group(1)] if match else value


# --- names shared with the application ---------------------------------------------------------


def test_topic_names_equal_the_application_constants():
    assert local()["topics"] == {
        "inbound": topics.INBOUND,
        "status": topics.STATUS,
        "outbound": topics.OUTBOUND,
        "automation_tick": topics.AUTOMATION_TICK,
        "media": topics.MEDIA,
        "crm": topics.CRM,
    }
    assert local()["dead_letter_suffix"] == topics.DEAD_LETTER_SUFFIX

    topic = resource("google_pubsub_topic", "this")
    assert topic["for_each"] == "${local.topics}"
    assert topic["name"] == "${each.value}"
    dead_letter = resource("google_pubsub_topic", "dead_letter")
    assert dead_letter["name"] == "${each.value}${local.dead_letter_suffix}"


def test_function_entry_points_equal_the_targets():
    functions = local()["functions"]
    assert {target: f["dir"] for target, f in functions.items()} == EXPECTED_TARGETS

    fn = resource("google_cloudfunctions2_function", "this")
    assert fn["for_each"] == "${local.functions}"
    build = block(fn, "build_config")
    assert build["entry_point"] == "${each.key}"
    assert build["runtime"] == "python311"
    storage = block(block(build, "source"), "storage_source")
    assert storage["object"] == "${google_storage_bucket_object.source[each.value.dir].name}"
    # every dir Terraform packages is a real function directory of the repo
    for directory in local()["function_dirs"]:
        assert (ROOT / "functions" / directory).is_dir(), f"functions/{directory} does not exist"


def test_every_topic_is_consumed_by_a_push_subscription():
    consumers = local()["consumers"]
    assert {target: local()["topics"][key] for target, key in consumers.items()} == EXPECTED_CONSUMERS
    assert set(consumers.values()) == set(local()["topics"])


def test_terraform_deploys_the_application_topology():
    """Terraform and src/atende/topology.py (used by the dev stack) agree on functions and consumers."""
    functions = local()["functions"]
    for fn in topology.FUNCTIONS:
        assert fn.target in functions, f"{fn.target} is not deployed by Terraform"
        assert functions[fn.target]["dir"] == fn.directory
        public = fn.signature == "http" and fn.target not in topology.TASK_TARGETS
        assert functions[fn.target]["public"] is public

    consumers = local()["consumers"]
    assert {c.target: c.topic for c in topology.CONSUMERS} == {
        target: local()["topics"][key] for target, key in consumers.items()
    }
    sub = resource("google_pubsub_subscription", "push")
    # the Terraform name expression, translated: "<topic>-<target with dashes>"
    assert sub["name"] == '${local.topics[each.value]}-${replace(each.key, "_", "-")}'
    for c in topology.CONSUMERS:
        assert c.subscription == f"{c.topic}-{c.target.replace('_', '-')}"
        assert c.dead_letter_topic == c.topic + local()["dead_letter_suffix"]
    assert block(sub, "dead_letter_policy")["max_delivery_attempts"] == topology.MAX_DELIVERY_ATTEMPTS


def test_entry_points_are_defined_in_the_function_sources():
    missing = []
    for target, fn in local()["functions"].items():
        source = ROOT / "functions" / fn["dir"] / "main.py"
        defined = (
            {node.name for node in ast.parse(source.read_text()).body if isinstance(node, ast.FunctionDef)}
            if source.exists()
            else set()
        )
        if target not in defined:
            missing.append(f"{target} (functions/{fn['dir']}/main.py)")
    if missing:
        # Planned targets that are not written yet: deploying them would fail.
        pytest.skip("entry points not defined yet, terraform apply would fail: " + ", ".join(missing))


# --- Pub/Sub delivery guarantees -----------------------------------------------------------------


def test_every_push_subscription_dead_letters_with_oidc_and_ordering():
    subscriptions = resources("google_pubsub_subscription")
    push = {name: body for name, body in subscriptions.items() if "push_config" in body}
    assert set(push) == {"push", "dead_letters"}, "the consumers' for_each and the dead letters' only"

    sub = push["push"]
    assert sub["for_each"] == "${local.consumers}"
    assert sub["topic"] == "${google_pubsub_topic.this[each.value].id}"
    assert sub["enable_message_ordering"] is True
    assert sub["ack_deadline_seconds"] == 60
    assert seconds(resolve_local(sub["message_retention_duration"])) == 7 * 24 * 3600
    assert block(sub, "expiration_policy")["ttl"] == ""

    dead_letter = block(sub, "dead_letter_policy")
    assert dead_letter["dead_letter_topic"] == "${google_pubsub_topic.dead_letter[each.value].id}"
    assert dead_letter["max_delivery_attempts"] == 5
    retry = block(sub, "retry_policy")
    assert (retry["minimum_backoff"], retry["maximum_backoff"]) == ("1s", "60s")

    push_config = block(sub, "push_config")
    function_uri = "${google_cloudfunctions2_function.this[each.key].service_config[0].uri}"
    assert push_config["push_endpoint"] == (
        function_uri + "/projects/${var.project_id}/topics/${local.topics[each.value]}"
    )
    oidc = block(push_config, "oidc_token")
    assert oidc["service_account_email"] == "${google_service_account.pubsub_push.email}"
    assert oidc["audience"] == function_uri

    # the dead-letter topics exist for every topic a consumer reads
    assert resource("google_pubsub_topic", "dead_letter")["for_each"] == "${local.topics}"


def test_every_dead_letter_topic_is_pushed_to_the_dead_letters_function():
    sub = resource("google_pubsub_subscription", "dead_letters")
    assert sub["for_each"] == resource("google_pubsub_topic", "dead_letter")["for_each"]
    assert sub["topic"] == "${google_pubsub_topic.dead_letter[each.key].id}"
    assert "dead_letter_policy" not in sub  # no dead letters of dead letters: retried while kept
    names = {c.subscription for c in topology.DEAD_LETTER_CONSUMERS}
    suffix = local()["dead_letter_suffix"]
    assert names == {f"{topic}{suffix}-dead-letters" for topic in local()["topics"].values()}
    uri = '${google_cloudfunctions2_function.this["dead_letters"].service_config[0].uri}'
    push_config = block(sub, "push_config")
    assert push_config["push_endpoint"].startswith(uri + "/projects/${var.project_id}/topics/")
    assert block(push_config, "oidc_token")["audience"] == uri
    invoker = resource("google_cloud_run_v2_service_iam_member", "dead_letters_push")
    assert invoker["member"] == "${google_service_account.pubsub_push.member}"


def test_every_dead_letter_topic_has_an_inspect_pull_subscription():
    inspect = resource("google_pubsub_subscription", "dead_letter_inspect")
    assert inspect["for_each"] == resource("google_pubsub_topic", "dead_letter")["for_each"]
    assert inspect["topic"] == "${google_pubsub_topic.dead_letter[each.key].id}"
    assert inspect["name"] == "${each.value}${local.dead_letter_suffix}-inspect"
    assert "push_config" not in inspect
    assert seconds(resolve_local(inspect["message_retention_duration"])) >= 7 * 24 * 3600
    assert block(inspect, "expiration_policy")["ttl"] == "", "an unread pull subscription must not expire"


def test_pubsub_service_agent_can_forward_to_dead_letter_topics():
    agent = "${local.pubsub_service_agent}"
    assert local()["pubsub_service_agent"] == (
        "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
    )
    publisher = resource("google_pubsub_topic_iam_member", "dead_letter_publisher")
    assert publisher["for_each"] == "${local.topics}"
    assert publisher["topic"] == "${google_pubsub_topic.dead_letter[each.key].name}"
    assert (publisher["role"], publisher["member"]) == ("roles/pubsub.publisher", agent)

    subscriber = resource("google_pubsub_subscription_iam_member", "dead_letter_subscriber")
    assert subscriber["for_each"] == "${local.consumers}"
    assert subscriber["subscription"] == "${google_pubsub_subscription.push[each.key].name}"
    assert (subscriber["role"], subscriber["member"]) == ("roles/pubsub.subscriber", agent)

    token_creator = resource("google_service_account_iam_member", "pubsub_push_token_creator")
    assert token_creator["service_account_id"] == "${google_service_account.pubsub_push.name}"
    assert (token_creator["role"], token_creator["member"]) == ("roles/iam.serviceAccountTokenCreator", agent)


def test_push_identity_may_invoke_every_consumer():
    invoker = resource("google_cloud_run_v2_service_iam_member", "pubsub_push")
    assert invoker["for_each"] == "${local.consumers}"
    assert invoker["name"] == "${google_cloudfunctions2_function.this[each.key].service_config[0].service}"
    assert (invoker["role"], invoker["member"]) == (
        "roles/run.invoker",
        "${google_service_account.pubsub_push.member}",
    )


def test_consumers_finish_within_the_push_ack_deadline():
    ack_deadline = resource("google_pubsub_subscription", "push")["ack_deadline_seconds"]
    functions, sizing = local()["functions"], local()["function_sizing"]
    for target in local()["consumers"]:
        timeout = sizing[functions[target]["sizing"]]["timeout"]
        assert timeout <= ack_deadline, f"{target} may run past the ack deadline and be redelivered"


# --- identities ----------------------------------------------------------------------------------


def test_each_function_dir_has_its_own_service_account():
    dirs = local()["function_dirs"]
    assert set(dirs) == set(EXPECTED_TARGETS.values())
    service_account = resource("google_service_account", "function")
    assert service_account["for_each"] == "${local.function_dirs}"
    assert service_account["account_id"].startswith("atende-") and "each.key" in service_account["account_id"]

    fn = resource("google_cloudfunctions2_function", "this")
    service = block(fn, "service_config")
    assert service["service_account_email"] == "${google_service_account.function[each.value.dir].email}"
    assert block(fn, "build_config")["service_account"] == "${google_service_account.build.id}"

    text = "\n".join(path.read_text() for path in TF_DIR.glob("*.tf"))
    assert "compute@developer.gserviceaccount.com" not in text
    assert "@appspot.gserviceaccount.com" not in text


def test_grants_are_least_privilege():
    dirs = local()["function_dirs"]
    assert dirs["webhooks"]["project_roles"] == []
    assert sorted(dirs["webhooks"]["publishes_to"]) == ["inbound", "status"]
    for directory in ("ai_reply", "outbound", "automation"):
        assert dirs[directory]["project_roles"] == ["roles/datastore.user"]
    assert dirs["ai_reply"]["publishes_to"] == ["outbound", "media", "crm"]
    assert dirs["automation"]["publishes_to"] == ["outbound", "crm"]  # the idle close: resolved
    assert dirs["outbound"]["publishes_to"] == ["crm"]  # campaign_send: a campaign finished
    assert dirs["inbox"]["publishes_to"] == ["outbound", "crm"]  # a person resolving: resolved
    # the console manages people in Firebase Auth and settings in Firestore; it publishes the CRM's
    # campaign.finished of a campaign cancelled there, and a dead letter back to the topic it came from
    assert dirs["console"]["project_roles"] == ["roles/datastore.user", "roles/firebaseauth.admin"]
    assert sorted(dirs["console"]["publishes_to"]) == sorted(set(local()["consumers"].values()))
    assert dirs["reports"]["project_roles"] == ["roles/datastore.viewer"]  # reports only read
    assert dirs["reports"]["publishes_to"] == []

    publisher = resource("google_pubsub_topic_iam_member", "publisher")
    assert publisher["topic"] == "${google_pubsub_topic.this[each.value.topic].name}"
    # no project-wide Pub/Sub, Secret Manager or owner/editor roles
    project_roles = [body["role"] for body in resources("google_project_iam_member").values()]
    assert "roles/editor" not in project_roles and "roles/owner" not in project_roles
    assert not any(r.startswith(("roles/pubsub.", "roles/secretmanager.")) for r in project_roles)


def test_no_identity_may_impersonate_service_accounts_project_wide():
    """Acting as or minting tokens for a service account is granted on that one account only (CKV_GCP_49)."""
    impersonating = {
        "roles/iam.serviceAccountUser",
        "roles/iam.serviceAccountTokenCreator",
        "roles/iam.serviceAccountAdmin",
        "roles/cloudbuild.builds.builder",
        "roles/cloudbuild.builds.editor",
    }
    project_grants = resources("google_project_iam_member")
    roles = {body["role"] for body in project_grants.values()}
    assert not roles & impersonating
    build = project_grants["build"]
    assert build["for_each"] == '${toset(["roles/logging.logWriter", "roles/artifactregistry.writer"])}'
    sources = project_grants["build_source_reader"]
    assert sources["role"] == "roles/storage.objectViewer"
    condition = block(sources, "condition")["expression"]
    assert "atende-functions-source" in condition and "gcf-v2-sources-" in condition
    assert "atende-media" not in condition  # customers' files stay out of the build's reach

    for grant in resources("google_service_account_iam_member").values():
        assert grant["service_account_id"].startswith("${google_service_account.")


def test_campaign_tasks_run_as_the_tasks_invoker():
    queue = resource("google_cloud_tasks_queue", "campaigns")
    assert queue["name"] == "atende-campaigns"
    config = json.loads((ROOT / "src" / "atende" / "campaign_queue.json").read_text())
    assert config["name"] == queue["name"]
    assert "src/atende/campaign_queue.json" in local()["campaign_queue"]
    rate = block(queue, "rate_limits")
    assert "local.campaign_queue.rate_limits.max_dispatches_per_second" in rate["max_dispatches_per_second"]
    assert "var.campaign_max_dispatches_per_second" in rate["max_dispatches_per_second"]
    assert variable_default("campaign_max_dispatches_per_second") is None  # the file's value
    assert 0 < config["rate_limits"]["max_dispatches_per_second"] <= 500
    retry = block(queue, "retry_config")
    assert retry["max_attempts"] == "${local.campaign_queue.retry_config.max_attempts}"
    assert 0 < config["retry_config"]["max_attempts"] <= 10
    assert seconds(config["retry_config"]["max_backoff"]) <= 3600

    for sa in ("automation", "outbound", "console"):  # the console starts, resumes and asks for syncs
        name = f"{sa}_enqueuer"
        enqueuer = resource("google_cloud_tasks_queue_iam_member", name)
        assert enqueuer["role"] == "roles/cloudtasks.enqueuer"
        assert enqueuer["member"] == f'${{google_service_account.function["{sa}"].member}}'
    acts_as = resource("google_service_account_iam_member", "automation_acts_as_tasks_invoker")
    assert acts_as["service_account_id"] == "${google_service_account.tasks_invoker.name}"
    assert acts_as["role"] == "roles/iam.serviceAccountUser"
    assert acts_as["for_each"] == "${toset([\"automation\", \"outbound\", \"console\"])}"
    invoker = resource("google_cloud_run_v2_service_iam_member", "tasks_invoker")
    assert 'this["campaign_send"]' in invoker["name"]
    assert invoker["member"] == "${google_service_account.tasks_invoker.member}"

    for directory in ("automation", "outbound"):
        env = local()["function_dirs"][directory]["env"]
        assert env["CLOUD_TASKS_INVOKER_SA"] == "${google_service_account.tasks_invoker.email}"
        assert env["CLOUD_TASKS_QUEUE"] == "${google_cloud_tasks_queue.campaigns.id}"
        assert env["CAMPAIGN_SEND_URL"] == "${local.function_run_urls.campaign_send}"


def test_the_send_sweeper_ticks_every_minute_on_the_automation_topic():
    """Stalled and retryable sends are looked at again within a minute (src/atende/services/sweeper.py);
    `make dev` publishes the same tick (src/atende/dev/scheduler.py)."""
    from atende.dev.scheduler import SWEEP_TICK

    job = resource("google_cloud_scheduler_job", "send_sweep")
    assert job["schedule"] == "${var.send_sweep_schedule}"
    assert variable_default("send_sweep_schedule") == "* * * * *"
    assert block(job, "pubsub_target")["topic_name"] == '${google_pubsub_topic.this["automation_tick"].id}'
    assert json.loads(SWEEP_TICK) == {"kind": "send_sweep"}
    assert 'kind = "send_sweep"' in block(job, "pubsub_target")["data"]
    assert local()["function_dirs"]["automation"]["publishes_to"] == ["outbound", "crm"]


def test_automation_tick_is_scheduled_every_15_minutes_in_sao_paulo():
    job = resource("google_cloud_scheduler_job", "automation_tick")
    assert job["schedule"] == "${var.automation_schedule}"
    assert variable_default("automation_schedule") == "*/15 * * * *"
    assert job["time_zone"] == "${var.automation_time_zone}"
    assert variable_default("automation_time_zone") == "America/Sao_Paulo"
    assert block(job, "pubsub_target")["topic_name"] == '${google_pubsub_topic.this["automation_tick"].id}'


# --- secrets and exposure ------------------------------------------------------------------------


def test_secrets_reach_functions_only_through_secret_environment_variables():
    plain_envs = {"common": local()["common_env"]}
    plain_envs.update({d: cfg["env"] for d, cfg in local()["function_dirs"].items()})
    for owner, env in plain_envs.items():
        leaked = [name for name in env if SECRET_LIKE.search(name)]
        assert not leaked, f"plain environment of {owner} holds credentials: {leaked}"

    service = block(resource("google_cloudfunctions2_function", "this"), "service_config")
    assert service["environment_variables"] == (
        "${merge(local.common_env, local.function_dirs[each.value.dir].env)}"
    )
    for _, _, body in all_resource_bodies():
        for env in _find_key(body, "environment_variables"):
            if isinstance(env, dict):
                assert not [n for n in env if SECRET_LIKE.search(n)]

    mounted = block(service, "dynamic")["secret_environment_variables"]
    assert mounted["for_each"] == (
        "${{for key, s in local.secrets : s.env => key if s.dir == each.value.dir || "
        "contains(lookup(local.shared_secrets, key, []), each.value.dir)}}"
    )
    content = block(mounted, "content")
    assert (
        content["secret"]
        == "${google_secret_manager_secret.this[secret_environment_variables.value].secret_id}"
    )
    assert content["version"] == "latest"

    builtin = local()["builtin_secrets"]
    assert {s["secret_id"]: (s["env"], s["dir"]) for s in builtin.values()} == {
        "atende-meta-app-secret": ("META_APP_SECRET", "webhooks"),
        "atende-meta-verify-token": ("META_VERIFY_TOKEN", "webhooks"),
        "atende-whatsapp-token": ("WHATSAPP_TOKEN", "outbound"),
        "atende-gemini-api-key": ("GEMINI_API_KEY", "ai_reply"),
        "atende-erp-token": ("ERP_TOKEN", "ai_reply"),
        "atende-events-secret": ("EVENTS_SECRET", "events"),
        "atende-unsubscribe-secret": ("UNSUBSCRIBE_SECRET", "automation"),
        "atende-sendgrid-api-key": ("SENDGRID_API_KEY", "automation"),
        "atende-crm-webhook-secret": ("CRM_WEBHOOK_SECRET", "automation"),
    }
    assert "MEDIA_URL_SECRET" not in {s["env"] for s in builtin.values()}  # production media use the bucket
    assert resource("google_secret_manager_secret", "this")["for_each"] == "${local.secrets}"
    accessor = resource("google_secret_manager_secret_iam_member", "accessor")
    assert accessor["for_each"] == "${local.secrets}"
    assert accessor["member"] == "${google_service_account.function[each.value.dir].member}"
    # a second reader only where named: campaign_send (outbound) writes personalised parameters with Gemini,
    # and the console's campaign preview writes a few the same way
    assert local()["shared_secrets"] == {"gemini_api_key": ["outbound", "console"]}
    shared = resource("google_secret_manager_secret_iam_member", "shared_accessor")
    assert shared["for_each"] == "${local.secret_readers}"
    assert shared["role"] == "roles/secretmanager.secretAccessor"
    assert shared["member"] == "${google_service_account.function[each.value.dir].member}"
    for reader in ("outbound", "console"):
        assert local()["function_dirs"][reader]["env"]["GEMINI_MODEL"] == "${var.gemini_model}"
    # values are set with gcloud or the console, never stored in Terraform state
    assert not resources("google_secret_manager_secret_version")
    # the console may add versions of the channel tokens outbound mounts, and of nothing else
    writer = resource("google_secret_manager_secret_iam_member", "console_token_writer")
    assert writer["for_each"] == '${{for key, s in local.secrets : key => s if s.dir == "outbound"}}'
    assert writer["role"] == "roles/secretmanager.secretVersionManager"
    assert writer["member"] == '${google_service_account.function["console"].member}'
    # and see (never read) whether each web-chat site's identity secret has a version
    viewer = resource("google_secret_manager_secret_iam_member", "console_site_secret_viewer")
    assert viewer["for_each"] == '${{for key, s in local.secrets : key => s if s.dir == "webchat"}}'
    assert viewer["role"] == "roles/secretmanager.viewer"
    assert viewer["member"] == '${google_service_account.function["console"].member}'


def test_channel_tokens_are_only_the_names_the_application_reads_as_tokens():
    (variable,) = [b["channel_tokens"] for b in tf()["variable"] if "channel_tokens" in b]
    condition = block(variable, "validation")["condition"]
    assert f'regex("^{TOKEN_ENV_ALLOWED.pattern}$", env)' in condition
    assert 'env != "WHATSAPP_TOKEN"' in condition  # built in
    # one outbound secret each, named after it: WHATSAPP_TOKEN_SUPORTE => atende-whatsapp-token-suporte
    assert (
        '{for env in var.channel_tokens : "channel_${lower(env)}" => {secret_id = '
        '"atende-${replace(lower(env), "_", "-")}", env = env, dir = "outbound"}}'
    ) in local()["secrets"]
    assert variable_default("channel_tokens") == []


def test_every_checkov_finding_skipped_inline_says_why():
    skips = [
        (path.relative_to(TF_DIR).as_posix(), match.group(1), match.group(2).strip())
        for path in TF_DIR.rglob("*.tf")
        for match in re.finditer(r"#\s*checkov:skip=(CKV2?_\w+):?(.*)", path.read_text())
    ]
    assert all(len(reason) > 20 for _, _, reason in skips), skips
    assert {(name, check) for name, check, _ in skips} == {
        ("pubsub.tf", "CKV_GCP_83"),  # Google-managed keys by default; CMEK optional
        ("storage.tf", "CKV_GCP_62"),
        ("storage.tf", "CKV_GCP_78"),
        ("functions.tf", "CKV_GCP_62"),
        # the inbox's and the widget's public files: the load balancer logs reads
        ("modules/static_site/main.tf", "CKV_GCP_62"),
        ("modules/static_site/main.tf", "CKV_GCP_78"),
        ("modules/static_site/main.tf", "CKV_GCP_114"),  # their buckets are public on purpose
        ("modules/static_site/main.tf", "CKV_GCP_28"),
    }
    for name in ("this", "dead_letter"):
        assert resource("google_pubsub_topic", name)["kms_key_name"] == "${var.pubsub_kms_key_name}"
    assert variable_default("pubsub_kms_key_name") is None


def _find_key(value: Any, key: str) -> list[Any]:
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k == key]
        return found + [x for v in value.values() for x in _find_key(v, key)]
    if isinstance(value, list):
        return [x for v in value for x in _find_key(v, key)]
    return []


def test_only_the_webhooks_the_staff_apis_the_web_chat_events_and_unsubscribe_are_public():
    """Meta signs each webhook call; each inbox_api, console_api and reports_api call carries a Firebase ID
    token the function checks; webchat checks each site's origins, rate-limits, and wants a visitor token
    after the session; a business signs each push to `events`; an unsubscribe link is signed by us. The
    only public buckets are the static sites' (the inbox's and the widget's files), readable by name and
    not listable."""
    public = {target for target, f in local()["functions"].items() if f["public"] is True}
    expected = {"inbox_api", "console_api", "reports_api", "webchat", "events", "unsubscribe"}
    assert public == WEBHOOK_TARGETS | expected

    grants = resource("google_cloud_run_v2_service_iam_member", "public")
    assert grants["for_each"] == "${{for target, f in local.functions : target => f if f.public}}"
    assert grants["member"] == "allUsers"

    holders = {
        f"{rtype}.{name}"
        for rtype, name, body in all_resource_bodies()
        if any(p in s for s in strings_in(body) for p in ("allUsers", "allAuthenticatedUsers"))
    }
    assert holders == {"google_cloud_run_v2_service_iam_member.public"}
    site_holders = {
        f"{rtype}.{name}"
        for rtype, name, body in all_resource_bodies(STATIC_SITE_DIR)
        if any(p in s for s in strings_in(body) for p in ("allUsers", "allAuthenticatedUsers"))
    }
    assert site_holders == {"google_storage_bucket_iam_member.public"}
    public_read = resource("google_storage_bucket_iam_member", "public", STATIC_SITE_DIR)
    assert public_read["bucket"] == "${google_storage_bucket.this.name}"
    # the widget's files by name only; the inbox may be listed, so a missing path is a 404 (index.html)
    assert public_read["role"] == (
        '${var.single_page_app ? "roles/storage.objectViewer" : "roles/storage.legacyObjectReader"}'
    )
    assert {module(name)["source"] for name in ("inbox", "widget")} == {"./modules/static_site"}

    service = block(resource("google_cloudfunctions2_function", "this"), "service_config")
    assert service["ingress_settings"] == '${each.value.public ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"}'


def test_webhooks_stay_warm():
    webhook = local()["function_sizing"]["webhook"]
    assert webhook["min_instances"] == "${var.webhook_min_instances}"
    assert variable_default("webhook_min_instances") == 1
    assert {local()["functions"][t]["sizing"] for t in WEBHOOK_TARGETS} == {"webhook"}


# --- platform ------------------------------------------------------------------------------------


def test_required_apis_are_enabled():
    apis = set(re.findall(r"[a-z]+\.googleapis\.com", local()["required_apis"]))
    expected = {
        f"{name}.googleapis.com"
        for name in (
            "cloudfunctions",
            "run",
            "cloudbuild",
            "artifactregistry",
            "pubsub",
            "firestore",
            "secretmanager",
            "cloudtasks",
            "cloudscheduler",
            "eventarc",
            "firebaserules",
            "iam",
            "identitytoolkit",
        )
    }
    assert expected <= apis
    assert resource("google_project_service", "this")["disable_on_destroy"] is False


def test_people_sign_in_with_a_password_and_may_add_a_totp_second_factor():
    config = resource("google_identity_platform_config", "this")
    email = block(block(config, "sign_in"), "email")
    assert email == {"enabled": True, "password_required": True}
    totp = block(block(config, "mfa"), "provider_configs")
    assert totp["state"] == "ENABLED"
    assert block(totp, "totp_provider_config")["adjacent_intervals"] == ADJACENT_INTERVALS == 5  # as locally
    assert "enabled_providers" not in block(config, "mfa")  # no SMS second factor


def test_firestore_database_rules_and_indexes():
    database = resource("google_firestore_database", "this")
    assert database["name"] == "${local.firestore_database}" and local()["firestore_database"] == "(default)"
    assert database["type"] == "FIRESTORE_NATIVE"
    assert database["location_id"] == "${var.firestore_location}"
    assert variable_default("firestore_location") == "southamerica-east1"

    ruleset = resource("google_firebaserules_ruleset", "firestore")
    files = block(block(ruleset, "source"), "files")
    assert files["content"] == '${file("${path.module}/../firestore.rules")}'
    assert resource("google_firebaserules_release", "firestore")["name"] == "cloud.firestore"
    assert local()["firestore_indexes_file"] == "${path.module}/../firestore.indexes.json"


def test_firestore_index_file_has_the_shape_terraform_reads():
    path = ROOT / "firestore.indexes.json"
    if not path.exists():
        pytest.skip("firestore.indexes.json is not in the repository yet (Terraform then deploys no index)")
    indexes = json.loads(path.read_text())["indexes"]
    for index in indexes:
        assert index["collectionGroup"]
        assert index["fields"], index
        for field in index["fields"]:
            assert field["fieldPath"]
            assert ("order" in field) != ("arrayConfig" in field), field


def test_labels_mark_every_resource_as_atende():
    labels = local()["labels"]
    assert labels.startswith("${merge(var.labels,") and 'app = "atende"' in labels
    assert tf()["provider"][0]["google"]["default_labels"] == "${local.labels}"
    labelled = (
        "google_pubsub_topic",
        "google_pubsub_subscription",
        "google_cloudfunctions2_function",
        "google_secret_manager_secret",
        "google_storage_bucket",
    )
    for rtype in labelled:
        for name, body in resources(rtype).items():
            assert body.get("labels") == "${local.labels}", f"{rtype}.{name} has no labels"


def test_terraform_fmt_is_clean():
    binary = shutil.which("terraform")
    if binary is None:
        pytest.skip("the terraform binary is not installed")
    result = subprocess.run(
        [binary, "fmt", "-check", "-recursive", "-diff", "terraform"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_media_bucket_is_private_and_only_the_media_functions_touch_it():
    bucket = resource("google_storage_bucket", "media")
    assert bucket["public_access_prevention"] == "enforced" and bucket["uniform_bucket_level_access"] is True
    assert bucket["name"] == "${local.media_bucket}"
    grants = resources("google_storage_bucket_iam_member")
    members = {
        (g["role"], g["member"])
        for g in grants.values()
        if g["bucket"] == "${google_storage_bucket.media.name}"
    }
    assert members == {
        ("roles/storage.objectAdmin", '${google_service_account.function["outbound"].member}'),
        ("roles/storage.objectViewer", '${google_service_account.function["ai_reply"].member}'),
        ("roles/storage.objectCreator", '${google_service_account.function["webchat"].member}'),
    }
    signer = resource("google_service_account_iam_member", "media_url_signer")
    assert signer["member"] == '${google_service_account.function["outbound"].member}'
    assert signer["service_account_id"] == '${google_service_account.function["outbound"].name}'
    for directory in ("ai_reply", "outbound"):
        assert local()["function_dirs"][directory]["env"]["MEDIA_BUCKET"] == "${local.media_bucket}"


def test_the_web_chat_reads_each_sites_secret_and_signs_only_as_itself():
    assert (
        '{for site in var.webchat_sites : "webchat_${site}" => {secret_id = "atende-webchat-secret-${site}", '
        'env = "WEBCHAT_SECRET_${upper(replace(site, "-", "_"))}", dir = "webchat"}}'
    ) in local()["secrets"]
    assert variable_default("webchat_sites") == []
    dirs = local()["function_dirs"]
    assert dirs["webchat"]["project_roles"] == ["roles/datastore.user"]
    assert sorted(dirs["webchat"]["publishes_to"]) == ["inbound", "status"]
    signer = resource("google_service_account_iam_member", "webchat_signer")
    assert signer["member"] == '${google_service_account.function["webchat"].member}'
    assert signer["service_account_id"] == '${google_service_account.function["webchat"].name}'
    ttl = resource("google_firestore_field", "rate_limits_ttl")
    assert (ttl["collection"], ttl["field"]) == ("rate_limits", "expireAt")
    widget = module("widget")
    # served to any site, which import()s the panel
    assert widget["domain"] == "${var.widget_domain}" and widget["cors_origins"] == ["*"]
