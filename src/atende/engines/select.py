"""Pick the engine from configuration: Gemini with a key, the scripted flows without."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from atende.config import Settings
from atende.engines.base import ReplyEngine

if TYPE_CHECKING:
    from atende.flows.library import FlowLibrary


def engine_from_settings(settings: Settings, flows: Callable[[], FlowLibrary] | None = None) -> ReplyEngine:
    if settings.gemini_api_key:
        from atende.engines.gemini import GeminiEngine  # imported only when used: it is heavy

        return GeminiEngine(
            settings.gemini_api_key, settings.gemini_model, base_url=settings.gemini_base_url or None
        )
    from atende.engines.local import LocalEngine, default_flows

    return LocalEngine(flows or default_flows)
