"""The console's campaigns on the emulators: a supervisor checks a CSV and creates a campaign through
`console_api`, the Cloud Tasks stand-in's tasks call campaign_send, Graph's stand-in receives each message
once, and the progress the console polls reaches 100 %; a personalised campaign previewed for its first
three recipients (nothing written) sends what the preview showed; a template sync asked by the console is
done by campaign_send (the function with the tokens), and so is a template written in the console."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from google.cloud.firestore import FieldFilter

from atende.dev.polling import wait_until
from tests.integration.test_campaigns import ACCOUNT, audience, received, warm_up

WABA = "102290129340398"  # dev/channels.json: the demo number's WhatsApp Business Account

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def console(stack, staff):
    """console_api as the browser calls it; the catalog synced first through it (the stack seeds nothing)."""
    warm_up(stack)
    http = httpx.Client(timeout=30)

    def call(method: str, path: str, who, body: object = None):
        headers = {"Authorization": f"Bearer {who.id_token}"}
        return http.request(method, f"{stack.functions_url}/console_api/{path}", json=body, headers=headers)

    synced_through(call, staff("admin", ["support"]))
    yield call
    http.close()


def synced_through(console, admin) -> list[dict]:
    """Ask for a sync and wait until the templates' `syncedAt` passes the request: campaign_send did it."""
    asked = console("POST", "templates/sync", admin, {"accountId": ACCOUNT})
    assert asked.status_code == 200, asked.text

    def synced():
        templates = console("GET", f"templates?accountId={ACCOUNT}", admin).json()["templates"]
        fresh = [t for t in templates if (t["syncedAt"] or 0) >= asked.json()["requestedAt"] - 1000]
        return fresh or None

    return wait_until(synced, what="campaign_send synced the templates", timeout_s=30)


def test_a_supervisor_creates_a_campaign_from_a_csv_and_watches_it_end(stack, console, staff, firestore_db):
    supervisor = staff("supervisor", ["billing"])
    agent = staff("agent", ["billing"])
    csv, phones = audience(4)
    csv += f"Repetido,+{phones[0]}\nSem número,12\n"

    assert console("POST", "campaigns/audience", agent, {"csv": csv}).status_code == 403
    report = console("POST", "campaigns/audience", supervisor, {"csv": csv}).json()
    assert report["summary"] == {"rows": 6, "valid": 4, "invalid": 1, "duplicates": 1}
    assert [(p["line"], p["reason"]) for p in report["problems"]] == [(6, "duplicate"), (7, "invalid")]

    body = {
        "name": f"Console {uuid.uuid4().hex[:6]}",
        "accountId": ACCOUNT,
        "template": {"name": "oferta_fibra", "language": "pt_BR", "params": ["cliente", "Oferta."]},
        "csv": csv,
        "ratePerSecond": 5,
        "start": True,
    }
    created = console("POST", "campaigns", supervisor, body)
    assert created.status_code == 200, created.text
    campaign_id = created.json()["campaign"]["id"]

    def finished():
        progress = console("GET", f"campaigns/{campaign_id}", supervisor).json()
        return progress if progress["percent"] == 100 else None

    progress = wait_until(finished, what="the campaign's progress at 100 %", timeout_s=60)
    counts = progress["counts"]
    assert progress["done"] == 4 and counts.get("sent", 0) + counts.get("delivered", 0) == 4
    assert progress["perSecond"] > 0  # four handed over within the last minute
    assert sorted(s["body"]["to"] for s in received(stack, phones)) == sorted(f"+{p}" for p in phones)

    sends = console("GET", f"campaigns/{campaign_id}/sends?pageSize=3", supervisor).json()
    following = console("GET", f"campaigns/{campaign_id}/sends?pageSize=3&cursor={sends['next']}", supervisor)
    assert [s["phone"] for s in sends["items"] + following.json()["items"]] == [f"+{p}" for p in phones]
    listed = console("GET", "campaigns", supervisor).json()["campaigns"]
    assert next(c for c in listed if c["id"] == campaign_id)["percent"] == 100

    messages = firestore_db.collection("messages").where(filter=FieldFilter("campaignId", "==", campaign_id))
    assert {m.get("campaignName") for m in messages.get()} == {body["name"]}  # what the timeline labels
    audit = firestore_db.collection("audit_logs").where(filter=FieldFilter("target.id", "==", campaign_id))
    assert sorted(e.get("action") for e in audit.get()) == ["campaigns.create", "campaigns.start"]


