"""The follow-ups of a tick: find what is due, decide each once, send it through the same path as replies.

Finding is a few indexed queries whose cost grows with what is due, never with all conversations: the
48 h rule reads conversations by `awaitingReplySince` (set when our message was the last, cleared by the
customer's reply and by the follow-up itself), the others read business entities by kind, status and
`since` among those still waiting for their follow-up (`EntitySource`: what the `events` function stored,
or the ERP read through).

Deciding is one unit of work per follow-up whose commit creates `followups/<rule>_<entity>_<window>`
beside the queued message, the conversation's timeline event and the log entry; a second tick (or the
same tick run again) finds the record, or loses the commit race and then finds it: each follow-up is sent
at most once. Chat follow-ups are handed to the outbound topic after the commit, like any reply; e-mail is
recorded as `sending` first and handed to the mailer after the commit (never re-sent if that call fails).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, Protocol

from atende import templating
from atende.domain.business_entity import BusinessEntity, EntityKind
from atende.domain.contact import Contact
from atende.domain.content import Template, Text
from atende.domain.conversation import Conversation
from atende.domain.followups import (
    CONVERSATION,
    FollowupPolicy,
    FollowupRecord,
    Outcome,
    Route,
    Rule,
    brl,
    first_name,
    message_id_for,
    record_id,
)
from atende.domain.message import Message
from atende.domain.model import Channel, ConversationStatus
from atende.domain.opt_out import EMAIL
from atende.engines.personas import language_of
from atende.services import timeline
from atende.services.automation_log import AutomationLog
from atende.services.ports import OutboundQueue
from atende.services.unit_of_work import Conflict, UnitOfWork, atomically

log = logging.getLogger(__name__)

BATCH = 200  # items per rule and source per tick (~65 ms each on the emulator, well inside the 60 s
# function timeout); the next tick, 15 minutes later, takes the rest
ACTIVE = (ConversationStatus.BOT, ConversationStatus.IN_SERVICE)  # "still active": nobody is queued for
FOLLOWUPS = timeline.Author(uid="followups", role="system", name="Acompanhamento automático")


class EntitySource(Protocol):
    """Where business entities come from; rules are written against this one interface."""

    def due(
        self, kind: str, statuses: Sequence[str], counted_before: float, limit: int
    ) -> list[BusinessEntity]:
        """Entities of `kind` in one of `statuses` since at most `counted_before`, not yet followed up."""


class TemplateCatalog(Protocol):
    def approved(self, account_id: str, name: str, language: str) -> bool: ...


@dataclass(frozen=True, kw_only=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str
    category: str


class Mailer(Protocol):
    def send(self, mail: Mail) -> str:
        """The provider's message id; raises `MailFailed` when the provider refused it."""


class MailFailed(Exception):
    pass


@dataclass(frozen=True, kw_only=True)
class Due:
    rule_id: str
    rule: Rule
    window: str
    conversation_id: str | None = None
    entity: BusinessEntity | None = None

    @property
    def subject_id(self) -> str:
        return self.conversation_id or (self.entity.id if self.entity else "")

    @property
    def record_id(self) -> str:
        return record_id(self.rule_id, self.subject_id, self.window)


@dataclass(frozen=True, kw_only=True)
class Decision:
    result: str  # an Outcome, or "duplicate" / "no_longer_due"
    message: Message | None = None
    mail: Mail | None = None


