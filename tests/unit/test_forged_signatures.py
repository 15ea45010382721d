"""Forged webhook signatures are counted without a forged flood becoming a publish (or write) flood."""

from __future__ import annotations

from atende.channels.signature import SIGNATURE_HEADER, sign
from atende.channels.whatsapp.webhook import parse
from atende.dev.payloads import encode, whatsapp_text
from atende.domain.channel_health import WEBHOOK, Signal
from atende.domain.events import ForgedSignatures
from atende.domain.events import encode as encode_event
from atende.entrypoints import consumers
from atende.entrypoints.pubsub import Delivery
from atende.services.webhook import PUBLISH_EVERY_S, ForgedTally, WebhookReceiver
from tests.fakes import FakePublisher, FakeUnitOfWork

SECRET = "s3cret"
BODY = encode(whatsapp_text("oi"))


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def receiver(publisher: FakePublisher, clock: Clock) -> WebhookReceiver:
    rcv = WebhookReceiver("whatsapp", parse, publisher, SECRET, "verify-me")
    rcv.forged = ForgedTally("whatsapp", publisher, clock=clock)
    return rcv


def forge(rcv: WebhookReceiver) -> int:
    return rcv.handle("POST", {}, {SIGNATURE_HEADER: "sha256=" + "0" * 64}, BODY).status


def counts(publisher: FakePublisher) -> list[int]:
    return [e.count for e in publisher.published if isinstance(e, ForgedSignatures)]


def test_ten_thousand_forged_requests_in_a_minute_are_one_publish_then_one_more():
    publisher, clock = FakePublisher(), Clock()
    rcv = receiver(publisher, clock)
    for _ in range(10_000):
        assert forge(rcv) == 401
        clock.now += 0.005  # 50 s for the lot
    assert counts(publisher) == [1]  # the first at once; the rest wait for a minute to pass
    clock.now += PUBLISH_EVERY_S
    forge(rcv)  # the next request, a minute later, sends the 9,999 waiting; this one waits in turn
    assert counts(publisher) == [1, 9_999]


def test_a_flood_over_ten_minutes_publishes_at_most_once_a_minute():
    publisher, clock = FakePublisher(), Clock()
    rcv = receiver(publisher, clock)
    for _ in range(10_000):
        forge(rcv)
        clock.now += 0.06  # 600 s
    assert len(counts(publisher)) <= 600 / PUBLISH_EVERY_S + 1
    assert sum(counts(publisher)) + rcv.forged._pending == 10_000


def test_leftovers_go_out_with_the_next_genuine_request():
    publisher, clock = FakePublisher(), Clock()
    rcv = receiver(publisher, clock)
    for _ in range(3):
        forge(rcv)
    clock.now += PUBLISH_EVERY_S + 1
    assert rcv.handle("POST", {}, {SIGNATURE_HEADER: sign(BODY, SECRET)}, BODY).status == 200
    assert counts(publisher) == [1, 2]


def test_a_failed_publish_keeps_the_count_and_never_fails_the_request():
    publisher, clock = FakePublisher(fail=True), Clock()
    rcv = receiver(publisher, clock)
    assert forge(rcv) == 401
    publisher.fail = False
    clock.now += PUBLISH_EVERY_S
    forge(rcv)
    assert counts(publisher) == [1]  # the one kept, sent by the next request a minute later


def test_ai_reply_adds_the_count_to_the_channel_webhook_health():
    uow = FakeUnitOfWork()
    event = ForgedSignatures(channel="messenger", count=42, at=1_800_000_000.0)

    class Services:
        unit_of_work = uow

    consumers.ai_reply(Delivery(id="1", data=encode_event(event)), Services())  # type: ignore[arg-type]
    (signal,) = uow.store.signals
    assert (signal.channel, signal.account_id, signal.signal, signal.count) == (
        "messenger", WEBHOOK, Signal.FORGED, 42,
    )  # fmt: skip
    assert uow.store.omni_logs == {}  # nothing of a forged request is stored
