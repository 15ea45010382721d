"""What the end-to-end tests need to play Meta: the app secret, the recorded payloads and their parsers."""

from __future__ import annotations

import base64
from pathlib import Path

from atende.channels.instagram.webhook import parse as parse_instagram
from atende.channels.messenger.webhook import parse as parse_messenger
from atende.channels.whatsapp.webhook import parse as parse_whatsapp
from atende.dev.stack import DEV_SECRETS

SECRET = DEV_SECRETS["META_APP_SECRET"]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "meta-restfb"
FOLDERS = {"whatsapp": "whatsapp", "webhooks": "messenger", "instagram": "instagram"}
PARSERS = {"whatsapp": parse_whatsapp, "messenger": parse_messenger, "instagram": parse_instagram}
PNG = base64.b64decode(  # a 1×1 picture the Graph stand-in serves as a customer's photo
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
