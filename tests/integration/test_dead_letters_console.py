"""Dead letters on the emulators, end to end: a consumer that fails a message five times leaves it, whole, in
`dead_letters`; once the cause is fixed an admin sends it back through `console_api`, it reaches the
original topic and the consumer does its work, once. README, "Dead letters"."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from google.cloud.firestore import FieldFilter

from atende import topics
from atende.dev.payloads import post_signed, whatsapp_envelope
from atende.dev.polling import wait_until
from atende.domain.model import message_doc_id
from tests.data_model_doc import check_document, parse
from tests.integration.test_poison import media_status, publish, publisher  # noqa: F401 (a fixture)
from tests.integration.test_spine import SECRET, new_customer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def admin(staff):
    return staff("admin", [])


@pytest.fixture
def console(stack, http):
    def call(method: str, path: str, who) -> Any:
        headers = {"Authorization": f"Bearer {who.id_token}"}
        return http.request(method, f"{stack.functions_url}/console_api{path}", headers=headers)

    return call


def blocked_media_job(stack, http, db) -> tuple[str, dict[str, Any], Path]:
    """(the photo's provider id, a media job for it, the file that blocks it): the job downloads, then
    cannot be kept while a plain file stands where its account's folder goes (an OSError, retried until
    Pub/Sub gives up). Removing the file is the fix."""
    photo_id = f"wamid.{uuid.uuid4().hex}"
    photo = {
        "from": new_customer(),
        "id": photo_id,
        "timestamp": str(int(time.time())),
        "type": "image",
        "image": {"id": "404404", "mime_type": "image/png", "sha256": "x"},  # Meta never had it: failed
    }
    payload = whatsapp_envelope([photo], contacts=[{"profile": {"name": "Ana"}, "wa_id": photo["from"]}])
    assert post_signed(http, f"{stack.functions_url}/webhook_whatsapp", payload, SECRET).status_code == 200
    wait_until(lambda: media_status(db, photo_id) == "failed", what="the first fetch failed")
    account = f"dlq{uuid.uuid4().hex[:12]}"
    blocker = Path(stack.env["MEDIA_DIR"]) / "whatsapp" / account
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a folder")
    job = {
        "message_id": message_doc_id("whatsapp", photo_id),
        "channel": "whatsapp",
        "account_id": account,
        "kind": "image",
        "media_id": stack.graph.add_media(b"\x89PNG fake", "image/png"),
    }
    return photo_id, job, blocker


def test_a_dead_letter_is_replayed_once_from_the_console_after_the_fix(
    stack,
    http,
    firestore_db,
    admin,
    staff,
    console,
    publisher,  # noqa: F811
):
    photo_id, job, blocker = blocked_media_job(stack, http, firestore_db)
    publish(stack, publisher, topics.MEDIA, json.dumps(job).encode())

    def kept() -> list[tuple[str, dict[str, Any]]]:
        query = firestore_db.collection("dead_letters").where(
            filter=FieldFilter("consumer", "==", "media_fetch")
        )
        found = query.stream()
        return [(s.id, d) for s in found if json.loads((d := s.to_dict() or {})["data"]) == job]

    ((letter_id, letter),) = wait_until(kept, what="the job kept in dead_letters", timeout_s=120)
    assert (letter["topic"], letter["attempts"], letter["state"], letter["replayable"]) == (
        topics.MEDIA,
        5,
        "dead",
        True,
    )
    assert firestore_db.collection("omni_logs").document(letter_id).get().get("kind") == "dead_lettered"

    listed = console("GET", "/dead-letters?consumer=media_fetch&state=dead", admin)
    assert listed.status_code == 200, listed.text
    assert letter_id in [item["id"] for item in listed.json()["items"]]
    shown = console("GET", f"/dead-letters/{letter_id}", admin).json()["letter"]
    assert shown["payloadFormat"] == "json" and json.loads(shown["payload"]) == job

    agent = staff("agent", ["support"])
    assert console("GET", "/dead-letters", agent).status_code == 403
    assert console("POST", f"/dead-letters/{letter_id}/replay", agent).status_code == 403
    assert firestore_db.collection("dead_letters").document(letter_id).get().get("state") == "dead"

    blocker.unlink()  # the fix
    replayed = console("POST", f"/dead-letters/{letter_id}/replay", admin)
    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["letter"]["replayedBy"] == admin.uid
    wait_until(
        lambda: media_status(firestore_db, photo_id) == "stored", what="the photo kept after the replay"
    )
    assert (blocker / f"{job['message_id']}.png").read_bytes() == b"\x89PNG fake"

    again = console("POST", f"/dead-letters/{letter_id}/replay", admin)
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    doc = firestore_db.collection("dead_letters").document(letter_id).get().to_dict() or {}
    assert (doc["state"], doc["replays"], doc["replayedBy"]) == ("replayed", 1, admin.uid)
    assert check_document(parse().tables["dead_letters"], doc) == []  # as docs/data-model.md says
    audit = (
        firestore_db.collection("audit_logs").where(filter=FieldFilter("target.id", "==", letter_id)).stream()
    )
    assert [a.get("action") for a in audit] == ["dead_letters.replay"]
    # Nothing failed this time: the job's only log entry is the dead letter.
    logged = firestore_db.collection("omni_logs").where(
        filter=FieldFilter("messageId", "==", job["message_id"])
    )
    assert [entry.get("kind") for entry in logged.stream()] == ["dead_lettered"]
