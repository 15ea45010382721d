"""The channel simulator in a real (headless) Chromium: a customer writes, Atende's answer appears."""

from __future__ import annotations

import uuid

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.mark.parametrize("channel", ["whatsapp", "instagram"])
def test_customer_message_in_the_simulator_gets_an_answer(stack, browser, channel):
    page = browser.new_page()
    try:
        page.goto(f"{stack.graph_url}/simulator")
        page.get_by_label("Instagram" if channel == "instagram" else "WhatsApp", exact=True).check()
        page.get_by_label("Cliente", exact=True).select_option("joao")
        assert "João Santos" in page.locator("#phone-sub").inner_text()
        text = f"oi, quero a segunda via do boleto {uuid.uuid4().hex[:6]}"
        page.get_by_label("Mensagem", exact=True).fill(text)
        page.get_by_role("button", name="Enviar", exact=True).click()
        page.locator(".bubble.customer", has_text=text).wait_for(timeout=15_000)
        answer = page.locator(".bubble.atende").last
        answer.wait_for(timeout=30_000)
        assert answer.locator(".text").inner_text().strip()
        # Meta's statuses come back through the webhook: the answer ends up read (blue ticks)
        page.locator(".bubble.atende .meta.read").last.wait_for(timeout=20_000)
    finally:
        page.close()
