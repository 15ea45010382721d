"""Answers written by Gemini through google-genai, grounded in the business's systems.

The API version is pinned and the base URL configurable, so tests reach a
local stand-in of the Gemini REST API through this same client. Function
calling is manual (automatic calling disabled): the engine runs each tool
through the tool layer bound to the conversation's verified customer, caps
the rounds, and logs what was called. Before an answer leaves, every R$
amount, date and protocol-like number in it must appear in the tool results
or the context (atende.engines.grounding); otherwise the customer gets a
templated answer built from the tool results alone. Transient failures (429,
5xx, timeouts) are retried with backoff by the SDK; when they persist the
customer gets the brief's fallback sentence and a person takes over. The
defaults (3 attempts of at most 12 s) keep the worst case under the ~40 s a
customer will wait and well inside the push subscription's ack deadline.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Literal

import httpx
from google import genai
from google.genai import errors, types
from pydantic import BaseModel, Field

from atende.domain.triage import INTENTS, SENTIMENTS, Triage
from atende.engines import grounding, templates
from atende.engines.base import (
    FALLBACK_EN,
    FALLBACK_PT,
    NO_ANSWER_KINDS,
    EngineReply,
    ReplyRequest,
    answering_our_question,
)
from atende.engines.prompt import system_instruction
from atende.erp.types import BRT

log = logging.getLogger(__name__)

API_VERSION = "v1beta"
PERSONALISE_INSTRUCTION = (
    "Você escreve um trecho curto (até 120 caracteres, uma linha, sem emojis) que preenche um parâmetro de "
    "uma mensagem aprovada do WhatsApp, em português do Brasil, para uma pessoa. Use só os dados dados; "
    "nunca invente valores, datas ou preços. Responda apenas com o trecho."
)
RETRY_STATUS = [408, 429, 500, 502, 503, 504]
MAX_TOOL_ROUNDS = 5
UNGROUNDED_PT = "Não consegui confirmar essa informação nos nossos sistemas agora. Veja o que encontrei:"
UNGROUNDED_EN = "I couldn't confirm that information in our systems right now. Here is what I found:"
TRIAGE_INSTRUCTION = (
    "Classifique a mensagem que um cliente mandou à empresa. intent: technical (conexão, lentidão, "
    "equipamento, produto com defeito), financial (fatura, boleto, pagamento, débito, desbloqueio, "
    "reembolso, estorno), commercial (planos, contratação, upgrade, pedido atrasado, item errado ou "
    "faltando), cancellation (cancelar, devolver), human_request (quer falar com uma pessoa), greeting "
    "(só cumprimento ou agradecimento), other (não é um pedido: opinião, conversa, ofensa, mensagem para "
    "outra pessoa ou outra empresa, texto sem sentido). sentiment: frustrated, urgent, neutral ou "
    "satisfied. urgency: low, normal ou high. confidence: de 0 a 1, o quanto você tem certeza da "
    "intenção. reason: uma frase curta que justifique a intenção."
)
TRIAGE_PER_MINUTE = 30  # second opinions a minute per instance; past it the local decision stands


class Opinion(BaseModel):
    """Gemini's structured second opinion on a message the local classifier was unsure about."""

    intent: Literal[INTENTS]  # type: ignore[valid-type]
    sentiment: Literal[SENTIMENTS]  # type: ignore[valid-type]
    urgency: Literal["low", "normal", "high"] = "normal"
    confidence: float = Field(ge=0.0, le=1.0)
    reason: str = Field("", max_length=300)


