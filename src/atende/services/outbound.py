"""Send a stored outgoing message exactly once, with bounded retries, and record what happened.

Every end is visible on the message: `sent` with the provider id, `failed`
with the platform's code and text (and whether retrying later could help: the
sweeper then re-queues it), or `unknown` when the request may have reached the
platform without us hearing back, which is never retried (at most once).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace

from atende.domain import window
from atende.domain.errors import SendFailed
from atende.domain.message import SendError
from atende.domain.outgoing import OutgoingRejected
from atende.retrying import Backoff
from atende.services.channel_ports import ChannelSender
from atende.services.ports import MessageLedger

log = logging.getLogger(__name__)

LEASE_S = 120.0


def _worth_retrying(error: BaseException) -> bool:
    return isinstance(error, SendFailed) and error.transient


class OutboundService:
    def __init__(
        self,
        repo: MessageLedger,
        senders: Mapping[str, ChannelSender],
        retry: Backoff,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._repo = repo
        self._senders = senders
        self._retry = retry
        self._sleep = sleep

    def send(self, message_id: str) -> str:
        message = self._repo.claim_for_send(message_id, LEASE_S)
        if message is None:
            log.info("outbound %s: already sent, failed or in flight; nothing to do", message_id)
            return "skipped"
        sender = self._senders.get(message.channel)
        if sender is None:
            self._repo.record_failed(
                message_id, SendError(message=f"no sender for {message.channel}", source="atende")
            )
            return "failed"
        decision = window.decide(
            message.channel,
            message.last_inbound_at,
            time.time(),
            is_template=message.kind == "template",
            by_human=message.sender_type == "agent",
        )
        if not decision.allowed:
            return self._refuse(message_id, "outside_window", decision.reason or "")
        message = replace(message, window=decision)
        retrying = self._retry.retrying(_worth_retrying, sleep=self._sleep, label=f"outbound {message_id}")
        try:
            provider_id = retrying(sender.send, message)
        except OutgoingRejected as rejected:
            return self._refuse(message_id, "invalid_message", rejected.reason)
        except SendFailed as failure:
            attempts = retrying.statistics["attempt_number"]
            error = replace(failure.error, attempts=attempts)
            if failure.outcome_unknown:
                log.error("outbound %s: outcome unknown, not retried: %s", message_id, failure)
                self._repo.record_unknown(message_id, error)
                return "unknown"
            log.error("outbound %s failed: %s", message_id, failure)
            self._repo.record_failed(message_id, error)
            return "failed"
        self._repo.record_sent(message_id, provider_id, message.channel)
        return "sent"

    def _refuse(self, message_id: str, code: str, reason: str) -> str:
        """Refused before calling Meta: the agent sees why, and nothing is retried."""
        log.info("outbound %s refused (%s): %s", message_id, code, reason)
        self._repo.record_failed(message_id, SendError(code=code, message=reason, source="atende"))
        return "refused"
