"""Instagram sends: the shared Send API (`/{ig_account_id}/messages`) with Instagram's shorter text limit."""

from __future__ import annotations

from atende.channels.messenger_platform.send import INSTAGRAM_LIMITS, MessengerPlatformSender


class InstagramSender(MessengerPlatformSender):
    channel = "instagram"
    limits = INSTAGRAM_LIMITS
