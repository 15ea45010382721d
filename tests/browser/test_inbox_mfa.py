"""Two-step verification in the inbox, in a real (headless) Chromium against the running stack.

An agent confirms their e-mail, adds an authenticator app from the header (the test computes the code
from the key shown on screen, as the app would), signs out and in again: the password alone is not
enough, a wrong code is refused, the right one opens the inbox; once the authenticator is removed, the
password is enough again. Screenshots go to tests/browser/artifacts/.
"""

from __future__ import annotations

import time

import httpx
import pytest

from atende.dev.totp_standin import code_matches, totp_code
from tests.browser import staff_pages

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def a_wrong_code(secret: str) -> str:
    code = int(totp_code(secret, time.time()))
    while code_matches(secret, f"{code:06d}", time.time(), 6):
        code = (code + 1) % 1_000_000
    return f"{code:06d}"


def open_verification_link(stack, email: str) -> None:
    """What clicking the link in the e-mail does (the Auth emulator keeps the e-mails it 'sent')."""
    listed = httpx.get(f"{stack.auth_url}/emulator/v1/projects/{stack.config.project}/oobCodes", timeout=10)
    [link] = [c["oobLink"] for c in listed.json()["oobCodes"] if c["email"] == email]
    assert httpx.get(link, timeout=10).status_code == 200


def test_an_agent_turns_on_two_step_verification_and_signs_in_with_the_code(
    stack, browser, staff, inbox_built
):
    agent = staff("agent", ["support"], name="Tomé Teste")
    page = browser.new_page(viewport={"width": 1366, "height": 850}, locale="pt-BR")
    page.goto(stack.inbox_url)
    page.get_by_label("E-mail").fill(agent.email)
    page.get_by_label("Senha").fill(agent.password)
    page.get_by_role("button", name="Entrar").click()
    page.get_by_role("navigation", name="Conversas").wait_for(timeout=20_000)

    page.get_by_role("button", name="Verificação em duas etapas").click()
    dialog = page.get_by_role("dialog", name="Verificação em duas etapas")
    dialog.get_by_text("Confirme seu e-mail primeiro").wait_for(timeout=10_000)
    dialog.get_by_role("button", name="Enviar e-mail de confirmação").click()
    dialog.get_by_text(f"Enviamos um link de confirmação para {agent.email}").wait_for(timeout=10_000)
    open_verification_link(stack, agent.email)
    dialog.get_by_role("button", name="Já confirmei").click()

    dialog.get_by_role("button", name="Adicionar aplicativo autenticador").click()
    dialog.get_by_role("img", name="QR code para o aplicativo autenticador").wait_for(timeout=10_000)
    secret = dialog.get_by_test_id("totp-secret").inner_text().strip()
    code_input = dialog.get_by_label("Código de 6 dígitos")
    assert code_input.evaluate("el => el === document.activeElement")  # ready to type the code
    staff_pages.shot(page, "01-enrol", prefix="mfa")
    code_input.fill(a_wrong_code(secret))
    dialog.get_by_role("button", name="Ativar").click()
    dialog.get_by_role("alert").get_by_text("Código incorreto").wait_for(timeout=10_000)
    code_input.fill(totp_code(secret, time.time()))
    dialog.get_by_role("button", name="Ativar").click()
    dialog.get_by_text("Verificação em duas etapas ativada").wait_for(timeout=10_000)
    dialog.get_by_role("button", name="Remover Autenticador").wait_for()
    staff_pages.shot(page, "02-enrolled", prefix="mfa")
    page.keyboard.press("Escape")

    page.get_by_role("button", name="Sair").click()
    page.get_by_label("E-mail").fill(agent.email)
    page.get_by_label("Senha").fill(agent.password)
    page.get_by_role("button", name="Entrar").click()
    page.get_by_text("Sua conta usa verificação em duas etapas.").wait_for(timeout=10_000)
    prompt = page.get_by_label("Código do aplicativo autenticador (6 dígitos)")
    prompt.fill(a_wrong_code(secret))
    page.get_by_role("button", name="Verificar").click()
    page.get_by_role("alert").get_by_text("Código incorreto").wait_for(timeout=10_000)
    assert not page.get_by_role("navigation", name="Conversas").is_visible()
    staff_pages.shot(page, "03-code-prompt-wrong-code", prefix="mfa")
    prompt.fill(totp_code(secret, time.time()))
    page.get_by_role("button", name="Verificar").click()
    page.get_by_role("navigation", name="Conversas").wait_for(timeout=20_000)

    # removing the authenticator: the password alone is enough again
    page.get_by_role("button", name="Verificação em duas etapas").click()
    dialog.get_by_role("button", name="Remover Autenticador").click()
    dialog.get_by_text("Autenticador removido").wait_for(timeout=10_000)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Sair").click()
    page.get_by_label("E-mail").fill(agent.email)
    page.get_by_label("Senha").fill(agent.password)
    page.get_by_role("button", name="Entrar").click()
    page.get_by_role("navigation", name="Conversas").wait_for(timeout=20_000)
    page.close()
