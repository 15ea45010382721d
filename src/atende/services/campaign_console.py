"""What the console's campaign and template pages call (`console_api`, docs/campaigns.md): the same
campaign service and CSV reader as `atende campaign`, the caller's role checked on each call and each
change audited.

Progress is cheap by construction: the counts are the campaign's 16 counter shards (what `atende campaign
status` adds up), the rate and the list's percentages are Firestore count() aggregations, so a console
polling every 2 s costs a few reads however large the campaign, and no send ever writes a shared document.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from atende.domain import campaign as rules
from atende.domain.audience import ImportReport, read_csv
from atende.domain.campaign import Campaign, CampaignStatus, Send, SendStatus, TemplateChoice
from atende.domain.errors import WorkflowRefused
from atende.domain.staff import Actor
from atende.domain.templates import MessageTemplate, TemplateDraft, TemplateInvalid
from atende.services.audit import AuditEntry
from atende.services.campaigns import (
    Audience,
    CampaignService,
    CampaignStore,
    CampaignTask,
    Sample,
    TaskQueue,
)
from atende.services.settings.errors import NotFound, SettingRefused
from atende.services.templates import TemplateService
from atende.services.unit_of_work import UnitOfWork

RATE_WINDOW_S = 60.0  # the rate shown is the sends handed to outbound over the last minute
SYNC_TASK = "templatesSync"  # a task asking campaign_send (it holds the tokens) to sync Meta's catalog
CREATE_TASK = "templateCreate"  # likewise, to submit a checked template to Meta: {accountId, draft}
PAGE_MAX = 100
MOVES = ("start", "pause", "resume", "cancel")


def only_campaign_staff(actor: Actor) -> None:
    """The one exception to the console's admins-only rule (docs/console.md): supervisors run campaigns."""
    actor.check(actor.may_run_campaigns, "Somente administradores e supervisores cuidam de campanhas")


@dataclass(frozen=True)
class Progress:
    campaign: Campaign
    counts: Mapping[str, int]
    per_second: float  # over the last minute

    @property
    def done(self) -> int:
        return rules.done(self.campaign.total, self.counts)

    @property
    def share(self) -> float:
        return rules.share_done(self.campaign.total, self.counts)


@dataclass(frozen=True, kw_only=True)
class Draft:
    """A campaign as the console's form sends it; the audience is a CSV's text or contact filters."""

    account_id: str
    name: str = ""  # none yet when the form asks for a preview
    template: TemplateChoice
    csv: str | None = None
    where: Mapping[str, Any] | None = None
    scheduled_at: float | None = None
    rate_per_second: float | None = None
    personalise: str | None = None


