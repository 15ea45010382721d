"""A send that fails for a moment is retried within bounds; one that cannot succeed fails at once, visibly."""

from __future__ import annotations

import time

import httpx
import pytest

from atende.adapters.channel_store import TokenProvider
from atende.channels.meta.graph import GraphClient
from atende.channels.meta.senders import meta_senders
from atende.domain.channels import ChannelRegistry
from atende.domain.content import Text
from atende.domain.errors import SendFailed
from atende.domain.events import InboundMessage, Sender, StatusUpdate
from atende.domain.message import Message, SendError
from atende.domain.model import Channel, MessageStatus
from atende.retrying import Backoff
from atende.services.channel_ports import ChannelSender
from atende.services.deliveries import Deliveries
from atende.services.outbound import OutboundService
from tests.fakes import FakeSender, FakeUnitOfWork, RecordingSleep, Versioned


def failure(retryable: bool, code: int, text: str, retry_after_s: float | None = None) -> SendFailed:
    error = SendError(
        message=f"Meta said {code}", source="platform", retryable=retryable, code=code, agent_text=text
    )
    return SendFailed(error, retry_after_s)


BUSY = failure(True, 131000, "Instabilidade temporária na Meta; tentaremos novamente")
THROTTLED = failure(True, 130429, "Limite de envio atingido", retry_after_s=3)
GONE = failure(False, 551, "Cliente indisponível no Messenger")


class Outbound:
    """The outbound service over the real Deliveries and an in-memory store, with one queued reply."""

    def __init__(self, sender: ChannelSender | dict[str, ChannelSender], channel: Channel = Channel.WHATSAPP):
        self.uow, self.sleep = FakeUnitOfWork(), RecordingSleep()
        inbound = InboundMessage(
            channel=channel,
            account_id="acc",
            provider_message_id=f"in.{time.monotonic_ns()}",
            sender=Sender(id="5511987654321", name="Maria", phone="+5511987654321"),
            timestamp=time.time(),
            content=Text(),
            text="oi",
        )
        reply = Message.bot_reply(
            inbound, contact_id="c", window_from=inbound.timestamp, text="Olá!", engine={}, now=time.time()
        )
        self.uow.store.messages[reply.id] = Versioned(reply, 1)
        self.id = reply.id
        self.deliveries = Deliveries(self.uow)
        senders = sender if isinstance(sender, dict) else {str(channel): sender}
        self.service = OutboundService(self.deliveries, senders, Backoff(4, 0.5), sleep=self.sleep)

    def send(self) -> str:
        return self.service.send(self.id)

    @property
    def message(self) -> Message:
        return self.uow.store.message(self.id)


def test_a_transient_failure_is_retried_and_the_message_is_sent():
    sender = FakeSender(BUSY, "wamid.OK")
    out = Outbound(sender)
    assert out.send() == "sent"
    assert out.message.status == MessageStatus.SENT and out.message.provider_message_id == "wamid.OK"
    assert len(sender.sent) == 2 and len(out.sleep.pauses) == 1 and 0 <= out.sleep.pauses[0] <= 0.5


def test_transient_until_the_attempts_run_out_is_failed_but_retryable():
    sender = FakeSender(*[BUSY] * 10)
    out = Outbound(sender)
    assert out.send() == "failed" and len(sender.sent) == 4 and len(out.sleep.pauses) == 3
    error = out.message.error
    assert out.message.status == MessageStatus.FAILED and error
    assert (error.retryable, error.attempts, error.code, error.source) == (True, 4, 131000, "platform")
    assert error.agent_text == "Instabilidade temporária na Meta; tentaremos novamente"
    assert all(pause <= 8.0 for pause in out.sleep.pauses)


def test_a_permanent_failure_is_recorded_at_once():
    sender = FakeSender(GONE)
    out = Outbound(sender, Channel.MESSENGER)
    assert out.send() == "failed" and len(sender.sent) == 1 and out.sleep.pauses == []
    error = out.message.error
    assert error and (error.retryable, error.attempts, error.code) == (False, 1, 551)
    assert error.agent_text == "Cliente indisponível no Messenger"


def test_retry_after_is_honoured_and_capped():
    long_wait = failure(True, 4, "Limite de envio atingido", retry_after_s=600)
    out = Outbound(FakeSender(THROTTLED, long_wait, "wamid.OK"))
    assert out.send() == "sent" and out.sleep.pauses == [3, 8.0]


def test_a_missing_token_fails_for_good_without_calling_meta():
    calls: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: calls.append(request) or httpx.Response(200, json={}))
    graph = GraphClient("https://graph.test", "v25.0", http=httpx.Client(transport=transport))
    tokens = TokenProvider(ChannelRegistry, {"WHATSAPP_TOKEN": ""})  # the secret was mounted empty
    out = Outbound(dict(meta_senders(graph, tokens)))
    assert out.send() == "failed" and calls == [] and out.sleep.pauses == []
    error = out.message.error
    assert error and (error.retryable, error.attempts, error.source) == (False, 1, "atende")
    assert error.agent_text == (
        "Canal sem token de acesso configurado: verifique a configuração do canal (WHATSAPP_TOKEN)"
    )


def test_a_message_is_sent_once_even_if_the_job_is_delivered_twice():
    sender = FakeSender()
    out = Outbound(sender)
    assert [out.send(), out.send()] == ["sent", "skipped"] and len(sender.sent) == 1


def test_a_status_that_raced_ahead_of_the_send_is_applied_once_the_send_is_recorded():
    out = Outbound(FakeSender("wamid.OK"))
    early = StatusUpdate(
        channel=Channel.WHATSAPP,
        account_id="acc",
        provider_message_id="wamid.OK",
        status="delivered",
        timestamp=time.time(),
    )
    assert out.deliveries.apply_status(early) == "orphan"
    assert out.send() == "sent" and out.message.status == MessageStatus.DELIVERED


@pytest.mark.parametrize("attempts", [1, 2])
def test_the_attempt_bound_comes_from_the_settings(attempts):
    sender = FakeSender(*[BUSY] * 5)
    out = Outbound(sender)
    out.service = OutboundService(
        out.deliveries, {"whatsapp": sender}, Backoff(attempts, 0.5), sleep=out.sleep
    )
    out.send()
    assert len(sender.sent) == attempts and out.message.error and out.message.error.attempts == attempts
