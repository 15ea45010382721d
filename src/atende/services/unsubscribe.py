"""Unsubscribe links in follow-up e-mails: the address, signed, so only a link we sent can unsubscribe it.

The signature is an HMAC-SHA256 under a key derived from the `events` secret for this one purpose; a
link never expires (people click old e-mails), and it can do only one thing: stop e-mail to that address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode

PURPOSE = b"atende-unsubscribe-v1"


class UnsubscribeLinks:
    def __init__(self, secret: str, base_url: str) -> None:
        """`base_url`: the `unsubscribe` function's own URL."""
        self._key = hmac.new(secret.encode(), PURPOSE, hashlib.sha256).digest()
        self._base_url = base_url.rstrip("/")

    def url_for(self, email: str) -> str:
        address = email.strip().lower()
        encoded = base64.urlsafe_b64encode(address.encode()).decode().rstrip("=")
        return f"{self._base_url}?{urlencode({'e': encoded, 's': self._sign(address)})}"

    def verified(self, encoded: str, signature: str) -> str | None:
        """The address a link names, if we signed it; None for a forged or mangled link."""
        try:
            address = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        return address if hmac.compare_digest(self._sign(address), signature) else None

    def _sign(self, address: str) -> str:
        return hmac.new(self._key, address.encode(), hashlib.sha256).hexdigest()
