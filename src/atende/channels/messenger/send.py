"""Facebook Messenger sends: the shared Send API with a Page token and Messenger's limits."""

from __future__ import annotations

from atende.channels.messenger_platform.send import MESSENGER_LIMITS, MessengerPlatformSender


class MessengerSender(MessengerPlatformSender):
    channel = "messenger"
    limits = MESSENGER_LIMITS
