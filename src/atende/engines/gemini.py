"""Answers written by Gemini through google-genai.

The API version is pinned and the base URL configurable, so tests reach a local
stand-in of the Gemini REST API through this same client.
"""

from __future__ import annotations

import logging
import time

from google import genai
from google.genai import errors, types

from atende.engines.base import FALLBACK_PT, EngineReply, ReplyRequest

log = logging.getLogger(__name__)

API_VERSION = "v1beta"
SYSTEM = (
    "Você é a assistente virtual de um provedor de internet brasileiro. Responda em português do Brasil, "
    "de forma cordial, curta e objetiva. Nunca invente valores, datas ou números de protocolo."
)


class GeminiEngine:
    name = "gemini"

    def __init__(
        self,
        api_key: str,
        model: str,
        base_url: str | None = None,
        attempts: int = 4,
        initial_delay_s: float = 0.5,
        timeout_ms: int = 20_000,
    ) -> None:
        self._model = model
        self._client = genai.Client(
            api_key=api_key,
            http_options=types.HttpOptions(
                base_url=base_url,
                api_version=API_VERSION,
                timeout=timeout_ms,
                retry_options=types.HttpRetryOptions(
                    attempts=attempts,
                    initial_delay=initial_delay_s,
                    max_delay=8,
                    http_status_codes=[408, 429, 500, 502, 503, 504],
                ),
            ),
        )

    def reply(self, request: ReplyRequest) -> EngineReply:
        contents = [
            types.Content(
                role="user" if t.direction == "inbound" else "model", parts=[types.Part(text=t.text)]
            )
            for t in request.history
            if t.text
        ]
        if not contents or contents[-1].role != "user":
            contents.append(types.Content(role="user", parts=[types.Part(text=request.message.text or "")]))
        started = time.perf_counter()
        try:
            response = self._client.models.generate_content(
                model=self._model,
                contents=contents,
                config=types.GenerateContentConfig(system_instruction=SYSTEM, temperature=0.3),
            )
        except (errors.APIError, OSError) as exc:
            log.warning("Gemini failed after retries: %s", exc)
            return EngineReply(FALLBACK_PT, handoff=True, meta={"engine": self.name, "error": str(exc)})
        usage = response.usage_metadata
        return EngineReply(
            response.text,
            meta={
                "engine": self.name,
                "model": self._model,
                "latency_ms": round((time.perf_counter() - started) * 1000, 1),
                "prompt_tokens": usage.prompt_token_count if usage else None,
                "output_tokens": usage.candidates_token_count if usage else None,
            },
        )
