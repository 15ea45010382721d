"""docs/data-model.md matches what the running stack writes.

The module drives the real stack through its main paths (a WhatsApp conversation answered, verified
against the demo ERP and read; a handoff and the silence after it; Messenger with echoes and a read
watermark; a photo kept and a voice note that cannot be; statuses for messages not known yet; a refused
and a failed send; an agent continuing on another channel; every recorded Meta payload), then reads
every document of every collection from the Firestore emulator and compares each with the page.

Only documents written while this module ran are compared: the emulator is shared by the whole test
session, and other tests plant documents of their own (the rules matrix writes `{"x": 1}` everywhere).
Subcollections are not read: nothing writes one yet (the planned campaign sends will).
"""

from __future__ import annotations

import json
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from atende.adapters.firestore.unit_of_work import FirestoreUnitOfWork
from atende.dev.auth_emulator import sign_in_with_custom_token
from atende.dev.graph_standin import Fault
from atende.dev.payloads import post_signed, whatsapp_envelope, whatsapp_text
from atende.dev.polling import wait_until
from atende.dev.seed import DEMO_SITE_KEY, seed_demo_site
from atende.dev.simulator.payloads import DEMO_PAGE_ID
from atende.dev.stack import DEV_SECRETS
from atende.domain.channels import ChannelConfig, ChannelRegistry
from atende.domain.events import InboundMessage
from atende.domain.model import Channel, Role, message_doc_id
from atende.domain.staff import StaffMember
from atende.domain.visitor import identity_hash
from atende.services.contacts import ContactService
from tests.auth_tokens import bearer
from tests.data_model_doc import DataModel, check_document, parse
from tests.meta_webhooks import FIXTURES, FOLDERS, PARSERS, PNG, SECRET

pytestmark = pytest.mark.integration
UNFINISHED_SENDS = ("queued", "sending")