class Followups:
    def __init__(
        self,
        *,
        uow: Callable[[], UnitOfWork],
        policy: Callable[[], FollowupPolicy],
        sources: Sequence[EntitySource],
        outbound: OutboundQueue,
        templates: TemplateCatalog,
        mailer: Callable[[], Mailer | None] = lambda: None,
        unsubscribe_url: Callable[[str], str] = lambda email: "",
        clock: Callable[[], float] = time.time,
        batch: int = BATCH,
    ) -> None:
        self._uow = uow
        self._policy = policy
        self._sources = sources
        self._outbound = outbound
        self._templates = templates
        self._mailer = mailer
        self._unsubscribe_url = unsubscribe_url
        self._clock = clock
        self._batch = batch
        self._templates_seen: dict[tuple[str, str, str], bool] = {}

    def run(self, tick_id: str | None = None) -> Counter[str]:
        """What became of each due follow-up, by outcome; logged in `omni_logs` as one tick."""
        tick_id = tick_id or uuid.uuid4().hex
        now, policy = self._clock(), self._policy()
        counts: Counter[str] = Counter()
        if not policy.send_window.allows(now):
            opening = policy.send_window.next_opening(now)
            self._log_tick(tick_id, now, counts, f"outside the send window; next opening at {opening:.0f}")
            return counts
        self._templates_seen = {}
        for rule_id, rule in policy.enabled():
            for due, decision in self._decided(rule_id, rule, now):
                counts[f"{rule_id}:{decision.result}"] += 1
                if decision.message is not None:
                    self._outbound.enqueue(decision.message.id, decision.message.conversation_id)
                if decision.mail is not None:
                    counts[f"{rule_id}:{self._mail(due, decision.mail)}"] += 1
        self._log_tick(tick_id, now, counts, "follow-ups evaluated")
        if counts:
            log.info("follow-ups: %s", dict(counts))
        return counts

    # -- finding ------------------------------------------------------------------------------------------

    def _decided(self, rule_id: str, rule: Rule, now: float) -> Iterator[tuple[Due, Decision]]:
        cutoff = now - rule.delay_s
        if rule.source != CONVERSATION:
            for source in self._sources:
                for entity in source.due(rule.source, rule.statuses, cutoff, self._batch):
                    due = Due(rule_id=rule_id, rule=rule, entity=entity, window=entity.window())
                    yield due, atomically(self._uow, lambda uow, due=due: self._decide(uow, due))
            return
        # The conversations found are decided in the unit of work that read them, so a follow-up costs
        # the one read of its conversation: the record is not read (its create() is the guard) and the
        # contact is not either (an opt-out closes the contact's silences when it is given).
        with self._uow() as uow:
            quiet = uow.conversations.awaiting_reply(cutoff, [str(s) for s in ACTIVE], self._batch)
            for conversation in quiet:
                since = conversation.awaiting_reply_since or 0.0
                due = Due(rule_id=rule_id, rule=rule, conversation_id=conversation.id, window=str(int(since)))
                try:
                    decision = self._to_conversation(uow, due, conversation, None, None, self._clock())
                except Conflict:  # another tick decided it, or the conversation moved: again, on fresh state
                    decision = atomically(self._uow, lambda fresh, due=due: self._decide(fresh, due))
                yield due, decision

    # -- deciding ----------------------------------------------------------------------------------------

    def _decide(self, uow: UnitOfWork, due: Due) -> Decision:
        now = self._clock()
        stored = uow.entities.get(due.entity.id) if due.entity and due.entity.source == "events" else None
        if uow.followups.get(due.record_id) is not None:
            if stored is not None and stored.followup_pending:
                uow.entities.save(stored, stored.followed_up())
                uow.commit()
            return Decision(result="duplicate")
        if due.conversation_id is not None:
            conversation = uow.conversations.get(due.conversation_id)
            if conversation is None or not _still_quiet(conversation, due):
                return Decision(result="no_longer_due")
            return self._to_conversation(uow, due, conversation, None, None, now)
        entity = stored or due.entity
        assert entity is not None
        if stored is not None and (not stored.followup_pending or stored.window() != due.window):
            return Decision(result="no_longer_due")
        contact = _contact_of(uow, entity)
        if due.rule.channel == Route.EMAIL:
            return self._decide_mail(uow, due, contact, stored, now)
        conversation = _preferred_conversation(uow, contact, due) if contact is not None else None
        if conversation is None:
            return self._skip(uow, due, stored, now, "unreachable")
        return self._to_conversation(uow, due, conversation, contact, stored, now)

    def _to_conversation(
        self,
        uow: UnitOfWork,
        due: Due,
        conversation: Conversation,
        contact: Contact | None,
        stored: BusinessEntity | None,
        now: float,
    ) -> Decision:
        """The follow-up as a message on `conversation`, queued in one commit with its record."""
        if contact is not None and not contact.accepts_proactive(str(conversation.channel)):
            return self._skip(uow, due, stored, now, "opted_out", conversation)
        persona = (contact.persona if contact else None) or _entity_persona(due) or conversation.persona
        language = language_of(contact.profile) if contact else "pt"
        values = _values(due, contact, conversation.contact_name)
        text = due.rule.text(persona, language, values)
        content, body = self._content(conversation, due, values, text, now)
        if content is None:
            return self._skip(uow, due, stored, now, body, conversation)
        message = Message.followup(
            message_id=message_id_for(due.record_id),
            rule=due.rule_id,
            conversation_id=conversation.id,
            contact_id=conversation.contact_id,
            channel=conversation.channel,
            account_id=conversation.account_id,
            recipient=conversation.address(contact.identities if contact else ()),
            window_from=conversation.last_inbound_at,
            content=content,
            text=body,
            now=now,
        )
        after = conversation.followed_up(body or f"[{content.kind}]", now)
        uow.messages.add(message)
        uow.conversations.save(conversation, after)
        timeline.record(
            uow,
            author=FOLLOWUPS,
            action="followup",
            before=conversation,
            after=after,
            text=f"Acompanhamento automático enviado ({due.rule_id})",
            now=now,
            details={"rule": due.rule_id, "messageId": message.id},
        )
        self._close(uow, due, stored, now, Outcome.SENT, channel=str(conversation.channel), message=message)
        uow.commit()
        return Decision(result=Outcome.SENT, message=message)

    def _content(
        self, conversation: Conversation, due: Due, values: dict[str, Any], text: str, now: float
    ) -> tuple[Text | Template | None, str]:
        """Free text inside the customer-service window; outside it on WhatsApp, the rule's approved
        template; otherwise nothing (the reason instead)."""
        if conversation.window(now).allowed:
            return Text(), text
        ref = due.rule.template
        if conversation.channel != Channel.WHATSAPP:
            return None, "outside_window"
        if ref is None or not self._approved(conversation.account_id, ref.name, ref.language):
            return None, "no_approved_template"
        params = tuple(templating.render(p, values).strip() for p in ref.params)
        return Template(name=ref.name, language=ref.language, params=params), text

    def _decide_mail(
        self, uow: UnitOfWork, due: Due, contact: Contact | None, stored: BusinessEntity | None, now: float
    ) -> Decision:
        address = _email_of(due, contact)
        if address is None:
            return self._skip(uow, due, stored, now, "no_email")
        if contact is not None and not contact.accepts_proactive(EMAIL):
            return self._skip(uow, due, stored, now, "opted_out")
        rule = due.rule
        persona = (contact.persona if contact else None) or _entity_persona(due) or "cliente"
        language = language_of(contact.profile) if contact else "pt"
        values = _values(due, contact, None)
        text = rule.text(persona, language, values)
        subject = templating.render(rule.subject.of(language), values).strip() if rule.subject else text[:78]
        cta = rule.call_to_action.of(language) if rule.call_to_action else None
        cta_url = (
            templating.render(rule.call_to_action_url, values).strip() if rule.call_to_action_url else None
        )
        unsubscribe = self._unsubscribe_url(address)
        mail = Mail(
            to=address,
            subject=subject,
            text=_mail_text(text, cta, cta_url, unsubscribe, language),
            html=_mail_html(text, cta, cta_url, unsubscribe, language),
            unsubscribe_url=unsubscribe,
            category=due.rule_id,
        )
        self._close(uow, due, stored, now, Outcome.SENDING, channel=EMAIL)
        uow.commit()
        return Decision(result=Outcome.SENDING, mail=mail)

    def _approved(self, account_id: str, name: str, language: str) -> bool:
        """Read once per tick for each template (a tick's follow-ups share a handful of them)."""
        key = (account_id, name, language)
        if key not in self._templates_seen:
            self._templates_seen[key] = self._templates.approved(account_id, name, language)
        return self._templates_seen[key]

    def _mail(self, due: Due, mail: Mail) -> str:
        """After the `sending` record is committed: one call to the provider, its outcome recorded."""
        mailer = self._mailer()
        try:
            if mailer is None:
                raise MailFailed("no mailer configured (SENDGRID_API_KEY)")
            provider_id, outcome, reason = mailer.send(mail), Outcome.SENT, None
        except MailFailed as exc:
            provider_id, outcome, reason = None, Outcome.FAILED, str(exc)[:500]
            log.error("follow-up e-mail %s failed: %s", due.record_id, reason)

        def step(uow: UnitOfWork) -> None:
            record = uow.followups.get(due.record_id)
            if record is None or record.status != Outcome.SENDING:
                return
            now = self._clock()
            uow.followups.save(record, record.ended(outcome, now, provider_id=provider_id, reason=reason))
            uow.omni_logs.note(
                AutomationLog.followup(
                    due.record_id,
                    rule=due.rule_id,
                    result=str(outcome),
                    at=now,
                    reason=reason or f"e-mail sent ({provider_id})",
                    entity=due.subject_id,
                )
            )
            uow.commit()

        atomically(self._uow, step)
        return f"email_{outcome}"

    # -- records ------------------------------------------------------------------------------------------

    def _skip(
        self,
        uow: UnitOfWork,
        due: Due,
        stored: BusinessEntity | None,
        now: float,
        reason: str,
        conversation: Conversation | None = None,
    ) -> Decision:
        """Decided once, never sent: the record says why, and the item stops being due."""
        if conversation is not None and conversation.id == due.conversation_id:
            uow.conversations.save(conversation, conversation.silence_closed())
        self._close(uow, due, stored, now, Outcome.SKIPPED, reason=reason)
        uow.commit()
        return Decision(result=Outcome.SKIPPED)

    def _close(
        self,
        uow: UnitOfWork,
        due: Due,
        stored: BusinessEntity | None,
        now: float,
        outcome: Outcome,
        *,
        channel: str | None = None,
        reason: str | None = None,
        message: Message | None = None,
    ) -> None:
        record = FollowupRecord(
            id=due.record_id,
            rule=due.rule_id,
            entity=due.subject_id,
            window=due.window,
            status=outcome,
            at=now,
            channel=channel,
            reason=reason,
            message_id=message.id if message else None,
        )
        uow.followups.add(record)  # the commit fails if another tick decided it first
        if stored is not None:
            uow.entities.save(stored, stored.followed_up())
        uow.omni_logs.note(
            AutomationLog.followup(
                due.record_id,
                rule=due.rule_id,
                result=str(outcome),
                at=now,
                reason=reason or f"{outcome} on {channel}",
                entity=due.subject_id,
                message_id=message.id if message else None,
                conversation_id=message.conversation_id if message else None,
            )
        )

    def _log_tick(self, tick_id: str, now: float, counts: Counter[str], reason: str) -> None:
        def step(uow: UnitOfWork) -> None:
            uow.omni_logs.note(AutomationLog.tick(tick_id, now, counts, reason))
            uow.commit()

        atomically(self._uow, step)


