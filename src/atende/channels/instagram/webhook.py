"""Instagram webhooks (`object: instagram`) → normalized events; comments and insights are ignored."""

from __future__ import annotations

from typing import Any

from atende.channels.messenger_platform import webhook as platform
from atende.channels.parsing import ParseResult
from atende.domain.model import Channel

OBJECT = "instagram"


def parse(payload: Any) -> ParseResult:
    return platform.parse(payload, channel=Channel.INSTAGRAM, obj=OBJECT)
