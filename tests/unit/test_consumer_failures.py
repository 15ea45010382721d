"""What a consumer's failure means: retried by Pub/Sub when another attempt could help, otherwise recorded
(in omni_logs, and on the message when there is one) and acknowledged."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import replace

import httpx
import pytest
from cloudevents.http import CloudEvent
from google.api_core import exceptions as gexc

from atende.domain.content import Image, Text
from atende.domain.events import InboundMessage, Sender
from atende.domain.media import KeptMedia, MediaStatus
from atende.domain.message import Message
from atende.domain.model import Channel, MessageStatus, stable_id
from atende.entrypoints import consumers
from atende.entrypoints.pubsub import SetupFailed, consume
from atende.services.deliveries import Deliveries
from atende.services.failures import PAYLOAD_LIMIT, FailureKind
from atende.services.media import MediaService
from atende.services.unit_of_work import Conflict
from tests.fakes import FakeMediaSource, FakeMediaStore, FakeUnitOfWork, Versioned


def push(data: bytes | str, event_id: str = "42") -> CloudEvent:
    raw = data if isinstance(data, str) else base64.b64encode(data).decode()
    attributes = {"type": "google.cloud.pubsub.topic.v1.messagePublished", "source": "//t", "id": event_id}
    return CloudEvent(attributes, {"message": {"data": raw}})


class Services:
    """Only what these handlers reach: the store, and a service that fails as told."""

    def __init__(self, error: Exception | None = None) -> None:
        self.uow = FakeUnitOfWork()
        self.error = error
        self._deliveries = Deliveries(self.uow)

    def unit_of_work(self) -> FakeUnitOfWork:
        return self.uow

    def deliveries(self) -> Deliveries:
        return self._deliveries

    def fail(self, *_: object) -> None:
        if self.error:
            raise self.error

    def outbound_service(self) -> Services:
        return self

    def media_service(self) -> Services:
        return self

    send = fetch = fail

    def log(self, source: str, event_id: str = "42"):
        return self.uow.store.omni_logs.get(stable_id("f", source, event_id))


def stored_message(services: Services, media: KeptMedia | None = None) -> Message:
    inbound = InboundMessage(
        channel=Channel.WHATSAPP,
        account_id="acc",
        provider_message_id="wamid.1",
        sender=Sender(id="5511987654321"),
        timestamp=time.time(),
        content=Image(media_id="1") if media else Text(),
    )
    message = replace(Message.received(inbound, contact_id="c"), id="m1", media=media)
    services.uow.store.messages["m1"] = Versioned(message, 1)
    return message


@pytest.mark.parametrize(
    "error",
    [
        Conflict("still contended"),
        gexc.ServiceUnavailable("firestore down"),
        gexc.DeadlineExceeded("slow"),
        gexc.ResourceExhausted("quota"),
        httpx.ConnectError("no route"),
        ConnectionResetError(),
        TimeoutError(),
    ],
    ids=type,
)
def test_transient_failures_are_raised_for_pubsub_to_retry_and_nothing_is_recorded(error):
    services = Services(error)
    with pytest.raises(type(error)):
        consume(push(b"m1_r"), consumers.outbound, services)
    assert services.uow.store.omni_logs == {}


@pytest.mark.parametrize(
    "error",
    [
        TypeError("bug"),
        KeyError("media"),
        ValueError("odd id"),
        OverflowError("year 17536"),
        gexc.InvalidArgument("x"),
    ],
    ids=type,
)
def test_a_bug_on_this_input_fails_the_reply_visibly_and_is_acknowledged(error):
    services = Services(error)
    message = stored_message(services)
    services.uow.store.messages["m1"] = Versioned(replace(message, status=MessageStatus.SENDING), 2)
    consume(push(b"m1"), consumers.outbound, services)  # no exception: acknowledged
    failed = services.uow.store.message("m1")
    assert failed.status == MessageStatus.UNKNOWN and failed.error  # it may have gone out
    assert failed.error.code == consumers.INTERNAL_ERROR and type(error).__name__ in failed.error.message
    entry = services.log("outbound")
    assert entry.kind == FailureKind.FAILED and entry.message_id == "m1" and entry.payload == "m1"


def test_a_media_bug_shows_on_the_message_and_in_omni_logs():
    services = Services(KeyError("'media' is not contained in the data"))
    stored_message(services, KeptMedia.pending())
    job = {"message_id": "m1", "channel": "whatsapp", "account_id": "acc", "kind": "image", "media_id": "1"}
    consume(push(json.dumps(job).encode()), consumers.media_fetch, services)
    media = services.uow.store.message("m1").media
    assert media and media.status == MediaStatus.FAILED and media.retryable is False
    assert "KeyError" in (media.reason or "") and services.log("media_fetch").message_id == "m1"


@pytest.mark.parametrize(
    ("handler", "data"),
    [
        (consumers.ai_reply, "not base64!"),
        (consumers.ai_reply, base64.b64encode(b"\xff\xfe").decode()),
        (consumers.ai_reply, base64.b64encode(b'{"type": "status_update"}').decode()),
        (consumers.message_status, base64.b64encode(b"[" * 5000).decode()),
        (consumers.media_fetch, base64.b64encode(b'{"message_id": 5}').decode()),
        (consumers.outbound, base64.b64encode(b"messages/x").decode()),
    ],
)
def test_undecodable_deliveries_are_rejected_into_omni_logs(handler, data):
    services = Services()
    consume(push(data), handler, services)
    entry = services.log(handler.__name__)
    assert entry.kind == FailureKind.REJECTED and entry.source == handler.__name__ and entry.reason


def test_the_record_is_storable_and_bounded_whatever_arrived():
    services = Services()
    poison = ('{"type": "inbound_message", "text": "' + "\\ud800" + "ã" * 5000 + '"').encode()
    consume(push(poison), consumers.ai_reply, services)
    entry = services.log("ai_reply")
    assert len(entry.payload.encode("utf-8")) <= PAYLOAD_LIMIT and entry.payload.startswith('{"type"')
    entry.reason.encode("utf-8")  # no lone surrogate reaches Firestore


def test_a_redelivery_replaces_its_record_instead_of_adding_one():
    services = Services()
    for _ in range(2):
        consume(push(b"not json", event_id="7"), consumers.ai_reply, services)
    assert list(services.uow.store.omni_logs) == [stable_id("f", "ai_reply", "7")]


def test_recording_that_fails_transiently_is_retried_by_pubsub():
    services = Services(TypeError("bug"))
    stored_message(services)
    services.uow.before_commit.append(lambda store: (_ for _ in ()).throw(gexc.ServiceUnavailable("down")))
    with pytest.raises(gexc.ServiceUnavailable):
        consume(push(b"m1"), consumers.outbound, services)


def test_a_function_that_cannot_build_its_services_retries_instead_of_failing_messages():
    services = Services()
    stored_message(services)

    def no_token():
        raise RuntimeError("channels without an access token: whatsapp acc: set WHATSAPP_TOKEN")

    services.outbound_service = no_token  # as wiring does when a secret is missing
    with pytest.raises(SetupFailed):
        consume(push(b"m1"), consumers.outbound, services)
    assert services.uow.store.message("m1").status == MessageStatus.RECEIVED
    assert services.uow.store.omni_logs == {}


def test_a_media_job_for_a_message_without_a_file_is_rejected_and_changes_nothing():
    services = Services()
    stored_message(services)  # a text message
    media = MediaService(services.deliveries(), FakeMediaSource(), FakeMediaStore())
    services.media_service = lambda: media
    job = {"message_id": "m1", "channel": "whatsapp", "account_id": "acc", "kind": "image", "media_id": "1"}
    consume(push(json.dumps(job).encode()), consumers.media_fetch, services)
    assert services.uow.store.message("m1").media is None
    assert services.log("media_fetch").kind == FailureKind.REJECTED
