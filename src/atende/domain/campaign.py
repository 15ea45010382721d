"""A campaign: one approved WhatsApp template sent to an audience at the number's rate, each recipient once.

The rules live here: which moves a campaign may make (start, pause, resume,
cancel, finish), what a dispatched task does with its recipient (send, wait,
skip an opted-out contact, drop it after a cancel), how a send's status
follows its message's, and how the live counts change with each move. The
send record is written before the message exists, and the message's id is
derived from (campaign, recipient): a retried task, a crash or a resume finds
the record and never makes a second message.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from atende.domain.errors import WorkflowRefused
from atende.domain.model import MessageStatus, stable_id
from atende.domain.templates import render

DEFAULT_RATE_PER_SECOND = 80.0  # WhatsApp Cloud API's default throughput per business number
RECIPIENT_GAP_S = 6.0  # at most one message per recipient per 6 s (WhatsApp's pair rate limit, 131056)
COUNTER_SHARDS = 16  # the live counts are spread over shards: one document takes ~1 sustained write/s


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    FINISHED = "finished"


class SendStatus(StrEnum):
    QUEUED = "queued"  # waiting for its task
    SENDING = "sending"  # its message exists and is with outbound
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"  # with the platform's (or Atende's) reason
    UNKNOWN = "unknown"  # the send may have reached Meta; never re-sent blindly
    SKIPPED = "skipped"  # opted out when its turn came
    CANCELLED = "cancelled"  # the campaign was cancelled before its turn


PENDING = frozenset({SendStatus.QUEUED, SendStatus.SENDING})

_FROM_MESSAGE = {
    MessageStatus.QUEUED: SendStatus.SENDING,
    MessageStatus.SENDING: SendStatus.SENDING,
    MessageStatus.SENT: SendStatus.SENT,
    MessageStatus.DELIVERED: SendStatus.DELIVERED,
    MessageStatus.READ: SendStatus.READ,
    MessageStatus.PLAYED: SendStatus.READ,
    MessageStatus.FAILED: SendStatus.FAILED,
    MessageStatus.UNKNOWN: SendStatus.UNKNOWN,
}


def send_status_of(message_status: MessageStatus) -> SendStatus:
    """A send mirrors its message once the message exists."""
    return _FROM_MESSAGE.get(message_status, SendStatus.SENDING)


@dataclass(frozen=True)
class TemplateChoice:
    name: str
    language: str
    params: tuple[str, ...] = ()
    personalised: int | None = None  # index of the one body parameter the engine writes per recipient
    body: str = ""  # the approved body with its {{n}}, kept so each message's text shows what was sent


@dataclass(frozen=True, kw_only=True)
class Campaign:
    id: str
    name: str
    account_id: str  # the WhatsApp number (phone_number_id)
    template: TemplateChoice
    audience: Mapping[str, Any]  # {"filter": {...}} or {"csv": {"rows": n, "valid": n, ...}}
    rate_per_second: float = DEFAULT_RATE_PER_SECOND
    status: CampaignStatus = CampaignStatus.DRAFT
    scheduled_at: float | None = None
    created_by: str = ""
    total: int = 0
    generation: int = 0  # how many times its tasks were (re)enqueued: names each round of tasks apart
    started_at: float | None = None
    finished_at: float | None = None

    @staticmethod
    def new_id() -> str:
        return f"cp_{uuid.uuid4().hex[:20]}"

    def start(self, now: float, total: int) -> Campaign:
        """Scheduled (its tasks wait for their time) or running; a campaign starts once."""
        if self.status != CampaignStatus.DRAFT:
            raise WorkflowRefused(f"Campanha {_STATUS_PT[self.status]}: não pode ser iniciada")
        if total == 0:
            raise WorkflowRefused("Campanha sem destinatários")
        later = self.scheduled_at is not None and self.scheduled_at > now
        return replace(
            self,
            status=CampaignStatus.SCHEDULED if later else CampaignStatus.RUNNING,
            total=total,
            generation=self.generation + 1,
            started_at=now,
        )

    def pause(self) -> Campaign:
        if self.status not in (CampaignStatus.RUNNING, CampaignStatus.SCHEDULED):
            raise WorkflowRefused(f"Campanha {_STATUS_PT[self.status]}: não pode ser pausada")
        return replace(self, status=CampaignStatus.PAUSED)

    def resume(self) -> Campaign:
        """Paused → running; running again after a crash: either way a new round of tasks for what is left."""
        if self.status not in (CampaignStatus.PAUSED, CampaignStatus.RUNNING, CampaignStatus.SCHEDULED):
            raise WorkflowRefused(f"Campanha {_STATUS_PT[self.status]}: não pode ser retomada")
        return replace(self, status=CampaignStatus.RUNNING, generation=self.generation + 1)

    def cancel(self) -> Campaign:
        if self.status in (CampaignStatus.CANCELLED, CampaignStatus.FINISHED):
            raise WorkflowRefused(f"Campanha {_STATUS_PT[self.status]}: não pode ser cancelada")
        return replace(self, status=CampaignStatus.CANCELLED)

    def finished(self, counts: Mapping[str, int], now: float) -> Campaign | None:
        """Finished once no send is pending; None while some are (or it is not running)."""
        if not self.sending or pending(counts) > 0:
            return None
        return replace(self, status=CampaignStatus.FINISHED, finished_at=now)

    @property
    def sending(self) -> bool:
        return self.status in (CampaignStatus.RUNNING, CampaignStatus.SCHEDULED)


_STATUS_PT = {
    CampaignStatus.DRAFT: "em rascunho",
    CampaignStatus.SCHEDULED: "agendada",
    CampaignStatus.RUNNING: "em andamento",
    CampaignStatus.PAUSED: "pausada",
    CampaignStatus.CANCELLED: "cancelada",
    CampaignStatus.FINISHED: "concluída",
}


@dataclass(frozen=True, kw_only=True)
class Recipient:
    contact_id: str
    wa_id: str  # digits, as WhatsApp addresses the person
    name: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)  # extra CSV columns, for personalisation

    @property
    def phone(self) -> str:
        return "+" + self.wa_id


@dataclass(frozen=True, kw_only=True)
class Send:
    """The record of one recipient of one campaign; id = the contact id."""

    campaign_id: str
    recipient: Recipient
    seq: int  # its place in the audience: the order tasks are paced in
    status: SendStatus = SendStatus.QUEUED
    message_id: str | None = None
    reason: str | None = None
    replied_at: float | None = None
    handed_at: float | None = None  # when its message went to outbound: the console's rate counts these

    @property
    def contact_id(self) -> str:
        return self.recipient.contact_id

    @property
    def shard(self) -> int:
        return self.seq % COUNTER_SHARDS

    def message_id_for(self) -> str:
        """Derived, so a second task for this recipient finds the first message instead of making one."""
        return stable_id("m", "campaign", self.campaign_id, self.contact_id)


class Dispatch(StrEnum):
    SEND = "send"
    WAIT = "wait"  # the campaign is paused (or scheduled and resumed later): the send stays queued
    SKIP = "skip"  # opted out
    DROP = "drop"  # cancelled
    DONE = "done"  # already handled by an earlier task (retry, crash, resume)
    TOO_SOON = "too_soon"  # the recipient got a message less than 6 s ago: the task is retried


def dispatch(
    campaign: Campaign, send: Send, *, opted_out: bool, last_outgoing_at: float | None, now: float
) -> Dispatch:
    """What a task does with its recipient, decided at send time (opt-outs are read now, not at import)."""
    if send.status != SendStatus.QUEUED:
        return Dispatch.DONE
    if campaign.status == CampaignStatus.CANCELLED:
        return Dispatch.DROP
    if campaign.status != CampaignStatus.RUNNING and not (
        campaign.status == CampaignStatus.SCHEDULED and (campaign.scheduled_at or 0) <= now
    ):
        return Dispatch.WAIT
    if opted_out:
        return Dispatch.SKIP
    if last_outgoing_at is not None and now - last_outgoing_at < RECIPIENT_GAP_S:
        return Dispatch.TOO_SOON
    return Dispatch.SEND


def handed_over(send: Send, message_id: str, now: float) -> Send:
    return replace(send, status=SendStatus.SENDING, message_id=message_id, handed_at=now)


def skipped(send: Send) -> Send:
    return replace(send, status=SendStatus.SKIPPED, reason="opted_out")


def dropped(send: Send) -> Send:
    return replace(send, status=SendStatus.CANCELLED, reason="campaign_cancelled")


def count_changes(before: SendStatus | None, after: SendStatus) -> dict[str, int]:
    """What a move does to the live counts (one bucket per current status; `None`: a new send)."""
    if before == after:
        return {}
    changes = {str(after): 1}
    if before is not None:
        changes[str(before)] = -1
    return changes


def pending(counts: Mapping[str, int]) -> int:
    return sum(counts.get(str(s), 0) for s in PENDING)


def done(total: int, counts: Mapping[str, int]) -> int:
    """Recipients whose send has ended, however it ended (sent, failed, skipped, cancelled …)."""
    return max(0, total - pending(counts))


def share_done(total: int, counts: Mapping[str, int]) -> float:
    return done(total, counts) / total if total else 1.0


PERSONAL = "_personal"  # the recipient variable holding the personalised parameter, once written


def awaits_personal(campaign: Campaign, send: Send) -> bool:
    """A send about to go out whose personalised parameter is not written yet. It is written at dispatch,
    not at creation: one engine call per recipient at the campaign's own rate, instead of all of them
    inside the request that creates the campaign."""
    return (
        campaign.template.personalised is not None
        and campaign.sending
        and send.status == SendStatus.QUEUED
        and PERSONAL not in send.recipient.variables
    )


def with_personal(send: Send, text: str) -> Send:
    """The send with its parameter kept, so that a retried task sends the text the first one wrote."""
    return replace(
        send, recipient=replace(send.recipient, variables={**send.recipient.variables, PERSONAL: text})
    )


def template_params(template: TemplateChoice, personal: str | None) -> tuple[str, ...]:
    """The body parameters for one recipient: the campaign's, with the personalised one filled in."""
    params = list(template.params)
    if template.personalised is not None and personal is not None:
        params[template.personalised] = personal
    return tuple(params)


def message_text(template: TemplateChoice, params: tuple[str, ...]) -> str:
    """The body the recipient reads (kept on the message, shown by a preview)."""
    return render(template.body, params) if template.body else f"[modelo {template.name}]"


PREVIEW_MAX = 3  # recipients a preview writes for: each may be one engine call


def slots(start_at: float, count: int, rate_per_second: float) -> list[float]:
    """When each of `count` tasks should run to keep `rate_per_second`, from `start_at`."""
    if rate_per_second <= 0 or not math.isfinite(rate_per_second):
        raise ValueError("rate must be a positive number")
    return [start_at + i / rate_per_second for i in range(count)]
