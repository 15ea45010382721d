"""Campaigns: build the audience, pace one task per recipient through the queue, send each exactly once.

`create` writes the campaign (a draft) and one send record per recipient, each
`queued`, with the live counts. `start` enqueues one task per queued send,
spaced at the number's rate (its `schedule_time`); the queue itself caps the
rate too. Each task calls `dispatch`, which in one commit moves its send from
`queued` to `sending` and creates the message (an id derived from campaign and
recipient), then hands the message to the same `OutboundService.send` as every
reply. So a task run twice, a crash or a resume finds the send no longer
queued and sends nothing; a pause leaves sends queued and `resume` enqueues a
new round of tasks for them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from atende.domain import campaign as rules
from atende.domain.audience import ImportReport
from atende.domain.campaign import Campaign, Dispatch, Recipient, Send, TemplateChoice
from atende.domain.channels import ChannelRegistry
from atende.domain.contact import Contact
from atende.domain.contacts import Address, identity_key
from atende.domain.content import Template
from atende.domain.conversation import Conversation
from atende.domain.errors import WorkflowRefused
from atende.domain.message import Message
from atende.domain.model import Channel, SenderType, conversation_doc_id, stable_id
from atende.domain.staff import Actor
from atende.domain.templates import MessageTemplate
from atende.services.audit import AuditEntry
from atende.services.unit_of_work import UnitOfWork, atomically

log = logging.getLogger(__name__)

FINISH_CHECK_S = 15.0  # after the last task, how often to look whether every send has ended
ENQUEUE_LEAD_S = 1.0  # the first task's slot, after the tasks start being created


@dataclass(frozen=True)
class CampaignTask:
    name: str  # unique per (campaign, recipient, round): a queue never runs one name twice
    payload: dict[str, Any]  # JSON: a recipient's ids, or the console's template requests
    run_at: float


class TaskQueue(Protocol):
    def enqueue_all(self, tasks: Sequence[CampaignTask]) -> None:
        """Create every task (a name already there is not an error: it was created before a crash)."""


class CampaignStore(Protocol):
    """Reads and bulk writes outside a unit of work: many send records at once, the counts, the lists."""

    def create(self, campaign: Campaign, sends: Sequence[Send], audit: AuditEntry | None = None) -> None:
        """The draft, its sends and its counts; rewriting the same ones changes nothing. The audit entry,
        when a person created it, lands with the campaign document."""

    def queued(self, campaign_id: str) -> list[Send]:
        """Sends still waiting for their task, in audience order."""

    def counts(self, campaign_id: str) -> dict[str, int]: ...

    def sends(self, campaign_id: str, limit: int) -> list[Send]: ...

    def page(self, campaign_id: str, status: str | None, after_seq: int | None, limit: int) -> list[Send]:
        """Sends in audience order after `after_seq`, only those in `status` when given."""

    def pending_count(self, campaign_id: str) -> int:
        """Sends still queued or sending, counted by the database (an aggregation, not the documents)."""

    def handed_since(self, campaign_id: str, since: float) -> int:
        """Sends whose message went to outbound at or after `since` (an aggregation)."""

    def all(self, limit: int) -> list[Campaign]: ...

    def contacts(
        self, where: Mapping[str, Any], account_id: str, limit: int | None = None
    ) -> list[Recipient]:
        """Contacts matching a filter (`labels` any of, `persona`) who can be reached on WhatsApp; the
        first `limit` of them when given."""

    def owners(self, keys: Sequence[str]) -> dict[str, str]:
        """Identity key → contact id, for the keys some contact already has."""

    def template(self, account_id: str, name: str, language: str) -> MessageTemplate | None: ...


class Sending(Protocol):
    def send(self, message_id: str) -> str: ...


class Personaliser(Protocol):
    def personalise(self, recipient: Recipient, instruction: str) -> str:
        """The one parameter written for this recipient (the local engine, or Gemini)."""


PARAM_MAX = 200  # a personalised parameter: one line, short (WhatsApp refuses newlines and tabs in one)


def _facts(recipient: Recipient) -> dict[str, str]:
    name = recipient.name or ""
    return {
        **recipient.variables,
        "name": name,
        "first_name": name.split()[0] if name.split() else "cliente",
        "phone": recipient.phone,
    }


def _one_line(text: str) -> str:
    return " ".join(text.split())[:PARAM_MAX]


class LocalPersonaliser:
    """The local engine's personalisation: the instruction is a template of the flows' language
    (sandboxed Jinja2) over the recipient: `name`, `first_name`, `phone` and the CSV's other columns."""

    def personalise(self, recipient: Recipient, instruction: str) -> str:
        from atende import templating

        values = _facts(recipient)
        written = templating.render(instruction or "{{ first_name }}", values)
        return _one_line(written) or values["first_name"]


