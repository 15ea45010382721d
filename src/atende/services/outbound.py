"""Send a stored outgoing message exactly once, with bounded retries, and record what happened.

Every end is visible on the message: `sent` with the provider id, or `failed`
with the platform's code and text (and whether retrying later could help).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from atende.adapters.graph import GraphError
from atende.domain import window
from atende.domain.message import OutgoingMessage, SendError
from atende.domain.outgoing import OutgoingRejected
from atende.services.ports import MessageLedger

log = logging.getLogger(__name__)

LEASE_S = 120.0
MAX_BACKOFF_S = 8.0


class ChannelSender(Protocol):
    def send(self, message: OutgoingMessage) -> str: ...


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay_s: float = 0.5

    def delay(self, attempt: int, error: GraphError) -> float:
        """Exponential with full jitter, honouring Retry-After, capped so a send never stalls a worker."""
        if error.retry_after_s is not None:
            return min(error.retry_after_s, MAX_BACKOFF_S)
        return min(MAX_BACKOFF_S, self.base_delay_s * 2**attempt) * (0.5 + random.random() / 2)


class OutboundService:
    def __init__(
        self,
        repo: MessageLedger,
        senders: Mapping[str, ChannelSender],
        retry: RetryPolicy,
        is_transient: Callable[[GraphError], bool],
        sleep: Callable[[float], None] = time.sleep,
        describe: Callable[[GraphError], str] | None = None,
    ) -> None:
        self._repo = repo
        self._senders = senders
        self._retry = retry
        self._is_transient = is_transient
        self._describe = describe  # what an agent reads on a failed message (pt-BR)
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
        attempt = 0
        while True:
            attempt += 1
            try:
                provider_id = sender.send(message)
            except OutgoingRejected as rejected:
                return self._refuse(message_id, "invalid_message", rejected.reason)
            except GraphError as error:
                transient = self._is_transient(error)
                if transient and attempt < self._retry.max_attempts:
                    delay = self._retry.delay(attempt - 1, error)
                    log.warning("outbound %s: %s; retry %d in %.2fs", message_id, error, attempt, delay)
                    self._sleep(delay)
                    continue
                log.error("outbound %s failed: %s", message_id, error)
                self._repo.record_failed(
                    message_id,
                    SendError(
                        code=error.code,
                        message=error.message,
                        details=error.details,
                        http_status=error.http_status,
                        retryable=transient,
                        attempts=attempt,
                        source="platform",
                        agent_text=self._describe(error) if self._describe else None,
                    ),
                )
                return "failed"
            self._repo.record_sent(message_id, provider_id, message.channel)
            return "sent"

    def _refuse(self, message_id: str, code: str, reason: str) -> str:
        """Refused before calling Meta: the agent sees why, and nothing is retried."""
        log.info("outbound %s refused (%s): %s", message_id, code, reason)
        self._repo.record_failed(message_id, SendError(code=code, message=reason, source="atende"))
        return "refused"
