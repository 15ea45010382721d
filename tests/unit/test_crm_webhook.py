"""The CRM webhook: signed so the receiver in docs/crm-webhook.md accepts it, replays refused, retries
bounded, a failing CRM cut off by the breaker, and every failure recorded where admins look."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from atende.adapters.crm import HttpCrmPoster
from atende.dev.standin_http import serve
from atende.domain.crm import CircuitBreaker, CrmEvent, CrmEventType, signed_headers, verify
from atende.retrying import Backoff
from atende.services.crm import CrmWebhook

DOC = Path(__file__).resolve().parents[2] / "docs" / "crm-webhook.md"
SECRET = "the shared secret"  # the receiver example's
EVENT = CrmEvent(
    type=CrmEventType.CAMPAIGN_FINISHED, subject="cp_1", at=1_796_083_199.5, data={"counts": {"sent": 2}}
)


def doc_receiver() -> dict[str, Any]:
    """The receiver of docs/crm-webhook.md, exactly as written there."""
    code = re.search(r"## A receiver.*?```python\n(.*?)```", DOC.read_text(), re.S)
    assert code, "docs/crm-webhook.md lost its receiver example"
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), str(DOC), "exec"), namespace)
    return namespace


class Records:
    def __init__(self) -> None:
        self.deliveries: list[Any] = []
        self.failures: list[Any] = []
        self.signals: list[Any] = []

    def record(self, delivery: Any, failure: Any, signal: Any) -> None:
        self.deliveries.append(delivery)
        self.signals.append(signal)
        if failure is not None:
            self.failures.append(failure)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def receiver():
    namespace = doc_receiver()
    server = serve(namespace["app"], "127.0.0.1", 0, "crm-receiver", quiet=True)
    yield f"http://127.0.0.1:{server.server_port}/events", namespace["RECEIVED"]
    server.shutdown()


def test_the_documented_receiver_accepts_our_delivery_and_refuses_a_replay_or_a_forgery(receiver):
    url, received = receiver
    records = Records()
    webhook = CrmWebhook(url=url, secret=SECRET, poster=HttpCrmPoster(), records=records)
    assert webhook.deliver(EVENT) == "delivered"
    assert [(e["type"], e["subject"], e["id"]) for e in received] == [("campaign.finished", "cp_1", EVENT.id)]
    assert records.deliveries[0].status == "delivered" and records.failures == []

    body = EVENT.body()
    stale = signed_headers(SECRET, 1_000_000_000, body)  # a captured request, replayed years later
    assert httpx.post(url, content=body, headers=stale).status_code == 401
    forged = signed_headers("another secret", int(EVENT.at), body)
    assert httpx.post(url, content=body, headers=forged).status_code == 401
    assert len(received) == 1


def test_signature_covers_timestamp_and_body():
    body = EVENT.body()
    headers = signed_headers(SECRET, 1_796_083_200, body)
    assert verify(SECRET, headers, body, now=1_796_083_260)
    assert not verify(SECRET, headers, body + b" ", now=1_796_083_260)
    assert not verify(SECRET, {**headers, "X-Atende-Timestamp": "1796083201"}, body, now=1_796_083_260)
    assert not verify(SECRET, headers, body, now=1_796_083_200 + 301)


class Poster:
    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.calls = 0

    def post(self, url: str, body: bytes, headers: Any) -> int:
        self.calls += 1
        return self.statuses.pop(0) if self.statuses else 200


def test_retries_five_times_then_records_the_failure_for_admins():
    poster, records, slept = Poster(*[503] * 10), Records(), []
    webhook = CrmWebhook(
        url="https://crm.example", secret="s", poster=poster, records=records, sleep=slept.append
    )
    assert webhook.deliver(EVENT) == "failed"
    assert poster.calls == 5 and len(slept) == 4
    assert (records.deliveries[0].attempts, records.deliveries[0].http_status) == (5, 503)
    assert records.failures[0].source == "crm_webhook" and "HTTP 503" in records.failures[0].reason


def test_a_refusal_is_not_retried():
    poster, records = Poster(400), Records()
    webhook = CrmWebhook(
        url="https://crm.example", secret="s", poster=poster, records=records, sleep=lambda s: None
    )
    assert webhook.deliver(EVENT) == "failed" and poster.calls == 1


def quick_breaker(clock: Clock, poster: Poster, records: Records) -> CrmWebhook:
    """One attempt per event; the circuit opens after two failures, for 60 s."""
    return CrmWebhook(
        url="https://crm.example",
        secret="s",
        poster=poster,
        records=records,
        breaker=CircuitBreaker(failures_to_open=2, reset_s=60),
        retry=Backoff(max_attempts=1),
        clock=clock,
    )


def test_the_breaker_stops_calling_a_failing_crm_and_tries_again_later():
    clock, poster, records = Clock(1000.0), Poster(*[500] * 100), Records()
    webhook = quick_breaker(clock, poster, records)
    assert [webhook.deliver(EVENT) for _ in range(4)] == ["failed", "failed", "circuit_open", "circuit_open"]
    assert poster.calls == 2
    clock.now += 61
    poster.statuses = []  # the CRM is back
    assert webhook.deliver(EVENT) == "delivered"  # the one trial call closes the circuit
    assert webhook.deliver(EVENT) == "delivered" and poster.calls == 4
    assert [d.status for d in records.deliveries].count("circuit_open") == 2 == len(records.failures) - 2


def test_without_a_url_nothing_is_sent():
    poster = Poster()
    webhook = CrmWebhook(url="", secret="", poster=poster, records=Records())
    assert webhook.deliver(EVENT) == "not_configured" and poster.calls == 0


def test_admins_see_a_failing_crm_in_channel_health():
    from atende.domain.channel_health import CRM, State
    from atende.domain.channels import ChannelRegistry
    from atende.domain.model import Role
    from atende.domain.staff import Actor
    from atende.services.board import ChannelHealthPanel
    from tests.fakes import FakeReportReader, Store

    clock, poster, records = Clock(1_800_000_000.0), Poster(*[500] * 100), Records()
    webhook = quick_breaker(clock, poster, records)
    store = Store()

    def crm_row():
        store.signals = list(records.signals)
        panel = ChannelHealthPanel(lambda: FakeReportReader(store), lambda: ChannelRegistry([]), clock=clock)
        return {h.channel: h for h in panel.panel(Actor(uid="a", role=Role.ADMIN))}.get(CRM)

    assert crm_row() is None  # no deliveries yet: no row
    for _ in range(3):
        webhook.deliver(EVENT)
    row = crm_row()
    assert (row.state, row.last_hour.failed, row.last_error) == (State.OFFLINE, 3, "circuit_open")
    clock.now += 61
    poster.statuses = []
    webhook.deliver(EVENT)
    assert crm_row().state == State.DEGRADED and crm_row().last_sent_at == clock.now
