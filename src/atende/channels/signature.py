"""Meta webhook authentication: the verification handshake and the HMAC signature."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

SIGNATURE_HEADER = "X-Hub-Signature-256"


def sign(body: bytes, app_secret: str) -> str:
    """The header value Meta would send for `body` (used by the simulator and tests)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(body: bytes, header: str | None, app_secret: str) -> bool:
    """Check over the raw bytes: re-serialising the JSON would change Meta's escapes."""
    if not header or not app_secret or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(sign(body, app_secret).encode(), header.strip().encode())


def handshake_challenge(args: Mapping[str, str], verify_token: str) -> str | None:
    """The challenge to echo when Meta's subscription request carries our token."""
    if (
        verify_token
        and args.get("hub.mode") == "subscribe"
        and hmac.compare_digest(str(args.get("hub.verify_token", "")).encode(), verify_token.encode())
    ):
        return str(args.get("hub.challenge", ""))
    return None