def _still_quiet(conversation: Conversation, due: Due) -> bool:
    since = conversation.awaiting_reply_since
    return since is not None and str(int(since)) == due.window and conversation.status in ACTIVE


def _contact_of(uow: UnitOfWork, entity: BusinessEntity) -> Contact | None:
    if entity.contact.contact_id:
        found = uow.contacts.get(entity.contact.contact_id)
        if found is not None:
            return found
    keys = entity.contact.identity_keys()
    owners = uow.identities.owners(keys) if keys else {}
    owner = next((owners[k] for k in keys if k in owners), None)
    return uow.contacts.get(owner) if owner else None


def _preferred_conversation(uow: UnitOfWork, contact: Contact, due: Due) -> Conversation | None:
    """The entity's preferred channel if the contact has a conversation there, else their latest one."""
    preferred = due.entity.contact.channel if due.entity else None
    if preferred:
        found = uow.conversations.latest_of(contact.id, preferred, None)
        if found is not None:
            return found
    latest = uow.conversations.of_contact(contact.id, 1)
    return latest[0] if latest else None


def _email_of(due: Due, contact: Contact | None) -> str | None:
    if due.entity and due.entity.contact.email:
        return due.entity.contact.email.strip().lower()
    emails = [k.split(":", 1)[1] for k in (contact.identities if contact else ()) if k.startswith("email:")]
    return emails[0] if emails else None