class MinuteBudget:
    """At most `per_minute` calls in any sliding minute: what Gemini may cost is bounded in advance,
    and a burst of unsure messages degrades to the local decision instead of a quota error."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._per_minute = per_minute
        self._clock = clock
        self._spent: deque[float] = deque()
        self._lock = threading.Lock()

    def take(self) -> bool:
        now = self._clock()
        with self._lock:
            while self._spent and now - self._spent[0] >= 60.0:
                self._spent.popleft()
            if len(self._spent) >= self._per_minute:
                return False
            self._spent.append(now)
            return True


try:
    import httpx2

    TRANSPORT_ERRORS: tuple[type[Exception], ...] = (httpx.HTTPError, httpx2.HTTPError, OSError)
except ImportError:  # older google-genai releases use httpx alone
    TRANSPORT_ERRORS = (httpx.HTTPError, OSError)


class GeminiEngine:
    name = "gemini"

    def __init__(
        self,
        api_key: str,
        model: str,
        base_url: str | None = None,
        attempts: int = 3,
        initial_delay_s: float = 0.5,
        max_delay_s: float = 4.0,
        timeout_ms: int = 12_000,
        max_tool_rounds: int = MAX_TOOL_ROUNDS,
        temperature: float = 0.3,
        triage_per_minute: int = TRIAGE_PER_MINUTE,
    ) -> None:
        self._model = model
        self._triage_budget = MinuteBudget(triage_per_minute)
        self._rounds = max_tool_rounds
        self._temperature = temperature
        self._client = genai.Client(  # kept on the instance: Client.__del__ closes its HTTP client
            api_key=api_key,
            http_options=types.HttpOptions(
                base_url=base_url,
                api_version=API_VERSION,
                timeout=timeout_ms,
                retry_options=types.HttpRetryOptions(
                    attempts=attempts,
                    initial_delay=initial_delay_s,
                    max_delay=max_delay_s,
                    http_status_codes=RETRY_STATUS,
                ),
            ),
        )

    def claim(self, request: ReplyRequest) -> str | None:
        return answering_our_question(request)

    def personalise(self, facts: Mapping[str, str], instruction: str) -> str | None:
        """One campaign parameter written for one recipient (None: Gemini failed; the caller falls back)."""
        known = "\n".join(f"{k}: {v}" for k, v in facts.items() if v)
        try:
            response = self._client.models.generate_content(
                model=self._model,
                contents=f"Dados do destinatário:\n{known}\n\nEscreva: {instruction}",
                config=types.GenerateContentConfig(
                    system_instruction=PERSONALISE_INSTRUCTION, temperature=self._temperature
                ),
            )
            return response.text
        except (errors.APIError, ValueError, *TRANSPORT_ERRORS) as exc:
            log.warning("no personalised parameter from Gemini: %s", exc)
            return None

    def second_opinion(self, text: str) -> Triage | None:
        """Triage by Gemini (structured output) for a message the local classifier abstained on;
        None (the local decision stands) when the minute's budget is spent or Gemini fails."""
        if not self._triage_budget.take():
            log.info("second-opinion budget spent; the local triage decides")
            return None
        try:
            response = self._client.models.generate_content(
                model=self._model,
                contents=text,
                config=types.GenerateContentConfig(
                    system_instruction=TRIAGE_INSTRUCTION,
                    temperature=0.0,
                    response_mime_type="application/json",
                    response_schema=Opinion,
                ),
            )
            opinion = response.parsed
        except (errors.APIError, ValueError, *TRANSPORT_ERRORS) as exc:
            log.warning("no second opinion from Gemini: %s", exc)
            return None
        if not isinstance(opinion, Opinion):
            return None
        log.info(
            "second opinion: %s/%s urgency %s confidence %.2f (%s)",
            opinion.intent,
            opinion.sentiment,
            opinion.urgency,
            opinion.confidence,
            opinion.reason,
        )
        return Triage(opinion.intent, opinion.sentiment, opinion.confidence)

    def reply(self, request: ReplyRequest) -> EngineReply:
        if request.message.kind in NO_ANSWER_KINDS:
            return EngineReply(None, meta={"engine": self.name})
        started = time.perf_counter()
        tools = request.tools
        system = system_instruction(request)
        contents = _contents(request)
        config = types.GenerateContentConfig(
            system_instruction=system,
            temperature=self._temperature,
            tools=[
                types.Tool(
                    function_declarations=[
                        types.FunctionDeclaration(
                            name=s.name, description=s.description, parameters_json_schema=s.parameters
                        )
                        for s in tools.specs()
                    ]
                )
            ]
            if tools
            else None,
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        )
        meta: dict[str, Any] = {"engine": self.name, "model": self._model, "rounds": 0}
        usage = {"prompt": 0, "output": 0, "total": 0}
        text: str | None = None
        try:
            for _ in range(self._rounds):
                meta["rounds"] += 1
                response = self._client.models.generate_content(
                    model=self._model, contents=contents, config=config
                )
                _add_usage(usage, response.usage_metadata)
                calls = response.function_calls or []
                if not calls or tools is None:
                    text = (response.text or "").strip()
                    break
                contents.append(response.candidates[0].content)
                contents.append(
                    types.Content(
                        role="user",
                        parts=[
                            types.Part.from_function_response(
                                name=c.name, response={"result": tools.call(c.name, c.args or {})}
                            )
                            for c in calls
                        ],
                    )
                )
        except (errors.APIError, *TRANSPORT_ERRORS) as exc:
            log.warning("Gemini unavailable after retries: %s", exc)
            fallback = FALLBACK_EN if request.language == "en" else FALLBACK_PT
            return self._reply(
                fallback,
                request,
                meta | {"error": str(exc)[:300]},
                usage,
                started,
                system,
                handoff=("gemini_unavailable", None),
            )
        if text is None:
            log.warning("Gemini kept calling tools after %d rounds; answering from templates", self._rounds)
            meta["error"] = "tool_rounds_exhausted"
        if tools and tools.handoff:  # the model asked for a person: the service tells the customer so
            handoff = (tools.handoff["reason"], tools.handoff["team"] or None)
            return self._reply(None, request, meta, usage, started, system, handoff=handoff)
        text, meta["grounding"] = self._grounded(text, request)
        handoff = None if text else ("ungrounded_answer", None)
        return self._reply(text, request, meta, usage, started, system, handoff=handoff)

    def _grounded(self, text: str | None, request: ReplyRequest) -> tuple[str | None, dict[str, Any]]:
        """The answer if every figure in it is backed by evidence; else a template from the tool results."""
        results = request.tools.results if request.tools else []
        if text:
            report = grounding.check(text, _evidence(request))
            if report.ok:
                return text, {"ok": True}
            log.warning("ungrounded figures in Gemini's answer: %s", report.ungrounded)
            verdict: dict[str, Any] = {"ok": False, "ungrounded": list(report.ungrounded)}
        else:
            verdict = {"ok": False, "ungrounded": [], "empty": True}
        safe = templates.from_tool_results(results, request.language)
        if safe:
            safe = f"{UNGROUNDED_EN if request.language == 'en' else UNGROUNDED_PT}\n\n{safe}"
        return safe, {**verdict, "fallback": "template" if safe else "handoff"}

    def _reply(
        self,
        text: str | None,
        request: ReplyRequest,
        meta: dict[str, Any],
        usage: dict[str, int],
        started: float,
        system: str,
        handoff: tuple[str, str | None] | None,
    ) -> EngineReply:
        tools = request.tools
        meta = {
            **meta,
            "tools": [c.name for c in tools.calls] if tools else [],
            "tokens": usage,
            "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        log.info(
            "gemini %s: %d round(s), tools=%s, tokens=%s, %.0f ms",
            request.message.message_id,
            meta.get("rounds", 0),
            meta["tools"],
            usage,
            meta["latency_ms"],
        )
        return EngineReply(
            text,
            handoff=handoff is not None,
            meta=meta,
            handoff_reason=handoff[0] if handoff else None,
            handoff_team=handoff[1] if handoff else None,
            awaiting_input=bool(text and not handoff and text.rstrip().endswith("?")),
            sensitive_input=bool(tools and any(c.name == "verify_identity" for c in tools.calls)),
            prompt=f"{system}\n\n[user] {request.message.text or ''}",
        )


