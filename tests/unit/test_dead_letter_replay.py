"""Dead letters kept whole and sent back from the console: what an admin sees, what a replay publishes and
where, once; what is refused, to whom, with which status."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import flask
import pytest

from atende import topics
from atende.domain.dead_letter import MAX_KEPT_BYTES, LetterState
from atende.domain.errors import WorkflowRefused
from atende.domain.events import encode
from atende.entrypoints import consumers
from atende.entrypoints.console_http import handle
from atende.services.dead_letter_console import DeadLetterConsole
from atende.services.settings.console import Console
from tests.fakes import FakeLetterReader, FakeLogReader, FakeRepublisher, FakeSettingsStore, FakeUnitOfWork
from tests.unit.test_console_http import ORIGIN, TokensAreUids
from tests.unit.test_console_settings import ADMIN, AGENT, SUPERVISOR
from tests.unit.test_dead_letter_log import Services, dead_letter, whatsapp_event

NOW = 1_800_000_000.0
JOB = {"message_id": "m_1", "channel": "whatsapp", "account_id": "106540352242922", "kind": "image"}


class Desk:
    def __init__(self, fail: bool = False) -> None:
        self.uow = FakeUnitOfWork()
        self.publisher = FakeRepublisher(fail=fail)
        self.console = DeadLetterConsole(
            self.uow, FakeLetterReader(self.uow.store), self.publisher, lambda: NOW
        )

    def receive(self, topic: str, data: bytes, pubsub_id: str = "991", **attributes: str) -> str:
        delivery = dead_letter(topic, data, pubsub_id)
        delivery.attributes = {**delivery.attributes, **attributes}
        consumers.dead_letters(delivery, Services(self.uow))
        return next(i for i, v in self.uow.store.dead_letters.items() if v.value.pubsub_id == pubsub_id)

    def seen(self, letter_id: str, at: float) -> None:
        kept = self.uow.store.dead_letters[letter_id]
        kept.value = replace(kept.value, first_seen_at=at)

    def letter(self, letter_id: str) -> Any:
        return self.uow.store.dead_letters[letter_id].value


def test_the_whole_message_is_kept_once_with_the_publishers_attributes_and_where_it_came_from():
    desk = Desk()
    data = encode(whatsapp_event())
    letter_id = desk.receive(topics.INBOUND, data, kind="InboundMessage")
    desk.receive(topics.INBOUND, data, kind="InboundMessage")  # redelivered: nothing more
    (kept,) = (v.value for v in desk.uow.store.dead_letters.values())
    assert kept.id == letter_id == next(iter(desk.uow.store.omni_logs))  # the log entry's id
    assert (kept.data, dict(kept.attributes)) == (data, {"kind": "InboundMessage"})
    assert (kept.topic, kept.consumer, kept.attempts, kept.state) == (topics.INBOUND, "ai_reply", 5, "dead")
    assert (kept.channel, kept.first_seen_at > 0, kept.not_replayable) == ("whatsapp", True, None)


def test_a_payload_too_big_for_a_document_is_kept_truncated_and_cannot_be_replayed():
    desk = Desk()
    letter_id = desk.receive(topics.MEDIA, b"x" * (MAX_KEPT_BYTES + 10))
    kept = desk.letter(letter_id)
    assert kept.truncated and kept.size == MAX_KEPT_BYTES + 10 and len(kept.data) <= MAX_KEPT_BYTES
    assert "gcloud" in (kept.not_replayable or "")
    with pytest.raises(WorkflowRefused) as refused:
        desk.console.replay(ADMIN, letter_id)
    assert not refused.value.forbidden and desk.publisher.published == []


def test_a_replay_publishes_data_and_attributes_to_the_original_topic_once_and_is_audited():
    desk = Desk()
    data = json.dumps(JOB).encode()
    letter_id = desk.receive(topics.MEDIA, data, origin="inbox")
    replayed = desk.console.replay(ADMIN, letter_id)
    assert desk.publisher.published == [(topics.MEDIA, data, {"origin": "inbox"})]
    assert (replayed.state, replayed.replays, replayed.replayed) == (
        LetterState.REPLAYED,
        1,
        replayed.replayed,
    )
    assert desk.letter(letter_id).replayed.uid == ADMIN.uid and desk.letter(letter_id).replayed.at == NOW
    (audit,) = desk.uow.store.audit_logs.values()
    assert (audit.action, audit.actor_uid, audit.target_id) == ("dead_letters.replay", ADMIN.uid, letter_id)
    assert (audit.before["state"], audit.after["state"]) == ("dead", "replayed")

    with pytest.raises(WorkflowRefused, match="já foi reenviada") as again:
        desk.console.replay(ADMIN, letter_id)
    assert not again.value.forbidden and len(desk.publisher.published) == 1

    assert desk.console.replay(ADMIN, letter_id, force=True).replays == 2
    assert len(desk.publisher.published) == 2


def test_a_failed_publish_leaves_the_letter_waiting_so_it_can_be_tried_again():
    desk = Desk(fail=True)
    letter_id = desk.receive(topics.MEDIA, json.dumps(JOB).encode())
    with pytest.raises(OSError):
        desk.console.replay(ADMIN, letter_id)
    assert (desk.letter(letter_id).state, desk.letter(letter_id).replays) == (LetterState.DEAD, 0)
    actions = sorted(a.action for a in desk.uow.store.audit_logs.values())
    assert actions == ["dead_letters.replay", "dead_letters.replay_failed"]
    desk.publisher.fail = False
    desk.console.replay(ADMIN, letter_id)
    assert len(desk.publisher.published) == 1


def test_a_discarded_letter_is_not_replayed_without_insisting():
    desk = Desk()
    letter_id = desk.receive(topics.MEDIA, json.dumps(JOB).encode())
    assert desk.console.discard(ADMIN, letter_id).discarded.uid == ADMIN.uid
    with pytest.raises(WorkflowRefused, match="descartada"):
        desk.console.replay(ADMIN, letter_id)
    with pytest.raises(WorkflowRefused):
        desk.console.discard(ADMIN, letter_id)
    assert desk.publisher.published == []


@pytest.mark.parametrize("who", [SUPERVISOR, AGENT])
def test_only_admins_read_or_replay_them(who):
    desk = Desk()
    letter_id = desk.receive(topics.MEDIA, json.dumps(JOB).encode())
    for attempt in (
        lambda: desk.console.list(who),
        lambda: desk.console.get(who, letter_id),
        lambda: desk.console.replay(who, letter_id),
        lambda: desk.console.discard(who, letter_id),
    ):
        with pytest.raises(WorkflowRefused) as refused:
            attempt()
        assert refused.value.forbidden
    assert desk.publisher.published == [] and desk.letter(letter_id).state == LetterState.DEAD


# -- console_api ------------------------------------------------------------------------------------------

app = flask.Flask(__name__)


@pytest.fixture
def call():
    desk = Desk()
    console = Console.build(
        FakeSettingsStore(), FakeLogReader(), None, lambda actor: None, dead_letters=desk.console
    )

    def call(method: str, path: str, who=ADMIN, **kw: Any) -> flask.Response:
        headers = {"Origin": ORIGIN, "Authorization": f"Bearer {who.uid}"}
        with app.test_request_context(path, method=method, headers=headers, **kw):
            return handle(flask.request, lambda: console, TokensAreUids, (ORIGIN,))

    call.desk = desk
    return call


def test_the_list_is_newest_first_filtered_and_paged(call):
    desk = call.desk
    media = desk.receive(topics.MEDIA, json.dumps(JOB).encode(), pubsub_id="1")
    inbound = desk.receive(topics.INBOUND, encode(whatsapp_event()), pubsub_id="2")
    desk.seen(media, NOW - 60)
    desk.seen(inbound, NOW)
    answer = call("GET", "/dead-letters")
    assert answer.status_code == 200, answer.json
    assert [i["id"] for i in answer.json["items"]] == [inbound, media]
    item = answer.json["items"][1]
    assert (item["consumer"], item["channel"], item["attempts"], item["state"]) == (
        "media_fetch",
        "whatsapp",
        5,
        "dead",
    )
    assert json.loads(item["preview"]) == JOB and item["firstSeenAt"] == int((NOW - 60) * 1000)
    # An inbound event's envelope is ids; the list shows the customer's words instead.
    assert answer.json["items"][0]["preview"] == "inbound_message: «oi»"
    assert [i["id"] for i in call("GET", "/dead-letters?consumer=media_fetch").json["items"]] == [media]
    first = call("GET", "/dead-letters?pageSize=1").json
    assert [i["id"] for i in first["items"]] == [inbound] and first["next"] == inbound
    assert [i["id"] for i in call("GET", f"/dead-letters?pageSize=1&cursor={inbound}").json["items"]] == [
        media
    ]
    call("POST", f"/dead-letters/{media}/discard")
    assert [i["id"] for i in call("GET", "/dead-letters?state=dead").json["items"]] == [inbound]
    assert call("GET", "/dead-letters?state=lost").status_code == 400


def test_one_letter_shows_its_payload_as_pretty_json_or_base64(call):
    desk = call.desk
    letter_id = desk.receive(topics.MEDIA, json.dumps(JOB).encode(), pubsub_id="1", origin="x")
    shown = call("GET", f"/dead-letters/{letter_id}").json["letter"]
    assert shown["payloadFormat"] == "json" and shown["payload"] == json.dumps(JOB, indent=2)
    assert shown["attributes"] == {"origin": "x"} and shown["replayable"] is True
    binary = desk.receive(topics.MEDIA, b"\xff\xfe\x00", pubsub_id="2")
    shown = call("GET", f"/dead-letters/{binary}").json["letter"]
    assert (shown["payloadFormat"], shown["payload"]) == ("base64", "//4A")
    assert call("GET", "/dead-letters/d_0000000000000000").status_code == 404


def test_replay_twice_is_409_unless_forced_and_an_agent_gets_403(call):
    letter_id = call.desk.receive(topics.MEDIA, json.dumps(JOB).encode())
    assert call("POST", f"/dead-letters/{letter_id}/replay", who=AGENT).status_code == 403
    assert call("GET", "/dead-letters", who=SUPERVISOR).status_code == 403
    first = call("POST", f"/dead-letters/{letter_id}/replay")
    assert first.status_code == 200 and first.json["letter"]["state"] == "replayed"
    letter = first.json["letter"]
    assert (letter["replayedBy"], letter["replayedByName"]) == (ADMIN.uid, "Admin")
    second = call("POST", f"/dead-letters/{letter_id}/replay")
    assert second.status_code == 409 and second.json["error"]["code"] == "conflict"
    assert call("POST", f"/dead-letters/{letter_id}/replay?force=1").status_code == 200
    assert len(call.desk.publisher.published) == 2
