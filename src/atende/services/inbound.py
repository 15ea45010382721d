"""Handle one inbound message: triage → decide → answer → persist, once.

Pub/Sub delivers at least once and Meta redelivers for days, so the message is
stored under an id derived from the platform's and its one possible reply under
an id derived from the message's; both are created in the same commit as the
decision, the conversation and the contact. A redelivery finds the message
handled and only re-hands the reply to outbound, which itself refuses to send
twice. A conflicting writer makes the commit fail whole, and the step runs
again on fresh state (ERP mutations are keyed by the message id).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, TypeVar, overload

from atende.domain import csat, metrics, opt_out
from atende.domain.channel_health import ChannelSignal, Signal
from atende.domain.channels import ChannelRegistry
from atende.domain.contact import Contact, contact_id_for, identity_keys
from atende.domain.content import Text
from atende.domain.conversation import Conversation
from atende.domain.crm import CrmEvent, CrmEventType
from atende.domain.events import InboundMessage
from atende.domain.menus import lay_out
from atende.domain.message import Message, Turn
from atende.domain.model import Channel, ConversationStatus, MessageKind, Route, stable_id
from atende.domain.routing import (
    REASON_BELOW_THRESHOLD,
    REASON_WAITING_FOR_HUMAN,
    RoutingContext,
    RoutingDecision,
    RoutingPolicy,
    decide,
)
from atende.domain.triage import Triage
from atende.engines.base import FALLBACK_EN, FALLBACK_PT, EngineReply, ReplyEngine, ReplyRequest
from atende.engines.personas import language_of
from atende.erp.port import Erp
from atende.erp.tools import CustomerTools
from atende.services import crm, handoff
from atende.services.ai_log import AiLogEntry
from atende.services.attendant_config import AttendantConfig
from atende.services.crm import CrmEventPublisher
from atende.services.ports import OutboundQueue
from atende.services.unit_of_work import Repository, UnitOfWork, atomically

log = logging.getLogger(__name__)

HISTORY_TURNS = 10
OTHER_CONVERSATIONS = 20  # a contact's conversations whose follow-ups an opt-out stops
NO_TEXT = Triage("other", "neutral", 1.0)  # media, locations, reactions: nothing to classify
ATTENDANT_ERROR = "attendant_error"
A = TypeVar("A")


@dataclass(frozen=True, kw_only=True)
class InboundOutcome:
    stored: bool  # False: a redelivery of a message we already had
    reply_message_id: str | None
    decision: RoutingDecision | None = None
    queued_for: str | None = None  # the team whose queue the conversation joined with this message
    opened: bool = False  # this message started the conversation
    tickets: tuple[Mapping[str, Any], ...] = ()  # tickets the attendant's ERP tools opened for it


@dataclass(frozen=True, kw_only=True)
class Answer:
    """What the attendant made of one message: the route, what the customer is told, the new session."""

    decision: RoutingDecision
    text: str | None
    triage: Triage | None = None
    engine: EngineReply | None = None
    second_opinion: Triage | None = None


def _default_classify(text: str) -> Triage:
    from atende.triage import classify  # the model loads on first use, not at import

    return classify(text)


class InboundService:
    def __init__(
        self,
        *,
        uow: Callable[[], UnitOfWork],
        engine: ReplyEngine,
        outbound: OutboundQueue,
        config: AttendantConfig,
        erp: Erp,
        channels: Callable[[], ChannelRegistry] = ChannelRegistry,
        classify: Callable[[str], Triage] = _default_classify,
        clock: Callable[[], float] = time.time,
        crm: CrmEventPublisher | None = None,
    ) -> None:
        self._uow = uow
        self._crm = crm
        self._engine = engine
        self._outbound = outbound
        self._config = config
        self._erp = erp
        self._channels = channels
        self._classify = classify
        self._clock = clock

    def handle(self, message: InboundMessage) -> InboundOutcome:
        outcome = atomically(self._uow, lambda uow: self._handle(uow, message))
        if outcome.reply_message_id:
            self._outbound.enqueue(outcome.reply_message_id, message.ordering_key)
        self._tell_crm(message, outcome)
        return outcome

    def _tell_crm(self, message: InboundMessage, outcome: InboundOutcome) -> None:
        """Conversation opened or handed to a person, a ticket opened: an event for the CRM webhook, best
        effort (a lost publish loses the event, never the customer's message)."""
        happened = [CrmEventType.CONVERSATION_CREATED] if outcome.opened else []
        happened += [CrmEventType.CONVERSATION_HANDED_OFF] if outcome.queued_for else []
        for kind in happened:
            data = {"channel": str(message.channel), "team": outcome.queued_for}
            crm.tell(
                self._crm,
                CrmEvent(type=kind, subject=message.conversation_id, at=message.timestamp, data=data),
            )
        for ticket in outcome.tickets:
            data = {
                "conversationId": message.conversation_id,
                "channel": str(message.channel),
                "subject": ticket.get("subject"),
                "status": ticket.get("status"),
            }
            subject = str(ticket["protocol"])
            crm.tell(
                self._crm,
                CrmEvent(type=CrmEventType.TICKET_CREATED, subject=subject, at=message.timestamp, data=data),
            )

    def _handle(self, uow: UnitOfWork, message: InboundMessage) -> InboundOutcome:
        started, now = time.perf_counter(), self._clock()
        keys = identity_keys(message)
        uow.prefetch(
            messages=[message.message_id],
            conversations=[message.conversation_id],
            identities=keys,
            contacts=[stable_id("c", keys[0])],  # usually the contact: read in the same round trip
            provider_ids=[(str(message.channel), message.provider_message_id)] if message.echo else [],
        )
        earlier = uow.messages.get(message.message_id)
        if earlier is not None and earlier.handled:
            log.info("redelivery of %s: already handled", message.message_id)
            return InboundOutcome(stored=False, reply_message_id=earlier.reply_message_id)
        if message.echo and uow.provider_ids.message_for(str(message.channel), message.provider_message_id):
            log.info("echo of our own send %s: already stored", message.provider_message_id)
            return InboundOutcome(stored=False, reply_message_id=None)

        conversation = uow.conversations.get(message.conversation_id)
        owners = uow.identities.owners(keys)
        contact_id = contact_id_for(keys, owners, conversation.contact_id if conversation else None)
        channel = self._channels().get(message.channel, message.account_id)
        known = uow.contacts.get(contact_id)
        contact = known or Contact.new(contact_id, persona=channel.default_persona)
        started_conv = conversation or Conversation.start(
            message, contact_id=contact_id, persona=contact.persona, channel=channel
        )
        # "5" to the satisfaction question scores the episode that ended instead of opening a new one
        rating = (
            csat.score_in(message.text, message.choice_id)
            if conversation is not None and not message.echo and conversation.awaits_csat(now)
            else None
        )
        conv = started_conv.rated(rating, message.timestamp, now) if rating else started_conv.receive(message)
        person = contact.seen(message)
        stored = earlier or Message.received(message, contact_id=contact_id)
        reply: Message | None = None
        tickets: tuple[Mapping[str, Any], ...] = ()

        if message.echo:  # the business wrote from Meta's apps: stored as the agent's, never answered
            stored = stored.decided(triage=None, decision=None)
            # Statuses of that message find it like one of ours; our own send recorded meanwhile conflicts.
            uow.provider_ids.remember(str(message.channel), message.provider_message_id, stored.id)
        else:
            request = self._request(uow, message, conv, person, now)
            command = opt_out.command_in(message.text)
            if command is not None:  # SAIR / VOLTAR: the contact's choice, confirmed in a short reply
                person = person.commanded(command, (message.text or "").strip().lower(), now)
                if command == opt_out.Command.OUT:  # the silences on their other channels end too
                    _close_silences(uow, person.id, except_id=conv.id)
            if rating is not None:
                answer = _thanked(request)
            elif command is not None:
                answer = _confirmed(command, request)
            else:
                answer = self._attend(request)
            conv, person, stored, reply = self._apply(request, answer, conv, person, stored, now)
            tickets = opened_tickets(request.tools)
            uow.ia_logs.add(
                AiLogEntry.of(
                    stored=stored,
                    request=request,
                    answer=answer.engine,
                    response=answer.text,
                    latency_ms=(time.perf_counter() - started) * 1000,
                    now=now,
                )
            )

        if not person.accepts_proactive(str(conv.channel)):  # said stop: never due for a follow-up
            conv = conv.silence_closed()
        if not message.echo and earlier is None and conv.last_campaign_id:
            # The answer to a campaign's message: counted once, as the mark leaves the conversation.
            uow.campaigns.replied(conv.last_campaign_id, conv.contact_id, now)
            conv = conv.campaign_replied()
        _save(uow.messages, earlier, stored)
        _save(uow.conversations, conversation, conv)
        _save(uow.contacts, known, person)
        for key in keys:
            if key not in owners:
                uow.identities.claim(key, contact_id)
        if reply:
            uow.messages.add(reply)
        uow.metrics.count(metrics.tallies(conversation, conv, now, received=stored, bot_reply=reply))
        if not message.echo:
            uow.metrics.signal(
                ChannelSignal(
                    channel=str(message.channel),
                    account_id=message.account_id,
                    signal=Signal.RECEIVED,
                    at=now,
                )
            )
        uow.commit()
        joined = conv.status == ConversationStatus.WAITING and (
            conversation is None or conversation.status != ConversationStatus.WAITING
        )
        return InboundOutcome(
            stored=earlier is None,
            reply_message_id=reply.id if reply else None,
            decision=stored.decision,
            queued_for=conv.team if joined else None,
            opened=conversation is None,
            tickets=tickets,
        )

    # -- the attendant -----------------------------------------------------------------------------------

    def _request(
        self, uow: UnitOfWork, message: InboundMessage, conv: Conversation, contact: Contact, now: float
    ) -> ReplyRequest:
        session = conv.session.as_of(now)
        if message.context.greeted and not session.introduced:
            session = replace(session, introduced=True)
        if session.customer_id is None and (proven := self._proven_customer(message, contact)):
            session = replace(session, customer_id=proven, verified_at=now)
        return ReplyRequest(
            message=message,
            conversation=conv,
            contact=contact,
            history=_LazyTurns(lambda: uow.messages.latest_turns(contact_id=contact.id, limit=HISTORY_TURNS)),
            session=session,
            business=self._config.business(),
            tools=CustomerTools(
                self._erp, message.message_id, session.customer_id, session.verification_failures
            ),
            language=language_of(contact.profile),
            now=now,
        )

    def _proven_customer(self, message: InboundMessage, contact: Contact) -> str | None:
        """The ERP customer a site already proved this web-chat visitor to be (docs/webchat.md): the
        contact their proven e-mail or phone linked to, once verified on any channel; or the CPF itself.
        Nobody else skips the attendant's own CPF check."""
        identity = message.sender.verified_identity
        if not identity:
            return None
        if contact.erp_customer_id:
            return contact.erp_customer_id
        kind, _, value = identity.partition(":")
        if kind != "cpf":
            return None
        try:
            customer = self._erp.find_customer_by_cpf(value)
        except Exception:  # the ERP being down leaves the attendant's own check, not a lost message
            log.warning("ERP lookup of a proven CPF failed for %s", message.message_id, exc_info=True)
            return None
        return customer.id if customer else None

    def _attend(self, request: ReplyRequest) -> Answer:
        """Triage, route, and write the answer; any failure in here hands the customer to a person."""
        policy = self._config.routing_policy()
        try:
            return self._decide_and_answer(request, policy)
        except Exception:
            log.exception("attendant failed on %s; handing off", request.message.message_id)
            decision = RoutingDecision(
                route=Route.HUMAN, reason=ATTENDANT_ERROR, team=policy.default_team, threshold=0.0
            )
            return Answer(decision=decision, text=self._notice(decision, request))

    def _decide_and_answer(self, request: ReplyRequest, policy: RoutingPolicy) -> Answer:
        message, now = request.message, request.now
        # A location's text is the place's name, and a tapped option's the option's title: nothing the
        # customer wrote. A tap on our own question routes by its id alone ("Falar c/ atendente" on a
        # billing menu goes to billing, not to whoever triage would pick for the words).
        tapped = bool(message.choice_id and request.session.awaiting_input)
        written = message.text if message.kind != MessageKind.LOCATION and not tapped else None
        triage = self._classify(written) if written else None
        context = RoutingContext(
            conversation_status=request.conversation.status,
            recent_sentiments=request.session.recent_sentiments(now),
            offline_form=bool(message.context.offline_form),
        )
        decision = decide(triage or NO_TEXT, context, policy)
        request = replace(
            request,
            triage=triage,
            triage_confident=bool(triage and triage.confidence >= decision.threshold),
        )
        decision, second = self._reconsider(decision, request, context, policy)
        if decision.route == Route.SILENT or decision.reason == REASON_WAITING_FOR_HUMAN:
            # A person has the conversation, or soon will: store, record why, say nothing.
            return Answer(decision=decision, text=None, triage=triage, second_opinion=second)
        engine: EngineReply | None = None
        if decision.route == Route.AUTO:
            engine = self._engine_reply(request)
            if engine.handoff:
                team = engine.handoff_team or policy.team_for(triage.intent if triage else "other")
                reason = engine.handoff_reason or "engine_handoff"
                decision = RoutingDecision(
                    route=Route.HUMAN, reason=reason, team=team, threshold=decision.threshold
                )
        return Answer(
            decision=decision,
            text=self._text(decision, engine, request),
            triage=triage,
            engine=engine,
            second_opinion=second,
        )

    def _apply(
        self,
        request: ReplyRequest,
        answer: Answer,
        conv: Conversation,
        contact: Contact,
        stored: Message,
        now: float,
    ) -> tuple[Conversation, Contact, Message, Message | None]:
        """The answer's consequences on the session, the conversation, the contact and the message."""
        decision, engine, tools, triage = answer.decision, answer.engine, request.tools, answer.triage
        session = request.session.with_sentiment(triage.sentiment, now) if triage else request.session
        if decision.route != Route.SILENT and decision.reason != REASON_WAITING_FOR_HUMAN:
            auto = decision.route == Route.AUTO
            session = replace(
                session,
                customer_id=tools.customer_id if tools else session.customer_id,
                verified_at=now if tools and tools.verified_now else session.verified_at,
                verification_failures=tools.verification_failures if tools else session.verification_failures,
                flow=engine.flow if engine and auto else None,
                awaiting_input=bool(engine and engine.awaiting_input and auto),
                introduced=session.introduced or bool(engine and engine.introduced),
            )
        conv = conv.remember(session)
        if decision.route == Route.HUMAN and decision.reason != REASON_WAITING_FOR_HUMAN:
            conv = conv.hand_off(
                team=decision.team or self._config.routing_policy().default_team,
                reason=decision.reason,
                intent=triage.intent if triage else None,
                sentiment=triage.sentiment if triage else None,
                at=now,
            )
        if tools and tools.verified_now and tools.customer_id:
            contact = contact.verified_as(tools.customer_id)
        reply = None
        if answer.text:
            meta = {**(engine.meta if engine else {"engine": "handoff"}), "route": str(decision.route)}
            text, content = answer.text, None
            if engine and engine.menu:
                laid = lay_out(engine.menu, Channel(request.message.channel), request.language)
                text, content = laid.text, Text.model_validate(laid.content) if laid.content else None
            reply = Message.bot_reply(
                request.message,
                contact_id=contact.id,
                window_from=conv.last_inbound_at,
                text=text,
                engine=meta,
                now=now,
                content=content,
            )
            conv = conv.bot_replied(text, now)
        stored = stored.decided(
            triage=triage,
            decision=decision,
            second_opinion=answer.second_opinion,
            reply_id=reply.id if reply else None,
        )
        return conv, contact, stored, reply

    def _reconsider(
        self, decision: RoutingDecision, request: ReplyRequest, context: RoutingContext, policy: RoutingPolicy
    ) -> tuple[RoutingDecision, Triage | None]:
        """Triage alone is not the whole story: an answer to our own question ("111.111.111-11", "2")
        or a flow's keyword ("menu") is understood even when the classifier is unsure; and a message
        the local model abstains on may get a second opinion from the engine (Gemini, within its budget).
        The per-intent thresholds measure the local model's calibration, so the opinion is held to the
        policy's default threshold."""
        triage = request.triage
        unsure = decision.route == Route.HUMAN and decision.reason == REASON_BELOW_THRESHOLD
        if not unsure and not (decision.route == Route.AUTO and triage is None):
            return decision, None
        claim = self._engine.claim(request)
        if claim:
            return RoutingDecision(
                route=Route.AUTO, reason=claim, team=None, threshold=decision.threshold
            ), None
        if triage is None:
            return replace(decision, reason="no_text"), None
        opinion = getattr(self._engine, "second_opinion", None)
        if opinion is None:
            return decision, None
        second = opinion(request.message.text or "")
        if second is None:
            return decision, None
        revised = decide(second, context, policy.model_copy(update={"intent_thresholds": {}}))
        if revised.route == Route.AUTO:
            revised = replace(revised, reason="second_opinion")
        return revised, second

    def _engine_reply(self, request: ReplyRequest) -> EngineReply:
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
        if decision.route == Route.AUTO:
            return answer.text if answer else None
        if answer and answer.text in (FALLBACK_PT, FALLBACK_EN):
            return answer.text  # the brief's exact words when the model is unavailable
        return "\n\n".join(t for t in (answer.text if answer else None, self._notice(decision, request)) if t)

    def _notice(self, decision: RoutingDecision, request: ReplyRequest) -> str:
        return handoff.notice(
            decision.reason,
            decision.team,
            request.business,
            self._config.hours(),
            request.language,
            request.now,
        )


def _confirmed(command: opt_out.Command, request: ReplyRequest) -> Answer:
    """The answer to SAIR or VOLTAR: no triage, no engine, the confirmation in the customer's language."""
    decision = RoutingDecision(route=Route.AUTO, reason=f"opt_{command}", team=None, threshold=0.0)
    return Answer(decision=decision, text=opt_out.confirmation(command, request.language))


def _thanked(request: ReplyRequest) -> Answer:
    """The answer to the satisfaction question: no triage, no engine, thanks in the customer's language."""
    decision = RoutingDecision(route=Route.AUTO, reason="csat", team=None, threshold=0.0)
    return Answer(decision=decision, text=csat.thanks(request.language))


def _close_silences(uow: UnitOfWork, contact_id: str, *, except_id: str) -> None:
    for other in uow.conversations.of_contact(contact_id, OTHER_CONVERSATIONS):
        if other.id != except_id and other.awaiting_reply_since is not None:
            uow.conversations.save(other, other.silence_closed())


def _save(repo: Repository[A], before: A | None, after: A) -> None:
    """Create what was not there, write what changed of what was."""
    if before is None:
        repo.add(after)
    elif after != before:
        repo.save(before, after)


class _LazyTurns(Sequence[Turn]):
    """The contact's history, queried only if an engine reads it (the scripted flows never do)."""

    def __init__(self, load: Callable[[], list[Turn]]) -> None:
        self._load = load

    @cached_property
    def _turns(self) -> list[Turn]:
        return self._load()

    @overload
    def __getitem__(self, index: int) -> Turn: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Turn]: ...
    def __getitem__(self, index: int | slice) -> Turn | Sequence[Turn]:
        return self._turns[index]

    def __len__(self) -> int:
        return len(self._turns)

    def __iter__(self) -> Iterator[Turn]:
        return iter(self._turns)


def opened_tickets(tools: CustomerTools | None) -> tuple[Mapping[str, Any], ...]:
    """The tickets the ERP opened while the attendant answered (each named by its protocol)."""
    results = tools.results if tools else []
    return tuple(
        r["ticket"]
        for name, r in results
        if name == "open_technical_ticket" and (r.get("ticket") or {}).get("protocol")
    )
