"""An admin runs a campaign from the console in headless Chromium against the running stack: syncs the
templates, fills the template's parameters and sees them in the preview, uploads a small CSV and reads
the validation report before confirming, starts it, watches the progress bar reach 100 % and finds the
recipients sent or delivered; the conversation it opened says which campaign sent the message.
Screenshots of the templates, the list, the form and the detail (artifacts/console-campaigns-*.png,
pt-BR) and of the timeline (artifacts/inbox-campaign-on-the-timeline.png)."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.staff_pages import shot, sign_in
from tests.integration.test_campaigns import ACCOUNT, audience, received

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option).click()


def test_an_admin_uploads_a_csv_starts_a_campaign_and_watches_it_reach_100_percent(
    stack, browser, staff, inbox_built, tmp_path
):
    admin = staff("admin", ["support", "billing", "sales", "retention"], name="Alice Admin")
    page = sign_in(browser, stack, admin)

    page.goto(f"{stack.inbox_url}/console/templates")
    page.get_by_role("button", name="Sincronizar com a Meta").click()
    page.get_by_test_id("templates").get_by_text("oferta_fibra").first.wait_for(timeout=30_000)
    page.get_by_text("Modelos sincronizados").wait_for(timeout=30_000)
    shot(page, "campaigns-templates", prefix="console")

    page.get_by_role("navigation").get_by_role("link", name="Campanhas").click()
    page.get_by_role("link", name="Nova campanha").click()
    name = f"Black Friday {uuid.uuid4().hex[:4]}"
    page.get_by_label("Nome", exact=True).fill(name)
    choose(page, "Número do WhatsApp", ACCOUNT)
    choose(page, "Modelo", "oferta_fibra (pt_BR)")
    preview = page.get_by_test_id("template-preview")
    assert "{{1}}" in preview.inner_text()  # not typed yet: the placeholder shows
    page.get_by_label("Parâmetro 1", exact=True).fill("Maria")
    page.get_by_label("Parâmetro 2", exact=True).fill("Fibra 500 Mega por R$ 99,90.")
    assert "Maria" in preview.inner_text() and "{{1}}" not in preview.inner_text()

    csv, phones = audience(3)
    csv += f"Repetido,+{phones[0]}\nSem número,12\n"
    file = tmp_path / "audiencia.csv"
    file.write_text(csv)
    page.locator("input[type=file]").set_input_files(str(file))
    report = page.get_by_test_id("audience-report")
    report.get_by_text("Válidas: 3").wait_for(timeout=15_000)
    assert "Inválidas: 1" in report.inner_text() and "Repetidas: 1" in report.inner_text()
    report.get_by_text("repetido da linha 2").wait_for()
    report.get_by_text("número inválido").wait_for()
    shot(page, "campaigns-new", prefix="console")

    page.get_by_role("button", name="Confirmar e iniciar").click()
    page.wait_for_url(re.compile(r"/console/campaigns/cp_"), timeout=15_000)
    page.get_by_role("heading", name=name).wait_for()
    page.get_by_test_id("campaign-percent").get_by_text("100%").wait_for(timeout=60_000)
    recipients = page.get_by_test_id("recipients")
    recipients.locator("tr[data-status=sent], tr[data-status=delivered]").nth(2).wait_for(timeout=15_000)
    assert re.search(r"Enviada|Entregue", recipients.inner_text())
    assert sorted(s["body"]["to"] for s in received(stack, phones)) == sorted(f"+{p}" for p in phones)
    shot(page, "campaigns-detail", prefix="console")

    page.get_by_role("navigation").get_by_role("link", name="Campanhas").click()
    row = page.get_by_test_id("campaigns").locator("tr", has_text=name)
    row.get_by_text("100%").wait_for(timeout=15_000)
    shot(page, "campaigns-list", prefix="console")

    page.goto(f"{stack.inbox_url}/c/whatsapp_{ACCOUNT}_{phones[0]}")  # the conversation the campaign opened
    origin = page.get_by_test_id("timeline").get_by_test_id("origin")
    origin.wait_for(timeout=15_000)
    assert origin.inner_text() == f"Campanha: {name}"
    shot(page, "campaign-on-the-timeline", prefix="inbox")
    page.close()
