"""An admin runs a campaign from the console in headless Chromium against the running stack: syncs the
templates, fills the template's parameters and sees them in the preview, uploads a small CSV and reads
the validation report before confirming, starts it, watches the progress bar reach 100 % and finds the
recipients sent or delivered; the conversation it opened says which campaign sent the message. A
supervisor previews a personalised campaign for its first three recipients (each message as the AI
writes it) and, once sent, finds each recipient's AI-written text in the list.
Screenshots of the templates, the list, the form, the preview and the detail
(artifacts/console-campaigns-*.png, pt-BR) and of the timeline
(artifacts/inbox-campaign-on-the-timeline.png)."""

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


def test_a_supervisor_previews_the_ai_written_parameter_then_finds_it_on_each_recipient(
    stack, browser, staff, inbox_built, tmp_path
):
    supervisor = staff("supervisor", ["sales"], name="Sara Supervisora")
    page = sign_in(browser, stack, supervisor)
    page.goto(f"{stack.inbox_url}/console/templates")
    page.get_by_role("button", name="Sincronizar com a Meta").click()
    page.get_by_text("Modelos sincronizados").wait_for(timeout=30_000)

    page.goto(f"{stack.inbox_url}/console/campaigns/new")
    name = f"Fibra no bairro {uuid.uuid4().hex[:4]}"
    page.get_by_label("Nome", exact=True).fill(name)
    choose(page, "Número do WhatsApp", ACCOUNT)
    choose(page, "Modelo", "oferta_fibra (pt_BR)")
    choose(page, "Parâmetro escrito pela IA para cada destinatário", "Parâmetro 1")
    instruction = page.get_by_label("Como a IA escreve o parâmetro")
    instruction.fill("{{ first_name }}, a fibra chegou em {{ bairro }}")
    page.get_by_label("Parâmetro 2", exact=True).fill("Fibra 500 Mega por R$ 99,90.")
    _, phones = audience(4)
    people = ["Ana Souza,Centro", "Bruno Lima,Savassi", "Carla Dias,Pampulha", "Diego Reis,Lourdes"]
    rows = [who.replace(",", f",+{phone},") for who, phone in zip(people, phones, strict=True)]
    file = tmp_path / "bairros.csv"
    file.write_text("nome,telefone,bairro\n" + "\n".join(rows) + "\n")
    page.locator("input[type=file]").set_input_files(str(file))
    page.get_by_test_id("audience-report").get_by_text("Válidas: 4").wait_for(timeout=15_000)

    page.get_by_role("button", name="Pré-visualizar 3 destinatários").click()
    samples = page.get_by_role("list", name="Prévia com destinatários")
    samples.get_by_role("listitem").nth(2).wait_for(timeout=15_000)
    shown = [item.inner_text() for item in samples.get_by_role("listitem").all()]
    assert len(shown) == 3 and "Diego" not in " ".join(shown)  # the first three only
    assert "Olá, Ana, a fibra chegou em Centro! Fibra 500 Mega por R$ 99,90." in shown[0]
    assert "Carla, a fibra chegou em Pampulha" in shown[2]
    samples.scroll_into_view_if_needed()
    shot(page, "campaigns-preview", prefix="console")
    instruction.fill("{{ first_name }}, a fibra chegou no seu bairro")
    samples.wait_for(state="detached")  # a changed form hides the preview of the old one

    page.get_by_role("button", name="Confirmar e iniciar").click()
    page.wait_for_url(re.compile(r"/console/campaigns/cp_"), timeout=15_000)
    page.get_by_test_id("campaign-percent").get_by_text("100%").wait_for(timeout=60_000)
    recipients = page.get_by_test_id("recipients")
    assert recipients.get_by_role("columnheader", name="Texto da IA").is_visible()
    first = recipients.locator("tr", has_text="Ana Souza")
    first.get_by_test_id("personal").get_by_text("Ana, a fibra chegou no seu bairro").wait_for(timeout=15_000)
    assert "Diego, a fibra chegou no seu bairro" in recipients.inner_text()
    shot(page, "campaigns-personalised-recipients", prefix="console")
    page.close()
