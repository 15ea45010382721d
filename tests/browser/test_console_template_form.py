"""An admin writes a WhatsApp template in the console (headless Chromium, the running stack): the fields
Meta would refuse are named under each field, the preview shows the message as the customer will read it
(header, body with the examples filled, footer, quick replies), the new template is listed "Em análise"
and a sync brings Meta's approval (the Graph stand-in approves on its next read).
Screenshots: artifacts/console-template-form.png and artifacts/console-template-listed.png (pt-BR)."""

from __future__ import annotations

import uuid

import pytest

from tests.browser.staff_pages import shot, sign_in
from tests.integration.test_campaigns import ACCOUNT

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_an_admin_writes_a_template_previews_it_and_sees_it_listed(stack, browser, staff, inbox_built):
    admin = staff("admin", ["support"], name="Alice Admin")
    page = sign_in(browser, stack, admin)
    page.goto(f"{stack.inbox_url}/console/templates")
    listed = page.get_by_test_id("templates")
    page.get_by_role("button", name="Novo modelo").click()
    form = page.get_by_test_id("template-form")
    form.get_by_text("pode levar de minutos a 24 horas").wait_for()
    form.get_by_label("Número (phone_number_id)").fill(ACCOUNT)
    form.get_by_label("Nome").fill("Aviso Visita")
    form.get_by_label("Texto").fill("{{1}}, sua visita técnica é {{2}}")
    form.get_by_role("button", name="Enviar para aprovação").click()
    form.get_by_text("Só letras minúsculas, números e _ (até 512)").wait_for(timeout=15_000)
    form.get_by_text("A Meta recusa um parâmetro no início ou no fim do texto", exact=True).wait_for()
    form.get_by_text("Dê um exemplo para cada um dos 2 parâmetro(s)").wait_for()

    name = f"aviso_visita_{uuid.uuid4().hex[:6]}"
    form.get_by_label("Nome").fill(name)
    form.get_by_text("Só letras minúsculas, números e _ (até 512)").wait_for(state="hidden")  # edited: fixed
    form.get_by_label("Cabeçalho", exact=True).fill("Visita técnica")
    form.get_by_label("Texto").fill("Olá {{1}}, sua visita técnica é {{2}}. Até lá!")
    preview = page.get_by_test_id("template-preview")
    assert "Olá {{1}}" in preview.inner_text()  # no example yet: the placeholder shows
    form.get_by_label("{{1}}", exact=True).fill("Ana")
    form.get_by_label("{{2}}", exact=True).fill("amanhã às 9h")
    form.get_by_label("Rodapé", exact=True).fill("Fibra Rápida")
    buttons = form.get_by_label("Botões de resposta rápida", exact=True)
    for text in ("Confirmar", "Remarcar"):
        buttons.fill(text)
        buttons.press("Enter")
    seen = preview.inner_text()
    filled = "Olá Ana, sua visita técnica é amanhã às 9h. Até lá!"
    assert all(part in seen for part in ("Visita técnica", filled, "Fibra Rápida", "Confirmar", "Remarcar"))
    shot(page, "template-form", prefix="console")

    form.get_by_role("button", name="Enviar para aprovação").click()
    sent = page.get_by_text(f"Modelo {name} enviado para a Meta: em análise")
    sent.wait_for(timeout=15_000)
    row = listed.get_by_role("row").filter(has_text=name).filter(has_text=ACCOUNT)
    row.get_by_text("Em análise").wait_for(timeout=15_000)
    assert page.get_by_test_id("template-form").count() == 0

    sent.wait_for(state="hidden", timeout=15_000)  # the notification covers the page's buttons until it goes
    page.get_by_role("button", name="Sincronizar com a Meta").click()
    row.get_by_text("Aprovado").wait_for(timeout=30_000)
    shot(page, "template-listed", prefix="console")
