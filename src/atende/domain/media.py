"""Media size limits per platform and kind, and which inbound messages carry media worth keeping."""

from __future__ import annotations

from typing import Any

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


def fetchable(channel: str, kind: str, content: dict[str, Any]) -> bool:
    return kind in LIMITS.get(channel, {}) and bool(content.get("media_id") or content.get("url"))


def human_size(size: int) -> str:
    return f"{size // MB} MB" if size >= MB else f"{size // 1024} KB"
