"""What the outbound and media services need from a messaging channel, and nothing of how it is spoken.

Adapters (today `atende.channels.meta`) implement these and translate their
platform's failures into `atende.domain.errors`, so a service decides "retry,
record or refuse" on the domain's terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from atende.domain.message import OutgoingMessage


class ChannelSender(Protocol):
    def send(self, message: OutgoingMessage) -> str:
        """The provider's message id.

        Raises OutgoingRejected (the platform would refuse it; nothing was called) or SendFailed."""


@dataclass(frozen=True)
class MediaFile:
    data: bytes
    mime_type: str | None  # what the platform declared, else what the file server said


class MediaSource(Protocol):
    def download(
        self, channel: str, account_id: str, *, media_id: str | None, url: str | None, max_bytes: int
    ) -> MediaFile:
        """A message's media, by the platform's media id or URL, never more than `max_bytes`.

        Raises MediaTooLarge (nothing kept) or MediaFailed (with whether another attempt may help)."""
