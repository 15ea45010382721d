"""The outbound service refuses what the platform would refuse, before calling Meta, and says why."""

from __future__ import annotations

import time
from dataclasses import replace

from atende.domain.errors import SendFailed
from atende.domain.message import OutgoingMessage, SendError
from atende.retrying import Backoff
from atende.services.outbound import OutboundService

HOUR = 3600.0


class Repo:
    """Only what OutboundService touches when it refuses or sends."""

    def __init__(self, message: OutgoingMessage) -> None:
        self.message = message
        self.failed: SendError | None = None
        self.sent: str | None = None

    def claim_for_send(self, message_id: str, lease_s: float) -> OutgoingMessage:
        return self.message

    def record_failed(self, message_id: str, error: SendError) -> None:
        self.failed = error

    def record_sent(self, message_id: str, provider_message_id: str, channel: str) -> None:
        self.sent = provider_message_id


class Sender:
    def __init__(self) -> None:
        self.sent: list[OutgoingMessage] = []

    def send(self, message: OutgoingMessage) -> str:
        self.sent.append(message)
        return "mid.1"


def run(message: OutgoingMessage) -> tuple[str, Repo, Sender]:
    repo, sender = Repo(message), Sender()
    service = OutboundService(repo, {message.channel: sender}, Backoff())  # type: ignore[arg-type]
    return service.send(message.id), repo, sender


def message(
    channel: str, hours_ago: float | None, kind: str = "text", sender_type: str = "bot"
) -> OutgoingMessage:
    last = None if hours_ago is None else time.time() - hours_ago * HOUR
    return OutgoingMessage(
        id="m1",
        conversation_id="c1",
        channel=channel,
        account_id="acc",
        recipient_id="r1",
        recipient_phone="+5511987654321",
        kind=kind,
        text="Olá",
        content={"name": "x"},
        sender_type=sender_type,
        last_inbound_at=last,
    )


def test_whatsapp_free_text_after_24h_is_refused_with_a_reason_for_the_agent():
    result, repo, sender = run(message("whatsapp", 30))
    assert result == "refused" and sender.sent == []
    assert repo.failed == SendError(
        code="outside_window",
        message="Fora da janela de 24 horas: envie um modelo aprovado",
        retryable=False,
        source="atende",
    )


def test_whatsapp_template_after_24h_goes_out():
    result, repo, sender = run(message("whatsapp", 30, kind="template"))
    assert result == "sent" and repo.sent == "mid.1" and len(sender.sent) == 1


def test_messenger_agent_reply_after_24h_is_tagged_and_bot_reply_refused():
    result, _, sender = run(message("messenger", 48, sender_type="agent"))
    assert result == "sent" and sender.sent[0].window and sender.sent[0].window.tag == "HUMAN_AGENT"
    result, repo, sender = run(message("messenger", 48))
    assert result == "refused" and sender.sent == [] and repo.failed and "atendente" in repo.failed.message


def test_invalid_message_is_refused_with_the_builder_reason():
    class Refusing(Sender):
        def send(self, message: OutgoingMessage) -> str:
            from atende.domain.outgoing import OutgoingRejected

            raise OutgoingRejected("Botões: no máximo 3 (tem 4)")

    msg = replace(message("whatsapp", 1), kind="interactive")
    repo = Repo(msg)
    service = OutboundService(repo, {"whatsapp": Refusing()}, Backoff())  # type: ignore[arg-type]
    assert service.send("m1") == "refused"
    assert repo.failed and repo.failed.code == "invalid_message" and "no máximo 3" in repo.failed.message


def test_a_platform_refusal_carries_a_line_the_agent_understands():
    class Failing(Sender):
        def send(self, message: OutgoingMessage) -> str:
            refusal = SendError(
                message="This person isn't available right now.",
                source="platform",
                code=551,
                agent_text="Cliente indisponível no Messenger",
            )
            raise SendFailed(refusal)

    repo = Repo(message("messenger", 1))
    service = OutboundService(repo, {"messenger": Failing()}, Backoff())  # type: ignore[arg-type]
    assert service.send("m1") == "failed"
    assert repo.failed and repo.failed.code == 551 and repo.failed.retryable is False
    assert repo.failed.agent_text == "Cliente indisponível no Messenger" and repo.failed.attempts == 1