class MainPaths:
    """What customers and Meta do to the stack; remembers every inbound message to wait for."""

    def __init__(self, stack, http, db) -> None:
        self.stack, self.http, self.db = stack, http, db
        self.inbound: list[str] = []  # message document ids

    def post(self, channel: str, payload: dict[str, Any]) -> None:
        response = post_signed(self.http, f"{self.stack.functions_url}/webhook_{channel}", payload, SECRET)
        assert response.status_code == 200, response.text

    def message(self, message_id: str) -> dict[str, Any]:
        return self.db.collection("messages").document(message_id).get().to_dict() or {}

    def handled(self, message_id: str) -> dict[str, Any]:
        return wait_until(
            lambda: (d := self.message(message_id)).get("handled") and d, f"{message_id} handled"
        )

    def reply_sent(self, message_id: str) -> dict[str, Any]:
        """The Graph stand-in's record of the reply to an inbound message."""
        reply_id = wait_until(lambda: self.message(message_id).get("replyMessageId"), "a reply")
        provider = wait_until(lambda: self.message(reply_id).get("providerMessageId"), "the reply sent")
        return next(s for s in self.stack.graph.sent if s["id"] == provider)

    def whatsapp(self, wa_id: str, text: str, name: str = "Cliente Teste", **kwargs: Any) -> str:
        provider_id = f"wamid.{uuid.uuid4().hex}"
        self.post("whatsapp", whatsapp_text(text, wa_id=wa_id, name=name, message_id=provider_id, **kwargs))
        self.inbound.append(message_doc_id("whatsapp", provider_id))
        return message_doc_id("whatsapp", provider_id)

    def whatsapp_status(self, wa_id: str, provider_id: str, status: str, errors: list | None = None) -> None:
        item = {
            "id": provider_id,
            "status": status,
            "timestamp": str(int(time.time())),
            "recipient_id": wa_id,
        }
        if errors:
            item["errors"] = errors
        self.post("whatsapp", whatsapp_envelope(statuses=[item]))

    def messenger(self, psid: str, event: dict[str, Any], *, echo: bool = False) -> None:
        now = int(time.time() * 1000)
        sender, recipient = (DEMO_PAGE_ID, psid) if echo else (psid, DEMO_PAGE_ID)
        item = {"sender": {"id": sender}, "recipient": {"id": recipient}, "timestamp": now, **event}
        self.post(
            "messenger", {"object": "page", "entry": [{"id": DEMO_PAGE_ID, "time": now, "messaging": [item]}]}
        )

    # -- the paths -----------------------------------------------------------------------------------

    def answered_verified_and_read(self) -> None:
        """Maria's slow internet: CPF and birth date checked, a visit booked, the first reply read."""
        self.db.collection("erp_demo").document("1001").delete()  # the seed's free visit slots
        wa_id = new_wa_id()
        first = self.whatsapp(wa_id, "a internet está muito lenta", "Maria Silva")
        sent = self.reply_sent(first)
        for status in ("sent", "delivered", "read"):
            self.whatsapp_status(wa_id, sent["id"], status)
        reply_id = self.message(first)["replyMessageId"]
        wait_until(lambda: self.message(reply_id).get("status") == "read", "the reply read")
        for text in ("111.111.111-11", "12/03/1985", "não, continua igual", "1"):
            self.reply_sent(self.whatsapp(wa_id, text, "Maria Silva"))

    def handed_off_then_quiet(self) -> None:
        wa_id = new_wa_id()
        self.reply_sent(self.whatsapp(wa_id, "quero falar com um atendente"))
        later = self.whatsapp(wa_id, "alô? tem alguém?")
        assert self.handled(later)["decision"]["reason"] == "waiting_for_human"

    def messenger_with_echoes(self) -> None:
        psid = str(uuid.uuid4().int)[:16]
        mid = f"m_{uuid.uuid4().hex}"
        self.messenger(psid, {"message": {"mid": mid, "text": "oi"}})
        self.inbound.append(message_doc_id("messenger", mid))
        sent = self.reply_sent(message_doc_id("messenger", mid))
        echo = {"mid": sent["id"], "text": sent["body"]["message"]["text"], "is_echo": True}
        self.messenger(psid, {"message": echo}, echo=True)  # our own send: not stored again
        inbox_mid = f"m_{uuid.uuid4().hex}"
        typed = {
            "mid": inbox_mid,
            "text": "Aqui é a Carla, do suporte",
            "is_echo": True,
            "app_id": 263902037430900,
        }
        self.messenger(psid, {"message": typed}, echo=True)  # typed in the Page inbox: an agent message
        self.inbound.append(message_doc_id("messenger", inbox_mid))
        future = int(time.time() * 1000) + 60_000
        self.messenger(psid, {"read": {"watermark": future}})
        reply_id = self.message(message_doc_id("messenger", mid))["replyMessageId"]
        wait_until(lambda: self.message(reply_id).get("status") == "read", "read by watermark")

    def media(self) -> None:
        wa_id = new_wa_id()
        photo = {"id": f"wamid.{uuid.uuid4().hex}", "type": "image"}
        photo["image"] = {"id": self.stack.graph.add_media(PNG, "image/png"), "mime_type": "image/png"}
        voice = {"id": f"wamid.{uuid.uuid4().hex}", "type": "audio", "audio": {"id": "404404", "voice": True}}
        for m in (photo, voice):
            m |= {"from": wa_id, "timestamp": str(int(time.time()))}
            self.inbound.append(message_doc_id("whatsapp", m["id"]))
        contacts = [{"profile": {"name": "Bia"}, "wa_id": wa_id}]
        self.post("whatsapp", whatsapp_envelope([photo, voice], contacts=contacts))
        for m, outcome in ((photo, "stored"), (voice, "failed")):
            message_id = message_doc_id("whatsapp", m["id"])
            wait_until(
                lambda i=message_id, o=outcome: self.message(i).get("media", {}).get("status") == o, outcome
            )

    def statuses_before_their_message(self) -> None:
        self.whatsapp_status(new_wa_id(), f"wamid.{uuid.uuid4().hex}", "delivered")

    def failures(self) -> None:
        """Meta refuses one reply, a status reports another failed, and one is refused before Meta."""
        self.settle()  # nothing of ours in flight: the fault below meets this path's first reply
        refused_by_meta = {"message": "Receiver is incapable of receiving this message", "code": 131026}
        self.stack.graph.fail_next(Fault(400, {"error": refused_by_meta | {"error_data": {"details": "x"}}}))
        wa_id = new_wa_id()
        first = self.whatsapp(wa_id, "oi")
        reply = wait_until(lambda: self.message(first).get("replyMessageId"), "a reply")
        # Another test's send still in flight may take the fault instead; either way it is consumed now.
        wait_until(lambda: self.message(reply).get("status") not in UNFINISHED_SENDS, "the send ended")
        second = self.whatsapp(wa_id, "oi de novo")
        sent = self.reply_sent(second)
        undeliverable = [
            {"code": 131026, "title": "Undeliverable", "error_data": {"details": "Undeliverable."}}
        ]
        self.whatsapp_status(wa_id, sent["id"], "failed", undeliverable)
        reply = self.message(second)["replyMessageId"]
        wait_until(lambda: self.message(reply).get("status") == "failed", "the failed status")
        self.whatsapp(new_wa_id(), "ainda estão aí?", timestamp=time.time() - 26 * 3600)  # window closed

    def agent_continues_on_messenger(self) -> None:
        wa_id = new_wa_id()
        first = self.whatsapp(wa_id, "oi")
        contact_id = wait_until(lambda: self.message(first).get("contactId"), "the contact")
        registry = ChannelRegistry([ChannelConfig(Channel.MESSENGER, DEMO_PAGE_ID, "MESSENGER_PAGE_TOKEN")])
        contacts = ContactService(lambda: FirestoreUnitOfWork(self.db), lambda: registry)
        assert contacts.link_identity(contact_id, f"messenger:{uuid.uuid4().int % 10**16}")
        assert contacts.continue_on(contact_id, "messenger").created

    def agent_works_a_handoff(self) -> None:
        """A person through `inbox_api`: online, takes the handed-off customer, answers, notes, labels,
        snoozes, sets the priority and hands it to another team (users, audit_logs, timeline events,
        agent messages and notes)."""
        uid = f"agent-{uuid.uuid4().hex[:6]}"
        teams = ["support", "billing", "sales", "retention"]
        with FirestoreUnitOfWork(self.db) as uow:
            uow.staff.add(
                StaffMember(
                    uid=uid,
                    display_name="Ana",
                    email="ana@test.atende.dev",
                    role=Role.AGENT,
                    teams=tuple(teams),
                    capacity=3,
                    created_at=time.time(),
                )
            )
            uow.commit()
        who = bearer(self.stack.config.project, uid, role="agent", teams=teams, name="Ana")

        def act(action: str, **body: Any) -> dict[str, Any]:
            answer = self.http.post(f"{self.stack.functions_url}/inbox_api/{action}", json=body, headers=who)
            assert answer.status_code == 200, answer.text
            return answer.json()

        wa_id = new_wa_id()
        first = self.whatsapp(wa_id, "quero falar com um atendente")
        conv = wait_until(lambda: self.message(first).get("conversationId"), "the conversation")
        wait_until(lambda: self.handled(first), "the handoff")
        act("take", conversationId=conv)
        reply = act("send", conversationId=conv, clientId="dm-1", text="Olá, sou a Ana.")["messageId"]
        act("note", conversationId=conv, clientId="dm-2", text="Cliente com pressa")
        act("labels", conversationId=conv, add=["fatura"], remove=[])
        act("priority", conversationId=conv, priority="high")
        act("snooze", conversationId=conv, until=int((time.time() + 3600) * 1000))
        act("read", conversationId=conv)
        act("transfer", conversationId=conv, team="billing", note="Segunda via")
        act("availability", availability="away")
        wait_until(
            lambda: self.message(reply).get("status") not in UNFINISHED_SENDS, "the agent's reply sent"
        )

    def web_chat(self) -> None:
        """A visitor of the demo site: a session with the pre-chat form, one proven by the site's secret,
        a text, a photo, receipts and the offline form (sites, visitors, rate_limits, web-chat messages)."""
        origin = self.stack.demo_site_origins[0]
        seed_demo_site(self.db, self.stack.demo_site_origins)

        def call(route: str, token: str | None = None, **kw: Any) -> dict[str, Any]:
            headers = {"Origin": origin, **({"Authorization": f"Bearer {token}"} if token else {})}
            headers |= kw.pop("headers", {})
            url = f"{self.stack.functions_url}/webchat/{route}"
            answer = self.http.post(url, headers=headers, params={"site": DEMO_SITE_KEY}, **kw)
            assert answer.status_code in (200, 202), answer.text
            return answer.json()

        def session(**body: Any) -> str:
            custom = call("session", json={"siteKey": DEMO_SITE_KEY, **body})["token"]
            return sign_in_with_custom_token(self.stack.auth_url, custom)

        secret = DEV_SECRETS["WEBCHAT_SECRET_DEMO"]
        cpf = "22222222222"
        proven = session(identifier=cpf, identifierHash=identity_hash(secret, cpf), locale="pt-BR")
        self.inbound.append(
            call("messages", proven, json={"clientId": str(uuid.uuid4()), "text": "oi"})["messageId"]
        )
        visitor = session(name="Visitante", email="visitante@exemplo.com", phone="(11) 91234-5678")
        text = call("messages", visitor, json={"clientId": str(uuid.uuid4()), "text": "qual o horário?"})
        self.inbound.append(text["messageId"])
        path = call("uploads", visitor, content=PNG, headers={"Content-Type": "image/png"})["path"]
        photo = {"clientId": str(uuid.uuid4()), "text": "a conta", "attachment": {"path": path}}
        self.inbound.append(call("messages", visitor, json=photo)["messageId"])
        reply_id = wait_until(
            lambda: self.message(text["messageId"]).get("replyMessageId"), "a web-chat reply"
        )
        wait_until(lambda: self.message(reply_id).get("status") == "sent", "the web-chat reply sent")
        call("receipts", visitor, json={"messageIds": [reply_id], "status": "read"})
        wait_until(lambda: self.message(reply_id).get("status") == "read", "the visitor's read receipt")
        form = {"name": "Visitante", "phone": "11912345678", "text": "me liguem amanhã"}
        self.inbound.append(call("leave-message", visitor, json=form)["messageId"])

    def every_recorded_payload(self) -> None:
        """Every kind Meta sends; the recordings share message ids, so each file gets fresh ones."""
        for number, path in enumerate(sorted(FIXTURES.glob("*/*.json"))):
            if path.name.startswith(("message-response", "send-message")):
                continue  # Graph request and response bodies, not webhooks
            channel = FOLDERS[path.parent.name]
            parse = PARSERS[channel]
            payload = json.loads(path.read_bytes())
            ids = {e.provider_message_id for e in parse(payload).events if e.provider_message_id}
            payload = renamed(payload, {i: f"{i}.dm{number}{uuid.uuid4().hex[:8]}" for i in ids})
            for event in parse(payload).events:
                if isinstance(event, InboundMessage):
                    self.inbound.append(event.message_id)
            self.post(channel, payload)

    def settle(self) -> None:
        """Every inbound message handled, and every reply to it sent or failed."""
        for message_id in self.inbound:
            doc = self.handled(message_id)
            reply_id = doc.get("replyMessageId")
            if reply_id:
                wait_until(
                    lambda r=reply_id: self.message(r).get("status") not in UNFINISHED_SENDS,
                    f"{reply_id} sent",
                )


