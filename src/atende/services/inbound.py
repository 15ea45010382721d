"""Handle one inbound message: store it once, decide who answers, answer it at most once.

Pub/Sub delivers at least once and Meta redelivers for days, so every step is
keyed: the message by its provider id, the reply by the message's id. A
redelivery finds both and only re-hands the reply to outbound, which itself
refuses to send a message twice.

Between storing and answering sits the attendant: triage (intent, sentiment,
confidence), the routing policy (answer, hand to a person, or keep quiet
because a person has the conversation), the engine that writes the answer
through the tool layer, and the handoff. What was decided and why is written
on the inbound message in the same batch as the reply and the conversation's
session, so the three never disagree.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from atende.domain import masking
from atende.domain.events import InboundMessage
from atende.domain.records import InboundRecord
from atende.domain.routing import (
    REASON_BELOW_THRESHOLD,
    REASON_WAITING_FOR_HUMAN,
    RoutingContext,
    RoutingDecision,
    RoutingPolicy,
    decide,
)
from atende.domain.session import Session
from atende.engines.base import FALLBACK_EN, FALLBACK_PT, EngineReply, ReplyEngine, ReplyRequest
from atende.engines.personas import language_of
from atende.erp.port import Erp
from atende.erp.tools import CustomerTools
from atende.services import handoff
from atende.services.attendant_config import AttendantConfig
from atende.services.attendant_store import AttendantStore
from atende.services.ports import OutboundQueue, Repository
from atende.triage.result import Triage

log = logging.getLogger(__name__)

HISTORY_TURNS = 10
GREY_ZONE = 0.25  # how far below its threshold a triage may be and still earn a second opinion
NO_TEXT = Triage("other", "neutral", 1.0)  # media, locations, reactions: nothing to classify
SENSITIVE_PLACEHOLDER = "[dado de identificação omitido]"


@dataclass(frozen=True)
class InboundOutcome:
    stored: bool  # False: a redelivery of a message we already had
    reply_message_id: str | None
    decision: RoutingDecision | None = None


def reply_id_for(message_id: str) -> str:
    return f"{message_id}_r"


def _default_classify(text: str) -> Triage:
    from atende.triage import classify  # the model loads on first use, not at import

    return classify(text)


class InboundService:
    def __init__(
        self,
        repo: Repository,
        engine: ReplyEngine,
        outbound: OutboundQueue,
        attendant: AttendantStore,
        config: AttendantConfig,
        erp: Erp,
        classify: Callable[[str], Triage] = _default_classify,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._repo = repo
        self._engine = engine
        self._outbound = outbound
        self._store = attendant
        self._config = config
        self._erp = erp
        self._classify = classify
        self._clock = clock

    def handle(self, message: InboundMessage) -> InboundOutcome:
        started = time.perf_counter()
        record = self._repo.record_inbound(message)
        if record.handled:
            log.info("redelivery of %s: already handled", message.message_id)
            if record.reply_message_id:  # the first attempt may have died before handing it on
                self._outbound.enqueue(record.reply_message_id, message.ordering_key)
            return InboundOutcome(record.created, record.reply_message_id)
        if message.echo:
            self._repo.mark_handled(message.message_id)
            return InboundOutcome(record.created, None)

        now = self._clock()
        conversation, contact = record.conversation, record.contact
        session = Session.from_doc(self._store.attendant_state(conversation.id), now)
        policy = self._config.routing_policy()
        triage = self._classify(message.text) if message.text else None
        context = RoutingContext(str(conversation.status), session.recent_sentiments(now))
        decision = decide(triage or NO_TEXT, context, policy)
        if triage:
            session = session.with_sentiment(triage.sentiment, now)
        business = self._config.business()
        tools = CustomerTools(
            self._erp, message.message_id, session.customer_id, session.verification_failures
        )
        request = ReplyRequest(
            message,
            conversation,
            contact,
            self._store.contact_turns(contact.id, HISTORY_TURNS),
            triage,
            bool(triage and triage.confidence >= decision.threshold),
            session,
            business,
            tools,
            language_of(contact.profile),
            now,
        )
        decision, second = self._reconsider(decision, request, context, policy)
        at = datetime.fromtimestamp(now, UTC)

        if decision.route == "silent" or decision.reason == REASON_WAITING_FOR_HUMAN:
            # A person has (or is about to have) the conversation: store, record why, say nothing.
            fields = _decision_fields(triage, decision, second)
            self._store.finish_without_reply(
                message.message_id, conversation.id, fields, {"attendant": session.to_doc()}
            )
            self._log(message, record, fields, decision, None, None, request, started)
            return InboundOutcome(record.created, None, decision)

        answer: EngineReply | None = None
        if decision.route == "auto":
            answer = self._answer(request)
            if answer.handoff:
                team = answer.handoff_team or policy.team_for(triage.intent if triage else "other")
                decision = RoutingDecision(
                    "human", answer.handoff_reason or "engine_handoff", team, decision.threshold
                )
        text = self._text(decision, answer, request)
        session = replace(
            session,
            customer_id=tools.customer_id,
            verified_at=now if tools.verified_now else session.verified_at,
            verification_failures=tools.verification_failures,
            flow=answer.flow if answer and decision.route == "auto" else None,
            awaiting_input=bool(answer and answer.awaiting_input and decision.route == "auto"),
        )
        conversation_fields: dict[str, Any] = {"attendant": session.to_doc()}
        if decision.route == "human":
            conversation_fields |= handoff.queue_fields(
                decision.team or policy.default_team,
                decision.reason,
                triage.intent if triage else None,
                triage.sentiment if triage else None,
                at,
            )
        inbound_fields = _decision_fields(triage, decision, second)
        if tools.verified_now:
            self._store.link_customer(contact.id, {"erpCustomerId": tools.customer_id})

        if not text:
            self._store.finish_without_reply(
                message.message_id, conversation.id, inbound_fields, conversation_fields
            )
            self._log(message, record, inbound_fields, decision, answer, None, request, started)
            return InboundOutcome(record.created, None, decision)
        reply_id = reply_id_for(message.message_id)
        meta = {**(answer.meta if answer else {"engine": "handoff"}), "route": decision.route}
        if not self._repo.create_reply(
            message,
            record,
            reply_id,
            text,
            meta,
            inbound_fields=inbound_fields,
            conversation_fields=conversation_fields,
        ):
            log.info("reply %s already exists; not producing another", reply_id)
        self._outbound.enqueue(reply_id, message.ordering_key)
        self._log(message, record, inbound_fields, decision, answer, text, request, started)
        return InboundOutcome(record.created, reply_id, decision)

    # -- steps ---------------------------------------------------------------------------------------

    def _reconsider(
        self, decision: RoutingDecision, request: ReplyRequest, context: RoutingContext, policy: RoutingPolicy
    ) -> tuple[RoutingDecision, Triage | None]:
        """Triage alone is not the whole story: an answer to our own question ("111.111.111-11", "2")
        or a flow's keyword ("menu") is understood even when the classifier is unsure; and a message
        just below the threshold may get a second opinion from the engine (Gemini)."""
        triage = request.triage
        unsure = decision.route == "human" and decision.reason == REASON_BELOW_THRESHOLD
        if not unsure and not (decision.route == "auto" and triage is None):
            return decision, None
        claim = self._engine.claim(request)
        if claim:
            return RoutingDecision("auto", claim, None, decision.threshold), None
        if triage is None:
            return replace(decision, reason="no_text"), None
        opinion = getattr(self._engine, "second_opinion", None)
        if opinion is None or triage.confidence < decision.threshold - GREY_ZONE:
            return decision, None
        second = opinion(request.message.text or "")
        if second is None:
            return decision, None
        revised = decide(second, context, policy)
        if revised.route == "auto":
            revised = replace(revised, reason="second_opinion")
        return revised, second

    def _answer(self, request: ReplyRequest) -> EngineReply:
        try:
            return self._engine.reply(request)
        except Exception:  # a bug in a flow or an engine must not leave the customer unanswered
            log.exception(
                "engine %s failed on %s; handing off", self._engine.name, request.message.message_id
            )
            return EngineReply(
                None, handoff=True, handoff_reason="engine_error", meta={"engine": self._engine.name}
            )

    def _text(
        self, decision: RoutingDecision, answer: EngineReply | None, request: ReplyRequest
    ) -> str | None:
        if decision.route == "auto":
            return answer.text if answer else None
        if answer and answer.text in (FALLBACK_PT, FALLBACK_EN):
            return answer.text  # the brief's exact words when the model is unavailable
        notice = handoff.notice(
            decision.reason, decision.team, request.business, request.language, request.now
        )
        return "\n\n".join(t for t in (answer.text if answer else None, notice) if t)

    def _log(
        self,
        message: InboundMessage,
        record: InboundRecord,
        fields: dict[str, Any],
        decision: RoutingDecision,
        answer: EngineReply | None,
        response: str | None,
        request: ReplyRequest,
        started: float,
    ) -> None:
        """One ia_logs document per message: what was decided, with what, how fast; personal data masked."""
        sensitive = bool(answer and answer.sensitive_input)
        meta = answer.meta if answer else {}
        tools = request.tools
        entry = {
            "messageId": message.message_id,
            "conversationId": record.conversation.id,
            "contactId": record.contact.id,
            "channel": str(message.channel),
            "userType": record.contact.persona,
            "persona": record.contact.persona,
            "language": request.language,
            **fields,
            "engine": meta.get("engine", "handoff" if decision.route == "human" else None),
            "prompt": SENSITIVE_PLACEHOLDER
            if sensitive
            else masking.mask_text(answer.prompt if answer and answer.prompt else message.text),
            "response": masking.mask_text(response),
            "toolsCalled": [
                {"name": c.name, "args": masking.mask_value(c.args), "ok": c.ok, "error": c.error, "ms": c.ms}
                for c in (tools.calls if tools else [])
            ],
            "flow": {"id": meta.get("flow"), "step": meta.get("step")} if meta.get("flow") else None,
            "model": meta.get("model"),
            "tokens": meta.get("tokens"),
            "grounding": meta.get("grounding"),
            "engineLatencyMs": meta.get("latency_ms"),
            "latencyMs": round((time.perf_counter() - started) * 1000, 1),
            "verified": bool(tools and tools.customer_id),
            "timestamp": datetime.fromtimestamp(self._clock(), UTC),
        }
        try:
            self._store.write_ia_log(message.message_id, entry)
        except Exception:  # the answer is already on its way; a lost log line must not redeliver it
            log.exception("could not write the AI log for %s", message.message_id)


def _triage_doc(triage: Triage) -> dict[str, Any]:
    return {"intent": triage.intent, "sentiment": triage.sentiment, "confidence": round(triage.confidence, 4)}


def _decision_fields(
    triage: Triage | None, decision: RoutingDecision, second: Triage | None = None
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "triage": _triage_doc(triage) if triage else None,
        "decision": {
            "route": decision.route,
            "reason": decision.reason,
            "team": decision.team,
            "threshold": decision.threshold,
        },
    }
    if second:
        fields["secondOpinion"] = _triage_doc(second)
    return fields
