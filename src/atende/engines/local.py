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
from atende.flows.text import plain

# What each kind of media is, said back: the bot cannot look at it, so it asks for words.
_MEDIA = {
    MessageKind.IMAGE: (
        "Recebi a imagem, obrigada! Ainda não consigo ver imagens por aqui. "
        "Pode me contar em poucas palavras como posso ajudar?",
        "Got the image, thanks! I can't view images here yet: tell me in a few words how I can help?",
    ),
    MessageKind.AUDIO: (
        "Recebi o áudio, obrigada! Ainda não consigo ouvir áudios por aqui. "
        "Pode me escrever como posso ajudar?",
        "Got the audio, thanks! I can't listen to audio here yet: could you write how I can help?",
    ),
    MessageKind.VIDEO: (
        "Recebi o vídeo, obrigada! Ainda não consigo assistir vídeos por aqui. "
        "Pode me contar em poucas palavras como posso ajudar?",
        "Got the video, thanks! I can't watch videos here yet: tell me in a few words how I can help?",
    ),
    MessageKind.DOCUMENT: (
        "Recebi o documento, obrigada! Ainda não consigo abrir documentos por aqui. "
        "Pode me contar em poucas palavras como posso ajudar?",
        "Got the document, thanks! I can't open documents here yet: tell me in a few words how I can help?",
    ),
    MessageKind.STICKER: (
        "Recebi a figurinha! 😄 Pode me contar em poucas palavras como posso ajudar?",
        "Got the sticker! 😄 Tell me in a few words how I can help?",
    ),
}
_TEXTS = {
    "location": (
        "Recebi a sua localização, obrigada! Pode me contar em poucas palavras como posso ajudar?",
        "Got your location, thanks! Tell me in a few words how I can help?",
    ),
    "unsupported": (
        "Desculpe, não consigo abrir esse tipo de mensagem. Pode escrever em texto?",
        "Sorry, I can't open that kind of message. Could you write it as text?",
    ),
}
DEFAULT_FLOW = "menu"
SHORT_ANSWER_WORDS = 3  # "internet lenta", "não, obrigado": an answer to a menu, not a new request


@cache
def default_flows() -> FlowLibrary:
    return FlowLibrary.defaults()


class Introduction:
    """The persona's self-introduction, printed by the first flow text that asks for it and by no
    other: one introduction per conversation, however many flows one answer runs through ("ajuda"
    says who we are, then shows the menu, whose text asks for the introduction again)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.said = False

    def __str__(self) -> str:
        if self.said:
            return ""
        self.said = bool(self.text)
        return self.text


def flow_values(
    name: str | None, persona: str, business: dict[str, Any], language: str, *, introduced: bool = False
) -> dict[str, Any]:
    """What a flow's templates see of the contact, the business and the persona; `persona.greeting` is
    empty once the conversation has heard it."""
    first_name = (name or "").split(" ")[0] or None
    said = "" if introduced else greeting(persona, first_name, business, language)
    return {
        "contact": {"first_name": first_name, "name": name, "persona": persona},
        "business": business,
        "persona": {"greeting": Introduction(said)},
    }


def _subject(library: FlowLibrary, text: str | None, intent: str | None) -> str | None:
    """The flow a message asks for: by its words, else by its (confident) intent."""
    by_intent = intent not in (None, "other", "greeting")
    return library.select(text, None) or (library.select(None, intent) if by_intent else None)


def _is_sentence(said: FlowInput) -> bool:
    """More than a few words: what someone writes to ask, not to pick an option."""
    return not said.choice_id and len(plain(said.text or "").split()) > SHORT_ANSWER_WORDS


def _say(key: str, language: str) -> str:
    pt, en = _TEXTS[key]
    return en if language == "en" else pt


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
        if message.kind == MessageKind.LOCATION:  # its label is a place, not a request: never triaged
            return EngineReply(_say("location", lang), meta=meta, flow=request.session.flow)
        if not message.text and not request.choice_id:
            if message.kind in _MEDIA:
                return EngineReply(_MEDIA[message.kind][lang == "en"], meta=meta, flow=request.session.flow)
            return EngineReply(_say("unsupported", lang), meta=meta, flow=request.session.flow)

        library = self._flows()
        if request.tools is None:
            raise ValueError("the local engine needs the tool layer to run flows")
        values = flow_values(
            request.contact.name,
            request.contact.persona,
            request.business,
            lang,
            introduced=request.session.introduced,
        )
        interpreter = Interpreter(library, request.tools, values, lang)
        said = FlowInput(message.text, request.choice_id)
        intent = request.triage.intent if request.triage and request.triage_confident else None
        state = request.session.flow
        if state is not None and state.flow in library:
            # A sentence at a menu is a request of its own, routed by its words and its triage, not by
            # whichever option's keyword it happens to contain; a tap, a number or an option's words
            # answer the menu.
            sentence = interpreter.offers_options(state) and not interpreter.answers_exactly(state, said)
            switch = _subject(library, message.text, intent) if sentence and _is_sentence(said) else None
            if switch and switch != state.flow:
                outcome = interpreter.start(switch, said)
            else:
                outcome = interpreter.resume(state, said)
            if not outcome.matched:
                # A flow's own keyword or a confident new request changes the subject; anything else
                # is a garbled answer to the question we asked.
                switch = _subject(library, message.text, intent)
                if switch and switch != state.flow:
                    outcome = interpreter.start(switch, said)
                else:
                    outcome = interpreter.reprompt(outcome.state or state, "support")
        else:
            outcome = interpreter.start(library.select(message.text, intent) or DEFAULT_FLOW, said)
        introduction = values["persona"]["greeting"]
        if not introduction.said and introduction.text and outcome.messages:
            # The conversation's first answer says who is answering, whichever flow it starts.
            outcome.messages.insert(0, str(introduction))
        return self._reply(outcome, meta, request, introduced=introduction.said)

    def _reply(
        self, outcome: FlowOutcome, meta: dict, request: ReplyRequest, *, introduced: bool
    ) -> EngineReply:
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
            introduced=introduced,
        )