class Writer(Protocol):
    def personalise(self, facts: Mapping[str, str], instruction: str) -> str | None: ...


class EnginePersonaliser:
    """Gemini writes the parameter from the instruction in plain words; where it fails, the recipient's
    first name goes instead (a campaign never waits on, or sends, an empty parameter)."""

    def __init__(self, writer: Writer) -> None:
        self._writer = writer

    def personalise(self, recipient: Recipient, instruction: str) -> str:
        facts = _facts(recipient)
        written = _one_line(
            self._writer.personalise(facts, instruction or "uma saudação com o primeiro nome") or ""
        )
        if not written:
            log.warning(
                "personalised parameter not written for %s: the first name goes instead", recipient.contact_id
            )
        return written or facts["first_name"]


class CampaignEvents(Protocol):
    def campaign_finished(self, campaign: Campaign, counts: Mapping[str, int]) -> None: ...


@dataclass(frozen=True)
class Sample:
    """One recipient's message as a preview shows it: the parameter written for them and the whole body."""

    recipient: Recipient
    personal: str | None
    text: str


@dataclass(frozen=True)
class Audience:
    """Who a campaign goes to: the contacts a filter finds, or the valid rows of an imported CSV."""

    where: Mapping[str, Any] | None = None
    csv: ImportReport | None = None


