"""Production hosting of the inbox and the web-chat widget (terraform/inbox.tf, webchat.tf,
browser_keys.tf, modules/static_site), checked on the parsed Terraform like test_terraform.py: the
config.json each app gets, the browser API keys, and what the load balancer and the buckets allow."""

from __future__ import annotations

import re
from typing import Any

from atende.dev import demo_site, inbox_server
from tests.unit.test_terraform import STATIC_SITE_DIR, block, local, module, resource, tf, variable_default

BROWSER_APIS = {"identitytoolkit.googleapis.com", "securetoken.googleapis.com", "firestore.googleapis.com"}


def encoded_keys(expression: str) -> set[str]:
    """The keys of a `${jsonencode({a = x, b = y})}` expression (flat: its values are references)."""
    inner = re.fullmatch(r"\$\{jsonencode\(\{(.*)\}\)\}", expression, re.DOTALL)
    assert inner, expression
    return set(re.findall(r"(?:^|,)\s*(\w+) =", inner.group(1)))


def test_config_json_gives_each_app_what_the_local_stack_gives_it_but_the_emulators():
    """The apps read the same file in production as under `make dev` (where the browser tests run them):
    web/inbox/src/config.js and web/widget/src/{loader.js,panel/}; only the emulators are left out."""
    dev_inbox = inbox_server.browser_config("p", "http://auth", "127.0.0.1", 8080, "http://functions")
    dev_widget = demo_site.widget_config("p", "http://functions", "http://auth", "127.0.0.1", 8080)
    assert encoded_keys(module("inbox")["config_json"]) == set(dev_inbox) - {"emulators"}
    assert encoded_keys(module("widget")["config_json"]) == set(dev_widget) - {"emulators"}

    firebase = local()["firebase_web_config"]
    assert firebase.startswith("${{for app, key in google_apikeys_key.browser : app => {")
    assert set(re.findall(r"(\w+) = ", firebase)) == set(dev_inbox["firebase"]) == set(dev_widget["firebase"])
    assert "apiKey = key.key_string" in firebase
    assert 'local.firebase_web_config["inbox"]' in module("inbox")["config_json"]
    assert 'local.firebase_web_config["widget"]' in module("widget")["config_json"]
    for field, target in (
        ("apiBase", "inbox_api"),
        ("reportsApi", "reports_api"),
        ("consoleApi", "console_api"),
    ):
        assert (
            f'{field} = google_cloudfunctions2_function.this["{target}"].url'
            in module("inbox")["config_json"]
        )
    assert 'apiUrl = google_cloudfunctions2_function.this["webchat"].url' in module("widget")["config_json"]
    assert 'widgetScript = "${module.widget.base_url}atende-widget.js"' in module("inbox")["config_json"]


def test_a_redeploy_of_config_json_reaches_browsers_at_once_or_within_five_minutes():
    config = resource("google_storage_bucket_object", "config", STATIC_SITE_DIR)
    assert (config["name"], config["content"], config["content_type"]) == (
        "config.json",
        "${var.config_json}",
        "application/json",
    )
    assert config["cache_control"] == "${var.config_cache_control}"
    assert module("inbox")["config_cache_control"] == "no-store"
    assert module("widget")["config_cache_control"] == "public, max-age=300"  # fetched on every page view


def test_browser_keys_call_only_the_sdks_apis_and_the_inbox_key_only_from_the_inbox():
    key = resource("google_apikeys_key", "browser")
    assert key["for_each"] == "${local.browser_keys}"
    restrictions = block(key, "restrictions")
    dynamic = {name: body for entry in restrictions["dynamic"] for name, body in entry.items()}
    assert dynamic["api_targets"]["for_each"] == "${toset(local.browser_key_apis)}"
    assert set(local()["browser_key_apis"]) == BROWSER_APIS
    assert dynamic["browser_key_restrictions"]["content"] == [
        {"allowed_referrers": "${each.value.referrers}"}
    ]
    keys = local()["browser_keys"]
    assert set(keys) == {"inbox", "widget"}
    assert keys["inbox"]["referrers"] == '${[for origin in local.inbox_origins : "${origin}/*"]}'
    assert keys["widget"]["referrers"] == []  # any business's site: see browser_keys.tf
    apis = set(re.findall(r"[a-z]+\.googleapis\.com", local()["required_apis"]))
    assert {"apikeys.googleapis.com"} | BROWSER_APIS <= apis


