"""CloudEvent (a Pub/Sub push) → payload bytes.

A poison message (not decodable) is logged and acknowledged rather than
raised: raising would only redeliver it until the dead-letter topic, while the
log already says what it was.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any


def message_data(cloud_event: Any) -> bytes | None:
    message = (cloud_event.data or {}).get("message") or {}
    try:
        return base64.b64decode(message.get("data") or "", validate=True)
    except (binascii.Error, ValueError, TypeError):
        return None
