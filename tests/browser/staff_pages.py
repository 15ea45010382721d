"""What the inbox and console browser tests share: signing a person in through the real page, a
customer writing through the signed WhatsApp webhook, screenshots kept as artefacts."""

from __future__ import annotations

import uuid
from pathlib import Path

from atende.dev.payloads import post_signed, whatsapp_text
from atende.dev.stack import DEV_SECRETS

ARTIFACTS = Path(__file__).with_name("artifacts")
SECRET = DEV_SECRETS["META_APP_SECRET"]


def shot(page, name: str, prefix: str = "inbox") -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{prefix}-{name}.png"))


def sign_in(browser, stack, person):
    page = browser.new_page(viewport={"width": 1366, "height": 850}, locale="pt-BR")
    page.goto(stack.inbox_url)
    page.get_by_label("E-mail").fill(person.email)
    page.get_by_label("Senha").fill(person.password)
    page.get_by_role("button", name="Entrar").click()
    page.get_by_role("navigation", name="Conversas").wait_for(timeout=20_000)
    return page


def customer_says(stack, http, wa_id: str, name: str, text: str) -> str:
    mid = f"wamid.{uuid.uuid4().hex}"
    payload = whatsapp_text(text, wa_id=wa_id, name=name, message_id=mid)
    assert post_signed(http, f"{stack.functions_url}/webhook_whatsapp", payload, SECRET).status_code == 200
    return mid