class CampaignService:
    def __init__(
        self,
        *,
        uow: Callable[[], UnitOfWork],
        store: CampaignStore,
        queue: TaskQueue,
        outbound: Callable[[], Sending],
        channels: Callable[[], ChannelRegistry],
        personaliser: Personaliser | None = None,
        events: CampaignEvents | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._uow = uow
        self._store = store
        self._queue = queue
        self._outbound = outbound
        self._channels = channels
        self._personaliser = personaliser
        self._events = events
        self._clock = clock

    # -- the people's side (CLI, console) --------------------------------------------------------------------

    def create(
        self,
        *,
        name: str,
        account_id: str,
        template: TemplateChoice,
        audience: Audience,
        created_by: str,
        rate_per_second: float | None = None,
        scheduled_at: float | None = None,
        personalise: str | None = None,
        actor: Actor | None = None,
    ) -> Campaign:
        """A draft with its send records; the template must be approved and its parameters complete.
        A person's (the console's) creation is audited."""
        template = self._approved(account_id, template)
        channel = self._channels().get(Channel.WHATSAPP, account_id)
        rate = rate_per_second or channel.campaign_rate or rules.DEFAULT_RATE_PER_SECOND
        recipients = self._recipients(audience, account_id)
        campaign = Campaign(
            id=Campaign.new_id(),
            name=name,
            account_id=account_id,
            template=template,
            audience=_audience_doc(audience, personalise),
            rate_per_second=rate,
            scheduled_at=scheduled_at,
            created_by=created_by,
            total=len(recipients),
        )
        sends = [Send(campaign_id=campaign.id, recipient=r, seq=i) for i, r in enumerate(recipients)]
        audit = _audit(actor, "campaigns.create", campaign.id, None, campaign, self._clock())
        self._store.create(campaign, sends, audit)
        log.info("campaign %s created: %d recipients", campaign.id, len(sends))
        return campaign

    def preview(
        self,
        *,
        account_id: str,
        template: TemplateChoice,
        audience: Audience,
        personalise: str | None = None,
    ) -> list[Sample]:
        """What the first few recipients would read, the personalised parameter written by the personaliser
        dispatch uses. Nothing is stored: at send time dispatch writes (and keeps) its own text."""
        template = self._approved(account_id, template)
        samples = []
        for recipient in self._recipients(audience, account_id, limit=rules.PREVIEW_MAX):
            personal = None
            if template.personalised is not None:
                personal = self._write_personal(recipient, personalise)
            text = rules.message_text(template, rules.template_params(template, personal))
            samples.append(Sample(recipient=recipient, personal=personal, text=text))
        return samples

    def start(self, campaign_id: str, actor: Actor | None = None) -> Campaign:
        now = self._clock()
        started = self._move(campaign_id, lambda c: c.start(now, c.total), actor, "start")
        self._enqueue(started, max(now, started.scheduled_at or now))
        return started

    def pause(self, campaign_id: str, actor: Actor | None = None) -> Campaign:
        return self._move(campaign_id, Campaign.pause, actor, "pause")

    def resume(self, campaign_id: str, actor: Actor | None = None) -> Campaign:
        """A new round of tasks for every send still queued (after a pause, or a crash that lost tasks)."""
        resumed = self._move(campaign_id, Campaign.resume, actor, "resume")
        self._enqueue(resumed, max(self._clock(), resumed.scheduled_at or 0.0))
        return resumed

    def cancel(self, campaign_id: str, actor: Actor | None = None) -> Campaign:
        cancelled = self._move(campaign_id, Campaign.cancel, actor, "cancel")
        if self._events is not None:
            self._events.campaign_finished(cancelled, self._store.counts(campaign_id))
        return cancelled

    def progress(self, campaign_id: str) -> tuple[Campaign, dict[str, int]]:
        with self._uow() as uow:
            campaign = uow.campaigns.get(campaign_id)
        if campaign is None:
            raise WorkflowRefused("Campanha não encontrada")
        return campaign, self._store.counts(campaign_id)

    # -- the queue's side (the campaign_send function) -------------------------------------------------------

    def dispatch(self, campaign_id: str, contact_id: str) -> str:
        """One task: send to this recipient unless that was done, or must wait, or must not happen."""
        now = self._clock()
        channels = self._channels()
        personal = self._personal(campaign_id, contact_id)

        def step(uow: UnitOfWork) -> tuple[Dispatch, Send | None]:
            send = uow.campaigns.send(campaign_id, contact_id)
            campaign = uow.campaigns.get(campaign_id)
            if campaign is None or send is None:
                return Dispatch.DONE, None
            address = Address(send.recipient.wa_id, send.recipient.phone)
            conversation_id = conversation_doc_id(Channel.WHATSAPP, campaign.account_id, address.recipient_id)
            uow.prefetch(
                conversations=[conversation_id], contacts=[contact_id], identities=_identity_keys(send)
            )
            conversation = uow.conversations.get(conversation_id)
            contact = uow.contacts.get(contact_id)
            decision = rules.dispatch(
                campaign,
                send,
                opted_out=contact is not None and not contact.accepts_proactive(str(Channel.WHATSAPP)),
                last_outgoing_at=_last_outgoing(conversation),
                now=now,
            )
            if decision == Dispatch.SKIP:
                uow.campaigns.save_send(send, rules.skipped(send))
            elif decision == Dispatch.DROP:
                uow.campaigns.save_send(send, rules.dropped(send))
            elif decision == Dispatch.SEND:
                if rules.awaits_personal(campaign, send):  # the first name if it was not ready (a race)
                    send_as = rules.with_personal(send, personal or _facts(send.recipient)["first_name"])
                else:
                    send_as = send
                message = self._message(uow, campaign, send_as, conversation, address, channels, now)
                uow.campaigns.save_send(send, rules.handed_over(send_as, message.id, now))
            uow.commit()
            return decision, send

        decision, send = atomically(self._uow, step)
        if send is not None and (decision == Dispatch.SEND or send.status == rules.SendStatus.SENDING):
            # A task run again after a crash between the commit and the send finds the message queued.
            result = self._outbound().send(send.message_id or send.message_id_for())
            log.info("campaign %s → %s: %s", campaign_id, contact_id, result)
        return str(decision)

    def check_finished(self, campaign_id: str) -> bool:
        """The finish task: finished when no send is pending; else look again a little later."""
        counts = self._store.counts(campaign_id)
        now = self._clock()

        def step(uow: UnitOfWork) -> Campaign | None:
            campaign = uow.campaigns.get(campaign_id)
            done = campaign.finished(counts, now) if campaign else None
            if campaign is not None and done is not None:
                uow.campaigns.save(campaign, done)
                uow.commit()
            return done

        finished = atomically(self._uow, step)
        if finished is not None:
            if self._events is not None:
                self._events.campaign_finished(finished, counts)
            return True
        with self._uow() as uow:
            campaign = uow.campaigns.get(campaign_id)
        if campaign is not None and campaign.sending:
            self._queue.enqueue_all([_finish_task(campaign, now + FINISH_CHECK_S, str(int(now)))])
        return False

    # -- helpers ---------------------------------------------------------------------------------------------

    def _move(
        self, campaign_id: str, change: Callable[[Campaign], Campaign], actor: Actor | None, verb: str
    ) -> Campaign:
        def step(uow: UnitOfWork) -> Campaign:
            campaign = uow.campaigns.get(campaign_id)
            if campaign is None:
                raise WorkflowRefused("Campanha não encontrada")
            after = change(campaign)
            uow.campaigns.save(campaign, after)
            audit = _audit(actor, f"campaigns.{verb}", campaign_id, campaign, after, self._clock())
            if audit is not None:
                uow.audit_logs.add(audit)
            uow.commit()
            return after

        return atomically(self._uow, step)

    def _enqueue(self, campaign: Campaign, start_at: float) -> None:
        """One task per queued send at its slot. The first slot leaves time to create the tasks (they are
        created faster than any rate they run at): a slot already past would run at once, in a burst."""
        queued = self._store.queued(campaign.id)
        start_at = max(start_at, self._clock() + ENQUEUE_LEAD_S)
        times = rules.slots(start_at, len(queued), campaign.rate_per_second)
        tasks = [
            CampaignTask(
                name=f"{campaign.id}-{send.contact_id}-g{campaign.generation}",
                payload={"campaignId": campaign.id, "contactId": send.contact_id},
                run_at=at,
            )
            for send, at in zip(queued, times, strict=True)
        ]
        finish_at = (times[-1] if times else start_at) + FINISH_CHECK_S
        tasks.append(_finish_task(campaign, finish_at, f"g{campaign.generation}"))
        self._queue.enqueue_all(tasks)
        log.info("campaign %s: %d tasks at %.1f/s", campaign.id, len(queued), campaign.rate_per_second)

    def _approved(self, account_id: str, template: TemplateChoice) -> TemplateChoice:
        """The choice with its approved body; refused when not approved here or its parameters are wrong."""
        found = self._store.template(account_id, template.name, template.language)
        if found is None or not found.approved:
            raise WorkflowRefused(
                f"Modelo {template.name} ({template.language}) não está aprovado neste número"
            )
        found.check_params(template.params)
        if template.personalised is not None and not 0 <= template.personalised < len(template.params):
            raise WorkflowRefused("Parâmetro personalizado fora do modelo")
        return replace(template, body=found.body)

    def _recipients(self, audience: Audience, account_id: str, limit: int | None = None) -> list[Recipient]:
        if audience.csv is not None:
            rows = audience.csv.rows[:limit]
            keys = [f"whatsapp:{r.phone.lstrip('+')}" for r in rows]
            owners = self._store.owners([*keys, *(identity_key("phone", r.phone) for r in rows)])
            return [
                Recipient(
                    contact_id=owners.get(key)
                    or owners.get(identity_key("phone", row.phone))
                    or stable_id("c", key),
                    wa_id=row.phone.lstrip("+"),
                    name=row.name,
                    variables=row.variables,
                )
                for row, key in zip(rows, keys, strict=True)
            ]
        return self._store.contacts(audience.where or {}, account_id, limit)

    def _personal(self, campaign_id: str, contact_id: str) -> str:
        """The parameter for a send that awaits one, written before the transaction: an engine call is
        slow, and a transaction retried on contention must not call it again. Where the send already
        has one (a retried task), or needs none, nothing is called."""
        with self._uow() as uow:
            campaign = uow.campaigns.get(campaign_id)
            if campaign is None or campaign.template.personalised is None:
                return ""  # most campaigns: one read, no more
            send = uow.campaigns.send(campaign_id, contact_id)
        if send is None or not rules.awaits_personal(campaign, send):
            return ""
        return self._write_personal(send.recipient, campaign.audience.get("personalise"))

    def _write_personal(self, recipient: Recipient, instruction: str | None) -> str:
        personaliser = self._personaliser or LocalPersonaliser()
        return personaliser.personalise(recipient, str(instruction or ""))

    def _message(
        self,
        uow: UnitOfWork,
        campaign: Campaign,
        send: Send,
        conversation: Conversation | None,
        address: Address,
        channels: ChannelRegistry,
        now: float,
    ) -> Message:
        """The campaign's message, its conversation (opened if the person never wrote) and contact."""
        contact = uow.contacts.get(send.contact_id)
        config = channels.get(Channel.WHATSAPP, campaign.account_id)
        if contact is None:
            keys = _identity_keys(send)
            contact = replace(
                Contact.new(send.contact_id, persona=config.default_persona),
                name=send.recipient.name,
                identities=tuple(keys),
                phones=(send.recipient.phone,),
                last_channel=Channel.WHATSAPP,
            )
            uow.contacts.add(contact)
            for key in keys:
                uow.identities.claim(key, contact.id)
        params = rules.template_params(campaign.template, send.recipient.variables.get(rules.PERSONAL))
        text = rules.message_text(campaign.template, params)
        opened = conversation or Conversation.opened_for_campaign(
            contact_id=contact.id,
            account_id=campaign.account_id,
            address=address,
            persona=contact.persona,
            team=config.default_team,
        )
        message = Message.for_campaign(
            message_id=send.message_id_for(),
            campaign_id=campaign.id,
            campaign_name=campaign.name,
            conversation_id=opened.id,
            contact_id=contact.id,
            account_id=campaign.account_id,
            recipient=address,
            window_from=opened.last_inbound_at,
            content=Template(name=campaign.template.name, language=campaign.template.language, params=params),
            text=text,
            now=now,
        )
        uow.messages.add(message)
        after = opened.campaign_sent(text, now, campaign.id)
        if conversation is None:
            uow.conversations.add(after)
        else:
            uow.conversations.save(conversation, after)
        return message


def _audit(
    actor: Actor | None, action: str, campaign_id: str, before: Campaign | None, after: Campaign, now: float
) -> AuditEntry | None:
    """A person's move of a campaign, for the audit log (the CLI's are not: it runs with the project's
    credentials, outside the console's people)."""
    if actor is None:
        return None
    return AuditEntry(
        action=action,
        actor_uid=actor.uid,
        actor_role=str(actor.role),
        collection="campaigns",
        target_id=campaign_id,
        at=now,
        before=None if before is None else _summary(before),
        after=_summary(after),
    )


def _summary(c: Campaign) -> dict[str, Any]:
    return {
        "name": c.name,
        "status": str(c.status),
        "template": c.template.name,
        "total": c.total,
        "generation": c.generation,
    }


def _identity_keys(send: Send) -> list[str]:
    """What the recipient's contact is found by, as inbound messages will find it."""
    return [f"whatsapp:{send.recipient.wa_id}", identity_key("phone", send.recipient.phone)]


def _finish_task(campaign: Campaign, at: float, suffix: str) -> CampaignTask:
    return CampaignTask(
        name=f"{campaign.id}-finish-{suffix}", payload={"campaignId": campaign.id, "finish": "1"}, run_at=at
    )


def _last_outgoing(conversation: Conversation | None) -> float | None:
    if conversation is None or conversation.last_message_sender in (None, SenderType.CONTACT):
        return None
    return conversation.last_message_at


def _audience_doc(audience: Audience, personalise: str | None) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if audience.csv is not None:
        doc["csv"] = audience.csv.summary
    else:
        doc["filter"] = dict(audience.where or {})
    if personalise:
        doc["personalise"] = personalise
    return doc