class CampaignConsole:
    def __init__(
        self,
        *,
        campaigns: CampaignService,
        store: CampaignStore,
        templates: TemplateService,
        queue: TaskQueue,
        uow: Callable[[], UnitOfWork],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._campaigns = campaigns
        self._store = store
        self._templates = templates
        self._queue = queue
        self._uow = uow
        self._clock = clock

    # -- templates -------------------------------------------------------------------------------------------

    def templates(self, actor: Actor, account_id: str | None) -> list[MessageTemplate]:
        only_campaign_staff(actor)
        return self._templates.list(account_id)

    def request_sync(self, actor: Actor, account_id: str | None) -> float:
        """Meta's catalog is read by `campaign_send`, the function holding the numbers' tokens (the console
        never reads a token): a task on the campaigns' queue asks it to; the page sees `syncedAt` move."""
        only_campaign_staff(actor)
        now = self._clock()
        scope = account_id or "*"
        name = f"templates-sync-{account_id or 'all'}-{int(now * 1000)}"  # task names: [A-Za-z0-9_-]
        self._enqueue(
            actor, "templates.sync", scope, CampaignTask(name=name, payload={SYNC_TASK: scope}, run_at=now)
        )
        return now

    def request_creation(self, actor: Actor, account_id: str, draft: TemplateDraft) -> MessageTemplate:
        """Checked here (each faulty field named), listed as PENDING at once, and submitted to Meta by
        `campaign_send` from a task, for the same reason as the sync: the console holds no token."""
        only_campaign_staff(actor)
        try:
            template = self._templates.propose(account_id, draft)
        except TemplateInvalid as refused:
            raise SettingRefused(refused.reason, refused.fields) from None
        now = self._clock()
        request = {"accountId": account_id, "draft": asdict(draft)}
        task = CampaignTask(
            name=f"template-create-{template.id[:400]}-{int(now * 1000)}",
            payload={CREATE_TASK: request},
            run_at=now,
        )
        self._enqueue(actor, "templates.create", template.id, task, after=request["draft"])
        return template

    def _enqueue(
        self, actor: Actor, action: str, target: str, task: CampaignTask, after: dict[str, Any] | None = None
    ) -> None:
        self._queue.enqueue_all([task])
        with self._uow() as uow:
            entry = AuditEntry(
                action=action,
                actor_uid=actor.uid,
                actor_role=str(actor.role),
                collection="templates",
                target_id=target,
                at=task.run_at,
                after=after,
            )
            uow.audit_logs.add(entry)
            uow.commit()

    # -- audience and creation -------------------------------------------------------------------------------

    def check_audience(self, actor: Actor, csv: str) -> ImportReport:
        """The CSV as `atende campaign create --csv` reads it, line by line, before anything is created."""
        only_campaign_staff(actor)
        try:
            return read_csv(csv)
        except ValueError as e:
            raise SettingRefused(f"Arquivo recusado: {e}") from None

    def create(self, actor: Actor, draft: Draft, *, start: bool) -> tuple[Campaign, ImportReport | None]:
        only_campaign_staff(actor)
        audience, report = self._audience(actor, draft)
        with _refusals():
            campaign = self._campaigns.create(
                name=draft.name,
                account_id=draft.account_id,
                template=draft.template,
                audience=audience,
                created_by=actor.uid,
                rate_per_second=draft.rate_per_second,
                scheduled_at=draft.scheduled_at,
                personalise=draft.personalise,
                actor=actor,
            )
        if start:
            campaign = self._campaigns.start(campaign.id, actor)
        return campaign, report

    def preview(self, actor: Actor, draft: Draft) -> list[Sample]:
        """The form's message for its first recipients (at most `PREVIEW_MAX` engine calls), before the
        campaign exists; nothing is written, not even an audit entry: it changes nothing."""
        only_campaign_staff(actor)
        audience, _ = self._audience(actor, draft)
        with _refusals():
            return self._campaigns.preview(
                account_id=draft.account_id,
                template=draft.template,
                audience=audience,
                personalise=draft.personalise,
            )

    def _audience(self, actor: Actor, draft: Draft) -> tuple[Audience, ImportReport | None]:
        report = self.check_audience(actor, draft.csv) if draft.csv is not None else None
        return (Audience(csv=report) if report is not None else Audience(where=draft.where or {})), report

    # -- following one ---------------------------------------------------------------------------------------

    def list(self, actor: Actor, limit: int = 50) -> list[tuple[Campaign, int]]:
        """The latest campaigns, each with how many of its sends have ended (one aggregation each, and
        none for a draft or a finished one, whose numbers are known)."""
        only_campaign_staff(actor)
        found = []
        for campaign in self._store.all(limit):
            if campaign.status == CampaignStatus.DRAFT:
                ended = 0
            elif campaign.status == CampaignStatus.FINISHED:
                ended = campaign.total
            else:
                ended = max(0, campaign.total - self._store.pending_count(campaign.id))
            found.append((campaign, ended))
        return found

    def progress(self, actor: Actor, campaign_id: str) -> Progress:
        only_campaign_staff(actor)
        campaign = self._get(campaign_id)
        counts = self._store.counts(campaign_id)
        handed = self._store.handed_since(campaign_id, self._clock() - RATE_WINDOW_S)
        return Progress(campaign, counts, handed / RATE_WINDOW_S)

    def recipients(
        self, actor: Actor, campaign_id: str, status: str | None, after_seq: int | None, page_size: int | None
    ) -> tuple[list[Send], int | None]:
        """A page of recipients in audience order; the cursor is the last one's place in the audience."""
        only_campaign_staff(actor)
        if status is not None and status not in {str(s) for s in SendStatus}:
            raise SettingRefused(f"Situação desconhecida: {status}")
        size = max(1, min(page_size or 50, PAGE_MAX))
        self._get(campaign_id)
        page = self._store.page(campaign_id, status, after_seq, size + 1)
        more = len(page) > size
        page = page[:size]
        return page, (page[-1].seq if more and page else None)

    def move(self, actor: Actor, campaign_id: str, verb: str) -> Campaign:
        only_campaign_staff(actor)
        if verb not in MOVES:
            raise NotFound("Ação desconhecida")
        self._get(campaign_id)
        return getattr(self._campaigns, verb)(campaign_id, actor)

    def _get(self, campaign_id: str) -> Campaign:
        with self._uow() as uow:
            campaign = uow.campaigns.get(campaign_id)
        if campaign is None:
            raise NotFound("Campanha não encontrada")
        return campaign


@contextmanager
def _refusals() -> Iterator[None]:
    """The service's refusals of a draft (a template not approved, parameters missing): a 422."""
    try:
        yield
    except (WorkflowRefused, TemplateInvalid) as e:
        raise SettingRefused(str(getattr(e, "reason", e))) from None
