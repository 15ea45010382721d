"""Property: whatever arrives on a consumer's topic, the function succeeds, records a permanent failure, or
raises a failure another delivery could cure — never anything else (which Pub/Sub would redeliver five
times and dead-letter while the conversation waits).

Real events (the recorded Meta fixtures, parsed) are mutated: keys dropped, values of the wrong type, huge
and deeply nested values, lone surrogates, ids with slashes; each handler runs through `consume` on
in-memory fakes. Bounded and derandomized, so it runs in `make test` and fails the same way each time.
"""

from __future__ import annotations

import base64
import copy
import json
import time
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from cloudevents.http import CloudEvent
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atende.adapters.firestore.omni_logs import to_doc
from atende.domain import events
from atende.domain.model import stable_id
from atende.entrypoints import consumers
from atende.entrypoints.pubsub import consume, is_transient
from atende.retrying import Backoff
from atende.services.deliveries import Deliveries
from atende.services.distribution import Distribution
from atende.services.failures import PAYLOAD_LIMIT, FailureKind
from atende.services.inbound import InboundService
from atende.services.media import MediaJob, MediaService
from atende.services.outbound import OutboundService
from atende.services.status import StatusService
from tests.fakes import (
    FakeMediaQueue,
    FakeMediaSource,
    FakeMediaStore,
    FakeSender,
    FakeUnitOfWork,
    RecordingSleep,
    Store,
    local_attendant,
    outbound_messages,
)
from tests.meta_webhooks import FIXTURES, FOLDERS, PARSERS

BUDGET = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Services:
    """What `atende.wiring` gives the handlers, over one in-memory store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.uow = FakeUnitOfWork(store)
        self.queue = FakeMediaQueue()
        self._inbound = local_attendant(self.uow)
        self._deliveries = Deliveries(self.uow)
        senders = {c: FakeSender() for c in ("whatsapp", "messenger", "instagram")}
        self._outbound = OutboundService(self._deliveries, senders, Backoff(2, 0.0), sleep=RecordingSleep())
        self._media = MediaService(
            self._deliveries, FakeMediaSource(), FakeMediaStore(), sleep=RecordingSleep()
        )

    def unit_of_work(self) -> FakeUnitOfWork:
        return self.uow

    def inbound_service(self) -> InboundService:
        return self._inbound

    def publisher(self) -> FakeMediaQueue:
        return self.queue

    def outbound_service(self) -> OutboundService:
        return self._outbound

    def deliveries(self) -> Deliveries:
        return self._deliveries

    def status_service(self) -> StatusService:
        return StatusService(self._deliveries)

    def media_service(self) -> MediaService:
        return self._media

    def distribution(self) -> Distribution:
        return Distribution(self.uow)


@cache
def fixture_events() -> tuple[events.Event, ...]:
    found: list[events.Event] = []
    for path in sorted(FIXTURES.glob("*/*.json")):
        if path.name.startswith(("message-response", "send-message")):
            continue
        try:
            found += PARSERS[FOLDERS[path.parent.name]](json.loads(path.read_bytes())).events
        except ValueError:
            continue  # a fixture of something the parsers refuse: not an event to start from
    return tuple(found)


@cache
def handled() -> tuple[Store, tuple[str, ...], tuple[bytes, ...]]:
    """Every fixture message handled once: the store, its replies' ids, and the media jobs it asked for."""
    services = Services(Store())
    for event in fixture_events():
        if isinstance(event, events.InboundMessage):
            consume(push(events.encode(event)), consumers.ai_reply, services)
    assert services.store.omni_logs == {}, "a real fixture was not processed"
    replies = tuple(m.id for m in outbound_messages(services.store) if m.reply_to)
    return services.store, replies, tuple(services.queue.jobs)


def seeds(kind: type) -> list[Any]:
    return [json.loads(events.encode(e)) for e in fixture_events() if isinstance(e, kind)]


_ids = iter(range(10**9))


def push(data: bytes) -> CloudEvent:
    attributes = {
        "type": "google.cloud.pubsub.topic.v1.messagePublished",
        "source": "//test",
        "id": f"{next(_ids)}",
    }
    return CloudEvent(attributes, {"message": {"data": base64.b64encode(data).decode()}})


# -- mutations -----------------------------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**30, -(10**30), 2**63, -1, 0]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e30, -1e30, 1e308]),
    st.text(max_size=20),
    st.sampled_from(["", "a/b", "../../x", "x" * 5000, "\ud800", "\x00", "m_" + "f" * 32, "😀" * 10]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


ODD_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["", " ", "a/b", "../../x", "x" * 5000, "\ud800", "\x00", "😀" * 10, "9" * 400, "__name__"]
    ),
)
ODD_NUMBERS = st.one_of(
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([10**30, -(10**30), 2**63, -1, 0, 1e30, -1e30, 1e308, 253402300800]),
)