def _entity_persona(due: Due) -> str | None:
    return due.entity.contact.persona if due.entity else None


def _values(due: Due, contact: Contact | None, conversation_name: str | None) -> dict[str, Any]:
    """What a rule's texts may use: the contact's name, and the entity's fields."""
    entity = due.entity
    name = (
        (contact.name if contact else None)
        or (entity.contact.name if entity else None)
        or conversation_name
        or ""
    )
    values: dict[str, Any] = {"contact": {"name": name, "first_name": first_name(name)}}
    return values | (_entity_values(entity) if entity else {})


def _entity_values(entity: BusinessEntity) -> dict[str, Any]:
    values: dict[str, Any] = {
        "entity": {
            "kind": str(entity.kind),
            "external_id": entity.external_id,
            "status": entity.status,
            "data": entity.data,
        }
    }
    if entity.kind == EntityKind.PAYMENT or "amount" in entity.data:
        values["amount"] = brl(entity.data.get("amount"))
    return values


def _mail_text(text: str, cta: str | None, url: str | None, unsubscribe: str, language: str) -> str:
    parts = [text]
    if cta and url:
        parts.append(f"{cta}: {url}")
    stop = "To stop receiving these e-mails" if language == "en" else "Para não receber mais estes e-mails"
    parts.append(f"{stop}: {unsubscribe}")
    return "\n\n".join(parts)


def _mail_html(text: str, cta: str | None, url: str | None, unsubscribe: str, language: str) -> str:
    stop = "Stop receiving these e-mails" if language == "en" else "Não quero mais receber estes e-mails"
    button = f'<p><a href="{escape(url, quote=True)}">{escape(cta)}</a></p>' if cta and url else ""
    return (
        f"<p>{escape(text)}</p>{button}"
        f'<p style="font-size:12px;color:#666"><a href="{escape(unsubscribe, quote=True)}">{stop}</a></p>'
    )
