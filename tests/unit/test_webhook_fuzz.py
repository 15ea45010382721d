"""Property-based: Meta's recorded webhooks, mutated (keys dropped, types changed, huge and deep values,
bad unicode, hostile ids), through the three parsers and the receiver.

Whatever a signed body holds, the webhook answers 200 or 400 (5xx only when publishing fails), and
everything it publishes can cross Pub/Sub unchanged and be stored under valid Firestore ids, so no
input can 5xx the webhook or poison a consumer. The budget is bounded (see FUZZ); in CI the examples
are derandomized so a failure reproduces; locally each run explores new ones. ATENDE_FUZZ_EXAMPLES
raises the budget for a longer hunt.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from atende.channels.instagram.webhook import parse as parse_instagram
from atende.channels.messenger.webhook import parse as parse_messenger
from atende.channels.parsing import MalformedPayload, ParseResult
from atende.channels.signature import SIGNATURE_HEADER, sign
from atende.channels.whatsapp.webhook import parse as parse_whatsapp
from atende.domain.contact import contact_id_for, identity_keys
from atende.domain.events import Event, InboundMessage, StatusUpdate, decode, encode
from atende.services.webhook import WebhookReceiver
from tests.fakes import FakePublisher
from tests.unit.test_webhook_ingest import valid_doc_id

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PARSERS: dict[str, Callable[[Any], ParseResult]] = {
    "whatsapp": parse_whatsapp,
    "messenger": parse_messenger,
    "instagram": parse_instagram,
}
FOLDERS = {"whatsapp": "whatsapp", "webhooks": "messenger", "instagram": "instagram"}
SECRET = "fuzz-secret"
FUZZ = settings(
    max_examples=int(os.environ.get("ATENDE_FUZZ_EXAMPLES", "300")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


def _sources() -> list[tuple[str, Any]]:
    found = []
    for path in sorted((FIXTURES / "meta-restfb").glob("*/*.json")):
        if not path.name.startswith(("message-response", "send-message")):
            found.append((FOLDERS[path.parent.name], json.loads(path.read_bytes())))
    extra = json.loads((FIXTURES / "content" / "extra-webhooks.json").read_text())
    found += [(name.split(":")[0], payload) for name, payload in sorted(extra.items())]
    return found


SOURCES = _sources()


def _nest(depth: int, leaf: Any) -> Any:
    for level in range(depth):
        leaf = [leaf] if level % 2 else {"k": leaf}
    return leaf


_SURROGATES = st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3)
_IDS = st.sampled_from(
    ["a/b/c", "/", ".", "..", "__x__", "x" * 201, "7" * 513, "9" * 5000, " ", "", "wamid.ok", "olá", "\x00"]
)
_NUMBERS = st.one_of(
    st.integers(),
    st.sampled_from([10**30, -(2**64), 2**63, 10**300, 17536 * 10**9, 0, -1]),
    st.floats(),  # NaN and ±inf included: Python's JSON writes them, a hostile sender may too
)
_KINDS = st.sampled_from(
    ["text", "image", "audio", "contacts", "order", "reaction", "interactive", "button", "system",
     "location", "sticker", "unknown", "nfm_reply", "button_reply", "template", "fallback", "share"]
)  # fmt: skip
_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)
HOSTILE = st.one_of(
    _JSONISH,
    _IDS,
    _NUMBERS,
    _KINDS,
    _SURROGATES,
    st.builds(lambda s: f"oi {s} tchau", _SURROGATES),
    st.text(max_size=40),
    st.integers(10, 200).map(lambda depth: _nest(depth, "fundo")),
    st.sampled_from([{}, [], "x" * 300_000, ["x"] * 2000]),
)


def _slots(value: Any, max_depth: int = 24) -> list[tuple[Any, Any]]:
    """Every (container, key or index) of a JSON value down to max_depth, so a node can be dropped or
    replaced (deeper values, already hostile, are left alone)."""
    found: list[tuple[Any, Any]] = []
    pending = [(value, 0)]
    while pending:
        node, depth = pending.pop()
        if depth >= max_depth:
            continue
        if isinstance(node, dict | list):
            for key, child in node.items() if isinstance(node, dict) else enumerate(node):
                found.append((node, key))
                pending.append((child, depth + 1))
    return found[::-1]  # Hypothesis favours the first choices: the envelope (`object`) comes last


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    channel, original = draw(st.sampled_from(SOURCES))
    payload = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 4))):
        slots = _slots(payload)
        if not slots:
            break
        container, key = draw(st.sampled_from(slots))
        action = draw(st.sampled_from(["drop", "replace", "replace", "wrap"]))
        if action == "drop":
            del container[key]
        elif action == "replace":
            container[key] = copy.deepcopy(draw(HOSTILE))  # sampled values are shared between examples
        else:  # the same value, another type
            container[key] = draw(st.sampled_from([[container[key]], {"value": container[key]}]))
    return channel, payload


def _body(payload: Any) -> bytes:
    return json.dumps(payload).encode()  # ASCII escapes, as Meta sends: lone surrogates become \\udXXX


def _assert_safe(event: Event) -> None:
    """What a consumer needs of a published event."""
    assert decode(encode(event)) == event
    if isinstance(event, InboundMessage):
        keys = identity_keys(event)
        ids = [event.message_id, event.conversation_id, *keys, contact_id_for(keys, {}, None)]
        assert all(valid_doc_id(i) for i in ids), ids
    if isinstance(event, StatusUpdate) and event.message_id:
        assert valid_doc_id(event.message_id)
    if isinstance(event, InboundMessage | StatusUpdate):
        assert 0 <= event.timestamp < 4102444800
    assert len(event.ordering_key.encode("utf-8", "surrogatepass")) <= 1024


@FUZZ
@given(mutated())
def test_parsers_return_storable_events_or_refuse_the_body(case: tuple[str, Any]):
    channel, payload = case
    try:
        result = PARSERS[channel](payload)
    except MalformedPayload:
        return
    for parsed in result.events:
        _assert_safe(parsed)
    assert all(len(item.excerpt) <= 2048 for item in result.rejected)


@FUZZ
@given(mutated())
def test_receiver_answers_200_or_400_and_publishes_only_safe_events(case: tuple[str, Any]):
    channel, payload = case
    publisher = FakePublisher()  # encodes every event, as Pub/Sub's publisher does
    receiver = WebhookReceiver(channel, PARSERS[channel], publisher, SECRET, "token")
    body = _body(payload)
    reply = receiver.handle("POST", {}, {SIGNATURE_HEADER: sign(body, SECRET)}, body)
    assert reply.status in (200, 400), reply
    event(f"answered {reply.status}")  # --hypothesis-show-statistics: what the mutations reached
    for published in publisher.published:
        event(f"published {type(published).__name__}")
        _assert_safe(published)


@FUZZ
@given(st.sampled_from(SOURCES), st.data())
def test_receiver_never_5xx_on_damaged_bytes(source: tuple[str, Any], data: st.DataObject):
    channel, payload = source
    body = _body(payload)
    start = data.draw(st.integers(0, len(body)))
    end = data.draw(st.integers(start, min(len(body), start + 64)))
    body = body[:start] + data.draw(st.binary(max_size=16)) + body[end:]
    publisher = FakePublisher()
    receiver = WebhookReceiver(channel, PARSERS[channel], publisher, SECRET, "token")
    reply = receiver.handle("POST", {}, {SIGNATURE_HEADER: sign(body, SECRET)}, body)
    assert reply.status in (200, 400), reply
    for published in publisher.published:
        _assert_safe(published)
