"""An admin creates a web-chat site in the console and the widget on the demo site's origin looks as they
set it, in headless Chromium against the running stack. The site is new (webchat caches a site it has
served for a minute, docs/console.md), so the page loads the widget with the new key through the exact
snippet the console shows. The Sites page is screenshotted (artifacts/console-settings-sites*.png)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from atende.dev.polling import wait_until
from atende.dev.seed import seed_demo_site
from tests.browser.staff_pages import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.integration]
COLOR, RGB = "#7c3aed", "rgb(124, 58, 237)"
GREETING = "Olá! Aqui é a loja nova. Em que posso ajudar?"


@pytest.fixture(scope="module")
def widget_built(stack):
    if httpx.get(f"{stack.demo_site_url}/widget/atende-widget.js", timeout=10).status_code != 200:
        pytest.skip("web/widget is not built: run `.venv/bin/atende build --web`")


def test_an_admin_creates_a_site_and_the_widget_shows_its_colour_and_greeting(
    stack, browser, staff, firestore_db, inbox_built, widget_built
):
    seed_demo_site(firestore_db, stack.demo_site_origins)  # the list shows the demo site beside the new one
    admin = staff("admin", ["support"], name="Alice Admin")
    key = f"loja-{uuid.uuid4().hex[:8]}"
    page = sign_in(browser, stack, admin)
    page.goto(f"{stack.inbox_url}/console/settings/sites")
    page.get_by_role("heading", name="Sites do chat (widget)").wait_for(timeout=15_000)
    page.get_by_role("table", name="Sites do chat (widget)").get_by_text("demo", exact=True).wait_for()
    shot(page, "settings-sites", prefix="console")

    page.get_by_label("Chave do novo site").fill(key)
    page.get_by_role("button", name="Criar site").click()
    page.get_by_role("heading", name=f"Site {key}").wait_for(timeout=10_000)
    origins = page.get_by_label("Origens permitidas (uma por linha)")
    origins.fill(f"{stack.demo_site_url}/")
    page.get_by_text("Origem inválida").wait_for()  # a trailing slash would never match: refused at once
    origins.fill(stack.demo_site_url)
    page.get_by_label("Nome do site").fill("Loja Nova")
    page.get_by_label("Cor principal").fill(COLOR)
    page.get_by_label("Saudação").fill(GREETING)
    page.get_by_label("Esquerda").check()
    page.get_by_role("button", name="Salvar site").click()
    doc = firestore_db.collection("sites").document(key)
    saved = wait_until(
        lambda: (d := doc.get().to_dict() or {}).get("appearance", {}).get("greeting") == GREETING and d,
        what="the site saved",
    )
    assert saved["appearance"]["primaryColor"] == COLOR and saved["origins"] == [stack.demo_site_url]
    snippet = page.get_by_test_id("site-snippet").inner_text()
    loader = f"{stack.demo_site_url}/widget/atende-widget.js"
    assert snippet == f'<script src="{loader}" data-site-key="{key}" async></script>'  # webchat-install.md
    page.set_viewport_size({"width": 1366, "height": 1500})  # the whole form in one picture
    shot(page, "settings-sites-edit", prefix="console")
    page.close()

    # A visitor in a fresh browser profile on a page of the demo site's origin carrying the snippet.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="pt-BR")
    try:
        html = (
            f"<!doctype html><html lang='pt-BR'><head><meta charset='utf-8'><title>Loja Nova</title></head>"
            f"<body><h1>Loja Nova</h1>{snippet}</body></html>"
        )
        context.route(
            f"{stack.demo_site_url}/loja-nova",
            lambda route: route.fulfill(body=html, content_type="text/html"),
        )

        def available(route):  # someone online, so the chat opens on the greeting (not the offline form)
            response = route.fetch()
            route.fulfill(response=response, json={**response.json(), "available": True})

        context.route("**/webchat/sites/**", available)
        visitor = context.new_page()
        visitor.goto(f"{stack.demo_site_url}/loja-nova")
        launcher = visitor.locator("atende-widget .aw-launcher")
        launcher.wait_for(state="visible", timeout=15_000)
        wait_until(
            lambda: launcher.evaluate("b => getComputedStyle(b).backgroundColor") == RGB, what="the colour"
        )
        box = launcher.bounding_box()
        assert box["x"] < 640  # left, as the admin chose
        launcher.click()
        visitor.get_by_test_id("atende-panel").get_by_text(GREETING).wait_for(timeout=20_000)
        visitor.get_by_test_id("atende-panel").get_by_text("Loja Nova").first.wait_for()
        shot(visitor, "site-widget", prefix="console")
    finally:
        context.unroute_all(behavior="ignoreErrors")
        context.close()
