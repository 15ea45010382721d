"""Receive a Meta webhook: authenticate, normalize, publish, then acknowledge.

Framework-free so every channel's HTTP entry point stays a few lines and the
whole contract is testable without a server. Meta retries anything but a 200,
so a 200 means every event is durably in Pub/Sub, and a failed publish must be
a 5xx; it is the only 5xx. A body that is not JSON (or nested deeper than the
parser goes) is a 400; an item that can never be processed is answered 200,
logged at WARNING and published as a `RejectedItem`, which `ai_reply` records
in `omni_logs`, so neither Meta nor Pub/Sub retries it.

A request whose signature is missing or wrong is a 401 and stores nothing, but it
is counted: `ForgedTally` keeps the count in memory and publishes it (one small
`ForgedSignatures` event) at most once a minute per instance, so a flood of
forged requests costs at most one publish and one health write a minute.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from atende.channels.parsing import MalformedPayload, ParseResult, Rejected
from atende.channels.signature import SIGNATURE_HEADER, handshake_challenge, signature_valid
from atende.domain.events import Event, ForgedSignatures, RejectedItem
from atende.domain.model import Channel
from atende.services.ports import EventPublisher

log = logging.getLogger(__name__)

# WhatsApp caps a webhook at 3 MB; anything much larger is not Meta.
MAX_BODY_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Reply:
    status: int
    body: str
    content_type: str = "application/json"


def _error(status: int, message: str) -> Reply:
    return Reply(status, json.dumps({"error": message}))


def too_large(channel: str, size: int) -> Reply:
    log.warning("%s webhook refused: body of %d bytes", channel, size)
    return _error(413, "payload too large")


PUBLISH_EVERY_S = 60.0  # at most one ForgedSignatures event per channel and instance in this time


class ForgedTally:
    """Forged signatures counted in memory and published in batches: the first refusal after a quiet
    minute is published at once (the panel shows an attack or a wrong app secret within seconds); the
    ones after it wait for the next request, forged or not, a minute after that publish. What is
    pending when the instance stops is lost (undercounted, never overcounted but for a Pub/Sub
    redelivery)."""

    def __init__(
        self,
        channel: str,
        publisher: EventPublisher,
        clock: Callable[[], float] = time.time,
        every_s: float = PUBLISH_EVERY_S,
    ) -> None:
        self._channel, self._publisher, self._clock, self._every = channel, publisher, clock, every_s
        self._lock = threading.Lock()
        self._pending = 0
        self._last_at = 0.0
        self._published_at = float("-inf")

    def refused(self) -> None:
        with self._lock:
            self._pending += 1
            self._last_at = self._clock()
        self.flush()

    def flush(self) -> None:
        """Publish what is pending if the last publish is a minute old; never raises (a count is not worth
        failing a genuine request or slowing a forged one)."""
        with self._lock:
            now = self._clock()
            if not self._pending or now - self._published_at < self._every:
                return
            count, self._pending, self._published_at = self._pending, 0, now
            at = self._last_at
        try:
            self._publisher.publish_all(
                [ForgedSignatures(channel=Channel(self._channel), count=count, at=at)]
            )
        except Exception:
            log.exception(
                "%s webhook: could not publish %d forged signatures; kept for later", self._channel, count
            )
            with self._lock:
                self._pending += count


@dataclass
class WebhookReceiver:
    channel: str
    parse: Callable[[Any], ParseResult]
    publisher: EventPublisher
    app_secret: str
    verify_token: str
    forged: ForgedTally = field(init=False)

    def __post_init__(self) -> None:
        self.forged = ForgedTally(self.channel, self.publisher)

    def handle(self, method: str, args: Mapping[str, str], headers: Mapping[str, str], body: bytes) -> Reply:
        self.forged.flush()
        if method == "GET":
            return self._handshake(args)
        if method != "POST":
            return _error(405, "method not allowed")
        return self._notification(headers, body)

    def _handshake(self, args: Mapping[str, str]) -> Reply:
        challenge = handshake_challenge(args, self.verify_token)
        if challenge is None:
            log.warning("%s handshake refused (mode=%r)", self.channel, args.get("hub.mode"))
            return Reply(403, "forbidden", "text/plain")
        if not challenge:
            return Reply(400, "missing hub.challenge", "text/plain")
        return Reply(200, challenge, "text/plain")

    def _notification(self, headers: Mapping[str, str], body: bytes) -> Reply:
        if len(body) > MAX_BODY_BYTES:
            return too_large(self.channel, len(body))
        if not signature_valid(body, headers.get(SIGNATURE_HEADER), self.app_secret):
            log.warning("%s webhook refused: missing or invalid %s", self.channel, SIGNATURE_HEADER)
            self.forged.refused()
            return _error(401, "invalid signature")
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, nested too deep, a 4,300-digit number
            return _error(400, "malformed JSON")
        try:
            result = self.parse(payload)
        except MalformedPayload as exc:
            return _error(400, str(exc))
        except Exception as exc:  # a shape no parser foresaw: recorded whole, never retried for days
            log.exception("%s webhook: the parser failed on a signed body", self.channel)
            result = ParseResult()
            result.reject("body", f"unreadable ({type(exc).__name__})", payload)
        for item in result.ignored:
            log.info("%s webhook: ignored %s (%s)", self.channel, item.where, item.reason)
        rejected = [self._rejected(item) for item in result.rejected]
        try:
            self.publisher.publish_all([*result.events, *rejected])
        except Exception:
            log.exception("%s webhook: publish failed; answering 503 so Meta retries", self.channel)
            return _error(503, "temporarily unavailable")
        answer = {"received": len(result.events), "ignored": len(result.ignored)}
        if rejected:
            answer["rejected"] = len(rejected)
        return Reply(200, json.dumps(answer))

    def _rejected(self, item: Rejected) -> Event:
        log.warning(
            "%s webhook: rejected %s (%s)",
            self.channel,
            item.where,
            item.reason,
            extra={
                "channel": self.channel,
                "where": item.where,
                "reason": item.reason,
                "excerpt": item.excerpt,
            },
        )
        return RejectedItem(
            channel=Channel(self.channel),
            where=item.where,
            reason=item.reason,
            excerpt=item.excerpt,
            received_at=time.time(),
        )