def renamed(value: Any, names: dict[str, str]) -> Any:
    """`value` with every string that is a key of `names` replaced (ids, and references to them)."""
    if isinstance(value, dict):
        return {k: renamed(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [renamed(v, names) for v in value]
    return names.get(value, value) if isinstance(value, str) else value


def new_wa_id() -> str:
    return "55119" + str(uuid.uuid4().int)[:8]


Documents = dict[str, dict[str, dict[str, Any]]]  # collection -> document id -> data


def written_since(db, started: datetime) -> Documents:
    found: Documents = defaultdict(dict)
    for collection in db.collections():
        for snap in collection.stream():
            if snap.update_time >= started:
                found[collection.id][snap.id] = snap.to_dict() or {}
    return dict(found)


@pytest.fixture(scope="module")
def written(stack, firestore_db) -> Documents:
    started = datetime.now(UTC)
    with httpx.Client(timeout=15) as http:
        drive(MainPaths(stack, http, firestore_db))
    return written_since(firestore_db, started)


def drive(paths: MainPaths) -> None:
    paths.answered_verified_and_read()
    paths.handed_off_then_quiet()
    paths.messenger_with_echoes()
    paths.media()
    paths.statuses_before_their_message()
    paths.failures()
    paths.agent_continues_on_messenger()
    paths.agent_works_a_handoff()
    paths.web_chat()
    paths.every_recorded_payload()
    paths.settle()


@pytest.fixture(scope="module")
def model() -> DataModel:
    model = parse()
    assert model.problems == [], model.problems
    return model


def disagreements(model: DataModel, written: Documents, kinds: tuple[str, ...]) -> Iterator[str]:
    """One line per (table, field, problem), with how many documents and one of them."""
    seen: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for collection, documents in written.items():
        for doc_id, data in documents.items():
            table = model.table_for(collection, doc_id)
            if table is None:
                continue
            for finding in check_document(table, data):
                if finding.problem.startswith(kinds):
                    seen[(table.name, finding.path, finding.problem)].append(f"{collection}/{doc_id}")
    for (table, path, problem), where in sorted(seen.items()):
        yield f"{table}: `{path}` {problem} — in {len(where)} document(s), e.g. {where[0]}"


def test_the_main_paths_wrote_every_collection_they_touch(written):
    expected = {
        "messages",
        "conversations",
        "contacts",
        "contact_identities",
        "provider_message_ids",
        "ia_logs",
        "erp_demo",
        "users",
        "audit_logs",
        "sites",
        "visitors",
        "rate_limits",
    }
    assert expected <= set(written), f"not written: {expected - set(written)}"


def test_every_collection_found_is_documented(model, written):
    undocumented = defaultdict(list)
    for collection, documents in written.items():
        for doc_id in documents:
            if model.table_for(collection, doc_id) is None:
                undocumented[collection].append(doc_id)
    lines = [f"{c}: {len(ids)} document(s), e.g. {c}/{ids[0]}" for c, ids in sorted(undocumented.items())]
    assert lines == [], "collections with no table in docs/data-model.md:\n" + "\n".join(lines)


def test_every_field_found_is_documented_with_its_type(model, written):
    found = list(disagreements(model, written, ("undocumented", "is ")))
    assert found == [], "fields written but not as in docs/data-model.md:\n" + "\n".join(found)


def test_every_field_documented_as_always_present_is_in_every_document(model, written):
    found = list(disagreements(model, written, ("missing",)))
    assert found == [], "fields docs/data-model.md says every document has:\n" + "\n".join(found)
