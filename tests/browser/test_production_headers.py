"""The built inbox under the response headers the production load balancer adds (Terraform:
modules/static_site, inbox.tf): the Content-Security-Policy and the others must not stop it from starting,
and a reload of a client-side route (a deep link) must come back to the app. No stack needed: the sign-in
page is what loads before anyone signs in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from atende.dev import inbox_server
from atende.dev.standin_http import serve
from tests.browser.staff_pages import shot
from tests.unit.test_terraform_web_hosting import headers, module

# What Terraform writes for production (test_terraform_web_hosting checks the fields): no emulators.
CONFIG = {
    "firebase": {"apiKey": "AIza-test-browser-key", "authDomain": "p.firebaseapp.com", "projectId": "p"},
    "apiBase": "https://southamerica-east1-p.cloudfunctions.net/atende-inbox-api",
    "reportsApi": "https://southamerica-east1-p.cloudfunctions.net/atende-reports-api",
    "consoleApi": "https://southamerica-east1-p.cloudfunctions.net/atende-console-api",
    "locale": "pt-BR",
}


@pytest.fixture(scope="module")
def production_inbox() -> Iterator[dict[str, str]]:
    if not (inbox_server.INBOX / "dist" / "index.html").is_file():
        pytest.skip("web/inbox is not built: run `.venv/bin/atende build --web`")
    added = headers(module("inbox"))
    app = inbox_server.app(CONFIG)

    def with_headers(environ: dict, start_response: Any) -> Any:
        def start(status: str, response_headers: list, *args: Any) -> Any:
            return start_response(status, [*response_headers, *added.items()], *args)

        return app(environ, start)

    server = serve(with_headers, "127.0.0.1", 0, "production-inbox", quiet=True)
    try:
        yield {"url": f"http://127.0.0.1:{server.server_port}", **added}
    finally:
        server.shutdown()


def test_the_inbox_starts_from_a_deep_link_under_its_production_headers(browser, production_inbox):
    assert "frame-ancestors 'none'" in production_inbox["Content-Security-Policy"]
    page = browser.new_page(viewport={"width": 1366, "height": 850}, locale="pt-BR")
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: refused.append(str(e)))
    try:
        response = page.goto(f"{production_inbox['url']}/console/users")
        assert response.headers["x-content-type-options"] == "nosniff"
        page.get_by_label("E-mail").wait_for(timeout=20_000)
        page.get_by_label("Senha").wait_for()
        shot(page, "production-headers-sign-in")
        assert refused == []
    finally:
        page.close()