def test_the_console_asks_campaign_send_to_sync_the_templates(console, staff):
    supervisor = staff("supervisor", ["sales"])
    fresh = synced_through(console, supervisor)
    offer = next(t for t in fresh if t["name"] == "oferta_fibra")
    assert (offer["status"], offer["params"]) == ("APPROVED", 2)
    assert time.time() * 1000 - offer["syncedAt"] < 60_000


def test_a_template_written_in_the_console_reaches_meta_through_campaign_send(
    stack, console, staff, firestore_db
):
    """The console holds no token: its request is a task; campaign_send POSTs it to `message_templates`; the
    list shows it PENDING meanwhile; a sync brings Meta's verdict (the stand-in approves on its next read)."""
    admin = staff("admin", ["support"])
    name = f"aviso_console_{uuid.uuid4().hex[:6]}"
    body = {
        "accountId": ACCOUNT,
        "name": name,
        "category": "UTILITY",
        "body": "Olá {{1}}, sua visita técnica é {{2}}.",
        "examples": ["Ana", "amanhã às 9h"],
        "header": "Visita técnica",
        "footer": "Fibra Rápida",
        "buttons": ["Confirmar", "Remarcar"],
    }
    assert console("POST", "templates", admin, body | {"body": "{{1}} chega amanhã"}).status_code == 422
    answer = console("POST", "templates", admin, body)
    assert answer.status_code == 202, answer.text

    def listed() -> dict:
        templates = console("GET", f"templates?accountId={ACCOUNT}", admin).json()["templates"]
        return next(t for t in templates if t["name"] == name)

    assert (listed()["status"], listed()["syncedAt"]) == ("PENDING", None)  # written here, not yet synced

    doc = firestore_db.collection("templates").document(f"{ACCOUNT}_{name}_pt_BR")
    wait_until(
        lambda: (doc.get().to_dict() or {}).get("metaId"), what="campaign_send submitted it", timeout_s=30
    )
    at_meta = next(t for t in stack.graph.templates[WABA] if t["name"] == name)
    assert [c["type"] for c in at_meta["components"]] == ["HEADER", "BODY", "FOOTER", "BUTTONS"]
    assert at_meta["components"][1]["example"] == {"body_text": [["Ana", "amanhã às 9h"]]}

    assert console("POST", "templates/sync", admin, {"accountId": ACCOUNT}).status_code == 200
    created = wait_until(
        lambda: (lambda t: t if t["syncedAt"] else None)(listed()), what="synced", timeout_s=30
    )
    assert (created["status"], created["params"], created["category"]) == ("APPROVED", 2, "UTILITY")


def test_the_preview_shows_what_campaign_send_then_writes_and_stores_nothing(
    stack, console, staff, firestore_db
):
    supervisor = staff("supervisor", ["sales"])
    csv, phones = audience(4)
    offer = {"name": "oferta_fibra", "language": "pt_BR", "params": ["-", "Oferta."], "personalised": 1}
    form = {
        "accountId": ACCOUNT,
        "template": offer,
        "csv": csv,
        "personalise": "{{ first_name }}, do {{ phone[-4:] }}",
    }
    campaigns = firestore_db.collection("campaigns")
    before = campaigns.count().get()[0][0].value
    answer = console("POST", "campaigns/preview", supervisor, form)
    assert answer.status_code == 200, answer.text
    samples = answer.json()["samples"]
    assert [(s["phone"], s["personal"]) for s in samples] == [
        (f"+{p}", f"Cliente, do {p[-4:]}") for p in phones[:3]
    ]  # three of the four, each written by the local engine
    assert samples[0]["text"] == (
        f"Olá, Cliente, do {phones[0][-4:]}! Oferta. Para não receber mais ofertas, responda SAIR."
    )
    assert campaigns.count().get()[0][0].value == before  # a preview is not a campaign

    created = console("POST", "campaigns", supervisor, form | {"name": "Prévia", "start": True}).json()
    campaign_id = created["campaign"]["id"]
    wait_until(
        lambda: console("GET", f"campaigns/{campaign_id}", supervisor).json()["percent"] == 100 or None,
        what="the personalised campaign sent",
        timeout_s=60,
    )
    items = console("GET", f"campaigns/{campaign_id}/sends", supervisor).json()["items"]
    assert [s["personal"] for s in items[:3]] == [s["personal"] for s in samples]  # what the preview showed
    sent = {m["body"]["to"]: m["body"] for m in received(stack, phones)}
    first = sent[f"+{phones[0]}"]["template"]["components"][0]["parameters"][0]["text"]
    assert first == samples[0]["personal"]
