"""Answers with no network and no model: scripted flows (menus, identity check, ERP calls, handoffs).

Used when no Gemini key is configured, for demos and for businesses that
prefer predictable scripts. Triage picks the flow; the conversation's flow
state carries it across messages; the flows themselves are data that admins
can edit (see atende.flows).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from atende.domain.model import MessageKind
from atende.engines.base import NO_ANSWER_KINDS, EngineReply, ReplyRequest, answering_our_question
from atende.engines.personas import greeting
from atende.flows.interpreter import FlowInput, FlowOutcome, Interpreter
from atende.flows.library import FlowLibrary

_MEDIA = {
    MessageKind.IMAGE: ("a imagem", "the image"),
    MessageKind.AUDIO: ("o áudio", "the audio"),
    MessageKind.VIDEO: ("o vídeo", "the video"),
    MessageKind.DOCUMENT: ("o documento", "the document"),
    MessageKind.STICKER: ("a figurinha", "the sticker"),
}
_TEXTS = {
    "media": (
        "Recebi {what}, obrigado! Me conta em poucas palavras como posso ajudar?",
        "Got {what}, thanks! Tell me in a few words how I can help?",
    ),
    "location": (
        "Obrigado pela localização! Me conta em poucas palavras como posso ajudar?",
        "Thanks for the location! Tell me in a few words how I can help?",
    ),
    "unsupported": (
        "Desculpe, não consigo abrir esse tipo de mensagem. Pode escrever em texto?",
        "Sorry, I can't open that kind of message. Could you write it as text?",
    ),
}
DEFAULT_FLOW = "menu"


@cache
def default_flows() -> FlowLibrary:
    return FlowLibrary.defaults()


def flow_values(name: str | None, persona: str, business: dict[str, Any], language: str) -> dict[str, Any]:
    """What a flow's templates see of the contact, the business and the persona."""
    first_name = (name or "").split(" ")[0] or None
    return {
        "contact": {"first_name": first_name, "name": name, "persona": persona},
        "business": business,
        "persona": {"greeting": greeting(persona, first_name, business, language)},
    }


def _say(key: str, language: str, **values: str) -> str:
    pt, en = _TEXTS[key]
    return (en if language == "en" else pt).format(**values)


class LocalEngine:
    name = "local"

    def __init__(self, flows: Callable[[], FlowLibrary] = default_flows) -> None:
        self._flows = flows

    def claim(self, request: ReplyRequest) -> str | None:
        """Answers to our own questions, and messages naming a flow ("menu", "2ª via"), need no confidence."""
        reason = answering_our_question(request)
        if reason:
            return reason
        if request.message.text and self._flows().select(request.message.text, None):
            return "flow_trigger"
        return None

    def reply(self, request: ReplyRequest) -> EngineReply:
        message = request.message
        lang = request.language
        meta = {"engine": self.name}
        if message.kind in NO_ANSWER_KINDS:
            return EngineReply(None, meta=meta, flow=request.session.flow)
        if not message.text and not request.choice_id:
            if message.kind in _MEDIA:
                what = _MEDIA[message.kind][1 if lang == "en" else 0]
                return EngineReply(_say("media", lang, what=what), meta=meta, flow=request.session.flow)
            key = "location" if message.kind == MessageKind.LOCATION else "unsupported"
            return EngineReply(_say(key, lang), meta=meta, flow=request.session.flow)

        library = self._flows()
        if request.tools is None:
            raise ValueError("the local engine needs the tool layer to run flows")
        values = flow_values(request.contact.name, request.contact.persona, request.business, lang)
        interpreter = Interpreter(library, request.tools, values, lang)
        said = FlowInput(message.text, request.choice_id)
        intent = request.triage.intent if request.triage and request.triage_confident else None
        state = request.session.flow
        if state is not None and state.flow in library:
            outcome = interpreter.resume(state, said)
            if not outcome.matched:
                # A flow's own keyword or a confident new request changes the subject; anything else
                # is a garbled answer to the question we asked.
                switch = library.select(message.text, None) or (
                    library.select(None, intent) if intent not in (None, "other", "greeting") else None
                )
                if switch and switch != state.flow:
                    outcome = interpreter.start(switch, said)
                else:
                    outcome = interpreter.reprompt(outcome.state or state, "support")
        else:
            outcome = interpreter.start(library.select(message.text, intent) or DEFAULT_FLOW, said)
        return self._reply(outcome, meta, request)

    def _reply(self, outcome: FlowOutcome, meta: dict, request: ReplyRequest) -> EngineReply:
        state = outcome.state
        tools = request.tools
        meta = {
            **meta,
            "flow": state.flow if state else None,
            "step": state.step if state else None,
            "tools": [c.name for c in tools.calls] if tools else [],
        }
        handoff = outcome.handoff or {}
        return EngineReply(
            outcome.text or None,
            handoff=bool(outcome.handoff),
            meta=meta,
            handoff_team=handoff.get("team"),
            handoff_reason=handoff.get("reason"),
            flow=None if outcome.handoff else state,
            awaiting_input=outcome.awaiting_input and not outcome.handoff,
            sensitive_input=outcome.sensitive_input,
            menu=None if outcome.handoff else outcome.tappable,
        )
