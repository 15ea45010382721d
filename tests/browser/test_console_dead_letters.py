"""An admin replays a failed message from the Health page in headless Chromium: the letter is listed with
its function and the customer's words, opens with its JSON payload, goes back to its topic after a
confirmation, and the customer's message is then handled.
Screenshots in artifacts/console-05-dead-letters*.png."""

from __future__ import annotations

import time
import uuid

import pytest
from google.cloud import pubsub_v1

from atende.dev.payloads import DEMO_PHONE_NUMBER_ID
from atende.dev.polling import wait_until
from atende.domain.content import Text
from atende.domain.events import InboundMessage, Sender
from atende.domain.events import encode as encode_event
from atende.domain.model import Channel, message_doc_id
from atende.topology import CONSUMERS
from tests.browser.staff_pages import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def dead_lettered_message(stack, text: str) -> str:
    """A customer's message as Pub/Sub forwards it after `ai_reply` failed it five times; its provider id."""
    inbound = next(c for c in CONSUMERS if c.target == "ai_reply")
    provider_id = f"wamid.{uuid.uuid4().hex}"
    event = InboundMessage(
        channel=Channel.WHATSAPP,
        account_id=DEMO_PHONE_NUMBER_ID,
        provider_message_id=provider_id,
        sender=Sender(id="55119" + str(uuid.uuid4().int)[:8], name="Rita"),
        timestamp=time.time(),
        content=Text(),
        text=text,
    )
    publisher = pubsub_v1.PublisherClient()
    publisher.publish(
        publisher.topic_path(stack.config.project, inbound.dead_letter_topic),
        encode_event(event),
        kind="InboundMessage",
        CloudPubSubDeadLetterSourceSubscription=inbound.subscription,
        CloudPubSubDeadLetterSourceDeliveryCount="5",
    ).result(timeout=30)
    return provider_id


def test_an_admin_replays_a_failed_message_from_the_health_page(
    stack, firestore_db, browser, staff, inbox_built
):
    admin = staff("admin", ["support"], name="Alice Falhas")
    text = f"segunda via da conta {uuid.uuid4().hex[:6]}"
    provider_id = dead_lettered_message(stack, text)
    stored = firestore_db.collection("messages").document(message_doc_id("whatsapp", provider_id))
    assert not stored.get().exists  # ai_reply never got it through

    page = sign_in(browser, stack, admin)
    page.goto(f"{stack.inbox_url}/console/health")
    section = page.get_by_role("region", name="Mensagens com falha")
    table = section.get_by_role("table", name="Mensagens com falha")

    def listed() -> bool:
        if table.get_by_role("row").filter(has_text=text).count():
            return True
        page.reload()
        return False

    wait_until(listed, what="the dead letter on the Health page", interval_s=1.0)
    row = table.get_by_role("row").filter(has_text=text)  # the preview: the customer's words
    assert "ai_reply" in row.inner_text() and "aguardando" in row.inner_text().lower()
    page.get_by_role("table", name="Saúde dos canais").get_by_role("row").nth(1).wait_for()
    shot(page, "05-dead-letters", prefix="console")

    row.get_by_role("button", name="Abrir a mensagem de ai_reply").click()
    dialog = page.get_by_role("dialog", name="Mensagem com falha")
    payload = dialog.get_by_test_id("dead-letter-payload")
    payload.wait_for()
    assert f'"text": "{text}"' in payload.inner_text()  # pretty JSON
    assert "atende-inbound" in dialog.inner_text()
    dialog.get_by_role("button", name="Reenviar", exact=True).click()
    confirm = dialog.get_by_role("alertdialog", name="Reenviar esta mensagem?")
    assert "atende-inbound" in confirm.inner_text()
    confirm.get_by_role("button", name="Confirmar reenvio").click()
    dialog.get_by_text("Reenviada", exact=True).first.wait_for()
    assert "por Alice Falhas" in dialog.inner_text()  # who replayed it, by name
    assert dialog.get_by_role("button", name="Reenviar de novo").is_enabled()
    shot(page, "05-dead-letters-replayed", prefix="console")

    handled = wait_until(
        lambda: (d := stored.get().to_dict() or {}).get("handled") and d, what="the replayed message handled"
    )
    assert handled["text"] == text
    page.keyboard.press("Escape")
    assert "reenviada" in table.get_by_role("row").filter(has_text=text).inner_text().lower()
    page.close()
