"""The console in headless Chromium against the running stack: a supervisor watches the live board move
when a customer's webhook arrives, reassigns the conversation over its service level and changes a
person's availability from there; an agent is never shown the console. Screenshots in artifacts/."""

from __future__ import annotations

import uuid

import pytest
from google.cloud import firestore

from atende.dev.payloads import DEMO_PHONE_NUMBER_ID
from atende.dev.polling import wait_until
from atende.domain.model import conversation_doc_id, message_doc_id
from tests.browser.staff_pages import customer_says, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture
def support_level(firestore_db):
    """Support's first response must come within 1 s, so a new handoff is over it at once."""
    team = firestore_db.collection("teams").document("support")
    before = (team.get().to_dict() or {}).get("serviceLevel")
    team.set({"serviceLevel": {"firstResponseS": 1}}, merge=True)
    yield
    team.update({"serviceLevel": before if before else firestore.DELETE_FIELD})


def test_the_live_board_moves_with_a_webhook_and_a_supervisor_reassigns_from_it(
    stack, http, firestore_db, browser, staff, inbox_built, support_level
):
    supervisor = staff("supervisor", ["support"], name="Sofia Supervisora")
    ana = staff("agent", ["support"], name="Ana Board")
    wa_id = "55119" + str(uuid.uuid4().int)[:8]
    name = f"Cliente {wa_id[-4:]}"
    conv_id = conversation_doc_id("whatsapp", DEMO_PHONE_NUMBER_ID, wa_id)

    page = sign_in(browser, stack, supervisor)
    page.get_by_role("link", name="Console").click()
    page.get_by_role("heading", name="Quadro ao vivo").wait_for(timeout=15_000)

    customer_says(stack, http, wa_id, name, "quero falar com um atendente, por favor")
    over_level = page.get_by_role("table", name="Fora do nível de serviço")
    breach = over_level.get_by_role("row").filter(has_text=name)
    breach.wait_for(timeout=20_000)  # live: no reload
    assert "primeira resposta" in breach.inner_text().lower()
    page.locator('[data-queue="support/whatsapp"]').wait_for()
    shot(page, "01-board-over-level", prefix="console")

    breach.get_by_role("combobox", name=f"Atribuir a conversa de {name}").click()
    page.get_by_role("option", name="Ana Board (0/3)").click()
    wait_until(
        lambda: firestore_db.collection("conversations").document(conv_id).get().get("assignee") == ana.uid,
        what="the conversation assigned to Ana",
    )

    people = page.get_by_role("table", name="Pessoas")
    people.get_by_role("combobox", name="Disponibilidade de Ana Board").click()
    page.get_by_role("option", name="Ocupado").click()
    wait_until(
        lambda: firestore_db.collection("users").document(ana.uid).get().get("availability") == "busy",
        what="Ana busy",
    )
    people.get_by_role("row").filter(has_text="Ana Board").get_by_text("1/3").wait_for(timeout=10_000)
    shot(page, "02-board-after-reassign", prefix="console")
    page.close()


def test_an_agent_is_never_shown_the_console(stack, browser, staff, inbox_built):
    agent = staff("agent", ["support"])
    page = sign_in(browser, stack, agent)
    assert page.get_by_role("link", name="Console").count() == 0
    page.goto(f"{stack.inbox_url}/console/board")
    page.get_by_role("navigation", name="Conversas").wait_for(timeout=15_000)  # sent back to the inbox
    assert page.url.rstrip("/") == stack.inbox_url.rstrip("/")
    page.close()


def test_an_admin_reads_the_reports_and_exports_them_as_csv(
    stack, http, firestore_db, browser, staff, inbox_built
):
    admin = staff("admin", ["support", "billing", "sales", "retention"], name="Alice Relatórios")
    wa_id = "55119" + str(uuid.uuid4().int)[:8]
    mid = customer_says(stack, http, wa_id, f"Cliente {wa_id[-4:]}", "oi, bom dia")  # one message today
    stored = firestore_db.collection("messages").document(message_doc_id("whatsapp", mid))
    wait_until(lambda: (stored.get().to_dict() or {}).get("handled"), what="the message counted")
    page = sign_in(browser, stack, admin)
    page.goto(f"{stack.inbox_url}/console/reports")
    received = page.get_by_test_id("kpi-in")
    wait_until(lambda: received.count() and int(received.inner_text()) >= 1, what="today's messages counted")
    page.get_by_test_id("report-rows").get_by_role("row").filter(has_text="whatsapp").wait_for()
    shot(page, "03-reports", prefix="console")
    with page.expect_download() as download:
        page.get_by_role("button", name="Exportar CSV").click()
    csv = download.value.path().read_text()
    header, *lines = csv.splitlines()
    assert header.startswith("day,channel,") and "in" in header.split(",")
    assert any(",whatsapp," in line for line in lines)
    page.close()
