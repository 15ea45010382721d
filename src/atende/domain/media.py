"""Media size limits per platform and kind, and which inbound messages carry media worth keeping."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from atende.domain.content import Content, Media

MB = 1024 * 1024
# What each platform accepts, hence the most we ever download for a kind.
LIMITS: dict[str, dict[str, int]] = {
    "whatsapp": {
        "audio": 16 * MB,
        "image": 5 * MB,
        "video": 16 * MB,
        "document": 100 * MB,
        "sticker": 500 * 1024,
    },
    "messenger": dict.fromkeys(("audio", "image", "video", "document", "sticker"), 25 * MB),
    "instagram": dict.fromkeys(("audio", "image", "video", "document", "sticker", "story_mention"), 25 * MB),
}


# How the files a browser calls images or PDFs begin: a file that says it is one and is not would only be
# refused later (by the platform, or by the visitor's or agent's viewer). Audio and video containers vary
# too much to tell by their first bytes; the platform checks those.
SIGNATURES: dict[str, Callable[[bytes], bool]] = {
    "image/jpeg": lambda d: d.startswith(b"\xff\xd8\xff"),
    "image/png": lambda d: d.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/webp": lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP",
    "application/pdf": lambda d: d.startswith(b"%PDF-"),
}


def fetchable(channel: str, kind: str, content: Content) -> bool:
    """A file the platform lets us keep for this kind, and a way to reach it (media id or URL)."""
    return (
        kind in LIMITS.get(channel, {})
        and isinstance(content, Media)
        and bool(content.media_id or content.url)
    )


def visitor_upload_prefix(site: str, visitor_id: str) -> str:
    """Where a web-chat visitor's files are kept: nobody else's path can be attached to their messages."""
    return f"webchat/{site}/{visitor_id}/"


def human_size(size: int) -> str:
    return f"{size // MB} MB" if size >= MB else f"{size // 1024} KB"


class MediaStatus(StrEnum):
    PENDING = "pending"  # media_fetch will keep the file
    STORED = "stored"
    FAILED = "failed"


@dataclass(frozen=True, kw_only=True)
class KeptMedia:
    """What became of a message's file: waiting, kept (where, what, a short-lived link), or why not."""

    status: MediaStatus
    path: str | None = None
    mime_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    url: str | None = None
    url_expires_at: float | None = None
    reason: str | None = None  # pt-BR, for the agent
    retryable: bool | None = None

    @classmethod
    def pending(cls) -> KeptMedia:
        return cls(status=MediaStatus.PENDING)

    @classmethod
    def stored(
        cls,
        *,
        path: str,
        mime_type: str,
        url: str,
        url_expires_at: float,
        size: int | None = None,
        sha256: str | None = None,
    ) -> KeptMedia:
        return cls(
            status=MediaStatus.STORED,
            path=path,
            mime_type=mime_type,
            size=size,
            sha256=sha256,
            url=url,
            url_expires_at=url_expires_at,
        )

    @classmethod
    def failed(cls, reason: str, *, retryable: bool) -> KeptMedia:
        return cls(status=MediaStatus.FAILED, reason=reason, retryable=retryable)
