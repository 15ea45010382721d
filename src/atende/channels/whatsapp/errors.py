"""Kept for imports written before the per-platform table: see atende.channels.errors."""

from __future__ import annotations

from atende.channels.errors import WHATSAPP, is_transient

__all__ = ["WHATSAPP", "is_transient"]
