"""The channel-health page in headless Chromium against the running stack: forged webhook signatures, a
dead letter and a failing CRM reach an admin's panel. Screenshot in artifacts/console-04-health.png."""

from __future__ import annotations

import time
import uuid

import pytest
from google.cloud import pubsub_v1

from atende.adapters.firestore.unit_of_work import FirestoreUnitOfWork
from atende.channels.signature import SIGNATURE_HEADER
from atende.dev.payloads import DEMO_PHONE_NUMBER_ID, encode, whatsapp_text
from atende.dev.polling import wait_until
from atende.domain.channel_health import CRM, WEBHOOK, ChannelSignal, Signal
from atende.domain.content import Text
from atende.domain.events import InboundMessage, Sender
from atende.domain.events import encode as encode_event
from atende.domain.model import Channel
from atende.topology import CONSUMERS
from tests.browser.staff_pages import shot, sign_in
from tests.integration.test_channel_health import health

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def dead_letter(stack) -> None:
    """As Pub/Sub forwards a message `ai_reply` failed five times: to the inbound topic's `-dlq`."""
    inbound = next(c for c in CONSUMERS if c.target == "ai_reply")
    event = InboundMessage(
        channel=Channel.WHATSAPP,
        account_id=DEMO_PHONE_NUMBER_ID,
        provider_message_id=f"wamid.{uuid.uuid4().hex}",
        sender=Sender(id="5511900000001"),
        timestamp=time.time(),
        content=Text(),
        text="oi",
    )
    publisher = pubsub_v1.PublisherClient()
    publisher.publish(
        publisher.topic_path(stack.config.project, inbound.dead_letter_topic),
        encode_event(event),
        CloudPubSubDeadLetterSourceSubscription=inbound.subscription,
        CloudPubSubDeadLetterSourceDeliveryCount="5",
    ).result(timeout=30)


def test_an_admin_sees_forged_signatures_dead_letters_and_a_failing_crm(
    stack, http, firestore_db, browser, staff, inbox_built
):
    admin = staff("admin", ["support"], name="Alice Saúde")
    before = health(stack, admin)[("whatsapp", DEMO_PHONE_NUMBER_ID)]["lastDay"]["deadLetters"]
    body = encode(whatsapp_text("forjado"))
    for _ in range(3):
        forged = http.post(
            f"{stack.functions_url}/webhook_whatsapp", content=body, headers={SIGNATURE_HEADER: "sha256=bad"}
        )
        assert forged.status_code == 401
    dead_letter(stack)
    with FirestoreUnitOfWork(firestore_db) as uow:  # what crm_webhook records when the CRM is down
        for code in ("HTTP 503", "HTTP 503", "circuit_open"):
            uow.metrics.signal(
                ChannelSignal(
                    channel=CRM, account_id=WEBHOOK, signal=Signal.FAILED, at=time.time(), code=code
                )
            )
        uow.commit()

    page = sign_in(browser, stack, admin)
    page.goto(f"{stack.inbox_url}/console/health")
    table = page.get_by_role("table", name="Saúde dos canais")

    def shown() -> bool:
        page.get_by_role("button", name="Atualizar").click()
        page.wait_for_load_state("networkidle")
        forged_cell = table.get_by_test_id("forged-whatsapp-webhook").inner_text().strip()
        dead_cell = table.get_by_test_id(f"dead-whatsapp-{DEMO_PHONE_NUMBER_ID}").inner_text()
        return (
            forged_cell != "0"
            and "".join(dead_cell.split()).endswith(f"/{before + 1}")
            and table.get_by_text("Webhook do CRM").count() == 1
        )

    wait_until(shown, what="forged signatures, a dead letter and the CRM on the page", interval_s=1.0)
    crm = table.get_by_role("row").filter(has_text="Webhook do CRM")
    assert "fora do ar" in crm.inner_text().lower() and "circuit_open" in crm.inner_text()
    account = table.get_by_role("row").filter(has_text=DEMO_PHONE_NUMBER_ID)
    assert account.get_by_role("cell").nth(2).inner_text().lower() == "degradado"  # a dead letter degrades it
    shot(page, "04-health", prefix="console")
    page.close()
