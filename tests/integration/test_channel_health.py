"""Channel health on the emulators: forged webhook signatures and dead-lettered messages reach the panel
`reports_api` serves (docs/reports.md, "Channel health")."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from google.cloud import pubsub_v1
from google.cloud.firestore import FieldFilter

from atende import topics
from atende.channels.signature import SIGNATURE_HEADER
from atende.dev.payloads import DEMO_PHONE_NUMBER_ID, encode, whatsapp_text
from atende.dev.polling import wait_until
from tests.integration.test_poison import unkeepable_media_job

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def admin(staff):
    return staff("admin", [])


def health(stack, admin) -> dict[tuple[str, str], dict[str, Any]]:
    answer = httpx.get(
        f"{stack.functions_url}/reports_api/health",
        headers={"Authorization": f"Bearer {admin.id_token}"},
        timeout=15,
    )
    assert answer.status_code == 200, answer.text
    return {(row["channel"], row["accountId"]): row for row in answer.json()["accounts"]}


def forged(stack, admin) -> int:
    return health(stack, admin)[("whatsapp", "webhook")]["lastHour"]["forged"]


def test_forged_signatures_are_counted_on_the_channel_webhook(stack, http, admin):
    before = forged(stack, admin)
    body = encode(whatsapp_text("quero seus dados"))
    answer = http.post(
        f"{stack.functions_url}/webhook_whatsapp",
        content=body,
        headers={SIGNATURE_HEADER: "sha256=" + "0" * 64},
    )
    assert answer.status_code == 401
    # The first refusal after a quiet minute is published at once (the rest of a flood waits a minute).
    wait_until(lambda: forged(stack, admin) > before, what="the forged signature in health", interval_s=0.5)
    assert forged(stack, admin) == before + 1


def test_a_message_failed_five_times_is_logged_and_counted_in_health(stack, http, firestore_db, admin):
    """As in test_poison: a media job that can never be kept (its folder name is longer than any file
    system allows: an OSError, retried) is dead-lettered after five pushes; `dead_letters` records it."""
    row_key = ("whatsapp", DEMO_PHONE_NUMBER_ID)
    before = health(stack, admin)[row_key]["lastDay"]["deadLetters"]
    _, _, job = unkeepable_media_job(stack, http, firestore_db)
    message_id = job["message_id"]
    publisher = pubsub_v1.PublisherClient()
    publisher.publish(
        publisher.topic_path(stack.config.project, topics.MEDIA), json.dumps(job).encode()
    ).result(timeout=30)

    def logged() -> list[dict[str, Any]]:
        query = firestore_db.collection("omni_logs").where(filter=FieldFilter("messageId", "==", message_id))
        return [d.to_dict() for d in query.stream() if d.get("kind") == "dead_lettered"]

    (entry,) = wait_until(logged, what="the dead letter in omni_logs", timeout_s=120)
    assert (entry["source"], entry["attempts"]) == ("media_fetch", 5)
    assert (entry["channel"], entry["accountId"]) == row_key  # the stored message's account, not the job's
    assert json.loads(entry["payload"]) == job

    row = wait_until(
        lambda: (r := health(stack, admin)[row_key])["lastDay"]["deadLetters"] > before and r,
        what="the dead letter in channel health",
        interval_s=0.5,
    )
    assert row["lastDay"]["deadLetters"] == before + 1 and row["lastHour"]["deadLetters"] >= 1
    assert row["state"] != "ok"
