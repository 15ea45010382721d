"""An admin changes how the bot works from the console, in headless Chromium against the running stack:
a routing threshold moved with its slider decides the next customer's message, and a flow's step edited
in place is what the next customer reads. Every settings page is screenshotted (artifacts/)."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from atende.dev.polling import wait_until
from atende.domain.model import message_doc_id
from tests.browser.staff_pages import customer_says, shot, sign_in
from tests.integration.test_console_api import CONFIG_TTL_S, UNSURE_FINANCIAL

pytestmark = [pytest.mark.browser, pytest.mark.integration]
PAGES = ("users", "teams", "hours", "canned", "business", "routing", "flows", "channels", "sites")


def handled(stack, http, firestore_db, text: str) -> dict:
    wa_id = "55119" + str(uuid.uuid4().int)[:8]
    mid = customer_says(stack, http, wa_id, "Cliente Console", text)
    ref = firestore_db.collection("messages").document(message_doc_id("whatsapp", mid))
    return wait_until(lambda: (d := ref.get().to_dict() or {}).get("handled") and d, what=f"{text!r} handled")


def reply_of(firestore_db, message: dict) -> str:
    return (firestore_db.collection("messages").document(message["replyMessageId"]).get().to_dict() or {})[
        "text"
    ]


def test_an_admin_moves_a_threshold_and_edits_a_flow_and_the_next_customer_gets_them(
    stack, http, firestore_db, browser, staff, inbox_built
):
    admin = staff("admin", ["support", "billing", "sales", "retention"], name="Alice Admin")
    page = sign_in(browser, stack, admin)
    for section in PAGES:
        page.goto(f"{stack.inbox_url}/console/settings/{section}")
        page.get_by_role("main").get_by_role("heading", level=2).wait_for(timeout=15_000)
        page.wait_for_timeout(800)  # only so the screenshot shows the data (listeners never idle)
        shot(page, f"settings-{section}", prefix="console")

    routing = firestore_db.collection("config").document("routing")
    assert handled(stack, http, firestore_db, UNSURE_FINANCIAL)["decision"]["route"] == "human"
    try:
        page.goto(f"{stack.inbox_url}/console/settings/routing")
        slider = page.get_by_role("slider", name="Limite de confiança para financeiro")
        # cancellations reach a person whatever the confidence: said so, with no slider that would do nothing
        page.locator("tr", has_text="cancelamento").get_by_text("Sempre vai para uma pessoa").wait_for()
        assert page.get_by_role("slider", name="Limite de confiança para cancelamento").count() == 0
        slider.focus()
        slider.press("Home")  # the lowest threshold: the bot answers financial messages it is unsure of
        page.get_by_role("button", name="Salvar").click()
        wait_until(
            lambda: (routing.get().to_dict() or {}).get("intent_thresholds", {}).get("financial") == 0.3,
            what="the threshold saved",
        )
        time.sleep(CONFIG_TTL_S + 0.5)  # the functions' cache of config/routing expires
        assert handled(stack, http, firestore_db, UNSURE_FINANCIAL)["decision"]["route"] == "auto"
    finally:
        routing.delete()

    page.goto(f"{stack.inbox_url}/console/settings/flows")
    page.get_by_text("menu", exact=True).first.click()
    step = page.get_by_label("Passo opcoes")
    edited = json.loads(step.input_value())
    edited["text"]["pt"] = edited["text"]["pt"].replace("Como posso ajudar?", "Em que posso ajudar hoje?")
    step.fill(json.dumps(edited, ensure_ascii=False, indent=2))
    page.locator("div").filter(has=step).get_by_role("button", name="Salvar").first.click()
    page.get_by_text("Voltar à versão original").wait_for(timeout=10_000)
    page.get_by_label("Mensagens do cliente (uma por linha)").fill("oi")
    page.get_by_role("button", name="Rodar").click()
    page.get_by_test_id("flow-preview").get_by_text("Em que posso ajudar hoje?", exact=False).wait_for(
        timeout=10_000
    )
    shot(page, "flow-edited-preview", prefix="console")
    try:
        time.sleep(CONFIG_TTL_S + 0.5)  # the functions' cache of flows expires
        greeted = handled(stack, http, firestore_db, "oi")
        assert "Em que posso ajudar hoje?" in reply_of(firestore_db, greeted)
    finally:
        page.get_by_text("Voltar à versão original").click()
        wait_until(
            lambda: not firestore_db.collection("flows").document("menu").get().exists, what="flow reset"
        )
    page.close()