def _contents(request: ReplyRequest) -> list[types.Content]:
    """The contact's recent turns on every channel, then this message; a side's consecutive turns merged."""
    turns = [(t.direction == "inbound", t.text) for t in request.history if t.text]
    if turns and turns[-1] == (True, request.message.text):
        turns.pop()  # the history was read after this message was stored
    turns.append((True, request.message.text or ""))
    contents: list[types.Content] = []
    for from_contact, text in turns:
        role = "user" if from_contact else "model"
        if contents and contents[-1].role == role:
            contents[-1].parts.append(types.Part(text=text))
        else:
            contents.append(types.Content(role=role, parts=[types.Part(text=text)]))
    if contents and contents[0].role == "model":
        contents.pop(0)  # a conversation sent to Gemini starts with the user
    return contents


def _evidence(request: ReplyRequest) -> grounding.Evidence:
    values: list[Any] = [
        json.loads(json.dumps(request.tools.results, default=str)) if request.tools else [],
        [t.text for t in request.history if t.text],
        request.message.text or "",
        request.business,
        request.contact.profile,
    ]
    return grounding.Evidence.of(values, today=datetime.fromtimestamp(request.now or time.time(), BRT).date())


def _add_usage(usage: dict[str, int], metadata: Any) -> None:
    if metadata is None:
        return
    usage["prompt"] += metadata.prompt_token_count or 0
    usage["output"] += metadata.candidates_token_count or 0
    usage["total"] += metadata.total_token_count or 0
