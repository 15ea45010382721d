"""Pick the engine from configuration: Gemini with a key, the local engine without."""

from __future__ import annotations

from atende.config import Settings
from atende.engines.base import ReplyEngine


def engine_from_settings(settings: Settings) -> ReplyEngine:
    if settings.gemini_api_key:
        from atende.engines.gemini import GeminiEngine  # imported only when used: it is heavy

        return GeminiEngine(
            settings.gemini_api_key, settings.gemini_model, base_url=settings.gemini_base_url or None
        )
    from atende.engines.local import LocalEngine

    return LocalEngine()