def test_the_inbox_domain_is_an_allowed_origin_of_the_staff_functions():
    own = '${var.inbox_domain == "" ? [] : ["https://${var.inbox_domain}"]}'[2:-1]
    assert local()["inbox_origins"] == f"${{distinct(concat({own}, var.inbox_origins))}}"
    dirs = local()["function_dirs"]
    for directory in ("inbox", "console", "reports"):
        assert dirs[directory]["env"]["INBOX_ORIGINS"] == '${join(",", local.inbox_origins)}'
    assert variable_default("inbox_domain") == "" and variable_default("inbox_locale") == "pt-BR"


def headers(site: dict[str, Any]) -> dict[str, str]:
    module_headers = tf(STATIC_SITE_DIR)["locals"][0]["response_headers"]
    common = re.findall(r'"([\w-]+): ([^"]+)"', module_headers)
    extra = [h.split(": ", 1) for h in site.get("extra_response_headers", [])]
    return dict(common + [tuple(h) for h in extra])


def test_the_load_balancer_adds_security_headers_and_serves_https_only():
    backend = resource("google_compute_backend_bucket", "this", STATIC_SITE_DIR)
    assert backend["enable_cdn"] is True and backend["custom_response_headers"] == "${local.response_headers}"
    for name in ("inbox", "widget"):
        found = headers(module(name))
        assert found["X-Content-Type-Options"] == "nosniff"
        assert found["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert found["Strict-Transport-Security"].startswith("max-age=31536000")
    inbox = headers(module("inbox"))
    assert "frame-ancestors 'none'" in inbox["Content-Security-Policy"] and inbox["X-Frame-Options"] == "DENY"

    policy = resource("google_compute_ssl_policy", "this", STATIC_SITE_DIR)
    assert (policy["profile"], policy["min_tls_version"]) == ("RESTRICTED", "TLS_1_2")
    redirect = block(
        resource("google_compute_url_map", "https_redirect", STATIC_SITE_DIR), "default_url_redirect"
    )
    assert redirect["https_redirect"] is True
    http_rule = resource("google_compute_global_forwarding_rule", "https_redirect", STATIC_SITE_DIR)
    assert http_rule["port_range"] == "80" and http_rule["target"].startswith(
        "${google_compute_target_http_proxy"
    )


def test_the_inbox_is_a_single_page_app_on_its_own_domain():
    inbox = module("inbox")
    assert inbox["single_page_app"] is True and inbox["domain"] == "${var.inbox_domain}"
    assert "cors_origins" not in inbox  # same origin: no CORS
    bucket = resource("google_storage_bucket", "this", STATIC_SITE_DIR)
    website = bucket["dynamic"][0]["website"]
    assert website["for_each"] == "${var.single_page_app ? [1] : []}"
    assert website["content"] == [{"main_page_suffix": "index.html", "not_found_page": "index.html"}]
    assert bucket["uniform_bucket_level_access"] is True


def test_the_widgets_hosting_keeps_its_resources_when_it_moves_into_the_module():
    """Without these `moved` blocks an existing deployment would destroy the widget's bucket and address."""
    moved = {(m["from"], m["to"]) for m in tf()["moved"]}
    former = {
        "google_storage_bucket.widget": "google_storage_bucket.this",
        "google_storage_bucket_iam_member.widget_public": "google_storage_bucket_iam_member.public",
        "google_compute_backend_bucket.widget": "google_compute_backend_bucket.this",
        "google_compute_url_map.widget": "google_compute_url_map.this",
        "google_compute_managed_ssl_certificate.widget": "google_compute_managed_ssl_certificate.this",
        "google_compute_ssl_policy.widget": "google_compute_ssl_policy.this",
        "google_compute_target_https_proxy.widget": "google_compute_target_https_proxy.this",
        "google_compute_global_address.widget": "google_compute_global_address.this",
        "google_compute_global_forwarding_rule.widget": "google_compute_global_forwarding_rule.this",
    }
    assert moved == {(f"${{{old}}}", f"${{module.widget.{new}}}") for old, new in former.items()}
    widget = module("widget")
    assert (widget["name"], widget["bucket_name"]) == ("atende-widget", "${var.project_id}-atende-widget")
