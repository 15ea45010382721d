"""An admin sees the channel accounts the stack runs with and adds a number, in headless Chromium against
the running stack. The accounts of `make dev` come from the deployment's configuration
(src/atende/dev/channels.json through ATENDE_CHANNELS_FILE), not from Firestore, so before they were
listed here the page was empty. Screenshot: artifacts/console-settings-channels-added.png."""

from __future__ import annotations

import random

import pytest

from atende.dev.polling import wait_until
from tests.browser.staff_pages import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_an_admin_sees_the_deployed_accounts_and_adds_a_number_with_a_token_of_its_own(
    stack, browser, staff, firestore_db, inbox_built
):
    admin = staff("admin", ["support", "sales"], name="Alice Admin")
    number = str(random.randrange(10**14, 10**15))
    page = sign_in(browser, stack, admin)
    page.goto(f"{stack.inbox_url}/console/settings/channels")
    table = page.get_by_role("table", name="Contas dos canais")
    table.get_by_label("Nome da conta 106540352242933").wait_for(timeout=15_000)
    assert table.get_by_label("Nome da conta 106540352242933").input_value() == "Suporte técnico"
    assert table.get_by_text("da implantação").count() >= 4  # the four accounts of dev/channels.json

    form = page.get_by_role("form", name="Nova conta")
    form.get_by_label("ID da conta").fill(number)
    form.get_by_label("Nome", exact=True).fill("Loja Centro")
    form.get_by_label("Token", exact=True).fill("EAAG-test-token-123")
    form.get_by_label("Nome do token (opcional)").fill("whatsapp_token_centro")
    form.get_by_role("button", name="Adicionar conta").click()

    doc = firestore_db.collection("channels").document(f"whatsapp_{number}")
    saved = wait_until(lambda: doc.get().to_dict(), what="the new account saved")
    assert (saved["name"], saved["token_env"]) == ("Loja Centro", "WHATSAPP_TOKEN_CENTRO")
    assert "EAAG" not in str(saved)  # the token went to the secret store, never to Firestore
    table.get_by_label(f"Nome da conta {number}").wait_for()
    assert table.get_by_label(f"Nome da conta {number}").input_value() == "Loja Centro"
    page.wait_for_timeout(300)  # only so the screenshot shows the success notice settled
    shot(page, "settings-channels-added", prefix="console")
