"""Fetch an inbound message's media from its channel and keep it, after the message is stored.

Runs as its own consumer (topic `atende-media` → `media_fetch`) so the reply
never waits for a download and a 100 MB document never holds up the next
message of the conversation (the inbound subscription is ordered per
conversation). The outcome is always visible on the message: `media.status` is
`stored` (with type, size and a short-lived URL) or `failed` with a reason.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Protocol

from atende.domain.content import Media
from atende.domain.errors import MediaFailed, MediaTooLarge
from atende.domain.events import InboundMessage
from atende.domain.media import LIMITS, MB, KeptMedia, MediaStatus, fetchable, human_size
from atende.retrying import Backoff
from atende.services.channel_ports import MediaFile, MediaSource
from atende.services.failures import Rejected

log = logging.getLogger(__name__)

LIMIT_NAMES = {"whatsapp": "WhatsApp", "messenger": "Messenger", "instagram": "Instagram"}
RETRY = Backoff(max_attempts=3, base_delay_s=0.4)


def _worth_retrying(error: BaseException) -> bool:
    return isinstance(error, MediaFailed) and error.transient


@dataclass(frozen=True)
class MediaJob:
    message_id: str
    channel: str
    account_id: str
    kind: str
    media_id: str | None = None  # WhatsApp: resolved to a URL through the Graph API
    url: str | None = None  # Messenger/Instagram: a CDN URL that needs no token
    mime_type: str | None = None

    def encode(self) -> bytes:
        return json.dumps(asdict(self), separators=(",", ":")).encode()

    @classmethod
    def decode(cls, data: bytes) -> MediaJob:
        """ValueError unless it is a job as `encode` writes it: ids and kinds are strings, nothing else."""
        raw = json.loads(data)
        if not isinstance(raw, dict) or set(raw) - set(cls.__dataclass_fields__):
            raise ValueError("not a media job")
        required = ("message_id", "channel", "account_id", "kind")
        if not all(isinstance(raw.get(k), str) and raw[k] for k in required):
            raise ValueError(f"a media job needs {', '.join(required)} as text")
        if not all(v is None or isinstance(v, str) for v in raw.values()):
            raise ValueError("a media job holds only text")
        return cls(**raw)

    @classmethod
    def for_message(cls, message: InboundMessage) -> MediaJob | None:
        """A job when the message carries media we can fetch and the platform allows for its kind."""
        match message.content:
            case Media() as media if fetchable(str(message.channel), str(message.kind), media):
                return cls(
                    message.message_id,
                    str(message.channel),
                    message.account_id,
                    str(message.kind),
                    media.media_id or None,
                    media.url or None,
                    media.mime_type,
                )
        return None


class MediaStore(Protocol):
    def put(self, path: str, data: bytes, content_type: str) -> None: ...

    def url(self, path: str, ttl_s: int) -> str:
        """A URL that shows the file to whoever holds it, until it expires."""


class MediaRepository(Protocol):
    def media_state(self, message_id: str) -> KeptMedia | None:
        """What became of the message's file; None when there is no such message or it has no file."""

    def set_media(self, message_id: str, media: KeptMedia) -> None: ...


class MediaService:
    def __init__(
        self,
        repo: MediaRepository,
        source: MediaSource,
        store: MediaStore,
        url_ttl_s: int = 3600,
        sleep: Callable[[float], None] = time.sleep,
        retry: Backoff = RETRY,
    ) -> None:
        self._repo = repo
        self._source = source
        self._store = store
        self._ttl_s = url_ttl_s
        self._sleep = sleep
        self._retry = retry

    def fetch(self, job: MediaJob) -> str:
        state = self._repo.media_state(job.message_id)
        if state is None:  # a job nobody asked for: it must not attach a file to another message
            raise Rejected(f"media job for {job.message_id}: no such message, or it has no file to keep")
        if state.status == MediaStatus.STORED:
            return "skipped"  # a redelivered job
        limit = LIMITS.get(job.channel, {}).get(job.kind, 25 * MB)
        retrying = self._retry.retrying(_worth_retrying, sleep=self._sleep, label=f"media {job.message_id}")
        try:
            file = retrying(
                self._source.download,
                job.channel,
                job.account_id,
                media_id=job.media_id,
                url=job.url,
                max_bytes=limit,
            )
        except MediaTooLarge:
            return self._fail(
                job,
                f"Arquivo maior que o limite do {LIMIT_NAMES.get(job.channel)} "
                f"para {job.kind} ({human_size(limit)})",
                retryable=False,
            )
        except MediaFailed as failure:
            return self._fail(
                job, f"Não foi possível baixar a mídia: {failure.reason}", retryable=failure.transient
            )
        self._repo.set_media(job.message_id, self._keep(job, file))
        return "stored"

    def _keep(self, job: MediaJob, file: MediaFile) -> KeptMedia:
        mime = (file.mime_type or job.mime_type or "application/octet-stream").split(";")[0].strip()
        path = f"{job.channel}/{job.account_id}/{job.message_id}{mimetypes.guess_extension(mime) or ''}"
        self._store.put(path, file.data, mime)
        return KeptMedia.stored(
            path=path,
            mime_type=mime,
            size=len(file.data),
            sha256=hashlib.sha256(file.data).hexdigest(),
            url=self._store.url(path, self._ttl_s),
            url_expires_at=time.time() + self._ttl_s,
        )

    def _fail(self, job: MediaJob, reason: str, *, retryable: bool) -> str:
        log.warning("media %s (%s %s) failed: %s", job.message_id, job.channel, job.kind, reason)
        self._repo.set_media(job.message_id, KeptMedia.failed(reason, retryable=retryable))
        return "failed"


class MediaQueue(Protocol):
    def request_media(self, job: bytes) -> None: ...


def request_fetch(queue: MediaQueue, message: InboundMessage) -> bool:
    """Called once the message is stored (and any reply enqueued): hand its media to `media_fetch`."""
    job = MediaJob.for_message(message)
    if job is None:
        return False
    queue.request_media(job.encode())
    return True
