"""Fetch an inbound message's media from Meta and keep it, after the message is stored.

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
from typing import Any, Protocol
from urllib.parse import urlsplit

from atende.adapters.graph import GraphClient, GraphError, TooLarge
from atende.domain.content import Media
from atende.domain.events import InboundMessage
from atende.domain.media import LIMITS, MB, fetchable, human_size

log = logging.getLogger(__name__)

# Hosts Meta serves media from; anything else in a payload is not fetched (no SSRF through a webhook).
META_MEDIA_HOSTS = (
    "fbcdn.net",
    "fbsbx.com",
    "facebook.com",
    "cdninstagram.com",
    "whatsapp.net",
    "instagram.com",
)
LIMIT_NAMES = {"whatsapp": "WhatsApp", "messenger": "Messenger", "instagram": "Instagram"}
ATTEMPTS = 3


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
        return cls(**json.loads(data))

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
    def media_state(self, message_id: str) -> dict[str, Any] | None: ...

    def set_media(self, message_id: str, media: dict[str, Any]) -> None: ...


class MediaService:
    def __init__(
        self,
        repo: MediaRepository,
        graph: GraphClient,
        store: MediaStore,
        tokens: Callable[[str, str], str],
        url_ttl_s: int = 3600,
        sleep: Callable[[float], None] = time.sleep,
        allowed_hosts: tuple[str, ...] = META_MEDIA_HOSTS,
    ) -> None:
        self._allowed_hosts = allowed_hosts
        self._repo = repo
        self._graph = graph
        self._store = store
        self._tokens = tokens
        self._ttl_s = url_ttl_s
        self._sleep = sleep

    def fetch(self, job: MediaJob) -> str:
        state = self._repo.media_state(job.message_id)
        if state is None:
            log.error("media %s: message not found; dropping the job", job.message_id)
            return "missing"
        if state.get("status") == "stored":
            return "skipped"  # a redelivered job
        limit = LIMITS.get(job.channel, {}).get(job.kind, 25 * MB)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                media = self._download_and_keep(job, limit)
            except TooLarge:
                return self._fail(
                    job,
                    f"Arquivo maior que o limite do {LIMIT_NAMES.get(job.channel)} "
                    f"para {job.kind} ({human_size(limit)})",
                    retryable=False,
                )
            except GraphError as error:
                transient = error.code is None and (
                    error.http_status is None or error.http_status == 429 or error.http_status >= 500
                )
                if transient and attempt < ATTEMPTS:
                    self._sleep(0.2 * 2**attempt)
                    continue
                return self._fail(
                    job, f"Não foi possível baixar a mídia: {error.message}", retryable=transient
                )
            self._repo.set_media(job.message_id, media)
            return "stored"
        raise AssertionError("unreachable")

    def _download_and_keep(self, job: MediaJob, limit: int) -> dict[str, Any]:
        mime, declared, url, token = job.mime_type, None, job.url, None
        if job.media_id:  # WhatsApp: id -> short-lived URL, downloaded with the same token
            token = self._tokens(job.channel, job.account_id)
            info = self._graph.get(job.media_id, token, channel=job.channel)
            url, mime = info.get("url"), info.get("mime_type") or mime
            declared = int(info.get("file_size") or 0) or None
            if declared and declared > limit:
                raise TooLarge(f"{declared} bytes")
            if not url:
                raise GraphError(None, None, "a resposta da Meta não trouxe a URL do arquivo")
        host = (urlsplit(str(url)).hostname or "").lower()
        if not any(host == h or host.endswith("." + h) for h in self._allowed_hosts):
            raise GraphError(None, 0, f"endereço de mídia fora da Meta ({host or url})")
        data, content_type = self._graph.download(str(url), token, limit)
        mime = (mime or content_type or "application/octet-stream").split(";")[0].strip()
        path = f"{job.channel}/{job.account_id}/{job.message_id}{mimetypes.guess_extension(mime) or ''}"
        self._store.put(path, data, mime)
        return {
            "status": "stored",
            "path": path,
            "mimeType": mime,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "url": self._store.url(path, self._ttl_s),
            "urlExpiresAt": time.time() + self._ttl_s,
        }

    def view_url(self, message_id: str) -> str | None:
        """A fresh short-lived URL for a stored file (the one on the message may have expired)."""
        state = self._repo.media_state(message_id) or {}
        return self._store.url(state["path"], self._ttl_s) if state.get("status") == "stored" else None

    def _fail(self, job: MediaJob, reason: str, *, retryable: bool) -> str:
        log.warning("media %s (%s %s) failed: %s", job.message_id, job.channel, job.kind, reason)
        self._repo.set_media(job.message_id, {"status": "failed", "reason": reason, "retryable": retryable})
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
