"""Follow-ups on the real Firestore emulator, time injected (never slept): each trigger fires once at its
time and not before, quiet hours defer it, SAIR stops it (and is confirmed), two ticks at once send once,
entities arrive through the signed `events` function and from the demo ERP, and an e-mail's unsubscribe
link works end to end through the SendGrid stand-in."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import flask
import pytest
from google.cloud import firestore

from atende.adapters.firestore.settings import FirestoreLogReader, FirestoreSettingsStore
from atende.adapters.firestore.unit_of_work import FirestoreUnitOfWork
from atende.adapters.firestore_config import FirestoreConfigSource
from atende.adapters.firestore_entities import ErpEntities, FirestoreTemplates, StoredEntities
from atende.adapters.sendgrid_mail import SendGridMailer
from atende.dev import sendgrid_standin
from atende.domain.content import Text
from atende.domain.events import InboundMessage, Sender
from atende.domain.model import Channel, Role
from atende.domain.staff import Actor
from atende.engines.local import LocalEngine
from atende.entrypoints import console_http, events_http, unsubscribe_http
from atende.erp.demo import DemoErp, MemoryDemoState
from atende.services.attendant_config import AttendantConfig
from atende.services.entities import EntityIntake
from atende.services.followups import Followups
from atende.services.inbound import InboundService
from atende.services.settings.console import Console
from atende.services.unsubscribe import UnsubscribeLinks
from tests.fakes import FakeOutbox, FakeSecretStore

pytestmark = pytest.mark.integration
ACCOUNT = "106540352242922"
SP = ZoneInfo("America/Sao_Paulo")
HOUR = 3600.0
T0 = datetime(2026, 3, 9, 10, 0, tzinfo=SP).timestamp()  # a Monday, 10:00 in São Paulo
SECRET = "test-events-secret"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class World:
    """One emulator project: the inbound service, the follow-ups, the events function, SendGrid."""

    def __init__(self, db: firestore.Client, mail: sendgrid_standin.SendGridStandIn, mail_url: str) -> None:
        self.db, self.mail = db, mail
        self.clock = Clock(T0)
        self.outbox = FakeOutbox()
        self.uow = lambda: FirestoreUnitOfWork(db)
        config = AttendantConfig(FirestoreConfigSource(db), ttl_s=0)
        self.inbound = InboundService(
            uow=self.uow,
            engine=LocalEngine(config.flows),
            outbound=self.outbox,
            config=config,
            erp=DemoErp(),
            clock=self.clock,
        )
        self.intake = EntityIntake(self.uow, clock=self.clock)
        self.links = UnsubscribeLinks("test-unsubscribe", "http://127.0.0.1/unsubscribe")
        self.erp = DemoErp(state=MemoryDemoState(), now=lambda: datetime.fromtimestamp(self.clock.now, SP))
        self.erp_enabled = False
        self.followups = Followups(
            uow=self.uow,
            policy=config.followups,
            sources=[StoredEntities(self.uow), ErpEntities(self._erp_entities)],
            outbound=self.outbox,
            templates=FirestoreTemplates(db),
            mailer=lambda: SendGridMailer(sendgrid_standin.DEV_API_KEY, mail_url, "contato@atende.dev"),
            unsubscribe_url=self.links.url_for,
            clock=self.clock,
        )
        db.collection("templates").document(f"{ACCOUNT}_retomar_atendimento_pt_BR").set(
            {"accountId": ACCOUNT, "name": "retomar_atendimento", "language": "pt_BR", "status": "APPROVED"}
        )

    def _erp_entities(self):
        return self.erp.business_entities() if self.erp_enabled else []

    def say(self, wa_id: str, text: str, name: str = "Maria Silva") -> str | None:
        message = InboundMessage(
            channel=Channel.WHATSAPP,
            account_id=ACCOUNT,
            provider_message_id=f"wamid.{uuid.uuid4().hex}",
            sender=Sender(id=wa_id, name=name, phone=f"+{wa_id}"),
            timestamp=self.clock.now,
            content=Text(),
            text=text,
        )
        outcome = self.inbound.handle(message)
        if outcome.reply_message_id is None:
            return None
        return self.db.collection("messages").document(outcome.reply_message_id).get().get("text")

    def push(self, *entities: dict, secret: str = SECRET, stamp: float | None = None) -> tuple[int, dict]:
        body = json.dumps({"entities": list(entities)}).encode()
        ts = str(int(stamp if stamp is not None else time.time()))
        headers = {
            events_http.TIMESTAMP_HEADER: ts,
            events_http.SIGNATURE_HEADER: events_http.signature(secret, ts, body),
        }
        app = flask.Flask(__name__)
        with app.test_request_context("/", method="POST", data=body, headers=headers):
            response = events_http.handle(flask.request, lambda: self.intake, SECRET)
        return response.status_code, response.get_json()

    def console(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        """console_api's handler as the browser calls it, as an admin, over this project's Firestore."""
        console = Console.build(
            FirestoreSettingsStore(self.db), FirestoreLogReader(self.db), FakeSecretStore(), lambda a: None
        )
        app = flask.Flask(__name__)
        with app.test_request_context(path, method=method, json=body):
            response = console_http.handle(flask.request, lambda: console, lambda: _Admin(), ())
        return response.status_code, response.get_json()

    def followup_messages(self) -> list[dict]:
        docs = (
            self.db.collection("messages")
            .where(filter=firestore.FieldFilter("followupRule", ">", ""))
            .stream()
        )
        return [d.to_dict() for d in docs]

    def record(self, rule: str) -> dict | None:
        found = [d.to_dict() for d in self.db.collection("followups").stream() if d.id.startswith(rule)]
        return found[0] if found else None


class _Admin:
    def verify(self, authorization: str | None) -> Actor:
        return Actor(uid="admin-fu", role=Role.ADMIN, name="Admin")


@pytest.fixture
def world(stack) -> World:
    db = firestore.Client(project=f"demo-atende-fu-{uuid.uuid4().hex[:6]}")
    return World(db, stack.sendgrid, stack.env["SENDGRID_API_HOST"])


def iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat()


def test_48h_fires_once_after_48_hours_and_two_ticks_at_once_send_it_once(world: World):
    wa_id = "55119" + str(uuid.uuid4().int)[:8]
    assert world.say(wa_id, "oi") is not None  # the bot answers: our message is the last
    world.clock.now = T0 + 47 * HOUR
    assert world.followups.run() == {}
    world.clock.now = T0 + 48.5 * HOUR
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: world.followups.run(), range(4)))
    world.followups.run()

    [message] = world.followup_messages()
    assert message["followupRule"] == "followup_48h" and message["kind"] == "template"
    assert message["content"]["name"] == "retomar_atendimento" and message["content"]["params"] == ["Maria"]
    record = world.record("followup_48h")
    assert record["status"] == "sent"
    assert [m for m, _ in world.outbox.queued].count(record["messageId"]) == 1  # handed to outbound once
    conversation = world.db.collection("conversations").document(message["conversationId"]).get().to_dict()
    assert "awaitingReplySince" not in conversation
    events = [
        d.to_dict()["event"]
        for d in world.db.collection("messages")
        .where(filter=firestore.FieldFilter("conversationId", "==", message["conversationId"]))
        .stream()
        if d.to_dict().get("event")
    ]
    assert [(e["type"], e["rule"]) for e in events] == [("followup", "followup_48h")]
    logs = [d.to_dict() for d in world.db.collection("omni_logs").stream()]
    assert any(log["kind"] == "followup" and log["result"] == "sent" for log in logs)
    assert any(log["kind"] == "tick" for log in logs)

    # the customer answers the follow-up: the conversation simply goes on
    assert world.say(wa_id, "oi, ainda preciso de ajuda") is not None


def test_a_rule_changed_in_the_console_is_what_the_next_tick_sends(world: World):
    wa_id = "55119" + str(uuid.uuid4().int)[:8]
    world.say(wa_id, "oi")
    status, answer = world.console(
        "PUT", "/followups", {"rules": {"followup_48h": {"delay_hours": 2, "enabled": False}}}
    )
    assert status == 200 and answer["overridden"]["rules"] == {"followup_48h": ["delay_hours", "enabled"]}
    world.clock.now = T0 + 3 * HOUR
    world.followups.run()
    assert world.followup_messages() == [] and world.record("followup_48h") is None  # disabled: nothing

    status, answer = world.console("PUT", "/followups", {"rules": {"followup_48h": {"delay_hours": -2}}})
    assert status == 422 and "rules.followup_48h.delay_hours" in answer["error"]["message"]
    text = "Oi, {{ contact.first_name }}! Ficou alguma dúvida?"
    rule = {"delay_hours": 2, "messages": {"default": {"pt": text}}}
    assert world.console("PUT", "/followups", {"rules": {"followup_48h": rule}})[0] == 200
    world.followups.run()

    [message] = world.followup_messages()  # 3 h of silence, inside the 24 h window: free text
    assert message["followupRule"] == "followup_48h" and message["text"] == "Oi, Maria! Ficou alguma dúvida?"
    audit = [d.to_dict() for d in world.db.collection("audit_logs").stream()]
    changes = [a["action"] for a in audit if a["target"] == {"collection": "config", "id": "followups"}]
    assert changes == ["settings.update"] * 2  # the refused one wrote nothing


def test_quiet_hours_defer_and_sair_stops_follow_ups_with_a_confirmation(world: World):
    wa_id = "55119" + str(uuid.uuid4().int)[:8]
    world.say(wa_id, "oi")
    world.clock.now = datetime(2026, 3, 11, 21, 0, tzinfo=SP).timestamp()  # 59 h later, at night
    world.followups.run()
    assert world.followup_messages() == []
    confirmation = world.say(wa_id, "SAIR")
    assert confirmation and "não receberá mais mensagens automáticas" in confirmation
    world.clock.now += 60 * HOUR
    world.followups.run()
    assert world.followup_messages() == []
    assert world.record("followup_48h") is None  # the silence ended with SAIR: never due
    contact_id = world.db.collection("contact_identities").document(f"phone:+{wa_id}").get().get("contactId")
    opt_out = world.db.collection("contacts").document(contact_id).get().get("optOut")
    assert opt_out["all"] is True and opt_out["keyword"] == "sair"
    assert "voltará a receber" in (world.say(wa_id, "VOLTAR") or "")
    assert world.db.collection("contacts").document(contact_id).get().to_dict().get("optOut") is None


def test_entities_pushed_to_events_follow_up_once_each_at_their_time(world: World):
    wa_id = "55119" + str(uuid.uuid4().int)[:8]
    world.say(wa_id, "oi")  # Maria has a conversation, and her window is open
    world.say(wa_id, "obrigada")
    contact = {"phone": f"+{wa_id}", "name": "Maria Silva"}
    status, body = world.push(
        {
            "kind": "payment",
            "externalId": "pix-1",
            "status": "pending",
            "since": iso(T0 - 11 * HOUR),
            "updatedAt": iso(T0 - 11 * HOUR),
            "contact": contact,
            "data": {"amount": "99.9"},
        },
        {
            "kind": "proposal",
            "externalId": "prop-1",
            "status": "sent",
            "since": iso(T0 - 23 * HOUR),
            "updatedAt": iso(T0 - 23 * HOUR),
            "contact": contact,
            "data": {"title": "Fibra 500 Mega"},
        },
    )
    assert status == 200 and [r["result"] for r in body["results"]] == ["created", "created"]
    world.followups.run()
    assert world.followup_messages() == []  # 11 h and 23 h: not yet

    # an older version arriving late changes nothing
    status, body = world.push(
        {
            "kind": "payment",
            "externalId": "pix-1",
            "status": "draft",
            "since": iso(T0 - 20 * HOUR),
            "updatedAt": iso(T0 - 20 * HOUR),
            "contact": contact,
        }
    )
    assert body["results"][0]["result"] == "stale"

    world.clock.now = T0 + 1.5 * HOUR
    world.followups.run()
    world.followups.run()
    texts = sorted(m["text"] for m in world.followup_messages())
    assert texts == [
        "Olá! Percebi que há um pagamento pendente de R$ 99,90. Posso ajudar a concluir? 💳",
        'Olá! Vi que você recebeu uma proposta para "Fibra 500 Mega". Gostaria de revisar? 📋',
    ]
    stored = world.db.collection("business_entities").document("payment_pix-1").get().to_dict()
    assert stored["followupPending"] is False and stored["status"] == "pending"


def test_the_events_function_refuses_what_is_not_signed_fresh_and_valid(world: World):
    entity = {
        "kind": "payment",
        "externalId": "x",
        "status": "pending",
        "since": iso(T0),
        "updatedAt": iso(T0),
    }
    assert world.push(entity, secret="wrong")[0] == 401
    assert world.push(entity, stamp=time.time() - 301)[0] == 401
    status, body = world.push({**entity, "kind": "invoice"})
    assert status == 422 and body["details"][0]["loc"][-1] == "kind"
    app = flask.Flask(__name__)
    with app.test_request_context("/", method="POST", data=b"x" * (events_http.MAX_BODY_BYTES + 1)):
        assert events_http.handle(flask.request, lambda: world.intake, SECRET).status_code == 413


def test_demo_erp_entities_follow_up_maria_s_pix_joao_s_proposal_and_the_sign_up(world: World):
    world.erp_enabled = True
    maria = world.erp.get_customer("1001")
    wa_id = maria.phones[0].lstrip("+")
    world.say(wa_id, "oi")
    world.followups.run()  # the demo's clock starts: Maria's PIX has been pending 13 h
    [message] = world.followup_messages()
    assert message["followupRule"] == "followup_pagamento" and "R$ 99,90" in message["text"]
    world.followups.run()
    assert len(world.followup_messages()) == 1
    # the sign-up and João have no conversation yet: decided once, as unreachable
    assert world.record("followup_onboarding")["reason"] == "unreachable"


def test_prospect_e_mail_through_sendgrid_and_its_unsubscribe_link_works(world: World):
    address = f"lead-{uuid.uuid4().hex[:6]}@example.com"
    before = len(world.mail.mail)
    world.push(
        {
            "kind": "prospect",
            "externalId": address,
            "status": "contacted",
            "since": iso(T0 - 73 * HOUR),
            "updatedAt": iso(T0 - 73 * HOUR),
            "contact": {"email": address, "name": "Carla Souza", "persona": "prospector"},
        }
    )
    world.followups.run()
    mail = world.mail.wait_for(before + 1)[-1]
    assert mail["personalizations"][0]["to"][0]["email"] == address
    assert mail["subject"].startswith("Carla,")
    assert world.record("followup_prospector")["status"] == "sent"
    link = mail["headers"]["List-Unsubscribe"].strip("<>")
    query = link.split("?", 1)[1]

    app = flask.Flask(__name__)
    with app.test_request_context(f"/?{query}", method="GET"):
        page = unsubscribe_http.handle(flask.request, lambda: world.intake, lambda: world.links)
    assert page.status_code == 200 and "Sim, cancelar" in page.get_data(as_text=True)
    with app.test_request_context(f"/?{query}", method="POST"):
        done = unsubscribe_http.handle(flask.request, lambda: world.intake, lambda: world.links)
    assert done.status_code == 200
    with app.test_request_context(f"/?{query.replace('s=', 's=0')}", method="POST"):
        forged = unsubscribe_http.handle(flask.request, lambda: world.intake, lambda: world.links)
    assert forged.status_code == 400

    # a new prospect period for the same address: not e-mailed, the choice is kept
    world.push(
        {
            "kind": "prospect",
            "externalId": address,
            "status": "contacted",
            "since": iso(T0 - 80 * HOUR + 10),
            "updatedAt": iso(T0),
            "contact": {"email": address, "name": "Carla Souza"},
        }
    )
    world.followups.run()
    assert len(world.mail.mail) == before + 1
    skipped = [
        d.to_dict()
        for d in world.db.collection("followups").stream()
        if d.to_dict().get("reason") == "opted_out"
    ]
    assert len(skipped) == 1


def test_what_follow_ups_write_is_what_docs_data_model_says(world: World):
    """Every document of this project, after a follow-up of each kind, against docs/data-model.md."""
    from tests.data_model_doc import check_document, parse

    wa_id = "55119" + str(uuid.uuid4().int)[:8]
    world.say(wa_id, "oi")
    contact = {"phone": f"+{wa_id}", "name": "Maria Silva", "channel": "whatsapp"}
    world.push(
        {
            "kind": "payment",
            "externalId": "pix-dm",
            "status": "pending",
            "since": iso(T0 - 40 * HOUR),
            "updatedAt": iso(T0 - 40 * HOUR),
            "contact": contact,
            "data": {"amount": "10"},
        },
        {
            "kind": "prospect",
            "externalId": "lead-dm",
            "status": "contacted",
            "since": iso(T0 - 80 * HOUR),
            "updatedAt": iso(T0 - 80 * HOUR),
            "contact": {"email": f"dm-{wa_id}@example.com", "name": "Davi"},
        },
    )
    world.clock.now = T0 + 49 * HOUR
    world.followups.run()
    world.intake.unsubscribe(f"dm-{wa_id}@example.com")
    world.say(wa_id, "PARAR")

    model = parse()
    problems = []
    for name in ("business_entities", "followups", "omni_logs", "conversations", "messages", "contacts"):
        docs = list(world.db.collection(name).stream())
        assert docs, name
        for snap in docs:
            table = model.table_for(name, snap.id)
            assert table is not None, name
            problems += [(name, snap.id, f) for f in check_document(table, snap.to_dict() or {})]
    assert problems == []


def test_through_the_running_stack_a_pushed_prospect_is_e_mailed_and_unsubscribes(stack, firestore_db, http):
    """The deployed shape end to end: `events` (signed HTTP), the tick on Pub/Sub (`atende tick`'s
    publish), `automation_tick` e-mailing through the SendGrid stand-in, and the link to `unsubscribe`."""
    from atende.dev.polling import wait_until
    from atende.dev.scheduler import publish_tick
    from atende.dev.stack import DEV_SECRETS

    config = firestore_db.collection("config").document("followups")
    config.set(
        {"send_window": {"start": "00:00", "end": "23:59", "weekdays": list("0123456"), "holidays": []}}
    )
    try:
        address = f"e2e-{uuid.uuid4().hex[:8]}@example.com"
        now = time.time()
        body = json.dumps(
            {
                "entities": [
                    {
                        "kind": "prospect",
                        "externalId": address,
                        "status": "contacted",
                        "since": iso(now - 80 * HOUR),
                        "updatedAt": iso(now),
                        "contact": {"email": address, "name": "Elisa Prado", "persona": "prospector"},
                    }
                ]
            }
        ).encode()
        stamp = str(int(now))
        signature = events_http.signature(DEV_SECRETS["EVENTS_SECRET"], stamp, body)
        headers = {events_http.TIMESTAMP_HEADER: stamp, events_http.SIGNATURE_HEADER: signature}
        pushed = http.post(f"{stack.functions_url}/events", content=body, headers=headers)
        assert pushed.status_code == 200, pushed.text
        assert http.post(f"{stack.functions_url}/events", content=body).status_code == 401

        publish_tick(stack.config.project)
        mail = wait_until(
            lambda: next(
                (m for m in stack.sendgrid.mail if m["personalizations"][0]["to"][0]["email"] == address),
                None,
            ),
            "the follow-up e-mail",
            timeout_s=30,
        )
        link = mail["headers"]["List-Unsubscribe"].strip("<>")
        assert link.startswith(f"{stack.functions_url}/unsubscribe?")
        assert "Sim, cancelar" in http.get(link).text
        assert http.post(link).status_code == 200

        key = f"email:{address}"
        contact_id = firestore_db.collection("contact_identities").document(key).get().get("contactId")
        opt_out = firestore_db.collection("contacts").document(contact_id).get().get("optOut")
        assert opt_out["channels"] == ["email"]
    finally:
        config.delete()