def odd_like(draw: Callable[..., Any], value: Any) -> Any:
    """A value of the same JSON type the parsers would never produce: it gets past decoding."""
    if isinstance(value, str):
        return draw(ODD_TEXT)
    if isinstance(value, bool) or value is None:
        return draw(VALUES)
    if isinstance(value, int | float):
        return draw(ODD_NUMBERS)
    return value


DEEP = "__nested_5000_deep__"  # replaced by 5,000 nested arrays once serialised (too deep to build)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += paths(inner, (*prefix, index))
    return found


def mutated(draw: Callable[..., Any], value: Any) -> Any:
    value = copy.deepcopy(value)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths(value)))
        how = draw(st.sampled_from(["odd"] * 7 + ["drop", "replace", "deep"]))
        if not path:
            value = draw(VALUES) if how != "deep" else DEEP
            continue
        parent = value
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        if how == "odd":
            parent[last] = odd_like(draw, parent[last])
        elif how == "drop" and isinstance(parent, dict):
            del parent[last]
        elif how == "drop":
            parent.pop(last)
        else:
            parent[last] = draw(VALUES) if how == "replace" else DEEP
    return value


def wire(value: Any, draw: Callable[..., Any]) -> bytes:
    """JSON as another service might publish it: escaped or raw, and sometimes cut short."""
    text = json.dumps(value, ensure_ascii=draw(st.booleans()))
    text = text.replace(json.dumps(DEEP), "[" * 5000 + "0" + "]" * 5000)
    data = text.encode("utf-8", "surrogatepass")
    return data[: draw(st.integers(0, len(data)))] if draw(st.integers(0, 19)) == 0 else data


# -- the property --------------------------------------------------------------------------------------


def outcome(handler: Callable[..., Any], data: bytes) -> str:
    store, _, _ = handled()
    services = Services(copy.deepcopy(store))
    event = push(data)
    started = time.monotonic()
    try:
        consume(event, handler, services)
    except Exception as error:
        assert is_transient(error), f"{handler.__name__} let {type(error).__name__} escape: {error}"
        return "transient"
    assert time.monotonic() - started < 5, "a single delivery took seconds"
    entry = services.store.omni_logs.get(stable_id("f", handler.__name__, event["id"]))
    if entry is None:
        return "succeeded"
    doc = to_doc(entry)
    for text in (doc["reason"], doc["payload"], doc.get("messageId") or "", doc.get("conversationId") or ""):
        text.encode("utf-8")  # storable: no lone surrogates
    assert doc["reason"] and len(doc["payload"].encode()) <= PAYLOAD_LIMIT
    return str(entry.kind)


@pytest.mark.parametrize(
    ("handler", "kind"),
    [(consumers.ai_reply, events.InboundMessage), (consumers.message_status, events.StatusUpdate)],
    ids=["ai_reply", "message_status"],
)
def test_real_events_succeed(handler, kind):
    assert {outcome(handler, json.dumps(seed).encode()) for seed in seeds(kind)} == {"succeeded"}


@BUDGET
@given(st.data())
def test_ai_reply_never_poisons_its_subscription(data):
    seed = data.draw(st.sampled_from(seeds(events.InboundMessage)))
    assert outcome(consumers.ai_reply, wire(mutated(data.draw, seed), data.draw)) in {
        "succeeded",
        *FailureKind,
    }


@BUDGET
@given(st.data())
def test_message_status_never_poisons_its_subscription(data):
    seed = data.draw(st.sampled_from(seeds(events.StatusUpdate)))
    assert outcome(consumers.message_status, wire(mutated(data.draw, seed), data.draw)) in {
        "succeeded",
        *FailureKind,
    }


@BUDGET
@given(st.data())
def test_media_fetch_never_poisons_its_subscription(data):
    _, _, jobs = handled()
    seed = json.loads(data.draw(st.sampled_from(jobs)))
    assert outcome(consumers.media_fetch, wire(mutated(data.draw, seed), data.draw)) in {
        "succeeded",
        *FailureKind,
    }


@BUDGET
@given(st.data())
def test_outbound_never_poisons_its_subscription(data):
    _, replies, _ = handled()
    seed = data.draw(st.sampled_from(replies))
    request = data.draw(
        st.one_of(
            st.just(seed.encode()),
            st.binary(max_size=64),
            st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass")),
            st.sampled_from([b"a/b", b"m" * 2000, b"\xff\xfe", seed.encode() + b"/x"]),
        )
    )
    assert outcome(consumers.outbound, request) in {"succeeded", *FailureKind}


def test_a_media_job_survives_its_own_round_trip():
    _, _, jobs = handled()
    assert jobs and all(MediaJob.decode(job).encode() == job for job in jobs)
