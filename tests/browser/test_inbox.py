"""The agents' inbox in a real (headless) Chromium against the running stack, as two agents use it.

A signed WhatsApp webhook's message appears without a reload; the agent takes over and replies and the
Graph stand-in receives it; the bot stays silent; a transfer hands it to an agent of another team, who
sees it while the first no longer can (not even by URL); after the 24-hour window only a template goes.
Screenshots of each step are kept in tests/browser/artifacts/ (not committed).
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from atende.dev.payloads import DEMO_PHONE_NUMBER_ID
from atende.dev.polling import wait_until
from atende.domain.model import conversation_doc_id, message_doc_id
from tests.browser.staff_pages import customer_says, shot, sign_in
from tests.media_files import picture, stack_media

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def texts_sent_to(stack, wa_id: str) -> list[dict]:
    return [s["body"] for s in stack.graph.sent if s["body"].get("to") == f"+{wa_id}"]


def test_two_agents_work_a_handed_off_whatsapp_customer(
    stack, http, firestore_db, browser, staff, inbox_built
):
    ana = staff("agent", ["support"], name="Ana Teste")
    carla = staff("agent", ["billing"], name="Carla Teste")
    wa_id = "55119" + str(uuid.uuid4().int)[:8]
    name = f"Cliente {wa_id[-4:]}"
    conv_id = conversation_doc_id("whatsapp", DEMO_PHONE_NUMBER_ID, wa_id)

    page = sign_in(browser, stack, ana)
    shot(page, "01-signed-in")
    customer_says(stack, http, wa_id, name, "minha internet caiu, quero falar com um atendente")
    row = page.locator(f'[data-conversation-id="{conv_id}"]')
    row.wait_for(timeout=20_000)  # live: no reload
    row.get_by_text("Na fila").wait_for(timeout=20_000)
    shot(page, "02-waiting-in-the-list")

    row.click()
    page.get_by_role("button", name="Assumir").click()
    page.get_by_test_id("conversation-status").get_by_text("Em atendimento").wait_for(timeout=10_000)
    reply = "Oi! Sou a Ana, vou verificar sua conexão agora."
    page.get_by_label("Escreva uma resposta").fill(reply)
    page.get_by_role("button", name="Enviar").click()
    wait_until(
        lambda: any(b.get("text", {}).get("body") == reply for b in texts_sent_to(stack, wa_id)),
        what="the agent's reply at the Graph stand-in",
    )
    page.locator('[data-kind="outbound"]', has_text=reply).wait_for(timeout=10_000)

    # the customer answers: it appears live, and the bot keeps quiet
    sent_before = len(texts_sent_to(stack, wa_id))
    mid = customer_says(stack, http, wa_id, name, "ok, obrigado, fico aguardando")
    page.locator('[data-kind="inbound"]', has_text="fico aguardando").wait_for(timeout=20_000)
    stored = firestore_db.collection("messages").document(message_doc_id("whatsapp", mid))
    wait_until(lambda: (stored.get().to_dict() or {}).get("handled"), what="the message handled")
    assert stored.get().get("decision")["route"] == "silent"
    assert len(texts_sent_to(stack, wa_id)) == sent_before
    # the agent reads why, in Portuguese: the AI's reading and the decision, not their codes
    page.locator('[data-kind="inbound"]', has_text="fico aguardando").get_by_text(
        "decisão: o robô fica em silêncio (uma pessoa está atendendo)"
    ).wait_for(timeout=10_000)
    page.get_by_text("Passada a uma pessoa: o cliente pediu uma pessoa · pedido de atendente").wait_for()
    shot(page, "03-in-service")

    # a private note, then a transfer to Carla (billing): Ana loses it, Carla has it
    page.get_by_label("Nota interna").check()
    page.get_by_label("Nota visível só para a equipe").fill("Cliente já reiniciou o roteador duas vezes")
    page.get_by_role("button", name="Nota interna", exact=True).click()
    page.locator('[data-kind="note"]', has_text="reiniciou o roteador").wait_for(timeout=10_000)
    page.get_by_role("button", name="Transferir").click()
    page.get_by_role("menuitem", name="Carla Teste").click()
    page.get_by_text("Sem acesso a esta conversa").wait_for(timeout=15_000)
    shot(page, "04-after-transfer-ana")
    row.wait_for(state="detached", timeout=15_000)

    page.goto(f"{stack.inbox_url}/c/{conv_id}")  # not even by URL
    page.get_by_text("Sem acesso a esta conversa").wait_for(timeout=15_000)
    page.close()

    # meanwhile the bot had verified who the customer is: the next person sees the ERP's data
    firestore_db.collection("conversations").document(conv_id).update(
        {"attendant.customerId": "1001", "attendant.verifiedAt": time.time()}
    )
    carla_page = sign_in(browser, stack, carla)
    carla_row = carla_page.locator(f'[data-conversation-id="{conv_id}"]')
    carla_row.wait_for(timeout=20_000)
    carla_row.click()
    carla_page.locator('[data-kind="note"]', has_text="reiniciou o roteador").wait_for(timeout=10_000)
    erp = carla_page.get_by_role("complementary", name="Contato")
    erp.get_by_text("Fibra 500 Mega").wait_for(timeout=10_000)
    erp.get_by_text("***.***.***-11", exact=False).wait_for()
    shot(carla_page, "05-carla-has-it")

    # the 24-hour window closes: only an approved template may go
    firestore_db.collection("templates").document(f"{DEMO_PHONE_NUMBER_ID}_retomar_pt_BR").set(
        {
            "accountId": DEMO_PHONE_NUMBER_ID,
            "name": "retomar",
            "language": "pt_BR",
            "category": "UTILITY",
            "status": "APPROVED",
            "components": [{"type": "BODY", "text": "Olá, {{1}}! Podemos continuar o seu atendimento?"}],
            "syncedAt": datetime.now(UTC),
        }
    )
    firestore_db.collection("conversations").document(conv_id).update(
        {"lastInboundAt": datetime.now(UTC) - timedelta(days=2)}
    )
    carla_page.get_by_text("Janela de 24 horas encerrada").wait_for(timeout=15_000)
    carla_page.get_by_role("combobox", name="Escolha um modelo").click()
    carla_page.get_by_role("option", name="retomar (pt_BR)").click()
    carla_page.get_by_label("Parâmetro 1").fill(name)
    shot(carla_page, "06-template-after-the-window")
    carla_page.get_by_role("button", name="Enviar modelo").click()
    wait_until(
        lambda: any(b.get("template", {}).get("name") == "retomar" for b in texts_sent_to(stack, wa_id)),
        what="the template at the Graph stand-in",
    )

    # snoozed until a chosen time: the menu closes and the conversation says so
    carla_page.get_by_role("button", name="Adiar").click()
    until = carla_page.get_by_label("Adiar até")
    until.fill((datetime.now() + timedelta(days=3)).strftime("%Y-%m-%dT09:30"))
    carla_page.get_by_role("menu").get_by_role("button", name="Adiar").click()
    until.wait_for(state="detached", timeout=5_000)
    wait_until(
        lambda: firestore_db.collection("conversations").document(conv_id).get().get("status") == "snoozed",
        what="the conversation snoozed",
    )
    carla_page.get_by_text("Adiada").first.wait_for(timeout=10_000)
    carla_page.close()


def test_messages_stored_while_the_inbox_is_offline_appear_once_when_it_reconnects(
    stack, firestore_db, browser, staff, inbox_built
):
    agent = staff("agent", ["support"], name="Bia Teste")
    conv_id = f"whatsapp_{DEMO_PHONE_NUMBER_ID}_offline{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    firestore_db.collection("conversations").document(conv_id).set(
        {
            "channel": "whatsapp", "accountId": DEMO_PHONE_NUMBER_ID, "contactId": "c_offline",
            "senderId": "5511900001111", "contactName": "Cliente Offline", "status": "waiting",
            "team": "support",
            "waitingSince": now, "lastMessageAt": now, "lastInboundAt": now, "labels": [], "unreadCount": 0,
        }
    )  # fmt: skip

    def store(n: int) -> str:
        ref = firestore_db.collection("messages").document(f"m_offline_{uuid.uuid4().hex}")
        ref.set(
            {
                "conversationId": conv_id, "contactId": "c_offline", "channel": "whatsapp",
                "accountId": DEMO_PHONE_NUMBER_ID, "direction": "inbound", "senderType": "contact",
                "sender": "5511900001111", "kind": "text", "text": f"mensagem {n}", "content": {},
                "status": "received", "visibility": "public", "timestamp": datetime.now(UTC),
            }
        )  # fmt: skip
        return ref.id

    page = sign_in(browser, stack, agent)
    page.goto(f"{stack.inbox_url}/c/{conv_id}")
    first = store(0)
    page.locator(f'[data-message-id="{first}"]').wait_for(timeout=15_000)

    page.context.set_offline(True)
    page.get_by_role("status").get_by_text("Sem conexão").wait_for(timeout=30_000)
    missed = [store(n) for n in range(1, 6)]
    page.context.set_offline(False)
    for message_id in missed:
        page.locator(f'[data-message-id="{message_id}"]').wait_for(timeout=60_000)
    shot(page, "07-after-reconnecting")
    for message_id in [first, *missed]:
        assert page.locator(f'[data-message-id="{message_id}"]').count() == 1
    page.close()


def test_colleagues_of_a_team_talk_in_its_chat_live(stack, browser, staff, inbox_built):
    first = staff("agent", ["retention"], name="Rui Teste")
    second = staff("agent", ["retention"], name="Rita Teste")
    pages = [sign_in(browser, stack, person) for person in (first, second)]
    for page in pages:
        page.get_by_role("button", name="Chat da equipe").click()
        page.get_by_role("dialog", name="Chat da equipe").wait_for(timeout=10_000)
    text = f"Alguém cobre meu turno amanhã? {uuid.uuid4().hex[:4]}"
    pages[0].get_by_label("Mensagem para a equipe").fill(text)
    pages[0].get_by_role("button", name="Enviar", exact=True).click()
    pages[1].get_by_text(text).wait_for(timeout=15_000)
    shot(pages[1], "08-team-chat")
    for page in pages:
        page.close()


def test_files_whose_stored_links_expired_still_show(stack, firestore_db, browser, staff, inbox_built):
    agent = staff("agent", ["support"], name="Bia Teste")
    conv_id = f"whatsapp_{DEMO_PHONE_NUMBER_ID}_files{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    week_ago = now - timedelta(days=8)
    firestore_db.collection("conversations").document(conv_id).set(
        {
            "channel": "whatsapp", "accountId": DEMO_PHONE_NUMBER_ID, "contactId": "c_files",
            "senderId": "5511900002222", "contactName": "Cliente Arquivos", "status": "waiting",
            "team": "support", "waitingSince": now, "lastMessageAt": now, "lastInboundAt": now, "labels": [],
            "unreadCount": 0,
        }
    )  # fmt: skip
    store = stack_media(stack)
    photo_path = f"whatsapp/{DEMO_PHONE_NUMBER_ID}/m_photo_{uuid.uuid4().hex}.png"
    store.put(photo_path, picture(160, 90, (40, 160, 90)), "image/png")
    pdf_path = f"outgoing/{conv_id}/{uuid.uuid4().hex}/boleto.pdf"
    store.put(pdf_path, b"%PDF-1.7\n%%EOF\n", "application/pdf")
    expired = {photo_path: store.url(photo_path, -60), pdf_path: store.url(pdf_path, -60)}

    def stored(path: str, mime: str, expires_at: datetime) -> dict:
        return {
            "status": "stored", "path": path, "mimeType": mime, "url": expired[path],
            "urlExpiresAt": expires_at.timestamp(),
        }  # fmt: skip

    photo = firestore_db.collection("messages").document(f"m_photo_{uuid.uuid4().hex}")
    photo.set(
        {
            "conversationId": conv_id, "contactId": "c_files", "channel": "whatsapp",
            "accountId": DEMO_PHONE_NUMBER_ID, "direction": "inbound", "senderType": "contact",
            "sender": "5511900002222", "kind": "image", "text": None, "content": {"media_id": "1"},
            "media": stored(photo_path, "image/png", now - timedelta(minutes=5)),
            "status": "received", "visibility": "public", "timestamp": now - timedelta(hours=2),
        }
    )  # fmt: skip
    pdf = firestore_db.collection("messages").document(f"a_pdf_{uuid.uuid4().hex}")
    pdf.set(
        {
            "conversationId": conv_id, "contactId": "c_files", "channel": "whatsapp",
            "accountId": DEMO_PHONE_NUMBER_ID, "direction": "outbound", "senderType": "agent",
            "sender": agent.uid, "authorName": "Bia Teste", "kind": "document", "text": None,
            "content": {"url": expired[pdf_path], "filename": "boleto.pdf", "mime_type": "application/pdf"},
            "media": stored(pdf_path, "application/pdf", week_ago + timedelta(days=7)),
            "status": "read", "visibility": "public", "timestamp": week_ago,
        }
    )  # fmt: skip

    page = sign_in(browser, stack, agent)
    page.goto(f"{stack.inbox_url}/c/{conv_id}")
    image = page.locator(f'[data-message-id="{photo.id}"] img')
    image.wait_for(timeout=20_000)
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=20_000
    )
    assert image.evaluate("img => img.naturalWidth") == 160
    document = page.locator(f'[data-message-id="{pdf.id}"] a', has_text="boleto.pdf")
    wait_until(lambda: document.get_attribute("href") != expired[pdf_path], what="the document's fresh link")
    assert page.request.get(document.get_attribute("href")).status == 200
    shot(page, "08-expired-links-refreshed")
    page.close()
